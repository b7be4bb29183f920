import * as net from "node:net";
import type { AddressInfo } from "node:net";
import { runCheck, runSoak } from "../../probe";
import { startTestServer, type TestServer, type TestServerOptions } from "./servers/echoServer";
import { startIdleCuttingProxy, type IdleProxy } from "./servers/idleProxy";
import { trackUnhandledRejections } from "./helpers";

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

describe("1. echo server", () => {
  let server: TestServer;
  beforeAll(async () => (server = await startTestServer()));
  afterAll(() => server.close());

  it("check: every step measured, one RTT, clean close with 1000", async () => {
    const r = await runCheck({ url: server.url, timeoutMs: 2000 });
    expect(r).toMatchObject({ ok: true, url: server.url, tls: null, closeCode: 1000, error: null });
    expect(Object.keys(r.steps).sort()).toEqual(["close", "ping", "tcp", "total", "upgrade"]);
    for (const ms of Object.values(r.steps)) expect(ms).toBeGreaterThanOrEqual(0);
    expect(r.rttMs).toBeGreaterThan(0);
    expect(r.rttMs).toBeLessThan(1000);
  });

  it("soak: 200 connections held, 0 drops", async () => {
    const r = await runSoak({ url: server.url, durationMs: 1500, connections: 200, heartbeatMs: 200 });
    expect(r.endedBy).toBe("duration");
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
    // Each connection answers ~7 heartbeats in 1.5 s; ramping and timer drift make the exact count vary.
    expect(r.rttMs.count).toBeGreaterThan(200 * 4);
    expect(r.rttMs.p50).toBeLessThanOrEqual(r.rttMs.p99);
    expect(r.timeline.length).toBeGreaterThanOrEqual(2);
  });
});

describe("2. server closing every connection after T with 1001", () => {
  const T = 300;

  it("drops under 1001 after ~T; the counter resets after each successful reconnect", async () => {
    await withTestServer({ closeAfterMs: T, closeCode: 1001 }, async (server) => {
      const r = await runSoak({
        url: server.url,
        durationMs: 1000,
        connections: 10,
        heartbeatMs: 100,
        backoff: { ...SCALED, maxAttempts: 6 },
      });
      expect(r.drops.byCode).toEqual({ "1001": r.drops.total });
      expect(r.drops.byCause).toEqual({
        server_close: r.drops.total,
        pong_timeout: 0,
        socket_error: 0,
        connection_lost: 0,
      });
      expect(r.drops.total).toBeGreaterThanOrEqual(20);
      expect(r.lifetimesMs.min).toBeGreaterThanOrEqual(T - 5);
      expect(r.lifetimesMs.max).toBeLessThan(T + 150);
      expect(r.reconnects.byAttempt.map((a) => [a.attempt, a.plannedMs])).toEqual([
        [1, { min: 100, max: 100 }],
      ]);
    });
  });

  it("reconnects follow the scaled profile 100, 200, 400, 800, 1000, 1000 ms, then give up", async () => {
    const N = 20;
    await withTestServer({ closeAfterMs: T, closeCode: 1001, acceptOnly: N }, async (server) => {
      const r = await runSoak({
        url: server.url,
        durationMs: 15_000,
        connections: N,
        heartbeatMs: 100,
        backoff: { ...SCALED, maxAttempts: 6 },
      });
      expect(r.endedBy).toBe("exhausted");
      expect(r.config.backoff.scheduleMs).toEqual([100, 200, 400, 800, 1000, 1000]);
      expect(r.drops.total).toBe(N);
      expect(r.drops.byCode).toEqual({ "1001": N });
      expect(r.lifetimesMs.count).toBe(N);
      expect(r.lifetimesMs.min).toBeGreaterThanOrEqual(T - 5);
      expect(r.lifetimesMs.max).toBeLessThan(T + 150);
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
      for (const a of r.reconnects.byAttempt) {
        expect(a.waitedMs.min).toBeGreaterThanOrEqual(a.plannedMs.min - 2);
        expect(a.waitedMs.max).toBeLessThan(a.plannedMs.max + 150);
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
  const IDLE = 600;
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
    const r = await runSoak({ url: proxy.url, durationMs: 1500, connections: 10, heartbeatMs: 200 });
    expect(r.drops.total).toBe(0);
    expect(r.connections.openAtEnd).toBe(10);
  });

  it("without a heartbeat each connection is cut at ~I and counted as 1006 connection_lost", async () => {
    const r = await runSoak({
      url: proxy.url,
      durationMs: 1200,
      connections: 10,
      heartbeatMs: 0,
      backoff: { ...SCALED, maxAttempts: 0 },
    });
    expect(r.drops.total).toBe(10);
    expect(r.drops.byCode).toEqual({ "1006": 10 });
    expect(r.drops.byCause.connection_lost).toBe(10);
    expect(r.lifetimesMs.min).toBeGreaterThanOrEqual(IDLE - 20);
    expect(r.lifetimesMs.max).toBeLessThan(IDLE + 200);
    expect(r.connections.exhausted).toBe(10);
  });
});

describe("4. server that stops answering pings", () => {
  it("declares the connection dead at the 2nd missed heartbeat: ~3 heartbeat intervals, pong_timeout", async () => {
    await withTestServer({ ws: { autoPong: false } }, async (server) => {
      const r = await runSoak({
        url: server.url,
        durationMs: 1500,
        connections: 5,
        heartbeatMs: 100,
        maxMissedHeartbeats: 2,
        backoff: { ...SCALED, maxAttempts: 0 },
      });
      expect(r.drops.total).toBe(5);
      expect(r.drops.byCause).toEqual({
        server_close: 0,
        pong_timeout: 5,
        socket_error: 0,
        connection_lost: 0,
      });
      expect(r.drops.byCode).toEqual({ "1006": 5 });
      expect(r.drops.byDetail).toEqual({ "2 heartbeats unanswered": 5 });
      // First ping at 1 interval, missed at 2, dead at 3.
      expect(r.lifetimesMs.min).toBeGreaterThanOrEqual(300 - 5);
      expect(r.lifetimesMs.max).toBeLessThan(300 + 100);
      expect(r.rttMs.count).toBe(0);
    });
  });
});

describe("5. server dropping every k-th echo", () => {
  it("counts sequence gaps exactly, apart from messages lost with a connection", async () => {
    await withTestServer({ dropEveryKth: 4 }, async (server) => {
      const r = await runSoak({
        url: server.url,
        durationMs: 1200,
        connections: 10,
        heartbeatMs: 50,
        message: '{"type":"ping","seq":{seq}}',
        echo: true,
      });
      expect(r.drops.total).toBe(0);
      expect(r.echo).not.toBeNull();
      const echo = r.echo!;
      expect(server.droppedEchoes).toBeGreaterThan(10);
      expect(echo.gaps).toBe(server.droppedEchoes);
      expect(echo.sent).toBe(echo.received + echo.gaps);
      expect(echo.lostWithConnection).toBe(0);
      expect(echo.outOfOrder).toBe(0);
      expect(echo.unmatched).toBe(0);
      expect(echo.received).toBe(r.rttMs.count);
    });
  });

  it("counts unanswered messages of a dead connection as lost with it, not as gaps", async () => {
    // Every echo is withheld: the connection dies of pong timeout with its messages.
    await withTestServer({ dropEveryKth: 1 }, async (server) => {
      const r = await runSoak({
        url: server.url,
        durationMs: 1000,
        connections: 3,
        heartbeatMs: 100,
        message: '{"seq":{seq}}',
        echo: true,
        backoff: { ...SCALED, maxAttempts: 0 },
      });
      expect(r.drops.byCause.pong_timeout).toBe(3);
      expect(r.echo).toMatchObject({ gaps: 0, received: 0, lostWithConnection: 6, sent: 6 });
    });
  });
});

describe("6. misbehaving servers: classified drops, no crash", () => {
  it("oversize frame: socket_error", async () => {
    await withTestServer({ sendOnConnectBytes: 2 * 1024 * 1024 }, async (server) => {
      const r = await runSoak({
        url: server.url,
        durationMs: 800,
        connections: 3,
        heartbeatMs: 100,
        maxPayloadBytes: 1024 * 1024,
        backoff: { ...SCALED, maxAttempts: 0 },
      });
      expect(r.drops.total).toBe(3);
      expect(r.drops.byCause.socket_error).toBe(3);
      expect(Object.keys(r.drops.byDetail)).toEqual([
        "WS_ERR_UNSUPPORTED_MESSAGE_LENGTH: Max payload size exceeded",
      ]);
    });
  });

  it("abrupt TCP reset: socket_error ECONNRESET, code 1006", async () => {
    await withTestServer({ resetAfterMs: 200 }, async (server) => {
      const r = await runSoak({
        url: server.url,
        durationMs: 800,
        connections: 3,
        heartbeatMs: 100,
        backoff: { ...SCALED, maxAttempts: 0 },
      });
      expect(r.drops.byCode).toEqual({ "1006": 3 });
      expect(r.drops.byCause.socket_error).toBe(3);
      expect(Object.keys(r.drops.byDetail)[0]).toMatch(/^ECONNRESET/);
    });
  });

  it("upgrade refused with 403 in a soak: failed attempts by status, then exhausted", async () => {
    await withTestServer({ refuseStatus: 403 }, async (server) => {
      const r = await runSoak({
        url: server.url,
        durationMs: 5000,
        connections: 2,
        heartbeatMs: 100,
        backoff: { ...SCALED, maxAttempts: 2 },
      });
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
      const r = await runCheck({ url: `ws://127.0.0.1:${port}/ws`, timeoutMs: 300 });
      expect(r.ok).toBe(false);
      expect(r.error).toMatchObject({ step: "upgrade", kind: "timeout" });
    } finally {
      sockets.forEach((s) => s.destroy());
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });

  it("check against a server that never answers pings: ping step, pong_timeout", async () => {
    await withTestServer({ ws: { autoPong: false } }, async (server) => {
      const r = await runCheck({ url: server.url, timeoutMs: 300 });
      expect(r.ok).toBe(false);
      expect(r.error).toEqual({
        step: "ping",
        kind: "pong_timeout",
        message: "no answer to the heartbeat within 300ms",
      });
    });
  });
});
