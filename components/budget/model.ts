import { arg, Message, msg } from "../core/message";
import type { ReconnectBudget } from "./reconnect";

/**
 * The connection budget: a pure model of what every hop on a path does to a long-lived WebSocket.
 * Each hop may have an idle timer (reset by traffic such as heartbeats), a lifetime cap (fires
 * however busy the connection is), and events that drop connections regardless of either.
 */

export interface Hop {
  /** Short stable id, e.g. `cloudflare-edge`, `queue-proxy`. */
  name: string;
  /** Seconds of silence after which this hop closes the connection; null when it has no idle timer. */
  idleTimeoutSeconds: number | null;
  /** Seconds after which this hop closes the connection however busy it is; null when none. */
  lifetimeCapSeconds: number | null;
  /** What drops connections at this hop anyway (restarts, failovers, rollouts). */
  dropEvents: string[];
  /** The setting that moves this hop's idle timer, named in errors: its argument path, then any note after a space. */
  idleSetting?: string;
  /** The setting that moves this hop's lifetime cap, named in errors: its argument path, then any note after a space. */
  lifetimeSetting?: string;
  /** Why the numbers are what they are, when that is not obvious. */
  note?: string;
}

export interface PathBudget {
  /** Path name, e.g. `tunnel`, `l4`. */
  name: string;
  hops: Hop[];
  /** The smallest idle timer on the path; null when no hop has one. */
  effectiveIdleTimeoutSeconds: number | null;
  /** The smallest lifetime cap on the path; null when no hop has one. */
  lifetimeCapSeconds: number | null;
  heartbeatSeconds: number;
  minLifetimeSeconds: number;
  /** Every drop event on the path, prefixed by its hop. */
  dropEvents: string[];
  /** True when `problems` is empty. */
  ok: boolean;
  /** One sentence per rule the path breaks, naming the hop and what to change. */
  problems: string[];
  /** What each drop event costs the reconnecting client (set by the path builders). */
  reconnect?: ReconnectBudget;
}

/** A connection must survive this many heartbeat intervals of silence (one lost heartbeat is tolerated). */
export const HEARTBEATS_PER_IDLE_TIMEOUT = 2;

function minOf(values: (number | null)[]): number | null {
  const known = values.filter((v): v is number => v !== null);
  return known.length === 0 ? null : Math.min(...known);
}

/** The hop that sets a path's effective limit: the first hop holding the minimum. */
function limitingHop(hops: Hop[], pick: (h: Hop) => number | null, limit: number | null): Hop | undefined {
  return limit === null ? undefined : hops.find((h) => pick(h) === limit);
}

/** A hop's setting as a message: its argument path as a reference, then its note. */
function settingRef(setting: string): Message {
  const space = setting.indexOf(" ");
  return space < 0 ? msg`${arg(setting)}` : msg`${arg(setting.slice(0, space))}${setting.slice(space)}`;
}

/** One message per rule the path breaks, naming the hop and the arguments to change. */
export function budgetProblems(
  name: string,
  hops: Hop[],
  websocket: { heartbeatSeconds: number; minLifetimeSeconds: number },
): Message[] {
  const problems: Message[] = [];
  const { heartbeatSeconds, minLifetimeSeconds } = websocket;

  for (const hop of hops) {
    const idle = hop.idleTimeoutSeconds;
    if (idle !== null && heartbeatSeconds * HEARTBEATS_PER_IDLE_TIMEOUT > idle) {
      const fix = hop.idleSetting ? msg`raise ${settingRef(hop.idleSetting)} or ` : "";
      const most = Math.floor(idle / HEARTBEATS_PER_IDLE_TIMEOUT);
      problems.push(
        msg`${arg("websocket.heartbeatSeconds")} ${heartbeatSeconds} is too slow for the ${name} path: hop "${hop.name}" closes a connection idle for ${idle} s, and a connection must survive ${HEARTBEATS_PER_IDLE_TIMEOUT} heartbeat intervals (${heartbeatSeconds * HEARTBEATS_PER_IDLE_TIMEOUT} s); ${fix}set ${arg("websocket.heartbeatSeconds")} <= ${most}`,
      );
    }
  }
  for (const hop of hops) {
    const cap = hop.lifetimeCapSeconds;
    if (cap !== null && cap < minLifetimeSeconds) {
      const fix = hop.lifetimeSetting
        ? msg`raise ${settingRef(hop.lifetimeSetting)} to at least ${minLifetimeSeconds}`
        : msg`lower ${arg("websocket.minLifetimeSeconds")}`;
      problems.push(
        msg`the ${name} path caps a connection's life at ${cap} s at hop "${hop.name}", below ${arg("websocket.minLifetimeSeconds")} ${minLifetimeSeconds}; ${fix}`,
      );
    }
  }
  return problems;
}

export function evaluateBudget(
  name: string,
  hops: Hop[],
  websocket: { heartbeatSeconds: number; minLifetimeSeconds: number },
): PathBudget {
  const effectiveIdleTimeoutSeconds = minOf(hops.map((h) => h.idleTimeoutSeconds));
  const lifetimeCapSeconds = minOf(hops.map((h) => h.lifetimeCapSeconds));
  const { heartbeatSeconds, minLifetimeSeconds } = websocket;
  const problems = budgetProblems(name, hops, websocket).map((p) => p.render());

  return {
    name,
    hops,
    effectiveIdleTimeoutSeconds,
    lifetimeCapSeconds,
    heartbeatSeconds,
    minLifetimeSeconds,
    dropEvents: hops.flatMap((h) => h.dropEvents.map((e) => `${h.name}: ${e}`)),
    ok: problems.length === 0,
    problems,
  };
}

/** The hops that set the path's effective idle timeout and lifetime cap (for display). */
export function limitingHops(budget: PathBudget): { idle?: Hop; lifetime?: Hop } {
  return {
    idle: limitingHop(budget.hops, (h) => h.idleTimeoutSeconds, budget.effectiveIdleTimeoutSeconds),
    lifetime: limitingHop(budget.hops, (h) => h.lifetimeCapSeconds, budget.lifetimeCapSeconds),
  };
}
