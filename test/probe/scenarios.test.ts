import * as net from "node:net";
import type { AddressInfo } from "node:net";
import { runCheck } from "../../probe";
import { startTestServer, type TestServer, type TestServerOptions } from "./servers/echoServer";
import { startIdleCuttingProxy, type IdleProxy } from "./servers/idleProxy";
import { recordFigures } from "../helpers/figures";
import { lifetimeFloorMs, soakUntil, trackUnhandledRejections, untilExhausted } from "./helpers";

/** Runs `fn` against a server that misbehaves as asked, and always closes it. */
async function withTestServer<T>(
  options: TestServerOptions,
  fn: (server: TestServer) => Promise<T>,
): Promise<T> {
  const server = await startTestServer(options);
  try {
    return await fn(server);
  } finally {
    await server.close();
  }
}

trackUnhandledRejections();

const SCALED = { initialMs: 100, maxMs: 1000 };
const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

// Timing rule of this file: no assertion rests on how fast this machine is. A run ends when what the
// test waits for has happened (`soakUntil`), or when every client gave up, never after a fixed
// duration; a measured time is bounded by what the code guarantees, derived from what the same run
// measured (`lifetimeFloorMs`, the run's own duration). The tight figures on an idle machine are
// bench/p3.ts's. Where a heartbeat is not what a test is about, `maxMissedHeartbeats` leaves it a
// second of slack, so that a stalled event loop (up to 0.15 s seen on a loaded 2-core machine) does
// not turn into a pong timeout.

describe("1. echo server", () => {
  let server: TestServer;
  beforeAll(async () => (server = await startTestServer()));
  afterAll(() => server.close());

  it("check: every step measured, one RTT, clean close with 1000", async () => {
    const r = await runCheck({ url: server.url });
    expect(r).toMatchObject({ ok: true, url: server.url, tls: null, closeCode: 1000, error: null });
    expect(Object.keys(r.steps).sort()).toEqual(["close", "ping", "tcp", "total", "upgrade"]);
    for (const ms of Object.values(r.steps)) expect(ms).toBeGreaterThanOrEqual(0);
    const { tcp, upgrade, ping, close, total } = r.steps as Record<string, number>;
    recordFigures("wsprobe check", { rttMs: r.rttMs, steps: r.steps });
    // The steps follow one another: together they are the total (each is rounded to 1 µs).
    expect(Math.abs(tcp + upgrade + ping + close - total)).toBeLessThanOrEqual(0.003);
    // The RTT is measured inside the ping step.
    expect(r.rttMs).toBeGreaterThan(0);
    expect(r.rttMs).toBeLessThanOrEqual(ping);
  });

  it("soak: 200 connections held, 0 drops, their heartbeats answered", async () => {
    const before = server.pingsByConnection.length;
    const pings = () => server.pingsByConnection.slice(before);
    // Until 200 connections have sent their third heartbeat (the default 2 misses would have killed
    // a connection whose first two went unanswered). A handshake is not what this test is about:
    // on a loaded 2-core machine 200 at once took up to 3.5 s each, so the limit is a minute.
    const r = await soakUntil(
      {
        url: server.url,
        connections: 200,
        heartbeatMs: 200,
        handshakeTimeoutMs: 60_000,
        timelineWindowMs: 100,
      },
      (p) => p.open === 200 && pings().filter((n) => n >= 3).length === 200,
      50_000,
    );
    expect(r.endedBy).toBe("signal");
    expect(r.connections).toEqual({
      target: 200,
      openAtEnd: 200,
      opens: 200,
      failedAttempts: 0,
      failedAttemptsByCause: {},
      exhausted: 0,
    });
    expect(r.drops.total).toBe(0);
    expect(r.reconnects.attempts).toBe(0);
    expect(r.handshakeMs.count).toBe(200);
    // At least one answered heartbeat per connection (see above), and no RTT without a pong.
    expect(r.rttMs.count).toBeGreaterThanOrEqual(200);
    expect(r.rttMs.count).toBeLessThanOrEqual(sum(pings()));
    expect(r.rttMs.p50).toBeLessThanOrEqual(r.rttMs.p99);
    expect(r.timeline.length).toBeGreaterThanOrEqual(2);
  }, 60_000);
});

describe("2. server closing every connection after T with 1001", () => {
  const T = 300;

  it("drops under 1001 after T; the counter resets after each successful reconnect", async () => {
    await withTestServer({ closeAfterMs: T, closeCode: 1001 }, async (server) => {
      const r = await soakUntil(
        {
          url: server.url,
          connections: 10,
          heartbeatMs: 100,
          maxMissedHeartbeats: 10,
          backoff: { ...SCALED, maxAttempts: 6 },
        },
        (p) => p.drops >= 20,
      );
      expect(r.endedBy).toBe("signal");
      expect(r.drops.byCode).toEqual({ "1001": r.drops.total });
      expect(r.drops.byCause).toEqual({
        server_close: r.drops.total,
        pong_timeout: 0,
        socket_error: 0,
        connection_lost: 0,
      });
      expect(r.drops.total).toBeGreaterThanOrEqual(20);
      expect(r.lifetimesMs.count).toBe(r.drops.total);
      recordFigures("wsprobe server cap", {
        capMs: T,
        lifetimesMs: r.lifetimesMs,
        handshakeMs: r.handshakeMs,
      });
      // None ended before the server's T (the upper bound is the next test's).
      expect(r.lifetimesMs.min).toBeGreaterThanOrEqual(lifetimeFloorMs(T, r));
      expect(r.reconnects.byAttempt.map((a) => [a.attempt, a.plannedMs])).toEqual([
        [1, { min: 100, max: 100 }],
      ]);
    });
  });

  it("reconnects follow the scaled profile 100, 200, 400, 800, 1000, 1000 ms, then give up", async () => {
    const N = 20;
    await withTestServer({ closeAfterMs: T, closeCode: 1001, acceptOnly: N }, async (server) => {
      const r = await soakUntil(
        {
          url: server.url,
          connections: N,
          heartbeatMs: 100,
          maxMissedHeartbeats: 10,
          backoff: { ...SCALED, maxAttempts: 6 },
        },
        untilExhausted,
      );
      expect(r.endedBy).toBe("exhausted");
      expect(r.config.backoff.scheduleMs).toEqual([100, 200, 400, 800, 1000, 1000]);
      expect(r.drops.total).toBe(N);
      expect(r.drops.byCode).toEqual({ "1001": N });
      expect(r.lifetimesMs.count).toBe(N);
      expect(r.reconnects.attempts).toBe(6 * N);
      expect(
        r.reconnects.byAttempt.map((a) => ({ attempt: a.attempt, count: a.count, planned: a.plannedMs })),
      ).toEqual(
        [100, 200, 400, 800, 1000, 1000].map((ms, i) => ({
          attempt: i + 1,
          count: N,
          planned: { min: ms, max: ms },
        })),
      );
      // Each client's one connection and then its six waits fit in the run (which ends when the last
      // client gives up): that bounds every lifetime and every wait from above, with the shortest
      // measured lifetime and waits. From below: the server's T, and the planned delay (a Node
      // timer counts whole milliseconds, so it may fire up to 1 ms early; 2 for clock granularity).
      recordFigures("wsprobe reconnects", {
        capMs: T,
        durationMs: r.durationMs,
        lifetimesMs: r.lifetimesMs,
        byAttempt: r.reconnects.byAttempt,
      });
      const waitedFloor = r.reconnects.byAttempt.map((a) => a.waitedMs.min);
      expect(r.lifetimesMs.min).toBeGreaterThanOrEqual(lifetimeFloorMs(T, r));
      expect(r.lifetimesMs.max).toBeLessThanOrEqual(r.durationMs - sum(waitedFloor) + 2);
      for (const [i, a] of r.reconnects.byAttempt.entries()) {
        expect(a.waitedMs.min).toBeGreaterThanOrEqual(a.plannedMs.min - 2);
        expect(a.waitedMs.max).toBeLessThanOrEqual(
          r.durationMs - r.lifetimesMs.min - (sum(waitedFloor) - waitedFloor[i]) + 2,
        );
      }
      expect(r.connections).toMatchObject({
        opens: N,
        openAtEnd: 0,
        failedAttempts: 6 * N,
        failedAttemptsByCause: { http_503: 6 * N },
        exhausted: N,
      });
    });
  });
});

describe("3. idle-cutting TCP proxy in front of the echo server", () => {
  const IDLE = 1000;
  let server: TestServer;
  let proxy: IdleProxy;
  beforeAll(async () => {
    server = await startTestServer();
    proxy = await startIdleCuttingProxy(server.port, IDLE);
  });
  afterAll(async () => {
    await proxy.close();
    await server.close();
  });

  it("a heartbeat shorter than the idle timeout keeps every connection", async () => {
    // Until every connection has been open for twice the idle timeout (heartbeat: a tenth of it).
    let allOpenAt: number | undefined;
    const r = await soakUntil({ url: proxy.url, connections: 10, heartbeatMs: IDLE / 10 }, (p) => {
      if (p.open === 10) allOpenAt ??= p.elapsedMs;
      return allOpenAt !== undefined && p.elapsedMs - allOpenAt >= 2 * IDLE;
    });
    expect(r.endedBy).toBe("signal");
    expect(r.drops.total).toBe(0);
    expect(r.connections.openAtEnd).toBe(10);
  });

  it("without a heartbeat each connection is cut at ~I and counted as 1006 connection_lost", async () => {
    const r = await soakUntil(
      { url: proxy.url, connections: 10, heartbeatMs: 0, backoff: { ...SCALED, maxAttempts: 0 } },
      untilExhausted,
    );
    expect(r.endedBy).toBe("exhausted");
    expect(r.drops.total).toBe(10);
    expect(r.drops.byCode).toEqual({ "1006": 10 });
    expect(r.drops.byCause.connection_lost).toBe(10);
    recordFigures("wsprobe idle cut", {
      idleMs: IDLE,
      lifetimesMs: r.lifetimesMs,
      handshakeMs: r.handshakeMs,
    });
    // Not before the proxy's idle timeout; within the run, which ends when the last one is cut.
    expect(r.lifetimesMs.min).toBeGreaterThanOrEqual(lifetimeFloorMs(IDLE, r));
    expect(r.lifetimesMs.max).toBeLessThanOrEqual(r.durationMs);
    expect(r.connections.exhausted).toBe(10);
  });
});

describe("4. server that stops answering pings", () => {
  it("declares the connection dead at the 2nd missed heartbeat: ~3 heartbeat intervals, pong_timeout", async () => {
    await withTestServer({ ws: { autoPong: false } }, async (server) => {
      const r = await soakUntil(
        {
          url: server.url,
          connections: 5,
          heartbeatMs: 100,
          maxMissedHeartbeats: 2,
          backoff: { ...SCALED, maxAttempts: 0 },
        },
        untilExhausted,
      );
      expect(r.endedBy).toBe("exhausted");
      expect(r.drops.total).toBe(5);
      expect(r.drops.byCause).toEqual({
        server_close: 0,
        pong_timeout: 5,
        socket_error: 0,
        connection_lost: 0,
      });
      expect(r.drops.byCode).toEqual({ "1006": 5 });
      expect(r.drops.byDetail).toEqual({ "2 heartbeats unanswered": 5 });
      recordFigures("wsprobe pong timeout", { deadAtMs: 3 * 100, lifetimesMs: r.lifetimesMs });
      // First ping at 1 interval, missed at 2, dead at 3: not sooner; within the run.
      expect(r.lifetimesMs.min).toBeGreaterThanOrEqual(lifetimeFloorMs(3 * 100, r));
      expect(r.lifetimesMs.max).toBeLessThanOrEqual(r.durationMs);
      expect(r.rttMs.count).toBe(0);
    });
  });
});

describe("5. server dropping every k-th echo", () => {
  it("counts sequence gaps exactly, apart from messages lost with a connection", async () => {
    await withTestServer({ dropEveryKth: 4 }, async (server) => {
      const r = await soakUntil(
        {
          url: server.url,
          connections: 10,
          heartbeatMs: 50,
          maxMissedHeartbeats: 20,
          message: '{"type":"ping","seq":{seq}}',
          echo: true,
        },
        () => server.droppedEchoes >= 20,
      );
      expect(r.endedBy).toBe("signal");
      expect(r.drops.total).toBe(0);
      expect(r.echo).not.toBeNull();
      const echo = r.echo!;
      expect(server.droppedEchoes).toBeGreaterThanOrEqual(20);
      expect(echo.gaps).toBe(server.droppedEchoes);
      expect(echo.sent).toBe(echo.received + echo.gaps);
      expect(echo.lostWithConnection).toBe(0);
      expect(echo.outOfOrder).toBe(0);
      expect(echo.unmatched).toBe(0);
      // An RTT is taken from the echo of a connection's latest message: at most one per echo.
      expect(r.rttMs.count).toBeGreaterThan(0);
      expect(r.rttMs.count).toBeLessThanOrEqual(echo.received);
    });
  });

  it("counts unanswered messages of a dead connection as lost with it, not as gaps", async () => {
    // Every echo is withheld: the connection dies of pong timeout with its messages.
    await withTestServer({ dropEveryKth: 1 }, async (server) => {
      const r = await soakUntil(
        {
          url: server.url,
          connections: 3,
          heartbeatMs: 100,
          message: '{"seq":{seq}}',
          echo: true,
          backoff: { ...SCALED, maxAttempts: 0 },
        },
        untilExhausted,
      );
      expect(r.endedBy).toBe("exhausted");
      expect(r.drops.byCause.pong_timeout).toBe(3);
      expect(r.echo).toMatchObject({ gaps: 0, received: 0, lostWithConnection: 6, sent: 6 });
    });
  });
});

describe("6. misbehaving servers: classified drops, no crash", () => {
  it("oversize frame: socket_error", async () => {
    await withTestServer({ sendOnConnectBytes: 2 * 1024 * 1024 }, async (server) => {
      const r = await soakUntil(
        {
          url: server.url,
          connections: 3,
          heartbeatMs: 100,
          maxMissedHeartbeats: 10,
          maxPayloadBytes: 1024 * 1024,
          backoff: { ...SCALED, maxAttempts: 0 },
        },
        untilExhausted,
      );
      expect(r.endedBy).toBe("exhausted");
      expect(r.drops.total).toBe(3);
      expect(r.drops.byCause.socket_error).toBe(3);
      expect(Object.keys(r.drops.byDetail)).toEqual([
        "WS_ERR_UNSUPPORTED_MESSAGE_LENGTH: Max payload size exceeded",
      ]);
    });
  });

  it("abrupt TCP reset: socket_error ECONNRESET, code 1006", async () => {
    await withTestServer({ resetAfterMs: 200 }, async (server) => {
      const r = await soakUntil(
        {
          url: server.url,
          connections: 3,
          heartbeatMs: 100,
          maxMissedHeartbeats: 10,
          backoff: { ...SCALED, maxAttempts: 0 },
        },
        untilExhausted,
      );
      expect(r.endedBy).toBe("exhausted");
      expect(r.drops.byCode).toEqual({ "1006": 3 });
      expect(r.drops.byCause.socket_error).toBe(3);
      expect(Object.keys(r.drops.byDetail)[0]).toMatch(/^ECONNRESET/);
    });
  });

  it("upgrade refused with 403 in a soak: failed attempts by status, then exhausted", async () => {
    await withTestServer({ refuseStatus: 403 }, async (server) => {
      const r = await soakUntil(
        { url: server.url, connections: 2, heartbeatMs: 100, backoff: { ...SCALED, maxAttempts: 2 } },
        untilExhausted,
      );
      expect(r.endedBy).toBe("exhausted");
      expect(r.connections).toMatchObject({
        opens: 0,
        failedAttempts: 6,
        failedAttemptsByCause: { http_403: 6 },
      });
    });
  });

  it("check against a socket that accepts TCP then hangs: upgrade timeout, not a hang", async () => {
    const sockets: net.Socket[] = [];
    const silent = net.createServer((s) => sockets.push(s));
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", () => resolve()));
    try {
      const port = (silent.address() as AddressInfo).port;
      // 2 s: far above how long a loopback connect takes even on a stalled loop (a connect not yet
      // seen when the timeout fires would be reported at the tcp step).
      const r = await runCheck({ url: `ws://127.0.0.1:${port}/ws`, timeoutMs: 2000 });
      expect(r.ok).toBe(false);
      expect(r.error).toMatchObject({ step: "upgrade", kind: "timeout" });
    } finally {
      sockets.forEach((s) => s.destroy());
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });

  it("check against a server that never answers pings: ping step, pong_timeout", async () => {
    await withTestServer({ ws: { autoPong: false } }, async (server) => {
      // The limit is also the upgrade's: 2 s lets the upgrade through on a loaded machine.
      const r = await runCheck({ url: server.url, timeoutMs: 2000 });
      expect(r.ok).toBe(false);
      expect(r.error).toEqual({
        step: "ping",
        kind: "pong_timeout",
        message: "no answer to the heartbeat within 2000ms",
      });
    });
  });
});
