import type { BackoffProfile } from "./backoff";
import type { DropCause } from "./drop";
import type { Percentiles } from "./histogram";

export interface AttemptStats {
  /** 1-based attempt number since the last successful open. */
  attempt: number;
  count: number;
  /** The delay the profile gave (equal for every client without jitter). */
  plannedMs: { min: number; max: number };
  /** The delay actually observed, from the drop/failure to the start of the attempt. */
  waitedMs: { min: number; max: number };
}

export interface TimelinePoint {
  /** Window end, ms since the start. */
  tMs: number;
  open: number;
  drops: number;
  rttCount: number;
  rttP50Ms: number;
  rttP99Ms: number;
  rttMaxMs: number;
}

export interface EchoStats {
  sent: number;
  received: number;
  /** Echoes missing while the connection stayed up (a later echo arrived, or the connection outlived the run). */
  gaps: number;
  /** Messages unanswered when their connection died: lost with the connection, not gaps. */
  lostWithConnection: number;
  outOfOrder: number;
  /** Messages that did not match the template (server pushes, other traffic). */
  unmatched: number;
}

export interface SoakReport {
  url: string;
  startedAt: string;
  durationMs: number;
  endedBy: "duration" | "signal" | "exhausted";
  config: {
    connections: number;
    heartbeatMs: number;
    maxMissedHeartbeats: number;
    backoff: BackoffProfile & { scheduleMs: number[] };
    rampPerSecond: number;
    message: string | null;
    echo: boolean;
    perMessageDeflate: boolean;
  };
  connections: {
    target: number;
    openAtEnd: number;
    /** Successful opens, first connections and reconnections. */
    opens: number;
    failedAttempts: number;
    failedAttemptsByCause: Record<string, number>;
    /** Clients that gave up after the last attempt of the profile. */
    exhausted: number;
  };
  handshakeMs: Percentiles;
  /**
   * TLS handshakes of every open (first connections and reconnects): resumed sessions and full
   * handshakes; null for ws://. With session reuse on, a reconnect to a server that shares its
   * ticket keys is resumed.
   */
  tls: { reuseSessions: boolean; resumed: number; full: number } | null;
  rttMs: Percentiles;
  /** Lifetimes of the connections that dropped (the ones still open at the end are not included). */
  lifetimesMs: Percentiles;
  drops: {
    total: number;
    byCode: Record<string, number>;
    byCause: Record<DropCause, number>;
    byDetail: Record<string, number>;
  };
  reconnects: { attempts: number; byAttempt: AttemptStats[] };
  echo: EchoStats | null;
  timeline: TimelinePoint[];
  /** Dropped-connection lifetimes for the chart (the first 20,000). */
  lifetimeSamplesMs: number[];
}
