// Memory per connection of a soak: runs the bundled CLI (what users run) with 1 and with N
// connections against a separate echo server process, samples VmRSS and CPU from /proc, and
// prints (RSS_N - RSS_1) / (N - 1). Linux only. Raise `ulimit -n` first (each side needs N fds).
//   npm run build && ulimit -n 20000 && npx tsx test/probe/bench/soak-memory.ts 10000 60s
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "../../..");
const N = Number(process.argv[2] ?? 10000);
const DURATION = process.argv[3] ?? "60s";
const PORT = 18080;
const TICKS = 100; // USER_HZ on Linux

function sample(pid: number): { rssKb: number; cpuS: number } {
  const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]);
  const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return { rssKb, cpuS: (Number(stat[11]) + Number(stat[12])) / TICKS };
}

async function soak(
  connections: number,
): Promise<{ steadyRssKb: number; peakRssKb: number; cpuS: number; summary: string }> {
  const child = spawn(
    process.execPath,
    [path.join(ROOT, "dist/bundle/wsprobe.js"), "soak", `ws://127.0.0.1:${PORT}/ws`].concat([
      "--duration",
      DURATION,
      "--connections",
      String(connections),
      "--heartbeat",
      "5s",
    ]),
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  let out = "";
  child.stdout.on("data", (d) => (out += d));
  const samples: Array<{ t: number; rssKb: number; cpuS: number }> = [];
  const start = Date.now();
  const timer = setInterval(() => {
    try {
      samples.push({ t: Date.now() - start, ...sample(child.pid!) });
    } catch {
      /* exited */
    }
  }, 1000);
  await new Promise((resolve) => child.on("close", resolve));
  clearInterval(timer);
  // Steady state: the second half of the run (after the ramp), median RSS.
  const durationMs = samples[samples.length - 1].t;
  const steady = samples
    .filter((s) => s.t > durationMs / 2)
    .map((s) => s.rssKb)
    .sort((a, b) => a - b);
  const first = samples.find((s) => s.t > durationMs / 2)!;
  const last = samples[samples.length - 1];
  return {
    steadyRssKb: steady[Math.floor(steady.length / 2)],
    peakRssKb: Math.max(...samples.map((s) => s.rssKb)),
    cpuS: (last.cpuS - first.cpuS) / ((last.t - first.t) / 1000),
    summary: out,
  };
}

(async () => {
  const server = spawn(
    process.execPath,
    ["--import", "tsx", path.join(__dirname, "echo-server.ts"), String(PORT)],
    {
      stdio: ["ignore", "inherit", "inherit"],
    },
  );
  await new Promise((r) => setTimeout(r, 1500));
  try {
    const one = await soak(1);
    const many = await soak(N);
    process.stdout.write(many.summary);
    const perConn = ((many.steadyRssKb - one.steadyRssKb) * 1024) / (N - 1);
    console.log(
      JSON.stringify(
        {
          connections: N,
          baselineRssMiB: +(one.steadyRssKb / 1024).toFixed(1),
          steadyRssMiB: +(many.steadyRssKb / 1024).toFixed(1),
          peakRssMiB: +(many.peakRssKb / 1024).toFixed(1),
          bytesPerConnection: Math.round(perConn),
          steadyCpuCores: +many.cpuS.toFixed(3),
        },
        null,
        2,
      ),
    );
  } finally {
    server.kill("SIGTERM");
  }
})();
