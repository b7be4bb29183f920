/**
 * The address step of an L4 plan: with MetalLB, the pool, a pinned address in it and how it is
 * announced; with a cloud load balancer, nothing (its controller assigns the address). Pure.
 */
import { fail, requireDnsLabel } from "../core/validation";
import { isBuggyIp, parseIp, poolContains } from "./address";
import { L4ExposureArgs } from "./args";
import { kindOf } from "./loadBalancers";
import { resolveAdvertisement, resolvePool } from "./planMetallb";
import { L4Plan, ResolvedLoadBalancer } from "./planTypes";

const str = JSON.stringify;

export type AddressPlan = Pick<
  L4Plan,
  "metallbNamespace" | "legacyMetallbAnnotations" | "pool" | "loadBalancerIP" | "advertisement"
>;

export function planAddress(
  owner: string,
  name: string,
  args: L4ExposureArgs,
  loadBalancer: ResolvedLoadBalancer,
): AddressPlan {
  const metallbNamespace = requireDnsLabel(
    owner,
    "metallbNamespace",
    args.metallbNamespace ?? "metallb-system",
  );
  const legacyMetallbAnnotations = args.legacyMetallbAnnotations ?? true;
  if (typeof legacyMetallbAnnotations !== "boolean") {
    fail(owner, "legacyMetallbAnnotations", `must be true or false (got ${str(legacyMetallbAnnotations)})`);
  }
  if (!kindOf(loadBalancer.type).metallbAddress) return { metallbNamespace, legacyMetallbAnnotations };

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
  return { metallbNamespace, legacyMetallbAnnotations, pool, loadBalancerIP, advertisement };
}
