/**
 * The L4 path's keys (l4 and hybrid modes): MetalLB, the LoadBalancer Service, TLS and the HAProxy tier, the
 * route, DNS.
 */
import { defaultDrainWindowSeconds } from "../l4/haproxy/drain";
import { DEFAULT_HAPROXY_CPU_REQUEST } from "../l4/haproxy/sizing";
import { SettingSection } from "./setting";

export const L4 = {
  title: "the L4 path (MetalLB + LoadBalancer + HAProxy); see docs/L4.md",
  keys: {
    l4Addresses: {
      type: "string[]",
      scope: "l4",
      args: { l4: ["addressPool.create.addresses"] },
      stackNote:
        "Setting it creates a dedicated MetalLB IPAddressPool of these addresses; conflicts with l4PoolName.",
      loadBalancers: ["metallb"],
    },
    l4PoolName: {
      type: "string",
      scope: "l4",
      args: { l4: ["addressPool.existing"] },
      loadBalancers: ["metallb"],
    },
    l4AutoAssign: {
      type: "boolean",
      scope: "l4",
      args: { l4: ["addressPool.create.autoAssign"] },
      loadBalancers: ["metallb"],
    },
    metallbNamespace: {
      type: "string",
      scope: "l4",
      args: { l4: ["metallbNamespace"] },
      loadBalancers: ["metallb"],
    },
    legacyMetallbAnnotations: {
      type: "boolean",
      scope: "l4",
      args: { l4: ["legacyMetallbAnnotations"] },
      loadBalancers: ["metallb"],
    },
    l4Advertisement: {
      type: "string",
      values: ["l2", "bgp", "none"],
      scope: "l4",
      args: { l4: ["advertisement.type"] },
      loadBalancers: ["metallb"],
    },
    l4Interfaces: {
      type: "string[]",
      scope: "l4",
      args: { l4: ["advertisement.interfaces"] },
      loadBalancers: ["metallb"],
    },
    loadBalancerIP: {
      type: "string",
      scope: "l4",
      args: { l4: ["loadBalancerIP"] },
      loadBalancers: ["metallb"],
    },
    l4Port: {
      type: "integer",
      scope: "l4",
      args: { l4: ["port"] },
      range: [1, 65535],
      default: { value: 443, note: ' (80 with tlsMode "none")' },
    },
    externalTrafficPolicy: {
      type: "string",
      values: ["Local", "Cluster"],
      scope: "l4",
      args: { l4: ["externalTrafficPolicy"] },
    },
    loadBalancerSourceRanges: {
      type: "string[]",
      scope: "l4",
      args: { l4: ["loadBalancerSourceRanges"] },
    },
    sessionAffinityTimeoutSeconds: {
      type: "integer",
      scope: "l4",
      args: { l4: ["sessionAffinity.timeoutSeconds"] },
      stackNote: "Setting it turns on ClientIP session affinity on the LoadBalancer.",
      range: [1, 86400],
    },
    tlsMode: {
      type: "string",
      values: ["terminate", "passthrough", "none", "loadBalancer"],
      scope: "l4",
      args: { l4: ["tls.mode"] },
    },
    tlsSecretName: {
      type: "string",
      scope: "l4",
      args: { l4: ["tls.certificate.secretName"] },
      tlsModes: ["terminate"],
    },
    certManagerIssuer: {
      type: "string",
      scope: "l4",
      args: { l4: ["tls.certificate.certManager.issuerName"] },
      stackNote: "Setting it has cert-manager sign a Certificate for hostname; conflicts with tlsSecretName.",
      tlsModes: ["terminate"],
    },
    certManagerIssuerKind: {
      type: "string",
      values: ["Issuer", "ClusterIssuer"],
      scope: "l4",
      args: { l4: ["tls.certificate.certManager.issuerKind"] },
      tlsModes: ["terminate"],
    },
    tlsTargetPort: {
      type: "string",
      scope: "l4",
      args: { l4: ["tls.targetPort"] },
      tlsModes: ["passthrough", "none", "loadBalancer"],
    },
    acknowledgeInsecure: {
      type: "boolean",
      scope: "l4",
      args: { l4: ["tls.acknowledgeInsecure"] },
      tlsModes: ["none"],
    },
    haproxyReplicas: {
      type: "integer",
      scope: "l4",
      args: { l4: ["tls.haproxy.replicas"] },
      tlsModes: ["terminate"],
      range: [2, 100],
      default: { value: 2 },
    },
    haproxyImage: {
      type: "string",
      scope: "l4",
      args: { l4: ["tls.haproxy.image"] },
      tlsModes: ["terminate"],
      default: { value: "haproxy:3.2.4" },
    },
    haproxyMaxconn: {
      type: "integer",
      scope: "l4",
      args: { l4: ["tls.haproxy.maxconn"] },
      tlsModes: ["terminate"],
      default: { value: 10000, note: ", or what a memory limit holds" },
    },
    haproxyCpuRequest: {
      type: "string",
      scope: "l4",
      args: { l4: ["tls.haproxy.resources.requests.cpu"] },
      tlsModes: ["terminate"],
      doc: 'The HAProxy container\'s CPU request, a Kubernetes CPU quantity above 0 ("500m", "2"): what a pod is guaranteed on a node whose CPU is contended, so it sets how many TLS handshakes a second a pod takes in a drain\'s reconnects (the preview warns when haproxyDrainWindowSeconds is too short for it; docs/L4.md). HAProxy runs this many threads, rounded up (at most 64).',
      default: { value: DEFAULT_HAPROXY_CPU_REQUEST },
    },
    haproxyTunnelTimeoutSeconds: {
      type: "integer",
      scope: "l4",
      args: { l4: ["tls.haproxy.timeouts.tunnelSeconds"] },
      tlsModes: ["terminate"],
    },
    haproxyPreStopSeconds: {
      type: "integer",
      scope: "l4",
      args: { l4: ["tls.haproxy.preStopSeconds"] },
      tlsModes: ["terminate"],
      default: { value: 10 },
    },
    haproxyHardStopAfterSeconds: {
      type: "integer",
      scope: "l4",
      args: { l4: ["tls.haproxy.hardStopAfterSeconds"] },
      tlsModes: ["terminate"],
      default: { value: 60 },
    },
    haproxyDrainWindowSeconds: {
      type: "integer",
      scope: "l4",
      args: { l4: ["tls.haproxy.drain.windowSeconds"] },
      stackNote: "0 turns the paced drain off (`drain: false`).",
      tlsModes: ["terminate"],
      default: {
        from: "haproxyHardStopAfterSeconds",
        says: "five sixths of haproxyHardStopAfterSeconds",
        derive: defaultDrainWindowSeconds,
      },
    },
    haproxyDrainOrder: {
      type: "string",
      values: ["oldest", "random"],
      scope: "l4",
      args: { l4: ["tls.haproxy.drain.order"] },
      tlsModes: ["terminate"],
    },
    haproxySessionTicketsSecret: {
      type: "string",
      scope: "l4",
      args: { l4: ["tls.haproxy.sessionTickets.secretName"] },
      stackNote: "Unset: no shared keys (HAProxy runs with no-tls-tickets); rotation in docs/OPERATIONS.md.",
      tlsModes: ["terminate"],
    },
    certManagerKeyAlgorithm: {
      type: "string",
      values: ["ECDSA", "RSA"],
      scope: "l4",
      args: { l4: ["tls.certificate.certManager.keyAlgorithm"] },
      tlsModes: ["terminate"],
    },
    l4Route: {
      type: "string",
      values: ["queue-proxy", "ingress", "force-port-8080"],
      scope: "l4",
      args: { l4: ["route"] },
      stackNote: '"force-port-8080" is `{ forcePort8080: true }`: it bypasses the queue-proxy.',
    },
    knativePortName: {
      type: "string",
      values: ["http1", "h2c"],
      scope: "l4",
      args: { l4: ["revision.portName"] },
    },
    knativeContainerConcurrency: {
      type: "integer",
      scope: "l4",
      args: { l4: ["revision.containerConcurrency"] },
      stackNote: "The stack has no key for acceptFullPods: above 0, use l4Route ingress.",
    },
    l4DnsTarget: {
      type: "string",
      scope: "l4",
      args: { l4: ["dns.target"] },
      stackNote:
        "The address is written as it is; with zoneId the record is DNS-only (proxied false) for hostname.",
    },
  },
} as const satisfies SettingSection;
