/**
 * Address math for MetalLB pools: IPv4 and IPv6 addresses, CIDRs and `a-b` ranges, membership and
 * overlap. Pure; ipaddr.js parses, formats and finds a CIDR's ends, and addresses are held as
 * bigints so v4 and v6 share the comparisons.
 */
import * as ipaddr from "ipaddr.js";

export type IpFamily = 4 | 6;

/** An inclusive range of addresses of one family. */
export interface AddressRange {
  family: IpFamily;
  first: bigint;
  last: bigint;
  /** How the range was written, for messages. */
  text: string;
}

/**
 * The address ipaddr.js reads from `text`, in the forms MetalLB takes only: dotted-quad IPv4
 * (ipaddr.js also reads octal, hex and short forms, which MetalLB does not), IPv6 of 1-4 hex
 * digits a group, without a zone, an embedded IPv4 tail dotted-quad too.
 */
function parseAddress(text: string): ipaddr.IPv4 | ipaddr.IPv6 | undefined {
  if (ipaddr.IPv4.isValidFourPartDecimal(text)) return ipaddr.IPv4.parse(text);
  if (!ipaddr.IPv6.isValid(text) || !/^[0-9a-fA-F:.]+$/.test(text)) return undefined;
  const groups = text.split(":");
  const tail = groups[groups.length - 1];
  if (tail.includes(".") && !ipaddr.IPv4.isValidFourPartDecimal(tail)) return undefined;
  if (!groups.slice(0, tail.includes(".") ? -1 : undefined).every((g) => g.length <= 4)) return undefined;
  return ipaddr.IPv6.parse(text);
}

/** An address's bytes as one number, so v4 and v6 share the comparisons below. */
function toBigInt(address: ipaddr.IPv4 | ipaddr.IPv6): bigint {
  return address.toByteArray().reduce((acc, byte) => (acc << 8n) | BigInt(byte), 0n);
}

function familyOf(address: ipaddr.IPv4 | ipaddr.IPv6): IpFamily {
  return address.kind() === "ipv4" ? 4 : 6;
}

/** Parses one IPv4 or IPv6 address; undefined when it is neither. */
export function parseIp(text: string): { family: IpFamily; value: bigint } | undefined {
  if (typeof text !== "string") return undefined;
  const address = parseAddress(text);
  return address === undefined ? undefined : { family: familyOf(address), value: toBigInt(address) };
}

export function isIp(text: string): boolean {
  return parseIp(text) !== undefined;
}

const BITS: Record<IpFamily, number> = { 4: 32, 6: 128 };

/**
 * Parses a CIDR (`10.0.0.0/24`, host bits must be zero, as MetalLB requires) or an explicit
 * inclusive range (`10.0.0.10-10.0.0.20`, same family, first <= last). Undefined when invalid.
 */
export function parseRange(text: string): AddressRange | undefined {
  if (typeof text !== "string") return undefined;
  const trimmed = text.trim();
  if (trimmed !== text || text.length === 0) return undefined;
  if (text.includes("/")) {
    const [addr, prefixText, extra] = text.split("/");
    if (extra !== undefined || !/^\d{1,3}$/.test(prefixText ?? "")) return undefined;
    const address = parseAddress(addr);
    if (!address) return undefined;
    const family = familyOf(address);
    if (Number(prefixText) > BITS[family]) return undefined;
    const cidr = `${address.toString()}/${Number(prefixText)}`;
    const [network, broadcast] =
      family === 4
        ? [ipaddr.IPv4.networkAddressFromCIDR(cidr), ipaddr.IPv4.broadcastAddressFromCIDR(cidr)]
        : [ipaddr.IPv6.networkAddressFromCIDR(cidr), ipaddr.IPv6.broadcastAddressFromCIDR(cidr)];
    const first = toBigInt(address);
    if (toBigInt(network) !== first) return undefined;
    return { family, first, last: toBigInt(broadcast), text };
  }
  const dash = text.split("-");
  if (dash.length !== 2) return undefined;
  const a = parseIp(dash[0].trim());
  const b = parseIp(dash[1].trim());
  if (!a || !b || a.family !== b.family || a.value > b.value) return undefined;
  return { family: a.family, first: a.value, last: b.value, text };
}

/** True when the address lies in the range (same family, inclusive bounds). */
export function rangeContains(range: AddressRange, ip: string): boolean {
  const parsed = parseIp(ip);
  return (
    parsed !== undefined &&
    parsed.family === range.family &&
    parsed.value >= range.first &&
    parsed.value <= range.last
  );
}

/** True when any range holds the address. */
export function poolContains(ranges: AddressRange[], ip: string): boolean {
  return ranges.some((r) => rangeContains(r, ip));
}

export function rangesOverlap(a: AddressRange, b: AddressRange): boolean {
  return a.family === b.family && a.first <= b.last && b.first <= a.last;
}

/** Every pair of overlapping ranges, by index (MetalLB refuses a pool whose ranges overlap). */
export function findOverlaps(ranges: AddressRange[]): [number, number][] {
  const pairs: [number, number][] = [];
  for (let i = 0; i < ranges.length; i++) {
    for (let j = i + 1; j < ranges.length; j++) {
      if (rangesOverlap(ranges[i], ranges[j])) pairs.push([i, j]);
    }
  }
  return pairs;
}

/** Number of addresses in the range. */
export function rangeSize(range: AddressRange): bigint {
  return range.last - range.first + 1n;
}

/** Formats an address value back to text (v6 as RFC 5952 writes it: lower case, longest zero run `::`). */
export function formatIp(family: IpFamily, value: bigint): string {
  const bytes = Array.from({ length: BITS[family] / 8 }, (_, i) =>
    Number((value >> BigInt(BITS[family] - 8 * (i + 1))) & 0xffn),
  );
  return ipaddr.fromByteArray(bytes).toString();
}

/**
 * With MetalLB's `avoidBuggyIPs`, addresses ending in `.0` or `.255` are never handed out
 * (some old consumer routers drop them). True when the v4 address is one of those.
 */
export function isBuggyIp(ip: string): boolean {
  const address = parseAddress(ip);
  if (!(address instanceof ipaddr.IPv4)) return false;
  const last = address.octets[3];
  return last === 0 || last === 255;
}
