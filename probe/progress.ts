import type { SoakProgress } from "./soak";
import { formatDuration } from "./durations";

/** One line, rewritten in place; only used when stderr is a terminal. */
export function progressLine(p: SoakProgress, durationMs: number): string {
  return (
    `${formatDuration(p.elapsedMs)}/${formatDuration(durationMs)}  open ${p.open}/${p.target}  ` +
    `dropped ${p.drops}  reconnecting ${p.reconnecting}  exhausted ${p.exhausted}  ` +
    `rtt p50 ${p.rttP50Ms}ms p99 ${p.rttP99Ms}ms`
  );
}

export function ttyProgress(stream: NodeJS.WriteStream, durationMs: number): (p: SoakProgress) => void {
  return (p) => {
    const line = progressLine(p, durationMs).slice(0, Math.max(20, (stream.columns ?? 120) - 1));
    stream.write(`\r\x1b[2K${line}`);
  };
}
