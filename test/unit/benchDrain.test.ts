/**
 * bench/p4.ts's judgement of a drain scenario's figures against issue 12's goals (pure), and the
 * scenario's refusal of more connections than its HAProxy can hold beside its other handshakes.
 */
import { judgeP4, p4Figures } from "../../bench/p4";
import { drainMaxconn, runDrainScenario } from "../../support/drainScenario";

const phase = (over: Record<string, unknown>) => ({
  serverClosesPerSecond: [125],
  serverBusiestSecond: 125,
  serverCloseSpreadMs: 7900,
  arrivalsPerSecond: [125],
  busiestSecond: 125,
  arrivalRatio: 1,
  dropSpreadMs: 7900,
  firstDropAfterReloadMs: 0,
  handshakeP99Ms: 20,
  handshakeP99Ratio: 1,
  reconnects: 1000,
  resumed: 1000,
  allBackAfterReloadMs: 9000,
  clientLoopDelayMs: { p99: 20, max: 40 },
  ...over,
});

const figures = {
  connections: 1000,
  windowSeconds: 8,
  hardStopAfterSeconds: 12,
  restHandshakeP99Ms: 20,
  restResumed: 1000,
  restClientLoopDelayMs: { p99: 20, max: 40 },
  baseline: phase({ busiestSecond: 1000, arrivalRatio: 8, handshakeP99Ratio: 30 }),
  paced: phase({ busiestSecond: 150, arrivalRatio: 1.2, handshakeP99Ms: 39, handshakeP99Ratio: 1.95 }),
  driver: { sessions: 1000, closed: 1000, elapsedMs: 7920 },
  allBack: true,
  drops: 2000,
  lostMessages: 0,
  resumedPct: 100,
  cpu: {
    connectOnlyMsPerConnection: 0.06,
    fullEcdsaMsPerHandshake: 0.45,
    fullRsaMsPerHandshake: 1.5,
    resumedMsPerHandshake: 0.5,
    ratio: 3,
  },
};

test("every goal met at the bounds", () => {
  expect(judgeP4(figures)).toEqual([
    {
      measured:
        "drain of 1000 over 8 s: busiest second 150 reconnect arrivals = 1.20 x N/W (baseline without pacing 1000 = 8.00 x)",
      goal: "<= 1.25 x N/W",
      met: true,
    },
    {
      measured: "reconnect handshake p99 during the drain 39 ms = 1.95 x at rest (20 ms; baseline 30.00 x)",
      goal: "<= 2 x",
      met: true,
    },
    { measured: "every client back: true", goal: "true", met: true },
    {
      measured: "drops 2000 (2 reloads x 1000), lost acknowledged messages 0",
      goal: "2000 drops, 0 lost",
      met: true,
    },
    { measured: "TLS resumed on reconnect 100.0%", goal: ">= 90%", met: true },
  ]);
});

test("the CPU per handshake is a figure without a goal, at any ratio", () => {
  const line = (ratio: number) => p4Figures({ cpu: { ...figures.cpu, ratio } });
  expect(line(1.7)).toEqual([
    "HAProxy CPU per handshake: full RSA-2048 1.500 ms, resumed 0.500 ms = 1.70 x (full ECDSA 0.450 ms; a connection with no handshake 0.060 ms); no goal: a TLS 1.3 resumption still does an (EC)DHE exchange",
  ]);
  expect(line(3).join("\n")).not.toMatch(/goal >=|met|MISSED/);
  expect(judgeP4({ ...figures, cpu: { ...figures.cpu, ratio: 1.7 } }).every((g) => g.met)).toBe(true);
});

test("each goal missed just past its bound", () => {
  const missed = judgeP4({
    ...figures,
    paced: phase({ arrivalRatio: 1.26, handshakeP99Ratio: 2.01 }),
    allBack: false,
    lostMessages: 1,
    resumedPct: 89.9,
  });
  expect(missed.map((g) => g.met)).toEqual([false, false, false, false, false]);
});

describe("the drain scenario's connections against the open-files limit", () => {
  test("HAProxy's maxconn fits two descriptors per connection and 200 more", () => {
    expect(drainMaxconn(20000)).toBe(9900);
  });

  test("more than maxconn - headroom is refused before anything starts, with the number that fits", async () => {
    const run = runDrainScenario({
      haproxyBin: "/nonexistent/haproxy",
      dir: "/nonexistent",
      connections: 9401,
      windowSeconds: 40,
      hardStopAfterSeconds: 50,
      restHandshakes: 9401,
      cpuHandshakes: 1000,
      fdLimit: 20000,
      stepTimeoutMs: 1000,
    });
    await expect(run).rejects.toThrow(
      "9401 connections leave HAProxy (maxconn 9900 with 20000 open files) no room for the 500 handshakes " +
        "beside them: use at most 9400 connections, or raise the open-files limit",
    );
  });
});
