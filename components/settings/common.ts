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
      doc: "Name of the existing Knative Service to expose. Conflicts with service.",
    },
    service: {
      type: "string",
      scope: "common",
      args: { common: ["backend.service"] },
      doc: "Name of an existing plain Kubernetes Service to expose instead of a Knative Service. Needs servicePort. Conflicts with knativeService.",
    },
    servicePort: {
      type: "integer",
      scope: "common",
      args: { common: ["backend.port"] },
      doc: "The port of `service` that serves HTTP and the WebSocket upgrade.",
    },
    namespace: {
      type: "string",
      required: true,
      scope: "common",
      args: { common: ["backend.namespace"] },
      doc: "Namespace of the backend; the cloudflared connector and other in-cluster helpers are created here.",
    },
    path: {
      type: "string",
      scope: "common",
      args: { common: ["backend.path"] },
      doc: "WebSocket path. Default /ws.",
    },
    clusterDomain: {
      type: "string",
      scope: "common",
      args: { common: ["backend.clusterDomain"] },
      doc: "Cluster DNS domain. Default cluster.local.",
    },
    hostname: {
      type: "string",
      required: true,
      scope: "common",
      args: { tunnel: ["hostname"], l4: ["hostname"], hybrid: ["wsHostname"] },
      doc: "Public hostname clients connect to for the WebSocket (wss://<hostname><path>).",
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
      doc: "Seconds between client heartbeats (the iOS app sends one every 5). Every idle timer on the path must exceed two of them. Default 5.",
    },
    minLifetimeSeconds: {
      type: "integer",
      scope: "common",
      args: { common: ["websocket.minLifetimeSeconds"], monitor: ["expectedMinLifetimeSeconds"] },
      doc: "Seconds a healthy connection must be allowed to live; no hop may cap it lower. Default 3600.",
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
      doc: "autoscaling.knative.dev/min-scale. Default 2.",
    },
    maxScale: {
      type: "integer",
      scope: "common",
      args: { common: ["knative.maxScale"] },
      doc: "autoscaling.knative.dev/max-scale. Default 10.",
    },
    timeoutSeconds: {
      type: "integer",
      scope: "common",
      args: { common: ["knative.timeoutSeconds"] },
      doc: "The revision's timeoutSeconds, a hard cap on every WebSocket's life. Default minLifetimeSeconds; at most maxRevisionTimeoutSeconds.",
    },
    targetConcurrency: {
      type: "integer",
      scope: "common",
      args: { common: ["knative.targetConcurrency"] },
      doc: "autoscaling.knative.dev/target, open sockets per pod. Default unset (cluster default).",
    },
    antiAffinity: {
      type: "boolean",
      scope: "common",
      args: { common: ["knative.antiAffinity"] },
      doc: "Preferred pod anti-affinity across nodes for the Knative pods. Needs podspecAffinity enabled or manage. Default false.",
    },
    forceConflicts: {
      type: "boolean",
      scope: "common",
      args: { common: ["knative.forceConflicts"] },
      doc: "Server-side apply with force, taking over fields another manager (kubectl, Argo CD, Flux) set on the Knative Service; if it applies them again, each side's deploy makes a new revision (docs/KNATIVE.md). Default false.",
    },
    knativeAdmissionCheck: {
      type: "boolean",
      scope: "common",
      args: { common: ["knative.admissionCheck.enabled"] },
      doc: "Before patching the Knative Service, dry-run the patch until Knative's webhook accepts it (waits for a raised max-revision-timeout-seconds) and check who owns its fields. Uses kubernetes:kubeconfig and kubernetes:context. Default true.",
    },
    knativeAdmissionWaitSeconds: {
      type: "integer",
      scope: "common",
      args: { common: ["knative.admissionCheck.waitSeconds"] },
      doc: "Seconds the admission check waits for Knative's webhook to enforce a raised max-revision-timeout-seconds (0..3600). Default 120.",
    },
    knativeNamespace: {
      type: "string",
      scope: "common",
      args: { common: ["knative.cluster.namespace"] },
      doc: "Namespace of Knative Serving's ConfigMaps. Default knative-serving.",
    },
    maxRevisionTimeoutSeconds: {
      type: "integer",
      scope: "common",
      args: { common: ["knative.cluster.maxRevisionTimeoutSeconds"] },
      doc: "max-revision-timeout-seconds in config-defaults, as the cluster has it (or, with manageMaxRevisionTimeout, as this stack sets it). Default 600.",
    },
    manageMaxRevisionTimeout: {
      type: "boolean",
      scope: "common",
      args: { common: ["knative.cluster.manageMaxRevisionTimeout"] },
      doc: "Patch config-defaults so max-revision-timeout-seconds is maxRevisionTimeoutSeconds. Cluster-wide, affects every tenant. Default false.",
    },
    podspecAffinity: {
      type: "string",
      values: ["disabled", "enabled", "manage"],
      scope: "common",
      args: { common: ["knative.cluster.podspecAffinity"] },
      doc: 'kubernetes.podspec-affinity in config-features: "disabled" (default), "enabled" (already on), or "manage" (this stack turns it on, cluster-wide).',
    },
    ingressStreamIdleTimeoutSeconds: {
      type: "integer",
      scope: "common",
      args: { common: ["knative.cluster.ingressStreamIdleTimeoutSeconds"] },
      doc: "net-kourier stream-idle-timeout in config-kourier, seconds (0 = none, current releases; older ones had 300). Default 0.",
    },
    manageIngressStreamIdleTimeout: {
      type: "boolean",
      scope: "common",
      args: { common: ["knative.cluster.manageIngressStreamIdleTimeout"] },
      doc: "Patch config-kourier so stream-idle-timeout is ingressStreamIdleTimeoutSeconds. Cluster-wide. Default false.",
    },
    knativeVersion: {
      type: "string",
      scope: "common",
      args: { common: ["knative.cluster.version"] },
      doc: 'Knative Serving version of the cluster, "major.minor", quoted ("1.20" unquoted is the number 1.2). Required with knativeService. From 1.22 the queue-proxy drains WebSockets for up to 60 s on a pod stop; before 1.22 it cuts them when its 30 s drain sleep ends; the budget says which.',
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
      doc: "Cloudflare account id (tunnel and hybrid modes).",
    },
    zoneId: {
      type: "string",
      scope: "common",
      args: { tunnel: ["zoneId"], l4: ["dns.zoneId"] },
      doc: "Cloudflare zone id of the hostnames (DNS records).",
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
      aliases: { common: ["monitor"] },
      doc: "Deploy a wsprobe monitor against the exposure's URL(s). Default false.",
    },
    monitorConnections: {
      type: "integer",
      scope: "common",
      args: { common: ["monitor.connections"], monitor: ["connections"] },
      doc: "Connections the monitor holds. Default 1.",
    },
    monitorPrometheusOperator: {
      type: "boolean",
      scope: "common",
      args: { common: ["monitor.prometheusOperator.enabled"], monitor: ["prometheusOperator.enabled"] },
      doc: "Also create a ServiceMonitor and a PrometheusRule (needs prometheus-operator's CRDs). Default false.",
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
      doc: 'Where the L4 monitor dials, SNI and Host staying the hostname: "service" (default, the LoadBalancer Service in-cluster), "loadBalancer" (the pinned loadBalancerIP) or "public" (the hostname as DNS resolves it; from inside the LAN it needs hairpin NAT to a WAN address). l4 and hybrid modes.',
    },
  },
} as const satisfies SettingSection;
