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
import {
  binary,
  Cluster,
  Liveness,
  Running,
  stopProcess,
  Supervised,
  tail,
  waitForRestarting,
} from "./cluster";
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
/** How long the autoscaler may take to serve its socket, and then the activator to be ready (hang detectors). */
const AUTOSCALER_LISTENS_WITHIN_MS = 2 * 60 * 1000;
const ACTIVATOR_READY_WITHIN_MS = 4 * 60 * 1000;

const PROFILING_PORTS = { controller: 18008, autoscaler: 18009, activator: 18010 };

export interface KnativeServing {
  processes: Running[];
  logs(lines?: number): string;
}

/**
 * Installs the CRDs, the administrator's ConfigMaps and the activator's and autoscaler's Services,
 * starts the three (the controller once the autoscaler serves its socket), and resolves once the
 * activator answers its readiness probe. The webhook (`startKnativeWebhook`) must already run.
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
  // The controller starts once the autoscaler holds :8080 (below).
  const processes = (["autoscaler", "activator"] as const).map(start);
  const logs = (lines = 30) => processes.map((r) => `--- ${r.name}\n${tail(r.logPath, lines)}`).join("\n");
  /** A kubelet's HTTP probe from inside the node's namespace: 200 or not, and what it saw. */
  const httpProbe = (address: string, port: number) => {
    const argv = ["curl", "-sS", "-m", "2", "-o", "/dev/null", "-w", "%{http_code}"];
    const [cmd, ...args] = node.inNetns([
      ...argv,
      "-H",
      "K-Kubelet-Probe: queue",
      `http://${address}:${port}/`,
    ]);
    const r = spawnSync(cmd, args, { encoding: "utf8" });
    const code = r.stdout.trim();
    const answer =
      code === "000" || code === ""
        ? `no HTTP answer on ${address}:${port} (${r.stderr.trim() || `curl exit ${r.status}`})`
        : `HTTP ${code}`;
    return { ok: code === "200", answer };
  };
  // The probe of a process on the node's address; `lastAnswer` names what it saw last.
  const lastAnswer: Record<string, string> = {};
  const kubeletProbe = (component: string, port: number) => async () => {
    const { ok, answer } = httpProbe(GATEWAY, port);
    lastAnswer[component] = answer;
    return ok;
  };
  /** The activator's last failed dials of the autoscaler's socket: its log says why each failed. */
  const connectionErrors = () => {
    const activator = processes.find((r) => r.name === "knative-activator")!;
    const dials = fs
      .readFileSync(activator.logPath, "utf8")
      .split("\n")
      .filter((l) => /could not be established|Failed connecting/.test(l));
    return dials.length > 0
      ? `the activator's last failed dials of the autoscaler:\n${dials.slice(-3).join("\n")}`
      : "the activator's log has no failed dial of the autoscaler";
  };
  /**
   * The activator's way to the autoscaler, for a failed wait: the Service's address, the
   * EndpointSlices kube-controller-manager mirrored from its Endpoints, and a probe through the
   * address kube-proxy routes.
   */
  const autoscalerRoute = async () => {
    try {
      const service = (await cluster.kube.find(
        `/api/v1/namespaces/${SYSTEM_NAMESPACE}/services/autoscaler`,
      )) as { spec: { clusterIP: string } } | undefined;
      const slices = (await cluster.kube.list(
        `/apis/discovery.k8s.io/v1/namespaces/${SYSTEM_NAMESPACE}/endpointslices?labelSelector=${encodeURIComponent("kubernetes.io/service-name=autoscaler")}`,
      )) as (KubeObject & { endpoints?: { addresses: string[] }[] })[];
      const endpoints = slices.flatMap((e) => (e.endpoints ?? []).flatMap((p) => p.addresses));
      const clusterIP = service?.spec.clusterIP ?? "none";
      return `the autoscaler's Service: clusterIP ${clusterIP}, ${slices.length} EndpointSlice(s) with [${endpoints.join(", ")}]; a probe through ${clusterIP}:8080: ${httpProbe(clusterIP, 8080).answer}`;
    } catch (err) {
      return `the autoscaler's Service could not be read: ${(err as Error).message}`;
    }
  };
  const activatorProbe = kubeletProbe("activator", 8012);
  const autoscalerProbe = kubeletProbe("autoscaler", 8080);
  const supervised = (component: "activator" | "autoscaler", liveness: Liveness): Supervised => {
    const i = processes.findIndex((r) => r.name === `knative-${component}`);
    return {
      name: processes[i].name,
      current: () => processes[i],
      restart: async () => {
        await stopProcess(processes[i]);
        processes[i] = start(component);
      },
      policy: { maxRestarts: 2, liveness },
    };
  };
  try {
    // The controller's probe server takes :8080 too (knative.dev/pkg's HealthCheckDefaultPort, not
    // configurable), which in a cluster is its own pod's: in this shared namespace the first to bind
    // wins. An autoscaler that loses stops its workers but does not exit, and the activator then
    // dials the controller's server for good (404: two CI runs failed so). So the autoscaler goes
    // first; the controller's probe server then cannot bind, and it reconciles without one (nothing
    // probes it here). The autoscaler's probe answers 200 only from its own socket.
    const autoscalerLiveness = {
      probe: autoscalerProbe,
      initialDelayMs: 0,
      periodMs: 10_000,
      failureThreshold: 6,
    };
    await waitForRestarting(
      "the Knative autoscaler's socket on :8080",
      autoscalerProbe,
      [supervised("autoscaler", autoscalerLiveness)],
      AUTOSCALER_LISTENS_WITHIN_MS,
      processes.filter((r) => r.name === "knative-activator"),
    );
    processes.push(start("controller"));
    // The activator answers a kubelet's probe 200 once it has its config and the autoscaler's
    // socket. Nothing bounds how long Go processes starting at once take to get there on a
    // CPU-starved machine (they are niced with the test run): the bounds only catch a hang. A
    // process that hangs is restarted as the kubelet would on the liveness probes of Knative's
    // manifests (config/core/deployments).
    await waitForRestarting(
      "the Knative activator ready",
      activatorProbe,
      [
        supervised("activator", {
          probe: activatorProbe,
          initialDelayMs: 15_000,
          periodMs: 10_000,
          failureThreshold: 12,
        }),
        supervised("autoscaler", autoscalerLiveness),
      ],
      ACTIVATOR_READY_WITHIN_MS,
      processes.filter((r) => r.name === "knative-controller"),
    );
  } catch (err) {
    const answers = Object.entries(lastAnswer).map(([c, a]) => `the ${c}'s probe, last answer: ${a}`);
    const route = await autoscalerRoute();
    // What explains a hang first: a run's log is often read from its end, cut short.
    const diagnosis = [...answers, route, connectionErrors()].join("\n");
    throw new Error(`Knative Serving did not start: ${diagnosis}\n${(err as Error).message}\n${logs()}`);
  }
  return { processes, logs };
}
