/**
 * The order of a proxy pod's shutdown timers, checked in one place for every path. Pure.
 *
 * When Kubernetes stops a pod (rollout, drain, scale-down), three clocks start at once:
 * 1. the preStop hook: the proxy keeps serving while the endpoint leaves the load balancer
 *    (the LB stops sending new connections); none for cloudflared, whose edge stops routing to
 *    a connector as soon as it unregisters;
 * 2. the proxy's own drain: HAProxy's `hard-stop-after` (open connections may finish, the rest
 *    are closed when it fires), cloudflared's `--grace-period` (in-flight requests, WebSockets
 *    too, may run this long after SIGTERM);
 * 3. `terminationGracePeriodSeconds`, counted from the start of preStop, which ends in SIGKILL.
 *
 * The order must be preStop < drain, a paced drain's window <= drain - DRAIN_START_SLACK_SECONDS
 * (HAProxy: the sidecar closes the old process's connections over that window, from when it sees the
 * old process; hard-stop-after cuts what is left), and
 * preStop + drain + margin <= terminationGracePeriodSeconds;
 * otherwise the drain is cut short (SIGKILL) or never starts before the pod is gone.
 */
import { Message } from "./message";
import { arg, fail, msg } from "./validation";

/**
 * How much later than the soft-stop (or the reload) the paced drain's window may start: its driver
 * polls the master CLI once a second for old workers, then lists their sessions before the first
 * close. hard-stop-after counts from the soft-stop itself.
 */
export const DRAIN_START_SLACK_SECONDS = 2;

export type ShutdownProxy = "haproxy" | "cloudflared";

/** One timer: the argument that sets it (as messages name it) and its value in seconds. */
export interface ShutdownTimer {
  field: string;
  seconds: number;
}

export interface ShutdownTimers {
  proxy: ShutdownProxy;
  /** preStop sleep (the LB stops sending). Absent: none (cloudflared). */
  preStop?: ShutdownTimer;
  /** HAProxy `hard-stop-after` / cloudflared `--grace-period`. */
  drain: ShutdownTimer;
  /** HAProxy `close-spread-time` (must fit inside the drain). */
  closeSpread?: ShutdownTimer;
  /** The paced drain's window (HAProxy): closes spread from the same moment as the drain; must end before it. */
  pacedDrain?: ShutdownTimer;
  terminationGracePeriod: ShutdownTimer;
  /** Slack between the end of the drain and the kubelet's SIGKILL. */
  marginSeconds: number;
}

export interface ShutdownOrderProblem {
  /** The argument to change. */
  field: string;
  /** What is wrong and the fix, starting with the value. */
  problem: string;
}

/** The problems, each naming the other timers' arguments as references. */
function shutdownOrderFindings(t: ShutdownTimers): { field: string; problem: Message }[] {
  const problems: { field: string; problem: Message }[] = [];
  const { preStop, drain, closeSpread, terminationGracePeriod: grace } = t;
  if (preStop && preStop.seconds >= drain.seconds) {
    problems.push({
      field: preStop.field,
      problem:
        t.proxy === "haproxy"
          ? msg`${preStop.seconds} must be below ${arg(drain.field)} ${drain.seconds}: the preStop sleep only lets the load balancer stop sending new connections; the drain of open ones is hard-stop-after's window`
          : msg`${preStop.seconds} must be below ${arg(drain.field)} ${drain.seconds}: the preStop sleep only lets the load balancer stop sending new connections; the drain of open ones is --grace-period's window`,
    });
  }
  if (closeSpread && closeSpread.seconds >= drain.seconds) {
    problems.push({
      field: closeSpread.field,
      problem: msg`${closeSpread.seconds} must be below ${arg(drain.field)} ${drain.seconds}, so connections get the chance to close gracefully before the old process is stopped`,
    });
  }
  const paced = t.pacedDrain;
  const slack = DRAIN_START_SLACK_SECONDS;
  if (paced && paced.seconds > drain.seconds - slack) {
    problems.push({
      field: paced.field,
      problem: msg`${paced.seconds} must be at most ${arg(drain.field)} ${drain.seconds} - ${slack} = ${drain.seconds - slack}: hard-stop-after counts from the soft-stop (or the reload), the window from when the drain's driver sees the old process (up to ${slack} s later), and hard-stop-after closes at once every connection the paced drain has not closed yet; lower it or raise ${lastPart(drain.field)}`,
    });
  }
  const pre = preStop?.seconds ?? 0;
  const needed = pre + drain.seconds + t.marginSeconds;
  if (grace.seconds < needed) {
    problems.push({
      field: grace.field,
      problem:
        t.proxy === "cloudflared" && !preStop && t.marginSeconds === 1
          ? msg`${grace.seconds} must exceed ${arg(drain.field)} ${drain.seconds}, or Kubernetes kills cloudflared before its in-flight requests finish; set it to at least ${needed}`
          : msg`${grace.seconds} is too short: it must be at least ${preStop ? `${lastPart(preStop.field)} ${pre} + ` : ""}${lastPart(drain.field)} ${drain.seconds} + ${t.marginSeconds} = ${needed}, because the grace period counts from the start of preStop and ends in SIGKILL, which would cut the drain short`,
    });
  }
  return problems;
}

/** Every problem with the order of the timers, in the order they happen; empty when it is right. */
export function shutdownOrderProblems(t: ShutdownTimers): ShutdownOrderProblem[] {
  return shutdownOrderFindings(t).map(({ field, problem }) => ({ field, problem: problem.render() }));
}

/** Throws a ValidationError (owner, field, problem) for the first problem, if any. */
export function assertShutdownOrder(owner: string, timers: ShutdownTimers): void {
  const first = shutdownOrderFindings(timers)[0];
  if (first) fail(owner, first.field, first.problem);
}

function lastPart(field: string): string {
  return field.split(".").pop() as string;
}
