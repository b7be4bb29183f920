/**
 * incluster: the L4 path on the real node (e2e/node.ts, the staging stack as e2e/node.e2e.test.ts
 * deploys it, e2e/nodeStaging.ts), measured from inside the node's network namespace:
 * - heartbeat RTT through LB address -> HAProxy pod (TLS) -> backend Service -> queue-proxy -> app
 *   against the app pod directly (its pod IP, plain ws on the app port), with P1's load generator
 *   (bench/p1-client.ts), rounds interleaved;
 * - full and resumed TLS handshakes a second one HAProxy pod takes (driven by its pod IP from
 *   several processes, bench/incluster-handshakes.ts), from the container's cgroup CPU time;
 * - the paced drain's shortest window that capacity allows (`drainWindowMinSeconds`, docs/L4.md).
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import * as readline from "node:readline";
import { parseCpuCores } from "../components/core/quantity";
import { drainWindowMinSeconds } from "../components/l4/haproxy/drain";
import { HAPROXY_TLS_PORT } from "../components/l4/planTypes";
import { Homelab } from "../e2e/fixture";
import { missingNodePrerequisites, NODE_BINARIES, RealNode } from "../e2e/node";
import {
  HAPROXY_SELECTOR,
  HOSTNAME,
  LB_ADDRESS,
  listPods,
  NAMESPACE,
  Pod,
  REVISION_SELECTOR,
  servedTls,
  startStagingOnNode,
} from "../e2e/nodeStaging";
import { CONTROL_PLANE, missingBinaries, PULUMI } from "../e2e/toolchain";
import type { HandshakeCount, HandshakeLoad } from "./incluster-handshakes";
import { Client } from "./p1";
import { median, round } from "./lib/stats";
import type { Summary } from "./lib/stats";
import { sleep } from "./lib/proc";

export interface InclusterOptions {
  /** RTT rounds; each sends `messages` heartbeats on each path (interleaved). */
  rounds: number;
  messages: number;
  /** Seconds each handshake kind is counted for. */
  handshakeSeconds: number;
  /** Client processes driving the pod, and concurrent connections in each. */
  clientProcesses: number;
  clientConcurrency: number;
  log: (line: string) => void;
}

/** What a heartbeat is: the soak's JSON message (e2e/wssSoak.js), about this size. */
const HEARTBEAT_BYTES = 48;
/** The echo app's port in the revision pod (Knative's PORT). */
const APP_PORT = 8080;
const CGROUP_FS = "/sys/fs/cgroup";

export interface HandshakeFigures {
  /** Handshakes a second one pod takes at its CPU limit: counted / HAProxy CPU seconds x limit cores. */
  perSecondAtLimit: number;
  /** What the clients got through a second. */
  perSecondCounted: number;
  /** HAProxy's CPU milliseconds (the container's cgroup) per handshake. */
  haproxyCpuMsPerHandshake: number;
  haproxyCores: number;
  clientCores: number;
  throttledPeriods: number;
  resumedPct: number;
  errors: number;
  firstError?: string;
}

export interface InclusterFigures {
  rtt: { path: { p50: number; p99: number }; direct: { p50: number; p99: number }; messages: number };
  haproxy: {
    pod: string;
    cpuLimit?: string;
    cpuRequest?: string;
    /** The cores the figures are at: the CPU limit, else nbthread (one thread uses at most one core). */
    limitCores: number;
    nbthread: number;
    maxconn: number;
    tickets: boolean;
    cfsQuotaUs: number;
  };
  full: HandshakeFigures;
  resumed: HandshakeFigures;
  drain: {
    windowSeconds: number;
    /** At the capacity measured at the limit. */
    minSeconds: number;
    /** At the CPU request only (what the pod is guaranteed when the node's CPU is contended). */
    minSecondsAtRequest?: number;
  };
}

export type InclusterResult = { skipped: string } | InclusterFigures;

/** Why the part cannot run here, or undefined. */
export function inclusterMissing(): string | undefined {
  return missingBinaries([...CONTROL_PLANE, ...PULUMI, ...NODE_BINARIES]) ?? missingNodePrerequisites();
}

/** The cgroup folder (under `hierarchy`) of a container: the kubelet names it by its container id. */
function containerCgroup(node: RealNode, hierarchy: string, containerId: string): string {
  const find = (dir: string): string | undefined => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      if (!e.isDirectory()) continue;
      const sub = path.join(dir, e.name);
      if (e.name === containerId) return sub;
      const found = find(sub);
      if (found) return found;
    }
    return undefined;
  };
  const found = find(path.join(CGROUP_FS, hierarchy, node.cgroup));
  if (!found)
    throw new Error(`no cgroup of container ${containerId} under ${CGROUP_FS}/${hierarchy}/${node.cgroup}`);
  return found;
}

function cgroupSample(cpuacct: string, cpu: string): { usageNs: number; throttled: number } {
  const stat = fs.readFileSync(path.join(cpu, "cpu.stat"), "utf8");
  return {
    usageNs: Number(fs.readFileSync(path.join(cpuacct, "cpuacct.usage"), "utf8")),
    throttled: Number(/nr_throttled (\d+)/.exec(stat)?.[1] ?? NaN),
  };
}

/** Runs the handshake processes inside the node's namespace against one pod; resolves with their counts. */
async function handshakeRound(
  node: RealNode,
  load: Omit<HandshakeLoad, "startAt" | "endAt">,
  options: InclusterOptions,
  cgroups: { cpuacct: string; cpu: string },
  limitCores: number,
): Promise<HandshakeFigures> {
  // The processes load tsx first: the count starts once they all can run.
  const startAt = Date.now() + 5000;
  const endAt = startAt + options.handshakeSeconds * 1000;
  const file = path.join(__dirname, "incluster-handshakes.ts");
  const outputs = Array.from({ length: options.clientProcesses }, () => {
    const [cmd, ...args] = node.inNetns([
      process.execPath,
      "--import",
      "tsx",
      file,
      JSON.stringify({ ...load, startAt, endAt }),
    ]);
    const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    return new Promise<HandshakeCount>((resolve, reject) => {
      let last = "";
      readline.createInterface({ input: child.stdout }).on("line", (l) => (last = l));
      child.on("exit", (code) => {
        const parsed = last ? (JSON.parse(last) as HandshakeCount & { error?: string }) : undefined;
        if (code !== 0 || !parsed || parsed.error) {
          reject(new Error(`handshake client exited ${code}: ${parsed?.error ?? ""}${stderr}`));
        } else resolve(parsed);
      });
    });
  });
  // A client that fails before the count ends is reported by Promise.all below, not as unhandled.
  for (const o of outputs) o.catch(() => undefined);
  const at = (t: number) => sleep(Math.max(0, t - Date.now()));
  await at(startAt);
  const before = cgroupSample(cgroups.cpuacct, cgroups.cpu);
  await at(endAt);
  const after = cgroupSample(cgroups.cpuacct, cgroups.cpu);
  const counts = await Promise.all(outputs);
  const seconds = (endAt - startAt) / 1000;
  const handshakes = counts.reduce((n, c) => n + c.handshakes, 0);
  const haproxyCores = (after.usageNs - before.usageNs) / 1e9 / seconds;
  return {
    perSecondAtLimit: (handshakes / seconds / haproxyCores) * limitCores,
    perSecondCounted: handshakes / seconds,
    haproxyCpuMsPerHandshake: (haproxyCores * seconds * 1000) / handshakes,
    haproxyCores,
    clientCores: counts.reduce((n, c) => n + c.cpuSeconds, 0) / seconds,
    throttledPeriods: after.throttled - before.throttled,
    resumedPct: handshakes === 0 ? 0 : (100 * counts.reduce((n, c) => n + c.resumed, 0)) / handshakes,
    errors: counts.reduce((n, c) => n + c.errors, 0),
    firstError: counts.find((c) => c.firstError)?.firstError,
  };
}

/** The rendered HAProxy config the pod runs (the stack's ConfigMap), for maxconn, nbthread and tickets. */
async function haproxyConfig(lab: Homelab, pod: Pod): Promise<string> {
  const volumes = (pod.spec as { volumes?: { configMap?: { name: string } }[] }).volumes ?? [];
  for (const v of volumes) {
    if (!v.configMap) continue;
    const cm = await lab.cluster.kube.get<{ data?: Record<string, string> }>(
      `/api/v1/namespaces/${NAMESPACE}/configmaps/${v.configMap.name}`,
    );
    const cfg = cm.data?.["haproxy.cfg"];
    if (cfg) return cfg;
  }
  throw new Error(`no HAProxy config among the ConfigMaps pod ${pod.metadata.name} mounts`);
}

function drainWindowOf(pod: Pod): number {
  const drain = pod.spec.containers.find((c) => c.name === "drain") as
    { command?: string[]; args?: string[] } | undefined;
  const argv = [...(drain?.command ?? []), ...(drain?.args ?? [])];
  const i = argv.indexOf("--window");
  if (i < 0) throw new Error(`pod ${pod.metadata.name} has no drain sidecar with --window`);
  return Number(argv[i + 1]);
}

async function measureRtt(node: RealNode, caFile: string, appIp: string, options: InclusterOptions) {
  const client = new Client((argv) => node.inNetns(argv));
  const ca = fs.readFileSync(caFile, "utf8");
  const paths = {
    path: { url: `wss://${LB_ADDRESS}/ws`, ca, servername: HOSTNAME },
    direct: { url: `ws://${appIp}:${APP_PORT}/ws` },
  };
  const rounds: Record<"path" | "direct", Summary[]> = { path: [], direct: [] };
  try {
    // An uncounted warm-up of each, then rounds that take turns in which goes first.
    for (const p of Object.values(paths)) {
      await client.request({ op: "rtt", ...p, connections: 1, messages: 100, payloadBytes: HEARTBEAT_BYTES });
    }
    for (let i = 0; i < options.rounds; i++) {
      const order = i % 2 === 0 ? (["path", "direct"] as const) : (["direct", "path"] as const);
      for (const which of order) {
        rounds[which].push(
          await client.request<Summary>({
            op: "rtt",
            ...paths[which],
            connections: 1,
            messages: options.messages,
            payloadBytes: HEARTBEAT_BYTES,
          }),
        );
      }
    }
  } finally {
    await client.stop();
  }
  const of = (s: Summary[]) => ({ p50: median(s.map((r) => r.p50)), p99: median(s.map((r) => r.p99)) });
  options.log(
    `incluster RTT p50 per round, path: ${rounds.path.map((r) => r.p50.toFixed(3)).join(", ")} ms; direct: ${rounds.direct.map((r) => r.p50.toFixed(3)).join(", ")} ms`,
  );
  return { path: of(rounds.path), direct: of(rounds.direct), messages: options.rounds * options.messages };
}

async function measure(lab: Homelab, dir: string, options: InclusterOptions): Promise<InclusterFigures> {
  const node = lab.node!;
  const { caFile } = await servedTls(lab, dir);
  const [haproxyPod] = await listPods(lab, HAPROXY_SELECTOR);
  const [appPod] = await listPods(lab, REVISION_SELECTOR);
  const container = haproxyPod.spec.containers.find((c) => c.name === "haproxy")!;
  const containerId = haproxyPod
    .status!.containerStatuses!.find((c) => c.name === "haproxy")!
    .containerID!.replace("containerd://", "");
  const cfg = await haproxyConfig(lab, haproxyPod);
  const nbthread = Number(/^\s*nbthread (\d+)/m.exec(cfg)?.[1] ?? NaN);
  const maxconn = Number(/^\s*maxconn (\d+)/m.exec(cfg)?.[1] ?? NaN);
  const tickets = cfg.includes("tls-ticket-keys");
  if (!Number.isFinite(maxconn))
    throw new Error(`the haproxy.cfg pod ${haproxyPod.metadata.name} runs sets no maxconn`);
  const cpuLimit = container.resources?.limits?.cpu;
  const cpuRequest = container.resources?.requests?.cpu;
  const limitCores = cpuLimit === undefined ? nbthread : parseCpuCores(cpuLimit)!;
  if (!Number.isFinite(limitCores)) {
    throw new Error(
      `pod ${haproxyPod.metadata.name} has neither a CPU limit nor nbthread: no core count to measure at`,
    );
  }
  const cgroups = {
    cpuacct: containerCgroup(node, "cpuacct", containerId),
    cpu: containerCgroup(node, "cpu", containerId),
  };
  const cfsQuotaUs = Number(fs.readFileSync(path.join(cgroups.cpu, "cpu.cfs_quota_us"), "utf8"));
  options.log(
    `incluster: HAProxy pod ${haproxyPod.metadata.name} (${haproxyPod.status?.podIP}), CPU limit ${cpuLimit ?? "none"} (cfs_quota_us ${cfsQuotaUs}), request ${cpuRequest}, nbthread ${nbthread}, maxconn ${maxconn}, session tickets ${tickets ? "shared" : "off"}; app pod ${appPod.metadata.name} (${appPod.status?.podIP})`,
  );

  const rtt = await measureRtt(node, caFile, appPod.status!.podIP!, options);
  options.log(
    `incluster RTT: path p50 ${rtt.path.p50.toFixed(3)} p99 ${rtt.path.p99.toFixed(3)} ms; direct p50 ${rtt.direct.p50.toFixed(3)} p99 ${rtt.direct.p99.toFixed(3)} ms`,
  );

  const handshakes = async (mode: "full" | "resumed") => {
    const load = {
      host: haproxyPod.status!.podIP!,
      port: HAPROXY_TLS_PORT,
      servername: HOSTNAME,
      caFile,
      mode,
      concurrency: options.clientConcurrency,
    };
    const f = await handshakeRound(node, load, options, cgroups, limitCores);
    options.log(
      `incluster ${mode} handshakes: ${f.perSecondCounted.toFixed(0)}/s counted with HAProxy at ${f.haproxyCores.toFixed(2)} cores ` +
        `(${f.haproxyCpuMsPerHandshake.toFixed(3)} ms CPU each; throttled periods ${f.throttledPeriods}), clients at ${f.clientCores.toFixed(2)} cores in ${options.clientProcesses} processes; ` +
        `${f.perSecondAtLimit.toFixed(0)}/s at ${limitCores} core(s); resumed ${f.resumedPct.toFixed(1)}%; errors ${f.errors}${f.firstError ? ` (${f.firstError})` : ""}`,
    );
    return f;
  };
  const full = await handshakes("full");
  const resumed = await handshakes("resumed");

  // Without shared tickets a reconnect to another pod cannot resume: the receiving pod does full handshakes.
  const capacity = tickets ? resumed.perSecondAtLimit : full.perSecondAtLimit;
  const requestCores = cpuRequest === undefined ? undefined : parseCpuCores(cpuRequest);
  const minSeconds = drainWindowMinSeconds({
    connectionsPerPod: maxconn,
    handshakesPerSecondPerPod: capacity,
  });
  const minSecondsAtRequest =
    requestCores === undefined
      ? undefined
      : drainWindowMinSeconds({
          connectionsPerPod: maxconn,
          handshakesPerSecondPerPod: (capacity * requestCores) / limitCores,
        });
  return {
    rtt,
    haproxy: {
      pod: haproxyPod.metadata.name,
      cpuLimit,
      cpuRequest,
      limitCores,
      nbthread,
      maxconn,
      tickets,
      cfsQuotaUs,
    },
    full,
    resumed,
    drain: { windowSeconds: drainWindowOf(haproxyPod), minSeconds, minSecondsAtRequest },
  };
}

export async function runIncluster(options: InclusterOptions): Promise<InclusterResult> {
  const missing = inclusterMissing();
  if (missing) return { skipped: missing };
  options.log(
    "incluster: the staging stack on the real node (control plane, kubelet, containerd, MetalLB controller), then RTT and handshakes from inside its network namespace",
  );
  const staging = await startStagingOnNode();
  try {
    return await measure(staging.lab, staging.ws.dir, options);
  } finally {
    await staging.stop();
  }
}

/** Adds the part's keys to the bench's JSON line; returns its summary lines. */
export function inclusterReport(r: InclusterResult, result: Record<string, unknown>): string[] {
  if ("skipped" in r) return [`incluster not measured: ${r.skipped}: MISSED`];
  Object.assign(result, {
    incluster_rtt_p50_ms: round(r.rtt.path.p50),
    incluster_rtt_p99_ms: round(r.rtt.path.p99),
    incluster_direct_rtt_p50_ms: round(r.rtt.direct.p50),
    incluster_direct_rtt_p99_ms: round(r.rtt.direct.p99),
    incluster_rtt_p50_ratio: round(r.rtt.path.p50 / r.rtt.direct.p50, 2),
    incluster_rtt_p99_ratio: round(r.rtt.path.p99 / r.rtt.direct.p99, 2),
    incluster_haproxy_handshakes_per_s_full: Math.round(r.full.perSecondAtLimit),
    incluster_haproxy_handshakes_per_s_resumed: Math.round(r.resumed.perSecondAtLimit),
    incluster_drain_window_min_s: r.drain.minSeconds,
    incluster_figures: {
      rtt_messages: r.rtt.messages,
      haproxy_cpu_limit: r.haproxy.cpuLimit ?? null,
      haproxy_cpu_request: r.haproxy.cpuRequest ?? null,
      haproxy_limit_cores: r.haproxy.limitCores,
      haproxy_cfs_quota_us: r.haproxy.cfsQuotaUs,
      haproxy_maxconn: r.haproxy.maxconn,
      haproxy_session_tickets: r.haproxy.tickets,
      drain_window_s: r.drain.windowSeconds,
      drain_window_min_at_request_s: r.drain.minSecondsAtRequest ?? null,
      ...Object.fromEntries(
        (["full", "resumed"] as const).map((k) => [
          k,
          {
            counted_per_s: Math.round(r[k].perSecondCounted),
            haproxy_cpu_ms_per_handshake: round(r[k].haproxyCpuMsPerHandshake, 3),
            haproxy_cores: round(r[k].haproxyCores, 2),
            client_cores: round(r[k].clientCores, 2),
            throttled_periods: r[k].throttledPeriods,
            resumed_pct: round(r[k].resumedPct, 1),
            errors: r[k].errors,
          },
        ]),
      ),
    },
  });
  const safe = r.drain.windowSeconds >= r.drain.minSeconds;
  return [
    `incluster heartbeat RTT through LB -> HAProxy -> Service -> queue-proxy -> app / app pod directly: p50 ${r.rtt.path.p50.toFixed(3)} / ${r.rtt.direct.p50.toFixed(3)} ms (${(r.rtt.path.p50 / r.rtt.direct.p50).toFixed(2)}x), p99 ${r.rtt.path.p99.toFixed(3)} / ${r.rtt.direct.p99.toFixed(3)} ms (a figure, no goal)`,
    `incluster one HAProxy pod at ${r.haproxy.limitCores} core(s) (CPU limit ${r.haproxy.cpuLimit ?? "none: nbthread"}): ${r.full.perSecondAtLimit.toFixed(0)} full, ${r.resumed.perSecondAtLimit.toFixed(0)} resumed TLS handshakes a second (a figure, no goal)`,
    `incluster paced drain window: staging's ${r.drain.windowSeconds} s >= the ${r.drain.minSeconds} s its measured capacity needs for maxconn ${r.haproxy.maxconn}: ${safe ? "safe" : "UNSAFE"}` +
      (r.drain.minSecondsAtRequest === undefined
        ? ""
        : `; at the CPU request ${r.haproxy.cpuRequest} alone (a contended node) it would need ${r.drain.minSecondsAtRequest} s`),
  ];
}
