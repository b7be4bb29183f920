/**
 * The keys every mode reads: what to build, the backend, the client's contract, Knative, Cloudflare, the
 * monitor, the cluster.
 */
import { SettingSection } from "./setting";

export const WHAT_TO_BUILD = {
  title: "what to build",
  keys: {
    mode: {
      type: "string",
      values: ["tunnel", "l4", "hybrid"],
      required: true,
      scope: "common",
      doc: 'Which path: "tunnel" (Cloudflare Tunnel, L7), "l4" (MetalLB LoadBalancer), or "hybrid" (HTTP via the tunnel, WebSocket via L4).',
    },
  },
} as const satisfies SettingSection;

export const BACKEND = {
  title: "the backend",
  keys: {
    knativeService: {
      type: "string",
      scope: "common",
      args: { common: ["backend.knativeService"] },
    },
    service: {
      type: "string",
      scope: "common",
      args: { common: ["backend.service"] },
    },
    servicePort: {
      type: "integer",
      scope: "common",
      args: { common: ["backend.port"] },
    },
    namespace: {
      type: "string",
      required: true,
      scope: "common",
      args: { common: ["backend.namespace"] },
    },
    path: {
      type: "string",
      scope: "common",
      args: { common: ["backend.path"] },
    },
    clusterDomain: {
      type: "string",
      scope: "common",
      args: { common: ["backend.clusterDomain"] },
    },
    hostname: {
      type: "string",
      required: true,
      scope: "common",
      args: { tunnel: ["hostname"], l4: ["hostname"], hybrid: ["wsHostname"] },
    },
  },
} as const satisfies SettingSection;

export const CLIENT_CONTRACT = {
  title: "the client's contract",
  keys: {
    heartbeatSeconds: {
      type: "integer",
      scope: "common",
      args: { common: ["websocket.heartbeatSeconds"], monitor: ["heartbeatSeconds"] },
    },
    minLifetimeSeconds: {
      type: "integer",
      scope: "common",
      args: { common: ["websocket.minLifetimeSeconds"], monitor: ["expectedMinLifetimeSeconds"] },
    },
  },
} as const satisfies SettingSection;

export const KNATIVE = {
  title: "Knative settings (patched onto the existing Knative Service)",
  keys: {
    minScale: {
      type: "integer",
      scope: "common",
      args: { common: ["knative.minScale"] },
    },
    maxScale: {
      type: "integer",
      scope: "common",
      args: { common: ["knative.maxScale"] },
    },
    timeoutSeconds: {
      type: "integer",
      scope: "common",
      args: { common: ["knative.timeoutSeconds"] },
    },
    targetConcurrency: {
      type: "integer",
      scope: "common",
      args: { common: ["knative.targetConcurrency"] },
    },
    antiAffinity: {
      type: "boolean",
      scope: "common",
      args: { common: ["knative.antiAffinity"] },
    },
    forceConflicts: {
      type: "boolean",
      scope: "common",
      args: { common: ["knative.forceConflicts"] },
    },
    knativeAdmissionCheck: {
      type: "boolean",
      scope: "common",
      args: { common: ["knative.admissionCheck.enabled"] },
    },
    knativeAdmissionWaitSeconds: {
      type: "integer",
      scope: "common",
      args: { common: ["knative.admissionCheck.waitSeconds"] },
    },
    knativeNamespace: {
      type: "string",
      scope: "common",
      args: { common: ["knative.cluster.namespace"] },
    },
    maxRevisionTimeoutSeconds: {
      type: "integer",
      scope: "common",
      args: { common: ["knative.cluster.maxRevisionTimeoutSeconds"] },
    },
    manageMaxRevisionTimeout: {
      type: "boolean",
      scope: "common",
      args: { common: ["knative.cluster.manageMaxRevisionTimeout"] },
    },
    podspecAffinity: {
      type: "string",
      values: ["disabled", "enabled", "manage"],
      scope: "common",
      args: { common: ["knative.cluster.podspecAffinity"] },
    },
    ingressStreamIdleTimeoutSeconds: {
      type: "integer",
      scope: "common",
      args: { common: ["knative.cluster.ingressStreamIdleTimeoutSeconds"] },
    },
    manageIngressStreamIdleTimeout: {
      type: "boolean",
      scope: "common",
      args: { common: ["knative.cluster.manageIngressStreamIdleTimeout"] },
    },
    knativeVersion: {
      type: "string",
      scope: "common",
      args: { common: ["knative.cluster.version"] },
      stackNote:
        'Required with knativeService (the stack takes no default); quote it ("1.20" unquoted is the number 1.2).',
    },
  },
} as const satisfies SettingSection;

export const CLOUDFLARE = {
  title: "Cloudflare (the API token is provider config - pulumi config set --secret cloudflare:apiToken)",
  keys: {
    accountId: {
      type: "string",
      scope: "common",
      args: { tunnel: ["accountId"] },
    },
    zoneId: {
      type: "string",
      scope: "common",
      args: { tunnel: ["zoneId"], l4: ["dns.zoneId"] },
    },
  },
} as const satisfies SettingSection;

export const MONITOR = {
  title: "in-cluster synthetic monitor (wsprobe monitor)",
  keys: {
    monitorEnabled: {
      type: "boolean",
      scope: "common",
      args: { common: ["monitor.enabled"] },
      stackNote: "Default false (no monitor).",
      aliases: { common: ["monitor"] },
    },
    monitorConnections: {
      type: "integer",
      scope: "common",
      args: { common: ["monitor.connections"], monitor: ["connections"] },
    },
    monitorPrometheusOperator: {
      type: "boolean",
      scope: "common",
      args: { common: ["monitor.prometheusOperator.enabled"], monitor: ["prometheusOperator.enabled"] },
      stackNote: "Default false.",
    },
    monitorPrometheusRelease: {
      type: "string",
      scope: "common",
      args: {
        common: ["monitor.prometheusOperator.labels.release"],
        monitor: ["prometheusOperator.labels.release"],
      },
      doc: "release label your Prometheus selects ServiceMonitors and rules by (e.g. kube-prometheus-stack).",
    },
  },
} as const satisfies SettingSection;

export const CLUSTER = {
  title: "which cluster",
  keys: {
    allowAmbientCluster: {
      type: "boolean",
      scope: "common",
      doc: "Deploy to the kubeconfig's current context when kubernetes:context is not set. Default false: the program refuses to run unless the stack pins its cluster with kubernetes:context.",
    },
    monitorDial: {
      type: "string",
      values: ["service", "loadBalancer", "public"],
      scope: "common",
      args: { common: ["monitor.dial"] },
    },
  },
} as const satisfies SettingSection;
