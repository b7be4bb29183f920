import fc from "fast-check";
import {
  haproxyMaxconnFor,
  haproxyMemoryMiB,
  haproxyOpenFilesNeed,
  HaproxySizing,
  HaproxySizingArgs,
  planHaproxySizing,
  DEFAULT_HAPROXY_MAXCONN,
} from "../../components/l4/haproxy";
import { parseCpuCores, parseMemoryBytes } from "../../components/core/quantity";

const O = 'L4Exposure "prod"';
const F = "tls.haproxy";
const plan = (args?: HaproxySizingArgs) => planHaproxySizing(O, F, args);

describe("haproxyOpenFilesNeed: the hard open-files limit HAProxy needs, 2 x maxconn + 40", () => {
  it.each([
    [1000, 2040],
    [9000, 18040],
    [9980, 20000],
    [10000, 20040],
  ])("maxconn %i -> %i", (maxconn, need) => expect(haproxyOpenFilesNeed(maxconn)).toBe(need));

  it("the default maxconn does not fit a node whose limit is 20,000; 9980 is the most that does", () => {
    expect(haproxyOpenFilesNeed(DEFAULT_HAPROXY_MAXCONN)).toBeGreaterThan(20_000);
    expect(haproxyOpenFilesNeed(9980)).toBeLessThanOrEqual(20_000);
    expect(haproxyOpenFilesNeed(9981)).toBeGreaterThan(20_000);
  });
});

describe("haproxyMemoryMiB: 64Mi + 64 KiB per connection, rounded up", () => {
  it.each([
    [1, 65],
    [1000, 127],
    [3072, 256],
    [5000, 377],
    [10000, 689],
    [20000, 1314],
    [100000, 6314],
  ])("maxconn %i -> %iMi", (maxconn, mib) => expect(haproxyMemoryMiB(maxconn)).toBe(mib));

  it.each([
    [64, 0],
    [65, 16],
    [256, 3072],
    [512, 7168],
    [1024, 15360],
  ])("%iMi holds maxconn %i", (mib, maxconn) => expect(haproxyMaxconnFor(mib)).toBe(maxconn));

  it("the two are consistent: the memory for maxconn holds maxconn, the maxconn for a memory fits it", () =>
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1_000_000 }), (n) => {
        expect(haproxyMaxconnFor(haproxyMemoryMiB(n))).toBeGreaterThanOrEqual(n);
        expect(haproxyMemoryMiB(haproxyMaxconnFor(n + 64))).toBeLessThanOrEqual(n + 64);
      }),
    ));
});

describe("planHaproxySizing: maxconn, nbthread and resources", () => {
  it.each<[string, HaproxySizingArgs | undefined, HaproxySizing]>([
    [
      "defaults: maxconn 10000, memory for it (request = limit), 1 thread from the 50m request",
      undefined,
      {
        maxconn: 10000,
        nbthread: 1,
        memoryMiB: 689,
        resources: { requests: { cpu: "50m", memory: "689Mi" }, limits: { memory: "689Mi" } },
      },
    ],
    [
      "maxconn 20000: memory follows",
      { maxconn: 20000 },
      {
        maxconn: 20000,
        nbthread: 1,
        memoryMiB: 1314,
        resources: { requests: { cpu: "50m", memory: "1314Mi" }, limits: { memory: "1314Mi" } },
      },
    ],
    [
      "a memory limit alone caps maxconn: 256Mi holds 3072",
      { resources: { limits: { memory: "256Mi" } } },
      {
        maxconn: 3072,
        nbthread: 1,
        memoryMiB: 256,
        resources: { requests: { cpu: "50m", memory: "256Mi" }, limits: { memory: "256Mi" } },
      },
    ],
    [
      "1Gi alone holds 15360",
      { resources: { limits: { memory: "1Gi" } } },
      {
        maxconn: 15360,
        nbthread: 1,
        memoryMiB: 1024,
        resources: { requests: { cpu: "50m", memory: "1Gi" }, limits: { memory: "1Gi" } },
      },
    ],
    [
      "maxconn and a limit with room: both kept",
      { maxconn: 3000, resources: { limits: { memory: "1Gi" } } },
      {
        maxconn: 3000,
        nbthread: 1,
        memoryMiB: 252,
        resources: { requests: { cpu: "50m", memory: "1Gi" }, limits: { memory: "1Gi" } },
      },
    ],
    [
      "a lower memory request is taken as on purpose",
      { resources: { requests: { memory: "128Mi" } } },
      {
        maxconn: 10000,
        nbthread: 1,
        memoryMiB: 689,
        resources: { requests: { cpu: "50m", memory: "128Mi" }, limits: { memory: "689Mi" } },
      },
    ],
    [
      "nbthread from the CPU limit, rounded up (1500m -> 2)",
      { resources: { requests: { cpu: "500m" }, limits: { cpu: "1500m" } } },
      {
        maxconn: 10000,
        nbthread: 2,
        memoryMiB: 689,
        resources: { requests: { cpu: "500m", memory: "689Mi" }, limits: { cpu: "1500m", memory: "689Mi" } },
      },
    ],
    [
      "nbthread from the CPU request when there is no limit (3 -> 3)",
      { resources: { requests: { cpu: "3" } } },
      {
        maxconn: 10000,
        nbthread: 3,
        memoryMiB: 689,
        resources: { requests: { cpu: "3", memory: "689Mi" }, limits: { memory: "689Mi" } },
      },
    ],
    [
      "other resources pass through",
      { maxconn: 1000, resources: { limits: { "ephemeral-storage": "1Gi" } } },
      {
        maxconn: 1000,
        nbthread: 1,
        memoryMiB: 127,
        resources: {
          requests: { cpu: "50m", memory: "127Mi" },
          limits: { "ephemeral-storage": "1Gi", memory: "127Mi" },
        },
      },
    ],
  ])("%s", (_label, args, expected) => expect(plan(args)).toEqual(expected));
});

describe("planHaproxySizing refuses what cannot fit: exact messages", () => {
  it.each<[string, HaproxySizingArgs, string]>([
    [
      "maxconn above what the memory limit holds",
      { maxconn: 20000, resources: { limits: { memory: "256Mi" } } },
      `${O}: tls.haproxy.resources.limits.memory "256Mi" cannot hold tls.haproxy.maxconn 20000: HAProxy needs 1314Mi for it (64Mi + 64 KiB per connection, measured in a TLS reconnect storm; docs/L4.md), and an OOM kill drops every connection on the pod; raise tls.haproxy.resources.limits.memory to at least "1314Mi" or lower tls.haproxy.maxconn to at most 3072`,
    ],
    [
      "a limit below the base",
      { resources: { limits: { memory: "64Mi" } } },
      `${O}: tls.haproxy.resources.limits.memory "64Mi" does not cover HAProxy's base of 64Mi plus one connection (64 KiB); set it to at least "65Mi"`,
    ],
    [
      "a memory limit that is no quantity",
      { resources: { limits: { memory: "lots" } } },
      `${O}: tls.haproxy.resources.limits.memory "lots" is not a Kubernetes memory quantity such as "512Mi" or "1Gi"`,
    ],
    [
      "a memory request above the derived limit",
      { resources: { requests: { memory: "1Gi" } } },
      `${O}: tls.haproxy.resources.requests.memory "1Gi" is above tls.haproxy.resources.limits.memory "689Mi"; Kubernetes refuses a request above the limit`,
    ],
    [
      "a CPU that is no quantity",
      { resources: { limits: { cpu: "two" } } },
      `${O}: tls.haproxy.resources.limits.cpu "two" is not a Kubernetes CPU quantity above 0 such as "500m" or "2"`,
    ],
    [
      "more threads than HAProxy runs",
      { resources: { requests: { cpu: "65" } } },
      `${O}: tls.haproxy.resources.requests.cpu "65" would run 65 HAProxy threads; HAProxy runs at most 64 without thread groups; set it to at most "64"`,
    ],
    [
      "a CPU request above the limit",
      { resources: { requests: { cpu: "2" }, limits: { cpu: "1" } } },
      `${O}: tls.haproxy.resources.requests.cpu "2" is above tls.haproxy.resources.limits.cpu "1"; Kubernetes refuses a request above the limit`,
    ],
    ["maxconn 0", { maxconn: 0 }, `${O}: tls.haproxy.maxconn must be a whole number >= 1 (got 0)`],
  ])("%s", (_label, args, message) => expect(() => plan(args)).toThrow(message));
});

describe("Kubernetes quantities", () => {
  it.each<[unknown, number | undefined]>([
    ["256Mi", 256 * 2 ** 20],
    ["1Gi", 2 ** 30],
    ["1.5Gi", 1.5 * 2 ** 30],
    ["512M", 512e6],
    ["1G", 1e9],
    ["128974848", 128974848],
    ["64Ki", 65536],
    ["1e9", 1e9],
    ["1.5e3", 1500],
    ["-1Mi", undefined],
    ["Mi", undefined],
    ["256mi", undefined],
  ])("memory %j -> %j bytes", (text, bytes) => expect(parseMemoryBytes(text)).toBe(bytes));

  it.each<[unknown, number | undefined]>([
    ["500m", 0.5],
    ["1500m", 1.5],
    ["2", 2],
    ["0.25", 0.25],
    [2, 2],
    ["2 cores", undefined],
    ["", undefined],
  ])("cpu %j -> %j cores", (text, cores) => expect(parseCpuCores(text)).toBe(cores));
});
