/**
 * The paced drain of the HAProxy tier, as the component plans and ships it. Pure, except
 * `drainScript()`, which reads the driver (drainDriver.ts bundled by `npm run build` into
 * dist/bundle/haproxy-drain.js, shipped as-is in the ConfigMap).
 *
 * Without it, HAProxy keeps an old process's WebSocket tunnels until `hard-stop-after` and then
 * closes them all within ~100 ms (`close-spread-time` does not apply to tunnels): every client
 * reconnects on the same backoff step, a storm of full TLS handshakes. With it, a sidecar on the
 * monitor's stock Node image closes them through the master CLI at N/window per second, oldest
 * first (or at random), from the soft-stop on; `hard-stop-after` stays the backstop for what is
 * left (a stream the driver missed, a CLI that did not answer).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { createHash } from "node:crypto";
import { DRAIN_START_SLACK_SECONDS } from "../../core/shutdownOrder";
import { fail, requireOneOf, requirePinnedImage, requireWholeNumber } from "../../core/validation";
import { DEFAULT_MONITOR_IMAGE } from "../../monitor/args";
import type { HaproxyDrainArgs } from "../args";
import type { DrainOrder } from "./drainPlan";

export interface ResolvedDrain {
  /** Seconds the closes are spread over, from the soft-stop (pod stop) or the reload. */
  windowSeconds: number;
  order: DrainOrder;
  /** The sidecar's image (a stock Node image). */
  image: string;
}

/** The master CLI socket (`haproxy -W -S`) in the pod's runtime directory (shared with the sidecar). */
export const MASTER_SOCKET_NAME = "master.sock";
/** Where the sidecar mounts the ConfigMap holding the driver. */
export const DRAIN_SCRIPT_DIR = "/etc/ws-exposure/drain";
export const DRAIN_SCRIPT_KEY = "haproxy-drain.js";

/**
 * The default window: five sixths of hard-stop-after (50 s of the default 60), whole seconds, and
 * never past hard-stop-after less the driver's start slack (shutdownOrder.ts).
 */
export function defaultDrainWindowSeconds(hardStopAfterSeconds: number): number {
  const fiveSixths = Math.floor((hardStopAfterSeconds * 5) / 6);
  return Math.max(0, Math.min(fiveSixths, hardStopAfterSeconds - DRAIN_START_SLACK_SECONDS));
}

/**
 * Resolves `tls.haproxy.drain`: undefined when it is off (`false`, or a hard-stop-after too short
 * for a default window of a second). `field` prefixes argument names, e.g. `tls.haproxy.drain`.
 * The window's order against hard-stop-after is checked with the other shutdown timers.
 */
export function resolveDrain(
  owner: string,
  field: string,
  args: HaproxyDrainArgs | false | undefined,
  hardStopAfterSeconds: number,
): ResolvedDrain | undefined {
  if (args === false) return undefined;
  if (args !== undefined && (typeof args !== "object" || args === null || Array.isArray(args))) {
    fail(
      owner,
      field,
      `${JSON.stringify(args)} is not an object: give { windowSeconds, order }, {} for the defaults, or false to turn the paced drain off`,
    );
  }
  // `enabled` is the component package's spelling of on/off (its conversion maps `{ enabled: false }`
  // to false and drops `enabled: true`); what is left of it here is off together with settings.
  const enabled = (args as { enabled?: unknown } | undefined)?.enabled;
  if (enabled !== undefined) {
    fail(
      owner,
      `${field}.enabled`,
      enabled === false
        ? `is false (the paced drain off), which conflicts with ${Object.keys(args as object)
            .filter((k) => k !== "enabled")
            .join(", ")}; remove them or enabled`
        : `must be true or false (got ${JSON.stringify(enabled)})`,
    );
  }
  const dflt = defaultDrainWindowSeconds(hardStopAfterSeconds);
  if (args?.windowSeconds === undefined && dflt < 1) return undefined;
  const windowSeconds = requireWholeNumber(
    owner,
    `${field}.windowSeconds`,
    args?.windowSeconds ?? dflt,
    1,
    86400,
    "of seconds",
  );
  const order = requireOneOf(owner, `${field}.order`, args?.order ?? "oldest", ["oldest", "random"] as const);
  const image = requirePinnedImage(
    owner,
    `${field}.image`,
    args?.image ?? DEFAULT_MONITOR_IMAGE,
    DEFAULT_MONITOR_IMAGE,
  );
  return { windowSeconds, order, image };
}

/**
 * Where `npm run build` puts the driver's bundle, seen from this module: from source
 * (`components/l4/haproxy/` -> `dist/bundle/`) and from the build (`dist/components/l4/haproxy/` -> `dist/bundle/`).
 */
export function drainScriptCandidates(moduleDir: string): string[] {
  return [
    path.resolve(moduleDir, "../../../dist/bundle", DRAIN_SCRIPT_KEY),
    path.resolve(moduleDir, "../../../bundle", DRAIN_SCRIPT_KEY),
  ];
}

/** The driver's bundle, as the sidecar runs it; a clear error when it has not been built. */
export function drainScript(moduleDir: string = __dirname): string {
  const candidates = drainScriptCandidates(moduleDir);
  const found = candidates.find((p) => fs.existsSync(p));
  if (!found)
    throw new Error(
      `${JSON.stringify(candidates[0])} does not exist; run \`npm run build\` to bundle the HAProxy drain driver (the L4 component ships it in a ConfigMap)`,
    );
  return fs.readFileSync(found, "utf8");
}

export function drainScriptHash(script: string): string {
  return createHash("sha256").update(script).digest("hex").slice(0, 16);
}

/** The driver's arguments: `--watch` (reloads, the sidecar's main process) or the pod stop (its preStop). */
export function drainCommand(
  drain: ResolvedDrain,
  runtimeDir: string,
  when: { watch: true } | { allAfterSeconds: number },
): string[] {
  return [
    "node",
    `${DRAIN_SCRIPT_DIR}/${DRAIN_SCRIPT_KEY}`,
    "--socket",
    `${runtimeDir}/${MASTER_SOCKET_NAME}`,
    "--window",
    String(drain.windowSeconds),
    "--order",
    drain.order,
    ...("watch" in when ? ["--watch"] : ["--all-after", String(when.allAfterSeconds)]),
  ];
}

/** The sidecar's resources: one small Node process, idle but for a drain. */
export const DRAIN_SIDECAR_RESOURCES = {
  requests: { cpu: "10m", memory: "48Mi" },
  limits: { memory: "96Mi" },
};

/**
 * The busiest second of a paced drain's reconnects, as a multiple of N/window, that the window's
 * lower bound allows for: the paced closes are even, but each client adds its own jittered backoff
 * before it reconnects (the goal bench P4 holds the drain to).
 */
export const DRAIN_ARRIVAL_RATIO = 1.25;
/**
 * The share of a receiving pod's handshake capacity a drain's reconnects may take: the rest is left
 * for the pod's own clients (their reconnects after a network change, new sessions).
 */
export const DRAIN_HANDSHAKE_SHARE = 0.5;

export interface DrainCapacityArgs {
  /** N: the connections the drained pod holds (its maxconn at worst). */
  connectionsPerPod: number;
  /**
   * TLS handshakes a second one HAProxy pod sustains at its CPU limit: full ones when the tier has
   * no shared session tickets (a reconnect to another pod cannot resume), else resumed ones.
   */
  handshakesPerSecondPerPod: number;
  /** Pods the reconnects spread over. Default 1: with MetalLB L2 and `Local`, one node's pods take all. */
  receivingPods?: number;
  /** Default DRAIN_ARRIVAL_RATIO. */
  arrivalRatio?: number;
  /** Default DRAIN_HANDSHAKE_SHARE. */
  handshakeShare?: number;
}

/**
 * The shortest paced-drain window the receiving pods' handshake capacity absorbs, whole seconds
 * (rounded up): the reconnects of N connections closed over W seconds arrive at up to
 * arrivalRatio x N/W a second, which must stay within handshakeShare of what the receiving pods
 * handshake a second, so W >= arrivalRatio x N / (handshakeShare x C x receivingPods). docs/L4.md.
 */
export function drainWindowMinSeconds(args: DrainCapacityArgs): number {
  const receivingPods = args.receivingPods ?? 1;
  const arrivalRatio = args.arrivalRatio ?? DRAIN_ARRIVAL_RATIO;
  const share = args.handshakeShare ?? DRAIN_HANDSHAKE_SHARE;
  const positive: [string, number][] = [
    ["connectionsPerPod", args.connectionsPerPod],
    ["handshakesPerSecondPerPod", args.handshakesPerSecondPerPod],
    ["receivingPods", receivingPods],
    ["arrivalRatio", arrivalRatio],
  ];
  for (const [name, value] of positive) {
    if (!Number.isFinite(value) || value <= 0) {
      throw new Error(`drainWindowMinSeconds: ${name} must be a number above 0 (got ${value})`);
    }
  }
  if (!Number.isFinite(share) || share <= 0 || share > 1) {
    throw new Error(`drainWindowMinSeconds: handshakeShare must be above 0 and at most 1 (got ${share})`);
  }
  const seconds =
    (arrivalRatio * args.connectionsPerPod) / (share * args.handshakesPerSecondPerPod * receivingPods);
  // A quotient that is whole but for floating-point noise (22.000000000000004) stays whole.
  return Math.ceil(seconds - 1e-9);
}
