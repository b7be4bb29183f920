/**
 * Pure readings of a cloudflared container (as anyone may have written it) and the shutdown-order
 * rule the connector plan enforces: pod grace > cloudflared `--grace-period`. No Pulumi imports.
 */

/** cloudflared's `--grace-period` default (seconds). */
export const CLOUDFLARED_DEFAULT_GRACE_PERIOD_SECONDS = 30;
/** Kubernetes' pod `terminationGracePeriodSeconds` default. */
export const KUBERNETES_DEFAULT_TERMINATION_GRACE_SECONDS = 30;

const UNIT_SECONDS: Record<string, number> = { h: 3600, m: 60, s: 1, ms: 1e-3, us: 1e-6, µs: 1e-6, ns: 1e-9 };

/** Seconds in a Go duration (`30s`, `1m30s`, `500ms`, `0`), or undefined when it is not one. */
export function parseGoDurationSeconds(text: string): number | undefined {
  if (text === "0") return 0;
  const re = /(\d+(?:\.\d+)?)(h|ms|us|µs|ns|m|s)/gy;
  let total = 0;
  let matched = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) {
    total += Number(m[1]) * UNIT_SECONDS[m[2]];
    matched = re.lastIndex;
  }
  return matched > 0 && matched === text.length ? total : undefined;
}

/** True when a container runs cloudflared: its image is `cloudflare/cloudflared*`, or its args start with `tunnel`. */
export function isCloudflaredContainer(container: { image?: unknown; args?: unknown }): boolean {
  const image = typeof container.image === "string" ? container.image : "";
  const args = Array.isArray(container.args) ? container.args : [];
  return /(^|\/)cloudflare\/cloudflared([:@]|$)/.test(image) || args[0] === "tunnel";
}

/** Where a flag sits in an argv (`--flag value` or `--flag=value`), and its value. */
export interface FlagValue {
  /** Index of the flag in args. */
  index: number;
  /** The value, or undefined when the flag is last with no value. */
  value?: string;
}

export function findFlag(args: readonly unknown[], flag: string): FlagValue | undefined {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (typeof arg !== "string") continue;
    if (arg === flag || arg === `-${flag}`) {
      const next = args[i + 1];
      return { index: i, value: typeof next === "string" ? next : undefined };
    }
    for (const prefix of [`${flag}=`, `-${flag}=`]) {
      if (arg.startsWith(prefix)) return { index: i, value: arg.slice(prefix.length) };
    }
  }
  return undefined;
}

/**
 * The shutdown-order rule: Kubernetes must not kill cloudflared before its grace period ends.
 * Returns the smallest compliant pod grace when violated, undefined when fine.
 */
export function minimumPodGraceSeconds(
  podGraceSeconds: number,
  cloudflaredGraceSeconds: number,
): number | undefined {
  return podGraceSeconds > cloudflaredGraceSeconds ? undefined : Math.floor(cloudflaredGraceSeconds) + 1;
}
