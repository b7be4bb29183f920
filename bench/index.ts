/**
 * `npm run bench` (full: minutes) and `npm run bench -- --quick` (reduced: under a minute, P3 aside).
 * P1: the generated HAProxy TLS tier on the data path (bench/p1.ts). P2: wsprobe's own capacity
 * and accuracy (bench/p2.ts). P3: the timing figures of the timing tests, held to the strict goals
 * the tests leave to an idle machine (bench/p3.ts). P4: a paced drain of the HAProxy tier (bench/p4.ts).
 * P5: `pulumi preview` of the stacks against a baseline program (bench/p5.ts). incluster: the L4 path
 * on the real node (bench/incluster.ts). P6: P4's paced drain at full size with the client spread
 * over processes (bench/p6.ts). Prints progress, a table, and as its LAST line one JSON object.
 * Everything listens on 127.0.0.1, or (incluster) inside the network namespace the run creates.
 * See bench/README.md.
 */
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { Command } from "commander";
import { HAPROXY_BIN, NGINX_BIN, runP1 } from "./p1";
import { runP2, WSPROBE_BUNDLE } from "./p2";
import { runP3 } from "./p3";
import { runP4 } from "./p4";
import { p5Missing, runP5 } from "./p5";
import { inclusterMissing, runIncluster } from "./incluster";
import { runP6 } from "./p6";
import { processesFor } from "./lib/clientFleet";
import { BENCH_PARTS, BenchPart, missingPrerequisites } from "./lib/prerequisites";
import { DRAIN_HEADROOM, drainMaxconn } from "../support/drainScenario";
import { machineLoad, openFilesLimit, ROOT } from "./lib/proc";
import {
  PartReport,
  reportIncluster,
  reportP1,
  reportP2,
  reportP3,
  reportP4,
  reportP5,
  reportP6,
  runPart,
} from "./lib/report";
import { round } from "./lib/stats";

const WANTED_NOFILE = 65536;
/** P6: the share of one client process (9,400 at a 20,000 open-files limit: 19 processes). */
const CONNECTIONS_PER_CLIENT_PROCESS = 500;

const program = new Command()
  .name("bench")
  .option("--quick", "reduced run: 1k connections, short rounds (< 60 s)")
  .option("--only <part>", "p1, p2, p3, p4, p5, p6 or incluster")
  .option("--rounds <n>", "P1 interleaved rounds", Number)
  .option("--levels <list>", "P2 connection counts, comma-separated", (v) => v.split(",").map(Number))
  .option("--duration <seconds>", "P2 seconds per soak (and per reference run)", Number)
  .option("--client-processes <n>", "P6: client processes (default: one per 500 connections)", Number)
  .option("--pin", "P1: load generator on CPU 0, echo server and proxies on CPU 1 (taskset)")
  .option(
    "--memory-concurrency <n>",
    "P1 memory: connections opened at once (default 50; the connection count = a reconnect storm)",
    Number,
  )
  .option(
    "--haproxy-global <line>",
    "tuning experiments only: add a line to HAProxy's global section (repeatable)",
    (v: string, acc: string[]) => acc.concat([v]),
    [] as string[],
  )
  .parse();
const opts = program.opts<{
  quick?: boolean;
  only?: string;
  rounds?: number;
  levels?: number[];
  duration?: number;
  haproxyGlobal: string[];
  pin?: boolean;
  memoryConcurrency?: number;
  clientProcesses?: number;
}>();

/** Re-runs this process under `ulimit -n` raised as far as the hard limit allows (children inherit it). */
function ensureOpenFiles(): void {
  const { soft, hard } = openFilesLimit();
  const target = Math.min(WANTED_NOFILE, hard);
  if (soft >= target || process.env.BENCH_NOFILE_RAISED) return;
  const r = spawnSync(
    "bash",
    [
      "-c",
      `ulimit -n ${target} && exec "$0" "$@"`,
      process.execPath,
      ...process.execArgv,
      ...process.argv.slice(1),
    ],
    { stdio: "inherit", env: { ...process.env, BENCH_NOFILE_RAISED: "1" } },
  );
  process.exit(r.status ?? 1);
}

function version(cmd: string, args: string[]): string {
  try {
    const r = spawnSync(cmd, args, { encoding: "utf8" });
    return (r.stdout + r.stderr).split("\n")[0].trim();
  } catch {
    return "missing";
  }
}

/** Rebuilds the wsprobe bundle when it is missing or older than probe/. */
function ensureBundle(): void {
  const probeDir = path.join(ROOT, "probe");
  const newest = Math.max(
    ...fs.readdirSync(probeDir).map((f) => fs.statSync(path.join(probeDir, f)).mtimeMs),
  );
  if (fs.existsSync(WSPROBE_BUNDLE) && fs.statSync(WSPROBE_BUNDLE).mtimeMs >= newest) return;
  log("building dist/bundle/wsprobe.js (node scripts/bundle.js wsprobe)");
  execFileSync(process.execPath, [path.join(ROOT, "scripts/bundle.js"), "wsprobe"], { stdio: "inherit" });
}

/** Rebuilds the drain driver's bundle (small, so always) from components/l4/haproxy/drainDriver.ts. */
function bundleDriver(): void {
  execFileSync(process.execPath, [path.join(ROOT, "scripts/bundle.js"), "haproxy-drain"], {
    stdio: "inherit",
  });
}

/** An absolute path exists and is executable, or a bare name is an executable on PATH. */
function programFound(file: string): boolean {
  const candidates = path.isAbsolute(file)
    ? [file]
    : (process.env.PATH ?? "").split(path.delimiter).map((dir) => path.join(dir, file));
  return candidates.some((f) => {
    try {
      fs.accessSync(f, fs.constants.X_OK);
      return fs.statSync(f).isFile();
    } catch {
      return false;
    }
  });
}

function wsVersion(): string {
  return JSON.parse(fs.readFileSync(require.resolve("ws/package.json"), "utf8")).version;
}

function log(line: string): void {
  console.log(line);
}

async function main(): Promise<void> {
  ensureOpenFiles();
  const started = Date.now();
  const quick = !!opts.quick;
  const limit = openFilesLimit();
  const load0 = machineLoad();
  log(
    `bench (${quick ? "quick" : "full"}): node ${process.version}, ${version(HAPROXY_BIN, ["-v"])}, ` +
      `${version(NGINX_BIN, ["-v"])}, ws ${wsVersion()}; ${load0.cpus} CPUs, ` +
      `load ${load0.load1}; open files ${limit.soft}` +
      (limit.soft < WANTED_NOFILE ? ` (could not raise to ${WANTED_NOFILE}: hard limit ${limit.hard})` : ""),
  );
  if (opts.haproxyGlobal.length > 0)
    log(`NOTE: HAProxy runs with extra global lines (a tuning experiment): ${opts.haproxyGlobal.join("; ")}`);
  if (opts.only !== undefined && !(BENCH_PARTS as readonly string[]).includes(opts.only))
    throw new Error(`--only takes ${BENCH_PARTS.join(", ")} (got "${opts.only}")`);
  const parts = BENCH_PARTS.filter((p) => opts.only === undefined || opts.only === p);
  const missing = missingPrerequisites(parts, programFound, {
    p5: parts.includes("p5") ? p5Missing() : undefined,
    incluster: parts.includes("incluster") ? inclusterMissing() : undefined,
  });
  if (missing !== undefined) {
    console.error(missing);
    process.exit(2);
  }
  // P4: 10,000 connections (1000 quick) drained over 40 s (8 s quick); hard-stop-after 10 s later.
  // An HAProxy worker holds two descriptors per connection, and the scenario's other handshakes need
  // room beside the N: fewer connections when the limit is lower.
  const p4Connections = Math.min(quick ? 1000 : 10000, drainMaxconn(limit.soft) - DRAIN_HEADROOM);
  const p4 = quick
    ? { connections: p4Connections, windowSeconds: 8, hardStopAfterSeconds: 12, fdLimit: limit.soft }
    : { connections: p4Connections, windowSeconds: 40, hardStopAfterSeconds: 50, fdLimit: limit.soft };
  const p2Levels = opts.levels ?? (quick ? [1000] : [1000, 5000, 10000]);
  const needed = Math.max(
    parts.includes("p2") ? Math.max(...p2Levels) : 0,
    parts.includes("p1") ? (quick ? 1000 : 5000) * 2 : 0,
    parts.includes("p3") ? 2000 : 0,
    // An HAProxy worker's two sides of every connection.
    parts.includes("p4") || parts.includes("p6") ? 2 * p4.connections : 0,
  );
  if (limit.soft < needed + 100)
    throw new Error(`open-files limit ${limit.soft} is below the ${needed + 100} this run needs (ulimit -n)`);

  const reports: PartReport[] = [];
  const part = async (name: BenchPart, run: () => Promise<PartReport>) =>
    reports.push(await runPart(name, run, log, () => machineLoad().load1));

  if (parts.includes("p1"))
    await part("p1", async () =>
      reportP1(
        await runP1({
          rounds: opts.rounds ?? (quick ? 3 : 7),
          rttConnections: 4,
          rttMessages: quick ? 1000 : 4000,
          payloadBytes: 128,
          handshakes: quick ? 50 : 200,
          memoryConnections: quick ? 1000 : 5000,
          memoryConcurrency: opts.memoryConcurrency ?? 50,
          haproxyGlobal: opts.haproxyGlobal,
          pin: !!opts.pin,
          log,
        }),
      ),
    );
  if (parts.includes("p2"))
    await part("p2", async () => {
      ensureBundle();
      const p2 = await runP2({
        levels: p2Levels,
        durationMs: (opts.duration ?? (quick ? 10 : 60)) * 1000,
        baselineDurationMs: quick ? 5000 : 20000,
        heartbeatMs: 5000,
        log,
      });
      return reportP2(p2, quick);
    });
  if (parts.includes("p3")) await part("p3", async () => reportP3(await runP3({ log }), load0.cpus));
  if (parts.includes("p4") || parts.includes("p6")) bundleDriver();
  if (parts.includes("p4")) await part("p4", async () => reportP4(await runP4({ ...p4, log })));
  if (parts.includes("p5")) await part("p5", async () => reportP5(await runP5({ runs: quick ? 1 : 5, log })));
  if (parts.includes("p6"))
    // P4's N and W; the clients split over processes, each its own event loop.
    await part("p6", async () =>
      reportP6(
        await runP6({
          haproxyBin: HAPROXY_BIN,
          connections: p4.connections,
          processes: opts.clientProcesses ?? processesFor(p4.connections, CONNECTIONS_PER_CLIENT_PROCESS),
          windowSeconds: p4.windowSeconds,
          hardStopAfterSeconds: p4.hardStopAfterSeconds,
          heartbeatMs: quick ? 1000 : 5000,
          restMs: quick ? 3000 : 10_000,
          rampPerSecond: 500,
          fdLimit: limit.soft,
          stepTimeoutMs: 600_000,
          log,
        }),
      ),
    );
  if (parts.includes("incluster"))
    await part("incluster", async () =>
      reportIncluster(
        await runIncluster({
          rounds: quick ? 2 : 5,
          messages: quick ? 200 : 1000,
          handshakeSeconds: quick ? 5 : 15,
          clientProcesses: 3,
          clientConcurrency: 8,
          log,
        }),
      ),
    );

  // The whole run's summary again, in one place, and the JSON line of every part's keys.
  const result: Record<string, unknown> = { mode: quick ? "quick" : "full" };
  log("");
  for (const r of reports) for (const t of r.tables) log(t + "\n");
  for (const r of reports) for (const g of r.goals) log(g);
  for (const r of reports) Object.assign(result, r.keys);
  Object.assign(result, {
    haproxy: version(HAPROXY_BIN, ["-v"]),
    nofile: limit.soft,
    load1_start: load0.load1,
    load1_end: machineLoad().load1,
    elapsed_s: round((Date.now() - started) / 1000, 1),
  });
  if (opts.haproxyGlobal.length > 0) result.haproxy_global_extra = opts.haproxyGlobal;
  console.log(JSON.stringify(result));
}

main().catch((e) => {
  console.error(e instanceof Error ? e.stack : e);
  process.exit(1);
});
