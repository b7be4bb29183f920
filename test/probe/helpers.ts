import { execFileSync, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { runSoak, type SoakOptions, type SoakProgress, type SoakReport } from "../../probe";

const ROOT = path.resolve(__dirname, "../..");

/** How long `runCli` lets one CLI run take; a test that spawns the CLI gives itself more than this. */
export const CLI_TIMEOUT_MS = 60_000;

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the CLI from source (no dist needed). The bound only stops a hang: tsx compiles the CLI at
 * each start, which took up to 20 s on a loaded 2-core machine.
 */
export function runCli(
  args: string[],
  options: { timeoutMs?: number; onSpawn?: (child: import("node:child_process").ChildProcess) => void } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", path.join(ROOT, "probe/cli.ts"), ...args], {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`wsprobe ${args.join(" ")} did not finish in time\n${stdout}\n${stderr}`));
    }, options.timeoutMs ?? CLI_TIMEOUT_MS);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    options.onSpawn?.(child);
  });
}

/** A port on 127.0.0.1 that nothing listens on (for "connection refused"). */
export async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A throwaway self-signed certificate, for 127.0.0.1 unless `subjectAltName` says otherwise (openssl CLI). */
export function selfSignedCert(subjectAltName = "IP:127.0.0.1"): {
  key: Buffer;
  cert: Buffer;
  certFile: string;
  dir: string;
} {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "wsprobe-tls-"));
  const keyFile = path.join(dir, "key.pem");
  const certFile = path.join(dir, "cert.pem");
  execFileSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-keyout",
      keyFile,
      "-out",
      certFile,
      "-days",
      "2",
    ].concat(["-subj", "/CN=wsprobe-test", "-addext", `subjectAltName=${subjectAltName}`]),
    { stdio: "ignore" },
  );
  return { key: fs.readFileSync(keyFile), cert: fs.readFileSync(certFile), certFile, dir };
}

/** Fails the test file if anything rejects unhandled while it runs. */
export function trackUnhandledRejections(): unknown[] {
  const seen: unknown[] = [];
  const listener = (reason: unknown) => seen.push(reason);
  beforeAll(() => process.on("unhandledRejection", listener));
  afterAll(() => {
    process.off("unhandledRejection", listener);
    expect(seen).toEqual([]);
  });
  return seen;
}

/**
 * Runs a soak until `done` holds (checked on every progress sample, each 10 ms), not for a fixed
 * duration: on a busy machine connections open and heartbeats fire late, and a wall-clock duration
 * ends the run before what the test waits for has happened. The soak also ends on its own when every
 * client gave up (endedBy "exhausted"); `capMs` only bounds a run whose condition never comes (the
 * test then sees endedBy "duration" and fails on that).
 */
export function soakUntil(
  options: Omit<SoakOptions, "durationMs" | "signal" | "onProgress" | "progressIntervalMs">,
  done: (progress: SoakProgress) => boolean,
  capMs = 25_000,
): Promise<SoakReport> {
  const abort = new AbortController();
  return runSoak({
    ...options,
    durationMs: capMs,
    signal: abort.signal,
    progressIntervalMs: 10,
    onProgress: (p) => {
      if (!abort.signal.aborted && done(p)) abort.abort();
    },
  });
}

/** For `soakUntil`: run until every client gave up (endedBy "exhausted"). */
export const untilExhausted = (): boolean => false;

/**
 * The shortest lifetime wsprobe can report for a connection that something ends `capMs` after a
 * timer started during or after its opening handshake (the server's or a proxy's timer at the
 * upgrade, wsprobe's own heartbeat at `open`). wsprobe's clock starts at `open`, which the client
 * sees after the server sent its 101, at most one handshake (first byte to `open`) after a timer
 * started at the upgrade. So the floor is the cap minus the run's longest handshake, less 2 ms
 * (a Node timer counts whole milliseconds and may fire up to 1 ms early). A fixed margin fails on a
 * busy machine: 290.8 ms was seen for a 300 ms cap with 5 ms allowed.
 */
export function lifetimeFloorMs(capMs: number, report: SoakReport): number {
  return capMs - report.handshakeMs.max - 2;
}
