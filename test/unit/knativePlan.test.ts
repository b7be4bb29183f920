import {
  clusterConfigPatches,
  knativeServicePatchBody,
  mergeRequirements,
  planKnativeSettings,
} from "../../components/knative/plan";
import { resolveBackend } from "../../components/core/backend";

const OWNER = 'TunnelExposure "dev"';
const ws = { heartbeatSeconds: 5, minLifetimeSeconds: 3600 };
const backend = resolveBackend(OWNER, {
  knativeService: "messaging-service",
  namespace: "agents-whatsapp-rust",
});
const L4_DIRECT = {
  minScaleAtLeast: 1,
  activatorOutOfPath: true,
  reason: "the L4 route straight to the pods (queue-proxy port 8012)",
};

describe("planKnativeSettings", () => {
  test("defaults: scale 2..10, timeout = the lifetime wanted, explicit zero response-start and idle timeouts", () => {
    const plan = planKnativeSettings(OWNER, ws, { cluster: { maxRevisionTimeoutSeconds: 3600 } });
    expect(knativeServicePatchBody(backend, plan)).toEqual({
      template: {
        metadata: {
          annotations: {
            "autoscaling.knative.dev/min-scale": "2",
            "autoscaling.knative.dev/max-scale": "10",
          },
        },
        spec: { timeoutSeconds: 3600, responseStartTimeoutSeconds: 0, idleTimeoutSeconds: 0 },
      },
    });
    expect(plan.activatorInPath).toBe(true);
    expect(clusterConfigPatches(plan)).toEqual([]);
  });

  test("the L4 route straight to the pods takes the activator out of the path", () => {
    const plan = planKnativeSettings(OWNER, ws, { cluster: { maxRevisionTimeoutSeconds: 3600 } }, L4_DIRECT);
    expect(plan.annotations["autoscaling.knative.dev/target-burst-capacity"]).toBe("0");
    expect(plan.activatorInPath).toBe(false);
  });

  test("anti-affinity across nodes, selecting every revision of the service", () => {
    const plan = planKnativeSettings(OWNER, ws, {
      antiAffinity: true,
      cluster: { maxRevisionTimeoutSeconds: 3600, podspecAffinity: "enabled" },
    });
    expect(
      (knativeServicePatchBody(backend, plan) as { template: { spec: { affinity: unknown } } }).template.spec
        .affinity,
    ).toEqual({
      podAntiAffinity: {
        preferredDuringSchedulingIgnoredDuringExecution: [
          {
            weight: 100,
            podAffinityTerm: {
              topologyKey: "kubernetes.io/hostname",
              labelSelector: { matchLabels: { "serving.knative.dev/service": "messaging-service" } },
            },
          },
        ],
      },
    });
  });

  test("opt-in cluster settings become ConfigMap patches", () => {
    const plan = planKnativeSettings(OWNER, ws, {
      antiAffinity: true,
      cluster: {
        maxRevisionTimeoutSeconds: 7200,
        manageMaxRevisionTimeout: true,
        podspecAffinity: "manage",
        ingressStreamIdleTimeoutSeconds: 0,
        manageIngressStreamIdleTimeout: true,
      },
    });
    expect(clusterConfigPatches(plan)).toEqual([
      {
        configMap: "config-defaults",
        namespace: "knative-serving",
        data: { "max-revision-timeout-seconds": "7200" },
      },
      {
        configMap: "config-features",
        namespace: "knative-serving",
        data: { "kubernetes.podspec-affinity": "enabled" },
      },
      { configMap: "config-kourier", namespace: "knative-serving", data: { "stream-idle-timeout": "0s" } },
    ]);
  });

  test.each([
    [
      { minScale: 5, maxScale: 3, cluster: { maxRevisionTimeoutSeconds: 3600 } },
      undefined,
      'TunnelExposure "dev": knative.minScale 5 is above knative.maxScale 3; lower minScale or raise maxScale',
    ],
    [
      {},
      undefined,
      // knative.timeoutSeconds is not given: its default, websocket.minLifetimeSeconds, is what the limit refuses.
      "TunnelExposure \"dev\": websocket.minLifetimeSeconds 3600 is above the cluster's max-revision-timeout-seconds 600: knative.timeoutSeconds (the revision's hard cap on a connection's life) defaults to it, and Knative would reject the revision; lower websocket.minLifetimeSeconds, or raise max-revision-timeout-seconds in ConfigMap config-defaults (knative-serving) to at least 3600, then declare it in knative.cluster.maxRevisionTimeoutSeconds, or let this stack manage it with knative.cluster.manageMaxRevisionTimeout: true",
    ],
    [
      { timeoutSeconds: 9000, cluster: { maxRevisionTimeoutSeconds: 3600, manageMaxRevisionTimeout: true } },
      undefined,
      'TunnelExposure "dev": knative.timeoutSeconds 9000 exceeds the cluster\'s max-revision-timeout-seconds 3600; Knative would reject the revision; raise knative.cluster.maxRevisionTimeoutSeconds to at least 9000',
    ],
    [
      { antiAffinity: true, cluster: { maxRevisionTimeoutSeconds: 3600 } },
      undefined,
      'TunnelExposure "dev": knative.antiAffinity needs kubernetes.podspec-affinity enabled in ConfigMap config-features; set knative.cluster.podspecAffinity to "enabled" (already on) or "manage" (this stack turns it on for every tenant)',
    ],
    [
      { minScale: 0, cluster: { maxRevisionTimeoutSeconds: 3600 } },
      L4_DIRECT,
      'TunnelExposure "dev": knative.minScale 0 is below 1, which the L4 route straight to the pods (queue-proxy port 8012) needs: nothing but a running pod can answer there (the activator is only reachable through Knative\'s ingress); set knative.minScale >= 1',
    ],
    [
      { timeoutSeconds: 0, cluster: { maxRevisionTimeoutSeconds: 3600 } },
      undefined,
      'TunnelExposure "dev": knative.timeoutSeconds must be a whole number >= 1 (got 0)',
    ],
    [
      { cluster: { version: "v1.22" } },
      undefined,
      'TunnelExposure "dev": knative.cluster.version "v1.22" is not a "major.minor" version such as "1.22"; set it to your cluster\'s Knative Serving version',
    ],
    [
      { cluster: { maxRevisionTimeoutSeconds: 3600, version: "1.6" } },
      undefined,
      'TunnelExposure "dev": knative.cluster.version 1.6 is older than 1.7, the first Knative Serving release with responseStartTimeoutSeconds and idleTimeoutSeconds, which this project sets on the Service; upgrade Knative Serving',
    ],
  ])("refuses %j", (args, requirements, message) => {
    expect(() => planKnativeSettings(OWNER, ws, args as never, requirements)).toThrow(message);
  });
});

describe("knative.cluster.version", () => {
  test.each([
    [undefined, "1.7", false],
    ["1.7", "1.7", true],
    ["1.21", "1.21", true],
    ["1.22", "1.22", true],
    ["2.0", "2.0", true],
  ])("declared %j: the plan holds %s (declared: %s)", (version, resolved, declared) => {
    const plan = planKnativeSettings(OWNER, ws, { cluster: { maxRevisionTimeoutSeconds: 3600, version } });
    expect([plan.cluster.version, plan.cluster.versionDeclared]).toEqual([resolved, declared]);
  });
});

test("mergeRequirements keeps the stricter of two paths' needs", () => {
  expect(mergeRequirements({ minScaleAtLeast: 0, activatorOutOfPath: false }, L4_DIRECT)).toEqual(L4_DIRECT);
});
