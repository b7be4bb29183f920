/**
 * A paced-drain batch longer than the master CLI's buffer, with the real HAProxy on 127.0.0.1 (once
 * per branch: Debian's 2.6 and the pods' 3.2): 1000 TCP connections through the rendered frontend,
 * soft-stop (SIGUSR1, as the pod's stop sends it), then the driver as the drain sidecar's preStop
 * runs it with a 1 s window and one tick for the whole window, so the 1000 closes are one batch of
 * about 41 KB of commands. HAProxy 3.x runs none of a line over tune.bufsize - tune.maxrewrite
 * (15,360 bytes): the driver must split the batch, and count only the closes HAProxy answered.
 * Every connection must be closed by the driver, long before hard-stop-after would cut it.
 *
 * Plain TCP (no TLS): the driver sees a stream of the frontend either way, and 1000 TLS handshakes
 * would only slow the test down. Waits are bounded against a hang only.
 */
import { spawn } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as path from "path";
import { MAX_CLI_LINE_BYTES } from "../../components/l4/haproxy/drainDriver";
import { DRIVER } from "../../support/drainScenario";
import { baseArgs } from "./fixtures";
import {
  freePort,
  requireHaproxies,
  RunningHaproxy,
  startHaproxy,
  tempDir,
  waitUntil,
  writeLoopbackConfig,
} from "./harness";

const N = 1000;
const WINDOW_S = 1;
const HARD_STOP_S = 20;
const STEP_TIMEOUT_MS = 60_000;

for (const { haproxy, describe: describeWith } of requireHaproxies("the drain batch test")) {
  describeWith(`paced drain of ${N} connections in one batch, HAProxy ${haproxy.version}`, () =>
    suite(haproxy.binary),
  );
}

function suite(haproxyBin: string): void {
  let dir: string;
  let haproxy: RunningHaproxy | undefined;
  let backend: net.Server | undefined;
  const clients: net.Socket[] = [];
  const held = new Set<net.Socket>();

  afterAll(async () => {
    for (const c of [...clients, ...held]) c.destroy();
    await haproxy?.stop();
    await new Promise((r) => (backend ? backend.close(r) : r(undefined)));
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  test(
    `all ${N} closed by the driver within its ${WINDOW_S} s window, before hard-stop-after, each counted from HAProxy's answer`,
    async () => {
      dir = tempDir();
      // The backend's open connections (startHaproxy's probes come and go).
      backend = net.createServer((s) => {
        held.add(s);
        s.on("close", () => held.delete(s));
        s.on("error", () => undefined);
      });
      await new Promise<void>((r) => backend!.listen(0, "127.0.0.1", () => r()));
      const backendPort = (backend.address() as net.AddressInfo).port;
      const port = await freePort();
      const cfgPath = writeLoopbackConfig(
        baseArgs({
          tls: {
            mode: "terminate",
            certificate: { secretName: "batch-tls" },
            haproxy: {
              preStopSeconds: 1,
              hardStopAfterSeconds: HARD_STOP_S,
              drain: { windowSeconds: WINDOW_S },
            },
          },
        }),
        { port, backendPort, runtimeDir: dir, maxconn: 2 * N },
      );
      const socket = path.join(dir, "master.sock");
      haproxy = await startHaproxy(haproxyBin, cfgPath, port, ["-S", `${socket},mode,600`]);

      const closedAt: number[] = [];
      for (let i = 0; i < N; i++) {
        // A first byte: HAProxy connects to the server when the client has sent something.
        const c = net.connect(port, "127.0.0.1", () => c.write("x"));
        c.on("error", () => undefined);
        c.on("close", () => closedAt.push(Date.now()));
        clients.push(c);
      }
      await waitUntil(`${N} connections through HAProxy`, () => held.size === N, STEP_TIMEOUT_MS);

      const softStopAt = Date.now();
      process.kill(haproxy.pid, "SIGUSR1");
      const driver = spawn(
        process.execPath,
        [
          DRIVER,
          "--socket",
          socket,
          "--window",
          String(WINDOW_S),
          "--tick-ms",
          String(WINDOW_S * 1000),
          "--all-after",
          "0",
        ],
        { stdio: ["ignore", "pipe", "pipe"] },
      );
      let out = "";
      let err = "";
      driver.stdout.on("data", (d) => (out += d.toString()));
      driver.stderr.on("data", (d) => (err += d.toString()));
      const driverCode = await new Promise<number | null>((r) => driver.once("exit", r));
      await waitUntil(`all ${N} closed`, () => closedAt.length === N, STEP_TIMEOUT_MS);

      const events = out
        .split("\n")
        .filter((l) => l.startsWith("{"))
        .map((l) => JSON.parse(l));
      // The driver closed them, not hard-stop-after: every close before it.
      expect(Math.max(...closedAt) - softStopAt).toBeLessThan(HARD_STOP_S * 1000);
      expect({ driverCode, err }).toEqual({ driverCode: 0, err: "" });
      expect(events.filter((e) => e.event === "drain-error")).toEqual([]);
      expect(events.map((e) => e.event)).toEqual(["drain-start", "drain-end"]);
      expect(events[1]).toMatchObject({ sessions: N, closed: N, notClosed: 0 });
      // The closes went out split over several master CLI lines (one line of them all is what
      // HAProxy 3.x drops). Not exact: the worker's pid and the session pointers' lengths vary.
      // At least what N of the shortest possible command ("@!1 shutdown session 0x1; ") fill.
      const fewestLines = Math.ceil((N * "@!1 shutdown session 0x1; ".length) / MAX_CLI_LINE_BYTES);
      expect(fewestLines).toBeGreaterThan(1);
      console.log(`${N} closes in one tick went out over ${events[1].cliLines} master CLI lines`);
      expect(events[1].cliLines).toBeGreaterThanOrEqual(fewestLines);
      // And no more than the longest possible command (a 7-digit pid, a 64-bit pointer) fills, a
      // line losing at most one command's room: more lines would mean the tick was not one batch.
      const longest = "@!4194304 shutdown session 0x0123456789abcdef; ".length;
      expect(events[1].cliLines).toBeLessThanOrEqual(
        Math.ceil((N * longest) / (MAX_CLI_LINE_BYTES - longest)),
      );
    },
    3 * STEP_TIMEOUT_MS,
  );
}
