/** The bad-input catalogue: malformed args of the three components and malformed stack config. */
import { L4ExposureArgs } from "../../components/l4/args";

import { hybridArgs, l4Args, tunnelArgs } from "../helpers/fixtures";
import { loadBalancerCases, loadBalancerConfigCases } from "./cloudCases";

export { hybridArgs, l4Args, tunnelArgs };

export type Kind = "tunnel" | "l4" | "hybrid";

/** A plain-Service backend on the L4 path without TLS termination (the LB selects its pods). */
export function l4PlainArgs(tls: Record<string, unknown>): L4ExposureArgs {
  return l4Args({
    backend: { service: "echo", namespace: "default", port: 8080 },
    knative: undefined,
    podSelector: { app: "echo" },
    tls,
  });
}

const haproxy = (h: Record<string, unknown>) => ({
  tls: { mode: "terminate", certificate: { secretName: "ws-example-com-tls" }, haproxy: h },
});

/** [label, the exact message (it names the field and the fix), component, args]. Nothing may be registered. */
export const componentCases: [string, string, Kind, unknown][] = [
  // --- hostnames, wildcards, paths
  [
    "hostname with an underscore",
    'TunnelExposure "dev": hostname "messaging_dev.example.com" is not a valid DNS name; use a fully qualified name such as "ws.example.com"',
    "tunnel",
    tunnelArgs({ hostname: "messaging_dev.example.com" }),
  ],
  [
    "hostname: a wildcard where none is allowed",
    'TunnelExposure "dev": hostname "*.example.com" is not a valid DNS name; use a fully qualified name such as "ws.example.com"',
    "tunnel",
    tunnelArgs({ hostname: "*.example.com" }),
  ],
  [
    "hostname: a single label",
    'L4Exposure "staging": hostname "localhost" is not a valid DNS name; use a fully qualified name such as "ws.example.com"',
    "l4",
    l4Args({ hostname: "localhost" }),
  ],
  [
    "hostname: a number (wrong type)",
    'L4Exposure "staging": hostname 443 is not a valid DNS name; use a fully qualified name such as "ws.example.com"',
    "l4",
    l4Args({ hostname: 443 }),
  ],
  [
    "httpRoutes hostname: a wildcard not leading",
    'TunnelExposure "dev": httpRoutes[0].hostname "api.*.example.com" is not a valid DNS name; use a fully qualified name such as "ws.example.com" (a leading "*." wildcard is allowed)',
    "tunnel",
    tunnelArgs({ httpRoutes: [{ hostname: "api.*.example.com" }] }),
  ],
  [
    "httpRoutes path: not a regex",
    'TunnelExposure "dev": httpRoutes[0].path "^/api/(" is not a valid regular expression; write a cloudflared path regex such as "^/api/"',
    "tunnel",
    tunnelArgs({ httpRoutes: [{ path: "^/api/(" }] }),
  ],
  [
    "backend.path without a leading slash",
    'TunnelExposure "dev": backend.path "ws" is not a path; it must start with "/" and hold no spaces, "?" or "#" (e.g. "/ws")',
    "tunnel",
    tunnelArgs({ backend: { knativeService: "messaging-service", namespace: "a", path: "ws" } }),
  ],
  [
    "backend.path with a query",
    'L4Exposure "staging": backend.path "/ws?v=2" is not a path; it must start with "/" and hold no spaces, "?" or "#" (e.g. "/ws")',
    "l4",
    l4Args({ backend: { knativeService: "messaging-service", namespace: "a", path: "/ws?v=2" } }),
  ],
  // --- missing keys, wrong types, unknown enums
  [
    "backend missing",
    'TunnelExposure "dev": backend is required: give { knativeService, namespace } or { service, namespace, port }',
    "tunnel",
    tunnelArgs({ backend: undefined }),
  ],
  [
    "backend sets knativeService and service",
    'L4Exposure "staging": backend sets both knativeService and service; give exactly one',
    "l4",
    l4Args({ backend: { knativeService: "m", service: "m", namespace: "a", port: 80 } }),
  ],
  [
    "backend.namespace in capitals",
    'TunnelExposure "dev": backend.namespace "Agents" is not a valid Kubernetes name; use lower-case letters, digits and "-", at most 63 characters',
    "tunnel",
    tunnelArgs({ backend: { knativeService: "messaging-service", namespace: "Agents" } }),
  ],
  [
    "tunnel neither created nor reused",
    'TunnelExposure "dev": tunnel must be { create: { name } } or { existingId, token | tokenSecret }, exactly one',
    "tunnel",
    tunnelArgs({ tunnel: {} }),
  ],
  [
    "routeProvider unknown",
    'TunnelExposure "dev": routeProvider must be one of "cloudflare-api", "tunnel-ingress-crd" (got "cloudflare")',
    "tunnel",
    tunnelArgs({ routeProvider: "cloudflare" }),
  ],
  [
    "tls missing",
    'L4Exposure "staging": tls is required: { mode: "terminate", certificate } (HAProxy serves wss://), { mode: "passthrough", targetPort } or { mode: "none", acknowledgeInsecure: true }',
    "l4",
    l4Args({ tls: undefined }),
  ],
  [
    "tls.mode unknown",
    'L4Exposure "staging": tls.mode must be one of "terminate", "passthrough", "none", "loadBalancer" (got "tls")',
    "l4",
    l4Args({ tls: { mode: "tls" } }),
  ],
  [
    "advertisement.type unknown",
    'L4Exposure "staging": advertisement.type must be one of "l2", "bgp", "none" (got "arp")',
    "l4",
    l4Args({ advertisement: { type: "arp" } }),
  ],
  [
    "hybrid without its l4 args",
    'HybridExposure "prod": l4 is required: the L4 path\'s args (addressPool, tls, ...)',
    "hybrid",
    hybridArgs({ l4: undefined }),
  ],
  [
    "heartbeatSeconds as a string (wrong type)",
    'TunnelExposure "dev": websocket.heartbeatSeconds must be a whole number of seconds from 1 to 3600 (got "5")',
    "tunnel",
    tunnelArgs({ websocket: { heartbeatSeconds: "5" } }),
  ],
  // --- CIDRs, ranges, addresses, pools
  [
    "pool address not an IP",
    'L4Exposure "staging": addressPool.create.addresses[0] "10.0.0.300/32" is not a CIDR or range; write "192.168.1.240/28" (host bits zero) or "192.168.1.240-192.168.1.250"',
    "l4",
    l4Args({ addressPool: { create: { addresses: ["10.0.0.300/32"] } } }),
  ],
  [
    "pool CIDR with host bits set",
    'L4Exposure "staging": addressPool.create.addresses[0] "192.168.1.241/29" is not a CIDR or range; write "192.168.1.240/28" (host bits zero) or "192.168.1.240-192.168.1.250"',
    "l4",
    l4Args({ addressPool: { create: { addresses: ["192.168.1.241/29"] } } }),
  ],
  [
    "pool range reversed",
    'L4Exposure "staging": addressPool.create.addresses[0] "192.168.1.250-192.168.1.240" is not a CIDR or range; write "192.168.1.240/28" (host bits zero) or "192.168.1.240-192.168.1.250"',
    "l4",
    l4Args({
      addressPool: { create: { addresses: ["192.168.1.250-192.168.1.240"] } },
      loadBalancerIP: undefined,
    }),
  ],
  [
    "pool ranges overlapping",
    'L4Exposure "staging": addressPool.create.addresses[1] "192.168.1.250-192.168.1.252" overlaps addressPool.create.addresses[0] "192.168.1.240/28"; MetalLB refuses overlapping ranges',
    "l4",
    l4Args({ addressPool: { create: { addresses: ["192.168.1.240/28", "192.168.1.250-192.168.1.252"] } } }),
  ],
  [
    "pool addresses empty",
    'L4Exposure "staging": addressPool.create.addresses must list at least one CIDR or range, e.g. ["192.168.1.240/28"]',
    "l4",
    l4Args({ addressPool: { create: { addresses: [] } } }),
  ],
  [
    "loadBalancerIP outside the pool",
    'L4Exposure "staging": loadBalancerIP "192.168.1.249" is not in the address pool (192.168.1.240/29); pin an address inside the pool or add it to addressPool',
    "l4",
    l4Args({ loadBalancerIP: "192.168.1.249" }),
  ],
  [
    "loadBalancerIP not an address",
    'L4Exposure "staging": loadBalancerIP "ws.example.com" is not an IP address; pin an IPv4 or IPv6 address from the pool, e.g. "192.168.1.241"',
    "l4",
    l4Args({ loadBalancerIP: "ws.example.com" }),
  ],
  [
    "source range without a prefix length",
    'L4Exposure "staging": loadBalancerSourceRanges[0] "203.0.113.0" is not a CIDR such as "203.0.113.0/24" (host bits zero)',
    "l4",
    l4Args({ loadBalancerSourceRanges: ["203.0.113.0"] }),
  ],
  // --- ports
  [
    "port 0",
    'L4Exposure "staging": port must be a whole number from 1 to 65535 (got 0)',
    "l4",
    l4Args({ port: 0 }),
  ],
  [
    "port 65536",
    'L4Exposure "staging": port must be a whole number from 1 to 65535 (got 65536)',
    "l4",
    l4Args({ port: 65536 }),
  ],
  [
    "target port 8013 (queue-proxy h2c)",
    "L4Exposure \"staging\": tls.targetPort 8013 is a port Knative's queue-proxy reserves for h2c, admin or metrics (8013, 8022, 9090, 9091), not a WebSocket listener: a LoadBalancer on it would publish Knative's internals; target the backend's own HTTP port (or 8012 for the queue-proxy)",
    "l4",
    l4PlainArgs({ mode: "none", acknowledgeInsecure: true, targetPort: 8013 }),
  ],
  [
    "target port 8022 (queue-proxy admin)",
    "L4Exposure \"staging\": tls.targetPort 8022 is a port Knative's queue-proxy reserves for h2c, admin or metrics (8013, 8022, 9090, 9091), not a WebSocket listener: a LoadBalancer on it would publish Knative's internals; target the backend's own HTTP port (or 8012 for the queue-proxy)",
    "l4",
    l4PlainArgs({ mode: "none", acknowledgeInsecure: true, targetPort: 8022 }),
  ],
  [
    "target port 9090 (queue-proxy metrics)",
    "L4Exposure \"staging\": tls.targetPort 9090 is a port Knative's queue-proxy reserves for h2c, admin or metrics (8013, 8022, 9090, 9091), not a WebSocket listener: a LoadBalancer on it would publish Knative's internals; target the backend's own HTTP port (or 8012 for the queue-proxy)",
    "l4",
    l4PlainArgs({ mode: "none", acknowledgeInsecure: true, targetPort: 9090 }),
  ],
  [
    "target port 9091 (user metrics)",
    "L4Exposure \"staging\": tls.targetPort 9091 is a port Knative's queue-proxy reserves for h2c, admin or metrics (8013, 8022, 9090, 9091), not a WebSocket listener: a LoadBalancer on it would publish Knative's internals; target the backend's own HTTP port (or 8012 for the queue-proxy)",
    "l4",
    l4PlainArgs({ mode: "none", acknowledgeInsecure: true, targetPort: 9091 }),
  ],
  [
    "route to port 8080 without forcing it",
    'L4Exposure "staging": route sends traffic to port 8080, which bypasses the queue-proxy: the autoscaler then sees no load and may scale away pods holding live sockets; use route "queue-proxy" (port 8012), or set route to { forcePort8080: true } if you accept that',
    "l4",
    l4Args({ route: 8080 }),
  ],
  // --- timeouts
  [
    "heartbeatSeconds 0",
    'TunnelExposure "dev": websocket.heartbeatSeconds must be a whole number of seconds from 1 to 3600 (got 0)',
    "tunnel",
    tunnelArgs({ websocket: { heartbeatSeconds: 0 } }),
  ],
  [
    "edgeIdleTimeoutSeconds 0",
    'TunnelExposure "dev": edgeIdleTimeoutSeconds must be a whole number >= 1 (got 0)',
    "tunnel",
    tunnelArgs({ edgeIdleTimeoutSeconds: 0 }),
  ],
  [
    "connector.gracePeriodSeconds 0",
    'TunnelExposure "dev": connector.gracePeriodSeconds must be a whole number from 1 to 3600 (got 0)',
    "tunnel",
    tunnelArgs({ connector: { gracePeriodSeconds: 0 } }),
  ],
  [
    "connector.gracePeriodSeconds above 3600",
    'TunnelExposure "dev": connector.gracePeriodSeconds must be a whole number from 1 to 3600 (got 7200)',
    "tunnel",
    tunnelArgs({ connector: { gracePeriodSeconds: 7200 } }),
  ],
  [
    "haproxy tunnel timeout 0",
    'L4Exposure "staging": tls.haproxy.timeouts.tunnelSeconds must be a whole number of seconds from 1 to 2147483 (got 0)',
    "l4",
    l4Args(haproxy({ timeouts: { tunnelSeconds: 0 } })),
  ],
  [
    "haproxy hard-stop-after above a day",
    'L4Exposure "staging": tls.haproxy.hardStopAfterSeconds must be a whole number of seconds from 1 to 86400 (got 90000)',
    "l4",
    l4Args(haproxy({ hardStopAfterSeconds: 90000 })),
  ],
  // --- the paced drain and session tickets (issue 12)
  [
    "drain window not 2 s inside hard-stop-after",
    `L4Exposure "staging": tls.haproxy.drain.windowSeconds 59 must be at most tls.haproxy.hardStopAfterSeconds 60 - 2 = 58: hard-stop-after counts from the soft-stop (or the reload), the window from when the drain's driver sees the old process (up to 2 s later), and hard-stop-after closes at once every connection the paced drain has not closed yet; lower it or raise hardStopAfterSeconds`,
    "l4",
    l4Args(haproxy({ drain: { windowSeconds: 59 } })),
  ],
  [
    "drain window 0",
    'L4Exposure "staging": tls.haproxy.drain.windowSeconds must be a whole number of seconds from 1 to 86400 (got 0)',
    "l4",
    l4Args(haproxy({ drain: { windowSeconds: 0 } })),
  ],
  [
    "drain order unknown",
    'L4Exposure "staging": tls.haproxy.drain.order must be one of "oldest", "random" (got "newest")',
    "l4",
    l4Args(haproxy({ drain: { order: "newest" } })),
  ],
  [
    "drain not an object",
    'L4Exposure "staging": tls.haproxy.drain "on" is not an object: give { windowSeconds, order }, {} for the defaults, or false to turn the paced drain off',
    "l4",
    l4Args(haproxy({ drain: "on" })),
  ],
  [
    "drain image not pinned",
    'L4Exposure "staging": tls.haproxy.drain.image "node:latest" is not pinned; use a tag or digest such as "node:24.19.0-alpine3.24"',
    "l4",
    l4Args(haproxy({ drain: { image: "node:latest" } })),
  ],
  [
    "session tickets: two keys",
    'L4Exposure "staging": tls.haproxy.sessionTickets.keys must hold exactly 3 keys, oldest first (HAProxy encrypts with the middle one and decrypts with all three); generate one with `openssl rand 80 | openssl base64 -A`',
    "l4",
    l4Args(
      haproxy({
        sessionTickets: {
          keys: [Buffer.alloc(80, 1).toString("base64"), Buffer.alloc(80, 1).toString("base64")],
        },
      }),
    ),
  ],
  [
    "session tickets: a key of the wrong length (the message never shows it)",
    'L4Exposure "staging": tls.haproxy.sessionTickets.keys[1] is not the base64 of 48 or 80 bytes (HAProxy refuses to start); generate one with `openssl rand 80 | openssl base64 -A`',
    "l4",
    l4Args(
      haproxy({
        sessionTickets: {
          keys: [Buffer.alloc(80, 1).toString("base64"), "bm9wZQ==", Buffer.alloc(80, 1).toString("base64")],
        },
      }),
    ),
  ],
  [
    "session tickets: 48- and 80-byte keys mixed",
    'L4Exposure "staging": tls.haproxy.sessionTickets.keys mixes 48-byte and 80-byte keys; HAProxy takes the first key\'s length for all of them: use 80-byte keys throughout',
    "l4",
    l4Args(
      haproxy({
        sessionTickets: {
          keys: [
            Buffer.alloc(80, 1).toString("base64"),
            Buffer.alloc(48, 2).toString("base64"),
            Buffer.alloc(80, 1).toString("base64"),
          ],
        },
      }),
    ),
  ],
  [
    "session tickets: neither keys nor secretName",
    'L4Exposure "staging": tls.haproxy.sessionTickets needs exactly one of { keys: [3 keys] } (Pulumi secrets; the component writes the Secret) or { secretName } (an existing Secret with key "tls-ticket-keys")',
    "l4",
    l4Args(haproxy({ sessionTickets: {} })),
  ],
  [
    "certificate key algorithm unknown",
    'L4Exposure "staging": tls.certificate.certManager.keyAlgorithm must be one of "ECDSA", "RSA" (got "DSA")',
    "l4",
    l4Args({
      tls: { mode: "terminate", certificate: { certManager: { issuerName: "le", keyAlgorithm: "DSA" } } },
    }),
  ],
  [
    "sessionAffinity timeout above 86400",
    'L4Exposure "staging": sessionAffinity.timeoutSeconds must be a whole number of seconds from 1 to 86400 (got 86401)',
    "l4",
    l4Args({ sessionAffinity: { timeoutSeconds: 86401 } }),
  ],
  [
    "sessionAffinity timeout 0",
    'L4Exposure "staging": sessionAffinity.timeoutSeconds must be a whole number of seconds from 1 to 86400 (got 0)',
    "l4",
    l4Args({ sessionAffinity: { timeoutSeconds: 0 } }),
  ],
  [
    "knative.timeoutSeconds above the cluster maximum",
    'TunnelExposure "dev": knative.timeoutSeconds 7200 exceeds the cluster\'s max-revision-timeout-seconds 3600; Knative would reject the revision; raise max-revision-timeout-seconds in ConfigMap config-defaults (knative-serving) to at least 7200, then declare it in knative.cluster.maxRevisionTimeoutSeconds, or let this stack manage it with knative.cluster.manageMaxRevisionTimeout: true',
    "tunnel",
    tunnelArgs({ knative: { timeoutSeconds: 7200, cluster: { maxRevisionTimeoutSeconds: 3600 } } }),
  ],
  [
    "dns.ttl below 60",
    'L4Exposure "staging": dns.ttl must be a whole number of seconds (or 1 = automatic) from 60 to 86400 (got 30)',
    "l4",
    l4Args({ dns: { zoneId: "z", target: "loadBalancerIP", ttl: 30 } }),
  ],
  // --- heartbeat vs the path, lifetimes
  [
    "heartbeat too slow for the Cloudflare edge",
    'TunnelExposure "dev": websocket does not fit the tunnel path\'s connection budget: websocket.heartbeatSeconds 60 is too slow for the tunnel path: hop "cloudflare-edge" closes a connection idle for 100 s, and a connection must survive 2 heartbeat intervals (120 s); raise tunnel.edgeIdleTimeoutSeconds (only if you measured a longer timer) or set websocket.heartbeatSeconds <= 50',
    "tunnel",
    tunnelArgs({ websocket: { heartbeatSeconds: 60 } }),
  ],
  [
    "haproxy timeout tunnel under 3 heartbeats",
    'L4Exposure "staging": tls.haproxy.timeouts.tunnelSeconds 10 is below 3 heartbeats (3 x websocket.heartbeatSeconds 5 = 15); HAProxy would cut connections that miss a heartbeat or two; raise it to at least 15',
    "l4",
    l4Args(haproxy({ timeouts: { tunnelSeconds: 10 } })),
  ],
  [
    "heartbeat too slow for the hybrid's tunnel fallback",
    'TunnelExposure "prod-tunnel": websocket does not fit the tunnel path\'s connection budget: websocket.heartbeatSeconds 60 is too slow for the tunnel path: hop "cloudflare-edge" closes a connection idle for 100 s, and a connection must survive 2 heartbeat intervals (120 s); raise tunnel.edgeIdleTimeoutSeconds (only if you measured a longer timer) or set websocket.heartbeatSeconds <= 50',
    "hybrid",
    hybridArgs({ websocket: { heartbeatSeconds: 60, minLifetimeSeconds: 3600 } }),
  ],
  [
    "lifetime wanted above knative.timeoutSeconds",
    'L4Exposure "staging": websocket does not fit the l4 path\'s connection budget: the l4 path caps a connection\'s life at 600 s at hop "queue-proxy", below websocket.minLifetimeSeconds 3600; raise knative.timeoutSeconds to at least 3600',
    "l4",
    l4Args({ knative: { timeoutSeconds: 600, cluster: { maxRevisionTimeoutSeconds: 3600 } } }),
  ],
  // --- scale and replicas
  [
    "minScale above maxScale",
    'TunnelExposure "dev": knative.minScale 5 is above knative.maxScale 2; lower minScale or raise maxScale',
    "tunnel",
    tunnelArgs({ knative: { minScale: 5, maxScale: 2, cluster: { maxRevisionTimeoutSeconds: 3600 } } }),
  ],
  [
    "minScale 0 on the L4 queue-proxy route",
    'L4Exposure "staging": knative.minScale 0 is below 1, which the L4 route straight to the pods (queue-proxy port 8012) needs: nothing but a running pod can answer there (the activator is only reachable through Knative\'s ingress); set knative.minScale >= 1',
    "l4",
    l4Args({ knative: { minScale: 0, cluster: { maxRevisionTimeoutSeconds: 3600 } } }),
  ],
  [
    "connector replicas 0",
    'TunnelExposure "dev": connector.replicas must be a whole number from 1 to 25 (got 0)',
    "tunnel",
    tunnelArgs({ connector: { replicas: 0 } }),
  ],
  [
    "connector replicas above Cloudflare's 25",
    'TunnelExposure "dev": connector.replicas must be a whole number from 1 to 25 (got 26)',
    "tunnel",
    tunnelArgs({ connector: { replicas: 26 } }),
  ],
  [
    "haproxy replicas 0",
    'L4Exposure "staging": tls.haproxy.replicas must be a whole number from 2 to 100 (got 0)',
    "l4",
    l4Args(haproxy({ replicas: 0 })),
  ],
  [
    "haproxy replicas 1 (no PDB-safe rollout)",
    'L4Exposure "staging": tls.haproxy.replicas must be a whole number from 2 to 100 (got 1)',
    "l4",
    l4Args(haproxy({ replicas: 1 })),
  ],
  // --- shutdown order
  [
    "preStop not below hard-stop-after",
    'L4Exposure "staging": tls.haproxy.preStopSeconds 60 must be below tls.haproxy.hardStopAfterSeconds 60: the preStop sleep only lets the load balancer stop sending new connections; the drain of open ones is hard-stop-after\'s window',
    "l4",
    l4Args(haproxy({ preStopSeconds: 60, hardStopAfterSeconds: 60 })),
  ],
  [
    "HAProxy pod grace too short",
    'L4Exposure "staging": tls.haproxy.terminationGracePeriodSeconds 60 is too short: it must be at least preStopSeconds 10 + hardStopAfterSeconds 60 + 10 = 80, because the grace period counts from the start of preStop and ends in SIGKILL, which would cut the drain short',
    "l4",
    l4Args(haproxy({ terminationGracePeriodSeconds: 60 })),
  ],
  [
    "cloudflared pod grace not above --grace-period",
    'TunnelExposure "dev": connector.terminationGracePeriodSeconds 30 must exceed connector.gracePeriodSeconds 30, or Kubernetes kills cloudflared before its in-flight requests finish; set it to at least 31',
    "tunnel",
    tunnelArgs({ connector: { gracePeriodSeconds: 30, terminationGracePeriodSeconds: 30 } }),
  ],
  // --- duplicate hostnames across paths
  [
    "hybrid: one hostname for both paths",
    'HybridExposure "prod": wsHostname "messaging.example.com" is also httpHostname; one name cannot point at the tunnel (proxied CNAME) and at the L4 address (DNS-only record): give the WebSocket its own hostname',
    "hybrid",
    hybridArgs({ wsHostname: "messaging.example.com" }),
  ],
  [
    "hybrid: a tunnel route for the L4 hostname",
    'HybridExposure "prod": tunnel.httpRoutes[0].hostname "ws.messaging.example.com" is wsHostname, the L4 path\'s name (a DNS-only record): the tunnel cannot serve it too; route it on httpHostname or another hostname',
    "hybrid",
    hybridArgs({
      tunnel: {
        accountId: "acc",
        zoneId: "zone",
        tunnel: { create: { name: "messaging" } },
        httpRoutes: [{ hostname: "WS.messaging.example.com", path: "^/api/" }],
      },
    }),
  ],
  // --- conflicting TLS options
  [
    "certificate from a Secret and from cert-manager",
    'L4Exposure "staging": tls.certificate needs exactly one of { secretName } (an existing kubernetes.io/tls Secret) or { certManager: { issuerName } }',
    "l4",
    l4Args({
      tls: { mode: "terminate", certificate: { secretName: "s", certManager: { issuerName: "le" } } },
    }),
  ],
  [
    "passthrough with a certificate",
    'L4Exposure "staging": tls.certificate is only for tls.mode "terminate" (tls.mode is "passthrough"); remove it or change tls.mode',
    "l4",
    l4Args({ tls: { mode: "passthrough", targetPort: "https", certificate: { secretName: "s" } } }),
  ],
  [
    "terminate with acknowledgeInsecure",
    'L4Exposure "staging": tls.acknowledgeInsecure is only for tls.mode "none" (tls.mode is "terminate"); remove it or change tls.mode',
    "l4",
    l4Args({ tls: { mode: "terminate", certificate: { secretName: "s" }, acknowledgeInsecure: true } }),
  ],
  [
    "terminate with a targetPort",
    'L4Exposure "staging": tls.targetPort is only for tls.mode "passthrough", "none" or "loadBalancer" (tls.mode is "terminate"); remove it or change tls.mode',
    "l4",
    l4Args({ tls: { mode: "terminate", certificate: { secretName: "s" }, targetPort: "https" } }),
  ],
  [
    "none with HAProxy settings",
    'L4Exposure "staging": tls.haproxy is only for tls.mode "terminate" (tls.mode is "none"); remove it or change tls.mode',
    "l4",
    l4PlainArgs({ mode: "none", acknowledgeInsecure: true, targetPort: 8080, haproxy: { replicas: 3 } }),
  ],
  [
    "none without acknowledgeInsecure",
    'L4Exposure "staging": tls.acknowledgeInsecure must be true for tls.mode "none": clients would use plain ws:// and every message crosses the network unencrypted; use it on a LAN or for development only, or use tls.mode "terminate"',
    "l4",
    l4PlainArgs({ mode: "none", targetPort: 8080 }),
  ],
  // --- the L4 load-balancer choice (metallb, aws-nlb, gcp, azure, custom)
  ...loadBalancerCases,
];

/** [label, the exact stderr of `npm run render` (exit 1, nothing written), stack, render flags]. */
export const configCases: [string, string, string, string[]][] = [
  [
    "unknown mode",
    'stack config: ws-exposure:mode must be one of "tunnel", "l4", "hybrid" (got "tunel")',
    "dev",
    ["--set", "mode=tunel"],
  ],
  [
    "typo of heartbeatSeconds",
    "stack config: ws-exposure:hearbeatSeconds is not a known key; did you mean ws-exposure:heartbeatSeconds?",
    "dev",
    ["--set", "hearbeatSeconds=5"],
  ],
  [
    "typo of tunnelName",
    "stack config: ws-exposure:tunelName is not a known key; did you mean ws-exposure:tunnelName?",
    "dev",
    ["--set", "tunelName=ws-dev"],
  ],
  [
    "typo of loadBalancerIP (case)",
    "stack config: ws-exposure:loadbalancerIp is not a known key; did you mean ws-exposure:loadBalancerIP?",
    "staging",
    ["--set", "loadbalancerIp=192.168.1.241"],
  ],
  [
    "unknown key, no near match",
    "stack config: ws-exposure:colour is not a known key; see the config reference in docs/CONFIG.md",
    "dev",
    ["--set", "colour=blue"],
  ],
  [
    "heartbeatSeconds not a number",
    'stack config: ws-exposure:heartbeatSeconds must be a number (got "five")',
    "dev",
    ["--set", "heartbeatSeconds=five"],
  ],
  [
    "antiAffinity not a boolean",
    'stack config: ws-exposure:antiAffinity must be a boolean (got "yes")',
    "dev",
    ["--set", "antiAffinity=yes"],
  ],
  [
    "l4Addresses not a list",
    'stack config: ws-exposure:l4Addresses must be an array (got "192.168.1.240/29")',
    "staging",
    ["--set", "l4Addresses=192.168.1.240/29"],
  ],
  [
    "namespace missing",
    "Stack 'dev' is missing configuration value 'namespace' (as pulumi preview says): set it with pulumi config set ws-exposure:namespace <value>",
    "dev",
    ["--unset", "namespace"],
  ],
  [
    "neither knativeService nor service",
    "stack config: ws-exposure:knativeService (a Knative Service) or ws-exposure:service (a plain Service, with servicePort) must be set, exactly one of them",
    "dev",
    ["--unset", "knativeService"],
  ],
  [
    "tunnel token set in plain text",
    "stack config: ws-exposure:tunnelToken is a secret; set it with pulumi config set --secret ws-exposure:tunnelToken <value>",
    "dev",
    ["--set", "tunnelToken=abc"],
  ],
  [
    "tunnelId without its token",
    "stack config: ws-exposure:tunnelToken is required with ws-exposure:tunnelId; set it with pulumi config set --secret ws-exposure:tunnelToken <token>",
    "dev",
    ["--unset", "tunnelName", "--set", "tunnelId=6f1c3b8e-0000-4000-8000-000000000001"],
  ],
  [
    "tunnelName and tunnelId",
    "stack config: ws-exposure:tunnelName (create a tunnel) or ws-exposure:tunnelId (reuse one) must be set, exactly one of them",
    "dev",
    ["--set", "tunnelId=6f1c3b8e-0000-4000-8000-000000000001"],
  ],
  [
    "tlsMode passthrough with a cert-manager issuer",
    'stack config: ws-exposure:certManagerIssuer is only for tlsMode "terminate" (tlsMode is "passthrough"); remove it or change ws-exposure:tlsMode\n  ws-exposure:certManagerIssuerKind is only for tlsMode "terminate" (tlsMode is "passthrough"); remove it or change ws-exposure:tlsMode\n  ws-exposure:haproxyReplicas is only for tlsMode "terminate" (tlsMode is "passthrough"); remove it or change ws-exposure:tlsMode\n  ws-exposure:haproxyMaxconn is only for tlsMode "terminate" (tlsMode is "passthrough"); remove it or change ws-exposure:tlsMode\n  ws-exposure:haproxyHardStopAfterSeconds is only for tlsMode "terminate" (tlsMode is "passthrough"); remove it or change ws-exposure:tlsMode',
    "staging",
    ["--set", "tlsMode=passthrough", "--set", "tlsTargetPort=https"],
  ],
  [
    "acknowledgeInsecure with tlsMode terminate",
    'stack config: ws-exposure:acknowledgeInsecure is only for tlsMode "none" (tlsMode is "terminate"); remove it or change ws-exposure:tlsMode',
    "staging",
    ["--set", "acknowledgeInsecure=true"],
  ],
  [
    "invalid hostname",
    'stack config: ws-exposure:hostname "messaging_dev.example.com" is not a valid DNS name; use a fully qualified name such as "ws.example.com" [TunnelExposure "dev": hostname]',
    "dev",
    ["--set", "hostname=messaging_dev.example.com"],
  ],
  [
    "minScale above maxScale",
    'stack config: ws-exposure:minScale 12 is above ws-exposure:maxScale 10; lower minScale or raise maxScale [TunnelExposure "dev": knative.minScale]',
    "dev",
    ["--set", "minScale=12"],
  ],
  [
    "connectorReplicas 0",
    'stack config: ws-exposure:connectorReplicas must be a whole number from 1 to 25 (got 0) [TunnelExposure "dev": connector.replicas]',
    "dev",
    ["--set", "connectorReplicas=0"],
  ],
  [
    "heartbeat too slow for the tunnel path",
    'TunnelExposure "dev": websocket does not fit the tunnel path\'s connection budget: ws-exposure:heartbeatSeconds 60 is too slow for the tunnel path: hop "cloudflare-edge" closes a connection idle for 100 s, and a connection must survive 2 heartbeat intervals (120 s); raise ws-exposure:edgeIdleTimeoutSeconds (only if you measured a longer timer) or set ws-exposure:heartbeatSeconds <= 50',
    "dev",
    ["--set", "heartbeatSeconds=60"],
  ],
  [
    "timeoutSeconds above the cluster maximum",
    'stack config: ws-exposure:timeoutSeconds 7200 exceeds the cluster\'s max-revision-timeout-seconds 3600; Knative would reject the revision; raise ws-exposure:maxRevisionTimeoutSeconds to at least 7200 [TunnelExposure "dev": knative.timeoutSeconds]',
    "dev",
    ["--set", "timeoutSeconds=7200"],
  ],
  [
    "overlapping l4Addresses",
    'stack config: ws-exposure:l4Addresses[1] "192.168.1.244-192.168.1.250" overlaps ws-exposure:l4Addresses[0] "192.168.1.240/29"; MetalLB refuses overlapping ranges [L4Exposure "staging": addressPool.create.addresses[1]]',
    "staging",
    ["--set", 'l4Addresses=["192.168.1.240/29","192.168.1.244-192.168.1.250"]'],
  ],
  [
    "loadBalancerIP outside the pool",
    'stack config: ws-exposure:loadBalancerIP "192.168.1.100" is not in the address pool (192.168.1.240/29); pin an address inside the pool or add it to addressPool [L4Exposure "staging": loadBalancerIP]',
    "staging",
    ["--set", "loadBalancerIP=192.168.1.100"],
  ],
  [
    "l4Port out of range",
    'stack config: ws-exposure:l4Port must be a whole number from 1 to 65535 (got 70000) [L4Exposure "staging": port]',
    "staging",
    ["--set", "l4Port=70000"],
  ],
  [
    "preStop not below hard-stop-after",
    'stack config: ws-exposure:haproxyPreStopSeconds 60 must be below ws-exposure:haproxyHardStopAfterSeconds 60: the preStop sleep only lets the load balancer stop sending new connections; the drain of open ones is hard-stop-after\'s window [L4Exposure "prod-l4": tls.haproxy.preStopSeconds]',
    "prod",
    ["--set", "haproxyPreStopSeconds=60"],
  ],
  [
    "a lifetime no hop allows (the budget speaks before derived timeouts are range-checked)",
    'L4Exposure "prod-l4": websocket does not fit the l4 path\'s connection budget: the l4 path caps a connection\'s life at 3600 s at hop "queue-proxy", below ws-exposure:minLifetimeSeconds 100000000; raise ws-exposure:timeoutSeconds to at least 100000000',
    "prod",
    ["--set", "minLifetimeSeconds=100000000"],
  ],
  [
    "no kubernetes:context (the stack would deploy to the kubeconfig's current context)",
    "stack config: kubernetes:context is not set: pulumi up would deploy to whatever cluster the kubeconfig's current context points at; pin this stack's cluster with pulumi config set kubernetes:context <context> (kubectl config get-contexts lists them), or set ws-exposure:allowAmbientCluster true to use the current context on purpose",
    "prod",
    ["--unset", "kubernetes:context"],
  ],
  [
    "one hostname for both hybrid paths",
    'stack config: ws-exposure:hostname "ws.messaging.example.com" is also ws-exposure:httpHostname; one name cannot point at the tunnel (proxied CNAME) and at the L4 address (DNS-only record): give the WebSocket its own hostname [HybridExposure "prod": wsHostname]',
    "prod",
    ["--set", "httpHostname=ws.messaging.example.com"],
  ],
  // --- the L4 load-balancer choice (Pulumi.cloud-example.yaml)
  ...loadBalancerConfigCases,
];
