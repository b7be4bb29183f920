/** The DNS step of an L4 plan: the optional DNS-only record, and the address family it needs. Pure. */
import { arg, fail, msg, requireWholeNumber } from "../core/validation";
import { IpFamily, parseIp } from "./address";
import { L4ExposureArgs } from "./args";
import { kindOf } from "./loadBalancers";
import { familyOf } from "./planMetallb";
import { AddressPlan } from "./planAddress";
import { L4Plan, ResolvedLoadBalancer } from "./planTypes";

const str = JSON.stringify;

export function planDns(
  owner: string,
  args: L4ExposureArgs,
  address: AddressPlan,
  loadBalancer: ResolvedLoadBalancer,
): Pick<L4Plan, "dns" | "family"> {
  const { loadBalancerIP, pool } = address;
  const family: IpFamily = loadBalancerIP
    ? (parseIp(loadBalancerIP)?.family as IpFamily)
    : (familyOf(pool?.ranges) ?? 4);
  if (args.dns === undefined) return { family };
  const target = args.dns.target;
  let recordFamily: IpFamily | undefined;
  if (target === "loadBalancerIP") {
    const hostnameAddress = kindOf(loadBalancer.type).hostnameAddress;
    if (hostnameAddress) fail(owner, "dns.target", hostnameAddress);
    recordFamily = family;
  } else if (target && typeof target === "object" && parseIp(target.address)) {
    recordFamily = parseIp(target.address)?.family;
  } else {
    fail(owner, "dns.target", `must be "loadBalancerIP" or { address: <public IP> } (got ${str(target)})`);
  }
  if (
    target === "loadBalancerIP" &&
    !loadBalancerIP &&
    familyOf(pool?.ranges) === undefined &&
    pool?.ranges
  ) {
    fail(
      owner,
      "dns.target",
      msg`"loadBalancerIP" needs a pinned ${arg("loadBalancerIP")} when the pool mixes IPv4 and IPv6 (A or AAAA?)`,
    );
  }
  const ttl = args.dns.ttl ?? 1;
  if (ttl !== 1) requireWholeNumber(owner, "dns.ttl", ttl, 60, 86400, "of seconds (or 1 = automatic)");
  return { family, dns: { type: recordFamily === 6 ? "AAAA" : "A", target, ttl } };
}
