/**
 * The measuring client of P6 spread over processes: how the connections are split between them, and
 * how their per-process figures merge into the drain's (pure; bench/p6.ts runs the processes).
 */
import { perSecond, type LoopDelay } from "../../support/drainScenario";

/** Connections per client process, as even as whole numbers allow (the first ones take the remainder). */
export function splitConnections(connections: number, processes: number): number[] {
  if (!Number.isInteger(connections) || connections < 1)
    throw new Error(`connections must be a whole number >= 1 (got ${connections})`);
  if (!Number.isInteger(processes) || processes < 1 || processes > connections)
    throw new Error(`client processes must be a whole number from 1 to ${connections} (got ${processes})`);
  const base = Math.floor(connections / processes);
  const remainder = connections % processes;
  return Array.from({ length: processes }, (_, i) => base + (i < remainder ? 1 : 0));
}

/** How many client processes hold `connections` at `perProcess` each at most. */
export function processesFor(connections: number, perProcess: number): number {
  if (!(perProcess >= 1)) throw new Error(`connections per client process must be >= 1 (got ${perProcess})`);
  return Math.max(1, Math.ceil(connections / perProcess));
}

/** What one client process saw in a phase: wall-clock ms (comparable across processes). */
export interface ProcessPhase {
  /** When each of its connections was dropped. */
  dropsAtMs: number[];
  /** When each reconnect attempt began (the arrivals HAProxy's new worker sees). */
  arrivalsAtMs: number[];
  loopDelayMs: LoopDelay;
}

export interface FleetArrivals {
  /** Reconnect attempts of every process per second, from the first drop any process saw. */
  arrivalsPerSecond: number[];
  busiestSecond: number;
  /** busiestSecond / (connections / windowSeconds). */
  arrivalRatio: number;
  firstDropAtMs: number;
  /** First to last drop over every process, ms. */
  dropSpreadMs: number;
}

/** Merges the processes' drops and reconnect attempts into the drain's per-second arrivals. */
export function fleetArrivals(
  phases: Array<Pick<ProcessPhase, "dropsAtMs" | "arrivalsAtMs">>,
  connections: number,
  windowSeconds: number,
): FleetArrivals {
  const drops = phases.flatMap((p) => p.dropsAtMs);
  if (drops.length === 0) throw new Error("no client process saw a drop: nothing to measure");
  const firstDropAtMs = Math.min(...drops);
  const arrivalsPerSecond = perSecond(
    phases.flatMap((p) => p.arrivalsAtMs),
    firstDropAtMs,
  );
  const busiestSecond = Math.max(0, ...arrivalsPerSecond);
  return {
    arrivalsPerSecond,
    busiestSecond,
    arrivalRatio: busiestSecond / (connections / windowSeconds),
    firstDropAtMs,
    dropSpreadMs: Math.max(...drops) - firstDropAtMs,
  };
}

/** The process whose event loop ran latest (highest p99; the first of equals): its index and its own figures. */
export function worstLoopDelay(delays: LoopDelay[]): LoopDelay & { process: number } {
  if (delays.length === 0) throw new Error("no client process reported its event-loop delay");
  let worst = 0;
  delays.forEach((d, i) => {
    if (d.p99 > delays[worst].p99) worst = i;
  });
  return { ...delays[worst], process: worst };
}
