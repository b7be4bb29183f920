/**
 * A real Kubernetes node for the end-to-end cluster (`cluster.ts`): containerd (Debian's), kubelet,
 * kube-proxy (iptables), CoreDNS, kube-scheduler and MetalLB's controller (built by
 * `e2e/toolchain.sh node`), with the images of `e2e/images.sh` imported under the names the manifests
 * use. Everything runs in a network namespace this run creates, with no route out: lo, a bridge
 * `cni0` (the pod range's gateway), routes for the service range and the load-balancer pools. The
 * API server stays on 127.0.0.1 in the machine's namespace; a socat pair relays its port into the
 * node's namespace through a unix socket. Test traffic is sent only from inside that namespace
 * (`inNetns`).
 *
 * Teardown leaves nothing: the pods' processes, containerd's shims, every mount under the run's
 * folder, the network namespace, the run's own cgroup tree (`/wsxnode-<id>` in each v1 hierarchy) and the
 * folder. `stop()` does it; so does a process exit handler, and `cleanupStaleNodes()` (the e2e
 * globalTeardown, and every start) for a run whose process died without either. It never touches
 * the machine's own cgroups, mounts or processes: only what carries this run's id.
 */
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import YAML from "yaml";
import { binary, Cluster, Running, startProcess, stopProcess, tail, waitFor } from "./cluster";
import { installCrds, REAL_NODE_METALLB_CRDS } from "./homelab";

/** The node's name (Node object, kubelet, kube-proxy). */
export const NODE_NAME = "wsx-node";
/** The pod range (one node: one /24), its gateway on `cni0`, which is also the cluster DNS address. */
export const POD_CIDR = "10.244.0.0/24";
export const GATEWAY = "10.244.0.1";
/** cluster.ts's --service-cluster-ip-range. */
export const SERVICE_CIDR = "10.96.0.0/16";
/** The toolchain binaries the node runs (group `node`). */
export const NODE_BINARIES = [
  "kubelet",
  "kube-scheduler",
  "kube-proxy",
  "coredns",
  "metallb-controller",
] as const;
/** The Debian packages it needs, by a file each installs. */
export const NODE_PACKAGES: Record<string, string> = {
  containerd: "/usr/bin/containerd",
  runc: "/usr/sbin/runc",
  "containernetworking-plugins": "/usr/lib/cni/bridge",
  iptables: "/usr/sbin/iptables",
  conntrack: "/usr/sbin/conntrack",
  socat: "/usr/bin/socat",
  jq: "/usr/bin/jq",
  mmdebstrap: "/usr/bin/mmdebstrap",
};
const CTR = "/usr/bin/ctr";
const CONTEXT_NAME = "ws-exposure-e2e";
/** Where runs keep their folders; the prefix marks a folder as a node run's. */
const RUN_PREFIX = "ws-exposure-e2e-node-";
const CGROUP_FS = "/sys/fs/cgroup";
/** The memory the node's pods may use together (the cgroup root's limit). */
const NODE_MEMORY_BYTES = 6 * 1024 ** 3;

const ROOT = path.join(__dirname, "..");

/** Why the node cannot start on this machine (undefined when it can). */
export function missingNodePrerequisites(): string | undefined {
  const missing = Object.entries(NODE_PACKAGES)
    .filter(([, file]) => !fs.existsSync(file))
    .map(([pkg]) => pkg);
  if (missing.length > 0) {
    return `Debian packages missing: apt-get install --no-install-recommends ${missing.join(" ")}`;
  }
  if (process.getuid?.() !== 0) return "the node needs root (network namespace, cgroups, containerd)";
  const images = spawnSync("bash", [path.join(ROOT, "e2e", "images.sh"), "--check"]);
  if (images.status !== 0) return "the node's images are not built: bash e2e/images.sh";
  return undefined;
}

/** The state a run records in its folder, so that another process can tear it down. */
interface RunState {
  id: string;
  pid: number;
  netns: string;
  cgroup: string;
  dir: string;
  containerdSocket: string;
}

export interface NodeOptions {
  /** Load-balancer address ranges routed to the bridge inside the namespace (the stacks' pools). */
  loadBalancerRanges?: string[];
}

export interface RealNode {
  name: string;
  /** The network namespace's name (/run/netns/<name>). */
  netns: string;
  /** The kubelet's cgroupRoot (`/<cgroup>` in each hierarchy of /sys/fs/cgroup): the pods' cgroups are under it. */
  cgroup: string;
  dir: string;
  /** `kubelet --version` (e.g. "Kubernetes v1.36.3"). */
  kubeletVersion: string;
  /** The runtime the kubelet reports (Node status nodeInfo.containerRuntimeVersion). */
  containerRuntime: string;
  /** The images imported into containerd (name -> archive). */
  images: Map<string, string>;
  /** `ctr` against the node's containerd, namespace k8s.io; returns stdout, throws on failure. */
  ctr(...args: string[]): string;
  /** argv running `argv` inside the node's network namespace. */
  inNetns(argv: string[]): string[];
  /** A container's log as the kubelet wrote it (all restarts, oldest first), "" when there is none. */
  containerLog(namespace: string, pod: string, container: string): string;
  /** The node components' log tails, for failure messages. */
  logs(lines?: number): string;
  /** The node's copy of the cluster's kubeconfig (the API server's port is relayed into the namespace). */
  kubeconfig: string;
  /**
   * Starts a process of the cluster's own (a controller a real cluster runs as a pod) inside the
   * node's namespace, with `env` and the cluster's DNS (CoreDNS, search path of `namespace`) as its
   * resolver: `/etc/resolv.conf` is bound over in a mount namespace of its own, so the machine's
   * file is untouched. Stopped with the node; its argv must name the run's folder (teardown finds it).
   */
  startClusterProcess(name: string, argv: string[], env: Record<string, string>, namespace: string): Running;
  stop(): Promise<void>;
}

function run(file: string, args: string[], opts: { allowFail?: boolean; input?: string } = {}): string {
  const r = spawnSync(file, args, { encoding: "utf8", input: opts.input });
  if (r.status !== 0 && !opts.allowFail) {
    throw new Error(`${file} ${args.join(" ")}: exit ${r.status ?? r.signal}\n${r.stderr}${r.stdout}`);
  }
  return r.stdout ?? "";
}

function nsenter(netns: string, argv: string[]): string[] {
  return [`--net=/run/netns/${netns}`, "--", ...argv];
}

/** The v1 hierarchies mounted under /sys/fs/cgroup (a `cgroupRoot` must exist in each). */
function cgroupHierarchies(): string[] {
  return fs
    .readdirSync(CGROUP_FS)
    .filter((h) => h !== "unified" && fs.existsSync(path.join(CGROUP_FS, h, "cgroup.procs")));
}

function createCgroupRoot(name: string): void {
  for (const h of cgroupHierarchies()) {
    const dir = path.join(CGROUP_FS, h, name);
    fs.mkdirSync(dir, { recursive: true });
    if (h === "cpuset") {
      // A new cpuset has no CPUs and no memory nodes until given its parent's.
      for (const f of ["cpuset.cpus", "cpuset.mems"]) {
        fs.writeFileSync(path.join(dir, f), fs.readFileSync(path.join(CGROUP_FS, h, f), "utf8").trim());
      }
    }
    if (h === "memory") fs.writeFileSync(path.join(dir, "memory.limit_in_bytes"), String(NODE_MEMORY_BYTES));
  }
}

/** Every cgroup folder under the run's root in every hierarchy and the cgroup2 mount, deepest first. */
function cgroupTree(name: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory()) walk(path.join(dir, e.name));
    }
    out.push(dir);
  };
  // The kubelet and runc also make the run's tree in the cgroup2 mount (`unified`) beside the v1
  // hierarchies: removed too, though never created there by the harness.
  const mounts = fs
    .readdirSync(CGROUP_FS)
    .filter((h) => fs.existsSync(path.join(CGROUP_FS, h, "cgroup.procs")));
  for (const h of mounts) {
    const dir = path.join(CGROUP_FS, h, name);
    if (fs.existsSync(dir)) walk(dir);
  }
  return out;
}

function pidsIn(cgroupDir: string): number[] {
  try {
    return fs
      .readFileSync(path.join(cgroupDir, "cgroup.procs"), "utf8")
      .split("\n")
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}

function kill(pid: number, signal: NodeJS.Signals = "SIGKILL"): void {
  try {
    process.kill(pid, signal);
  } catch {
    // gone
  }
}

/** PIDs whose command line contains `needle` (e.g. the run's containerd socket path). */
function pidsWithArg(needle: string): number[] {
  const pids: number[] = [];
  for (const p of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(p) || Number(p) === process.pid) continue;
    try {
      const cmdline = fs.readFileSync(`/proc/${p}/cmdline`, "utf8");
      if (cmdline.includes(needle)) pids.push(Number(p));
    } catch {
      // exited meanwhile
    }
  }
  return pids;
}

/** Mount points at or under `dir` (from /proc/self/mountinfo), deepest first. */
function mountsUnder(dir: string): string[] {
  const unescape = (s: string) =>
    s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
  return fs
    .readFileSync("/proc/self/mountinfo", "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => unescape(l.split(" ")[4]))
    .filter((m) => m === dir || m.startsWith(`${dir}/`))
    .sort((a, b) => b.split("/").length - a.split("/").length || b.length - a.length);
}

/**
 * Tears a run down, synchronously (it also runs in a process exit handler): kills the pods'
 * processes (the run's cgroups), containerd's shims and every process naming the run's folder,
 * unmounts what lies under the folder, deletes the network namespace, the cgroups and the folder.
 */
export function teardownSync(state: RunState): void {
  for (let round = 0; round < 50; round += 1) {
    const pids = [...cgroupTree(state.cgroup).flatMap(pidsIn), ...pidsWithArg(state.dir)];
    if (pids.length === 0) break;
    for (const pid of pids) kill(pid);
    spawnSync("sleep", ["0.1"]);
  }
  for (const m of mountsUnder(state.dir)) {
    if (spawnSync("umount", [m]).status !== 0) spawnSync("umount", ["-l", m]);
  }
  const nsFile = `/run/netns/${state.netns}`;
  if (fs.existsSync(nsFile)) {
    const del = spawnSync("ip", ["netns", "delete", state.netns], { encoding: "utf8" });
    if (fs.existsSync(nsFile)) {
      // `ip netns delete` refused (its error is kept for the message below): detach and unlink it.
      spawnSync("umount", ["-l", nsFile]);
      fs.rmSync(nsFile, { force: true });
      if (fs.existsSync(nsFile)) console.warn(`node teardown: ${nsFile} is left: ${del.stderr}`);
    }
  }
  for (const dir of cgroupTree(state.cgroup)) {
    try {
      fs.rmdirSync(dir);
    } catch {
      // a process was still exiting: the next cleanupStaleNodes() removes it
    }
  }
  fs.rmSync(state.dir, { recursive: true, force: true });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Tears down every node run whose process is gone (a test process killed before its handlers ran),
 * and this process's own runs too unless they are still live here.
 */
export function cleanupStaleNodes(): string[] {
  const cleaned: string[] = [];
  for (const e of fs.readdirSync(os.tmpdir())) {
    if (!e.startsWith(RUN_PREFIX)) continue;
    const file = path.join(os.tmpdir(), e, "run.json");
    if (!fs.existsSync(file)) continue;
    const state = JSON.parse(fs.readFileSync(file, "utf8")) as RunState;
    if (state.pid !== process.pid && isAlive(state.pid)) continue;
    if (liveRuns.has(state.id)) continue;
    teardownSync(state);
    cleaned.push(state.id);
  }
  return cleaned;
}

const liveRuns = new Map<string, RunState>();
let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on("exit", () => {
    for (const state of liveRuns.values()) teardownSync(state);
  });
  // A signal ends the process without "exit" handlers: tear down, then exit as the signal would
  // (which runs cluster.ts's handler, stopping the control plane).
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.once(signal, () => {
      for (const state of liveRuns.values()) teardownSync(state);
      liveRuns.clear();
      process.exit(128 + os.constants.signals[signal]);
    });
  }
}

function imagesDir(): string {
  return execFileSync("bash", [path.join(ROOT, "e2e", "images.sh"), "--print-dir"], {
    encoding: "utf8",
  }).trim();
}

function writeConfigs(dir: string, state: RunState, cluster: Cluster): Record<string, string> {
  const file = (name: string, text: string) => {
    const p = path.join(dir, name);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, text);
    return p;
  };
  // Every node process names the run's folder in its arguments (this copy of the cluster's
  // kubeconfig at least): teardownSync finds them by it even when this process is gone.
  const kubeconfig = file("kubeconfig", fs.readFileSync(cluster.kubeconfigPath, "utf8"));
  const ctd = path.join(dir, "containerd");
  const containerd = file(
    "containerd.toml",
    [
      "version = 2",
      `root = "${ctd}/root"`,
      `state = "${ctd}/state"`,
      `plugin_dir = "${ctd}/plugins"`,
      "[grpc]",
      `  address = "${state.containerdSocket}"`,
      // The opt plugin would create /opt/containerd on the machine.
      '[plugins."io.containerd.internal.v1.opt"]',
      `  path = "${ctd}/opt"`,
      '[plugins."io.containerd.grpc.v1.cri"]',
      `  sandbox_image = "${SANDBOX_IMAGE}"`,
      // runc cannot lower oom_score_adj here (no CAP_SYS_RESOURCE): without this every sandbox fails.
      "  restrict_oom_score_adj = true",
      // Pod network namespaces under the run's folder, not /var/run/netns: teardown finds them there.
      "  netns_mounts_under_state_dir = true",
      '  [plugins."io.containerd.grpc.v1.cri".containerd]',
      '    snapshotter = "overlayfs"',
      '    default_runtime_name = "runc"',
      '    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]',
      '      runtime_type = "io.containerd.runc.v2"',
      '      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]',
      "        SystemdCgroup = false",
      `        Root = "${ctd}/runc"`,
      '  [plugins."io.containerd.grpc.v1.cri".cni]',
      '    bin_dir = "/usr/lib/cni"',
      `    conf_dir = "${dir}/cni/net.d"`,
      "",
    ].join("\n"),
  );
  file(
    "cni/net.d/10-wsx.conflist",
    JSON.stringify(
      {
        cniVersion: "1.0.0",
        name: "wsx",
        plugins: [
          {
            type: "bridge",
            bridge: "cni0",
            isGateway: true,
            ipMasq: false,
            hairpinMode: true,
            ipam: {
              type: "host-local",
              ranges: [[{ subnet: POD_CIDR, gateway: GATEWAY }]],
              routes: [{ dst: "0.0.0.0/0" }],
              dataDir: path.join(dir, "cni", "ipam"),
            },
          },
          { type: "portmap", capabilities: { portMappings: true } },
        ],
      },
      null,
      2,
    ),
  );
  const kubelet = path.join(dir, "kubelet");
  const resolvConf = file("kubelet-resolv.conf", "# the node has no resolver of its own\n");
  const kubeletConfig = file(
    "kubelet-config.yaml",
    YAML.stringify({
      apiVersion: "kubelet.config.k8s.io/v1beta1",
      kind: "KubeletConfiguration",
      // The machine has cgroup v1 only; kubelet 1.36 refuses it unless told otherwise.
      failCgroupV1: false,
      cgroupDriver: "cgroupfs",
      cgroupRoot: `/${state.cgroup}`,
      containerRuntimeEndpoint: `unix://${state.containerdSocket}`,
      address: "127.0.0.1",
      port: 10250,
      readOnlyPort: 0,
      healthzBindAddress: "127.0.0.1",
      healthzPort: 10248,
      authentication: {
        anonymous: { enabled: false },
        webhook: { enabled: false },
        x509: { clientCAFile: cluster.credentials.caPath },
      },
      authorization: { mode: "AlwaysAllow" },
      clusterDomain: "cluster.local",
      clusterDNS: [GATEWAY],
      resolvConf,
      podLogsDir: path.join(dir, "pod-logs"),
      failSwapOn: false,
      // The images cannot be pulled again: never garbage-collect them.
      imageGCHighThresholdPercent: 100,
      imageGCLowThresholdPercent: 99,
      evictionHard: { "memory.available": "100Mi", "nodefs.available": "1%", "imagefs.available": "1%" },
      serializeImagePulls: false,
      registerNode: true,
      maxPods: 40,
    }),
  );
  const kubeProxyConfig = file(
    "kube-proxy-config.yaml",
    YAML.stringify({
      apiVersion: "kubeproxy.config.k8s.io/v1alpha1",
      kind: "KubeProxyConfiguration",
      mode: "iptables",
      clusterCIDR: POD_CIDR,
      hostnameOverride: NODE_NAME,
      bindAddress: "127.0.0.1",
      healthzBindAddress: "127.0.0.1:10256",
      metricsBindAddress: "127.0.0.1:10249",
      clientConnection: { kubeconfig },
      // Zeros: kube-proxy then writes no conntrack sysctls (they are the machine's, not the namespace's).
      conntrack: { maxPerCore: 0, min: 0, tcpEstablishedTimeout: "0s", tcpCloseWaitTimeout: "0s" },
    }),
  );
  const corefile = file(
    "Corefile",
    [
      ".:53 {",
      "    errors",
      "    health 127.0.0.1:18080",
      "    ready 127.0.0.1:18181",
      "    kubernetes cluster.local in-addr.arpa ip6.arpa {",
      `        kubeconfig ${kubeconfig} ${CONTEXT_NAME}`,
      "        fallthrough in-addr.arpa ip6.arpa",
      "        ttl 5",
      "    }",
      "    cache 5",
      "}",
      "",
    ].join("\n"),
  );
  return { containerd, kubelet, kubeletConfig, kubeProxyConfig, corefile, kubeconfig };
}

/** The sandbox image containerd's CRI config names (e2e/images.env PAUSE_IMAGE). */
const SANDBOX_IMAGE = "registry.k8s.io/pause:3.10.2";

function setUpNetns(netns: string, ranges: string[]): void {
  run("ip", ["netns", "add", netns]);
  const ip = (...args: string[]) => run("nsenter", nsenter(netns, ["ip", ...args]));
  ip("link", "set", "lo", "up");
  ip("link", "add", "cni0", "type", "bridge");
  ip("addr", "add", `${GATEWAY}/24`, "dev", "cni0");
  ip("link", "set", "cni0", "up");
  // No default route: only the service range and the pools go to the bridge, where kube-proxy's
  // rules rewrite them to pod addresses.
  for (const r of [SERVICE_CIDR, ...ranges]) ip("route", "add", r, "dev", "cni0");
  for (const s of ["net.ipv4.ip_forward=1", "net.bridge.bridge-nf-call-iptables=1"]) {
    run("nsenter", nsenter(netns, ["sysctl", "-q", "-w", s]));
  }
}

/** Starts the node against `cluster` and resolves once the Node is Ready and kube-proxy and CoreDNS serve. */
export async function startNode(cluster: Cluster, options: NodeOptions = {}): Promise<RealNode> {
  cleanupStaleNodes();
  installExitHook();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), RUN_PREFIX));
  const id = path
    .basename(dir)
    .slice(RUN_PREFIX.length)
    .toLowerCase()
    .replace(/[^a-z0-9]/g, "");
  const state: RunState = {
    id,
    pid: process.pid,
    netns: `wsxnode-${id}`,
    cgroup: `wsxnode-${id}`,
    dir,
    containerdSocket: path.join(dir, "containerd", "containerd.sock"),
  };
  fs.writeFileSync(path.join(dir, "run.json"), JSON.stringify(state));
  liveRuns.set(id, state);
  const processes: Running[] = [];
  const netns = state.netns;
  const inNetns = (argv: string[]) => ["nsenter", ...nsenter(netns, argv)];
  const startIn = (name: string, argv: string[]) => {
    const r = startProcess(name, "nsenter", nsenter(netns, argv), dir);
    processes.push(r);
    return r;
  };
  const stopAll = async () => {
    for (const r of [...processes].reverse()) await stopProcess(r);
    teardownSync(state);
    liveRuns.delete(id);
  };
  try {
    const ranges = options.loadBalancerRanges ?? [];
    setUpNetns(netns, ranges);
    createCgroupRoot(state.cgroup);
    const cfg = writeConfigs(dir, state, cluster);

    // The API server's port, relayed into the namespace: a unix socket in the run's folder joins a
    // listener on the machine's 127.0.0.1 side and one on the namespace's 127.0.0.1 side.
    const apiPort = new URL(cluster.server).port;
    const relay = path.join(dir, "apiserver.sock");
    processes.push(
      startProcess("relay-host", "socat", [`UNIX-LISTEN:${relay},fork`, `TCP:127.0.0.1:${apiPort}`], dir),
    );
    startIn("relay-node", [
      "socat",
      `TCP-LISTEN:${apiPort},bind=127.0.0.1,fork,reuseaddr`,
      `UNIX-CONNECT:${relay}`,
    ]);

    startIn("containerd", ["containerd", "--config", cfg.containerd]);
    const ctr = (...args: string[]) =>
      run(CTR, ["--address", state.containerdSocket, "-n", "k8s.io", ...args]);
    await waitFor(
      "containerd",
      async () => fs.existsSync(state.containerdSocket) && ctr("version") !== "",
      processes,
      60000,
    );

    const images = new Map<string, string>();
    const imageDir = imagesDir();
    for (const line of fs
      .readFileSync(path.join(imageDir, "images.tsv"), "utf8")
      .split("\n")
      .filter(Boolean)) {
      const [name, archive] = line.split("\t");
      ctr("images", "import", path.join(imageDir, archive));
      images.set(name, archive);
    }
    const listed = new Set(ctr("images", "ls", "-q").split("\n"));
    const notImported = [...images.keys()].filter((n) => !listed.has(n));
    if (notImported.length > 0)
      throw new Error(`images not in containerd after import: ${notImported.join(", ")}`);

    const kubeletVersion = run(binary("kubelet"), ["--version"]).trim();
    const kubelet = startIn("kubelet", [
      binary("kubelet"),
      `--config=${cfg.kubeletConfig}`,
      `--kubeconfig=${cfg.kubeconfig}`,
      `--root-dir=${cfg.kubelet}`,
      `--hostname-override=${NODE_NAME}`,
      `--node-ip=${GATEWAY}`,
      "--v=1",
    ]);
    startIn("kube-proxy", [binary("kube-proxy"), `--config=${cfg.kubeProxyConfig}`, "--v=1"]);
    startIn("coredns", [binary("coredns"), "-conf", cfg.corefile]);
    startIn("kube-scheduler", [
      binary("kube-scheduler"),
      `--kubeconfig=${cfg.kubeconfig}`,
      `--authentication-kubeconfig=${cfg.kubeconfig}`,
      `--authorization-kubeconfig=${cfg.kubeconfig}`,
      "--leader-elect=false",
      "--bind-address=127.0.0.1",
      "--v=1",
    ]);
    interface NodeStatus {
      status?: {
        conditions?: { type: string; status: string }[];
        nodeInfo?: { containerRuntimeVersion?: string };
      };
    }
    let containerRuntime = "";
    await waitFor(
      `Node ${NODE_NAME} Ready`,
      async () => {
        const node = await cluster.kube.find<NodeStatus>(`/api/v1/nodes/${NODE_NAME}`);
        containerRuntime = node?.status?.nodeInfo?.containerRuntimeVersion ?? "";
        return (node?.status?.conditions ?? []).some((c) => c.type === "Ready" && c.status === "True");
      },
      processes,
      180000,
    );
    // MetalLB's controller exits at start unless all its CRDs are served.
    await installCrds(cluster.kube, REAL_NODE_METALLB_CRDS);
    await cluster.kube.apply(
      { apiVersion: "v1", kind: "Namespace", metadata: { name: "metallb-system" } },
      "kubectl",
    );
    startIn("metallb-controller", [
      binary("metallb-controller"),
      `--kubeconfig=${cfg.kubeconfig}`,
      "--namespace=metallb-system",
      "--webhook-mode=disabled",
      "--disable-cert-rotation",
      "--log-level=info",
    ]);

    const httpOk = (url: string) => async () =>
      spawnSync("nsenter", nsenter(netns, ["curl", "-fsS", "-m", "2", "-o", "/dev/null", url])).status === 0;
    await waitFor("kube-proxy /healthz", httpOk("http://127.0.0.1:10256/healthz"), processes, 120000);
    await waitFor("CoreDNS /ready", httpOk("http://127.0.0.1:18181/ready"), processes, 120000);

    return {
      name: NODE_NAME,
      netns,
      cgroup: state.cgroup,
      dir,
      kubeletVersion,
      containerRuntime,
      images,
      ctr,
      inNetns,
      containerLog: (namespace, pod, container) => {
        const logs = path.join(dir, "pod-logs");
        if (!fs.existsSync(logs)) return "";
        const podDir = fs.readdirSync(logs).find((d) => d.startsWith(`${namespace}_${pod}_`));
        const cdir = podDir && path.join(logs, podDir, container);
        if (!cdir || !fs.existsSync(cdir)) return "";
        return fs
          .readdirSync(cdir)
          .sort((a, b) => parseInt(a, 10) - parseInt(b, 10))
          .map((f) => fs.readFileSync(path.join(cdir, f), "utf8"))
          .join("");
      },
      logs: (lines = 30) =>
        processes.map((r) => `--- ${r.name}\n${tail(r.logPath, lines)}`).join("\n") +
        (kubelet.child.exitCode !== null ? "\n(kubelet exited)" : ""),
      kubeconfig: cfg.kubeconfig,
      startClusterProcess: (name, argv, env, namespace) => {
        const resolvConf = path.join(dir, `resolv-${namespace}.conf`);
        fs.writeFileSync(
          resolvConf,
          `nameserver ${GATEWAY}\nsearch ${namespace}.svc.cluster.local svc.cluster.local cluster.local\noptions ndots:5\n`,
        );
        const assignments = Object.entries(env).map(([k, v]) => `${k}=${v}`);
        return startIn(name, [
          "unshare",
          "--mount",
          "--propagation",
          "private",
          "sh",
          "-c",
          'mount --bind "$0" /etc/resolv.conf && exec "$@"',
          resolvConf,
          "env",
          ...assignments,
          ...argv,
        ]);
      },
      stop: stopAll,
    };
  } catch (err) {
    const logs = processes.map((r) => `--- ${r.name}\n${tail(r.logPath, 30)}`).join("\n");
    await stopAll();
    throw new Error(`${(err as Error).message}\n${logs}`);
  }
}
