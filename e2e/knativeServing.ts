/**
 * Knative Serving 1.22's own controller, autoscaler and activator (`knative.dev/serving/cmd/...`,
 * built by `e2e/toolchain.sh serving`) on the real node (`node.ts`): a real cluster runs them as
 * pods of `knative-serving`; here they run as processes inside the node's network namespace (they
 * reach the pods, the ClusterIPs kube-proxy routes and CoreDNS as a pod would), with the Knative
 * webhook (`knativeWebhook.ts`) admitting and defaulting the objects they write.
 *
 * Why all three: the controller turns the Knative Service into Configuration, Revision, the
 * revision's Deployment (the real queue-proxy beside the app) and its PodAutoscaler; the autoscaler
 * reconciles the PodAutoscaler (min-scale, the ServerlessService, the Deployment's scale). The L4
 * route's Service selects the revision pods itself, so no request goes through the activator; but
 * a revision the Route no longer sends to is only scaled down once the autoscaler's probe has found
 * the activator in front of it (pkg/reconciler/autoscaling/kpa/scaler.go `activatorProbe`), so
 * without the activator an old revision's pods never stop.
 *
 * No networking layer runs (no Kourier or Istio: nothing reconciles the KIngress the Route makes),
 * so Route and Service never turn Ready (RoutesReady stays Unknown); Configuration and Revision do.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import YAML from "yaml";
import { binary, Cluster, Running, stopProcess, tail, waitForRestarting } from "./cluster";
import { installCrds } from "./homelab";
import { KubeObject } from "./kube";
import { GATEWAY, RealNode } from "./node";
import { SYSTEM_NAMESPACE } from "./knativeWebhook";

export const KNATIVE_SERVING_BINARIES = [
  "knative-controller-1.22",
  "knative-autoscaler-1.22",
  "knative-activator-1.22",
] as const;

const NETWORKING = "knative-networking-v0.0.0-20260529061306-c8de379770b9";
/** The CRDs the three reconcile or watch (the Service CRD is the homelab's). */
export const KNATIVE_SERVING_CRDS = [
  ...["configuration", "revision", "route", "podautoscaler", "metric", "domain-mapping"].map(
    (name) => `knative-serving-v0.49.1/${name}.yaml`,
  ),
  ...["serverlessservice", "ingress", "certificate", "domain-claim"].map(
    (name) => `${NETWORKING}/${name}.yaml`,
  ),
  "knative-caching-v0.0.0-20260422140616-453ad996bbe2/image.yaml",
];

const INSTALLER = "kubectl";
const CLUSTER_ADMIN = "e2e-knative-serving";

/** KEY=value of e2e/images.env (the names images.sh imports the images under). */
function imageName(key: string): string {
  const line = fs
    .readFileSync(path.join(__dirname, "images.env"), "utf8")
    .split("\n")
    .find((l) => l.startsWith(`${key}=`));
  if (!line) throw new Error(`e2e/images.env has no ${key}`);
  return line.slice(key.length + 1);
}

/**
 * What this cluster's administrator sets in Knative's ConfigMaps, over the release's (the webhook's
 * install applied them; `kubectl apply --server-side` of the edited files, so the same manager):
 * - config-deployment: the queue-proxy image is the one images.sh imported, and the revision's
 *   image is used by its tag (no registry can be asked for a digest);
 * - config-autoscaler: a revision no route sends to waits 10 s, not 30 s, before its last pods stop
 *   (`scale-to-zero-grace-period`), so a rollout's old pods start their drain sooner;
 * - config-gc: a revision the route left is deleted once it is 30 s old (Knative's default keeps 20
 *   for 48 h; not `max-non-active-revisions: 0`, which also deletes a new revision before it is
 *   ready, as the route has not reached it yet and the labeler marks it `reserve`). Without
 *   this a rollout's old pods do not stop while WebSockets are open on them: each open socket is a
 *   request in flight to the queue-proxy, so the autoscaler keeps ceil(open / target) pods of a
 *   revision no route sends to (min-scale only holds while routed; pkg/autoscaler/scaling), and the
 *   old revision keeps serving its sockets until they close. Deleting the revision is what stops its
 *   pods, through the queue-proxy's drain.
 */
export function knativeServingConfig(): KubeObject[] {
  const userImageRegistry = imageName("ECHO_IMAGE").split("/")[0];
  const edited = (name: string, data: Record<string, string>): KubeObject => {
    const [release] = documents(`knative-serving-v0.49.1/${name}.yaml`) as (KubeObject & {
      data: Record<string, string>;
    })[];
    return { ...release, data: { ...release.data, ...data } };
  };
  return [
    edited("config-deployment", {
      "queue-sidecar-image": imageName("QUEUE_IMAGE"),
      "registries-skipping-tag-resolving": `kind.local,ko.local,dev.local,${userImageRegistry}`,
    }),
    edited("config-autoscaler", { "scale-to-zero-grace-period": "10s" }),
    edited("config-gc", {
      "retain-since-create-time": "30s",
      "retain-since-last-active-time": "disabled",
      "min-non-active-revisions": "0",
      "max-non-active-revisions": "disabled",
    }),
  ];
}

function documents(file: string): KubeObject[] {
  return YAML.parseAllDocuments(fs.readFileSync(path.join(__dirname, "crds", file), "utf8"))
    .map((d) => d.toJSON() as KubeObject | null)
    .filter((d): d is KubeObject => d !== null);
}

/**
 * A Service of knative-serving whose endpoint is a process on the node's own address (`GATEWAY`):
 * the pods' Services in a real cluster select the pods; these have no selector and Endpoints of
 * their own (kube-controller-manager mirrors them into an EndpointSlice).
 */
function hostService(
  name: string,
  ports: { name: string; port: number; targetPort: number }[],
): KubeObject[] {
  return [
    {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name, namespace: SYSTEM_NAMESPACE, labels: { app: name.replace(/-service$/, "") } },
      spec: { ports: ports.map((p) => ({ ...p, protocol: "TCP" })) },
    },
    {
      apiVersion: "v1",
      kind: "Endpoints",
      metadata: { name, namespace: SYSTEM_NAMESPACE },
      subsets: [
        {
          addresses: [{ ip: GATEWAY }],
          ports: ports.map((p) => ({ name: p.name, port: p.targetPort, protocol: "TCP" })),
        },
      ],
    },
  ];
}

/** Ports the three bind (each its own: they share the node's namespace, where pods have theirs). */
/** How long the activator may take to answer its readiness probe (a hang detector; see its use). */
const ACTIVATOR_READY_WITHIN_MS = 4 * 60 * 1000;

const PROFILING_PORTS = { controller: 18008, autoscaler: 18009, activator: 18010 };

export interface KnativeServing {
  processes: Running[];
  logs(lines?: number): string;
}

/**
 * Installs the CRDs, the administrator's ConfigMaps and the activator's and autoscaler's Services,
 * starts the three, and resolves once the activator answers its readiness probe and the autoscaler
 * listens. The webhook (`startKnativeWebhook`) must already run.
 */
export async function startKnativeServing(cluster: Cluster, node: RealNode): Promise<KnativeServing> {
  await installCrds(cluster.kube, KNATIVE_SERVING_CRDS);
  for (const cm of documents(`${NETWORKING}/config-network.yaml`)) await cluster.kube.apply(cm, INSTALLER);
  for (const cm of knativeServingConfig()) await cluster.kube.apply(cm, INSTALLER);
  for (const o of [
    ...hostService("activator-service", [
      { name: "http", port: 80, targetPort: 8012 },
      { name: "http2", port: 81, targetPort: 8013 },
    ]),
    ...hostService("autoscaler", [{ name: "http", port: 8080, targetPort: 8080 }]),
  ])
    await cluster.kube.apply(o, CLUSTER_ADMIN);

  const env = (component: keyof typeof PROFILING_PORTS) => ({
    SYSTEM_NAMESPACE,
    POD_NAME: `${component}-${node.name}`,
    POD_IP: GATEWAY,
    CONFIG_LOGGING_NAME: "config-logging",
    CONFIG_OBSERVABILITY_NAME: "config-observability",
    METRICS_DOMAIN: "knative.dev/serving",
    PROFILING_PORT: String(PROFILING_PORTS[component]),
    HOME: node.dir,
  });
  const start = (component: keyof typeof PROFILING_PORTS) =>
    node.startClusterProcess(
      `knative-${component}`,
      [binary(`knative-${component}-1.22`), `--kubeconfig=${node.kubeconfig}`],
      env(component),
      SYSTEM_NAMESPACE,
    );
  const processes = (["controller", "autoscaler", "activator"] as const).map(start);
  const logs = (lines = 30) => processes.map((r) => `--- ${r.name}\n${tail(r.logPath, lines)}`).join("\n");
  // The activator's readiness probe as a kubelet sends it; `lastAnswer` names what the wait saw last.
  let lastAnswer = "no probe yet";
  const activatorReady = async () => {
    const argv = ["curl", "-sS", "-m", "2", "-o", "/dev/null", "-w", "%{http_code}"];
    const [cmd, ...args] = node.inNetns([...argv, "-H", "K-Kubelet-Probe: queue", `http://${GATEWAY}:8012/`]);
    const r = spawnSync(cmd, args, { encoding: "utf8" });
    const code = r.stdout.trim();
    lastAnswer =
      code === "000" || code === ""
        ? `no HTTP answer on ${GATEWAY}:8012 (${r.stderr.trim() || `curl exit ${r.status}`})`
        : `HTTP ${code}`;
    return code === "200";
  };
  try {
    // The activator answers a kubelet's probe 200 once it has its config and the autoscaler's
    // socket. Nothing bounds how long three Go processes starting at once take to get there on a
    // CPU-starved machine (they are niced with the test run): the bound only catches a hang, and
    // takes half of the fixture's beforeAll, which also starts the control plane, node and webhook.
    // An activator that never connects to the autoscaler's socket (seen once on an idle machine:
    // "connection has not yet been established" for 4 min) fails its liveness probe in a cluster,
    // and the kubelet restarts it: so does the harness, once, half-way through the bound.
    const activator = processes.findIndex((r) => r.name === "knative-activator");
    await waitForRestarting(
      "the Knative activator ready",
      activatorReady,
      {
        name: "knative-activator",
        current: () => processes[activator],
        restart: async () => {
          await stopProcess(processes[activator]);
          processes[activator] = start("activator");
        },
      },
      { maxRestarts: 1, restartWhenNotReadyHalfWay: true },
      ACTIVATOR_READY_WITHIN_MS,
      processes.filter((_, i) => i !== activator),
    );
  } catch (err) {
    throw new Error(
      `${(err as Error).message}\nthe activator's readiness probe, last answer: ${lastAnswer}\n${logs()}`,
    );
  }
  return { processes, logs };
}
