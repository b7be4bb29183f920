/**
 * P2: wsprobe's own capacity and accuracy. The bundled CLI (dist/bundle/wsprobe.js, what users and
 * the WsMonitor run) soaks a `ws` echo server running in its own process; a sampler reads the
 * probe's VmRSS and CPU from /proc once a second. Memory per connection is
 * (steady RSS at N - steady RSS at 1) / (N - 1), steady = the median over the second half of the
 * run (after the ramp). Then, in the same run and with the same connections, heartbeat and
 * duration, the bare `ws` reference loop (bench/p2-reference.ts) measures the RTT that wsprobe's
 * p50 is compared with. The echo server never closes a connection, so every drop is a false drop.
 * (This is where test/probe/bench/soak-memory.ts's measurement now lives.)
 */
import { spawn } from "node:child_process";
import * as path from "node:path";
import { echoServerPorts, machineLoad, nodeTs, ROOT, sampler, start, Running } from "./lib/proc";
import { median } from "./lib/stats";

export const WSPROBE_BUNDLE = path.join(ROOT, "dist/bundle/wsprobe.js");

export interface P2Options {
  levels: number[];
  durationMs: number;
  baselineDurationMs: number;
  heartbeatMs: number;
  log: (line: string) => void;
}

export interface SoakRun {
  connections: number;
  steadyRssKb: number;
  peakRssKb: number;
  cpuCores: number;
  report: SoakReportLite;
}

/** The parts of wsprobe's JSON report the bench reads (probe/report.ts has the whole shape). */
export interface SoakReportLite {
  durationMs: number;
  connections: {
    target: number;
    openAtEnd: number;
    opens: number;
    failedAttempts: number;
    exhausted: number;
  };
  handshakeMs: { count: number; p50: number; p99: number };
  rttMs: { count: number; p50: number; p99: number; max: number };
  drops: { total: number; byCause: Record<string, number> };
}

export interface ReferenceRun {
  connections: number;
  opened: number;
  openAtEnd: number;
  failed: number;
  drops: number;
  rtt: { count: number; p50: number; p99: number; max: number };
}

export interface P2Level {
  connections: number;
  soak: SoakRun;
  reference: ReferenceRun;
  bytesPerConn: number;
  kbPerConn: number;
  falseDrops: number;
  p50ErrorPct: number;
  load1: number;
}

export interface P2Result {
  options: Omit<P2Options, "log">;
  baseline: SoakRun;
  levels: P2Level[];
  serverCloses: number;
}

/** Runs `wsprobe soak` (the bundle) with `connections` and samples its RSS/CPU. */
export async function soak(url: string, connections: number, durationMs: number, heartbeatMs: number) {
  const child = spawn(
    process.execPath,
    [
      WSPROBE_BUNDLE,
      "soak",
      url,
      "--duration",
      `${durationMs}ms`,
      "--connections",
      String(connections),
      "--heartbeat",
      `${heartbeatMs}ms`,
      "--json",
      "-",
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let out = "";
  let err = "";
  child.stdout.on("data", (d) => (out += d));
  child.stderr.on("data", (d) => (err = (err + d).slice(-8192)));
  const s = sampler(() => [child.pid as number]);
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  const samples = s.stop().filter((x) => x.rssKb > 0);
  if (code !== 0) throw new Error(`wsprobe soak exited ${code}:\n${err}`);
  const endMs = samples[samples.length - 1].tMs;
  const steady = samples.filter((x) => x.tMs > endMs / 2);
  const first = steady[0];
  const last = steady[steady.length - 1];
  return {
    connections,
    steadyRssKb: median(steady.map((x) => x.rssKb)),
    peakRssKb: Math.max(...samples.map((x) => x.rssKb)),
    cpuCores: last.tMs > first.tMs ? (last.cpuS - first.cpuS) / ((last.tMs - first.tMs) / 1000) : NaN,
    report: JSON.parse(out) as SoakReportLite,
  };
}

async function reference(url: string, connections: number, durationMs: number, heartbeatMs: number) {
  const r = start(
    process.execPath,
    nodeTs(path.join(__dirname, "p2-reference.ts"), [
      url,
      String(connections),
      String(durationMs),
      String(heartbeatMs),
    ]),
  );
  const code = await new Promise<number | null>((resolve) => r.child.on("close", resolve));
  const line = r.output().trim().split("\n").pop() ?? "";
  if (code !== 0 || !line.startsWith("{")) throw new Error(`reference client exited ${code}:\n${r.output()}`);
  return JSON.parse(line) as ReferenceRun;
}

/** Starts bench/echo-server.ts (plain ws://) and returns its URL. */
export async function startEchoServer(): Promise<{ running: Running; url: string }> {
  const running = start(process.execPath, nodeTs(path.join(__dirname, "echo-server.ts")));
  return { running, url: `ws://127.0.0.1:${(await echoServerPorts(running)).ws}/ws` };
}

export async function runP2(o: P2Options): Promise<P2Result> {
  const echo = await startEchoServer();
  try {
    o.log(`P2: echo server ${echo.url} (pid ${echo.running.pid}); baseline soak with 1 connection`);
    const baseline = await soak(echo.url, 1, o.baselineDurationMs, o.heartbeatMs);
    o.log(`  baseline: ${(baseline.steadyRssKb / 1024).toFixed(1)} MiB RSS`);
    const levels: P2Level[] = [];
    for (const n of o.levels) {
      const load1 = machineLoad().load1;
      const s = await soak(echo.url, n, o.durationMs, o.heartbeatMs);
      const ref = await reference(echo.url, n, o.durationMs, o.heartbeatMs);
      const bytesPerConn = ((s.steadyRssKb - baseline.steadyRssKb) * 1024) / (n - 1);
      const level: P2Level = {
        connections: n,
        soak: s,
        reference: ref,
        bytesPerConn,
        kbPerConn: bytesPerConn / 1024,
        falseDrops: s.report.drops.total,
        p50ErrorPct: ((s.report.rttMs.p50 - ref.rtt.p50) / ref.rtt.p50) * 100,
        load1,
      };
      levels.push(level);
      o.log(
        `  ${n} connections: open at end ${s.report.connections.openAtEnd}, drops ${s.report.drops.total}, ` +
          `RSS ${(s.steadyRssKb / 1024).toFixed(1)} MiB (${level.kbPerConn.toFixed(2)} KiB/conn), ` +
          `CPU ${s.cpuCores.toFixed(3)} cores, p50 ${s.report.rttMs.p50.toFixed(3)} ms vs reference ` +
          `${ref.rtt.p50.toFixed(3)} ms (${level.p50ErrorPct.toFixed(1)}%)`,
      );
    }
    await echo.running.stop();
    const closes = /"serverCloses":(\d+)/.exec(echo.running.output());
    return {
      options: {
        levels: o.levels,
        durationMs: o.durationMs,
        baselineDurationMs: o.baselineDurationMs,
        heartbeatMs: o.heartbeatMs,
      },
      baseline,
      levels,
      serverCloses: closes ? Number(closes[1]) : 0,
    };
  } finally {
    await echo.running.stop();
  }
}
