/**
 * Validation and planning of an L4Exposure: every argument checked (messages name the argument),
 * defaults applied, and the decisions the component turns into resources. Pure: no Pulumi.
 */
import { evaluateBudget, Hop, PathBudget } from "../budget/model";
import { reconnectBudget } from "../budget/reconnect";
import { l4Outages } from "./outages";
import {
  activatorHop,
  clientHop,
  haproxyHop,
  knativeIngressHop,
  knativeUserPortHop,
  kubeProxyConntrackHop,
  metallbBgpHop,
  metallbL2Hop,
  queueProxyHop,
  serviceBackendHop,
} from "../budget/hops";
import { KnativePlan, KnativeRequirements, NO_REQUIREMENTS, planKnativeSettings } from "../knative/plan";
import { ResolvedBackend, ResolvedWebSocket, resolveBackend, resolveWebSocket } from "../shared/backend";
import {
  fail,
  KNATIVE_RESERVED_PORTS,
  requireDnsLabel,
  requireHostname,
  requireOneOf,
  requirePort,
  requireWholeNumber,
} from "../shared/validation";
import {
  AddressRange,
  findOverlaps,
  IpFamily,
  isBuggyIp,
  parseIp,
  parseRange,
  poolContains,
} from "./address";
import {
  AdvertisementArgs,
  BgpPeerArgs,
  HaproxyArgs,
  L4ExposureArgs,
  L4TlsArgs,
  TerminateTlsArgs,
} from "./args";
import { DEFAULT_HAPROXY_IMAGE, HaproxyTimeouts, planShutdown, ShutdownPlan } from "./haproxy";
import { BgpPeerSpec, LabelSelector } from "./metallb";

/** The queue-proxy's HTTP/1 port in every Knative pod. */
export const QUEUE_PROXY_PORT = 8012;
/** The Knative user container's port (bypasses the queue-proxy). */
export const USER_PORT = 8080;
/** HAProxy's TLS listener and health ports in its pod (unprivileged). */
export const HAPROXY_TLS_PORT = 8443;
export const HAPROXY_HEALTH_PORT = 8404;
/** kube-proxy's --conntrack-tcp-timeout-established default (24h). */
export const DEFAULT_CONNTRACK_ESTABLISHED_SECONDS = 86400;
export const DEFAULT_AFFINITY_TIMEOUT_SECONDS = 10800;

/** What the L4 route straight to the pods needs of the Knative Service. */
export const L4_QUEUE_PROXY_REQUIREMENTS: KnativeRequirements = {
  minScaleAtLeast: 1,
  activatorOutOfPath: true,
  reason: "the L4 route straight to the pods (queue-proxy port 8012)",
};
export const L4_USER_PORT_REQUIREMENTS: KnativeRequirements = {
  minScaleAtLeast: 1,
  activatorOutOfPath: true,
  reason: "the L4 route straight to the pods (port 8080)",
};

export type L4Route = "queue-proxy" | "ingress" | "port-8080" | "service";

export interface ResolvedHaproxy {
  replicas: number;
  image: string;
  timeouts: HaproxyTimeouts;
  shutdown: ShutdownPlan;
  maxconn: number;
  resources: { requests: Record<string, string>; limits: Record<string, string> };
}

export type ResolvedTls =
  | {
      mode: "terminate";
      /** The Secret HAProxy mounts. */
      secretName: string;
      certManager?: {
        issuerName: string;
        issuerKind: "Issuer" | "ClusterIssuer";
        duration?: string;
        renewBefore?: string;
      };
      haproxy: ResolvedHaproxy;
    }
  | { mode: "passthrough"; targetPort: string }
  | { mode: "none"; targetPort: string | number };

export type ResolvedAdvertisement =
  | { type: "l2"; interfaces?: string[]; nodeSelectors?: LabelSelector[] }
  | {
      type: "bgp";
      peers: { name: string; spec: BgpPeerSpec }[];
      /** Every peer name the advertisement is limited to (created + existing); empty = all. */
      peerNames: string[];
      aggregationLength?: number;
      localPref?: number;
      communities?: string[];
      nodeSelectors?: LabelSelector[];
    }
  | { type: "none" };

export interface L4Plan {
  owner: string;
  name: string;
  backend: ResolvedBackend;
  websocket: ResolvedWebSocket;
  hostname: string;
  url: string;
  metallbNamespace: string;
  pool: {
    name: string;
    create?: { addresses: string[]; autoAssign: boolean; avoidBuggyIPs?: boolean };
    ranges?: AddressRange[];
  };
  advertisement: ResolvedAdvertisement;
  loadBalancerIP?: string;
  /** Address family of the Service address (decides A or AAAA). */
  family: IpFamily;
  port: number;
  externalTrafficPolicy: "Local" | "Cluster";
  sourceRanges: string[];
  sessionAffinity?: { timeoutSeconds: number };
  tls: ResolvedTls;
  route: L4Route;
  /** HAProxy's server (tls terminate): where the tier forwards to. */
  upstream?: { address: string; port: number; hostHeader?: string };
  /** The ClusterIP Service to the Knative pods the tier forwards to (queue-proxy or forced 8080 route). */
  podService?: { name: string; port: number; selector: Record<string, string> };
  /** What the LoadBalancer Service selects, and its target port. */
  lbSelector: Record<string, string>;
  lbTargetPort: string | number;
  knativeRequirements: KnativeRequirements;
  knativePlan?: KnativePlan;
  applyKnativeSettings: boolean;
  dns?: { type: "A" | "AAAA"; target: "loadBalancerIP" | { address: string }; ttl: number };
  conntrackEstablishedTimeoutSeconds: number;
  budget: PathBudget;
}

/** Labels on every HAProxy pod; the LoadBalancer (terminate) selects them. */
export function haproxyLabels(name: string): Record<string, string> {
  return { "app.kubernetes.io/name": "ws-exposure-haproxy", "app.kubernetes.io/instance": name };
}

const str = JSON.stringify;

function resolveRoute(owner: string, backend: ResolvedBackend, route: unknown): L4Route {
  if (backend.kind === "service") {
    if (route !== undefined) {
      fail(owner, "route", "is only for a Knative backend; a plain Service is reached on backend.port");
    }
    return "service";
  }
  if (route === undefined || route === "queue-proxy") return "queue-proxy";
  if (route === "ingress") return "ingress";
  const isObject = typeof route === "object" && route !== null;
  const asks8080 =
    route === 8080 ||
    route === "8080" ||
    (isObject && ("forcePort8080" in route || (route as { port?: unknown }).port === USER_PORT));
  if (asks8080) {
    if (isObject && (route as { forcePort8080?: unknown }).forcePort8080 === true) return "port-8080";
    fail(
      owner,
      "route",
      `sends traffic to port ${USER_PORT}, which bypasses the queue-proxy: the autoscaler then sees no load and may scale away pods holding live sockets; ` +
        `use route "queue-proxy" (port ${QUEUE_PROXY_PORT}), or set route to { forcePort8080: true } if you accept that`,
    );
  }
  return fail(
    owner,
    "route",
    `must be "queue-proxy", "ingress" or { forcePort8080: true } (got ${str(route)})`,
  );
}

function resolvePool(owner: string, name: string, args: L4ExposureArgs): L4Plan["pool"] {
  const pool = args.addressPool as unknown;
  if (!pool || typeof pool !== "object") {
    fail(owner, "addressPool", "is required: give { create: { addresses } } or { existing: <pool name> }");
  }
  const p = pool as { create?: unknown; existing?: unknown; addresses?: unknown };
  if (p.create !== undefined && p.existing !== undefined) {
    fail(owner, "addressPool", "sets both create and existing; give exactly one");
  }
  const parseAll = (field: string, addresses: unknown): AddressRange[] => {
    if (!Array.isArray(addresses) || addresses.length === 0) {
      fail(owner, field, 'must list at least one CIDR or range, e.g. ["192.168.1.240/28"]');
    }
    const ranges = addresses.map((a, i) => {
      const r = typeof a === "string" ? parseRange(a) : undefined;
      if (!r) {
        fail(
          owner,
          `${field}[${i}]`,
          `${str(a)} is not a CIDR or range; write "192.168.1.240/28" (host bits zero) or "192.168.1.240-192.168.1.250"`,
        );
      }
      return r;
    });
    const overlap = findOverlaps(ranges)[0];
    if (overlap) {
      fail(
        owner,
        `${field}[${overlap[1]}]`,
        `${str(ranges[overlap[1]].text)} overlaps ${field}[${overlap[0]}] ${str(ranges[overlap[0]].text)}; MetalLB refuses overlapping ranges`,
      );
    }
    return ranges;
  };
  if (p.create !== undefined) {
    const c = p.create as { addresses?: unknown; autoAssign?: unknown; avoidBuggyIPs?: unknown };
    const ranges = parseAll("addressPool.create.addresses", c.addresses);
    if (c.autoAssign !== undefined && typeof c.autoAssign !== "boolean") {
      fail(owner, "addressPool.create.autoAssign", `must be true or false (got ${str(c.autoAssign)})`);
    }
    if (c.avoidBuggyIPs !== undefined && typeof c.avoidBuggyIPs !== "boolean") {
      fail(owner, "addressPool.create.avoidBuggyIPs", `must be true or false (got ${str(c.avoidBuggyIPs)})`);
    }
    return {
      name: `${name}-pool`,
      create: {
        addresses: ranges.map((r) => r.text),
        autoAssign: (c.autoAssign as boolean | undefined) ?? false,
        avoidBuggyIPs: c.avoidBuggyIPs as boolean | undefined,
      },
      ranges,
    };
  }
  if (p.existing !== undefined) {
    const existing = requireDnsLabel(owner, "addressPool.existing", p.existing);
    const ranges = p.addresses === undefined ? undefined : parseAll("addressPool.addresses", p.addresses);
    return { name: existing, ranges };
  }
  return fail(
    owner,
    "addressPool",
    "names no pool: give { create: { addresses } } or { existing: <pool name> }",
  );
}

function resolvePeer(owner: string, field: string, peer: BgpPeerArgs): { name: string; spec: BgpPeerSpec } {
  const peerName = requireDnsLabel(owner, `${field}.name`, peer?.name);
  const asn = (f: string, v: unknown) => requireWholeNumber(owner, `${field}.${f}`, v, 0, 4294967295);
  const myASN = asn("myASN", peer.myASN);
  const peerASN = asn("peerASN", peer.peerASN);
  if (!parseIp(peer.peerAddress as string)) {
    fail(owner, `${field}.peerAddress`, `${str(peer.peerAddress)} is not an IP address`);
  }
  if (peer.sourceAddress !== undefined && !parseIp(peer.sourceAddress)) {
    fail(owner, `${field}.sourceAddress`, `${str(peer.sourceAddress)} is not an IP address`);
  }
  if (peer.peerPort !== undefined) requireWholeNumber(owner, `${field}.peerPort`, peer.peerPort, 1, 16384);
  if (peer.keepaliveTime !== undefined && peer.holdTime === undefined) {
    fail(owner, `${field}.keepaliveTime`, "needs holdTime too (MetalLB requires keepaliveTime < holdTime)");
  }
  const { name: _name, ...spec } = peer;
  return { name: peerName, spec: { ...spec, myASN, peerASN } };
}

function resolveAdvertisement(
  owner: string,
  name: string,
  adv: AdvertisementArgs | undefined,
): ResolvedAdvertisement {
  const a = adv ?? { type: "l2" };
  const type = requireOneOf(owner, "advertisement.type", (a as { type?: unknown }).type, [
    "l2",
    "bgp",
    "none",
  ] as const);
  if (type === "none") return { type };
  if (type === "l2") {
    const l2 = a as { interfaces?: string[]; nodeSelectors?: LabelSelector[] };
    return { type, interfaces: l2.interfaces, nodeSelectors: l2.nodeSelectors };
  }
  const bgp = a as Extract<AdvertisementArgs, { type: "bgp" }>;
  const peers = (bgp.peers ?? []).map((p, i) => resolvePeer(owner, `advertisement.peers[${i}]`, p));
  const existing = (bgp.existingPeers ?? []).map((p, i) =>
    requireDnsLabel(owner, `advertisement.existingPeers[${i}]`, p),
  );
  if (bgp.aggregationLength !== undefined) {
    requireWholeNumber(owner, "advertisement.aggregationLength", bgp.aggregationLength, 1, 128);
  }
  return {
    type,
    peers: peers.map((p) => ({ name: `${name}-${p.name}`, spec: p.spec })),
    peerNames: [...peers.map((p) => `${name}-${p.name}`), ...existing],
    aggregationLength: bgp.aggregationLength,
    localPref: bgp.localPref,
    communities: bgp.communities,
    nodeSelectors: bgp.nodeSelectors,
  };
}

function isPinnedImage(image: string): boolean {
  if (image.includes("@sha256:")) return true;
  const lastSegment = image.split("/").pop() ?? "";
  const tag = lastSegment.includes(":") ? lastSegment.split(":").pop() : undefined;
  return tag !== undefined && tag !== "" && tag !== "latest";
}

function resolveHaproxy(
  owner: string,
  h: HaproxyArgs | undefined,
  websocket: ResolvedWebSocket,
): ResolvedHaproxy {
  const f = "tls.haproxy";
  const replicas = requireWholeNumber(owner, `${f}.replicas`, h?.replicas ?? 2, 2, 100);
  const image = h?.image ?? DEFAULT_HAPROXY_IMAGE;
  if (typeof image !== "string" || !isPinnedImage(image)) {
    fail(
      owner,
      `${f}.image`,
      `${str(image)} is not pinned; give a version tag (not "latest") or a digest, e.g. "${DEFAULT_HAPROXY_IMAGE}"`,
    );
  }
  const t = h?.timeouts ?? {};
  const secs = (field: string, v: number | undefined, dflt: number) =>
    requireWholeNumber(owner, `${f}.timeouts.${field}`, v ?? dflt, 1, 2147483, "of seconds");
  const minTunnel = 3 * websocket.heartbeatSeconds;
  const tunnelSeconds = secs(
    "tunnelSeconds",
    t.tunnelSeconds,
    Math.max(websocket.minLifetimeSeconds, minTunnel),
  );
  if (tunnelSeconds < minTunnel) {
    fail(
      owner,
      `${f}.timeouts.tunnelSeconds`,
      `${tunnelSeconds} is below 3 heartbeats (3 x websocket.heartbeatSeconds ${websocket.heartbeatSeconds} = ${minTunnel}); HAProxy would cut connections that miss a heartbeat or two; raise it to at least ${minTunnel}`,
    );
  }
  const shutdown = planShutdown(owner, f, {
    preStopSeconds: h?.preStopSeconds,
    hardStopAfterSeconds: h?.hardStopAfterSeconds,
    closeSpreadSeconds: h?.closeSpreadSeconds,
    terminationGracePeriodSeconds: h?.terminationGracePeriodSeconds,
  });
  return {
    replicas,
    image,
    timeouts: {
      connectSeconds: secs("connectSeconds", t.connectSeconds, 5),
      clientSeconds: secs("clientSeconds", t.clientSeconds, 30),
      serverSeconds: secs("serverSeconds", t.serverSeconds, 30),
      tunnelSeconds,
      clientFinSeconds: secs("clientFinSeconds", t.clientFinSeconds, 10),
      hardStopAfterSeconds: shutdown.hardStopAfterSeconds,
      closeSpreadSeconds: shutdown.closeSpreadSeconds,
    },
    shutdown,
    maxconn: requireWholeNumber(owner, `${f}.maxconn`, h?.maxconn ?? 20000, 1),
    resources: {
      requests: h?.resources?.requests ?? { cpu: "50m", memory: "64Mi" },
      limits: h?.resources?.limits ?? { memory: "256Mi" },
    },
  };
}

function resolveTls(
  owner: string,
  name: string,
  tls: L4TlsArgs | undefined,
  websocket: ResolvedWebSocket,
): ResolvedTls {
  if (!tls || typeof tls !== "object") {
    fail(
      owner,
      "tls",
      'is required: { mode: "terminate", certificate } (HAProxy serves wss://), { mode: "passthrough", targetPort } or { mode: "none", acknowledgeInsecure: true }',
    );
  }
  const mode = requireOneOf(owner, "tls.mode", (tls as { mode?: unknown }).mode, [
    "terminate",
    "passthrough",
    "none",
  ] as const);
  const given = tls as unknown as Record<string, unknown>;
  const onlyFor: [string, string][] = [
    ["certificate", "terminate"],
    ["haproxy", "terminate"],
    ["targetPort", mode === "terminate" ? "passthrough" : mode],
    ["acknowledgeInsecure", "none"],
  ];
  for (const [key, forMode] of onlyFor) {
    if (given[key] !== undefined && forMode !== mode) {
      fail(
        owner,
        `tls.${key}`,
        `is only for tls.mode ${str(forMode)}${key === "targetPort" ? ' or "none"' : ""} (tls.mode is ${str(mode)}); remove it or change tls.mode`,
      );
    }
  }
  if (mode === "none") {
    const none = tls as { acknowledgeInsecure?: unknown; targetPort?: string | number };
    if (typeof none.targetPort === "number" && none.targetPort !== QUEUE_PROXY_PORT) {
      requirePort(owner, "tls.targetPort", none.targetPort);
      if (KNATIVE_RESERVED_PORTS.includes(none.targetPort)) {
        fail(
          owner,
          "tls.targetPort",
          `${none.targetPort} is a port Knative's queue-proxy reserves for h2c, admin or metrics (${KNATIVE_RESERVED_PORTS.filter((p) => p !== QUEUE_PROXY_PORT).join(", ")}), not a WebSocket listener: a LoadBalancer on it would publish Knative's internals; target the backend's own HTTP port (or 8012 for the queue-proxy)`,
        );
      }
    }
    if (none.acknowledgeInsecure !== true) {
      fail(
        owner,
        "tls.acknowledgeInsecure",
        'must be true for tls.mode "none": clients would use plain ws:// and every message crosses the network unencrypted; use it on a LAN or for development only, or use tls.mode "terminate"',
      );
    }
    return { mode, targetPort: none.targetPort ?? "" };
  }
  if (mode === "passthrough") {
    const pt = tls as { targetPort?: unknown };
    if (typeof pt.targetPort !== "string" || !/^[a-z0-9]([a-z0-9-]{0,13}[a-z0-9])?$/.test(pt.targetPort)) {
      fail(
        owner,
        "tls.targetPort",
        `${str(pt.targetPort)} is not a named container port (lower-case letters, digits and "-", at most 15 characters)`,
      );
    }
    return { mode, targetPort: pt.targetPort };
  }
  const term = tls as TerminateTlsArgs;
  const cert = term.certificate as unknown as
    { secretName?: unknown; certManager?: Record<string, unknown> } | undefined;
  if (
    !cert ||
    typeof cert !== "object" ||
    (cert.secretName === undefined) === (cert.certManager === undefined)
  ) {
    fail(
      owner,
      "tls.certificate",
      "needs exactly one of { secretName } (an existing kubernetes.io/tls Secret) or { certManager: { issuerName } }",
    );
  }
  const haproxy = resolveHaproxy(owner, term.haproxy, websocket);
  if (cert.secretName !== undefined) {
    return {
      mode,
      secretName: requireDnsLabel(owner, "tls.certificate.secretName", cert.secretName),
      haproxy,
    };
  }
  const cm = cert.certManager as {
    issuerName?: unknown;
    issuerKind?: unknown;
    duration?: string;
    renewBefore?: string;
  };
  const issuerName = requireDnsLabel(owner, "tls.certificate.certManager.issuerName", cm.issuerName);
  const issuerKind = requireOneOf(
    owner,
    "tls.certificate.certManager.issuerKind",
    cm.issuerKind ?? "ClusterIssuer",
    ["Issuer", "ClusterIssuer"] as const,
  );
  return {
    mode,
    secretName: `${name}-tls`,
    certManager: { issuerName, issuerKind, duration: cm.duration, renewBefore: cm.renewBefore },
    haproxy,
  };
}

function familyOf(ranges: AddressRange[] | undefined): IpFamily | undefined {
  if (!ranges || ranges.length === 0) return undefined;
  const families = new Set(ranges.map((r) => r.family));
  return families.size === 1 ? ranges[0].family : undefined;
}

function resolveKnative(
  owner: string,
  args: L4ExposureArgs,
  backend: ResolvedBackend,
  websocket: ResolvedWebSocket,
  requirements: KnativeRequirements,
): KnativePlan | undefined {
  if (backend.kind !== "knative") {
    if (args.knative !== undefined)
      fail(owner, "knative", "is only for a Knative backend (backend.knativeService)");
    return undefined;
  }
  return planKnativeSettings(owner, websocket, args.knative, requirements);
}

/** Validates every argument and decides what the component builds. Throws ValidationError. */
export function planL4(name: string, args: L4ExposureArgs): L4Plan {
  const owner = `L4Exposure ${str(name)}`;
  requireDnsLabel(owner, "name", name);
  if (!args || typeof args !== "object") fail(owner, "args", "are required");
  const backend = resolveBackend(owner, args.backend);
  const websocket = resolveWebSocket(owner, args.websocket);
  const hostname = requireHostname(owner, "hostname", args.hostname);
  const route = resolveRoute(owner, backend, args.route);
  const tls = resolveTls(owner, name, args.tls, websocket);
  if (route === "ingress" && tls.mode !== "terminate") {
    fail(
      owner,
      "route",
      `"ingress" needs tls.mode "terminate": only the HAProxy tier can reach Knative's ingress and set the Host header it routes on`,
    );
  }

  const metallbNamespace = requireDnsLabel(
    owner,
    "metallbNamespace",
    args.metallbNamespace ?? "metallb-system",
  );
  const pool = resolvePool(owner, name, args);
  let loadBalancerIP: string | undefined;
  if (args.loadBalancerIP !== undefined) {
    const ip = parseIp(args.loadBalancerIP);
    if (!ip) {
      fail(
        owner,
        "loadBalancerIP",
        `${str(args.loadBalancerIP)} is not an IP address; pin an IPv4 or IPv6 address from the pool, e.g. "192.168.1.241"`,
      );
    }
    loadBalancerIP = args.loadBalancerIP;
    if (pool.ranges && !poolContains(pool.ranges, loadBalancerIP)) {
      fail(
        owner,
        "loadBalancerIP",
        `${str(loadBalancerIP)} is not in the address pool (${pool.ranges.map((r) => r.text).join(", ")}); pin an address inside the pool or add it to addressPool`,
      );
    }
    if (pool.create?.avoidBuggyIPs && isBuggyIp(loadBalancerIP)) {
      fail(
        owner,
        "loadBalancerIP",
        `${str(loadBalancerIP)} ends in .0 or .255, which addressPool.create.avoidBuggyIPs keeps MetalLB from assigning`,
      );
    }
  }
  const advertisement = resolveAdvertisement(owner, name, args.advertisement);

  const defaultPort = tls.mode === "none" ? 80 : 443;
  const port = requirePort(owner, "port", args.port ?? defaultPort);
  const externalTrafficPolicy = requireOneOf(
    owner,
    "externalTrafficPolicy",
    args.externalTrafficPolicy ?? "Local",
    ["Local", "Cluster"] as const,
  );
  const sourceRanges = (args.loadBalancerSourceRanges ?? []).map((cidr, i) => {
    if (typeof cidr !== "string" || !cidr.includes("/") || !parseRange(cidr)) {
      fail(
        owner,
        `loadBalancerSourceRanges[${i}]`,
        `${str(cidr)} is not a CIDR such as "203.0.113.0/24" (host bits zero)`,
      );
    }
    return cidr;
  });
  let sessionAffinity: L4Plan["sessionAffinity"];
  if (args.sessionAffinity !== undefined) {
    sessionAffinity = {
      timeoutSeconds: requireWholeNumber(
        owner,
        "sessionAffinity.timeoutSeconds",
        args.sessionAffinity?.timeoutSeconds ?? DEFAULT_AFFINITY_TIMEOUT_SECONDS,
        1,
        86400,
        "of seconds",
      ),
    };
  }
  const conntrackEstablishedTimeoutSeconds = requireWholeNumber(
    owner,
    "conntrackEstablishedTimeoutSeconds",
    args.conntrackEstablishedTimeoutSeconds ?? DEFAULT_CONNTRACK_ESTABLISHED_SECONDS,
    0,
  );

  // Where traffic goes, and what that asks of Knative.
  const knativeRequirements =
    route === "queue-proxy"
      ? L4_QUEUE_PROXY_REQUIREMENTS
      : route === "port-8080"
        ? L4_USER_PORT_REQUIREMENTS
        : NO_REQUIREMENTS;
  const knativePlan = resolveKnative(owner, args, backend, websocket, knativeRequirements);
  const applyKnativeSettings = args.applyKnativeSettings ?? true;
  if (typeof applyKnativeSettings !== "boolean") {
    fail(owner, "applyKnativeSettings", `must be true or false (got ${str(applyKnativeSettings)})`);
  }

  let podSelector: Record<string, string> | undefined = backend.podSelector;
  if (backend.kind === "service" && tls.mode !== "terminate") {
    if (!args.podSelector || Object.keys(args.podSelector).length === 0) {
      fail(
        owner,
        "podSelector",
        `is required with tls.mode ${str(tls.mode)} and a plain Service backend: the LoadBalancer selects the backend's pods itself`,
      );
    }
    podSelector = args.podSelector;
  } else if (args.podSelector !== undefined) {
    fail(owner, "podSelector", `is only for a plain Service backend with tls.mode "passthrough" or "none"`);
  }
  const podPort = route === "port-8080" ? USER_PORT : QUEUE_PROXY_PORT;

  let upstream: L4Plan["upstream"];
  let podService: L4Plan["podService"];
  let lbSelector: Record<string, string>;
  let lbTargetPort: string | number;
  const domain = backend.inClusterUrl.replace(/^http:\/\/[^.]+\.[^.]+\.svc\./, "").replace(/:\d+$/, "");
  if (tls.mode === "terminate") {
    lbSelector = haproxyLabels(name);
    lbTargetPort = "wss";
    if (route === "queue-proxy" || route === "port-8080") {
      podService = {
        name: `${name}-backend`,
        port: podPort,
        selector: podSelector as Record<string, string>,
      };
      upstream = { address: `${name}-backend.${backend.namespace}.svc.${domain}`, port: podPort };
    } else if (route === "ingress") {
      upstream = { address: backend.hostHeader as string, port: 80, hostHeader: backend.hostHeader };
    } else {
      upstream = {
        address: `${backend.name}.${backend.namespace}.svc.${domain}`,
        port: backend.port as number,
      };
    }
  } else {
    lbSelector = podSelector as Record<string, string>;
    if (tls.mode === "passthrough") {
      if (tls.targetPort === "user-port" && route !== "port-8080") {
        resolveRoute(owner, backend, { port: USER_PORT });
      }
      lbTargetPort = tls.targetPort;
    } else if (backend.kind === "service") {
      if (tls.targetPort === "")
        fail(
          owner,
          "tls.targetPort",
          "is required with a plain Service backend: the pod port the LoadBalancer targets",
        );
      lbTargetPort = tls.targetPort;
    } else {
      if (tls.targetPort !== "")
        fail(
          owner,
          "tls.targetPort",
          `is decided by route for a Knative backend (queue-proxy ${QUEUE_PROXY_PORT})`,
        );
      lbTargetPort = podPort;
    }
  }

  let dns: L4Plan["dns"];
  if (args.dns !== undefined) {
    const target = args.dns.target;
    let family: IpFamily | undefined;
    if (target === "loadBalancerIP") {
      family = loadBalancerIP ? parseIp(loadBalancerIP)?.family : (familyOf(pool.ranges) ?? 4);
    } else if (target && typeof target === "object" && parseIp(target.address)) {
      family = parseIp(target.address)?.family;
    } else {
      fail(owner, "dns.target", `must be "loadBalancerIP" or { address: <public IP> } (got ${str(target)})`);
    }
    if (
      target === "loadBalancerIP" &&
      !loadBalancerIP &&
      familyOf(pool.ranges) === undefined &&
      pool.ranges
    ) {
      fail(
        owner,
        "dns.target",
        `"loadBalancerIP" needs a pinned loadBalancerIP when the pool mixes IPv4 and IPv6 (A or AAAA?)`,
      );
    }
    const ttl = args.dns.ttl ?? 1;
    if (ttl !== 1) requireWholeNumber(owner, "dns.ttl", ttl, 60, 86400, "of seconds (or 1 = automatic)");
    dns = { type: family === 6 ? "AAAA" : "A", target, ttl };
  }

  const family: IpFamily = loadBalancerIP
    ? (parseIp(loadBalancerIP)?.family as IpFamily)
    : (familyOf(pool.ranges) ?? 4);
  const scheme = tls.mode === "none" ? "ws" : "wss";
  const defaultPortForScheme = scheme === "ws" ? 80 : 443;
  const url = `${scheme}://${hostname}${port === defaultPortForScheme ? "" : `:${port}`}${backend.path}`;

  const hops: Hop[] = [clientHop(websocket.heartbeatSeconds)];
  if (advertisement.type === "bgp") hops.push(metallbBgpHop());
  else hops.push(metallbL2Hop(externalTrafficPolicy));
  hops.push(kubeProxyConntrackHop(conntrackEstablishedTimeoutSeconds));
  if (tls.mode === "terminate") {
    hops.push(
      haproxyHop({
        tunnelSeconds: tls.haproxy.timeouts.tunnelSeconds,
        hardStopAfterSeconds: tls.haproxy.shutdown.hardStopAfterSeconds,
        preStopSeconds: tls.haproxy.shutdown.preStopSeconds,
      }),
    );
  }
  if (knativePlan) {
    if (route === "ingress") {
      hops.push(knativeIngressHop(knativePlan.cluster.ingressStreamIdleTimeoutSeconds));
      if (knativePlan.activatorInPath) hops.push(activatorHop(knativePlan.timeoutSeconds));
    }
    if (route === "port-8080") hops.push(knativeUserPortHop());
    else hops.push(queueProxyHop(knativePlan.timeoutSeconds, knativePlan.cluster.version));
  } else {
    hops.push(serviceBackendHop(backend.name));
  }
  const budget: PathBudget = {
    ...evaluateBudget("l4", hops, websocket),
    reconnect: reconnectBudget(
      l4Outages({
        advertisement: advertisement.type,
        haproxy:
          tls.mode === "terminate"
            ? {
                replicas: tls.haproxy.replicas,
                hardStopAfterSeconds: tls.haproxy.shutdown.hardStopAfterSeconds,
              }
            : undefined,
        knativeMinScale: knativePlan?.minScale,
      }),
    ),
  };

  return {
    owner,
    name,
    backend,
    websocket,
    hostname,
    url,
    metallbNamespace,
    pool,
    advertisement,
    loadBalancerIP,
    family,
    port,
    externalTrafficPolicy,
    sourceRanges,
    sessionAffinity,
    tls,
    route,
    upstream,
    podService,
    lbSelector,
    lbTargetPort,
    knativeRequirements,
    knativePlan,
    applyKnativeSettings,
    dns,
    conntrackEstablishedTimeoutSeconds,
    budget,
  };
}
