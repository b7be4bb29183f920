/**
 * The rollout of the HAProxy tier measured with real processes on 127.0.0.1: the L4 component's
 * config (a loopback copy, with shared session-ticket keys), the master CLI, the paced-drain driver
 * the pod runs (components/l4/haproxy/drainDriver.js), a `ws` echo server in its own process, and wsprobe's
 * soak holding N heartbeating wss:// connections with sequence-numbered, echoed messages and TLS
 * session reuse. One soak lives through two reloads of the same HAProxy:
 *   1. the baseline (today's behaviour): no driver, hard-stop-after cuts every old connection at once;
 *   2. the paced drain: the driver (--watch) closes the old worker's connections over the window.
 * Then the HAProxy CPU time of a handshake: full with an RSA-2048 certificate vs resumed (ECDSA +
 * tickets), in the same run. The integration test (1000 connections) asserts what holds on any
 * machine, with bounds from the same run; `npm run bench` (10,000) prints the strict figures.
 */
import { ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { monitorEventLoopDelay, performance } from "node:perf_hooks";
import { renderHaproxyConfig } from "../components/l4/haproxy";
import { haproxyParamsFor } from "../components/l4/haproxy";
import { planL4 } from "../components/l4/plan";
import type { L4ExposureArgs } from "../components/l4/args";
import { runSoak, type ClientEvent, type SoakReport } from "../probe";
import { makeCertificate, makeRsaCertificate } from "./certs";
import { canConnect, freePort } from "./ports";
import { pacedResumedHandshakes, tcpConnects, tlsHandshakes } from "./handshakes";
import { childPids, dyingWithParent } from "./processes";
import { settlesWithin, sleep, waitUntil, withTimeoutDetail } from "./wait";

const ROOT = path.resolve(__dirname, "..");
export const DRIVER = path.join(ROOT, "components/l4/haproxy/drainDriver.js");

export interface DrainScenarioOptions {
  haproxyBin: string;
  dir: string;
  connections: number;
  /** The paced drain's window, s. */
  windowSeconds: number;
  /** hard-stop-after, s (> windowSeconds). */
  hardStopAfterSeconds: number;
  /** The clients' heartbeat (and echoed message) interval, ms. Default 1000. */
  heartbeatMs?: number;
  /**
   * Handshakes at rest, for the reference p99: fresh wss:// handshakes that resume a session (as the
   * reconnects do), started N/window a second (the paced drain's rate) while the soak runs and
   * nothing drains, so that the ratio shows what the drain adds, not what the rate costs.
   */
  restHandshakes: number;
  /** Handshakes per variant for the CPU comparison. */
  cpuHandshakes: number;
  /** The open-files limit HAProxy gets: maxconn is lowered to fit (two descriptors per connection). */
  fdLimit?: number;
  /** Bound on each wait, against a hang only. */
  stepTimeoutMs: number;
  log?: (line: string) => void;
  signal?: AbortSignal;
}

export interface PhaseFigures {
  /**
   * HAProxy's closes as the echo server saw them (the server side of each cut, a process doing
   * nothing else): per second from the first, and first to last, ms.
   */
  serverClosesPerSecond: number[];
  serverBusiestSecond: number;
  serverCloseSpreadMs: number;
  /** Reconnect attempts per second, from the reload's first drop on. */
  arrivalsPerSecond: number[];
  busiestSecond: number;
  /** busiestSecond / (N / window). */
  arrivalRatio: number;
  /** First to last drop the client saw, ms. */
  dropSpreadMs: number;
  firstDropAfterReloadMs: number;
  /** p99 of the reconnect handshakes (TCP + TLS + upgrade), ms. */
  handshakeP99Ms: number;
  handshakeP99Ratio: number;
  reconnects: number;
  resumed: number;
  allBackAfterReloadMs: number;
  /** How late the client process's event loop ran during the phase (p99 and max, ms): its own lag. */
  clientLoopDelayMs: LoopDelay;
}

export interface LoopDelay {
  p99: number;
  max: number;
}

export interface DrainScenarioResult {
  connections: number;
  windowSeconds: number;
  hardStopAfterSeconds: number;
  restHandshakeP99Ms: number;
  /** The client process's event-loop delay while the rest handshakes ran. */
  restClientLoopDelayMs: LoopDelay;
  /** How many of the rest handshakes resumed their session. */
  restResumed: number;
  baseline: PhaseFigures;
  paced: PhaseFigures;
  /** The driver's own account (its drain-end event). */
  driver: DriverEnd | undefined;
  allBack: boolean;
  drops: number;
  /** Acknowledged messages lost: sequence gaps and out-of-order echoes. */
  lostMessages: number;
  resumedPct: number;
  /**
   * HAProxy's CPU time, ms: per TCP connection accepted and closed with no handshake (the floor
   * every reconnect pays), per full ECDSA handshake, per resumed one (ECDSA worker, shared
   * tickets), and per full RSA-2048 one (a second HAProxy, no tickets); ratio = full RSA / resumed.
   */
  cpu: {
    connectOnlyMsPerConnection: number;
    fullEcdsaMsPerHandshake: number;
    fullRsaMsPerHandshake: number;
    resumedMsPerHandshake: number;
    ratio: number;
  };
  report: SoakReport;
}

/** The echo server: its own process, so its clock is not held up by the clients' TLS work. */
export const ECHO_SERVER = `
const { WebSocketServer } = require("ws");
const server = new WebSocketServer({ host: "127.0.0.1", port: 0, path: "/ws" });
server.on("listening", () => console.log("port " + server.address().port));
server.on("connection", (socket) => {
  socket.on("message", (data) => socket.send(data));
  socket.on("close", (code) => console.log("close " + code + " " + Date.now()));
  socket.on("error", () => undefined);
});
`;

/** The closes ECHO_SERVER logged in `output`, in order: code (1006: HAProxy cut it) and wall-clock ms. */
export function echoClosesIn(output: string): Array<{ code: number; atMs: number }> {
  return [...output.matchAll(/^close (\d+) (\d+)$/gm)].map((m) => ({
    code: Number(m[1]),
    atMs: Number(m[2]),
  }));
}

function p99(values: number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(0.99 * sorted.length) - 1)];
}

/**
 * Connections HAProxy must accept beside the soak's N: the rest handshakes and the CPU comparison's
 * open a few at a time while the N are held, and a handshake over maxconn waits in the backlog.
 */
export const DRAIN_HEADROOM = 500;

/** The maxconn that fits an open-files limit: two descriptors per connection, 200 for the rest. */
export function drainMaxconn(fdLimit: number): number {
  return Math.floor((fdLimit - 200) / 2);
}

/** Handshakes of each kind per round of the CPU comparison (each round also primes one session). */
const CPU_ROUND = 100;

/** CPU seconds (user + system) of a process, from /proc. */
function cpuSeconds(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** The 3 tls-ticket-keys of the Secret: base64 of 80 random bytes each. */
export function ticketKeysFile(): string {
  return Array.from({ length: 3 }, () => randomBytes(80).toString("base64"))
    .join("\n")
    .concat("\n");
}

/** The exposure the scenario renders: the staging shape, with the drain's timers. */
export function scenarioArgs(
  o: Pick<DrainScenarioOptions, "windowSeconds" | "hardStopAfterSeconds">,
): L4ExposureArgs {
  return {
    backend: { knativeService: "messaging-service", namespace: "bench" },
    websocket: { heartbeatSeconds: 1, minLifetimeSeconds: 60 },
    knative: { minScale: 1, cluster: { maxRevisionTimeoutSeconds: 600 } },
    hostname: "ws.example.com",
    addressPool: { create: { addresses: ["192.168.1.240/29"] } },
    tls: {
      mode: "terminate",
      certificate: { secretName: "drain-tls" },
      haproxy: {
        timeouts: { tunnelSeconds: 60 },
        preStopSeconds: 1,
        hardStopAfterSeconds: o.hardStopAfterSeconds,
        closeSpreadSeconds: 1,
        drain: { windowSeconds: o.windowSeconds },
        sessionTickets: { secretName: "drain-tickets" },
      },
    },
  };
}

/**
 * The rendered config of the scenario's exposure with the pod-specific values made loopback ones:
 * listening on 127.0.0.1:`port`, every server the echo server, no health check, no log.
 */
export function loopbackHaproxyConfig(
  o: Pick<DrainScenarioOptions, "windowSeconds" | "hardStopAfterSeconds">,
  at: {
    port: number;
    echoPort: number;
    certPath: string;
    ticketKeysPath: string | undefined;
    runtimeDir: string;
    maxconn: number;
  },
): string {
  const params = haproxyParamsFor(planL4("drain", scenarioArgs(o)));
  return renderHaproxyConfig({
    ...params,
    bindAddress: "127.0.0.1",
    bindPort: at.port,
    certPath: at.certPath,
    ticketKeysPath: at.ticketKeysPath,
    servers: params.servers.map((s) => ({ ...s, address: "127.0.0.1", port: at.echoPort })),
    health: undefined,
    runtimeDir: at.runtimeDir,
    log: false,
    maxconn: at.maxconn,
  });
}

export interface Started {
  child: ChildProcess;
  output: () => string;
}

/** Starts `command args`, killed with this process if it dies first (a killed bench or test runner). */
export function startProcess(command: string, args: string[], cwd = ROOT): Started {
  const [file, argv] = dyingWithParent(command, args);
  const child = spawn(file, argv, { cwd, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout?.on("data", (d) => (out += d.toString()));
  child.stderr?.on("data", (d) => (out += d.toString()));
  return { child, output: () => out };
}

export async function stop(p: Started | undefined): Promise<void> {
  if (!p || p.child.exitCode !== null || p.child.signalCode !== null) return;
  const exited = new Promise((r) => p.child.once("exit", r));
  p.child.kill("SIGTERM");
  await settlesWithin(exited, 3000);
  if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill("SIGKILL");
}

/** Starts `haproxy -W -db -S <master socket> -f cfg` (fd limit raised) and waits for its port. */
export async function startHaproxy(
  bin: string,
  cfgPath: string,
  socket: string,
  port: number,
  timeoutMs: number,
) {
  const p = startProcess("/bin/sh", [
    "-c",
    `ulimit -n "$(ulimit -Hn)"; exec "$0" -W -db -S "$1,mode,600" -f "$2"`,
    bin,
    socket,
    cfgPath,
  ]);
  const listening = () => {
    if (p.child.exitCode !== null) throw new Error(`haproxy exited ${p.child.exitCode}:\n${p.output()}`);
    return canConnect(port);
  };
  try {
    const waiting = waitUntil(`haproxy to listen on ${port}`, listening, timeoutMs, 50);
    await withTimeoutDetail(waiting, () => `:\n${p.output()}`);
  } catch (err) {
    await stop(p);
    throw err;
  }
  return p;
}

/**
 * Starts the paced-drain driver (--watch) against the master CLI, and waits for its first look at
 * `show proc` (no old worker yet), so that a reload right after is one it sees.
 */
export async function startDriver(socket: string, windowSeconds: number): Promise<Started> {
  const driver = startProcess(process.execPath, [
    DRIVER,
    "--socket",
    socket,
    "--window",
    String(windowSeconds),
    "--order",
    "oldest",
    "--watch",
  ]);
  await sleep(1200);
  return driver;
}

export interface DriverEnd {
  sessions: number;
  closed: number;
  elapsedMs: number;
}

/** The driver's own account of its drain (its drain-end event), if it logged one. */
export function driverEndOf(output: string): DriverEnd | undefined {
  const end = /"event":"drain-end".*$/m.exec(output);
  return end ? (JSON.parse(`{${end[0]}`) as DriverEnd) : undefined;
}

/** SIGKILLs the HAProxy masters and workers of `pids` still running: a worker can outlive its master. */
export function killHaproxies(pids: number[]): void {
  // Ours, by pid; a pid the system gave to another program since is left alone.
  for (const pid of pids) {
    if (!isHaproxy(pid)) continue;
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
}

/** Lists `master`'s workers when called, adding each to `seen` (for killHaproxies at the end). */
export function workersOf(master: number, seen: number[]): () => number[] {
  return () => {
    const w = childPids(master);
    seen.push(...w.filter((p) => !seen.includes(p)));
    return w;
  };
}

/** Whether `pid` is (still) a running haproxy. */
export function isHaproxy(pid: number): boolean {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0")[0].endsWith("haproxy");
  } catch {
    return false;
  }
}

/** Per-second counts of `times` (ms) from `from`. */
export function perSecond(times: number[], from: number): number[] {
  const counts: number[] = [];
  for (const t of times) {
    const s = Math.max(0, Math.floor((t - from) / 1000));
    while (counts.length <= s) counts.push(0);
    counts[s]++;
  }
  return counts;
}

export async function runDrainScenario(o: DrainScenarioOptions): Promise<DrainScenarioResult> {
  const log = o.log ?? (() => undefined);
  const N = o.connections;
  const fdLimit = o.fdLimit ?? 65536;
  const maxconn = Math.min(Math.max(5000, N + DRAIN_HEADROOM), drainMaxconn(fdLimit));
  if (N + DRAIN_HEADROOM > maxconn)
    throw new Error(
      `${N} connections leave HAProxy (maxconn ${maxconn} with ${fdLimit} open files) no room for the ${DRAIN_HEADROOM} ` +
        `handshakes beside them: use at most ${maxconn - DRAIN_HEADROOM} connections, or raise the open-files limit`,
    );
  const cert = makeCertificate(o.dir);
  const rsa = makeRsaCertificate(o.dir);
  const ca = fs.readFileSync(cert.certPath);
  const ticketsPath = path.join(o.dir, "tls-ticket-keys");
  fs.writeFileSync(ticketsPath, ticketKeysFile(), { mode: 0o600 });
  const processes: Started[] = [];
  const haproxyPids: number[] = [];
  // Stopped in `finally` too: a failed step must not leave N clients reconnecting.
  const abort = new AbortController();
  let soakSettled: Promise<unknown> = Promise.resolve();
  try {
    const echo = startProcess(process.execPath, ["-e", ECHO_SERVER]);
    processes.push(echo);
    await waitUntil("the echo server", () => /port \d+/.test(echo.output()), o.stepTimeoutMs);
    const echoPort = Number(/port (\d+)/.exec(echo.output())![1]);
    /**
     * Every close the echo server logged, in order: its code (1006: HAProxy cut the connection) and
     * its wall-clock time. A loaded echo process logs a close late, so a phase's closes are taken
     * by position (those logged after the phase began), never by timestamp.
     */
    const echoCloses = () => echoClosesIn(echo.output());

    const loopback = (
      port: number,
      certPath: string,
      ticketKeysPath: string | undefined,
      runtimeDir: string,
    ) => loopbackHaproxyConfig(o, { port, echoPort, certPath, ticketKeysPath, runtimeDir, maxconn });
    const port = await freePort();
    const cfgPath = path.join(o.dir, "haproxy.cfg");
    fs.writeFileSync(cfgPath, loopback(port, cert.certPath, ticketsPath, o.dir));
    const socket = path.join(o.dir, "master.sock");
    const haproxy = await startHaproxy(o.haproxyBin, cfgPath, socket, port, o.stepTimeoutMs);
    processes.push(haproxy);
    const master = haproxy.child.pid as number;
    haproxyPids.push(master);
    const workers = workersOf(master, haproxyPids);

    const url = `wss://localhost:${port}/ws`;
    const events: ClientEvent[] = [];
    o.signal?.addEventListener("abort", () => abort.abort());
    let latestOpen = 0;
    let drops = 0;
    const soak = runSoak({
      url,
      caFile: cert.certPath,
      durationMs: 100 * o.stepTimeoutMs,
      connections: N,
      heartbeatMs: o.heartbeatMs ?? 1000,
      // HAProxy's idle timer is 60 s: only a reload ends a connection, however late the client's pongs.
      maxMissedHeartbeats: Math.max(2, Math.floor(59_000 / (o.heartbeatMs ?? 1000))),
      message: '{"seq":{seq}}',
      echo: true,
      backoff: { initialMs: 100, maxMs: 1000, maxAttempts: 10, jitter: false },
      rampPerSecond: 500,
      handshakeTimeoutMs: 60_000,
      reuseTlsSessions: true,
      signal: abort.signal,
      progressIntervalMs: 50,
      onProgress: (p) => {
        latestOpen = p.open;
        drops = p.drops;
      },
      onClientEvent: (e) => events.push(e),
    });
    let soakEnded = false;
    soakSettled = soak.finally(() => (soakEnded = true)).catch(() => undefined);
    const waitFor = (what: string, ok: () => boolean) =>
      waitUntil(
        what,
        () => {
          if (soakEnded) throw new Error(`the soak ended before ${what}`);
          return ok();
        },
        o.stepTimeoutMs,
      ).catch((err: Error) => {
        throw new Error(`${err.message} (open ${latestOpen}, drops ${drops})`);
      });

    await waitFor(`${N} open`, () => latestOpen === N);
    await sleep(Math.max(1500, (o.heartbeatMs ?? 1000) + 500)); // a heartbeat round on every connection
    if (drops > 0) throw new Error(`${drops} drops before any reload`);
    const restPerSecond = N / o.windowSeconds;
    log(
      `drain scenario: ${N} open; ${o.restHandshakes} resumed handshakes at rest, ${restPerSecond} a second`,
    );
    const closesBeforeRest = echoCloses().length;
    const loopDelay = monitorEventLoopDelay({ resolution: 10 });
    loopDelay.enable();
    const loopDelaySinceReset = (): LoopDelay => {
      const figures = { p99: loopDelay.percentile(99) / 1e6, max: loopDelay.max / 1e6 };
      loopDelay.reset();
      return figures;
    };
    loopDelay.reset();
    const rest = await pacedResumedHandshakes(url, ca, o.restHandshakes, restPerSecond, o.stepTimeoutMs);
    const restClientLoopDelayMs = loopDelaySinceReset();
    const restHandshakeP99Ms = p99(rest.ms);
    // Their server-side closes must not land in the first reload's figures.
    await waitFor(
      `the echo server to log the rest handshakes' closes`,
      () => echoCloses().length >= closesBeforeRest + o.restHandshakes + 1,
    );

    /** One reload: the figures of its drops and reconnects. */
    const reload = async (label: string): Promise<PhaseFigures> => {
      const before = workers();
      const from = events.length;
      const dropsBefore = drops;
      const closesBefore = echoCloses().length;
      loopDelay.reset();
      const reloadAt = performance.now();
      process.kill(master, "SIGUSR2");
      log(`drain scenario: ${label}: reload`);
      await waitFor(`${label}: every old connection dropped`, () => drops >= dropsBefore + N);
      await waitFor(`${label}: every connection back`, () => latestOpen === N);
      const backAt = performance.now();
      await waitUntil(
        `${label}: the old worker to exit`,
        () => !workers().some((p) => before.includes(p)),
        o.stepTimeoutMs,
      );
      const cutsLogged = () =>
        echoCloses()
          .slice(closesBefore)
          .filter((c) => c.code === 1006);
      await waitFor(`${label}: the echo server to log the ${N} cuts`, () => cutsLogged().length >= N);
      const phase = events.slice(from);
      const dropTimes = phase.filter((e) => e.type === "dropped").map((e) => e.atMs);
      const arrivals = phase.filter((e) => e.type === "reconnecting").map((e) => e.atMs);
      const opened = phase.filter((e): e is Extract<ClientEvent, { type: "opened" }> => e.type === "opened");
      const serverCloses = cutsLogged().map((c) => c.atMs);
      const serverClosesPerSecond = perSecond(serverCloses, Math.min(...serverCloses));
      const arrivalsPerSecond = perSecond(arrivals, Math.min(...dropTimes));
      const busiestSecond = Math.max(...arrivalsPerSecond);
      const handshakeP99Ms = p99(opened.map((e) => e.handshakeMs));
      return {
        serverClosesPerSecond,
        serverBusiestSecond: Math.max(...serverClosesPerSecond),
        serverCloseSpreadMs: Math.max(...serverCloses) - Math.min(...serverCloses),
        arrivalsPerSecond,
        busiestSecond,
        arrivalRatio: busiestSecond / (N / o.windowSeconds),
        dropSpreadMs: Math.max(...dropTimes) - Math.min(...dropTimes),
        firstDropAfterReloadMs: Math.min(...dropTimes) - reloadAt,
        handshakeP99Ms,
        handshakeP99Ratio: handshakeP99Ms / restHandshakeP99Ms,
        reconnects: opened.length,
        resumed: opened.filter((e) => e.tlsResumed).length,
        allBackAfterReloadMs: backAt - reloadAt,
        clientLoopDelayMs: loopDelaySinceReset(),
      };
    };

    const baseline = await reload("baseline (no pacing)");
    const driver = await startDriver(socket, o.windowSeconds);
    processes.push(driver);
    const paced = await reload("paced drain");
    loopDelay.disable();
    const driverEnd = driverEndOf(driver.output());

    await sleep(Math.max(1500, (o.heartbeatMs ?? 1000) + 500)); // a heartbeat round on the reconnected ones
    abort.abort();
    const report = await soak;

    log(`drain scenario: HAProxy CPU, ${o.cpuHandshakes} each: resumed, full ECDSA, connect only, full RSA`);
    const worker = workers()[0];
    // RSA: a second HAProxy with an RSA-2048 certificate and no tickets (every handshake full).
    const rsaDir = fs.mkdtempSync(path.join(o.dir, "rsa-"));
    const rsaPort = await freePort();
    const rsaCfg = path.join(rsaDir, "haproxy.cfg");
    fs.writeFileSync(rsaCfg, loopback(rsaPort, rsa.certPath, undefined, rsaDir));
    const rsaHaproxy = await startHaproxy(
      o.haproxyBin,
      rsaCfg,
      path.join(rsaDir, "master.sock"),
      rsaPort,
      o.stepTimeoutMs,
    );
    processes.push(rsaHaproxy);
    haproxyPids.push(rsaHaproxy.child.pid as number);
    // The master listens before it forks its worker.
    await waitUntil(
      "the RSA HAProxy's worker",
      () => childPids(rsaHaproxy.child.pid as number).length > 0,
      o.stepTimeoutMs,
    );
    const rsaWorker = childPids(rsaHaproxy.child.pid as number)[0];
    haproxyPids.push(rsaWorker);
    const rsaCa = fs.readFileSync(rsa.certPath);
    // In rounds that take turns, so that a change in the machine's load weighs on every kind alike.
    const spent = { resumed: 0, ecdsa: 0, connectOnly: 0, rsa: 0 };
    const cpuOf = async (pid: number, work: () => Promise<unknown>) => {
      const before = cpuSeconds(pid);
      await work();
      return cpuSeconds(pid) - before;
    };
    let resumedCount = 0;
    for (let done = 0; done < o.cpuHandshakes; done += CPU_ROUND) {
      const n = Math.min(CPU_ROUND, o.cpuHandshakes - done);
      spent.resumed += await cpuOf(worker, async () => {
        resumedCount += await tlsHandshakes(port, ca, n, true);
      });
      spent.ecdsa += await cpuOf(worker, () => tlsHandshakes(port, ca, n, false));
      spent.connectOnly += await cpuOf(worker, () => tcpConnects(port, n));
      spent.rsa += await cpuOf(rsaWorker, () => tlsHandshakes(rsaPort, rsaCa, n, false));
    }
    if (resumedCount < o.cpuHandshakes * 0.9)
      throw new Error(`only ${resumedCount} of ${o.cpuHandshakes} handshakes resumed`);
    const perOne = (seconds: number) => (seconds * 1000) / o.cpuHandshakes;
    const cpu = {
      connectOnlyMsPerConnection: perOne(spent.connectOnly),
      fullEcdsaMsPerHandshake: perOne(spent.ecdsa),
      fullRsaMsPerHandshake: perOne(spent.rsa),
      resumedMsPerHandshake: perOne(spent.resumed),
      ratio: spent.rsa / Math.max(spent.resumed, 0.01),
    };

    const reconnects = baseline.reconnects + paced.reconnects;
    return {
      connections: N,
      windowSeconds: o.windowSeconds,
      hardStopAfterSeconds: o.hardStopAfterSeconds,
      restHandshakeP99Ms,
      restClientLoopDelayMs,
      restResumed: rest.resumed,
      baseline,
      paced,
      driver: driverEnd,
      allBack: report.connections.openAtEnd === N && report.connections.exhausted === 0,
      drops: report.drops.total,
      lostMessages: (report.echo?.gaps ?? 0) + (report.echo?.outOfOrder ?? 0),
      resumedPct: (100 * (baseline.resumed + paced.resumed)) / reconnects,
      cpu,
      report,
    };
  } finally {
    abort.abort();
    await settlesWithin(soakSettled, 10_000);
    for (const p of processes.reverse()) await stop(p);
    killHaproxies(haproxyPids);
  }
}
