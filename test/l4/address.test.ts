import {
  findOverlaps,
  formatIp,
  isBuggyIp,
  parseIp,
  parseRange,
  poolContains,
  rangeContains,
  rangeSize,
  rangesOverlap,
} from "../../components/l4/address";

describe("parseIp", () => {
  it.each([
    ["10.0.0.1", 4, "10.0.0.1"],
    ["0.0.0.0", 4, "0.0.0.0"],
    ["255.255.255.255", 4, "255.255.255.255"],
    ["2001:db8::1", 6, "2001:db8::1"],
    ["::", 6, "::"],
    ["::1", 6, "::1"],
    ["fe80::", 6, "fe80::"],
    ["2001:db8:0:0:1:0:0:1", 6, "2001:db8::1:0:0:1"],
    ["::ffff:192.0.2.1", 6, "::ffff:c000:201"],
  ])("%s is IPv%d, formatted %s", (text, family, formatted) => {
    const ip = parseIp(text);
    expect(ip?.family).toBe(family);
    expect(formatIp(ip!.family, ip!.value)).toBe(formatted);
  });

  it.each([
    "10.0.0.300",
    "10.0.0",
    "10.0.0.1.2",
    "01.0.0.1",
    "10.0.0.-1",
    "",
    "host",
    "1:2:3:4:5:6:7:8:9",
    "1::2::3",
    "12345::",
    " 10.0.0.1",
    // An embedded IPv4 address goes last (RFC 4291); MetalLB's Go parser refuses it elsewhere too.
    "0:0:0:10.1.2.3::",
    "::ffff:01.2.3.4",
    "fe80::1%eth0",
  ])("%j is not an address", (text) => expect(parseIp(text)).toBeUndefined());
});

describe("parseRange", () => {
  it.each([
    ["192.168.1.240/28", 4, 16n, "192.168.1.240", "192.168.1.255"],
    ["192.168.1.241/32", 4, 1n, "192.168.1.241", "192.168.1.241"],
    ["0.0.0.0/0", 4, 4294967296n, "0.0.0.0", "255.255.255.255"],
    ["192.168.1.240-192.168.1.250", 4, 11n, "192.168.1.240", "192.168.1.250"],
    ["10.0.0.5-10.0.0.5", 4, 1n, "10.0.0.5", "10.0.0.5"],
    ["2001:db8::/126", 6, 4n, "2001:db8::", "2001:db8::3"],
    ["2001:db8::10-2001:db8::1f", 6, 16n, "2001:db8::10", "2001:db8::1f"],
  ])("%s: IPv%d, %d addresses, %s..%s", (text, family, size, first, last) => {
    const r = parseRange(text)!;
    expect(r.family).toBe(family);
    expect(rangeSize(r)).toBe(size);
    expect(formatIp(r.family, r.first)).toBe(first);
    expect(formatIp(r.family, r.last)).toBe(last);
  });

  it.each([
    ["10.0.0.300/32", "bad address"],
    ["192.168.1.241/28", "host bits set"],
    ["10.0.0.0/33", "prefix too long"],
    ["10.0.0.0/", "no prefix"],
    ["10.0.0.0/8/8", "two slashes"],
    ["10.0.0.9-10.0.0.1", "reversed range"],
    ["10.0.0.1-2001:db8::1", "mixed families"],
    ["10.0.0.1-10.0.0.2-10.0.0.3", "three ends"],
    ["2001:db8::1/64", "v6 host bits set"],
    ["", "empty"],
    [" 10.0.0.0/8", "leading space"],
  ])("%j is refused (%s)", (text) => expect(parseRange(text)).toBeUndefined());
});

describe("membership and overlap", () => {
  const pool = ["192.168.1.240/29", "10.0.0.10-10.0.0.20", "2001:db8::/127"].map((t) => parseRange(t)!);

  it.each([
    ["192.168.1.240", true],
    ["192.168.1.247", true],
    ["192.168.1.248", false],
    ["10.0.0.10", true],
    ["10.0.0.20", true],
    ["10.0.0.21", false],
    ["10.0.0.9", false],
    ["2001:db8::1", true],
    ["2001:db8::2", false],
    ["not-an-ip", false],
  ])("pool contains %s: %s", (ip, inside) => expect(poolContains(pool, ip)).toBe(inside));

  it("never matches across families", () => {
    expect(rangeContains(parseRange("0.0.0.0/0")!, "::1")).toBe(false);
    expect(rangesOverlap(parseRange("0.0.0.0/0")!, parseRange("::/0")!)).toBe(false);
  });

  it.each([
    [["10.0.0.0/24", "10.0.0.128/25"], [[0, 1]]],
    [["10.0.0.0/25", "10.0.0.128/25"], []],
    [["10.0.0.1-10.0.0.10", "10.0.0.10-10.0.0.20", "10.0.1.0/24"], [[0, 1]]],
    [
      ["10.0.0.0/8", "10.1.0.0/16", "10.2.0.0/16"],
      [
        [0, 1],
        [0, 2],
      ],
    ],
  ])("overlaps of %j: %j", (texts, pairs) => {
    expect(findOverlaps(texts.map((t) => parseRange(t)!))).toEqual(pairs);
  });

  it("overlap is symmetric and matches membership of the ends (property over a grid)", () => {
    const texts = ["10.0.0.0/30", "10.0.0.2-10.0.0.9", "10.0.0.8/29", "10.0.0.16/28", "10.0.0.3-10.0.0.3"];
    const ranges = texts.map((t) => parseRange(t)!);
    for (const a of ranges) {
      for (const b of ranges) {
        const ends =
          [a.first, a.last].some((v) => v >= b.first && v <= b.last) ||
          [b.first, b.last].some((v) => v >= a.first && v <= a.last);
        expect(rangesOverlap(a, b)).toBe(ends);
        expect(rangesOverlap(a, b)).toBe(rangesOverlap(b, a));
      }
    }
  });

  it.each([
    ["192.168.1.0", true],
    ["192.168.1.255", true],
    ["192.168.1.254", false],
    ["2001:db8::ff", false],
  ])("avoidBuggyIPs refuses %s: %s", (ip, buggy) => expect(isBuggyIp(ip)).toBe(buggy));
});
