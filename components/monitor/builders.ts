import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import type { MonitorPlan } from "./args";

export const BUNDLE_MOUNT_DIR = "/opt/wsprobe";
export const BUNDLE_FILE = "wsprobe.js";
export const METRICS_PORT_NAME = "metrics";
/** The node image's user; the pod runs as it, never as root. */
const NODE_UID = 1000;

export function monitorLabels(name: string): Record<string, string> {
  return {
    "app.kubernetes.io/name": "wsprobe",
    "app.kubernetes.io/instance": name,
    "app.kubernetes.io/component": "synthetic-monitor",
    "app.kubernetes.io/part-of": "ws-exposure",
  };
}

/**
 * The container's command line. It is the `command`, not `args`, so it does not depend on the
 * image's entrypoint script (a distroless Node image has `node` as its entrypoint).
 */
export function monitorContainerArgs(plan: MonitorPlan, url: string, connectTo?: string): string[] {
  const dial = connectTo ? ["--connect-to", connectTo] : [];
  return [
    "node",
    `${BUNDLE_MOUNT_DIR}/${BUNDLE_FILE}`,
    "monitor",
    url,
    "--metrics-port",
    String(plan.metricsPort),
    "--heartbeat",
    `${plan.heartbeatSeconds}s`,
    "--connections",
    String(plan.connections),
    "--expected-lifetime",
    `${plan.expectedMinLifetimeSeconds}s`,
    "--short-lifetime",
    `${plan.shortLifetimeSeconds}s`,
    ...dial,
  ];
}

/** The Deployment spec; `command` may hold an Output (the URL), everything else is plain. */
export function monitorDeploymentSpec(
  plan: MonitorPlan,
  labels: Record<string, string>,
  configMapName: pulumi.Input<string>,
  command: pulumi.Input<pulumi.Input<string>[]>,
  bundleSha256: string,
): k8s.types.input.apps.v1.DeploymentSpec {
  const probe = (initialDelaySeconds: number) => ({
    httpGet: { path: "/healthz", port: METRICS_PORT_NAME },
    initialDelaySeconds,
    periodSeconds: 10,
    timeoutSeconds: 2,
    failureThreshold: 3,
  });
  return {
    replicas: plan.replicas,
    selector: { matchLabels: labels },
    template: {
      // A new bundle rolls the pods (a ConfigMap change alone would not).
      metadata: { labels, annotations: { "ws-exposure/wsprobe-sha256": bundleSha256 } },
      spec: {
        automountServiceAccountToken: false,
        securityContext: {
          runAsNonRoot: true,
          runAsUser: NODE_UID,
          runAsGroup: NODE_UID,
          seccompProfile: { type: "RuntimeDefault" },
        },
        containers: [
          {
            name: "wsprobe",
            image: plan.image,
            command,
            ports: [{ name: METRICS_PORT_NAME, containerPort: plan.metricsPort, protocol: "TCP" }],
            livenessProbe: probe(5),
            readinessProbe: probe(2),
            resources: plan.resources,
            securityContext: {
              allowPrivilegeEscalation: false,
              readOnlyRootFilesystem: true,
              capabilities: { drop: ["ALL"] },
            },
            volumeMounts: [{ name: "wsprobe", mountPath: BUNDLE_MOUNT_DIR, readOnly: true }],
          },
        ],
        volumes: [{ name: "wsprobe", configMap: { name: configMapName } }],
      },
    },
  };
}

export function metricsServiceSpec(
  plan: MonitorPlan,
  labels: Record<string, string>,
): k8s.types.input.core.v1.ServiceSpec {
  return {
    type: "ClusterIP",
    selector: labels,
    ports: [
      { name: METRICS_PORT_NAME, port: plan.metricsPort, targetPort: METRICS_PORT_NAME, protocol: "TCP" },
    ],
  };
}

export function serviceMonitorSpec(plan: MonitorPlan, labels: Record<string, string>, namespace: string) {
  return {
    selector: { matchLabels: labels },
    namespaceSelector: { matchNames: [namespace] },
    endpoints: [
      { port: METRICS_PORT_NAME, path: "/metrics", interval: plan.prometheusOperator.scrapeInterval },
    ],
  };
}

/** Labels the ServiceMonitor's scrape attaches to the monitor's series. */
export interface MetricsTarget {
  namespace: string;
  service: string;
}

/**
 * Three alerts:
 * - WsProbeEndpointDown: no connection open for 5 minutes. Without it an endpoint that refuses
 *   every connection would stay silent: nothing opens, so nothing drops.
 * - WsProbeDrops: drops per second above the threshold for 5 minutes.
 * - WsProbeShortLifetimes: over the window, more than half of the connections that dropped had
 *   lived clearly less than the lifetime the budget promised: at most `shortLifetimeSeconds`
 *   (expected minus a margin). A connection cut by a cap of exactly the expected lifetime measures
 *   it give or take the handshake, so counting against the expected lifetime itself would put about
 *   half of the healthy drops in the bucket and flap. The probe exports that boundary as a bucket
 *   (`--short-lifetime`), so the count is exact, not interpolated; a single early drop (a rollout)
 *   does not fire it, connections that routinely die young (an idle timeout or a lifetime cap
 *   shorter than the budget says) do. With no drop in the window the ratio is 0/0 (no value): quiet.
 */
export function prometheusRuleSpec(plan: MonitorPlan, target: MetricsTarget) {
  const sel = `namespace="${target.namespace}",service="${target.service}"`;
  const e = plan.expectedMinLifetimeSeconds;
  const short = plan.shortLifetimeSeconds;
  const w = `${plan.prometheusOperator.lifetimeWindowSeconds}s`;
  const labels = { severity: "warning" };
  return {
    groups: [
      {
        name: `wsprobe-${target.service}`,
        rules: [
          {
            alert: "WsProbeEndpointDown",
            expr: `max(wsprobe_up{${sel}}) == 0`,
            for: "5m",
            labels: { severity: "critical" },
            annotations: {
              summary: "wsprobe cannot hold a WebSocket connection to the endpoint",
              description:
                "No connection open for 5 minutes; see wsprobe_connect_failures_total for the cause.",
            },
          },
          {
            alert: "WsProbeDrops",
            expr: `sum(rate(wsprobe_drops_total{${sel}}[5m])) > ${plan.prometheusOperator.dropRateThreshold}`,
            for: "5m",
            labels,
            annotations: {
              summary: "WebSocket connections are dropping",
              description: `More than ${plan.prometheusOperator.dropRateThreshold} drops/s for 5 minutes; wsprobe_drops_total by code and cause says which hop.`,
            },
          },
          {
            alert: "WsProbeShortLifetimes",
            expr:
              `sum(increase(wsprobe_connection_duration_seconds_bucket{${sel},le="${short}"}[${w}]))` +
              ` / sum(increase(wsprobe_connection_duration_seconds_count{${sel}}[${w}])) > 0.5`,
            for: "15m",
            labels,
            annotations: {
              summary: "WebSocket connections die younger than the budget promised",
              description: `Most connections dropped in the last ${w} lived ${short}s or less, clearly short of the ${e}s the connection budget promises.`,
            },
          },
        ],
      },
    ],
  };
}
