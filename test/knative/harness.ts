/**
 * Processes for the queue-proxy integration tests: the real queue-proxy binary of a Knative release
 * (from the e2e toolchain cache) between HAProxy and a `ws` echo app, and wsprobe clients.
 *
 * The queue-proxy binds its admin (8022) and autoscaler metrics (9090) ports on every interface,
 * whatever its environment says (Knative constants), and its main port on ":QUEUE_SERVING_PORT":
 * only one can run at a time on a host. `startQueueProxy` refuses to start while 8022 or 9090 is
 * taken, and the tests run one queue-proxy after the other.
 */
import { ChildProcess, spawn } from "node:child_process";
import { performance } from "node:perf_hooks";
import * as http from "node:http";
import { ProbeClient, type ClientSink } from "../../probe/client";
import { compileTemplate } from "../../probe/template";
import type { Drop } from "../../probe/drop";
import type { Failure } from "../../probe/failure";
import { QUEUE_PROXY_FIXED_PORTS } from "../../e2e/queueProxy";
import { canConnect } from "../../support/ports";
import { dyingWithParent } from "../../support/processes";
import { sleep, waitUntil, withTimeoutDetail } from "../../support/wait";

export { sleep };

export interface RunningQueueProxy {
  process: ChildProcess;
  /** Spawn to first ready answer on the main port: how slow this machine is right now. */
  startupMs: number;
  output: () => string;
  /** Resolves with performance.now() when the process has exited. */
  exited: Promise<number>;
  /** Sends SIGTERM and returns performance.now() at the signal. */
  terminate: () => number;
  /** SIGKILL if it still runs (every test's cleanup). */
  kill: () => Promise<void>;
}

/**
 * The kubelet's readiness probe of the queue-proxy container, as the reconciler declares it: GET /
 * on the serving port with `K-Network-Probe: queue` from a `kube-probe/` user agent. The HTTP status,
 * or 0 when nothing answered: 200 once the user container's TCP probe passes, 503 while draining.
 */
export function kubeletProbe(port: number): Promise<number> {
  return new Promise((resolve) => {
    const req = http.get(
      {
        host: "127.0.0.1",
        port,
        path: "/",
        headers: { "K-Network-Probe": "queue", "User-Agent": "kube-probe/1.36" },
        timeout: 2000,
      },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on("error", () => resolve(0));
    req.on("timeout", () => req.destroy());
  });
}

/** Starts the queue-proxy with exactly `env` (as a container gets it) and waits until it is ready. */
export async function startQueueProxy(
  binary: string,
  env: Record<string, string>,
  timeoutMs = 30_000,
): Promise<RunningQueueProxy> {
  for (const [name, port] of Object.entries(QUEUE_PROXY_FIXED_PORTS)) {
    if (await canConnect(port))
      throw new Error(
        `port ${port} (queue-proxy ${name}, fixed in Knative) is taken: another queue-proxy or program holds it; the queue-proxy tests need it free`,
      );
  }
  const servingPort = Number(env.QUEUE_SERVING_PORT);
  const started = performance.now();
  // No orphan keeps 8022 and 9090 when the test process is killed without its cleanup.
  const child = spawn(...dyingWithParent(binary, []), { env, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout?.on("data", (d) => (out += d.toString()));
  child.stderr?.on("data", (d) => (out += d.toString()));
  const exited = new Promise<number>((resolve) => child.once("exit", () => resolve(performance.now())));
  const kill = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill("SIGKILL");
    await exited;
  };
  const ready = async () => {
    if (child.exitCode !== null) throw new Error(`${binary} exited ${child.exitCode}:\n${out}`);
    return (await kubeletProbe(servingPort)) === 200;
  };
  const waiting = waitUntil(`${binary} to be ready on ${servingPort}`, ready, timeoutMs, 20);
  await withTimeoutDetail(waiting, () => `:\n${out}`).catch(async (err: unknown) => {
    await kill();
    throw err;
  });
  return {
    process: child,
    startupMs: performance.now() - started,
    output: () => out,
    exited,
    terminate: () => {
      const at = performance.now();
      child.kill("SIGTERM");
      return at;
    },
    kill,
  };
}

/** What one wsprobe client saw, with performance.now() times. */
export interface ProbeRecord {
  client: ProbeClient;
  startedAt: number;
  handshakeMs?: number;
  openedAt?: number;
  drop?: Drop;
  droppedAt?: number;
  failure?: Failure;
  echoesReceived: number;
  lastEchoAt?: number;
  lost: number;
}

/**
 * Starts wsprobe clients (the probe's own client: heartbeat, echo check, drop classification),
 * without reconnects, and resolves when all are open. `heartbeatMs` 0: silent connections.
 */
export async function openProbes(
  url: string,
  count: number,
  opts: { heartbeatMs: number; ca?: string; openTimeoutMs?: number },
): Promise<ProbeRecord[]> {
  const records = Array.from({ length: count }, (_, id) => probe(url, id, opts));
  const opened = () => {
    const failed = records.find((r) => r.failure || r.drop);
    if (failed) throw new Error(`a probe to ${url} did not open: ${JSON.stringify(failed.failure)}`);
    return records.every((r) => r.openedAt !== undefined);
  };
  await waitUntil(`the probes to ${url} to open`, opened, opts.openTimeoutMs ?? 30_000);
  return records;
}

/** One client; it reports a failed attempt instead of throwing (a refused connection is a result). */
export function probe(url: string, id: number, opts: { heartbeatMs: number; ca?: string }): ProbeRecord {
  const record: ProbeRecord = {
    client: undefined as unknown as ProbeClient,
    startedAt: performance.now(),
    echoesReceived: 0,
    lost: 0,
  };
  const sink: ClientSink = {
    opened: (handshakeMs) => {
      record.openedAt = performance.now();
      record.handshakeMs = handshakeMs;
    },
    rtt: () => undefined,
    dropped: (drop) => {
      record.drop = drop;
      record.droppedAt = performance.now();
    },
    attemptFailed: (failure) => (record.failure = failure),
    reconnecting: () => undefined,
    exhausted: () => undefined,
    echo: (event, n) => {
      if (event === "received") {
        record.echoesReceived += n;
        record.lastEchoAt = performance.now();
      }
      if (event === "lostWithConnection" || event === "gaps") record.lost += n;
    },
  };
  record.client = new ProbeClient(
    id,
    {
      url,
      wsOptions: { ca: opts.ca, handshakeTimeout: 30_000, perMessageDeflate: false },
      heartbeatMs: opts.heartbeatMs,
      maxMissedHeartbeats: 1_000_000,
      backoff: { initialMs: 1000, maxMs: 1000, maxAttempts: 0, jitter: false },
      message: opts.heartbeatMs > 0 ? compileTemplate("hb {seq}") : undefined,
      echo: opts.heartbeatMs > 0,
    },
    sink,
  );
  record.client.start();
  return record;
}

/** Waits until every record has dropped (or failed); `timeoutMs` only stops a hang. */
export async function waitForDrops(records: ProbeRecord[], timeoutMs: number): Promise<void> {
  const open = () => records.filter((r) => r.drop === undefined && r.failure === undefined).length;
  const waiting = waitUntil("every connection to drop", () => open() === 0, timeoutMs);
  await withTimeoutDetail(waiting, () => `: ${open()} connections still open`);
}

/** Closes every client that is still open (test cleanup). */
export async function stopProbes(records: ProbeRecord[]): Promise<void> {
  await Promise.all(records.map((r) => r.client.stop()));
}
