/**
 * The generated haproxy.cfg run by the real HAProxy on 127.0.0.1, once per branch: Debian's 2.6 and
 * the 3.2 the pods run (test/l4/harness.ts, requireHaproxies):
 * 1. `haproxy -c` accepts every config of the matrix, without a warning; 2. wss:// through it to a `ws` echo server;
 * 3. `timeout tunnel` semantics; 4. reload under 200 heartbeating connections, and hard-stop-after.
 * Skipped (with the reason printed) when haproxy is missing, except under CI=true where that fails.
 *
 * Timing: each test waits for events (a close, a worker, an exit), bounded only against a hang, and
 * checks times from below, where HAProxy guarantees them (nothing closed before its timer). How
 * soon after its timer HAProxy acts, and how close together, depends on the machine's load: those
 * figures are bench/p3.ts's, on an idle machine.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as path from "path";
import * as tls from "tls";
import { WebSocketServer } from "ws";
import { HaproxyConfigParams, HaproxyTimeouts, renderHaproxyConfig } from "../../components/l4/haproxy";
import { haproxyParamsFor } from "../../components/l4/haproxy";
import { planL4 } from "../../components/l4/plan";
import { L4ExposureArgs } from "../../components/l4/args";
import { recordFigures } from "../helpers/figures";
import { cloudArgs } from "../hardening/cloudCases";
import { baseArgs, haproxyConfigMatrix } from "./fixtures";
import {
  closeAll,
  freePort,
  heartbeat,
  makeCertificate,
  openMany,
  openWss,
  requireHaproxies,
  RunningHaproxy,
  sleep,
  startEchoServer,
  startHaproxy,
  tempDir,
  TrackedSocket,
  waitUntil,
  workerCrashes,
  workerPids,
  type HaproxyUnderTest,
} from "./harness";

for (const { haproxy, describe: describeWith } of requireHaproxies("the HAProxy integration tests")) {
  describeWith(`generated haproxy.cfg with the real HAProxy ${haproxy.version}`, () => suite(haproxy));
}

function suite(haproxy: HaproxyUnderTest): void {
  const haproxyBin = haproxy.binary;
  let dir: string;
  let cert: { certPath: string; certPem: string };
  let echo: Awaited<ReturnType<typeof startEchoServer>>;
  const running: RunningHaproxy[] = [];
  const sockets: TrackedSocket[] = [];

  beforeAll(async () => {
    dir = tempDir();
    cert = makeCertificate(dir);
    echo = await startEchoServer();
  });

  // A worker that crashes still closes its sockets, so the tests' own checks may pass over it. The
  // pods' 3.2 must never crash; Debian 12's 2.6.12 crashes at hard-stop-after with connections
  // open (a defect of that build, fixed in the pods' branch): reported, as it is not what runs.
  const reported = new Set<string>();
  afterEach(() => {
    const crashes = running.flatMap((h) => workerCrashes(h.output())).filter((l) => !reported.has(l));
    crashes.forEach((l) => reported.add(l));
    if (haproxy.source === "3.2") expect(crashes).toEqual([]);
    else if (crashes.length > 0)
      console.warn(
        `HAProxy ${haproxy.version} (the host's, not the pods'): a worker crashed:\n${crashes.join("\n")}`,
      );
  });

  afterAll(async () => {
    closeAll(sockets);
    for (const h of running) await h.stop();
    await new Promise<void>((resolve) => (echo.server as WebSocketServer).close(() => resolve()));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** The component's own parameters for `args`, pointed at loopback and the test's files. */
  function loopbackParams(
    args: L4ExposureArgs,
    port: number,
    healthPort: number,
    name = "t",
  ): HaproxyConfigParams {
    const params = haproxyParamsFor(planL4(name, args));
    return {
      ...params,
      bindAddress: "127.0.0.1",
      bindPort: port,
      certPath: cert.certPath,
      servers: params.servers.map((s) => ({ ...s, address: "127.0.0.1", port: echo.port })),
      // Its own free port: "port + 1" may belong to anything else on a busy machine.
      health: { bindAddress: "127.0.0.1", port: healthPort },
      runtimeDir: dir,
      log: false,
      // The pod's 20000 needs ~40k file descriptors; a developer shell's limit may be lower.
      maxconn: 2000,
    };
  }

  async function launch(params: HaproxyConfigParams, file: string): Promise<RunningHaproxy> {
    const cfg = path.join(dir, file);
    fs.writeFileSync(cfg, renderHaproxyConfig(params));
    const h = await startHaproxy(haproxyBin, cfg, params.bindPort);
    running.push(h);
    return h;
  }

  const shortTimeouts = (over: Partial<HaproxyTimeouts>): HaproxyTimeouts => ({
    connectSeconds: 2,
    clientSeconds: 5,
    serverSeconds: 5,
    tunnelSeconds: 3,
    clientFinSeconds: 1,
    hardStopAfterSeconds: 30,
    closeSpreadSeconds: 20,
    ...over,
  });

  describe("1. haproxy -c accepts every config of the matrix", () => {
    it.each(haproxyConfigMatrix)("%s", async (_label, args) => {
      const port = await freePort();
      const cfg = path.join(dir, `check-${port}.cfg`);
      fs.writeFileSync(cfg, renderHaproxyConfig(loopbackParams(args, port, await freePort())));
      const check = spawnSync(haproxyBin, ["-c", "-V", "-f", cfg], { encoding: "utf8" });
      const out = check.stdout + check.stderr;
      // -V: 3.x says nothing on success without it.
      expect({ status: check.status, out }).toMatchObject({
        status: 0,
        out: expect.stringContaining("Configuration file is valid"),
      });
      // A warning today is a refusal in a later release (a shared proxy name: refused by 3.3).
      expect(out.split("\n").filter((line) => line.includes("[WARNING]"))).toEqual([]);
    });
  });

  describe("2. wss:// through HAProxy to a ws echo server", () => {
    let port: number;
    beforeAll(async () => {
      port = await freePort();
      await launch(loopbackParams(baseArgs(), port, await freePort()), "wss.cfg");
    });

    it("handshakes over TLS >= 1.2 with the key from <crt>.key, echoes, and passes the server's close code", async () => {
      const s = await openWss(port, cert.certPem);
      sockets.push(s);
      const socket = s.ws as unknown as { _socket: tls.TLSSocket };
      expect(["TLSv1.2", "TLSv1.3"]).toContain(socket._socket.getProtocol());
      const echoed = new Promise<string>((resolve) => s.ws.once("message", (d) => resolve(d.toString())));
      s.ws.send("hello through haproxy");
      expect(await echoed).toBe("hello through haproxy");
      const closed = new Promise<[number, string]>((resolve) =>
        s.ws.once("close", (code, reason) => resolve([code, reason.toString()])),
      );
      s.ws.send("close:4001");
      expect(await closed).toEqual([4001, "bye"]);
    });

    it("passes the client's close code to the server", async () => {
      const s = await openWss(port, cert.certPem);
      const before = echo.closesSeen.length;
      s.ws.close(4002, "client done");
      await waitUntil("the echo server to see the close", () => echo.closesSeen.length > before, 20_000);
      expect(echo.closesSeen.slice(before)).toEqual([4002]);
    });

    it("refuses TLS 1.1", async () => {
      const result = await new Promise<string>((resolve) => {
        const c = tls.connect({
          host: "127.0.0.1",
          port,
          servername: "localhost",
          ca: cert.certPem,
          minVersion: "TLSv1",
          maxVersion: "TLSv1.1",
        });
        c.once("secureConnect", () => {
          c.destroy();
          resolve("connected");
        });
        c.once("error", () => resolve("refused"));
      });
      expect(result).toBe("refused");
    });
  });

  describe("2b. behind an NLB's PROXY v2 header: the source ranges judge the client's address, not the NLB's", () => {
    let port: number;
    beforeAll(async () => {
      port = await freePort();
      // The component's own config for an NLB with PROXY protocol and ranges; the test connects
      // from 127.0.0.1, which is outside them, as the NLB's own address is.
      const args = cloudArgs(
        { type: "aws-nlb", proxyProtocol: true },
        { externalTrafficPolicy: "Cluster", loadBalancerSourceRanges: ["203.0.113.0/24"] },
      );
      await launch(loopbackParams(args, port, await freePort()), "proxy.cfg");
    });

    /** A PROXY v2 header (TCP over IPv4) naming `client` as the source, as an NLB sends it. */
    function proxyV2Header(client: string): Buffer {
      const signature = Buffer.from([0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a]);
      const addresses = Buffer.alloc(12);
      client.split(".").forEach((octet, i) => addresses.writeUInt8(Number(octet), i));
      [127, 0, 0, 1].forEach((octet, i) => addresses.writeUInt8(octet, 4 + i));
      addresses.writeUInt16BE(50000, 8);
      addresses.writeUInt16BE(443, 10);
      // version 2, PROXY command; AF_INET, STREAM; then the address block's length.
      return Buffer.concat([signature, Buffer.from([0x21, 0x11, 0x00, 12]), addresses]);
    }

    /**
     * Sends the header, then TLS and a WebSocket upgrade over the same connection: the answer's
     * status line, or "closed" when HAProxy ends the connection without one. (A `tcp-request
     * session` rule runs once the handshakes, PROXY and TLS, are done: a refused client still
     * completes TLS, then is cut before a byte reaches the backend.)
     */
    function upgradeAs(client: string): Promise<string> {
      return new Promise((resolve) => {
        const raw = net.connect(port, "127.0.0.1", () => {
          raw.write(proxyV2Header(client));
          const secure = tls.connect({ socket: raw, servername: "localhost", ca: cert.certPem });
          let answer = "";
          secure.once("secureConnect", () =>
            secure.write(
              "GET /ws HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
                "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
            ),
          );
          secure.on("data", (d) => {
            answer += d.toString();
            if (answer.includes("\r\n")) {
              secure.destroy();
              resolve(answer.split("\r\n")[0]);
            }
          });
          secure.once("error", () => resolve(answer ? answer.split("\r\n")[0] : "closed"));
          secure.once("close", () => resolve(answer ? answer.split("\r\n")[0] : "closed"));
        });
        raw.once("error", () => resolve("closed"));
      });
    }

    it("a client inside the ranges (203.0.113.7) reaches the backend: 101", async () => {
      expect(await upgradeAs("203.0.113.7")).toBe("HTTP/1.1 101 Switching Protocols");
    });

    it("a client outside them (198.51.100.7) is cut without an answer", async () => {
      expect(await upgradeAs("198.51.100.7")).toBe("closed");
    });
  });

  describe("3. timeout tunnel is an idle timer (tunnel 3 s, heartbeat 1 s)", () => {
    it("keeps a heartbeating connection past 10 s and cuts a silent one at 3 s", async () => {
      const port = await freePort();
      // Client and server timeouts of 30 s: within the test, only the tunnel timer can cut.
      const params = {
        ...loopbackParams(baseArgs(), port, await freePort()),
        timeouts: shortTimeouts({ tunnelSeconds: 3, clientSeconds: 30, serverSeconds: 30 }),
      };
      await launch(params, "tunnel.cfg");
      const [busy, silent] = await Promise.all([openWss(port, cert.certPem), openWss(port, cert.certPem)]);
      sockets.push(busy, silent);
      const stop = heartbeat(() => [busy], 1000);
      await sleep(10500);
      await waitUntil("the silent connection to be cut", () => silent.closedAt !== undefined, 20_000);
      stop();
      expect(busy.closedAt).toBeUndefined();
      const silentLife = (silent.closedAt as number) - silent.openedAt;
      recordFigures("haproxy tunnel timeout", {
        tunnelMs: 3000,
        silentLifeMs: silentLife,
        handshakeMs: silent.openedAt - silent.startedAt,
        closeCode: silent.closeCode,
        heartbeatingOpen: busy.closedAt === undefined,
      });
      // Not before the tunnel timer: it starts when HAProxy passes the 101, at most one handshake
      // before the client sees it (2 ms for millisecond clocks). Cut by it: no other timer was due.
      expect(silentLife).toBeGreaterThanOrEqual(3000 - (silent.openedAt - silent.startedAt) - 2);
      expect(silentLife).toBeLessThan(30_000);
      expect(silent.closeCode).toBe(1006);
    }, 60_000);
  });

  describe("4. reload (SIGUSR2 to the master) under 200 heartbeating connections", () => {
    const COUNT = 200;

    /**
     * Opens a fresh connection every `everyMs` until stopped; records when each attempt started and
     * how it ended. `settled()` resolves when every attempt made so far has ended.
     */
    function probeNewConnections(port: number, everyMs: number) {
      const result = {
        ok: 0,
        failed: [] as string[],
        opened: [] as TrackedSocket[],
        startedAt: [] as number[],
      };
      const pending: Promise<void>[] = [];
      const timer = setInterval(() => {
        result.startedAt.push(Date.now());
        pending.push(
          openWss(port, cert.certPem).then(
            (s) => {
              result.ok++;
              result.opened.push(s);
            },
            (err: Error) => void result.failed.push(err.message),
          ),
        );
      }, everyMs);
      return {
        result,
        stop: () => clearInterval(timer),
        settled: () => Promise.all(pending),
      };
    }

    it("drops none, accepts new connections throughout, and keeps the old worker draining", async () => {
      const port = await freePort();
      const params = {
        ...loopbackParams(baseArgs(), port, await freePort()),
        // Only the reload is under test: the idle timer far above the heartbeat, and the old worker
        // kept (hard-stop-after) far beyond the test's own bound, however slow the machine.
        timeouts: shortTimeouts({ tunnelSeconds: 60, hardStopAfterSeconds: 300, closeSpreadSeconds: 50 }),
      };
      const h = await launch(params, "reload.cfg");
      const conns = await openMany(port, cert.certPem, COUNT);
      sockets.push(...conns);
      const stopBeat = heartbeat(() => conns, 1000);
      const probe = probeNewConnections(port, 100);
      await sleep(1000);
      const oldWorkers = workerPids(h.pid);
      const reloadAt = Date.now();
      process.kill(h.pid, "SIGUSR2");
      // New connections across the reload: until 30 attempts started after the signal and the new
      // worker runs beside the old one (counts, not a time: a loaded machine makes fewer per second).
      await waitUntil(
        "30 new connections attempted after the reload and a second worker",
        () =>
          probe.result.startedAt.filter((t) => t >= reloadAt).length >= 30 &&
          workerPids(h.pid).some((p) => !oldWorkers.includes(p)),
        60_000,
      );
      probe.stop();
      await probe.settled();
      const workers = workerPids(h.pid);
      stopBeat();
      sockets.push(...probe.result.opened);
      const dropped = conns.filter((c) => c.closedAt !== undefined).length;
      recordFigures("haproxy reload", {
        connections: COUNT,
        dropped,
        newConnections: { ok: probe.result.ok, failed: probe.result.failed.length },
        workers: { before: oldWorkers, after: workers },
      });
      expect(dropped).toBe(0);
      expect(probe.result.failed).toEqual([]);
      expect(probe.result.ok).toBe(probe.result.startedAt.length);
      // The old worker still holds the 200, a new one serves the listeners.
      expect(workers.length).toBe(2);
      expect(workers).toEqual(expect.arrayContaining(oldWorkers));
      // Every socket still carries traffic.
      const echoes = await Promise.all(
        conns.slice(0, 20).map(
          (c) =>
            new Promise<string>((resolve) => {
              c.ws.once("message", (d) => resolve(d.toString()));
              c.ws.send("still here");
            }),
        ),
      );
      expect(new Set(echoes)).toEqual(new Set(["still here"]));
      closeAll(conns);
      closeAll(probe.result.opened);
    }, 120_000);

    it("with hard-stop-after 3 s, closes the old worker's connections within the bound; new ones survive", async () => {
      const port = await freePort();
      const hardStop = 3;
      const params = {
        ...loopbackParams(baseArgs(), port, await freePort()),
        timeouts: shortTimeouts({ tunnelSeconds: 30, hardStopAfterSeconds: hardStop, closeSpreadSeconds: 2 }),
      };
      const h = await launch(params, "hardstop.cfg");
      const conns = await openMany(port, cert.certPem, COUNT);
      sockets.push(...conns);
      const stopBeat = heartbeat(() => conns, 1000);
      const oldWorkers = workerPids(h.pid);
      // Before the signal: HAProxy's hard-stop timer starts after it.
      const reloadedAt = Date.now();
      process.kill(h.pid, "SIGUSR2");
      // New connections once the old worker has let go of the listener: they are the new worker's.
      await waitUntil(
        "the old worker to stop listening",
        () => oldWorkers.every((pid) => h.stoppedListening(pid)),
        20_000,
      );
      const fresh = await openMany(port, cert.certPem, 20);
      sockets.push(...fresh);
      const stopFresh = heartbeat(() => fresh, 1000);
      // Heartbeating, with tunnel 30 s: nothing but hard-stop-after closes them.
      await waitUntil(
        `the ${COUNT} old connections to close`,
        () => conns.every((c) => c.closedAt !== undefined),
        hardStop * 1000 + 20_000,
      );
      stopBeat();
      stopFresh();
      const closeTimes = conns
        .map((c) => (c.closedAt === undefined ? Infinity : c.closedAt - reloadedAt))
        .sort((a, b) => a - b);
      const first = closeTimes[0];
      const last = closeTimes[closeTimes.length - 1];
      recordFigures("haproxy hard-stop", {
        hardStopMs: hardStop * 1000,
        closeSpreadMs: 2000,
        closed: closeTimes.filter(Number.isFinite).length,
        firstCloseAfterReloadMs: first,
        lastCloseAfterReloadMs: last,
        spreadMs: last - first,
        closeCodes: [...new Set(conns.map((c) => c.closeCode))],
        newOpen: fresh.filter((f) => f.closedAt === undefined).length,
      });
      // Measured fact the docs rest on: close-spread-time spreads idle and HTTP closes, not TCP
      // tunnels; hard-stop-after cuts every remaining WebSocket at once. Spread, they would close
      // within close-spread-time (2 s) of the reload: none closes before hard-stop-after (3 s), with
      // 0.5 s for the clocks. If a HAProxy version starts spreading them, this fails: update
      // docs/L4.md ("HAProxy reload and drain"). How close together they close: bench/p3.ts.
      expect(first).toBeGreaterThanOrEqual(hardStop * 1000 - 500);
      expect(fresh.every((f) => f.closedAt === undefined)).toBe(true);
      closeAll(fresh);
    }, 120_000);
  });
  describe("5. soft-stop (SIGUSR1 to the master, as the kubelet's stop of the pod sends it)", () => {
    it("stops accepting, keeps open connections until hard-stop-after, then the master exits", async () => {
      const port = await freePort();
      const hardStop = 2;
      const params = {
        ...loopbackParams(baseArgs(), port, await freePort()),
        timeouts: shortTimeouts({ hardStopAfterSeconds: hardStop, closeSpreadSeconds: 1 }),
      };
      const h = await launch(params, "softstop.cfg");
      const conns = await openMany(port, cert.certPem, 20);
      sockets.push(...conns);
      const stopBeat = heartbeat(() => conns, 500);
      let exitAt: number | undefined;
      h.process.once("exit", () => (exitAt = Date.now()));
      // Before the signal: HAProxy's hard-stop timer starts after it.
      const stoppedAt = Date.now();
      process.kill(h.pid, "SIGUSR1");
      // The listener closes once the master has passed SIGUSR1 on: until then a connection may
      // still be accepted (and is closed again). Then the very next one is refused.
      let refusedAt: number | undefined;
      while (refusedAt === undefined && exitAt === undefined) {
        await openWss(port, cert.certPem).then(
          (s) => s.ws.terminate(),
          () => (refusedAt = Date.now()),
        );
      }
      expect(refusedAt).toBeDefined();
      // Heartbeating: nothing but hard-stop-after ends them, and the master waits for that.
      await waitUntil("the master to exit", () => exitAt !== undefined, hardStop * 1000 + 20_000);
      await waitUntil("the connections to close", () => conns.every((c) => c.closedAt !== undefined), 20_000);
      stopBeat();
      recordFigures("haproxy soft-stop", {
        hardStopMs: hardStop * 1000,
        refusedAfterMs: refusedAt! - stoppedAt,
        masterExitAfterMs: exitAt! - stoppedAt,
      });
      // Open ones kept until hard-stop-after (0.5 s for the clocks), the master gone after them.
      expect(Math.min(...conns.map((c) => c.closedAt! - stoppedAt))).toBeGreaterThanOrEqual(
        hardStop * 1000 - 500,
      );
      expect(exitAt! - stoppedAt).toBeGreaterThanOrEqual(hardStop * 1000 - 500);
    }, 90_000);
  });
}
