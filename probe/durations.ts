import { UsageError } from "./usage";

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Parses "250ms", "5s", "1.5s", "10m", "2h" (or a bare number of seconds) into milliseconds. */
export function parseDuration(text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/.exec(text);
  if (!match) throw new UsageError(`"${text}" is not a duration (use e.g. 250ms, 5s, 10m, 1h)`);
  return Math.round(Number(match[1]) * UNIT_MS[match[2] ?? "s"]);
}

/** Short human form for summaries: 850ms, 5s, 1.5s, 10m, 2h3m. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  if (ms < 1000) return `${round(ms, ms < 10 ? 2 : 0)}ms`;
  if (ms < 60_000) return `${round(ms / 1000, 1)}s`;
  if (ms < 3_600_000) return `${Math.floor(ms / 60_000)}m${seconds(ms % 60_000)}`;
  return `${Math.floor(ms / 3_600_000)}h${Math.floor((ms % 3_600_000) / 60_000)}m`;
}

function seconds(ms: number): string {
  const s = Math.round(ms / 1000);
  return s === 0 ? "" : `${s}s`;
}

export function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
