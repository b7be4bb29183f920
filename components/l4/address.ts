/**
 * Address math for MetalLB pools: IPv4 and IPv6 addresses, CIDRs and `a-b` ranges, membership and
 * overlap. Pure; addresses are held as bigints so v4 and v6 share one code path.
 */

export type IpFamily = 4 | 6;

/** An inclusive range of addresses of one family. */
export interface AddressRange {
  family: IpFamily;
  first: bigint;
  last: bigint;
  /** How the range was written, for messages. */
  text: string;
}

const V4_PART = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

function parseV4(text: string): bigint | undefined {
  const parts = text.split(".");
  if (parts.length !== 4 || !parts.every((p) => V4_PART.test(p))) return undefined;
  return parts.reduce((acc, p) => (acc << 8n) | BigInt(Number(p)), 0n);
}

function parseV6(text: string): bigint | undefined {
  if (!/^[0-9a-fA-F:.]+$/.test(text) || text.length < 2) return undefined;
  const halves = text.split("::");
  if (halves.length > 2) return undefined;
  const groups = (s: string): string[] | undefined => {
    if (s === "") return [];
    const g = s.split(":");
    // An embedded IPv4 tail (::ffff:1.2.3.4) counts as two groups.
    const tail = g[g.length - 1];
    if (tail.includes(".")) {
      const v4 = parseV4(tail);
      if (v4 === undefined) return undefined;
      g.splice(g.length - 1, 1, ((v4 >> 16n) & 0xffffn).toString(16), (v4 & 0xffffn).toString(16));
    }
    return g.every((x) => /^[0-9a-fA-F]{1,4}$/.test(x)) ? g : undefined;
  };
  const head = groups(halves[0]);
  const tail = halves.length === 2 ? groups(halves[1]) : [];
  if (!head || !tail) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const all = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill("0"), ...tail];
  return all.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n);
}

/** Parses one IPv4 or IPv6 address; undefined when it is neither. */
export function parseIp(text: string): { family: IpFamily; value: bigint } | undefined {
  if (typeof text !== "string") return undefined;
  const v4 = parseV4(text);
  if (v4 !== undefined) return { family: 4, value: v4 };
  const v6 = text.includes(":") ? parseV6(text) : undefined;
  return v6 === undefined ? undefined : { family: 6, value: v6 };
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
    const ip = parseIp(addr);
    if (!ip) return undefined;
    const bits = BITS[ip.family];
    const prefix = Number(prefixText);
    if (prefix > bits) return undefined;
    const hostBits = BigInt(bits - prefix);
    const hostMask = (1n << hostBits) - 1n;
    if ((ip.value & hostMask) !== 0n) return undefined;
    return { family: ip.family, first: ip.value, last: ip.value | hostMask, text };
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

/** Formats an address value back to text (v6 in full lower-case groups with `::` compression). */
export function formatIp(family: IpFamily, value: bigint): string {
  if (family === 4) {
    return [24n, 16n, 8n, 0n].map((s) => String((value >> s) & 0xffn)).join(".");
  }
  const groups = [112n, 96n, 80n, 64n, 48n, 32n, 16n, 0n].map((s) => Number((value >> s) & 0xffffn));
  // Longest run of zero groups (length >= 2) becomes "::".
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(":");
  return `${hex.slice(0, bestStart).join(":")}::${hex.slice(bestStart + bestLen).join(":")}`;
}

/**
 * With MetalLB's `avoidBuggyIPs`, addresses ending in `.0` or `.255` are never handed out
 * (some old consumer routers drop them). True when the v4 address is one of those.
 */
export function isBuggyIp(ip: string): boolean {
  const parsed = parseIp(ip);
  if (!parsed || parsed.family !== 4) return false;
  const last = parsed.value & 0xffn;
  return last === 0n || last === 255n;
}
