import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";
import type { ClientSink } from "./client";
import type { Drop } from "./drop";
import type { Failure } from "./failure";

/** Lifetime buckets up to a day; the expected and the short lifetime are added so alerts can compare exactly. */
export const LIFETIME_BUCKETS_SECONDS = [
  1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 7200, 14400, 43200, 86400,
];
export const RTT_BUCKETS_SECONDS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/** The default buckets plus each given lifetime (seconds > 0) as a boundary of its own. */
export function lifetimeBuckets(...extraSeconds: (number | undefined)[]): number[] {
  const all = new Set(LIFETIME_BUCKETS_SECONDS);
  for (const s of extraSeconds) if (s && s > 0) all.add(s);
  return [...all].sort((a, b) => a - b);
}

export interface ProbeMetricsOptions {
  /** The lifetime the path promises: a bucket boundary, for dashboards. */
  expectedMinLifetimeSeconds?: number;
  /** Drops at or below this lifetime are short (the `WsProbeShortLifetimes` alert): a bucket boundary. */
  shortLifetimeSeconds?: number;
  /** Node process metrics (memory, CPU, event loop lag). */
  defaultMetrics?: boolean;
}

/** The monitor's metrics, in their own registry (several monitors can live in one process, e.g. in tests). */
export class ProbeMetrics implements ClientSink {
  readonly registry = new Registry();
  readonly up: Gauge;
  readonly connectionDuration: Histogram;
  readonly drops: Counter<"code" | "cause">;
  readonly reconnects: Counter;
  readonly connectFailures: Counter<"cause">;
  readonly rttSeconds: Histogram;
  private open = 0;

  constructor(options: ProbeMetricsOptions = {}) {
    const registers = [this.registry];
    this.up = new Gauge({
      name: "wsprobe_up",
      help: "Connections currently open (1 per healthy connection; 0 means the endpoint is unreachable).",
      registers,
    });
    this.connectionDuration = new Histogram({
      name: "wsprobe_connection_duration_seconds",
      help: "Lifetime of each connection, observed when it drops.",
      buckets: lifetimeBuckets(options.expectedMinLifetimeSeconds, options.shortLifetimeSeconds),
      registers,
    });
    this.drops = new Counter({
      name: "wsprobe_drops_total",
      help: "Connections that ended without the probe closing them, by close code and cause (server_close, pong_timeout, socket_error, connection_lost).",
      labelNames: ["code", "cause"],
      registers,
    });
    this.reconnects = new Counter({
      name: "wsprobe_reconnects_total",
      help: "Reconnect attempts made under the backoff profile.",
      registers,
    });
    this.connectFailures = new Counter({
      name: "wsprobe_connect_failures_total",
      help: "Connection attempts that failed before the WebSocket opened, by cause (refused, tls, http_403, timeout, ...).",
      labelNames: ["cause"],
      registers,
    });
    this.rttSeconds = new Histogram({
      name: "wsprobe_rtt_seconds",
      help: "Heartbeat round trip time (ping/pong or app echo).",
      buckets: RTT_BUCKETS_SECONDS,
      registers,
    });
    this.up.set(0);
    this.reconnects.inc(0);
    if (options.defaultMetrics) collectDefaultMetrics({ register: this.registry });
  }

  opened(): void {
    this.up.set(++this.open);
  }

  rtt(ms: number): void {
    this.rttSeconds.observe(ms / 1000);
  }

  dropped(drop: Drop): void {
    this.up.set(--this.open);
    this.connectionDuration.observe(drop.lifetimeMs / 1000);
    this.drops.inc({ code: String(drop.code), cause: drop.cause });
  }

  attemptFailed(failure: Failure): void {
    this.connectFailures.inc({ cause: failure.label });
  }

  reconnecting(): void {
    this.reconnects.inc();
  }

  exhausted(): void {}

  echo(): void {}
}
