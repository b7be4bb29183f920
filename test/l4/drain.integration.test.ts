/**
 * The pod-stop half of the paced drain with the real HAProxy (Debian's 2.6 and the pods' 3.2) on 127.0.0.1: 50
 * heartbeating wss:// connections, SIGUSR1 to the master (what the kubelet's stop of the haproxy
 * container sends, the image's STOPSIGNAL), then the driver as the drain sidecar's preStop runs it (`--all-after`, here 0 s and a 3 s
 * window) through the master CLI. The reload half (`--watch`, 1000 connections) is
 * test/hardening/drain.integration.test.ts.
 *
 * Timing: waits are bounded only against a hang; the assertions are counts, the driver's own
 * account, and times from below (no close before its
 * turn in the plan). Skipped with the reason printed when haproxy or openssl is missing, except under CI=true.
 */
import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { planDrain } from "../../components/l4/haproxy/drainDriver";
import { DRIVER } from "../../support/drainScenario";
import { baseArgs } from "./fixtures";
import {
  freePort,
  heartbeat,
  makeCertificate,
  openMany,
  requireHaproxies,
  RunningHaproxy,
  startEchoServer,
  startHaproxy,
  tempDir,
  TrackedSocket,
  waitUntil,
  writeLoopbackConfig,
} from "./harness";

const N = 50;
const WINDOW_S = 3;
const HARD_STOP_S = 30;
const STEP_TIMEOUT_MS = 60_000;

for (const { haproxy, describe: describeWith } of requireHaproxies("the pod-stop drain test")) {
  describeWith(`paced drain on pod stop: soft-stop, then the driver, HAProxy ${haproxy.version}`, () =>
    suite(haproxy.binary),
  );
}

function suite(haproxyBin: string): void {
  let dir: string;
  let haproxy: RunningHaproxy | undefined;
  let echo: Awaited<ReturnType<typeof startEchoServer>> | undefined;
  let sockets: TrackedSocket[] = [];

  afterAll(async () => {
    for (const s of sockets) s.ws.terminate();
    await haproxy?.stop();
    await new Promise((r) => (echo ? echo.server.close(r) : r(undefined)));
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  test(
    "every connection closed by the driver at its turn, none early; then the master exits",
    async () => {
      dir = tempDir();
      const cert = makeCertificate(dir);
      echo = await startEchoServer();
      const port = await freePort();
      const cfgPath = writeLoopbackConfig(
        baseArgs({
          tls: {
            mode: "terminate",
            certificate: { secretName: "podstop-tls" },
            haproxy: {
              preStopSeconds: 1,
              hardStopAfterSeconds: HARD_STOP_S,
              drain: { windowSeconds: WINDOW_S },
            },
          },
        }),
        { port, backendPort: echo.port, runtimeDir: dir, certPath: cert.certPath, maxconn: 1000 },
      );
      const socket = path.join(dir, "master.sock");
      haproxy = await startHaproxy(haproxyBin, cfgPath, port, ["-S", `${socket},mode,600`]);
      sockets = await openMany(port, cert.certPem, N, 10);
      const stopBeat = heartbeat(() => sockets, 500);
      const masterExited = new Promise<number>((r) => haproxy!.process.once("exit", () => r(Date.now())));

      const softStopAt = Date.now();
      process.kill(haproxy.pid, "SIGUSR1");
      const driver = spawn(
        process.execPath,
        [DRIVER, "--socket", socket, "--window", String(WINDOW_S), "--all-after", "0"],
        { stdio: ["ignore", "pipe", "pipe"] },
      );
      let out = "";
      driver.stdout.on("data", (d) => (out += d.toString()));
      driver.stderr.on("data", (d) => (out += d.toString()));
      const driverCode = await new Promise<number | null>((r) => driver.once("exit", r));
      await waitUntil(
        "every connection closed",
        () => sockets.every((s) => s.closedAt !== undefined),
        STEP_TIMEOUT_MS,
      );
      stopBeat();
      const exitAt = await masterExited;

      const events = out
        .split("\n")
        .filter((l) => l.startsWith("{"))
        .map((l) => JSON.parse(l));
      expect(driverCode).toBe(0);
      expect(events.map((e) => e.event)).toEqual(["drain-start", "drain-end"]);
      expect(events[0]).toMatchObject({ sessions: N, windowMs: WINDOW_S * 1000, order: "oldest" });
      expect(events[1]).toMatchObject({ sessions: N, closed: N });
      // Every client saw its connection cut (1006), none before its turn in the plan.
      expect(sockets.map((s) => s.closeCode)).toEqual(Array(N).fill(1006));
      const closes = sockets.map((s) => (s.closedAt as number) - softStopAt).sort((a, b) => a - b);
      const turns = planDrain(
        Array.from({ length: N }, (_, i) => ({ id: String(i), ageSeconds: 0 })),
        { windowMs: WINDOW_S * 1000 },
      ).flatMap((b) => b.ids.map(() => b.atMs));
      closes.forEach((t, i) => expect(t).toBeGreaterThanOrEqual(turns[i] - 5));
      // The server side saw the same N cuts; the master exited (its last worker had nothing left).
      expect(echo.closesSeen.filter((c) => c === 1006).length).toBe(N);
      expect(exitAt).toBeGreaterThan(softStopAt);
    },
    3 * STEP_TIMEOUT_MS,
  );
}
