/**
 * Each part's summary: its table, its goal lines (met / MISSED) and its keys in the bench's JSON line.
 * Pure; bench/index.ts prints a part's summary as soon as the part finishes (a run stopped later
 * keeps what it measured) and all of them again at the end.
 */
import { P1Result, VARIANTS } from "../p1";
import { P2Result } from "../p2";
import { P3Result } from "../p3";
import { P4Result } from "../p4";
import { P5_GOAL_RATIO, P5Result } from "../p5";
import { inclusterReport, InclusterResult } from "../incluster";
import { judgeP6, p6Keys, P6Result } from "../p6";
import type { BenchPart } from "./prerequisites";
import { fmtSpread, round, table } from "./stats";

export interface PartReport {
  tables: string[];
  /** One line per goal or figure. */
  goals: string[];
  /** The part's keys in the JSON line. */
  keys: Record<string, unknown>;
}

function newReport(): PartReport {
  return { tables: [], goals: [], keys: {} };
}

export const GOALS = {
  p50VsDirectWss: 1.5,
  p50VsNginx: 1.0,
  handshakeVsDirectWss: 1.3,
  haproxyKbPerConn: 5,
  p2Connections: 10000,
  p2KbPerConn: 8,
  p2P50ErrorPct: 10,
};

export const mark = (ok: boolean) => (ok ? "met" : "MISSED");

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

export function reportP1(p1: P1Result): PartReport {
  const { tables, goals, keys } = newReport();
  tables.push(p1Table(p1));
  const hm = p1.memory.haproxy;
  Object.assign(keys, {
    p1_p50_ratio_vs_direct_wss: round(p1.ratios.p50VsDirectWss),
    p1_p50_ratio_vs_nginx: round(p1.ratios.p50VsNginx),
    p1_handshake_ratio_vs_direct_wss: round(p1.ratios.handshakeVsDirectWss),
    p1_haproxy_kb_per_conn: round(hm.kbPerConn, 2),
    p1_haproxy_pool_kb_per_conn: round(hm.poolKbPerConn ?? NaN, 2),
    p1_nginx_kb_per_conn: round(p1.memory.nginx.kbPerConn, 2),
    p1_memory_connections: hm.opened,
    p1_rounds: p1.options.rounds,
    p1_pinned: p1.options.pin,
    p1_rtt_p50_ms: Object.fromEntries(VARIANTS.map((v) => [v, round(p1.variants[v].rttP50Ms.median)])),
    p1_handshake_p50_ms: Object.fromEntries(
      VARIANTS.map((v) => [v, round(p1.variants[v].handshakeP50Ms.median)]),
    ),
  });
  goals.push(
    `P1 HAProxy p50 / direct wss ${p1.ratios.p50VsDirectWss.toFixed(2)} (rounds ${fmtSpread(p1.ratios.p50VsDirectWssRounds, 2)}) <= ${GOALS.p50VsDirectWss}: ${mark(p1.ratios.p50VsDirectWss <= GOALS.p50VsDirectWss)}`,
    `P1 HAProxy p50 / nginx ${p1.ratios.p50VsNginx.toFixed(2)} <= ${GOALS.p50VsNginx}: ${mark(p1.ratios.p50VsNginx <= GOALS.p50VsNginx)}`,
    `P1 HAProxy handshake / direct wss ${p1.ratios.handshakeVsDirectWss.toFixed(2)} (rounds ${fmtSpread(p1.ratios.handshakeVsDirectWssRounds, 2)}) <= ${GOALS.handshakeVsDirectWss}: ${mark(p1.ratios.handshakeVsDirectWss <= GOALS.handshakeVsDirectWss)}`,
    `P1 HAProxy KiB per idle connection ${hm.kbPerConn.toFixed(2)} (its own pools ${(hm.poolKbPerConn ?? NaN).toFixed(2)}; nginx ${p1.memory.nginx.kbPerConn.toFixed(2)}) <= ${GOALS.haproxyKbPerConn}: ${mark(hm.kbPerConn <= GOALS.haproxyKbPerConn)}`,
  );
  return { tables, goals, keys };
}

export function reportP2(p2: P2Result, quick: boolean): PartReport {
  const { tables, goals, keys } = newReport();
  tables.push(p2Table(p2));
  const top = p2.levels[p2.levels.length - 1];
  const falseDrops = p2.levels.reduce((n, l) => n + l.falseDrops, 0);
  Object.assign(keys, {
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
  return { tables, goals, keys };
}

/** `cpus`: the machine's, to say when P3's figures are not an idle machine's. */
export function reportP3(p3: P3Result, cpus: number): PartReport {
  const { tables, goals, keys } = newReport();
  Object.assign(keys, {
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
  if (p3.load1.start > cpus / 2)
    goals.push(
      `P3 ran at load ${p3.load1.start}..${p3.load1.end} on ${cpus} CPUs: its figures are not an idle machine's`,
    );
  return { tables, goals, keys };
}

export function reportP4(p4r: P4Result): PartReport {
  const { tables, goals, keys } = newReport();
  const d = p4r.scenario;
  // Issue 12's keys, full and --quick alike.
  Object.assign(keys, {
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
  return { tables, goals, keys };
}

export function reportP5(p5: P5Result): PartReport {
  const { tables, goals, keys } = newReport();
  if ("skipped" in p5) {
    goals.push(`P5 preview time not measured: ${p5.skipped}: ${mark(false)}`);
    return { tables, goals, keys };
  }
  const stacks = Object.entries(p5.stacks);
  Object.assign(keys, {
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
  return { tables, goals, keys };
}

export function reportP6(p6: P6Result): PartReport {
  return {
    tables: [],
    goals: judgeP6(p6).map((g) => `P6 ${g.measured}; goal ${g.goal}: ${mark(g.met)}`),
    keys: p6Keys(p6),
  };
}

export function reportIncluster(incluster: InclusterResult): PartReport {
  const keys: Record<string, unknown> = {};
  const goals = inclusterReport(incluster, keys);
  return { tables: [], goals, keys };
}

/**
 * Runs one part and prints its summary as soon as it finishes: its tables, its goal lines and
 * `bench <part>: {...}`, its keys with the part's time and the machine's load then. A part that
 * throws is one MISSED line naming the error, and the run goes on to the next part.
 */
export async function runPart(
  name: BenchPart,
  run: () => Promise<PartReport>,
  log: (line: string) => void,
  load1: () => number,
): Promise<PartReport> {
  const started = Date.now();
  let report: PartReport;
  try {
    report = await run();
  } catch (e) {
    log(e instanceof Error ? (e.stack ?? e.message) : String(e));
    const reason = e instanceof Error ? e.message : String(e);
    report = { tables: [], goals: [`${name.toUpperCase()} failed: ${reason}: MISSED`], keys: {} };
  }
  report.keys[`${name}_elapsed_s`] = round((Date.now() - started) / 1000, 1);
  log("");
  for (const t of report.tables) log(t + "\n");
  for (const g of report.goals) log(g);
  log(`bench ${name}: ${JSON.stringify({ ...report.keys, [`${name}_load1_end`]: load1() })}`);
  return report;
}
