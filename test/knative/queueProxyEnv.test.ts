/** The queue-proxy's environment and drain figures (e2e/queueProxy.ts), without processes. */
import { QUEUE_PROXY_DRAIN_SLEEP_SECONDS, queueProxyDrainSeconds } from "../../components/budget/hops";
import { resolveBackend } from "../../components/core/backend";
import { planKnativeSettings } from "../../components/knative/plan";
import {
  DEFAULT_OBSERVABILITY_CONFIG,
  QUEUE_PROXY_RELEASES,
  QUEUE_PROXY_REQUIRED_ENV,
  QUEUE_PROXY_SOURCE_DRAIN,
  QueueProxyRelease,
  queueProxyEnv,
  revisionFromPlan,
  sigtermCutSeconds,
} from "../../e2e/queueProxy";

const OWNER = 'L4Exposure "t"';
const backend = resolveBackend(OWNER, {
  knativeService: "messaging-service",
  namespace: "agents-whatsapp-rust",
});
const RELEASES = Object.keys(QUEUE_PROXY_RELEASES) as QueueProxyRelease[];
const where = { userPort: 8080, servingPort: 8012, servingTlsPort: 8112, podIp: "10.0.0.7" };

function planWith(timeoutSeconds: number, version = "1.22") {
  return planKnativeSettings(
    OWNER,
    { heartbeatSeconds: 5, minLifetimeSeconds: timeoutSeconds },
    { timeoutSeconds, cluster: { maxRevisionTimeoutSeconds: 3600, version } },
  );
}

describe("queueProxyEnv", () => {
  test("the revision the Service patch makes: timeoutSeconds from the plan, explicit zero response-start and idle timers", () => {
    const env = queueProxyEnv(revisionFromPlan(backend, planWith(3600), where));
    expect(env).toMatchObject({
      SERVING_NAMESPACE: "agents-whatsapp-rust",
      SERVING_SERVICE: "messaging-service",
      SERVING_CONFIGURATION: "messaging-service",
      SERVING_REVISION: "messaging-service-00001",
      QUEUE_SERVING_PORT: "8012",
      QUEUE_SERVING_TLS_PORT: "8112",
      CONTAINER_CONCURRENCY: "0",
      REVISION_TIMEOUT_SECONDS: "3600",
      REVISION_RESPONSE_START_TIMEOUT_SECONDS: "0",
      REVISION_IDLE_TIMEOUT_SECONDS: "0",
      SERVING_POD: "messaging-service-00001-deployment-0",
      SERVING_POD_IP: "10.0.0.7",
      HOST_IP: "10.0.0.7",
      USER_PORT: "8080",
      SYSTEM_NAMESPACE: "knative-serving",
      SERVING_READINESS_PROBE: '{"tcpSocket":{"port":8080,"host":"127.0.0.1"},"successThreshold":1}',
      OBSERVABILITY_CONFIG: DEFAULT_OBSERVABILITY_CONFIG,
    });
    // A stock installation: empty logging config and level, config-deployment's TLS settings unset,
    // config-features' switches off. Nothing else is set.
    const byValue = (value: string) => Object.keys(env).filter((k) => env[k] === value);
    expect(byValue("")).toEqual([
      "SERVING_LOGGING_CONFIG",
      "SERVING_LOGGING_LEVEL",
      "ROOT_CA",
      "QUEUE_PROXY_TLS_MIN_VERSION",
      "QUEUE_PROXY_TLS_MAX_VERSION",
      "QUEUE_PROXY_TLS_CIPHER_SUITES",
      "QUEUE_PROXY_TLS_CURVE_PREFERENCES",
    ]);
    expect(byValue("false")).toEqual([
      "ENABLE_HTTP2_AUTO_DETECTION",
      "ENABLE_HTTP_FULL_DUPLEX",
      "ENABLE_MULTI_CONTAINER_PROBES",
    ]);
    expect(Object.keys(env)).toHaveLength(27);
  });

  test.each(RELEASES)("sets every variable Knative %s's queue-proxy requires", (release) => {
    const env = queueProxyEnv(revisionFromPlan(backend, planWith(8, release), where));
    expect(QUEUE_PROXY_REQUIRED_ENV[release].filter((name) => !(name in env))).toEqual([]);
  });

  test("the observability config parses, with metrics, tracing and request metrics off", () => {
    const o11y = JSON.parse(DEFAULT_OBSERVABILITY_CONFIG);
    expect([o11y.metrics.protocol, o11y.tracing.protocol, o11y.requestMetrics.protocol]).toEqual([
      "none",
      "none",
      "none",
    ]);
  });
});

describe("the budget's queue-proxy drain against the source", () => {
  test.each(RELEASES)("Knative %s: the drain sleep and the drain of upgraded connections", (release) => {
    expect([QUEUE_PROXY_DRAIN_SLEEP_SECONDS, queueProxyDrainSeconds(release)]).toEqual([
      QUEUE_PROXY_SOURCE_DRAIN[release].drainSleepSeconds,
      QUEUE_PROXY_SOURCE_DRAIN[release].hijackDrainSeconds,
    ]);
  });

  test("a connection open at SIGTERM ends after the drain sleep (1.21), 60 s later (1.22), or at its own cap", () => {
    expect(sigtermCutSeconds("1.21", 300, 10)).toBe(30);
    expect(sigtermCutSeconds("1.22", 300, 10)).toBe(90);
    expect(sigtermCutSeconds("1.22", 60, 10)).toBe(50);
    expect(sigtermCutSeconds("1.21", 60, 45)).toBe(15);
  });
});
