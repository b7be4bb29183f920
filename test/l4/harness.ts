/** Real processes on 127.0.0.1 for the L4 integration tests: HAProxy, a `ws` echo server, clients. */
import { canConnect, freePort } from "../../support/ports";
import { ChildProcess, execFileSync, spawn } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { childPids, dyingWithParent } from "../../support/processes";
import { settlesWithin, waitUntil, withTimeoutDetail } from "../../support/wait";
import type { L4ExposureArgs } from "../../components/l4/args";
import { renderHaproxyConfig } from "../../components/l4/haproxy";
import { haproxyParamsFor } from "../../components/l4/haproxy";
import { planL4 } from "../../components/l4/plan";
import WebSocket, { WebSocketServer } from "ws";

const ROOT = path.resolve(__dirname, "../..");

/** One HAProxy build the integration tests run: where it comes from, its binary and exact version. */
export interface HaproxyUnderTest {
  /** "host": the system's package (Debian 12: 2.6); "3.2": the pods' branch (scripts/haproxy32.sh). */
  source: "host" | "3.2";
  binary: string;
  /** `haproxy -v`'s version, e.g. "3.2.26-1". */
  version: string;
}

/** The version `haproxy -v` prints ("2.6.12-1+deb12u4"), or undefined when it does not run. */
export function haproxyVersion(binary: string): string | undefined {
  try {
    const out = execFileSync(binary, ["-v"], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    return /^HAProxy version (\S+)/m.exec(out)?.[1];
  } catch {
    return undefined;
  }
}

/** The HAProxy 3.2 that scripts/haproxy32.sh builds into its cache (it may not be built yet). */
export function haproxy32Binary(): string {
  return execFileSync("bash", [path.join(ROOT, "scripts/haproxy32.sh"), "--print-bin"], {
    encoding: "utf8",
  }).trim();
}

/**
 * Each HAProxy the suite runs, with why one is missing: the host's package (PATH or /usr/sbin;
 * Debian 12's is 2.6) and the 3.2 the pods run (`bash scripts/haproxy32.sh` builds it).
 */
export function haproxiesUnderTest(): { found: HaproxyUnderTest[]; missing: string[] } {
  const found: HaproxyUnderTest[] = [];
  const missing: string[] = [];
  const host = findHaproxy();
  const hostVersion = host && haproxyVersion(host);
  if (host && hostVersion) found.push({ source: "host", binary: host, version: hostVersion });
  else
    missing.push(
      host
        ? `the host's HAProxy: ${host} does not run (\`${host} -v\` failed)`
        : "the host's HAProxy: no haproxy on PATH or in /usr/sbin (apt-get install haproxy)",
    );
  const h32 = haproxy32Binary();
  const v32 = fs.existsSync(h32) ? haproxyVersion(h32) : undefined;
  if (v32?.startsWith("3.2.")) found.push({ source: "3.2", binary: h32, version: v32 });
  else
    missing.push(
      v32
        ? `HAProxy 3.2: ${h32} is ${v32}`
        : `HAProxy 3.2: ${h32} is not built (bash scripts/haproxy32.sh builds it; it needs mmdebstrap)`,
    );
  return { found, missing };
}

/**
 * The HAProxy builds and openssl for an integration test file: registers, for each one missing, a
 * failing test under CI=true, or prints why that part is skipped. Returns one entry per HAProxy the
 * file runs its tests against, and the describe to use for it.
 */
export function requireHaproxies(what: string): { haproxy: HaproxyUnderTest; describe: jest.Describe }[] {
  const openssl = fs.existsSync("/usr/bin/openssl") || fs.existsSync("/usr/local/bin/openssl");
  const { found, missing } = haproxiesUnderTest();
  if (!openssl) missing.push("openssl: not found (apt-get install openssl)");
  for (const reason of missing) {
    if (process.env.CI === "true") {
      test(`${reason.split(": ")[0]} is available (required under CI=true)`, () => {
        throw new Error(`${reason}: CI must provide it (.ci/run does)`);
      });
    } else {
      console.warn(`skipping part of ${what}: ${reason}`);
    }
  }
  return found.map((haproxy) => {
    console.log(`${what}: HAProxy ${haproxy.version} (${haproxy.binary})`);
    return { haproxy, describe: openssl ? describe : describe.skip };
  });
}

export function findHaproxy(): string | undefined {
  for (const dir of (process.env.PATH ?? "").split(":").concat(["/usr/sbin", "/usr/local/sbin"])) {
    const candidate = path.join(dir, "haproxy");
    if (dir && fs.existsSync(candidate)) return candidate;
  }
  return undefined;
}

/**
 * Writes the L4 component's haproxy.cfg for `args` to `<runtimeDir>/haproxy.cfg`, pointed at
 * loopback: bound to `port`, forwarding to `backendPort`, its runtime sockets in `runtimeDir`, no
 * logging; plain TCP unless `certPath` is given. Returns the file's path.
 */
export function writeLoopbackConfig(
  args: L4ExposureArgs,
  o: {
    port: number;
    backendPort: number;
    runtimeDir: string;
    certPath?: string;
    health?: { bindAddress: string; port: number };
    maxconn?: number;
  },
): string {
  const params = haproxyParamsFor(planL4("loopback", args));
  const cfgPath = path.join(o.runtimeDir, "haproxy.cfg");
  fs.writeFileSync(
    cfgPath,
    renderHaproxyConfig({
      ...params,
      bindAddress: "127.0.0.1",
      bindPort: o.port,
      certPath: o.certPath,
      servers: params.servers.map((s) => ({ ...s, address: "127.0.0.1", port: o.backendPort })),
      health: o.health,
      runtimeDir: o.runtimeDir,
      log: false,
      ...(o.maxconn === undefined ? {} : { maxconn: o.maxconn }),
    }),
  );
  return cfgPath;
}

export function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), "ws-exposure-l4-"));
}

export { makeCertificate } from "../../support/certs";
export { sleep, waitUntil } from "../../support/wait";

/** `ws` echo server: echoes every message; `close:<code>` makes it close with that code and reason "bye". */
export async function startEchoServer(): Promise<{
  port: number;
  server: WebSocketServer;
  closesSeen: number[];
}> {
  const closesSeen: number[] = [];
  const server = new WebSocketServer({ host: "127.0.0.1", port: 0, path: "/ws" });
  server.on("connection", (socket) => {
    socket.on("message", (data) => {
      const text = data.toString();
      const m = /^close:(\d+)$/.exec(text);
      if (m) socket.close(Number(m[1]), "bye");
      else socket.send(text);
    });
    socket.on("close", (code) => closesSeen.push(code));
    socket.on("error", () => undefined);
  });
  await new Promise<void>((resolve) => server.once("listening", () => resolve()));
  return { port: (server.address() as net.AddressInfo).port, server, closesSeen };
}

/**
 * The master's lines for a worker that died of a fatal signal rather than stopping, e.g.
 * "[ALERT]    (27181) : Current worker (27183) exited with code 139 (Segmentation fault)". A stop's
 * SIGTERM ("code 143 (Terminated)") is not one.
 */
export function workerCrashes(output: string): string[] {
  const fatal =
    /worker (?:#\d+ )?\(\d+\) exited with code \d+ \((Segmentation fault|Aborted|Bus error|Illegal instruction|Floating point exception)\)/;
  return output.split("\n").filter((line) => fatal.test(line));
}

export interface RunningHaproxy {
  process: ChildProcess;
  /** The master's pid (master-worker mode). */
  pid: number;
  output: () => string;
  /** True once worker `pid` has stopped its proxies (soft-stop): it accepts nothing new any more. */
  stoppedListening: (pid: number) => boolean;
  stop: () => Promise<void>;
}

/** Starts `haproxy -W -db [extraArgs] -f <cfg>` and waits until `port` accepts connections. */
export async function startHaproxy(
  binary: string,
  configPath: string,
  port: number,
  /** More command-line arguments, e.g. the master CLI: ["-S", "<dir>/master.sock,mode,600"]. */
  extraArgs: string[] = [],
): Promise<RunningHaproxy> {
  const child = spawn(...dyingWithParent(binary, ["-W", "-db", ...extraArgs, "-f", configPath]), {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout?.on("data", (d) => (out += d.toString()));
  child.stderr?.on("data", (d) => (out += d.toString()));
  // A bound against a hang only: HAProxy starts in milliseconds, a loaded machine delays it.
  // The master binds the port before its worker is up, and says "Loading success." before its own
  // loop takes over SIGUSR1/SIGUSR2: a signal sent in between is lost (seen with 2.6 on a loaded
  // machine). So "ready" is that notice, the port, and, with a master CLI, the master's answer.
  const masterCli = masterCliPath(extraArgs);
  const ready = async () =>
    out.includes(HAPROXY_READY_NOTICE) &&
    (await canConnect(port)) &&
    (masterCli === undefined || (await masterCliAnswers(masterCli)));
  const started = () => {
    if (child.exitCode !== null) throw new Error(`haproxy exited ${child.exitCode}:\n${out}`);
    return ready();
  };
  const listening = `haproxy to say "${HAPROXY_READY_NOTICE}" and listen on ${port}`;
  await withTimeoutDetail(waitUntil(listening, started, STARTUP_TIMEOUT_MS, 50), () => `:\n${out}`);
  return {
    process: child,
    pid: child.pid as number,
    output: () => out,
    // HAProxy's own notice on stderr when a worker stops a proxy, e.g.
    // "[WARNING]  (22087) : Proxy websocket stopped (cumulated conns: FE: 0, BE: 0)."
    stoppedListening: (pid) => out.includes(`(${pid}) : Proxy websocket stopped`),
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
      child.kill("SIGTERM");
      await settlesWithin(exited, 3000);
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    },
  };
}

/** The socket path of a `-S <path>[,options]` argument, if any. */
function masterCliPath(args: string[]): string | undefined {
  const i = args.indexOf("-S");
  return i >= 0 && args[i + 1] ? args[i + 1].split(",")[0] : undefined;
}

/** Whether the master CLI at `socket` answers `show proc` with its worker (the master's loop runs). */
function masterCliAnswers(socket: string): Promise<boolean> {
  return new Promise((resolve) => {
    let reply = "";
    const conn = net.connect(socket, () => conn.end("show proc\n"));
    conn.setTimeout(2000, () => conn.destroy());
    conn.on("data", (d) => (reply += d.toString()));
    conn.on("error", () => resolve(false));
    conn.on("close", () => resolve(/\bworker\b/.test(reply)));
  });
}

/** The master's notice (2.6 and 3.2) once its worker has loaded the config and handles signals. */
export const HAPROXY_READY_NOTICE = ": Loading success.";

/** How long a process (HAProxy, an echo server) may take to start listening before a test gives up. */
export const STARTUP_TIMEOUT_MS = 30_000;

export interface TrackedSocket {
  ws: WebSocket;
  /** Before the first byte (TCP connect): a timer that starts at the upgrade starts after this. */
  startedAt: number;
  openedAt: number;
  closedAt?: number;
  closeCode?: number;
}

/**
 * Opens a wss:// connection through HAProxy (trusting the throwaway certificate). The handshake
 * limit only stops a hang: 50 TLS handshakes at once took seconds on a loaded 2-core machine.
 */
export function openWss(port: number, ca: string, timeoutMs = 30_000): Promise<TrackedSocket> {
  return new Promise((resolve, reject) => {
    const startedAt = Date.now();
    const ws = new WebSocket(`wss://localhost:${port}/ws`, { ca, handshakeTimeout: timeoutMs });
    const tracked: TrackedSocket = { ws, startedAt, openedAt: 0 };
    ws.once("open", () => {
      tracked.openedAt = Date.now();
      resolve(tracked);
    });
    ws.once("error", (e) => reject(e));
    ws.on("close", (code) => {
      tracked.closedAt = Date.now();
      tracked.closeCode = code;
    });
  });
}

/** Opens `count` connections, `batch` at a time. */
export async function openMany(
  port: number,
  ca: string,
  count: number,
  batch = 50,
): Promise<TrackedSocket[]> {
  const all: TrackedSocket[] = [];
  for (let i = 0; i < count; i += batch) {
    all.push(
      ...(await Promise.all(Array.from({ length: Math.min(batch, count - i) }, () => openWss(port, ca)))),
    );
  }
  return all;
}

/** Pings every open socket each `intervalMs` (the client heartbeat); returns a stop function. */
export function heartbeat(sockets: () => TrackedSocket[], intervalMs: number): () => void {
  const timer = setInterval(() => {
    for (const s of sockets()) if (s.ws.readyState === WebSocket.OPEN) s.ws.ping();
  }, intervalMs);
  return () => clearInterval(timer);
}

export function closeAll(sockets: TrackedSocket[]): void {
  for (const s of sockets) s.ws.terminate();
}

export { canConnect, freePort };

/** HAProxy's workers under its master. */
export const workerPids = childPids;
