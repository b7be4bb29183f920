// Memory per connection of a soak. The measurement moved to bench/p2.ts (`npm run bench` runs it at
// 1k, 5k and 10k connections, with a reference client and a JSON summary); this keeps the
// single-level command of probe/README.md working. Linux only; each side needs N fds.
//   npm run build && ulimit -n 20000 && npx tsx test/probe/bench/soak-memory.ts 10000 60s
import { soak, startEchoServer } from "../../../bench/p2";
import { parseDuration } from "../../../probe/durations";

const N = Number(process.argv[2] ?? 10000);
const durationMs = parseDuration(process.argv[3] ?? "60s");

(async () => {
  const echo = await startEchoServer();
  try {
    const one = await soak(echo.url, 1, durationMs, 5000);
    const many = await soak(echo.url, N, durationMs, 5000);
    console.log(
      JSON.stringify(
        {
          connections: N,
          baselineRssMiB: +(one.steadyRssKb / 1024).toFixed(1),
          steadyRssMiB: +(many.steadyRssKb / 1024).toFixed(1),
          peakRssMiB: +(many.peakRssKb / 1024).toFixed(1),
          bytesPerConnection: Math.round(((many.steadyRssKb - one.steadyRssKb) * 1024) / (N - 1)),
          steadyCpuCores: +many.cpuCores.toFixed(3),
          drops: many.report.drops.total,
          rttP50Ms: many.report.rttMs.p50,
        },
        null,
        2,
      ),
    );
  } finally {
    await echo.running.stop();
  }
})();
