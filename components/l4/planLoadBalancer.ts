/**
 * The load-balancer step of an L4 plan: which load balancer gives the address, its options checked
 * against what its controller supports (each refusal names the option), defaults applied. Pure.
 * What each kind takes, writes and costs lives in its module under loadBalancers/; this step only
 * dispatches through the registry.
 */
import { ResolvedWebSocket } from "../core/backend";
import { arg, fail, join, msg, Problem, requireOneOf } from "../core/validation";
import { L4ExposureArgs } from "./args";
import { CloudServiceFields } from "./loadBalancers/kind";
import {
  exampleCloudType,
  kindOf,
  LOAD_BALANCER_KINDS,
  LOAD_BALANCER_TYPES,
  LoadBalancerRegistry,
  ResolvedLoadBalancer,
} from "./loadBalancers";
import { ResolvedTls } from "./planTypes";
import { defaultTunnelSeconds } from "./haproxy/plan";

const str = JSON.stringify;

export { LOAD_BALANCER_TYPES };

/** L4Exposure args that only MetalLB reads. */
export const METALLB_ONLY_ARGS = [
  "addressPool",
  "advertisement",
  "metallbNamespace",
  "legacyMetallbAnnotations",
  "loadBalancerIP",
] as const;

/** Validates `loadBalancer` against the rest of the args; `tls` is already resolved. */
export function resolveLoadBalancer(
  owner: string,
  args: L4ExposureArgs,
  tls: ResolvedTls,
  websocket: ResolvedWebSocket,
  kinds: LoadBalancerRegistry = LOAD_BALANCER_KINDS,
): ResolvedLoadBalancer {
  const given = (args.loadBalancer ?? { type: kinds[0].type }) as unknown as Record<string, unknown>;
  if (!given || typeof given !== "object") {
    fail(
      owner,
      "loadBalancer",
      `must be an object such as { type: ${str(exampleCloudType(kinds))} } (got ${str(given)})`,
    );
  }
  const type = requireOneOf(
    owner,
    "loadBalancer.type",
    given.type,
    kinds.map((k) => k.type),
  );
  const kind = kindOf(type, kinds);
  for (const key of Object.keys(given)) {
    if (key !== "type" && !kind.options.includes(key) && given[key] !== undefined) {
      const owners = kinds.filter((k) => k.options.includes(key)).map((k) => k.type);
      const where = owners.length
        ? msg`an option of ${arg("loadBalancer.type")} ${owners.map((t) => str(t)).join(" or ")}`
        : "not an option";
      fail(
        owner,
        `loadBalancer.${key}`,
        msg`is ${where} (${arg("loadBalancer.type")} is ${str(type)}); remove it or change ${arg("loadBalancer.type")}`,
      );
    }
  }
  if (!kind.metallbAddress) {
    const metallbTypes = kinds.filter((k) => k.metallbAddress).map((k) => str(k.type));
    for (const key of METALLB_ONLY_ARGS) {
      if ((args as unknown as Record<string, unknown>)[key] !== undefined) {
        fail(
          owner,
          key,
          msg`is only for ${arg("loadBalancer.type")} ${metallbTypes.join(" or ")} (${arg("loadBalancer.type")} is ${str(type)}: its controller assigns the address); remove it`,
        );
      }
    }
  }
  if (tls.mode === "loadBalancer" && !kind.tlsTermination?.requested(given)) {
    const how = join(
      kinds.flatMap((k) => (k.tlsTermination ? [k.tlsTermination.how] : [])),
      " or ",
    );
    fail(
      owner,
      "tls.mode",
      kind.tlsTermination
        ? kind.tlsTermination.missing
        : msg`"loadBalancer" (TLS ended by the load balancer) needs ${how}: ${str(type)} passes TCP through and does not end TLS; use ${arg("tls.mode")} "terminate" (HAProxy) or "passthrough"`,
    );
  }
  return kind.resolve({
    owner,
    given,
    tlsMode: tls.mode,
    derivedIdleSeconds: defaultTunnelSeconds(websocket),
  }) as ResolvedLoadBalancer;
}

/** Refuses `loadBalancerSourceRanges` the chosen load balancer would enforce nowhere. */
export function requireEnforceableSourceRanges(
  owner: string,
  loadBalancer: ResolvedLoadBalancer,
  sourceRanges: readonly string[],
  kinds: LoadBalancerRegistry = LOAD_BALANCER_KINDS,
): void {
  const problem = kindOf(loadBalancer.type, kinds).sourceRangesProblem?.(loadBalancer, sourceRanges);
  if (problem) fail(owner, "loadBalancerSourceRanges", problem);
}

/** What the plan cannot check and the user must do, printed as warnings in preview and up. */
export function loadBalancerWarnings(
  owner: string,
  loadBalancer: ResolvedLoadBalancer,
  namespace: string,
  tls: ResolvedTls,
  kinds: LoadBalancerRegistry = LOAD_BALANCER_KINDS,
): Problem[] {
  return kindOf(loadBalancer.type, kinds).warnings?.(owner, loadBalancer, namespace, tls.mode) ?? [];
}

/**
 * The annotations (and class) for the LoadBalancer Service on `port`; empty for MetalLB (metallb.ts writes
 * its own).
 */
export function cloudServiceFields(
  lb: ResolvedLoadBalancer,
  port: number,
  kinds: LoadBalancerRegistry = LOAD_BALANCER_KINDS,
): CloudServiceFields {
  return kindOf(lb.type, kinds).serviceFields(lb, port);
}

/** Whether the load balancer sends HAProxy the client address in a PROXY header. */
export function sendsProxyHeader(
  lb: ResolvedLoadBalancer,
  kinds: LoadBalancerRegistry = LOAD_BALANCER_KINDS,
): boolean {
  return kindOf(lb.type, kinds).sendsProxyProtocol?.(lb) ?? false;
}

/** Whether the targets see the client address with externalTrafficPolicy Local. */
export function keepsClientAddress(
  lb: ResolvedLoadBalancer,
  kinds: LoadBalancerRegistry = LOAD_BALANCER_KINDS,
): boolean {
  return kindOf(lb.type, kinds).keepsClientAddress?.(lb) ?? true;
}
