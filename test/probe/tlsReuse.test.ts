/**
 * wsprobe soak reuses TLS sessions on reconnect (like a real client) and reports resumed vs full
 * handshakes. A Node wss:// server on 127.0.0.1 (its own ticket keys: a reconnect to it can resume)
 * closes every connection 300 ms after it opens, once; the clients reconnect after 50 ms.
 */
import * as fs from "node:fs";
import * as https from "node:https";
import type { AddressInfo } from "node:net";
import { WebSocketServer } from "ws";
import { runSoak, soakSummary, type ClientEvent } from "../../probe";
import { selfSignedCert, trackUnhandledRejections } from "./helpers";

trackUnhandledRejections();

const HOST = "messaging.example.com";
const N = 5;

describe("soak: TLS session reuse on reconnect", () => {
  const cert = selfSignedCert(`DNS:${HOST}`);
  let server: https.Server;
  let wss: WebSocketServer;
  let port = 0;
  let opened = 0;

  beforeAll(async () => {
    server = https.createServer({ key: cert.key, cert: cert.cert });
    wss = new WebSocketServer({ server, path: "/ws" });
    wss.on("connection", (ws) => {
      ws.on("error", () => undefined);
      // The first N connections are closed by the server (1001), the reconnects stay.
      if (++opened <= N) setTimeout(() => ws.close(1001, "going away"), 300);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
    port = (server.address() as AddressInfo).port;
  });
  beforeEach(() => (opened = 0));
  afterAll(async () => {
    for (const c of wss.clients) c.terminate();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    fs.rmSync(cert.dir, { recursive: true, force: true });
  });

  /** Soaks until every client has reconnected once (bounded against a hang). */
  async function soak(reuseTlsSessions: boolean | undefined) {
    const abort = new AbortController();
    const events: ClientEvent[] = [];
    const report = runSoak({
      url: `wss://127.0.0.1:${port}/ws`,
      insecure: true,
      durationMs: 30_000,
      connections: N,
      heartbeatMs: 100,
      backoff: { initialMs: 50, maxMs: 50, maxAttempts: 3, jitter: false },
      reuseTlsSessions,
      signal: abort.signal,
      onClientEvent: (e) => {
        events.push(e);
        if (events.filter((x) => x.type === "opened").length === 2 * N) abort.abort();
      },
    });
    const r = await report;
    return {
      r,
      opens: events.filter((e): e is Extract<ClientEvent, { type: "opened" }> => e.type === "opened"),
    };
  }

  test("on by default: every reconnect resumed, every first connection full", async () => {
    const { r, opens } = await soak(undefined);
    expect(r.connections.opens).toBe(2 * N);
    expect(r.tls).toEqual({ reuseSessions: true, resumed: N, full: N });
    // Per client: the first open full, the reconnect resumed.
    for (let c = 0; c < N; c++) {
      expect(opens.filter((o) => o.client === c).map((o) => o.tlsResumed)).toEqual([false, true]);
    }
    expect(soakSummary(r)).toContain(`TLS: ${N} resumed, ${N} full`);
  });

  test("off (--no-tls-reuse): every handshake full", async () => {
    const { r } = await soak(false);
    expect(r.tls).toEqual({ reuseSessions: false, resumed: 0, full: 2 * N });
    expect(soakSummary(r)).toContain(`TLS: 0 resumed, ${2 * N} full (session reuse off)`);
  });

  test("ws:// has no TLS to report", async () => {
    const r = await runSoak({
      url: "ws://127.0.0.1:9/ws",
      durationMs: 50,
      connections: 1,
      heartbeatMs: 0,
      backoff: { maxAttempts: 0 },
    });
    expect(r.tls).toBeNull();
  });
});
