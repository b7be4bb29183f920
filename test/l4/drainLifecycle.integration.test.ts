/**
 * The drain driver's process (dist/bundle/haproxy-drain.js, the bundle the sidecar runs) at the
 * edges of HAProxy's life:
 * - the sidecar's preStop (`--all-after`) when HAProxy has already exited (an idle pod: its master
 *   exits at soft-stop, about 10 s into the pod's stop, as the driver's wait ends or before): the drain
 *   is done, exit 0 with a line on stderr, not ECONNREFUSED and exit 1 (a FailedPreStopHook event);
 * - the sidecar's main process (`--watch`) started before HAProxy: it waits for the master CLI,
 *   bounded, and says so, instead of exiting.
 * With the real HAProxy on 127.0.0.1 (once per branch: Debian's 2.6 and the pods' 3.2), and, where
 * only the socket matters, without one: a missing socket path (nothing stands in for HAProxy).
 */
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as path from "path";
import { DRIVER } from "../../support/drainScenario";
import { baseArgs } from "./fixtures";
import {
  freePort,
  requireHaproxies,
  startHaproxy,
  tempDir,
  waitUntil,
  RunningHaproxy,
  writeLoopbackConfig,
} from "./harness";

const STEP_TIMEOUT_MS = 30_000;

interface Driver {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

function startDriver(args: string[]): Driver {
  const child = spawn(process.execPath, [DRIVER, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stdout?.on("data", (d) => (out += d.toString()));
  child.stderr?.on("data", (d) => (err += d.toString()));
  const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
  return { child, stdout: () => out, stderr: () => err, exited };
}

const events = (out: string) =>
  out
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe("the drain driver without HAProxy (no socket at the path)", () => {
  let dir: string;
  beforeAll(() => (dir = tempDir()));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test("--all-after: a master CLI that is gone after the wait means the drain is done: exit 0, said on stderr", async () => {
    const socket = path.join(dir, "gone.sock");
    const d = startDriver(["--socket", socket, "--window", "1", "--all-after", "0"]);
    expect(await d.exited).toBe(0);
    expect(d.stderr()).toBe(
      `haproxy-drain: the master CLI ${socket} is gone after the wait (ENOENT): HAProxy has exited, nothing is left to drain\n`,
    );
    expect(d.stdout()).toBe("");
  });

  test("--watch: waits for the master CLI, bounded by --wait-for-master, then exits 1 naming the socket", async () => {
    const socket = path.join(dir, "never.sock");
    const startedAt = Date.now();
    const d = startDriver(["--socket", socket, "--window", "1", "--watch", "--wait-for-master", "2"]);
    expect(await d.exited).toBe(1);
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(2000);
    expect(d.stderr()).toBe(
      [
        `haproxy-drain: waiting up to 2 s for the master CLI ${socket} (HAProxy not up yet: connect ENOENT ${socket})`,
        `haproxy-drain: the master CLI ${socket} did not answer within 2 s (connect ENOENT ${socket}); is HAProxy running with -S ${socket}?`,
        "",
      ].join("\n"),
    );
  });
});

for (const { haproxy, describe: describeWith } of requireHaproxies("the drain lifecycle tests")) {
  describeWith(`the drain driver at HAProxy's start and exit, HAProxy ${haproxy.version}`, () =>
    suite(haproxy.binary),
  );
}

function suite(haproxyBin: string): void {
  let dir: string;
  let backend: net.Server;
  const running: RunningHaproxy[] = [];
  const drivers: Driver[] = [];
  const clients: net.Socket[] = [];

  beforeAll(async () => {
    dir = tempDir();
    backend = net.createServer((s) => s.on("error", () => undefined));
    await new Promise<void>((r) => backend.listen(0, "127.0.0.1", () => r()));
  });

  afterAll(async () => {
    for (const c of clients) c.destroy();
    for (const d of drivers) d.child.kill("SIGKILL");
    for (const h of running) await h.stop();
    backend.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** The rendered config on loopback, plain TCP, with its master CLI socket; not started. */
  async function config(name: string): Promise<{ cfgPath: string; socket: string; port: number }> {
    const port = await freePort();
    const runtimeDir = fs.mkdtempSync(path.join(dir, `${name}-`));
    const cfgPath = writeLoopbackConfig(baseArgs(), {
      port,
      backendPort: (backend.address() as net.AddressInfo).port,
      runtimeDir,
      maxconn: 100,
    });
    return { cfgPath, socket: path.join(runtimeDir, "master.sock"), port };
  }

  async function start(c: { cfgPath: string; socket: string; port: number }): Promise<RunningHaproxy> {
    const h = await startHaproxy(haproxyBin, c.cfgPath, c.port, ["-S", `${c.socket},mode,600`]);
    running.push(h);
    return h;
  }

  test(
    "an idle pod stop: the master exits at soft-stop, the sidecar's preStop then exits 0 (ECONNREFUSED: the drain is done)",
    async () => {
      const c = await config("idle");
      const h = await start(c);
      const masterExited = new Promise<void>((r) => h.process.once("exit", () => r()));
      process.kill(h.pid, "SIGUSR1");
      await masterExited;
      // The sidecar's wait (the same preStopSeconds as HAProxy's) ends after that exit: the driver
      // starts its look now, as it does when its wait is over.
      const d = startDriver(["--socket", c.socket, "--window", "1", "--all-after", "0"]);
      drivers.push(d);
      expect(await d.exited).toBe(0);
      // The master leaves its socket file behind: a connection to it is refused.
      expect(fs.existsSync(c.socket)).toBe(true);
      expect(d.stderr()).toBe(
        `haproxy-drain: the master CLI ${c.socket} is gone after the wait (ECONNREFUSED): HAProxy has exited, nothing is left to drain\n`,
      );
    },
    STEP_TIMEOUT_MS,
  );

  test(
    "--watch started before HAProxy: says it waits, keeps running, then drains the old worker of a reload",
    async () => {
      const c = await config("early");
      const d = startDriver(["--socket", c.socket, "--window", "1", "--watch"]);
      drivers.push(d);
      await waitUntil(
        "the driver's wait message",
        () => d.stderr().includes("waiting up to"),
        STEP_TIMEOUT_MS,
      );
      expect(d.stderr()).toContain(
        `haproxy-drain: waiting up to 300 s for the master CLI ${c.socket} (HAProxy not up yet: connect ENOENT ${c.socket})`,
      );
      const h = await start(c);
      await waitUntil("the driver seeing the master", () => d.stderr().includes("is up"), STEP_TIMEOUT_MS);
      expect(d.child.exitCode).toBe(null);
      // One connection on the first worker, then a reload: the driver drains the old worker.
      const client = net.connect(c.port, "127.0.0.1", () => client.write("x"));
      client.on("error", () => undefined);
      clients.push(client);
      const closed = new Promise<void>((r) => client.once("close", () => r()));
      await waitUntil("the connection", () => !client.connecting, STEP_TIMEOUT_MS);
      process.kill(h.pid, "SIGUSR2");
      await closed;
      await waitUntil("the drain's end", () => d.stdout().includes('"drain-end"'), STEP_TIMEOUT_MS);
      expect(events(d.stdout()).map((e) => [e.event, e.sessions, e.closed])).toEqual([
        ["drain-start", 1, undefined],
        ["drain-end", 1, 1],
      ]);
      d.child.kill("SIGTERM");
      expect(await d.exited).toBe(0);
    },
    2 * STEP_TIMEOUT_MS,
  );
}
