/** The MetalLB side of an L4 plan: the address pool and how it is announced. */
import { arg, fail, msg, requireDnsLabel, requireOneOf, requireWholeNumber } from "../core/validation";
import { AddressRange, findOverlaps, IpFamily, parseIp, parseRange } from "./address";
import { AdvertisementArgs, BgpPeerArgs, L4ExposureArgs } from "./args";
import { BgpPeerSpec, LabelSelector } from "./metallb";
import { L4Plan, ResolvedAdvertisement } from "./planTypes";

const str = JSON.stringify;

export function resolvePool(owner: string, name: string, args: L4ExposureArgs): NonNullable<L4Plan["pool"]> {
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
        msg`${str(ranges[overlap[1]].text)} overlaps ${arg(`${field}[${overlap[0]}]`)} ${str(ranges[overlap[0]].text)}; MetalLB refuses overlapping ranges`,
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

export function resolvePeer(
  owner: string,
  field: string,
  peer: BgpPeerArgs,
): { name: string; spec: BgpPeerSpec } {
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

export function resolveAdvertisement(
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

export function familyOf(ranges: AddressRange[] | undefined): IpFamily | undefined {
  if (!ranges || ranges.length === 0) return undefined;
  const families = new Set(ranges.map((r) => r.family));
  return families.size === 1 ? ranges[0].family : undefined;
}
