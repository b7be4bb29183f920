/**
 * Validation and planning of an L4Exposure: every argument checked (messages name the argument),
 * defaults applied, and the decisions the component turns into resources. Pure: no Pulumi.
 */
import { assertBudget } from "../core/assertBudget";
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
import { NO_REQUIREMENTS } from "../knative/plan";
import { resolveBackend, resolveWebSocket } from "../core/backend";
import {
  fail,
  requireDnsLabel,
  requireHostname,
  requireOneOf,
  requirePort,
  requireWholeNumber,
} from "../core/validation";
import { IpFamily, isBuggyIp, parseIp, parseRange, poolContains } from "./address";
import { L4ExposureArgs } from "./args";
import {
  DEFAULT_AFFINITY_TIMEOUT_SECONDS,
  DEFAULT_CONNTRACK_ESTABLISHED_SECONDS,
  L4_QUEUE_PROXY_REQUIREMENTS,
  L4_USER_PORT_REQUIREMENTS,
  L4Plan,
  QUEUE_PROXY_PORT,
  USER_PORT,
  haproxyLabels,
} from "./planTypes";
import { directRouteNote, resolveKnative, resolveRevision, resolveRoute } from "./planRoute";
import { familyOf, resolveAdvertisement, resolvePool } from "./planMetallb";
import { assertDerivedHaproxy, resolveTls } from "./planTls";

export * from "./planTypes";

const str = JSON.stringify;

/** Validates every argument and decides what the component builds. Throws ValidationError. */
export function planL4(name: string, args: L4ExposureArgs): L4Plan {
  const owner = `L4Exposure ${str(name)}`;
  requireDnsLabel(owner, "name", name);
  if (!args || typeof args !== "object") fail(owner, "args", "are required");
  const backend = resolveBackend(owner, args.backend);
  const websocket = resolveWebSocket(owner, args.websocket);
  const hostname = requireHostname(owner, "hostname", args.hostname);
  const route = resolveRoute(owner, backend, args.route);
  const revision = resolveRevision(owner, backend, route, args.revision);
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
  const legacyMetallbAnnotations = args.legacyMetallbAnnotations ?? true;
  if (typeof legacyMetallbAnnotations !== "boolean") {
    fail(owner, "legacyMetallbAnnotations", `must be true or false (got ${str(legacyMetallbAnnotations)})`);
  }
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
      ? revision?.portName === "h2c"
        ? {
            ...L4_QUEUE_PROXY_REQUIREMENTS,
            reason: L4_QUEUE_PROXY_REQUIREMENTS.reason?.replace("8012", "8013"),
          }
        : L4_QUEUE_PROXY_REQUIREMENTS
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
  const podPort = route === "port-8080" ? USER_PORT : (revision?.queueProxyPort ?? QUEUE_PROXY_PORT);

  let upstream: L4Plan["upstream"];
  let podService: L4Plan["podService"];
  let lbSelector: Record<string, string>;
  let lbTargetPort: string | number;
  const domain = backend.clusterDomain;
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
        fail(owner, "tls.targetPort", `is decided by route for a Knative backend (queue-proxy ${podPort})`);
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
        drain: tls.haproxy.drain,
        sessionTickets: tls.haproxy.sessionTickets !== undefined,
      }),
    );
  }
  if (knativePlan) {
    if (route === "ingress") {
      hops.push(knativeIngressHop(knativePlan.cluster.ingressStreamIdleTimeoutSeconds));
      if (knativePlan.activatorInPath) hops.push(activatorHop(knativePlan.timeoutSeconds));
    }
    if (route === "port-8080") hops.push(knativeUserPortHop());
    else {
      const hop = queueProxyHop(knativePlan);
      hops.push(
        route === "queue-proxy" && revision
          ? { ...hop, note: `${hop.note}. ${directRouteNote(revision)}` }
          : hop,
      );
    }
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
        knative: knativePlan,
      }),
    ),
  };

  // Like planTunnel: a plan that breaks the connection budget is no plan. The budget speaks before
  // the range checks of derived defaults, which name the input they came from.
  assertBudget(owner, budget);
  assertDerivedHaproxy(owner, args.tls, tls, websocket);
  return {
    owner,
    name,
    backend,
    websocket,
    hostname,
    url,
    metallbNamespace,
    legacyMetallbAnnotations,
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
    revision,
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
