import { L4ExposureArgs } from "../../components/l4/args";
import { l4Args } from "../helpers/fixtures";
import { cloudArgs } from "../hardening/cloudCases";

/** The resource types an L4Exposure registers, by role (the mock tests assert them exactly). */
export const L4_TYPES = {
  exposure: "ws-exposure:index:L4Exposure",
  knative: "ws-exposure:index:KnativeSettings",
  patch: "kubernetes:serving.knative.dev/v1:ServicePatch",
  gate: "pulumi-nodejs:dynamic/knative:AdmissionGate",
  configMapPatch: "kubernetes:core/v1:ConfigMapPatch",
  pool: "kubernetes:metallb.io/v1beta1:IPAddressPool",
  l2: "kubernetes:metallb.io/v1beta1:L2Advertisement",
  bgp: "kubernetes:metallb.io/v1beta1:BGPAdvertisement",
  peer: "kubernetes:metallb.io/v1beta2:BGPPeer",
  certificate: "kubernetes:cert-manager.io/v1:Certificate",
  service: "kubernetes:core/v1:Service",
  configMap: "kubernetes:core/v1:ConfigMap",
  deployment: "kubernetes:apps/v1:Deployment",
  pdb: "kubernetes:policy/v1:PodDisruptionBudget",
  dns: "cloudflare:index/dnsRecord:DnsRecord",
};

/** The namespace of the fixtures' backend (HAProxy and the Services go there). */
export const L4_NS = "agents-whatsapp-rust";

/** HAProxy's pod labels for an exposure named `name`. */
export function haproxyLabelsOf(name: string): Record<string, string> {
  return { "app.kubernetes.io/name": "ws-exposure-haproxy", "app.kubernetes.io/instance": name };
}

/** The staging-like L4 exposure of messaging-service that the tests vary. */
export function baseArgs(overrides: Partial<L4ExposureArgs> = {}): L4ExposureArgs {
  return l4Args(overrides);
}

/** Every shape of haproxy.cfg the renderer produces: each is run through `haproxy -c` and checked for 3.x removals. */
export const haproxyConfigMatrix: [string, L4ExposureArgs][] = [
  ["defaults (queue-proxy route)", baseArgs()],
  ["source ranges", baseArgs({ loadBalancerSourceRanges: ["203.0.113.0/24", "2001:db8::/32"] })],
  [
    "source ranges, externalTrafficPolicy Cluster",
    baseArgs({ loadBalancerSourceRanges: ["203.0.113.0/24"], externalTrafficPolicy: "Cluster" }),
  ],
  [
    "short timeouts",
    baseArgs({
      websocket: { heartbeatSeconds: 1, minLifetimeSeconds: 60 },
      knative: { minScale: 1, cluster: { maxRevisionTimeoutSeconds: 600 } },
      tls: {
        mode: "terminate",
        certificate: { secretName: "s" },
        haproxy: {
          timeouts: { tunnelSeconds: 3, connectSeconds: 1, clientFinSeconds: 1 },
          preStopSeconds: 1,
          hardStopAfterSeconds: 5,
          closeSpreadSeconds: 0,
        },
      },
    }),
  ],
  [
    "long timeouts",
    baseArgs({
      websocket: { heartbeatSeconds: 30, minLifetimeSeconds: 86400 },
      knative: { minScale: 2, timeoutSeconds: 86400, cluster: { maxRevisionTimeoutSeconds: 86400 } },
      tls: {
        mode: "terminate",
        certificate: { secretName: "s" },
        haproxy: { hardStopAfterSeconds: 3600, maxconn: 100000 },
      },
    }),
  ],
  ["ingress route (mode http, Host rewrite)", baseArgs({ route: "ingress" })],
  [
    "behind an AWS NLB with PROXY protocol v2 (accept-proxy), source ranges enforced with Cluster",
    cloudArgs(
      { type: "aws-nlb", proxyProtocol: true },
      { externalTrafficPolicy: "Cluster", loadBalancerSourceRanges: ["203.0.113.0/24"] },
    ),
  ],
  ["forced port 8080", baseArgs({ route: { forcePort8080: true } })],
  [
    "plain Service backend",
    baseArgs({ backend: { service: "echo", namespace: "default", port: 8080 }, knative: undefined }),
  ],
  [
    "2 CPUs (nbthread 2), memory limit capping maxconn",
    baseArgs({
      tls: {
        mode: "terminate",
        certificate: { secretName: "s" },
        haproxy: { resources: { limits: { cpu: "2", memory: "512Mi" } } },
      },
    }),
  ],
  [
    "cert-manager certificate",
    baseArgs({ tls: { mode: "terminate", certificate: { certManager: { issuerName: "letsencrypt" } } } }),
  ],
];
