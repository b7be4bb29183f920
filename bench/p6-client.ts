/**
 * One process of P6's measuring client (forked with an IPC channel by bench/p6.ts): wsprobe's soak
 * holding its share of the connections, with its own event loop measured by monitorEventLoopDelay.
 * Times are wall-clock ms (performance.timeOrigin + performance.now()), so that the parent can merge
 * every process's drops and reconnect attempts on one axis.
 */
import { monitorEventLoopDelay, performance } from "node:perf_hooks";
import { runSoak, type ClientEvent } from "../probe";
import type { ProcessPhase } from "./lib/clientFleet";

export interface FleetSoak {
  url: string;
  caFile: string;
  connections: number;
  heartbeatMs: number;
  rampPerSecond: number;
}

export type FleetRequest =
  /** Open and hold the connections; progress follows every PROGRESS_MS. */
  | { op: "soak"; soak: FleetSoak }
  /** A phase begins: figures from here on. */
  | { op: "mark" }
  /** The phase's figures since the last mark. */
  | { op: "phase" }
  /** End the soak (its echoes in flight are awaited) and send the report. */
  | { op: "stop" };

export type FleetMessage =
  | { type: "progress"; open: number; drops: number; exhausted: number }
  | ({ type: "phase"; reconnects: number; resumed: number } & ProcessPhase)
  | { type: "report"; openAtEnd: number; exhausted: number; drops: number; lostMessages: number }
  | { type: "error"; message: string };

const PROGRESS_MS = 100;
// Samples every 10 ms: a late timer shows as a delay above that.
const loopDelay = monitorEventLoopDelay({ resolution: 10 });
const abort = new AbortController();
const events: ClientEvent[] = [];
let markAt = 0;
let soak: ReturnType<typeof runSoak> | undefined;

const send = (m: FleetMessage) => {
  if (process.connected) process.send?.(m);
};
const wallMs = (atMs: number) => performance.timeOrigin + atMs;

function phase(): FleetMessage {
  const since = events.slice(markAt);
  const opened = since.filter((e): e is Extract<ClientEvent, { type: "opened" }> => e.type === "opened");
  const figures: FleetMessage = {
    type: "phase",
    dropsAtMs: since.filter((e) => e.type === "dropped").map((e) => wallMs(e.atMs)),
    arrivalsAtMs: since.filter((e) => e.type === "reconnecting").map((e) => wallMs(e.atMs)),
    reconnects: opened.length,
    resumed: opened.filter((e) => e.tlsResumed).length,
    loopDelayMs: { p99: loopDelay.percentile(99) / 1e6, max: loopDelay.max / 1e6 },
  };
  loopDelay.reset();
  return figures;
}

function start(o: FleetSoak): void {
  loopDelay.enable();
  soak = runSoak({
    url: o.url,
    caFile: o.caFile,
    durationMs: 24 * 3600_000,
    connections: o.connections,
    heartbeatMs: o.heartbeatMs,
    // HAProxy's idle timer is 60 s: only a reload ends a connection, however late the client's pongs.
    maxMissedHeartbeats: Math.max(2, Math.floor(59_000 / o.heartbeatMs)),
    message: '{"seq":{seq}}',
    echo: true,
    backoff: { initialMs: 100, maxMs: 1000, maxAttempts: 10, jitter: false },
    rampPerSecond: o.rampPerSecond,
    handshakeTimeoutMs: 60_000,
    reuseTlsSessions: true,
    signal: abort.signal,
    progressIntervalMs: PROGRESS_MS,
    onProgress: (p) => send({ type: "progress", open: p.open, drops: p.drops, exhausted: p.exhausted }),
    onClientEvent: (e) => events.push(e),
  });
  soak.catch((e: Error) => send({ type: "error", message: String(e?.message ?? e) }));
}

async function stop(): Promise<void> {
  abort.abort();
  const report = await soak;
  if (!report) throw new Error("stop before soak");
  const message: FleetMessage = {
    type: "report",
    openAtEnd: report.connections.openAtEnd,
    exhausted: report.connections.exhausted,
    drops: report.drops.total,
    lostMessages: (report.echo?.gaps ?? 0) + (report.echo?.outOfOrder ?? 0),
  };
  // Let go of the channel once the report is written.
  await new Promise<void>((resolve) => process.send?.(message, undefined, undefined, () => resolve()));
}

process.on("message", (r: FleetRequest) => {
  if (r.op === "soak") start(r.soak);
  else if (r.op === "mark") {
    markAt = events.length;
    loopDelay.reset();
  } else if (r.op === "phase") send(phase());
  else if (r.op === "stop")
    stop().then(
      () => process.disconnect(),
      (e: Error) => send({ type: "error", message: String(e?.message ?? e) }),
    );
});
// The bench died or let go of this process: its connections must not outlive it.
process.on("disconnect", () => process.exit(0));
process.on("error", () => process.exit(1));
