/**
 * The generated haproxy.cfg run by the real HAProxy (Debian's 2.6 locally and in CI) on 127.0.0.1:
 * 1. `haproxy -c` accepts every config of the matrix; 2. wss:// through it to a `ws` echo server;
 * 3. `timeout tunnel` semantics; 4. reload under 200 heartbeating connections, and hard-stop-after.
 * Skipped (with the reason printed) when haproxy is missing, except under CI=true where that fails.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as tls from "tls";
import { WebSocketServer } from "ws";
import { HaproxyConfigParams, HaproxyTimeouts, renderHaproxyConfig } from "../../components/l4/haproxy";
import { haproxyParamsFor } from "../../components/l4/kube";
import { planL4 } from "../../components/l4/plan";
import { L4ExposureArgs } from "../../components/l4/args";
import { baseArgs, haproxyConfigMatrix } from "./fixtures";
import {
  closeAll,
  findHaproxy,
  freePort,
  heartbeat,
  makeCertificate,
  openMany,
  openWss,
  RunningHaproxy,
  sleep,
  startEchoServer,
  startHaproxy,
  tempDir,
  TrackedSocket,
  workerPids,
} from "./harness";

const HAPROXY = findHaproxy();
const underCi = process.env.CI === "true";

if (!HAPROXY) {
  if (underCi) {
    test("haproxy is installed (required under CI=true)", () => {
      throw new Error(
        "haproxy not found on PATH or in /usr/sbin: CI must install the Debian package `haproxy`",
      );
    });
  } else {
    console.warn(
      "skipping the HAProxy integration tests: no haproxy binary on PATH or in /usr/sbin (apt-get install haproxy)",
    );
  }
}

const describeWithHaproxy = HAPROXY ? describe : describe.skip;

describeWithHaproxy("generated haproxy.cfg with the real HAProxy", () => {
  const haproxyBin = HAPROXY as string;
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
      const out = execFileSync(haproxyBin, ["-c", "-f", cfg], {
        encoding: "utf8",
        stdio: ["ignore", "pipe", "pipe"],
      });
      expect(out).toContain("Configuration file is valid");
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
      for (let i = 0; i < 40 && echo.closesSeen.length === before; i++) await sleep(25);
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

  describe("3. timeout tunnel is an idle timer (tunnel 3 s, heartbeat 1 s)", () => {
    it("keeps a heartbeating connection past 10 s and cuts a silent one at about 3 s", async () => {
      const port = await freePort();
      const params = {
        ...loopbackParams(baseArgs(), port, await freePort()),
        timeouts: shortTimeouts({ tunnelSeconds: 3 }),
      };
      await launch(params, "tunnel.cfg");
      const [busy, silent] = await Promise.all([openWss(port, cert.certPem), openWss(port, cert.certPem)]);
      sockets.push(busy, silent);
      const stop = heartbeat(() => [busy], 1000);
      await sleep(10500);
      stop();
      expect(busy.closedAt).toBeUndefined();
      expect(silent.closedAt).toBeDefined();
      const silentLife = (silent.closedAt as number) - silent.openedAt;
      console.log(
        `timeout tunnel 3s: silent connection cut after ${silentLife} ms (code ${silent.closeCode}); heartbeating one open after 10.5 s`,
      );
      expect(silentLife).toBeGreaterThanOrEqual(2500);
      expect(silentLife).toBeLessThanOrEqual(4500);
      expect(silent.closeCode).toBe(1006);
    }, 20000);
  });

  describe("4. reload (SIGUSR2 to the master) under 200 heartbeating connections", () => {
    const COUNT = 200;

    /** Opens a fresh connection every `everyMs` until stopped; counts successes and failures. */
    function probeNewConnections(port: number, everyMs: number) {
      const result = { ok: 0, failed: 0, opened: [] as TrackedSocket[] };
      const timer = setInterval(() => {
        openWss(port, cert.certPem, 2000)
          .then((s) => {
            result.ok++;
            result.opened.push(s);
          })
          .catch(() => result.failed++);
      }, everyMs);
      return { result, stop: () => clearInterval(timer) };
    }

    it("drops none, accepts new connections throughout, and keeps the old worker draining", async () => {
      const port = await freePort();
      const params = {
        ...loopbackParams(baseArgs(), port, await freePort()),
        timeouts: shortTimeouts({ tunnelSeconds: 10, hardStopAfterSeconds: 60, closeSpreadSeconds: 50 }),
      };
      const h = await launch(params, "reload.cfg");
      const conns = await openMany(port, cert.certPem, COUNT);
      sockets.push(...conns);
      const stopBeat = heartbeat(() => conns, 1000);
      const probe = probeNewConnections(port, 100);
      await sleep(1000);
      const oldWorkers = workerPids(h.pid);
      process.kill(h.pid, "SIGUSR2");
      await sleep(4000);
      probe.stop();
      await sleep(500);
      const workers = workerPids(h.pid);
      stopBeat();
      sockets.push(...probe.result.opened);
      const dropped = conns.filter((c) => c.closedAt !== undefined).length;
      console.log(
        `reload: ${COUNT} heartbeating connections, ${dropped} dropped; ${probe.result.ok} new connections accepted, ${probe.result.failed} failed during the reload; workers ${oldWorkers.join(",")} -> ${workers.join(",")}`,
      );
      expect(dropped).toBe(0);
      expect(probe.result.failed).toBe(0);
      expect(probe.result.ok).toBeGreaterThanOrEqual(30);
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
    }, 30000);

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
      process.kill(h.pid, "SIGUSR2");
      const reloadedAt = Date.now();
      await sleep(500);
      const fresh = await openMany(port, cert.certPem, 20);
      sockets.push(...fresh);
      const stopFresh = heartbeat(() => fresh, 1000);
      await sleep(hardStop * 1000 + 1500);
      stopBeat();
      stopFresh();
      const closeTimes = conns
        .map((c) => (c.closedAt === undefined ? Infinity : c.closedAt - reloadedAt))
        .sort((a, b) => a - b);
      const first = closeTimes[0];
      const last = closeTimes[closeTimes.length - 1];
      console.log(
        `hard-stop-after ${hardStop}s, close-spread-time 2s: ${closeTimes.filter(Number.isFinite).length}/${COUNT} old connections closed, ` +
          `first ${first} ms, last ${last} ms after SIGUSR2 (spread ${last - first} ms); close codes ${[...new Set(conns.map((c) => c.closeCode))].join(",")}; ` +
          `${fresh.filter((f) => f.closedAt === undefined).length}/20 new connections open`,
      );
      expect(closeTimes.every(Number.isFinite)).toBe(true);
      expect(first).toBeGreaterThanOrEqual(hardStop * 1000 - 500);
      expect(last).toBeLessThanOrEqual(hardStop * 1000 + 1000);
      // Measured fact the docs rest on: close-spread-time spreads idle and HTTP closes, not TCP
      // tunnels; hard-stop-after cuts every remaining WebSocket at once. If a HAProxy version starts
      // spreading them, this fails: update docs/L4.md ("HAProxy reload and drain").
      expect(last - first).toBeLessThan(1000);
      expect(fresh.every((f) => f.closedAt === undefined)).toBe(true);
      closeAll(fresh);
    }, 30000);
  });
  describe("5. soft-stop (SIGUSR1 to the master, as the pod's preStop sends it)", () => {
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
      const exited = new Promise<number>((resolve) => h.process.once("exit", () => resolve(Date.now())));
      process.kill(h.pid, "SIGUSR1");
      const stoppedAt = Date.now();
      await sleep(500);
      const refused = await openWss(port, cert.certPem, 1000).then(
        (s) => (s.ws.terminate(), false),
        () => true,
      );
      expect(refused).toBe(true);
      expect(conns.every((c) => c.closedAt === undefined)).toBe(true);
      const exitAt = await exited;
      stopBeat();
      console.log(
        `soft-stop: master exited ${exitAt - stoppedAt} ms after SIGUSR1 (hard-stop-after ${hardStop}s)`,
      );
      expect(exitAt - stoppedAt).toBeLessThanOrEqual(hardStop * 1000 + 1000);
      await sleep(100);
      expect(conns.every((c) => c.closedAt !== undefined)).toBe(true);
    }, 15000);
  });
});
