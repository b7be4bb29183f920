/**
 * Kubernetes resource quantities (`resources.requests` / `resources.limits` values), read as
 * numbers: memory in bytes, CPU in cores. Pure; undefined when the text is not a quantity.
 */

/** CPU and memory for a Deployment's container (HAProxy, cloudflared, the monitor). */
export interface ResourcesArgs {
  /** Requests, merged over the component's defaults, e.g. `cpu: 50m`. */
  requests?: Record<string, string>;
  /** Limits, merged over the component's defaults, e.g. `memory: 256Mi`. */
  limits?: Record<string, string>;
}

const MEMORY_SUFFIX: Record<string, number> = {
  "": 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
};

/** Bytes in a memory quantity: `512Mi`, `1Gi`, `1G`, `268435456`, `1.5Gi`, `1e9`. */
export function parseMemoryBytes(value: unknown): number | undefined {
  if (typeof value === "number") return Number.isFinite(value) && value >= 0 ? value : undefined;
  if (typeof value !== "string") return undefined;
  const exp = /^(\d+(?:\.\d+)?)[eE](\d+)$/.exec(value);
  if (exp) return Number(exp[1]) * 10 ** Number(exp[2]);
  const m = /^(\d+(?:\.\d+)?)(|k|M|G|T|Ki|Mi|Gi|Ti)$/.exec(value);
  return m ? Number(m[1]) * MEMORY_SUFFIX[m[2]] : undefined;
}

/** Cores in a CPU quantity: `500m` = 0.5, `2` = 2, `1.5` = 1.5. */
export function parseCpuCores(value: unknown): number | undefined {
  if (typeof value === "number") return Number.isFinite(value) && value >= 0 ? value : undefined;
  if (typeof value !== "string") return undefined;
  const m = /^(\d+(?:\.\d+)?)(m?)$/.exec(value);
  if (!m) return undefined;
  return m[2] === "m" ? Number(m[1]) / 1000 : Number(m[1]);
}

export const MIB = 2 ** 20;
