/** Process plumbing for the benchmarks: /proc sampling, child processes, ports, the open-files limit. */
import { canConnect, freePort } from "../../support/ports";
import { childPids } from "../../support/processes";
import { settlesWithin, sleep, waitUntil, withTimeoutDetail } from "../../support/wait";
import { ChildProcess, spawn, SpawnOptions } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

export const ROOT = path.resolve(__dirname, "../..");
const CLOCK_TICKS = 100; // USER_HZ on Linux

export { sleep };

/** VmRSS of one process in KiB (0 when it is gone). */
export function rssKb(pid: number): number {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
    return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/** User + system CPU seconds of one process (all its threads). */
export function cpuSeconds(pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
    return (Number(stat[11]) + Number(stat[12])) / CLOCK_TICKS;
  } catch {
    return 0;
  }
}

export { childPids };

/** Sum of VmRSS (KiB) over the given processes. */
export function sumRssKb(pids: number[]): number {
  return pids.reduce((sum, pid) => sum + rssKb(pid), 0);
}

/** The soft and hard "Max open files" of this process. */
export function openFilesLimit(pid: number | "self" = "self"): { soft: number; hard: number } {
  const text = fs.readFileSync(`/proc/${pid}/limits`, "utf8");
  const m = /Max open files\s+(\d+|unlimited)\s+(\d+|unlimited)/.exec(text);
  const n = (v: string | undefined) => (v === undefined || v === "unlimited" ? Infinity : Number(v));
  return { soft: n(m?.[1]), hard: n(m?.[2]) };
}

export async function waitForPort(port: number, child: ChildProcess, what: string, output: () => string) {
  const listening = () => {
    if (child.exitCode !== null) throw new Error(`${what} exited ${child.exitCode}:\n${output()}`);
    return canConnect(port);
  };
  const waiting = waitUntil(`${what} to listen on 127.0.0.1:${port}`, listening, 10_000, 50);
  await withTimeoutDetail(waiting, () => `:\n${output()}`);
}

/** The ports bench/echo-server.ts prints as its first line (JSON), once it has. */
export async function echoServerPorts(echo: Running): Promise<{ ws: number; wss: number }> {
  const firstLine = () => echo.output().split("\n")[0];
  const started = waitUntil("the echo server's ports", () => firstLine().startsWith("{"), 10_000, 50);
  await withTimeoutDetail(started, () => `:\n${echo.output()}`);
  return JSON.parse(firstLine());
}

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `ws-exposure-bench-${prefix}-`));
}

export interface Running {
  child: ChildProcess;
  pid: number;
  output: () => string;
  stop: () => Promise<void>;
}

/** Spawns a process, keeping the last 64 KiB of its output; stop() sends SIGTERM, then SIGKILL after 5 s. */
export function start(command: string, args: string[], options: SpawnOptions = {}): Running {
  const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"], ...options });
  let out = "";
  const keep = (d: Buffer) => {
    out = (out + d.toString()).slice(-65536);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  return {
    child,
    pid: child.pid as number,
    output: () => out,
    stop: () => stopChild(child),
  };
}

export async function stopChild(child: ChildProcess, signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill(signal);
  await settlesWithin(exited, 5000);
  if (child.exitCode === null && child.signalCode === null) {
    child.kill("SIGKILL");
    await exited;
  }
}

/** Arguments that make `node` run a TypeScript file through tsx. */
export function nodeTs(file: string, args: string[] = []): string[] {
  return ["--import", "tsx", file, ...args];
}

/** Samples a process tree's RSS and CPU once a second; stop() returns the samples. */
export function sampler(pids: () => number[], everyMs = 1000) {
  const t0 = Date.now();
  const samples: Array<{ tMs: number; rssKb: number; cpuS: number }> = [];
  const take = () => {
    const ps = pids();
    samples.push({
      tMs: Date.now() - t0,
      rssKb: sumRssKb(ps),
      cpuS: ps.reduce((s, p) => s + cpuSeconds(p), 0),
    });
  };
  take();
  const timer = setInterval(take, everyMs);
  return {
    samples,
    stop: () => {
      clearInterval(timer);
      return samples;
    },
  };
}

/** 1-minute load average and the number of CPUs, for the write-up. */
export function machineLoad(): { load1: number; cpus: number } {
  return { load1: Number(fs.readFileSync("/proc/loadavg", "utf8").split(" ")[0]), cpus: os.cpus().length };
}

export { canConnect, freePort };
