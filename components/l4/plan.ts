/**
 * Validation and planning of an L4Exposure: every argument checked (messages name the argument),
 * defaults applied, and the decisions the component turns into resources. Pure: no Pulumi.
 *
 * planL4 is a short sequence of steps, each a function returning its part of the plan: the load
 * balancer (planLoadBalancer.ts), the address and pool (planAddress.ts), TLS (planTls.ts, haproxy/plan.ts), the
 * route and target (planRoute.ts, planTarget.ts), DNS (planDns.ts) and the budget (planBudget.ts).
 * A new load-balancer choice is a new case in those steps, not more branches here.
 */
import { assertBudget } from "../core/assertBudget";
import { NO_REQUIREMENTS } from "../knative/plan";
import { resolveBackend, resolveWebSocket } from "../core/backend";
import {
  arg,
  fail,
  msg,
  requireDnsLabel,
  requireHostname,
  requireOneOf,
  requirePort,
  requireWholeNumber,
} from "../core/validation";
import { parseRange } from "./address";
import { L4ExposureArgs } from "./args";
import {
  DEFAULT_AFFINITY_TIMEOUT_SECONDS,
  DEFAULT_CONNTRACK_ESTABLISHED_SECONDS,
  L4_QUEUE_PROXY_REQUIREMENTS,
  L4_USER_PORT_REQUIREMENTS,
  L4Plan,
  ResolvedTls,
} from "./planTypes";
import { resolveKnative, resolveRevision, resolveRoute } from "./planRoute";
import { assertDerivedHaproxy } from "./haproxy/plan";
import { drainCapacityWarning } from "./haproxy/drainCapacity";
import type { Problem } from "../core/message";
import { resolveTls } from "./planTls";
import {
  loadBalancerWarnings,
  requireEnforceableSourceRanges,
  resolveLoadBalancer,
} from "./planLoadBalancer";
import { planAddress } from "./planAddress";
import { planTarget } from "./planTarget";
import { planDns } from "./planDns";
import { planBudget } from "./planBudget";

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
      msg`"ingress" needs ${arg("tls.mode")} "terminate": only the HAProxy tier can reach Knative's ingress and set the Host header it routes on`,
    );
  }
  const loadBalancer = resolveLoadBalancer(owner, args, tls, websocket);
  const address = planAddress(owner, name, args, loadBalancer);

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
  requireEnforceableSourceRanges(owner, loadBalancer, sourceRanges);
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
  const target = planTarget(owner, name, args, backend, tls, route, revision);
  const { dns, family } = planDns(owner, args, address, loadBalancer);

  const scheme = tls.mode === "none" ? "ws" : "wss";
  const defaultPortForScheme = scheme === "ws" ? 80 : 443;
  const url = `${scheme}://${hostname}${port === defaultPortForScheme ? "" : `:${port}`}${backend.path}`;

  const budget = planBudget({
    websocket,
    loadBalancer,
    advertisement: address.advertisement,
    externalTrafficPolicy,
    conntrackEstablishedTimeoutSeconds,
    tls,
    knativePlan,
    route,
    revision,
    backend,
  });

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
    ...address,
    loadBalancer,
    family,
    port,
    externalTrafficPolicy,
    sourceRanges,
    sessionAffinity,
    tls,
    route,
    revision,
    ...target,
    knativeRequirements,
    knativePlan,
    applyKnativeSettings,
    dns,
    conntrackEstablishedTimeoutSeconds,
    budget,
    warnings: [
      ...loadBalancerWarnings(owner, loadBalancer, backend.namespace, tls),
      ...drainWarnings(owner, tls),
    ],
  };
}

/** The paced drain's window against the HAProxy pods' CPU request (haproxy/drainCapacity.ts). */
function drainWarnings(owner: string, tls: ResolvedTls): Problem[] {
  if (tls.mode !== "terminate" || !tls.haproxy.drain) return [];
  const h = tls.haproxy;
  const warning = drainCapacityWarning(owner, {
    field: "tls.haproxy",
    windowSeconds: h.drain!.windowSeconds,
    maxconn: h.maxconn,
    cpuRequest: h.resources.requests.cpu,
    sessionTickets: h.sessionTickets !== undefined,
  });
  return warning === undefined ? [] : [warning];
}
