import type { ClientSink, EchoEvent } from "./client";
import { DROP_CAUSES, type Drop, type DropCause } from "./drop";
import type { Failure } from "./failure";
import { MsHistogram } from "./histogram";
import type { AttemptStats, EchoStats, TimelinePoint } from "./report";
import { round } from "./durations";

const MAX_LIFETIME_SAMPLES = 20_000;
const MAX_DETAIL_KEYS = 50;

/** Aggregates every client's events into constant-size counters and histograms. */
export class SoakStats implements ClientSink {
  readonly rttMs = new MsHistogram();
  readonly handshakeMs = new MsHistogram();
  readonly lifetimesMs = new MsHistogram();
  readonly lifetimeSamplesMs: number[] = [];
  private readonly windowRtt = new MsHistogram();
  private windowDrops = 0;
  open = 0;
  opens = 0;
  failedAttempts = 0;
  exhaustedClients = 0;
  reconnectAttempts = 0;
  drops = 0;
  readonly failedByCause: Record<string, number> = {};
  readonly dropsByCode: Record<string, number> = {};
  readonly dropsByCause = Object.fromEntries(DROP_CAUSES.map((c) => [c, 0])) as Record<DropCause, number>;
  readonly dropsByDetail: Record<string, number> = {};
  readonly echoStats: EchoStats = {
    sent: 0,
    received: 0,
    gaps: 0,
    lostWithConnection: 0,
    outOfOrder: 0,
    unmatched: 0,
  };
  private readonly attempts = new Map<number, AttemptStats>();
  readonly timeline: TimelinePoint[] = [];

  /** TLS handshakes: resumed sessions and full ones (both 0 for ws://). */
  readonly tls = { resumed: 0, full: 0 };

  opened(handshakeMs: number, tlsResumed?: boolean): void {
    this.open++;
    this.opens++;
    this.handshakeMs.record(handshakeMs);
    if (tlsResumed === true) this.tls.resumed++;
    else if (tlsResumed === false) this.tls.full++;
  }

  rtt(ms: number): void {
    this.rttMs.record(ms);
    this.windowRtt.record(ms);
  }

  dropped(drop: Drop): void {
    this.open--;
    this.drops++;
    this.windowDrops++;
    increment(this.dropsByCode, String(drop.code));
    this.dropsByCause[drop.cause]++;
    if (drop.detail) {
      const key = drop.detail.slice(0, 100);
      if (key in this.dropsByDetail || Object.keys(this.dropsByDetail).length < MAX_DETAIL_KEYS)
        increment(this.dropsByDetail, key);
      else increment(this.dropsByDetail, "(other)");
    }
    this.lifetimesMs.record(drop.lifetimeMs);
    if (this.lifetimeSamplesMs.length < MAX_LIFETIME_SAMPLES)
      this.lifetimeSamplesMs.push(round(drop.lifetimeMs, 1));
  }

  attemptFailed(failure: Failure): void {
    this.failedAttempts++;
    increment(this.failedByCause, failure.label);
  }

  reconnecting(attempt: number, plannedMs: number, waitedMs: number): void {
    this.reconnectAttempts++;
    const waited = round(waitedMs, 1);
    const stats = this.attempts.get(attempt);
    if (!stats) {
      this.attempts.set(attempt, {
        attempt,
        count: 1,
        plannedMs: { min: plannedMs, max: plannedMs },
        waitedMs: { min: waited, max: waited },
      });
      return;
    }
    stats.count++;
    stats.plannedMs.min = Math.min(stats.plannedMs.min, plannedMs);
    stats.plannedMs.max = Math.max(stats.plannedMs.max, plannedMs);
    stats.waitedMs.min = Math.min(stats.waitedMs.min, waited);
    stats.waitedMs.max = Math.max(stats.waitedMs.max, waited);
  }

  exhausted(): void {
    this.exhaustedClients++;
  }

  echo(event: EchoEvent, count: number): void {
    this.echoStats[event] += count;
  }

  byAttempt(): AttemptStats[] {
    return [...this.attempts.values()].sort((a, b) => a.attempt - b.attempt);
  }

  /** Closes the current timeline window. */
  tick(tMs: number): void {
    const s = this.windowRtt.summary();
    this.timeline.push({
      tMs: Math.round(tMs),
      open: this.open,
      drops: this.windowDrops,
      rttCount: s.count,
      rttP50Ms: s.p50,
      rttP99Ms: s.p99,
      rttMaxMs: s.max,
    });
    this.windowRtt.reset();
    this.windowDrops = 0;
  }
}

function increment(counts: Record<string, number>, key: string): void {
  counts[key] = (counts[key] ?? 0) + 1;
}
