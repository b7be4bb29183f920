/**
 * The paced drain with the real HAProxy (Debian's 2.6 and the pods' 3.2) on 127.0.0.1: 1000 heartbeating wss://
 * connections (sequence-numbered, echoed messages, TLS session reuse) through two reloads of the
 * config the L4 component renders (shared tls-ticket-keys, hard-stop-after 12 s): first without
 * pacing (today's behaviour: hard-stop-after cuts everything at once), then with the driver the pod
 * runs (dist/bundle/haproxy-drain.js --watch, window 8 s) closing the old worker's connections
 * through the master CLI. Then HAProxy's CPU time per handshake: full with RSA-2048 vs resumed.
 * support/drainScenario.ts does the work; `npm run bench` runs it with 10,000 connections.
 *
 * Timing (item 11 of the defects issue): every wait is bounded only against a hang; the assertions
 * are counts, times from below (the driver never closes early), and comparisons between the two
 * reloads of the same run. The strict figures (arrivals <= 1.25 x N/W in every second, handshake
 * p99 <= 2x at rest) are the bench's, which prints them with the CPU ratio (a figure, no goal).
 *
 * Skipped (with the reason printed) when haproxy or openssl is missing, except under CI=true.
 */
import * as fs from "fs";
import { runDrainScenario, type DrainScenarioResult } from "../../support/drainScenario";
import { recordFigures } from "../helpers/figures";
import { requireHaproxies, tempDir } from "../l4/harness";

const N = 1000;
const WINDOW_S = 8;
const HARD_STOP_S = 12;
const STEP_TIMEOUT_MS = 120_000;

for (const { haproxy, describe: describeWith } of requireHaproxies("the drain integration test")) {
  describeWith(
    `paced drain: 1000 heartbeating wss:// connections, two reloads, HAProxy ${haproxy.version}`,
    () => suite(haproxy.binary),
  );
}

function suite(haproxyBin: string): void {
  let dir: string;
  let r: DrainScenarioResult;

  beforeAll(async () => {
    dir = tempDir();
    r = await runDrainScenario({
      haproxyBin,
      dir,
      connections: N,
      windowSeconds: WINDOW_S,
      hardStopAfterSeconds: HARD_STOP_S,
      restHandshakes: N,
      cpuHandshakes: 500,
      stepTimeoutMs: STEP_TIMEOUT_MS,
      log: (line) => console.log(line),
    });
    const { report: _report, ...figures } = r;
    recordFigures("drain", figures);
  }, 10 * STEP_TIMEOUT_MS);

  afterAll(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  test("every client is back after each reload, and only the planned drops happened", () => {
    expect(r.allBack).toBe(true);
    expect(r.report.connections.exhausted).toBe(0);
    // N at the baseline's hard-stop-after, N by the paced drain: nothing else dropped.
    expect(r.drops).toBe(2 * N);
    expect(Object.keys(r.report.drops.byCode)).toEqual(["1006"]);
    expect(r.baseline.reconnects).toBe(N);
    expect(r.paced.reconnects).toBe(N);
  });

  test("no acknowledged message was lost (wsprobe's sequence check)", () => {
    expect(r.lostMessages).toBe(0);
    expect(r.report.echo!.gaps).toBe(0);
    expect(r.report.echo!.outOfOrder).toBe(0);
  });

  test("the driver closed every connection of the old worker, and took its window to do it", () => {
    expect(r.driver).toMatchObject({ sessions: N, closed: N });
    // The plan's last close is at (N-1)/N of the window: the driver never closes early.
    expect(r.driver!.elapsedMs).toBeGreaterThanOrEqual(WINDOW_S * 1000 * ((N - 1) / N) - 100);
  });

  test("baseline: hard-stop-after cut them together; paced: the closes are spread over the window", () => {
    // Times from below: nothing closed before hard-stop-after without pacing.
    expect(r.baseline.firstDropAfterReloadMs).toBeGreaterThanOrEqual(HARD_STOP_S * 1000 - 300);
    // Server side (HAProxy's cuts as the idle echo process saw them): the paced closes span most of
    // the window (the driver never closes early), and more than the stampede's, in the same run.
    // Every one of the N connections is cut, and nothing else: the scenario takes a phase's closes by
    // their place in the echo server's log (a loaded echo process logs a close late, so an earlier
    // socket's close could otherwise carry a timestamp after the reload and stretch the stampede).
    expect(r.paced.serverClosesPerSecond.reduce((a, b) => a + b, 0)).toBe(N);
    expect(r.baseline.serverClosesPerSecond.reduce((a, b) => a + b, 0)).toBe(N);
    expect(r.paced.serverCloseSpreadMs).toBeGreaterThanOrEqual(0.75 * WINDOW_S * 1000);
    expect(r.paced.serverCloseSpreadMs).toBeGreaterThan(r.baseline.serverCloseSpreadMs);
    // The client sees each close after it happens: its drops span at least the same.
    expect(r.paced.dropSpreadMs).toBeGreaterThanOrEqual(0.75 * WINDOW_S * 1000);
  });

  test("the paced drain's busiest second of closes is below the stampede's", () => {
    expect(r.paced.serverBusiestSecond).toBeLessThan(r.baseline.serverBusiestSecond);
    // Client side, every reconnect attempt counted (at least one per dropped client) (how they bunch depends on the
    // client's load: the bench holds them to 1.25 x N/W).
    expect(r.paced.arrivalsPerSecond.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(N);
    expect(r.baseline.arrivalsPerSecond.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(N);
  });

  test("TLS resumption: at least 90% of the reconnects resumed, on another worker (shared ticket keys)", () => {
    expect(r.resumedPct).toBeGreaterThanOrEqual(90);
    // The reference handshakes at rest are resumed ones too, so the two p99s compare like with like.
    expect(r.restResumed).toBeGreaterThanOrEqual(0.9 * N);
    expect(r.report.tls).toMatchObject({ reuseSessions: true });
    expect(r.report.tls!.resumed).toBe(r.baseline.resumed + r.paced.resumed);
  });

  test("HAProxy CPU time: a resumed handshake costs less than a full RSA-2048 one", () => {
    expect(r.cpu.ratio).toBeGreaterThan(1);
  });
}
