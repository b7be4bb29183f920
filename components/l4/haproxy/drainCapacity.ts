/**
 * Whether the paced drain's window fits what the HAProxy pods' CPU request can handshake: the
 * preview's warning when it does not (L4Exposure logs `plan.warnings`). Pure.
 *
 * The window's lower bound is `drainWindowMinSeconds` (docs/L4.md, "The paced drain's shortest
 * window"); its C, the handshakes a second a receiving pod takes, is taken here at the pod's CPU
 * request: on a node whose CPU is contended that is all the pod is guaranteed, and the default
 * request is small, so a window that is safe with a spare core can be far too short there.
 */
import { DRAIN_START_SLACK_SECONDS } from "../../core/shutdownOrder";
import { arg, join, Message, msg } from "../../core/message";
import { parseCpuCores } from "../../core/quantity";
import { DRAIN_ARRIVAL_RATIO, DRAIN_HANDSHAKE_SHARE, drainWindowMinSeconds } from "./drain";

/**
 * HAProxy's CPU milliseconds per TLS 1.3 handshake with an ECDSA P-256 certificate, in the pod's
 * image: `full` a new session, `resumed` one from a shared session ticket. The figures of bench
 * `incluster` (`incluster_figures.full|resumed.haproxy_cpu_ms_per_handshake`, docs/BENCHMARKS.md).
 */
export const HAPROXY_HANDSHAKE_CPU_MS = { full: 0.659, resumed: 0.668 } as const;

export interface DrainCapacityArgs {
  /** Prefix of the argument names in the message, e.g. `tls.haproxy`. */
  field: string;
  windowSeconds: number;
  /** The drained pod's connections at worst. */
  maxconn: number;
  /** The container's CPU request, a Kubernetes quantity (`50m`). */
  cpuRequest: string;
  /** Shared session tickets: a reconnect to another pod resumes; without, a full handshake. */
  sessionTickets: boolean;
}

/** Handshakes a second `cores` of CPU take, at HAProxy's CPU per handshake of that kind. */
export function handshakesPerSecondAt(cores: number, kind: keyof typeof HAPROXY_HANDSHAKE_CPU_MS): number {
  return (cores * 1000) / HAPROXY_HANDSHAKE_CPU_MS[kind];
}

/** The smallest CPU request, whole millicores, whose handshakes absorb `windowSeconds`. */
function cpuRequestMillicoresFor(windowSeconds: number, maxconn: number, kind: "full" | "resumed"): number {
  const minWindow = (m: number) =>
    drainWindowMinSeconds({
      connectionsPerPod: maxconn,
      handshakesPerSecondPerPod: handshakesPerSecondAt(m / 1000, kind),
    });
  const cores =
    (DRAIN_ARRIVAL_RATIO * maxconn * HAPROXY_HANDSHAKE_CPU_MS[kind]) /
    (DRAIN_HANDSHAKE_SHARE * 1000 * windowSeconds);
  let millicores = Math.max(1, Math.ceil(cores * 1000 - 1e-9));
  // drainWindowMinSeconds rounds up: step past a quotient that floating point puts a hair above W.
  while (minWindow(millicores) > windowSeconds) millicores += 1;
  return millicores;
}

/**
 * The warning when `windowSeconds` is below the window the pods' CPU request absorbs for maxconn
 * connections, with both fixes (a longer window, with hard-stop-after above it; or a larger CPU
 * request); undefined when the window is long enough or the request is not a CPU quantity above 0.
 * The arguments it names are references: a program reads their paths, the stack program its keys.
 */
export function drainCapacityWarning(owner: string, args: DrainCapacityArgs): Message | undefined {
  const cores = parseCpuCores(args.cpuRequest);
  if (cores === undefined || cores <= 0) return undefined;
  const kind = args.sessionTickets ? "resumed" : "full";
  const capacity = handshakesPerSecondAt(cores, kind);
  const minSeconds = drainWindowMinSeconds({
    connectionsPerPod: args.maxconn,
    handshakesPerSecondPerPod: capacity,
  });
  if (args.windowSeconds >= minSeconds) return undefined;
  const window = arg(`${args.field}.drain.windowSeconds`);
  const maxconn = arg(`${args.field}.maxconn`);
  const hardStop = arg(`${args.field}.hardStopAfterSeconds`);
  const cpu = arg(`${args.field}.resources.requests.cpu`);
  const rate = (DRAIN_ARRIVAL_RATIO * args.maxconn) / args.windowSeconds;
  const handshake = args.sessionTickets
    ? "a resumed TLS handshake (shared session tickets)"
    : "a full TLS handshake";
  const millicores = cpuRequestMillicoresFor(args.windowSeconds, args.maxconn, kind);
  return join(
    [
      msg`${owner}: ${window} ${args.windowSeconds} is below the ${minSeconds} s the HAProxy pods' CPU request absorbs `,
      msg`(drainWindowMinSeconds, docs/L4.md): a drained pod's ${maxconn} ${args.maxconn} connections reconnect at up to `,
      `${DRAIN_ARRIVAL_RATIO} x ${args.maxconn} / ${args.windowSeconds} = ${Math.round(rate)} a second, each ${handshake} on a pod that stays, `,
      msg`and at its ${cpu} ${JSON.stringify(args.cpuRequest)} (what a node with contended CPU guarantees) `,
      `a pod takes ${Math.round(capacity)} a second (${HAPROXY_HANDSHAKE_CPU_MS[kind]} ms of CPU each), of which the drain may take ${DRAIN_HANDSHAKE_SHARE * 100}%; `,
      `beyond that the handshakes queue on its CPU and its own clients' slow too. `,
      msg`Raise ${window} to at least ${minSeconds} (and ${hardStop} to at least ${minSeconds + DRAIN_START_SLACK_SECONDS}), `,
      msg`or ${cpu} to at least "${millicores}m"`,
    ],
    "",
  );
}
