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
import { HAPROXY_BIN, NGINX_BIN, P1Result, runP1, VARIANTS } from "./p1";
import { P2Result, runP2, WSPROBE_BUNDLE } from "./p2";
import { P3Result, runP3 } from "./p3";
import { P4Result, runP4 } from "./p4";
import { P5_GOAL_RATIO, p5Missing, P5Result, runP5 } from "./p5";
import { inclusterMissing, inclusterReport, InclusterResult, runIncluster } from "./incluster";
import { judgeP6, p6Keys, P6Result, runP6 } from "./p6";
import { processesFor } from "./lib/clientFleet";
import { BENCH_PARTS, missingPrerequisites } from "./lib/prerequisites";
import { DRAIN_HEADROOM, drainMaxconn } from "../support/drainScenario";
import { machineLoad, openFilesLimit, ROOT } from "./lib/proc";
import { fmtSpread, round, table } from "./lib/stats";

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

const GOALS = {
  p50VsDirectWss: 1.5,
  p50VsNginx: 1.0,
  handshakeVsDirectWss: 1.3,
  haproxyKbPerConn: 5,
  p2Connections: 10000,
  p2KbPerConn: 8,
  p2P50ErrorPct: 10,
};

const mark = (ok: boolean) => (ok ? "met" : "MISSED");

function p1Table(r: P1Result): string {
  const rows = VARIANTS.map((v) => {
    const x = r.variants[v];
    const mem = v === "haproxy" ? r.memory.haproxy : v === "nginx" ? r.memory.nginx : undefined;
    return [
      v,
      fmtSpread(x.rttP50Ms),
      fmtSpread(x.rttP99Ms),
      fmtSpread(x.handshakeP50Ms, 2),
      mem ? `${mem.kbPerConn.toFixed(2)} (${mem.opened}/${mem.connections})` : "-",
    ];
  });
  return table(
    ["P1 variant", "RTT p50 ms (min-max)", "RTT p99 ms (min-max)", "handshake p50 ms", "proxy KiB/idle conn"],
    rows,
  );
}

function p2Table(r: P2Result): string {
  const rows = r.levels.map((l) => [
    String(l.connections),
    `${l.soak.report.connections.openAtEnd}`,
    (l.soak.steadyRssKb / 1024).toFixed(1),
    l.kbPerConn.toFixed(2),
    l.soak.cpuCores.toFixed(3),
    String(l.falseDrops),
    l.soak.report.rttMs.p50.toFixed(3),
    l.reference.rtt.p50.toFixed(3),
    l.p50ErrorPct.toFixed(1),
  ]);
  return table(
    [
      "P2 conns",
      "open at end",
      "RSS MiB",
      "KiB/conn",
      "CPU cores",
      "false drops",
      "wsprobe p50 ms",
      "reference p50 ms",
      "p50 err %",
    ],
    rows,
  );
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
  const runP1Part = parts.includes("p1");
  const runP2Part = parts.includes("p2");
  const runP3Part = parts.includes("p3");
  const runP4Part = parts.includes("p4");
  const runP5Part = parts.includes("p5");
  const runP6Part = parts.includes("p6");
  const runInclusterPart = parts.includes("incluster");
  // P4: 10,000 connections (1000 quick) drained over 40 s (8 s quick); hard-stop-after 10 s later.
  // An HAProxy worker holds two descriptors per connection, and the scenario's other handshakes need
  // room beside the N: fewer connections when the limit is lower.
  const p4Connections = Math.min(quick ? 1000 : 10000, drainMaxconn(limit.soft) - DRAIN_HEADROOM);
  const p4 = quick
    ? { connections: p4Connections, windowSeconds: 8, hardStopAfterSeconds: 12, fdLimit: limit.soft }
    : { connections: p4Connections, windowSeconds: 40, hardStopAfterSeconds: 50, fdLimit: limit.soft };
  const p2Levels = opts.levels ?? (quick ? [1000] : [1000, 5000, 10000]);
  const needed = Math.max(
    runP2Part ? Math.max(...p2Levels) : 0,
    runP1Part ? (quick ? 1000 : 5000) * 2 : 0,
    runP3Part ? 2000 : 0,
    // An HAProxy worker's two sides of every connection.
    runP4Part || runP6Part ? 2 * p4.connections : 0,
  );
  if (limit.soft < needed + 100)
    throw new Error(`open-files limit ${limit.soft} is below the ${needed + 100} this run needs (ulimit -n)`);

  let p1: P1Result | undefined;
  let p2: P2Result | undefined;
  let p3: P3Result | undefined;
  let p4r: P4Result | undefined;
  let p5: P5Result | undefined;
  let p6: P6Result | undefined;
  let incluster: InclusterResult | undefined;
  if (runP1Part) {
    p1 = await runP1({
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
    });
  }
  if (runP2Part) {
    ensureBundle();
    p2 = await runP2({
      levels: p2Levels,
      durationMs: (opts.duration ?? (quick ? 10 : 60)) * 1000,
      baselineDurationMs: quick ? 5000 : 20000,
      heartbeatMs: 5000,
      log,
    });
  }
  if (runP3Part) p3 = await runP3({ log });
  if (runP4Part || runP6Part) bundleDriver();
  if (runP4Part) p4r = await runP4({ ...p4, log });
  if (runP5Part) p5 = await runP5({ runs: quick ? 1 : 5, log });
  if (runP6Part)
    // P4's N and W; the clients split over processes, each its own event loop.
    p6 = await runP6({
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
    });
  if (runInclusterPart)
    incluster = await runIncluster({
      rounds: quick ? 2 : 5,
      messages: quick ? 200 : 1000,
      handshakeSeconds: quick ? 5 : 15,
      clientProcesses: 3,
      clientConcurrency: 8,
      log,
    });

  const result: Record<string, unknown> = { mode: quick ? "quick" : "full" };
  const goals: string[] = [];
  log("");
  if (p1) {
    log(p1Table(p1));
    log("");
    const hm = p1.memory.haproxy;
    Object.assign(result, {
      p1_p50_ratio_vs_direct_wss: round(p1.ratios.p50VsDirectWss),
      p1_p50_ratio_vs_nginx: round(p1.ratios.p50VsNginx),
      p1_handshake_ratio_vs_direct_wss: round(p1.ratios.handshakeVsDirectWss),
      p1_haproxy_kb_per_conn: round(hm.kbPerConn, 2),
      p1_haproxy_pool_kb_per_conn: round(hm.poolKbPerConn ?? NaN, 2),
      p1_nginx_kb_per_conn: round(p1.memory.nginx.kbPerConn, 2),
      p1_memory_connections: hm.opened,
      p1_rounds: p1.options.rounds,
      p1_pinned: p1.options.pin,
      p1_rtt_p50_ms: Object.fromEntries(VARIANTS.map((v) => [v, round(p1!.variants[v].rttP50Ms.median)])),
      p1_handshake_p50_ms: Object.fromEntries(
        VARIANTS.map((v) => [v, round(p1!.variants[v].handshakeP50Ms.median)]),
      ),
    });
    goals.push(
      `P1 HAProxy p50 / direct wss ${p1.ratios.p50VsDirectWss.toFixed(2)} (rounds ${fmtSpread(p1.ratios.p50VsDirectWssRounds, 2)}) <= ${GOALS.p50VsDirectWss}: ${mark(p1.ratios.p50VsDirectWss <= GOALS.p50VsDirectWss)}`,
      `P1 HAProxy p50 / nginx ${p1.ratios.p50VsNginx.toFixed(2)} <= ${GOALS.p50VsNginx}: ${mark(p1.ratios.p50VsNginx <= GOALS.p50VsNginx)}`,
      `P1 HAProxy handshake / direct wss ${p1.ratios.handshakeVsDirectWss.toFixed(2)} (rounds ${fmtSpread(p1.ratios.handshakeVsDirectWssRounds, 2)}) <= ${GOALS.handshakeVsDirectWss}: ${mark(p1.ratios.handshakeVsDirectWss <= GOALS.handshakeVsDirectWss)}`,
      `P1 HAProxy KiB per idle connection ${hm.kbPerConn.toFixed(2)} (its own pools ${(hm.poolKbPerConn ?? NaN).toFixed(2)}; nginx ${p1.memory.nginx.kbPerConn.toFixed(2)}) <= ${GOALS.haproxyKbPerConn}: ${mark(hm.kbPerConn <= GOALS.haproxyKbPerConn)}`,
    );
  }
  if (p2) {
    log(p2Table(p2));
    log("");
    const top = p2.levels[p2.levels.length - 1];
    const falseDrops = p2.levels.reduce((n, l) => n + l.falseDrops, 0);
    Object.assign(result, {
      p2_connections: top.soak.report.connections.openAtEnd,
      p2_rss_kb_per_conn: round(top.kbPerConn, 2),
      p2_false_drops: falseDrops,
      p2_p50_error_pct: round(top.p50ErrorPct, 1),
      p2_cpu_cores: round(top.soak.cpuCores),
      p2_rtt_p50_ms: round(top.soak.report.rttMs.p50),
      p2_reference_p50_ms: round(top.reference.rtt.p50),
      p2_levels: p2.levels.map((l) => ({
        connections: l.connections,
        kb_per_conn: round(l.kbPerConn, 2),
        false_drops: l.falseDrops,
        p50_error_pct: round(l.p50ErrorPct, 1),
      })),
    });
    goals.push(
      `P2 connections held ${top.soak.report.connections.openAtEnd} >= ${GOALS.p2Connections}: ${mark(top.soak.report.connections.openAtEnd >= GOALS.p2Connections)}${quick ? " (quick run: 1k only)" : ""}`,
      `P2 KiB per connection ${top.kbPerConn.toFixed(2)} <= ${GOALS.p2KbPerConn}: ${mark(top.kbPerConn <= GOALS.p2KbPerConn)}`,
      `P2 false drops ${falseDrops} == 0: ${mark(falseDrops === 0)}`,
      `P2 p50 error ${top.p50ErrorPct.toFixed(1)}% within ${GOALS.p2P50ErrorPct}%: ${mark(Math.abs(top.p50ErrorPct) <= GOALS.p2P50ErrorPct)}`,
    );
  }
  if (p3) {
    Object.assign(result, {
      p3_tests_passed: p3.testsPassed,
      p3_goals_met: p3.goals.filter((g) => g.met).length,
      p3_goals: p3.goals.length,
      p3_load1: p3.load1,
      p3_figures: p3.figures,
    });
    goals.push(
      `P3 timing tests ${p3.tests.passed} passed, ${p3.tests.failed} failed (the guarantees, on any machine): ${mark(p3.testsPassed)}`,
      ...p3.goals.map((g) => `P3 ${g.measured}; goal ${g.goal}: ${mark(g.met)}`),
    );
    if (p3.load1.start > load0.cpus / 2)
      goals.push(
        `P3 ran at load ${p3.load1.start}..${p3.load1.end} on ${load0.cpus} CPUs: its figures are not an idle machine's`,
      );
  }
  if (p4r) {
    const d = p4r.scenario;
    // Issue 12's keys, full and --quick alike.
    Object.assign(result, {
      drain_connections: d.connections,
      drain_window_s: d.windowSeconds,
      drain_arrival_ratio: round(d.paced.arrivalRatio, 2),
      drain_handshake_p99_ratio: round(d.paced.handshakeP99Ratio, 2),
      drain_all_back: d.allBack,
      drain_lost_messages: d.lostMessages,
      drain_baseline_arrival_ratio: round(d.baseline.arrivalRatio, 2),
      resumed_pct: round(d.resumedPct, 1),
      handshake_cpu_ratio_full_vs_resumed: round(d.cpu.ratio, 2),
      p4_figures: {
        rest_handshake_p99_ms: round(d.restHandshakeP99Ms, 1),
        baseline_handshake_p99_ratio: round(d.baseline.handshakeP99Ratio, 2),
        paced_arrivals_per_second: d.paced.arrivalsPerSecond,
        baseline_arrivals_per_second: d.baseline.arrivalsPerSecond,
        paced_server_closes_per_second: d.paced.serverClosesPerSecond,
        baseline_server_closes_per_second: d.baseline.serverClosesPerSecond,
        paced_all_back_after_reload_ms: round(d.paced.allBackAfterReloadMs, 0),
        baseline_all_back_after_reload_ms: round(d.baseline.allBackAfterReloadMs, 0),
        rest_resumed: d.restResumed,
        client_loop_delay_ms: {
          rest: { p99: round(d.restClientLoopDelayMs.p99, 0), max: round(d.restClientLoopDelayMs.max, 0) },
          baseline: {
            p99: round(d.baseline.clientLoopDelayMs.p99, 0),
            max: round(d.baseline.clientLoopDelayMs.max, 0),
          },
          paced: {
            p99: round(d.paced.clientLoopDelayMs.p99, 0),
            max: round(d.paced.clientLoopDelayMs.max, 0),
          },
        },
        cpu_ms_per_handshake: {
          connect_only: round(d.cpu.connectOnlyMsPerConnection, 3),
          full_ecdsa: round(d.cpu.fullEcdsaMsPerHandshake, 3),
          resumed: round(d.cpu.resumedMsPerHandshake, 3),
          full_rsa: round(d.cpu.fullRsaMsPerHandshake, 3),
        },
      },
    });
    goals.push(
      ...p4r.goals.map((g) => `P4 ${g.measured}; goal ${g.goal}: ${mark(g.met)}`),
      ...p4r.figures.map((f) => `P4 ${f}`),
    );
  }
  if (p5 && "skipped" in p5) {
    goals.push(`P5 preview time not measured: ${p5.skipped}: ${mark(false)}`);
  } else if (p5) {
    const stacks = Object.entries(p5.stacks);
    Object.assign(result, {
      preview_s: Object.fromEntries(stacks.map(([s, r]) => [s, round(r.program, 2)])),
      preview_baseline_s: Object.fromEntries(stacks.map(([s, r]) => [s, round(r.baseline, 2)])),
      preview_ratio: round(p5.worst.ratio, 2),
      preview_runs: p5.runs,
      preview_first_s: Object.fromEntries(stacks.map(([s, r]) => [s, round(r.programFirstS, 2)])),
      preview_checked_first_s: Object.fromEntries(
        stacks.map(([s, r]) => [s, round(r.programCheckedFirstS, 2)]),
      ),
      preview_baseline_first_s: Object.fromEntries(stacks.map(([s, r]) => [s, round(r.baselineFirstS, 2)])),
    });
    goals.push(
      `P5 pulumi preview / baseline program, worst stack ${p5.worst.stack}: ${p5.worst.ratio.toFixed(2)} (${stacks.map(([s, r]) => `${s} ${r.program.toFixed(1)} s / ${r.baseline.toFixed(1)} s`).join(", ")}; median of ${p5.runs}) <= ${P5_GOAL_RATIO}: ${mark(p5.worst.ratio <= P5_GOAL_RATIO)}`,
      `P5 first preview of a fresh checkout (empty ts-node cache), program transpiled only (CI) / type-checked (a local preview) / baseline: ${stacks.map(([s, r]) => `${s} ${r.programFirstS.toFixed(1)} s / ${r.programCheckedFirstS.toFixed(1)} s / ${r.baselineFirstS.toFixed(1)} s`).join(", ")} (a figure, no goal)`,
    );
  }
  if (p6) {
    Object.assign(result, p6Keys(p6));
    goals.push(...judgeP6(p6).map((g) => `P6 ${g.measured}; goal ${g.goal}: ${mark(g.met)}`));
  }
  if (incluster) goals.push(...inclusterReport(incluster, result));
  for (const g of goals) log(g);
  Object.assign(result, {
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
