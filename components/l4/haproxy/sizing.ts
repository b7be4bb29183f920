/**
 * How big the HAProxy container must be for its connection limit, and how many threads it runs.
 * Pure: the plan calls `planHaproxySizing`; docs/L4.md shows the table it produces.
 *
 * Memory = HAPROXY_BASE_MIB + maxconn x HAPROXY_KIB_PER_CONNECTION, rounded up to whole MiB: the pod
 * is never OOM-killed below `maxconn` (an OOM kill drops every socket on the pod, and with MetalLB L2
 * and externalTrafficPolicy Local one pod can hold all of them). The figures were measured with
 * HAProxy 2.6.12 and OpenSSL 3.0.19 (docs/BENCHMARKS.md, "Memory per connection"):
 * - base: master + idle worker 20-24 MiB; 64 leaves room for the 3.2 image, threads and certificates;
 * - per connection: 20-22 KiB once idle when clients arrive a few at a time, but 43-51 KiB when they
 *   all handshake at once (a reconnect storm after a drained pod or an L2 failover: the iOS client
 *   reconnects after 2 s, all together), and the allocator keeps that; 64 is the storm figure + ~25%.
 *
 * Threads: HAProxy starts one thread per CPU of its affinity mask (every CPU of the node), not per
 * CPU of the container's quota, so `nbthread` is set from the CPU limit (or, without one, the CPU
 * request), rounded up.
 */
import { arg, fail, msg, requireWholeNumber } from "../../core/validation";
import { MIB, parseCpuCores, parseMemoryBytes } from "../../core/quantity";

export const HAPROXY_BASE_MIB = 64;
export const HAPROXY_KIB_PER_CONNECTION = 64;
export const DEFAULT_HAPROXY_MAXCONN = 10000;
export const DEFAULT_HAPROXY_CPU_REQUEST = "50m";
/** HAProxy 2.6 runs at most 64 threads (MAX_THREADS = bits of a long); 3.x needs thread groups beyond. */
export const HAPROXY_MAX_THREADS = 64;

export interface HaproxyResources {
  requests?: Record<string, string>;
  limits?: Record<string, string>;
}

export interface HaproxySizingArgs {
  /** Connection limit per pod. Default: what `resources.limits.memory` holds, or DEFAULT_HAPROXY_MAXCONN. */
  maxconn?: number;
  resources?: HaproxyResources;
}

export interface HaproxySizing {
  maxconn: number;
  nbthread: number;
  /** The memory the pod needs for maxconn, MiB (limit and, by default, request). */
  memoryMiB: number;
  resources: { requests: Record<string, string>; limits: Record<string, string> };
}

/**
 * Open files HAProxy needs beyond two per connection (a client and a server side): listeners, the
 * master CLI and stats sockets, pollers, logs: covers what 2.6 and 3.2 ask for with the rendered
 * config (docs/L4.md; test/l4/haproxyFdLimit.integration.test.ts reads each one's figure).
 */
export const HAPROXY_FD_OVERHEAD = 40;

/**
 * The hard open-files limit (RLIMIT_NOFILE, `ulimit -Hn` of the container) HAProxy needs for
 * `maxconn`: it raises its soft limit to its need at start and, with `strict-limits` (on by
 * default), exits when the hard limit is below it ("Cannot raise FD limit to ..."). Kubernetes sets
 * no limit of its own: the container runtime's (often 1048576, some nodes 20000 or 65536) applies.
 */
export function haproxyOpenFilesNeed(maxconn: number): number {
  return 2 * maxconn + HAPROXY_FD_OVERHEAD;
}

/** MiB of container memory HAProxy needs to hold `maxconn` connections. */
export function haproxyMemoryMiB(maxconn: number): number {
  return HAPROXY_BASE_MIB + Math.ceil((maxconn * HAPROXY_KIB_PER_CONNECTION) / 1024);
}

/** The most connections `memoryMiB` of container memory holds (0 when it does not cover the base). */
export function haproxyMaxconnFor(memoryMiB: number): number {
  return Math.max(0, Math.floor(((memoryMiB - HAPROXY_BASE_MIB) * 1024) / HAPROXY_KIB_PER_CONNECTION));
}

const str = JSON.stringify;

function memoryMiBOf(owner: string, field: string, value: unknown): number {
  const bytes = parseMemoryBytes(value);
  if (bytes === undefined) {
    fail(owner, field, `${str(value)} is not a Kubernetes memory quantity such as "512Mi" or "1Gi"`);
  }
  return bytes / MIB;
}

function coresOf(owner: string, field: string, value: unknown): number {
  const cores = parseCpuCores(value);
  if (cores === undefined || cores <= 0) {
    fail(owner, field, `${str(value)} is not a Kubernetes CPU quantity above 0 such as "500m" or "2"`);
  }
  return cores;
}

/**
 * Decides maxconn, nbthread and the container resources, and refuses a memory limit that cannot
 * hold maxconn. `field` prefixes argument names in errors, e.g. `tls.haproxy`.
 */
export function planHaproxySizing(owner: string, field: string, args: HaproxySizingArgs = {}): HaproxySizing {
  const requests = { ...args.resources?.requests };
  const limits = { ...args.resources?.limits };
  const limitField = `${field}.resources.limits.memory`;
  const limitMiB = limits.memory === undefined ? undefined : memoryMiBOf(owner, limitField, limits.memory);

  let maxconn: number;
  if (args.maxconn !== undefined) {
    maxconn = requireWholeNumber(owner, `${field}.maxconn`, args.maxconn, 1);
  } else if (limitMiB !== undefined) {
    maxconn = haproxyMaxconnFor(limitMiB);
    if (maxconn < 1) {
      fail(
        owner,
        limitField,
        `${str(limits.memory)} does not cover HAProxy's base of ${HAPROXY_BASE_MIB}Mi plus one connection (${HAPROXY_KIB_PER_CONNECTION} KiB); set it to at least "${haproxyMemoryMiB(1)}Mi"`,
      );
    }
  } else {
    maxconn = DEFAULT_HAPROXY_MAXCONN;
  }

  const memoryMiB = haproxyMemoryMiB(maxconn);
  if (limitMiB !== undefined && limitMiB < memoryMiB) {
    fail(
      owner,
      limitField,
      msg`${str(limits.memory)} cannot hold ${arg(`${field}.maxconn`)} ${maxconn}: HAProxy needs ${memoryMiB}Mi for it (${HAPROXY_BASE_MIB}Mi + ${HAPROXY_KIB_PER_CONNECTION} KiB per connection, measured in a TLS reconnect storm; docs/L4.md), and an OOM kill drops every connection on the pod; raise ${arg(limitField)} to at least "${memoryMiB}Mi" or lower ${arg(`${field}.maxconn`)} to at most ${haproxyMaxconnFor(limitMiB)}`,
    );
  }
  if (limits.memory === undefined) limits.memory = `${memoryMiB}Mi`;
  // Request = limit by default: a pod above its request is the first evicted under node memory pressure.
  if (requests.memory === undefined) requests.memory = limits.memory;
  const requestMiB = memoryMiBOf(owner, `${field}.resources.requests.memory`, requests.memory);
  if (requestMiB > memoryMiBOf(owner, limitField, limits.memory)) {
    fail(
      owner,
      `${field}.resources.requests.memory`,
      msg`${str(requests.memory)} is above ${arg(limitField)} ${str(limits.memory)}; Kubernetes refuses a request above the limit`,
    );
  }

  if (requests.cpu === undefined) requests.cpu = DEFAULT_HAPROXY_CPU_REQUEST;
  const cpuField = limits.cpu !== undefined ? "limits.cpu" : "requests.cpu";
  const cores = coresOf(owner, `${field}.resources.${cpuField}`, limits.cpu ?? requests.cpu);
  if (limits.cpu !== undefined && coresOf(owner, `${field}.resources.requests.cpu`, requests.cpu) > cores) {
    fail(
      owner,
      `${field}.resources.requests.cpu`,
      msg`${str(requests.cpu)} is above ${arg(`${field}.resources.limits.cpu`)} ${str(limits.cpu)}; Kubernetes refuses a request above the limit`,
    );
  }
  const nbthread = Math.ceil(cores);
  if (nbthread > HAPROXY_MAX_THREADS) {
    fail(
      owner,
      `${field}.resources.${cpuField}`,
      `${str(limits.cpu ?? requests.cpu)} would run ${nbthread} HAProxy threads; HAProxy runs at most ${HAPROXY_MAX_THREADS} without thread groups; set it to at most "${HAPROXY_MAX_THREADS}"`,
    );
  }
  return { maxconn, nbthread, memoryMiB, resources: { requests, limits } };
}
