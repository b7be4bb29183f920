/**
 * A Kubernetes control plane for the end-to-end tests, on 127.0.0.1: etcd, kube-apiserver and
 * (optionally) kube-controller-manager from the toolchain cache, with certificates of its own, a
 * kubeconfig (context `ws-exposure-e2e`), and everything stopped on `stop()` or when the process
 * exits (each binary runs in its own process group; the temporary folder is removed).
 *
 * No kubelet, scheduler or cloud controller runs here: `standIns.ts` plays the parts of a node and
 * of MetalLB that the Pulumi Kubernetes provider's readiness checks look at, or `node.ts` starts a
 * real node against this control plane (`realNode`).
 */
import { ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import YAML from "yaml";
import { issueCertificate, makeCertificateAuthority, makeSigningKey } from "../support/certs";
import { freePort } from "../support/ports";
import { waitUntil, withTimeoutDetail } from "../support/wait";
import { Kube, KubeCredentials } from "./kube";
import { toolchainBinary } from "./toolchain";

export const CONTEXT = "ws-exposure-e2e";

export interface ClusterOptions {
  /** Run kube-controller-manager (Deployments get ReplicaSets and Pods, Services get Endpoints, deletion cascades). Default true. */
  controllerManager?: boolean;
  /** Extra kube-apiserver flags. */
  apiServerFlags?: string[];
  /**
   * A real kubelet will heartbeat (`node.ts`): run the node lifecycle controller, which lifts the
   * not-ready taint the Node is registered with. Without one it stays off (see below).
   */
  realNode?: boolean;
}

export interface Cluster {
  /** The temporary folder holding certificates, kubeconfig, data and logs. */
  dir: string;
  kubeconfigPath: string;
  context: string;
  server: string;
  credentials: KubeCredentials;
  kube: Kube;
  /** The tail of every component's log, for failure messages. */
  logs(lines?: number): string;
  stop(): Promise<void>;
}

export interface Running {
  name: string;
  child: ChildProcess;
  logPath: string;
}

const live = new Set<Running>();
const liveDirs = new Set<string>();
let exitHookInstalled = false;

/** Signals a child started with `detached: true` and its whole process group (no-op once it exited). */
export function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on("exit", () => {
    for (const r of live) killGroup(r.child, "SIGKILL");
    for (const dir of liveDirs) fs.rmSync(dir, { recursive: true, force: true });
  });
}

/** A toolchain binary's path; throws (naming the build command) when it is not built. */
export function binary(name: string): string {
  const file = toolchainBinary(name);
  if (!file) throw new Error(`${name} is not in the toolchain cache: run npm run e2e:toolchain`);
  return file;
}

/** Starts `file` in a process group of its own, its output appended to `<dir>/<name>.log`; killed on exit. */
export function startProcess(name: string, file: string, args: string[], dir: string): Running {
  installExitHook();
  const logPath = path.join(dir, `${name}.log`);
  const log = fs.openSync(logPath, "a");
  const child = spawn(file, args, { detached: true, stdio: ["ignore", log, log] });
  fs.closeSync(log);
  const running = { name, child, logPath };
  live.add(running);
  child.once("exit", () => live.delete(running));
  return running;
}

/** SIGTERM to the process group, SIGKILL after 10 s; resolves once it exited. */
export async function stopProcess(r: Running): Promise<void> {
  if (r.child.exitCode !== null || r.child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => r.child.once("exit", () => resolve()));
  killGroup(r.child, "SIGTERM");
  const timer = setTimeout(() => killGroup(r.child, "SIGKILL"), 10000);
  await exited;
  clearTimeout(timer);
}

export function tail(file: string, lines: number): string {
  if (!fs.existsSync(file)) return "";
  return fs.readFileSync(file, "utf8").split("\n").slice(-lines).join("\n");
}

type Logged = Pick<Running, "name" | "child" | "logPath">;

const exitedWith = (child: ChildProcess) => child.exitCode ?? child.signalCode;

/** The error of a wait whose process exited, with the tail of its log. */
function exitedBefore(r: Logged, what: string): Error {
  return new Error(`${r.name} exited (${exitedWith(r.child)}) before ${what}:\n${tail(r.logPath, 30)}`);
}

/** The tail of each process's log, for a wait that timed out. */
function logTails(processes: Pick<Running, "name" | "logPath">[]): string {
  return processes.map((r) => `\n--- ${r.name}\n${tail(r.logPath, 20)}`).join("");
}

/**
 * Polls `check` every 250 ms (a failing check is "not yet"); fails early, with its log, when one of
 * `processes` exits, and on timeout with the tail of every log.
 */
export async function waitFor(
  what: string,
  check: () => Promise<boolean>,
  processes: Running[],
  timeoutMs: number,
): Promise<void> {
  const holds = () => {
    const exited = processes.find((r) => exitedWith(r.child) !== null);
    if (exited) throw exitedBefore(exited, what);
    return check().catch(() => false);
  };
  const logs = () => logTails(processes);
  await withTimeoutDetail(waitUntil(what, holds, timeoutMs, 250), logs);
}

/** A process the harness may restart: the one running now, and how to start it again. */
export interface Restartable {
  name: string;
  current(): { child: ChildProcess; logPath: string };
  /** Stops the current process if it still runs, and starts a new one. */
  restart(): Promise<void>;
}

/**
 * A container's liveness probe as its manifest declares it: the kubelet probes every `periodMs`
 * from `initialDelayMs` after the start, and restarts the container after `failureThreshold`
 * failures in a row (a probe that throws fails).
 */
export interface Liveness {
  probe: () => Promise<boolean>;
  initialDelayMs: number;
  periodMs: number;
  failureThreshold: number;
}

/**
 * When the harness restarts a process, as a kubelet restarts a container: after an exit its log
 * says another start may cure (`restartOnExit`), or when its `liveness` probe fails. At most
 * `maxRestarts`.
 */
export interface RestartPolicy {
  maxRestarts: number;
  restartOnExit?: (logTail: string) => boolean;
  liveness?: Liveness;
}

/** A process the harness restarts by its policy while it waits. */
export interface Supervised extends Restartable {
  policy: RestartPolicy;
}

/**
 * {@link waitFor} while supervising `supervised`, each restarted by its policy; each restart is a
 * line in its log. Any other exit, of one of them or of `others`, fails the wait with that
 * process's log.
 */
export async function waitForRestarting(
  what: string,
  check: () => Promise<boolean>,
  supervised: Supervised[],
  timeoutMs: number,
  others: Running[] = [],
): Promise<void> {
  const states = supervised.map((s) => ({ s, restarts: 0, startedAt: Date.now(), failures: 0, probedAt: 0 }));
  type State = (typeof states)[number];
  const restart = async (state: State, reason: string) => {
    state.restarts++;
    fs.appendFileSync(
      state.s.current().logPath,
      `--- e2e: ${state.s.name} restarted (${state.restarts}): ${reason}\n`,
    );
    await state.s.restart();
    Object.assign(state, { startedAt: Date.now(), failures: 0, probedAt: 0 });
  };
  /** Restarts the process when its policy says so; says whether it did. */
  const supervise = async (state: State): Promise<boolean> => {
    const { policy } = state.s;
    const current = { name: state.s.name, ...state.s.current() };
    if (exitedWith(current.child) !== null) {
      if (state.restarts >= policy.maxRestarts || !policy.restartOnExit?.(tail(current.logPath, 30)))
        throw exitedBefore(current, what);
      await restart(state, "its exit is one a new start may cure");
      return true;
    }
    const live = policy.liveness;
    const now = Date.now();
    if (!live || now - state.startedAt < live.initialDelayMs || now - state.probedAt < live.periodMs)
      return false;
    state.probedAt = now;
    if (await live.probe().catch(() => false)) {
      state.failures = 0;
      return false;
    }
    state.failures++;
    if (state.failures < live.failureThreshold || state.restarts >= policy.maxRestarts) return false;
    await restart(
      state,
      `its liveness probe failed ${state.failures} times in a row, ${live.periodMs / 1000} s apart`,
    );
    return true;
  };
  const holds = async () => {
    for (const state of states) if (await supervise(state)) return false;
    const exited = others.find((r) => exitedWith(r.child) !== null);
    if (exited) throw exitedBefore(exited, what);
    return check().catch(() => false);
  };
  const logs = () =>
    logTails([...supervised.map((s) => ({ name: s.name, logPath: s.current().logPath })), ...others]);
  await withTimeoutDetail(waitUntil(what, holds, timeoutMs, 250), logs);
}

function kubeconfig(server: string, caPath: string, certPath: string, keyPath: string): string {
  return YAML.stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: CONTEXT, cluster: { server, "certificate-authority": caPath } }],
    users: [{ name: `${CONTEXT}-admin`, user: { "client-certificate": certPath, "client-key": keyPath } }],
    contexts: [{ name: CONTEXT, context: { cluster: CONTEXT, user: `${CONTEXT}-admin` } }],
    "current-context": CONTEXT,
  });
}

/** Starts the control plane and resolves once the API server's /readyz is ok. */
export async function startCluster(options: ClusterOptions = {}): Promise<Cluster> {
  installExitHook();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ws-exposure-e2e-cluster-"));
  liveDirs.add(dir);
  const processes: Running[] = [];
  try {
    const pki = path.join(dir, "pki");
    fs.mkdirSync(pki);
    const ca = makeCertificateAuthority(pki, "ca");
    const serving = issueCertificate(ca, pki, "apiserver", {
      commonName: "kube-apiserver",
      dnsNames: ["localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc"],
      ipAddresses: ["127.0.0.1", "10.96.0.1"],
    });
    const admin = issueCertificate(ca, pki, "admin", {
      commonName: "ws-exposure-e2e-admin",
      organizations: ["system:masters"],
    });
    const sa = makeSigningKey(pki, "service-accounts");

    const [etcdClient, etcdPeer, apiPort] = [await freePort(), await freePort(), await freePort()];
    const etcd = startProcess(
      "etcd",
      binary("etcd"),
      [
        "--name=e2e",
        `--data-dir=${path.join(dir, "etcd")}`,
        `--listen-client-urls=http://127.0.0.1:${etcdClient}`,
        `--advertise-client-urls=http://127.0.0.1:${etcdClient}`,
        `--listen-peer-urls=http://127.0.0.1:${etcdPeer}`,
        `--initial-advertise-peer-urls=http://127.0.0.1:${etcdPeer}`,
        `--initial-cluster=e2e=http://127.0.0.1:${etcdPeer}`,
        "--unsafe-no-fsync",
        "--log-level=warn",
      ],
      dir,
    );
    processes.push(etcd);

    const server = `https://127.0.0.1:${apiPort}`;
    const credentials: KubeCredentials = {
      server,
      caPath: ca.certPath,
      certPath: admin.certPath,
      keyPath: admin.keyPath,
    };
    const apiserver = startProcess(
      "kube-apiserver",
      binary("kube-apiserver"),
      [
        `--etcd-servers=http://127.0.0.1:${etcdClient}`,
        "--bind-address=127.0.0.1",
        "--advertise-address=127.0.0.1",
        `--secure-port=${apiPort}`,
        `--cert-dir=${pki}`,
        `--tls-cert-file=${serving.certPath}`,
        `--tls-private-key-file=${serving.keyPath}`,
        `--client-ca-file=${ca.certPath}`,
        `--service-account-key-file=${sa.publicKeyPath}`,
        `--service-account-signing-key-file=${sa.privateKeyPath}`,
        "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
        "--service-cluster-ip-range=10.96.0.0/16",
        "--authorization-mode=RBAC",
        // The API server's own Endpoints would point at 127.0.0.1, which it refuses to publish.
        "--endpoint-reconciler-type=none",
        "--enable-priority-and-fairness=false",
        "--v=1",
        ...(options.apiServerFlags ?? []),
      ],
      dir,
    );
    processes.push(apiserver);

    const kube = new Kube(credentials);
    await waitFor(
      "kube-apiserver /readyz",
      async () => (await kube.request<string>("GET", "/readyz")) === "ok",
      processes,
      120000,
    );

    const kubeconfigPath = path.join(dir, "kubeconfig");
    fs.writeFileSync(kubeconfigPath, kubeconfig(server, ca.certPath, admin.certPath, admin.keyPath));

    if (options.controllerManager ?? true) {
      const kcm = startProcess(
        "kube-controller-manager",
        binary("kube-controller-manager"),
        [
          `--kubeconfig=${kubeconfigPath}`,
          `--authentication-kubeconfig=${kubeconfigPath}`,
          `--authorization-kubeconfig=${kubeconfigPath}`,
          "--secure-port=0",
          "--leader-elect=false",
          `--service-account-private-key-file=${sa.privateKeyPath}`,
          `--root-ca-file=${ca.certPath}`,
          "--use-service-account-credentials=false",
          // No kubelet sends heartbeats: the node lifecycle controller would taint the stand-in's Node
          // unreachable and evict every Pod after 5 minutes.
          options.realNode ? "--controllers=*" : "--controllers=*,-node-lifecycle-controller",
          "--v=1",
        ],
        dir,
      );
      processes.push(kcm);
      // The service-account controller creating `default` in kube-system shows the manager is working.
      await waitFor(
        "kube-controller-manager (ServiceAccount default in kube-system)",
        async () => (await kube.find("/api/v1/namespaces/kube-system/serviceaccounts/default")) !== undefined,
        processes,
        120000,
      );
    }

    let stopped = false;
    return {
      dir,
      kubeconfigPath,
      context: CONTEXT,
      server,
      credentials,
      kube,
      logs: (lines = 40) => processes.map((r) => `--- ${r.name}\n${tail(r.logPath, lines)}`).join("\n"),
      stop: async () => {
        if (stopped) return;
        stopped = true;
        for (const r of [...processes].reverse()) await stopProcess(r);
        fs.rmSync(dir, { recursive: true, force: true });
        liveDirs.delete(dir);
      },
    };
  } catch (err) {
    for (const r of [...processes].reverse()) await stopProcess(r);
    fs.rmSync(dir, { recursive: true, force: true });
    liveDirs.delete(dir);
    throw err;
  }
}
