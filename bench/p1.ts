/**
 * P1: what the generated HAProxy TLS tier costs on the data path, against direct ws:// (the floor),
 * direct wss:// (TLS in Node) and the reference L7 path (nginx, TLS + Upgrade). Four processes:
 * the echo server, HAProxy, nginx and the load generator (bench/p1-client.ts); they share the
 * machine's cores. Rounds are interleaved (A B C D, then B C D A, ...) so drift in machine load
 * spreads over every variant; each round gives an RTT p50/p99 and a handshake p50 per variant, and
 * the figures are the medians over rounds with their min-max.
 * Memory: fresh proxies, baseline VmRSS of their worker processes, then N idle wss:// connections
 * through each (one proxy at a time), VmRSS again after they settle.
 */
import { ChildProcess, execFileSync, fork, spawn, spawnSync, StdioOptions } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as path from "node:path";
import type { ClientRequest } from "./p1-client";
import { makeCertificate } from "../support/certs";
import { benchHaproxyConfig } from "./lib/haproxy";
import { renderNginxConfig } from "./lib/nginx";
import { benchHaproxy, NGINX } from "./lib/prerequisites";
import {
  childPids,
  echoServerPorts,
  freePort,
  machineLoad,
  nodeTs,
  openFilesLimit,
  ROOT,
  Running,
  sleep,
  start,
  stopChild,
  sumRssKb,
  tempDir,
  waitForPort,
} from "./lib/proc";
import { median, spread, Spread, Summary } from "./lib/stats";
import { holdsWithin } from "../support/wait";

/** The 3.2 build's path when its cache is complete (scripts/haproxy32.sh), else undefined. */
function built32(): string | undefined {
  const r = spawnSync("bash", [path.join(ROOT, "scripts/haproxy32.sh"), "--print-bin"], { encoding: "utf8" });
  const bin = r.stdout.trim();
  return r.status === 0 && fs.existsSync(path.join(bin, "..", "..", "complete")) ? bin : undefined;
}

export const HAPROXY_BIN = benchHaproxy(process.env, built32()).file;
export const NGINX_BIN = NGINX.file;

export interface P1Options {
  rounds: number;
  rttConnections: number;
  rttMessages: number;
  payloadBytes: number;
  handshakes: number;
  memoryConnections: number;
  /** Memory: connections opened at once. 50 by default; `memoryConnections` = every client at once (a reconnect storm). */
  memoryConcurrency: number;
  /** Tuning experiments only: lines added to HAProxy's `global` section (empty = the rendered config as is). */
  haproxyGlobal: string[];
  /**
   * Pin the load generator to CPU 0 and the echo server and proxies to CPU 1 (taskset), so every
   * variant pays exactly one cross-CPU round trip; unpinned, the scheduler's placement makes the
   * direct variants bimodal on a 2-core machine. The proxies then see one CPU (HAProxy: 1 thread,
   * nginx `auto`: 1 worker).
   */
  pin: boolean;
  log: (line: string) => void;
}

export const VARIANTS = ["direct-ws", "direct-wss", "haproxy", "nginx"] as const;
export type Variant = (typeof VARIANTS)[number];

export interface VariantResult {
  rttP50Ms: Spread;
  rttP99Ms: Spread;
  handshakeP50Ms: Spread;
  handshakeP99Ms: Spread;
  rttSamples: number;
  handshakeSamples: number;
}

export interface MemoryResult {
  connections: number;
  /** HAProxy only: bytes in its own pools (`show pools` on the admin socket) per connection. */
  poolKbPerConn?: number;
  opened: number;
  failed: number;
  workers: number;
  baselineKb: number;
  loadedKb: number;
  kbPerConn: number;
}

export interface P1Result {
  options: Omit<P1Options, "log">;
  variants: Record<Variant, VariantResult>;
  memory: { haproxy: MemoryResult; nginx: MemoryResult };
  ratios: {
    p50VsDirectWss: number;
    p50VsNginx: number;
    handshakeVsDirectWss: number;
    /** Per-round ratios (same round, same machine state): min-max. */
    p50VsDirectWssRounds: Spread;
    handshakeVsDirectWssRounds: Spread;
  };
  load: { before: number; after: number };
  haproxyConfig: string;
}

/**
 * The load generator: one request at a time over IPC. `wrap` runs it under another command (the
 * bench's incluster part: `nsenter` into the node's network namespace).
 */
export class Client {
  private child: ChildProcess;
  constructor(wrap?: (argv: string[]) => string[]) {
    const file = path.join(__dirname, "p1-client.ts");
    const stdio: StdioOptions = ["ignore", "inherit", "inherit", "ipc"];
    if (wrap) {
      const [cmd, ...args] = wrap([process.execPath, "--import", "tsx", file]);
      this.child = spawn(cmd, args, { stdio });
    } else {
      this.child = fork(file, [], { execArgv: ["--import", "tsx"], stdio });
    }
  }
  request<T>(r: ClientRequest): Promise<T> {
    return new Promise((resolve, reject) => {
      const onExit = (code: number) => reject(new Error(`the load generator exited ${code}`));
      this.child.once("exit", onExit);
      this.child.once("message", (m: { ok: boolean; result?: T; error?: string }) => {
        this.child.off("exit", onExit);
        if (m.ok) resolve(m.result as T);
        else reject(new Error(`load generator: ${m.error}`));
      });
      this.child.send(r);
    });
  }
  pid(): number {
    return this.child.pid as number;
  }
  stop(): Promise<void> {
    return stopChild(this.child);
  }
}

interface Proxy {
  running: Running;
  port: number;
  /** Worker processes (HAProxy: the worker under the master; nginx: the workers, not the master). */
  workers: () => number[];
  /** HAProxy's admin socket. */
  adminSocket?: string;
}

/** Total bytes in HAProxy's memory pools, from `show pools` on the admin socket. */
function haproxyPoolBytes(socket: string): Promise<number> {
  return new Promise((resolve) => {
    const s = net.connect(socket);
    let out = "";
    const timer = setTimeout(() => s.destroy(), 3000);
    s.on("data", (d) => (out += d));
    s.on("error", () => undefined);
    s.on("close", () => {
      clearTimeout(timer);
      resolve(Number(/Total: \d+ pools, (\d+) bytes allocated/.exec(out)?.[1] ?? NaN));
    });
    s.write("show pools\n");
  });
}

async function startHaproxy(
  dir: string,
  certPath: string,
  upstreamPort: number,
  tag: string,
  extraGlobal: string[],
  pin: boolean,
) {
  const port = await freePort();
  const healthPort = await freePort();
  const runtimeDir = fs.mkdtempSync(path.join(dir, `haproxy-${tag}-`));
  const cfg = benchHaproxyConfig({
    port,
    healthPort,
    certPath,
    runtimeDir,
    upstreamPort,
    fdLimit: openFilesLimit().hard,
    extraGlobal,
  });
  const file = path.join(runtimeDir, "haproxy.cfg");
  fs.writeFileSync(file, cfg);
  const running = start(...pinned(pin, 1, HAPROXY_BIN, ["-W", "-db", "-f", file]));
  await waitForPort(port, running.child, "haproxy", running.output);
  await waitForWorkers(running.pid);
  const proxy: Proxy = {
    running,
    port,
    workers: () => childPids(running.pid),
    adminSocket: path.join(runtimeDir, "admin.sock"),
  };
  return { proxy, cfg };
}

/** `command args`, or `taskset -c cpu command args` when pinning. */
function pinned(pin: boolean, cpu: number, command: string, args: string[]): [string, string[]] {
  return pin ? ["taskset", ["-c", String(cpu), command, ...args]] : [command, args];
}

async function startNginx(
  dir: string,
  cert: { certPath: string; keyPath: string },
  upstreamPort: number,
  pin: boolean,
) {
  const port = await freePort();
  const ndir = fs.mkdtempSync(path.join(dir, "nginx-"));
  const limit = openFilesLimit().hard;
  const cfg = renderNginxConfig({
    dir: ndir,
    port,
    certPath: cert.certPath,
    keyPath: cert.keyPath,
    upstreamPort,
    workerConnections: Math.min(20000, limit - 200),
    rlimitNofile: Math.min(20200, limit),
    idleTimeoutSeconds: 3600,
  });
  const file = path.join(ndir, "nginx.conf");
  fs.writeFileSync(file, cfg);
  const running = start(...pinned(pin, 1, NGINX_BIN, ["-c", file, "-p", ndir, "-e", "stderr"]));
  await waitForPort(port, running.child, "nginx", running.output);
  await waitForWorkers(running.pid);
  return { running, port, workers: () => childPids(running.pid) } as Proxy;
}

async function waitForWorkers(pid: number): Promise<void> {
  await holdsWithin(() => childPids(pid).length > 0, 5000, 50);
}

async function measureMemory(
  client: Client,
  proxy: Proxy,
  ca: string,
  connections: number,
  concurrency: number,
  log: (l: string) => void,
  name: string,
): Promise<MemoryResult> {
  await sleep(1000);
  const workers = proxy.workers();
  const baselineKb = sumRssKb(workers);
  const poolsBefore = proxy.adminSocket ? await haproxyPoolBytes(proxy.adminSocket) : NaN;
  const held = await client.request<{ opened: number; failed: number; ms: number }>({
    op: "hold",
    url: `wss://127.0.0.1:${proxy.port}/ws`,
    ca,
    count: connections,
    concurrency,
  });
  // Settle, then the median of 3 samples one second apart.
  await sleep(2000);
  const samples: number[] = [];
  for (let i = 0; i < 3; i++) {
    samples.push(sumRssKb(proxy.workers()));
    await sleep(1000);
  }
  const loadedKb = median(samples);
  const poolsAfter = proxy.adminSocket ? await haproxyPoolBytes(proxy.adminSocket) : NaN;
  await client.request({ op: "release" });
  const kbPerConn = held.opened > 0 ? (loadedKb - baselineKb) / held.opened : NaN;
  log(
    `  ${name}: ${held.opened} idle connections (${held.failed} failed) in ${(held.ms / 1000).toFixed(1)} s, ` +
      `workers ${workers.length}, RSS ${baselineKb} -> ${loadedKb} KiB, ${kbPerConn.toFixed(2)} KiB/conn`,
  );
  const poolKbPerConn = proxy.adminSocket ? (poolsAfter - poolsBefore) / 1024 / held.opened : undefined;
  if (poolKbPerConn !== undefined) log(`  haproxy: its own pools hold ${poolKbPerConn.toFixed(2)} KiB/conn`);
  return {
    connections,
    poolKbPerConn,
    opened: held.opened,
    failed: held.failed,
    workers: workers.length,
    baselineKb,
    loadedKb,
    kbPerConn,
  };
}

export async function runP1(o: P1Options): Promise<P1Result> {
  const loadBefore = machineLoad().load1;
  const dir = tempDir("p1");
  const cert = makeCertificate(dir);
  const running: Running[] = [];
  const client = new Client();
  try {
    const echo = start(
      ...pinned(
        o.pin,
        1,
        process.execPath,
        nodeTs(path.join(__dirname, "echo-server.ts"), ["--cert", cert.certPath, "--key", cert.keyPath]),
      ),
    );
    if (o.pin) execFileSync("taskset", ["-a", "-cp", "0", String(client.pid())], { stdio: "ignore" });
    running.push(echo);
    const ports = await echoServerPorts(echo);
    const hap = await startHaproxy(dir, cert.certPath, ports.ws, "rtt", o.haproxyGlobal, o.pin);
    running.push(hap.proxy.running);
    const ngx = await startNginx(dir, cert, ports.ws, o.pin);
    running.push(ngx.running);
    o.log(
      `P1: echo server ws:${ports.ws} wss:${ports.wss}, haproxy :${hap.proxy.port} (pid ${hap.proxy.running.pid}), ` +
        `nginx :${ngx.port} (pid ${ngx.running.pid}), load generator pid ${client.pid()}`,
    );
    const urls: Record<Variant, string> = {
      "direct-ws": `ws://127.0.0.1:${ports.ws}/ws`,
      "direct-wss": `wss://127.0.0.1:${ports.wss}/ws`,
      haproxy: `wss://127.0.0.1:${hap.proxy.port}/ws`,
      nginx: `wss://127.0.0.1:${ngx.port}/ws`,
    };
    const perRound: Record<Variant, { rtt: Summary[]; hs: Summary[] }> = {
      "direct-ws": { rtt: [], hs: [] },
      "direct-wss": { rtt: [], hs: [] },
      haproxy: { rtt: [], hs: [] },
      nginx: { rtt: [], hs: [] },
    };
    const measure = async (v: Variant, scale: number) => {
      const rtt = await client.request<Summary>({
        op: "rtt",
        url: urls[v],
        ca: cert.certPem,
        connections: o.rttConnections,
        messages: Math.ceil(o.rttMessages * scale),
        payloadBytes: o.payloadBytes,
      });
      const hs = await client.request<Summary>({
        op: "handshake",
        url: urls[v],
        ca: cert.certPem,
        count: Math.ceil(o.handshakes * scale),
      });
      return { rtt, hs };
    };
    o.log("  warm-up (not counted)");
    for (const v of VARIANTS) await measure(v, 0.25);
    for (let r = 0; r < o.rounds; r++) {
      const order = VARIANTS.map((_, i) => VARIANTS[(i + r) % VARIANTS.length]);
      const cells: string[] = [];
      for (const v of order) {
        const { rtt, hs } = await measure(v, 1);
        perRound[v].rtt.push(rtt);
        perRound[v].hs.push(hs);
        cells.push(`${v} rtt p50 ${rtt.p50.toFixed(3)} hs p50 ${hs.p50.toFixed(2)}`);
      }
      o.log(`  round ${r + 1}/${o.rounds}: ${cells.join(" | ")}`);
    }
    await hap.proxy.running.stop();
    await ngx.running.stop();

    o.log(
      `  memory: ${o.memoryConnections} idle wss:// connections through each proxy (fresh processes), ${o.memoryConcurrency} at a time`,
    );
    const hapMem = await startHaproxy(dir, cert.certPath, ports.ws, "mem", o.haproxyGlobal, o.pin);
    running.push(hapMem.proxy.running);
    const haproxyMem = await measureMemory(
      client,
      hapMem.proxy,
      cert.certPem,
      o.memoryConnections,
      o.memoryConcurrency,
      o.log,
      "haproxy",
    );
    await hapMem.proxy.running.stop();
    const ngxMem = await startNginx(dir, cert, ports.ws, o.pin);
    running.push(ngxMem.running);
    const nginxMem = await measureMemory(
      client,
      ngxMem,
      cert.certPem,
      o.memoryConnections,
      o.memoryConcurrency,
      o.log,
      "nginx",
    );
    await ngxMem.running.stop();

    const variants = {} as Record<Variant, VariantResult>;
    for (const v of VARIANTS) {
      variants[v] = {
        rttP50Ms: spread(perRound[v].rtt.map((s) => s.p50)),
        rttP99Ms: spread(perRound[v].rtt.map((s) => s.p99)),
        handshakeP50Ms: spread(perRound[v].hs.map((s) => s.p50)),
        handshakeP99Ms: spread(perRound[v].hs.map((s) => s.p99)),
        rttSamples: perRound[v].rtt.reduce((n, s) => n + s.count, 0),
        handshakeSamples: perRound[v].hs.reduce((n, s) => n + s.count, 0),
      };
    }
    const ratioRounds = (key: "rtt" | "hs") =>
      spread(perRound.haproxy[key].map((s, i) => s.p50 / perRound["direct-wss"][key][i].p50));
    return {
      options: {
        rounds: o.rounds,
        rttConnections: o.rttConnections,
        rttMessages: o.rttMessages,
        payloadBytes: o.payloadBytes,
        handshakes: o.handshakes,
        memoryConnections: o.memoryConnections,
        memoryConcurrency: o.memoryConcurrency,
        haproxyGlobal: o.haproxyGlobal,
        pin: o.pin,
      },
      variants,
      memory: { haproxy: haproxyMem, nginx: nginxMem },
      ratios: {
        p50VsDirectWss: variants.haproxy.rttP50Ms.median / variants["direct-wss"].rttP50Ms.median,
        p50VsNginx: variants.haproxy.rttP50Ms.median / variants.nginx.rttP50Ms.median,
        handshakeVsDirectWss:
          variants.haproxy.handshakeP50Ms.median / variants["direct-wss"].handshakeP50Ms.median,
        p50VsDirectWssRounds: ratioRounds("rtt"),
        handshakeVsDirectWssRounds: ratioRounds("hs"),
      },
      load: { before: loadBefore, after: machineLoad().load1 },
      haproxyConfig: hap.cfg,
    };
  } finally {
    await client.stop();
    for (const r of running.reverse()) await r.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
