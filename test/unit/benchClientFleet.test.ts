/**
 * P6's measuring client spread over processes (bench/lib/clientFleet.ts, pure): how the connections
 * are split, how the processes' drops and reconnect attempts merge into the drain's arrival ratio,
 * and which process's event-loop delay is reported; and P6's goals and JSON keys (bench/p6.ts).
 */
import { fleetArrivals, processesFor, splitConnections, worstLoopDelay } from "../../bench/lib/clientFleet";
import { judgeP6, p6Keys, type P6Result } from "../../bench/p6";

describe("splitConnections", () => {
  it("splits 9,400 over 19 processes as 14 x 495 and 5 x 494, the remainder on the first", () => {
    const shares = splitConnections(9400, 19);
    expect(shares).toEqual([...Array(14).fill(495), ...Array(5).fill(494)]);
  });

  it("gives every process the same share when the count divides", () => {
    expect(splitConnections(1000, 2)).toEqual([500, 500]);
    expect(splitConnections(7, 1)).toEqual([7]);
    expect(splitConnections(3, 3)).toEqual([1, 1, 1]);
  });

  it("refuses more processes than connections, and counts that are not whole numbers >= 1", () => {
    expect(() => splitConnections(3, 4)).toThrow(
      "client processes must be a whole number from 1 to 3 (got 4)",
    );
    expect(() => splitConnections(10, 0)).toThrow(
      "client processes must be a whole number from 1 to 10 (got 0)",
    );
    expect(() => splitConnections(10, 2.5)).toThrow(
      "client processes must be a whole number from 1 to 10 (got 2.5)",
    );
    expect(() => splitConnections(0, 1)).toThrow("connections must be a whole number >= 1 (got 0)");
  });
});

describe("processesFor", () => {
  it("is one process per share, rounded up", () => {
    expect(processesFor(9400, 500)).toBe(19);
    expect(processesFor(1000, 500)).toBe(2);
    expect(processesFor(1001, 500)).toBe(3);
    expect(processesFor(10, 500)).toBe(1);
  });

  it("refuses a share below 1", () => {
    expect(() => processesFor(10, 0)).toThrow("connections per client process must be >= 1 (got 0)");
  });
});

describe("fleetArrivals", () => {
  it("counts every process's arrivals per second from the first drop any of them saw", () => {
    // N = 8 over W = 2 s: N/W = 4 a second. Process B saw the first drop, at 10,000 ms.
    const a = { dropsAtMs: [10_400, 10_900, 11_500, 11_950], arrivalsAtMs: [10_500, 11_000, 11_600, 12_050] };
    const b = { dropsAtMs: [10_000, 10_200, 11_100, 11_200], arrivalsAtMs: [10_100, 10_300, 11_200, 11_300] };
    const merged = fleetArrivals([a, b], 8, 2);
    expect(merged).toEqual({
      arrivalsPerSecond: [3, 4, 1],
      busiestSecond: 4,
      arrivalRatio: 1,
      firstDropAtMs: 10_000,
      dropSpreadMs: 1950,
    });
  });

  it("shows a burst in one process as the busiest second, whatever the others did", () => {
    const even = { dropsAtMs: [0, 1000, 2000, 3000], arrivalsAtMs: [100, 1100, 2100, 3100] };
    const burst = { dropsAtMs: [0, 0, 0, 0], arrivalsAtMs: [2100, 2200, 2300, 2400] };
    // N = 8 over W = 4 s: N/W = 2; second 2 has 1 + 4 = 5 arrivals.
    const merged = fleetArrivals([even, burst], 8, 4);
    expect(merged.arrivalsPerSecond).toEqual([1, 1, 5, 1]);
    expect(merged.arrivalRatio).toBe(2.5);
  });

  it("refuses to measure a drain no process saw", () => {
    expect(() => fleetArrivals([{ dropsAtMs: [], arrivalsAtMs: [] }], 8, 2)).toThrow(
      "no client process saw a drop: nothing to measure",
    );
  });
});

describe("worstLoopDelay", () => {
  it("reports the process with the highest p99, with its own max", () => {
    expect(
      worstLoopDelay([
        { p99: 12, max: 90 },
        { p99: 31.5, max: 40 },
        { p99: 20, max: 35 },
      ]),
    ).toEqual({ p99: 31.5, max: 40, process: 1 });
  });

  it("refuses an empty fleet", () => {
    expect(() => worstLoopDelay([])).toThrow("no client process reported its event-loop delay");
  });
});

const result = (over: Partial<P6Result>): P6Result => ({
  connections: 9400,
  processes: 19,
  windowSeconds: 40,
  clientLoopDelayMs: { rest: { p99: 21.4, max: 60, process: 3 }, drain: { p99: 48.9, max: 120, process: 7 } },
  clientLoopP99PerProcessMs: { rest: [21.4], drain: [48.9] },
  arrivals: {
    arrivalsPerSecond: [250, 280, 240],
    busiestSecond: 280,
    arrivalRatio: 280 / 235,
    firstDropAtMs: 0,
    dropSpreadMs: 39_900,
  },
  serverClosesPerSecond: [240, 250, 235],
  serverCloseRatio: 250 / 235,
  allBackAfterReloadMs: 41_200,
  reconnects: 9400,
  resumed: 9400,
  drops: 9400,
  allBack: true,
  lostMessages: 0,
  driver: { sessions: 9400, closed: 9400, elapsedMs: 39_950 },
  ...over,
});

describe("judgeP6", () => {
  it("meets every goal with a quiet client, arrivals within 1.25 x N/W, every drop planned and nothing lost", () => {
    expect(judgeP6(result({})).map((g) => [g.measured, g.goal, g.met])).toEqual([
      [
        "client event-loop delay at rest, worst of 19 processes (#3): p99 21.4 ms (max 60 ms; during the drain p99 48.9 ms, #7)",
        "< 50 ms p99 (the client is not the bottleneck)",
        true,
      ],
      [
        "drain of 9400 over 40 s: busiest second 280 reconnect arrivals = 1.19 x N/W (HAProxy's closes: busiest 1.06 x)",
        "<= 1.25 x N/W",
        true,
      ],
      [
        "drops 9400, every client back true, lost acknowledged messages 0",
        "9400 drops, all back, 0 lost",
        true,
      ],
    ]);
  });

  it("misses: a client at 50 ms, 300 arrivals in a second (1.28 x), a lost message", () => {
    const missed = judgeP6(
      result({
        clientLoopDelayMs: {
          rest: { p99: 50, max: 70, process: 0 },
          drain: { p99: 80, max: 200, process: 0 },
        },
        arrivals: { ...result({}).arrivals, busiestSecond: 300, arrivalRatio: 300 / 235 },
        lostMessages: 1,
      }),
    );
    expect(missed.map((g) => g.met)).toEqual([false, false, false]);
    expect(missed[1].measured).toBe(
      "drain of 9400 over 40 s: busiest second 300 reconnect arrivals = 1.28 x N/W (HAProxy's closes: busiest 1.06 x)",
    );
  });

  it("misses when a client is not back or a connection dropped twice", () => {
    expect(judgeP6(result({ allBack: false }))[2].met).toBe(false);
    expect(judgeP6(result({ drops: 9401 }))[2].met).toBe(false);
  });
});

describe("p6Keys", () => {
  it("puts issue 22's keys in the JSON line: the at-rest p99 under drain_full_client_loop_p99_ms", () => {
    const keys = p6Keys(result({}));
    expect({
      connections: keys.drain_full_connections,
      ratio: keys.drain_full_arrival_ratio,
      rest: keys.drain_full_client_loop_p99_ms,
      drain: keys.drain_full_client_loop_p99_ms_during_drain,
      lost: keys.drain_full_lost_messages,
      processes: keys.drain_full_client_processes,
    }).toEqual({ connections: 9400, ratio: 1.19, rest: 21.4, drain: 48.9, lost: 0, processes: 19 });
  });
});
