/**
 * Knative's queue-proxy (`knative.dev/serving/cmd/queue`, built by `e2e/toolchain.sh knative`) as
 * the revision reconciler starts it, without a cluster: the environment it gets, the ports it binds,
 * and what its source says it does to an upgraded connection. Pure: the processes are in
 * test/knative/harness.ts.
 *
 * Read from the source of both releases (`go mod download -json knative.dev/serving@<v>`, Dir):
 * - env: pkg/reconciler/revision/resources/queue.go `makeQueueContainer` (the same list in v0.48.2
 *   and v0.49.1); required: pkg/queue/sharedmain/main.go `config` and `Env` (`required:"true"`);
 * - ports: pkg/networking/constants.go; the main port comes from QUEUE_SERVING_PORT, the admin
 *   (8022) and autoscaler metrics (9090) ports are constants, bound on every interface (":port");
 * - drain: sharedmain/main.go: on SIGTERM `drainSleepDuration` (30 s, the Drainer's quiet period:
 *   every request that arrives restarts it), then the servers shut down (a hijacked connection is
 *   not waited for); from v0.49 (1.22) `hijackDrainDuration` (60 s) more while any upgraded
 *   connection is open (polled each second), then exit, which cuts what is left;
 * - timers: pkg/http/handler/timeout.go. REVISION_TIMEOUT_SECONDS ends every request, an upgraded
 *   one included (its context is cancelled, the reverse proxy closes both sides); the idle and
 *   response-start timers look at the writes the handler made through the ResponseWriter, and an
 *   upgraded connection's bytes bypass it: with either timer above 0 a WebSocket is cut when it
 *   fires, however busy it is.
 */
import { QUEUE_PROXY_DRAIN_SLEEP_SECONDS, queueProxyDrainSeconds } from "../components/budget/hops";
import type { KnativePlan } from "../components/knative/plan";
import { knativeServicePatchBody } from "../components/knative/plan";
import type { ResolvedBackend } from "../components/core/backend";

/** The two releases the toolchain builds (e2e/versions.env). */
export const QUEUE_PROXY_RELEASES = {
  "1.21": { binary: "queue-1.21", servingModule: "knative.dev/serving@v0.48.2" },
  "1.22": { binary: "queue-1.22", servingModule: "knative.dev/serving@v0.49.1" },
} as const;
export type QueueProxyRelease = keyof typeof QUEUE_PROXY_RELEASES;

/** Ports the queue-proxy binds whatever its environment says (pkg/networking/constants.go). */
export const QUEUE_PROXY_FIXED_PORTS = { admin: 8022, autoscalingMetrics: 9090 } as const;

/**
 * The drain constants as the source of each release has them (pkg/queue/sharedmain/main.go):
 * `drainSleepDuration`, and `hijackDrainDuration` (added in v0.49; 0 = no such wait). The budget
 * (components/budget/hops.ts) must say the same: test/knative/queueProxyEnv.test.ts checks it.
 */
export const QUEUE_PROXY_SOURCE_DRAIN: Record<
  QueueProxyRelease,
  { drainSleepSeconds: number; hijackDrainSeconds: number }
> = {
  "1.21": { drainSleepSeconds: 30, hijackDrainSeconds: 0 },
  "1.22": { drainSleepSeconds: 30, hijackDrainSeconds: 60 },
};

/** `RequestQueueDrainPath` (pkg/queue/constants.go): the user container's preStop hook calls it on the admin port. */
export const QUEUE_PROXY_DRAIN_PATH = "/wait-for-drain";

/** Variables envconfig refuses to start without (`required:"true"`), the same in both releases. */
export const QUEUE_PROXY_REQUIRED_ENV: Record<QueueProxyRelease, readonly string[]> = {
  "1.21": requiredEnv(),
  "1.22": requiredEnv(),
};

function requiredEnv(): string[] {
  return [
    "CONTAINER_CONCURRENCY",
    "QUEUE_SERVING_PORT",
    "QUEUE_SERVING_TLS_PORT",
    "USER_PORT",
    "REVISION_TIMEOUT_SECONDS",
    "SERVING_LOGGING_CONFIG",
    "SERVING_LOGGING_LEVEL",
    "SERVING_NAMESPACE",
    "SERVING_CONFIGURATION",
    "SERVING_REVISION",
    "SERVING_POD",
    "SERVING_POD_IP",
  ];
}

/**
 * `OBSERVABILITY_CONFIG` as the reconciler writes it for an installation whose
 * config-observability holds only `_example` (json.Marshal of observability.DefaultConfig(), printed
 * by a Go program against each release: the same bytes for v0.48.2 and v0.49.1).
 */
export const DEFAULT_OBSERVABILITY_CONFIG = JSON.stringify({
  tracing: { protocol: "none" },
  metrics: { protocol: "none" },
  runtime: { profiling: "disabled", exportInterval: 15_000_000_000 },
  requestMetrics: { protocol: "none" },
  requestLogTemplate:
    '{"httpRequest": {"requestMethod": "{{.Request.Method}}", "requestUrl": "{{js .Request.RequestURI}}", "requestSize": "{{.Request.ContentLength}}", "status": {{.Response.Code}}, "responseSize": "{{.Response.Size}}", "userAgent": "{{js .Request.UserAgent}}", "remoteIp": "{{js .Request.RemoteAddr}}", "serverIp": "{{.Revision.PodIP}}", "referer": "{{js .Request.Referer}}", "latency": "{{.Response.Latency}}s", "protocol": "{{.Request.Proto}}"}, "traceId": "{{.TraceID}}"}',
});

/** The revision's fields the queue-proxy's environment is made of, and where the pod runs. */
export interface QueueProxyRevision {
  namespace: string;
  service: string;
  revision: string;
  /** spec.timeoutSeconds, responseStartTimeoutSeconds, idleTimeoutSeconds (0 = not set). */
  timeoutSeconds: number;
  responseStartTimeoutSeconds: number;
  idleTimeoutSeconds: number;
  containerConcurrency: number;
  /** The user container's port (ports[0].containerPort, default 8080). */
  userPort: number;
  /** Where the pod listens: 8012 (http1) and 8112 (TLS) in a pod; any free pair on a shared host. */
  servingPort: number;
  servingTlsPort: number;
  podIp: string;
}

/**
 * The environment `makeQueueContainer` gives the queue-proxy, with the defaults of a stock
 * installation: config-logging and config-observability holding only `_example` (empty logging
 * config and level), config-features' defaults (no HTTP/2 auto-detection, no full duplex, no
 * multi-container probes), config-deployment's empty TLS settings, and the readiness probe the
 * webhook defaults a container without one to (TCP on the user port, success threshold 1).
 * Field refs (metadata.name, status.podIP, status.hostIP) are resolved to `podName` and `podIp`.
 */
export function queueProxyEnv(rev: QueueProxyRevision): Record<string, string> {
  const podName = `${rev.revision}-deployment-0`;
  return {
    SERVING_NAMESPACE: rev.namespace,
    SERVING_SERVICE: rev.service,
    // A revision made by a Service is owned by the Configuration of the Service's name.
    SERVING_CONFIGURATION: rev.service,
    SERVING_REVISION: rev.revision,
    QUEUE_SERVING_PORT: String(rev.servingPort),
    QUEUE_SERVING_TLS_PORT: String(rev.servingTlsPort),
    CONTAINER_CONCURRENCY: String(rev.containerConcurrency),
    REVISION_TIMEOUT_SECONDS: String(rev.timeoutSeconds),
    REVISION_RESPONSE_START_TIMEOUT_SECONDS: String(rev.responseStartTimeoutSeconds),
    REVISION_IDLE_TIMEOUT_SECONDS: String(rev.idleTimeoutSeconds),
    SERVING_POD: podName,
    SERVING_POD_IP: rev.podIp,
    SERVING_LOGGING_CONFIG: "",
    SERVING_LOGGING_LEVEL: "",
    USER_PORT: String(rev.userPort),
    SYSTEM_NAMESPACE: "knative-serving",
    SERVING_READINESS_PROBE: JSON.stringify({
      tcpSocket: { port: rev.userPort, host: "127.0.0.1" },
      successThreshold: 1,
    }),
    HOST_IP: rev.podIp,
    ENABLE_HTTP2_AUTO_DETECTION: "false",
    ENABLE_HTTP_FULL_DUPLEX: "false",
    ROOT_CA: "",
    QUEUE_PROXY_TLS_MIN_VERSION: "",
    QUEUE_PROXY_TLS_MAX_VERSION: "",
    QUEUE_PROXY_TLS_CIPHER_SUITES: "",
    QUEUE_PROXY_TLS_CURVE_PREFERENCES: "",
    ENABLE_MULTI_CONTAINER_PROBES: "false",
    OBSERVABILITY_CONFIG: DEFAULT_OBSERVABILITY_CONFIG,
  };
}

/**
 * The revision this project's Service patch makes (timeoutSeconds from the plan, the explicit zero
 * response-start and idle timeouts of the patch body), placed on the given ports.
 */
export function revisionFromPlan(
  backend: ResolvedBackend,
  plan: KnativePlan,
  where: Pick<QueueProxyRevision, "userPort" | "servingPort" | "servingTlsPort" | "podIp">,
): QueueProxyRevision {
  const spec = (knativeServicePatchBody(backend, plan) as { template: { spec: Record<string, number> } })
    .template.spec;
  return {
    namespace: backend.namespace,
    service: backend.name,
    revision: `${backend.name}-00001`,
    timeoutSeconds: spec.timeoutSeconds,
    responseStartTimeoutSeconds: spec.responseStartTimeoutSeconds,
    idleTimeoutSeconds: spec.idleTimeoutSeconds,
    containerConcurrency: 0,
    ...where,
  };
}

/**
 * What the budget predicts: when the queue-proxy ends an upgraded connection that stays open,
 * counted from SIGTERM, if no new request reaches it after the signal: the drain sleep, then (from
 * 1.22) the drain of upgraded connections; or earlier, when the connection's own timeoutSeconds runs
 * out. `connectionAgeSeconds` is its age at SIGTERM.
 */
export function sigtermCutSeconds(
  release: QueueProxyRelease,
  timeoutSeconds: number,
  connectionAgeSeconds: number,
): number {
  const exit = QUEUE_PROXY_DRAIN_SLEEP_SECONDS + queueProxyDrainSeconds(release);
  return Math.min(exit, timeoutSeconds - connectionAgeSeconds);
}
