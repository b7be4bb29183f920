import { performance } from "node:perf_hooks";
import { type BackoffProfile, backoffSchedule, IOS_BACKOFF } from "./backoff";
import { type ClientSink, ProbeClient } from "./client";
import { type ConnectOptions, wsClientOptions } from "./connectOptions";
import { DEFAULT_MAX_MISSED_HEARTBEATS } from "./drop";
import type { SoakReport } from "./report";
import { SoakStats } from "./soakStats";
import { compileTemplate } from "./template";
import { UsageError } from "./usage";

export interface SoakOptions extends ConnectOptions {
  url: string;
  durationMs: number;
  connections: number;
  /** 0 disables heartbeats (to see idle timeouts). */
  heartbeatMs: number;
  maxMissedHeartbeats?: number;
  backoff?: Partial<BackoffProfile>;
  /** New connections per second while ramping up. Default 1000. */
  rampPerSecond?: number;
  /** App heartbeat template ({seq}, {conn}, {ts}). */
  message?: string;
  /** The server echoes `message`: count sequence gaps and take the RTT from the echo. */
  echo?: boolean;
  /** Width of a timeline point. Default: max(1 s, heartbeat, duration / 500). */
  timelineWindowMs?: number;
  /** Aborting ends the soak early; the report covers what happened so far. */
  signal?: AbortSignal;
  onProgress?: (progress: SoakProgress) => void;
  progressIntervalMs?: number;
  random?: () => number;
  /**
   * Keep each connection's TLS session and offer it on reconnect (a real client does). Default true;
   * the report counts resumed and full handshakes.
   */
  reuseTlsSessions?: boolean;
  /** Every client event as it happens (tests and the bench time reconnect arrivals with it). */
  onClientEvent?: (event: ClientEvent) => void;
}

/** One client's event, timed by performance.now(). */
export type ClientEvent =
  | { type: "opened"; client: number; atMs: number; handshakeMs: number; tlsResumed?: boolean }
  | { type: "dropped"; client: number; atMs: number; code: number }
  | { type: "reconnecting"; client: number; atMs: number; attempt: number };

export interface SoakProgress {
  elapsedMs: number;
  target: number;
  open: number;
  /** Connecting, or waiting for a reconnect attempt. */
  reconnecting: number;
  exhausted: number;
  drops: number;
  rttP50Ms: number;
  rttP99Ms: number;
}

const RAMP_TICK_MS = 10;
const ECHO_DRAIN_MAX_MS = 5000;

/** Validates options that a caller (CLI or code) could get wrong; throws an Error naming the option. */
export function validateSoakOptions(o: SoakOptions): void {
  if (!Number.isInteger(o.connections) || o.connections < 1)
    throw new UsageError(`connections must be a whole number >= 1 (got ${o.connections})`);
  if (!(o.durationMs > 0)) throw new UsageError(`duration must be > 0 (got ${o.durationMs}ms)`);
  if (!(o.heartbeatMs >= 0)) throw new UsageError(`heartbeat must be >= 0 (got ${o.heartbeatMs}ms)`);
  if (o.echo && !o.message?.includes("{seq}"))
    throw new UsageError(
      `--echo needs a --message template carrying {seq}, e.g. '{"type":"ping","seq":{seq}}'`,
    );
  if (o.echo && !(o.heartbeatMs > 0)) throw new UsageError("--echo needs a heartbeat > 0 to send messages");
  const max = o.maxMissedHeartbeats ?? DEFAULT_MAX_MISSED_HEARTBEATS;
  if (!Number.isInteger(max) || max < 1)
    throw new UsageError(`maxMissedHeartbeats must be a whole number >= 1 (got ${max})`);
}

/** Holds `connections` clients for `durationMs` and reports what happened to them. */
export async function runSoak(options: SoakOptions): Promise<SoakReport> {
  validateSoakOptions(options);
  const backoff: BackoffProfile = { ...IOS_BACKOFF, ...options.backoff };
  const maxMissedHeartbeats = options.maxMissedHeartbeats ?? DEFAULT_MAX_MISSED_HEARTBEATS;
  const rampPerSecond = options.rampPerSecond ?? 1000;
  const windowMs =
    options.timelineWindowMs ?? Math.max(1000, options.heartbeatMs, Math.ceil(options.durationMs / 500));
  const stats = new SoakStats();
  const config = {
    url: options.url,
    wsOptions: wsClientOptions(options),
    heartbeatMs: options.heartbeatMs,
    maxMissedHeartbeats,
    backoff,
    message: options.message ? compileTemplate(options.message) : undefined,
    echo: options.echo ?? false,
    random: options.random,
    reuseTlsSessions: options.reuseTlsSessions ?? true,
  };
  const clients: ProbeClient[] = [];
  const startedAt = new Date();
  const t0 = performance.now();
  const elapsed = () => performance.now() - t0;

  const ramp = setInterval(openDue, RAMP_TICK_MS);
  function openDue(): void {
    const due = Math.min(options.connections, Math.max(1, Math.ceil((elapsed() / 1000) * rampPerSecond)));
    while (clients.length < due) {
      const id = clients.length;
      const client = new ProbeClient(
        id,
        config,
        options.onClientEvent ? tap(stats, id, options.onClientEvent) : stats,
      );
      clients.push(client);
      client.start();
    }
    if (clients.length === options.connections) clearInterval(ramp);
  }
  openDue();

  const window = setInterval(() => stats.tick(elapsed()), windowMs);
  const progress = () =>
    options.onProgress?.({
      elapsedMs: elapsed(),
      target: options.connections,
      open: stats.open,
      reconnecting: clients.length - stats.open - stats.exhaustedClients,
      exhausted: stats.exhaustedClients,
      drops: stats.drops,
      rttP50Ms: stats.rttMs.percentile(50),
      rttP99Ms: stats.rttMs.percentile(99),
    });
  const progressTimer = options.onProgress
    ? setInterval(progress, options.progressIntervalMs ?? 250)
    : undefined;

  const endedBy = await new Promise<SoakReport["endedBy"]>((resolve) => {
    const timer = setTimeout(() => finish("duration"), options.durationMs);
    const watch = setInterval(() => {
      if (stats.exhaustedClients === options.connections) finish("exhausted");
    }, 50);
    const onAbort = () => finish("signal");
    options.signal?.addEventListener("abort", onAbort);
    if (options.signal?.aborted) onAbort();
    function finish(reason: SoakReport["endedBy"]): void {
      clearTimeout(timer);
      clearInterval(watch);
      options.signal?.removeEventListener("abort", onAbort);
      resolve(reason);
    }
  });
  const durationMs = elapsed();
  clearInterval(ramp);
  clearInterval(window);
  if (progressTimer) clearInterval(progressTimer);
  progress();

  if (config.echo)
    await drainEchoes(clients, Math.min(ECHO_DRAIN_MAX_MS, Math.max(options.heartbeatMs, 500)));
  stats.tick(durationMs);
  const report = buildReport(options, stats, {
    startedAt,
    durationMs,
    endedBy,
    backoff,
    maxMissedHeartbeats,
    rampPerSecond,
  });
  await Promise.all(clients.map((c) => c.stop()));
  return report;
}

/** The stats sink, with every open, drop and reconnect attempt also told to `onEvent`. */
function tap(stats: SoakStats, client: number, onEvent: (event: ClientEvent) => void): ClientSink {
  return {
    opened: (handshakeMs, tlsResumed) => {
      stats.opened(handshakeMs, tlsResumed);
      onEvent({ type: "opened", client, atMs: performance.now(), handshakeMs, tlsResumed });
    },
    rtt: (ms) => stats.rtt(ms),
    dropped: (drop) => {
      stats.dropped(drop);
      onEvent({ type: "dropped", client, atMs: performance.now(), code: drop.code });
    },
    attemptFailed: (failure) => stats.attemptFailed(failure),
    reconnecting: (attempt, plannedMs, waitedMs) => {
      stats.reconnecting(attempt, plannedMs, waitedMs);
      onEvent({ type: "reconnecting", client, atMs: performance.now(), attempt });
    },
    exhausted: () => stats.exhausted(),
    echo: (event, count) => stats.echo(event, count),
  };
}

/** Stops sending, waits for the echoes in flight, and counts the ones that never came as gaps. */
async function drainEchoes(clients: ProbeClient[], maxWaitMs: number): Promise<void> {
  for (const c of clients) c.stopSending();
  const deadline = performance.now() + maxWaitMs;
  while (performance.now() < deadline && clients.some((c) => c.outstandingEchoes > 0)) {
    await new Promise((r) => setTimeout(r, 20));
  }
  for (const c of clients) c.settleEchoes();
}

function buildReport(
  o: SoakOptions,
  s: SoakStats,
  run: {
    startedAt: Date;
    durationMs: number;
    endedBy: SoakReport["endedBy"];
    backoff: BackoffProfile;
    maxMissedHeartbeats: number;
    rampPerSecond: number;
  },
): SoakReport {
  return {
    url: o.url,
    startedAt: run.startedAt.toISOString(),
    durationMs: Math.round(run.durationMs),
    endedBy: run.endedBy,
    config: {
      connections: o.connections,
      heartbeatMs: o.heartbeatMs,
      maxMissedHeartbeats: run.maxMissedHeartbeats,
      backoff: { ...run.backoff, scheduleMs: backoffSchedule(run.backoff) },
      rampPerSecond: run.rampPerSecond,
      message: o.message ?? null,
      echo: o.echo ?? false,
      perMessageDeflate: o.perMessageDeflate ?? false,
    },
    connections: {
      target: o.connections,
      openAtEnd: s.open,
      opens: s.opens,
      failedAttempts: s.failedAttempts,
      failedAttemptsByCause: s.failedByCause,
      exhausted: s.exhaustedClients,
    },
    handshakeMs: s.handshakeMs.summary(),
    tls: /^wss:/i.test(o.url)
      ? { reuseSessions: o.reuseTlsSessions ?? true, resumed: s.tls.resumed, full: s.tls.full }
      : null,
    rttMs: s.rttMs.summary(),
    lifetimesMs: s.lifetimesMs.summary(),
    drops: { total: s.drops, byCode: s.dropsByCode, byCause: s.dropsByCause, byDetail: s.dropsByDetail },
    reconnects: { attempts: s.reconnectAttempts, byAttempt: s.byAttempt() },
    echo: o.echo || o.message ? s.echoStats : null,
    timeline: s.timeline,
    lifetimeSamplesMs: s.lifetimeSamplesMs,
  };
}
