/**
 * P3: the timing figures the tests do not assert. The timing tests assert only what holds on any
 * machine (counts, order, times from below, bounds derived from the same run); each records what
 * it measured (test/helpers/figures.ts). P3 runs those tests with $WS_EXPOSURE_FIGURES set and
 * holds the figures to the strict goals the tests used to assert, which only an idle machine meets.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { FIGURES_ENV } from "../test/helpers/figures";
import { machineLoad, ROOT, tempDir } from "./lib/proc";

/** The tests that record figures, run in one jest process, one file at a time. */
export const P3_TESTS = [
  "test/probe/scenarios.test.ts",
  "test/l4/haproxy.integration.test.ts",
  "test/hardening/rollout.integration.test.ts",
];

type Figures = Record<string, unknown>;
interface Range {
  min: number;
  max: number;
}

export interface P3Goal {
  /** What is measured, with the figure. */
  measured: string;
  /** The bound, as the test used to assert it. */
  goal: string;
  met: boolean;
}

export interface P3Result {
  /** Every test passed (the guarantees held); the goals are about the figures. */
  testsPassed: boolean;
  tests: { passed: number; failed: number };
  goals: P3Goal[];
  figures: Record<string, Figures>;
  load1: { start: number; end: number };
}

const within = (v: number, lo: number, hi: number) => v >= lo && v < hi;

/** One recorded figure (by name) and the goals it is held to; F is its shape. */
function goal<F>(figure: string, check: (f: F) => P3Goal[]) {
  return { figure, check: (f: Figures) => check(f as F) };
}

/**
 * The strict goals, per recorded figure: what the tests asserted before they bounded only what the
 * code guarantees. A figure that is missing (its test failed before recording it, or was skipped)
 * is a missed goal.
 */
const GOALS = [
  goal<{ rttMs: number }>("wsprobe check", (f) => [
    { measured: `check RTT ${f.rttMs} ms`, goal: "< 1000 ms", met: f.rttMs < 1000 },
  ]),
  goal<{ capMs: number; lifetimesMs: Range }>("wsprobe server cap", (f) => [
    {
      measured: `lifetimes of connections the server closes at T=${f.capMs} ms: ${f.lifetimesMs.min}..${f.lifetimesMs.max} ms`,
      goal: "within [T-5, T+150)",
      met: within(f.lifetimesMs.min, f.capMs - 5, f.capMs + 150) && f.lifetimesMs.max < f.capMs + 150,
    },
  ]),
  goal<{
    capMs: number;
    lifetimesMs: Range;
    byAttempt: { attempt: number; plannedMs: Range; waitedMs: Range }[];
  }>("wsprobe reconnects", (f) => [
    {
      measured: `lifetimes (T=${f.capMs} ms) ${f.lifetimesMs.min}..${f.lifetimesMs.max} ms`,
      goal: "within [T-5, T+150)",
      met: within(f.lifetimesMs.min, f.capMs - 5, f.capMs + 150) && f.lifetimesMs.max < f.capMs + 150,
    },
    ...f.byAttempt.map((a) => ({
      measured: `reconnect attempt ${a.attempt}: waited up to ${a.waitedMs.max} ms for ${a.plannedMs.max} ms planned`,
      goal: "< planned + 150 ms",
      met: a.waitedMs.max < a.plannedMs.max + 150,
    })),
  ]),
  goal<{ idleMs: number; lifetimesMs: Range }>("wsprobe idle cut", (f) => [
    {
      measured: `lifetimes through a proxy idle-cutting at I=${f.idleMs} ms: ${f.lifetimesMs.min}..${f.lifetimesMs.max} ms`,
      goal: "within [I-20, I+200)",
      met: within(f.lifetimesMs.min, f.idleMs - 20, f.idleMs + 200) && f.lifetimesMs.max < f.idleMs + 200,
    },
  ]),
  goal<{ deadAtMs: number; lifetimesMs: Range }>("wsprobe pong timeout", (f) => [
    {
      measured: `dead at ${f.deadAtMs} ms (3 heartbeats): lifetimes ${f.lifetimesMs.min}..${f.lifetimesMs.max} ms`,
      goal: "within [3H-5, 3H+100)",
      met:
        within(f.lifetimesMs.min, f.deadAtMs - 5, f.deadAtMs + 100) && f.lifetimesMs.max < f.deadAtMs + 100,
    },
  ]),
  goal<{ tunnelMs: number; silentLifeMs: number }>("haproxy tunnel timeout", (f) => [
    {
      measured: `timeout tunnel ${f.tunnelMs / 1000}s: silent connection cut after ${f.silentLifeMs} ms`,
      goal: "2500..4500 ms",
      met: f.silentLifeMs >= 2500 && f.silentLifeMs <= 4500,
    },
  ]),
  goal<{
    hardStopMs: number;
    firstCloseAfterReloadMs: number;
    lastCloseAfterReloadMs: number;
    spreadMs: number;
  }>("haproxy hard-stop", (f) => [
    {
      measured: `hard-stop-after ${f.hardStopMs / 1000}s (200 connections): first close ${f.firstCloseAfterReloadMs} ms, last ${f.lastCloseAfterReloadMs} ms after SIGUSR2`,
      goal: "first >= hard-stop - 500 ms, last <= hard-stop + 1000 ms",
      met: f.firstCloseAfterReloadMs >= f.hardStopMs - 500 && f.lastCloseAfterReloadMs <= f.hardStopMs + 1000,
    },
    { measured: `close spread ${f.spreadMs} ms`, goal: "< 1000 ms (all at once)", met: f.spreadMs < 1000 },
  ]),
  goal<{ hardStopMs: number; masterExitAfterMs: number }>("haproxy soft-stop", (f) => [
    {
      measured: `soft-stop, hard-stop-after ${f.hardStopMs / 1000}s: master exited ${f.masterExitAfterMs} ms after SIGUSR1`,
      goal: "<= hard-stop + 1000 ms",
      met: f.masterExitAfterMs <= f.hardStopMs + 1000,
    },
  ]),
  goal<{
    firstCloseAfterReloadMs: number;
    closeSpreadMs: { server: number; client: number };
    allBackAfterFirstCloseMs: number;
  }>("rollout", (f) => [
    {
      measured: `rollout (1000 wss://, hard-stop-after 5s): first close seen ${f.firstCloseAfterReloadMs} ms after the reload`,
      goal: "5000 - 300 .. 5000 + 1000 ms",
      met: within(f.firstCloseAfterReloadMs, 4700, 6001),
    },
    {
      measured: `close spread, server side ${f.closeSpreadMs.server} ms`,
      goal: "< 1000 ms (half of close-spread-time)",
      met: f.closeSpreadMs.server < 1000,
    },
    {
      measured: `close spread, client side ${f.closeSpreadMs.client} ms`,
      goal: "< 5000 ms",
      met: f.closeSpreadMs.client < 5000,
    },
    {
      measured: `all 1000 back ${f.allBackAfterFirstCloseMs} ms after the first close`,
      goal: "< 5000 ms",
      met: f.allBackAfterFirstCloseMs < 5000,
    },
  ]),
];

/** Judges recorded figures (one JSON object per line, as recordFigures writes them). Pure. */
export function judgeFigures(lines: string[]): { goals: P3Goal[]; figures: Record<string, Figures> } {
  const figures: Record<string, Figures> = {};
  for (const line of lines.filter((l) => l.trim())) {
    const { name, ...rest } = JSON.parse(line) as { name: string } & Figures;
    figures[name] = rest;
  }
  const goals = GOALS.flatMap(({ figure, check }) =>
    figures[figure]
      ? check(figures[figure])
      : [
          {
            measured: `${figure}: no figure recorded (its test failed or was skipped)`,
            goal: "-",
            met: false,
          },
        ],
  );
  return { goals, figures };
}

export async function runP3(options: { log: (line: string) => void }): Promise<P3Result> {
  const dir = tempDir("p3");
  const file = path.join(dir, "figures.jsonl");
  const report = path.join(dir, "jest.json");
  const load1Start = machineLoad().load1;
  options.log(`P3: ${P3_TESTS.join(", ")} (jest, figures in ${file})`);
  const code = await new Promise<number>((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        path.join(ROOT, "node_modules/jest/bin/jest.js"),
        "--runInBand",
        "--json",
        `--outputFile=${report}`,
        ...P3_TESTS,
      ],
      {
        cwd: ROOT,
        stdio: ["ignore", "ignore", "inherit"],
        env: { ...process.env, CI: "true", [FIGURES_ENV]: file },
      },
    );
    child.once("error", reject);
    child.once("exit", (c) => resolve(c ?? 1));
  });
  const jest = fs.existsSync(report)
    ? (JSON.parse(fs.readFileSync(report, "utf8")) as { numPassedTests: number; numFailedTests: number })
    : { numPassedTests: 0, numFailedTests: 0 };
  const lines = fs.existsSync(file) ? fs.readFileSync(file, "utf8").split("\n") : [];
  fs.rmSync(dir, { recursive: true, force: true });
  return {
    testsPassed: code === 0,
    tests: { passed: jest.numPassedTests, failed: jest.numFailedTests },
    ...judgeFigures(lines),
    load1: { start: load1Start, end: machineLoad().load1 },
  };
}
