/**
 * Knative Serving's own admission webhook (`knative.dev/serving/cmd/webhook`, built by
 * `e2e/toolchain.sh knative`) registered with the end-to-end API server, the way a cluster runs it
 * but as a process on this machine:
 *
 * - the API server needs `--enable-aggregator-routing=true` (KNATIVE_WEBHOOK_API_SERVER_FLAGS), so
 *   it calls webhooks at their Service's endpoints: there is no kube-proxy to route a ClusterIP;
 * - Service `webhook` in `knative-serving` (no selector) with Endpoints and an EndpointSlice on
 *   the address of a test host of this run's own (`e2e/testHost.ts`: a network namespace joined to
 *   this machine by a veth pair; the API server refuses loopback endpoints) and a free port, where
 *   the webhook, started inside that namespace, listens (cmd/webhook has no address flag);
 * - the webhook configurations, ConfigMaps and the empty `webhook-certs` Secret exactly as
 *   Knative Serving v0.49.1 (Knative 1.22) ships them (`e2e/crds/knative-serving-v0.49.1/`);
 * - the webhook reaches the API server through a small TLS proxy on this machine's end of the veth
 *   pair (`ConfigWatchGate`; the API server itself listens on 127.0.0.1 only)
 *   that can hold back the events of its ConfigMap watch: that makes the webhook's copy of
 *   `config-defaults` lag behind the API server on demand, the race the admission check handles.
 */
import { ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import * as https from "node:https";
import * as path from "node:path";
import YAML from "yaml";
import { makeCertificate } from "../support/certs";
import { freePort } from "../support/ports";
import { Cluster, killGroup, waitForRestarting } from "./cluster";
import { KSVC } from "./homelab";
import { Kube, KubeError, KubeObject } from "./kube";
import { createTestHost, testHostProblem } from "./testHost";
import { toolchainBinary } from "./toolchain";

export const KNATIVE_WEBHOOK_BINARY = "knative-webhook-1.22";
export const KNATIVE_WEBHOOK_API_SERVER_FLAGS = ["--enable-aggregator-routing=true"];
export const SYSTEM_NAMESPACE = "knative-serving";
/** The webhook's log line for every object its validation refuses (knative.dev/pkg validation_admit.go). */
export const REFUSAL_LOG = "Failed the resource specific validation";

const UPSTREAM = path.join(__dirname, "crds", "knative-serving-v0.49.1");
const CONFIGMAPS = [
  "autoscaler",
  "certmanager",
  "defaults",
  "deployment",
  "domain",
  "features",
  "gc",
  "leader-election",
  "logging",
  "observability",
  "tracing",
].map((name) => `config-${name}.yaml`);
const WEBHOOK_CONFIGURATIONS = [
  "webhook-defaulting.yaml",
  "webhook-resource-validation.yaml",
  "webhook-configmap-validation.yaml",
];
const INSTALLER = "kubectl";

function documents(file: string): KubeObject[] {
  return YAML.parseAllDocuments(fs.readFileSync(path.join(UPSTREAM, file), "utf8"))
    .map((d) => d.toJSON() as KubeObject | null)
    .filter((d): d is KubeObject => d !== null);
}

/** A request of the webhook's ConfigMap informers: a watch on ConfigMaps of knative-serving. */
function isConfigMapWatch(url: string): boolean {
  const u = new URL(url, "https://x");
  return (
    u.pathname === `/api/v1/namespaces/${SYSTEM_NAMESPACE}/configmaps` &&
    ["true", "1"].includes(u.searchParams.get("watch") ?? "")
  );
}

/**
 * An HTTPS proxy on 127.0.0.1 between the webhook and the API server (HTTP/1.1: each watch is its
 * own streamed response). `freeze()` holds back what the API server sends on the webhook's
 * ConfigMap watches, `thaw()` delivers it: everything else (leases, Secrets, the dry-run Pods
 * the webhook creates) passes at once.
 */
class ConfigWatchGate {
  private frozen = false;
  private readonly held: (() => void)[] = [];
  private readonly upstream: https.Agent;
  private server?: https.Server;
  private readonly sockets = new Set<import("node:stream").Duplex>();
  port = 0;

  constructor(
    private readonly cluster: Cluster,
    private readonly dir: string,
    private readonly listenAddress: string,
  ) {
    const c = cluster.credentials;
    this.upstream = new https.Agent({
      ca: fs.readFileSync(c.caPath),
      cert: fs.readFileSync(c.certPath),
      key: fs.readFileSync(c.keyPath),
      keepAlive: true,
    });
  }

  async start(): Promise<string> {
    const cert = makeCertificate(this.dir);
    this.server = https.createServer(
      { cert: fs.readFileSync(cert.certPath), key: fs.readFileSync(cert.keyPath) },
      (req, res) => this.forward(req, res),
    );
    this.server.on("connection", (s) => {
      this.sockets.add(s);
      s.once("close", () => this.sockets.delete(s));
    });
    this.port = await freePort();
    await new Promise<void>((resolve, reject) => {
      this.server!.once("error", reject);
      this.server!.listen(this.port, this.listenAddress, () => resolve());
    });
    return cert.certPath;
  }

  private forward(req: http.IncomingMessage, res: http.ServerResponse): void {
    const target = new URL(req.url ?? "/", this.cluster.server);
    const headers = { ...req.headers, host: target.host };
    const up = https.request(target, { method: req.method, headers, agent: this.upstream }, (answer) => {
      const out = { ...answer.headers };
      delete out["transfer-encoding"];
      delete out.connection;
      res.writeHead(answer.statusCode ?? 502, out);
      if (!isConfigMapWatch(req.url ?? "")) {
        answer.pipe(res);
        return;
      }
      answer.on("data", (chunk: Buffer) => {
        if (!this.frozen) {
          res.write(chunk);
          return;
        }
        this.held.push(() => res.write(chunk));
      });
      answer.on("end", () => {
        if (this.frozen) this.held.push(() => res.end());
        else res.end();
      });
    });
    up.on("error", () => res.destroy());
    res.on("close", () => up.destroy());
    req.pipe(up);
  }

  freeze(): void {
    this.frozen = true;
  }

  thaw(): void {
    this.frozen = false;
    for (const deliver of this.held.splice(0)) deliver();
  }

  async close(): Promise<void> {
    this.thaw();
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.upstream.destroy();
  }
}

export interface KnativeWebhook {
  /** The address and port the API server calls it at. */
  endpoint: string;
  pid: number;
  logPath: string;
  /** The webhook's whole log so far. */
  log(): string;
  /** The webhook's log lines that report a refused object, with this text in them. */
  refusals(text: string): string[];
  /** Hold back / deliver the ConfigMap events the webhook watches (its config-defaults lags meanwhile). */
  freezeConfigMaps(): void;
  thawConfigMaps(): void;
  /** Stops the webhook (SIGTERM, SIGKILL after 10 s) and its proxy; safe to call twice. */
  stop(): Promise<void>;
}

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

/**
 * Knative's sharedmain gives up after 5 s when it cannot read its ConfigMaps at start (seen on a
 * loaded machine: `Error reading/parsing logging configuration: timed out waiting for the
 * condition`); in a cluster the kubelet restarts the container. The harness does the same, a
 * bounded number of times, for that exit only.
 */
const STARTUP_TIMEOUT_EXIT =
  /Error reading\/parsing \w+ configuration: .*(timed out waiting for the condition|context deadline exceeded)/;
const MAX_STARTUP_RESTARTS = 3;

/**
 * The admission check's message when Knative's webhook enforces a lower maximum than the one a stack
 * declares without managing it, written out here (not taken from the components) for every
 * language's test to expect the same text.
 */
export function declaredMaximumRefusal(owner: string, enforced: number, timeoutSeconds: number): string {
  return (
    `${owner}: Knative's webhook enforces max-revision-timeout-seconds ${enforced}, so it rejects timeoutSeconds ${timeoutSeconds} ` +
    `on Knative Service ${KSVC.namespace}/${KSVC.name}, ` +
    `but knative.cluster.maxRevisionTimeoutSeconds (stack: ws-exposure:maxRevisionTimeoutSeconds) says the cluster allows ${timeoutSeconds}. ` +
    `Raise max-revision-timeout-seconds in ConfigMap knative-serving/config-defaults to at least ${timeoutSeconds}, ` +
    `or let this stack manage it with knative.cluster.manageMaxRevisionTimeout (stack: ws-exposure:manageMaxRevisionTimeout) true.`
  );
}

/** The message of the API server's Status in a KubeError (its body is JSON; "<" comes escaped there). */
export function statusMessage(err: KubeError): string {
  try {
    return (JSON.parse(err.body) as { message: string }).message;
  } catch {
    return err.body;
  }
}

/** A Knative Service the webhook must refuse (timeoutSeconds over any maximum): its refusal shows the webhook validates. */
function probeService(): KubeObject {
  return {
    apiVersion: "serving.knative.dev/v1",
    kind: "Service",
    metadata: { name: "webhook-probe", namespace: SYSTEM_NAMESPACE },
    spec: {
      template: { spec: { timeoutSeconds: 99999999, containers: [{ image: "example.com/probe:1" }] } },
    },
  };
}

async function install(kube: Kube, address: string, port: number): Promise<void> {
  await kube.apply({ apiVersion: "v1", kind: "Namespace", metadata: { name: SYSTEM_NAMESPACE } }, INSTALLER);
  for (const file of CONFIGMAPS) for (const cm of documents(file)) await kube.apply(cm, INSTALLER);
  // No metrics or trace exporter (the defaults would listen on a fixed port or dial a collector).
  await kube.apply(
    {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "config-observability", namespace: SYSTEM_NAMESPACE },
      data: { "metrics-protocol": "none", "tracing-protocol": "none", "runtime-profiling": "disabled" },
    },
    "e2e-knative-webhook",
  );
  // Empty: the webhook's certificate controller fills it, it does not create it.
  for (const secret of documents("webhook-secret.yaml")) await kube.apply(secret, INSTALLER);
  for (const file of WEBHOOK_CONFIGURATIONS) for (const c of documents(file)) await kube.apply(c, INSTALLER);
  // The configurations name Service knative-serving/webhook (the webhook's reconciler needs a
  // service reference, not a url); its endpoints are this process on the machine's address.
  await kube.apply(
    {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "webhook", namespace: SYSTEM_NAMESPACE },
      spec: { ports: [{ name: "https-webhook", port: 443, targetPort: port }] },
    },
    INSTALLER,
  );
  await kube.apply(
    {
      apiVersion: "v1",
      kind: "Endpoints",
      metadata: { name: "webhook", namespace: SYSTEM_NAMESPACE },
      subsets: [{ addresses: [{ ip: address }], ports: [{ name: "https-webhook", port }] }],
    },
    INSTALLER,
  );
  await kube.apply(
    {
      apiVersion: "discovery.k8s.io/v1",
      kind: "EndpointSlice",
      metadata: {
        name: "webhook-local",
        namespace: SYSTEM_NAMESPACE,
        labels: { "kubernetes.io/service-name": "webhook" },
      },
      addressType: "IPv4",
      endpoints: [{ addresses: [address], conditions: { ready: true } }],
      ports: [{ name: "https-webhook", port, protocol: "TCP" }],
    },
    INSTALLER,
  );
}

/**
 * Installs what the webhook needs, starts it and resolves once it refuses an invalid Knative
 * Service with its own message (then its certificate is in the configurations and its config
 * store is loaded). The cluster must run with KNATIVE_WEBHOOK_API_SERVER_FLAGS and the Knative
 * Service CRD. On any failure the webhook is stopped before the error is thrown.
 */
export async function startKnativeWebhook(cluster: Cluster, readyWithinMs = 120000): Promise<KnativeWebhook> {
  const binary = toolchainBinary(KNATIVE_WEBHOOK_BINARY);
  if (!binary) throw new Error(`${KNATIVE_WEBHOOK_BINARY} is not built: run bash e2e/toolchain.sh knative`);
  const dir = path.join(cluster.dir, "knative-webhook");
  fs.mkdirSync(dir, { recursive: true });
  const problem = testHostProblem();
  if (problem) throw new Error(`the Knative webhook runs in a network namespace of its own: ${problem}`);
  const testHost = createTestHost("wh");
  const address = testHost.guestAddress;
  const [port, profilingPort] = [await freePort(), await freePort()];
  await install(cluster.kube, address, port);

  const gate = new ConfigWatchGate(cluster, dir, testHost.hostAddress);
  const proxyCa = await gate.start();
  const kubeconfigPath = path.join(dir, "kubeconfig");
  fs.writeFileSync(
    kubeconfigPath,
    YAML.stringify({
      apiVersion: "v1",
      kind: "Config",
      clusters: [
        {
          name: "e2e",
          cluster: {
            server: `https://${testHost.hostAddress}:${gate.port}`,
            "certificate-authority": proxyCa,
            // The proxy's certificate names localhost (support/certs).
            "tls-server-name": "localhost",
          },
        },
      ],
      users: [{ name: "webhook", user: {} }],
      contexts: [{ name: "e2e", context: { cluster: "e2e", user: "webhook" } }],
      "current-context": "e2e",
    }),
  );

  const logPath = path.join(dir, "webhook.log");
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on("exit", () => live.forEach((c) => killGroup(c, "SIGKILL")));
  }
  const launch = () => {
    const out = fs.openSync(logPath, "a");
    const webhook = spawn(...testHost.exec(binary, ["--disable-ha", `--kubeconfig=${kubeconfigPath}`]), {
      env: {
        PATH: process.env.PATH ?? "",
        HOME: process.env.HOME ?? dir,
        SYSTEM_NAMESPACE,
        WEBHOOK_NAME: "webhook",
        WEBHOOK_PORT: String(port),
        PROFILING_PORT: String(profilingPort),
        METRICS_DOMAIN: "knative.dev/serving",
      },
      stdio: ["ignore", out, out],
      detached: true,
    });
    fs.closeSync(out);
    live.add(webhook);
    const exited = new Promise<void>((resolve) => webhook.once("exit", () => resolve()));
    void exited.then(() => live.delete(webhook));
    return { webhook, exited };
  };
  let { webhook: child, exited } = launch();

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    killGroup(child, "SIGTERM");
    const timer = setTimeout(() => killGroup(child, "SIGKILL"), 10000);
    await exited;
    clearTimeout(timer);
    await gate.close();
    testHost.remove();
  };
  const log = () => (fs.existsSync(logPath) ? fs.readFileSync(logPath, "utf8") : "");

  try {
    await waitForRestarting(
      "the Knative webhook refuses an invalid Service with its own message",
      async () => {
        try {
          await cluster.kube.request(
            "PATCH",
            `/apis/serving.knative.dev/v1/namespaces/${SYSTEM_NAMESPACE}/services/webhook-probe?fieldManager=e2e&dryRun=All`,
            probeService(),
            "application/apply-patch+yaml",
          );
          throw new Error("the invalid probe Service was accepted: the webhook does not validate");
        } catch (err) {
          if (err instanceof KubeError)
            return err.status === 400 && statusMessage(err).includes("expected 0 <= 99999999 <=");
          throw err;
        }
      },
      [
        {
          name: "the Knative webhook",
          current: () => ({ child, logPath }),
          restart: async () => {
            killGroup(child, "SIGKILL");
            await exited;
            ({ webhook: child, exited } = launch());
          },
          policy: {
            maxRestarts: MAX_STARTUP_RESTARTS,
            restartOnExit: (log) => STARTUP_TIMEOUT_EXIT.test(log),
          },
        },
      ],
      readyWithinMs,
    );
  } catch (err) {
    await stop();
    throw err;
  }

  return {
    endpoint: `${address}:${port}`,
    pid: child.pid as number,
    logPath,
    log,
    refusals: (text) =>
      log()
        .split("\n")
        .filter((l) => l.includes(REFUSAL_LOG) && l.includes(text)),
    freezeConfigMaps: () => gate.freeze(),
    thawConfigMaps: () => gate.thaw(),
    stop,
  };
}
