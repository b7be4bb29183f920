import * as fs from "node:fs";
import * as http from "node:http";
import * as https from "node:https";
import type { AddressInfo } from "node:net";
import type { TLSSocket } from "node:tls";
import { WebSocketServer } from "ws";
import { parseConnectTo, runCheck, startMonitor, UsageError } from "../../probe";
import { runCli, selfSignedCert, trackUnhandledRejections } from "./helpers";
import { holdsWithin } from "../../support/wait";

trackUnhandledRejections();

const HOST = "messaging.example.com";

/** A ws server on 127.0.0.1 that notes the Host header and the TLS server name (SNI) of each upgrade. */
async function startRecordingServer(tls?: { key: Buffer; cert: Buffer }) {
  const seen: { host?: string; servername?: string | false | null }[] = [];
  const server = tls ? https.createServer(tls) : http.createServer();
  const wss = new WebSocketServer({ noServer: true });
  server.on("upgrade", (req, socket, head) => {
    seen.push({ host: req.headers.host, servername: tls ? (socket as TLSSocket).servername : undefined });
    wss.handleUpgrade(req, socket, head, (ws) => ws.on("error", () => undefined));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  return {
    seen,
    port: (server.address() as AddressInfo).port,
    close: async () => {
      for (const c of wss.clients) c.terminate();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe("connectTo: dial another address, keep the URL's name for SNI, the certificate and Host", () => {
  const cert = selfSignedCert(`DNS:${HOST}`);
  let tlsServer: Awaited<ReturnType<typeof startRecordingServer>>;
  let plainServer: Awaited<ReturnType<typeof startRecordingServer>>;

  beforeAll(async () => {
    [tlsServer, plainServer] = await Promise.all([
      startRecordingServer({ key: cert.key, cert: cert.cert }),
      startRecordingServer(),
    ]);
  });
  afterAll(async () => {
    await Promise.all([tlsServer.close(), plainServer.close()]);
    fs.rmSync(cert.dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    tlsServer.seen.length = 0;
    plainServer.seen.length = 0;
  });

  test("wss:// to the hostname's certificate through 127.0.0.1: the server sees the hostname as SNI and Host", async () => {
    const url = `wss://${HOST}:${tlsServer.port}/ws`;
    const r = await runCheck({ url, connectTo: "127.0.0.1", caFile: cert.certFile });
    expect(r).toMatchObject({ ok: true, url, closeCode: 1000, error: null });
    expect(r.tls).toMatchObject({ subject: "wsprobe-test" });
    expect(tlsServer.seen).toEqual([{ host: `${HOST}:${tlsServer.port}`, servername: HOST }]);
  });

  test("a port in connectTo replaces the URL's: wss://host/ws (443) is dialed on the server's port, Host stays bare", async () => {
    const r = await runCheck({
      url: `wss://${HOST}/ws`,
      connectTo: `127.0.0.1:${tlsServer.port}`,
      caFile: cert.certFile,
    });
    expect(r.error).toBeNull();
    expect(tlsServer.seen).toEqual([{ host: HOST, servername: HOST }]);
  });

  test("the certificate is still checked against the URL's hostname: another name fails at the tls step", async () => {
    const r = await runCheck({
      url: `wss://other.example.com:${tlsServer.port}/ws`,
      connectTo: "127.0.0.1",
      caFile: cert.certFile,
    });
    expect(r.ok).toBe(false);
    expect(r.error).toMatchObject({ step: "tls", kind: "tls" });
    expect(r.error?.message).toContain("other.example.com");
  });

  test("ws:// keeps the URL's Host header too", async () => {
    const r = await runCheck({ url: `ws://${HOST}:${plainServer.port}/ws`, connectTo: "127.0.0.1" });
    expect(r.error).toBeNull();
    expect(plainServer.seen).toEqual([{ host: `${HOST}:${plainServer.port}`, servername: undefined }]);
  });

  test("the monitor holds its connection through connectTo", async () => {
    const monitor = await startMonitor({
      url: `wss://${HOST}:${tlsServer.port}/ws`,
      connectTo: "127.0.0.1",
      caFile: cert.certFile,
      metricsPort: 0,
      metricsHost: "127.0.0.1",
      heartbeatMs: 50,
      defaultMetrics: false,
    });
    try {
      let text = "";
      const up = async () => {
        text = await (await fetch(`http://127.0.0.1:${monitor.port}/metrics`)).text();
        return /^wsprobe_up 1$/m.test(text);
      };
      await holdsWithin(up, 5000, 50);
      expect(text).toMatch(/^wsprobe_up 1$/m);
      expect(tlsServer.seen[0]).toEqual({ host: `${HOST}:${tlsServer.port}`, servername: HOST });
    } finally {
      await monitor.close();
    }
  });

  test("CLI: check --connect-to", async () => {
    const r = await runCli([
      "check",
      `wss://${HOST}:${tlsServer.port}/ws`,
      "--connect-to",
      "127.0.0.1",
      "--ca",
      cert.certFile,
      "--json",
    ]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, error: null });
    expect(tlsServer.seen).toEqual([{ host: `${HOST}:${tlsServer.port}`, servername: HOST }]);
  });

  test("CLI: a malformed --connect-to is a usage error (exit 2)", async () => {
    const r = await runCli(["check", `wss://${HOST}/ws`, "--connect-to", "127.0.0.1:http"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`--connect-to takes "host" or "host:port"`);
  });
});

describe("parseConnectTo", () => {
  test.each([
    ["192.168.1.241", { host: "192.168.1.241" }],
    ["192.168.1.241:8443", { host: "192.168.1.241", port: 8443 }],
    ["ws-lb.ns.svc.cluster.local:443", { host: "ws-lb.ns.svc.cluster.local", port: 443 }],
    ["fd00::1", { host: "fd00::1" }],
    ["[fd00::1]:443", { host: "fd00::1", port: 443 }],
    ["[fd00::1]", { host: "fd00::1" }],
  ])("%s", (value, target) => {
    expect(parseConnectTo(value)).toEqual(target);
  });

  test.each(["", "host:0", "host:70000", "host:http", "[not-v6]:443", "a b", "http://x"])(
    "%j is refused",
    (value) => {
      expect(() => parseConnectTo(value)).toThrow(UsageError);
      expect(() => parseConnectTo(value)).toThrow(
        `--connect-to takes "host" or "host:port" (an IPv6 address in brackets with a port), e.g. "192.168.1.241" or "ws-lb.ns.svc.cluster.local:443" (got "${value}")`,
      );
    },
  );
});
