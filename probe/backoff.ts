import { parseDuration } from "./durations";
import { UsageError } from "./usage";

/**
 * Reconnect profile: exponential from `initialMs`, doubling, capped at `maxMs`, giving up after
 * `maxAttempts` consecutive failed attempts (the counter resets when a connection opens).
 */
export interface BackoffProfile {
  initialMs: number;
  maxMs: number;
  maxAttempts: number;
  /** "Equal jitter": each delay is drawn uniformly from [delay/2, delay] so clients do not reconnect in lockstep. */
  jitter: boolean;
}

/** The AppRestaurant iOS client: 2, 4, 8, 16, 32, 60 s (capped), at most 10 attempts. */
export const IOS_BACKOFF: BackoffProfile = { initialMs: 2000, maxMs: 60_000, maxAttempts: 10, jitter: false };

/** Delay before reconnect attempt number `attempt` (1-based). `random` is injectable so jitter is testable. */
export function backoffDelayMs(
  profile: BackoffProfile,
  attempt: number,
  random: () => number = Math.random,
): number {
  if (!Number.isInteger(attempt) || attempt < 1)
    throw new RangeError(`attempt must be an integer >= 1 (got ${attempt})`);
  // 2 ** 52 is already past any cap; clamping the exponent keeps the arithmetic finite.
  const delay = Math.min(profile.maxMs, profile.initialMs * 2 ** Math.min(attempt - 1, 52));
  return profile.jitter ? Math.round(delay / 2 + (random() * delay) / 2) : delay;
}

/** The delays of every attempt the profile allows, without jitter (the nominal schedule). */
export function backoffSchedule(profile: BackoffProfile): number[] {
  const nominal = { ...profile, jitter: false };
  const count = Number.isFinite(profile.maxAttempts) ? profile.maxAttempts : 0;
  return Array.from({ length: count }, (_, i) => backoffDelayMs(nominal, i + 1));
}

/** Parses "--backoff 2s,60s" (initial,cap) into the two delays. */
export function parseBackoff(text: string): { initialMs: number; maxMs: number } {
  const parts = text.split(",");
  if (parts.length !== 2) throw new UsageError(`--backoff takes "initial,cap", e.g. 2s,60s (got "${text}")`);
  const [initialMs, maxMs] = parts.map(parseDuration);
  if (initialMs < 1) throw new UsageError(`--backoff initial delay must be at least 1ms (got "${parts[0]}")`);
  if (maxMs < initialMs) throw new UsageError(`--backoff cap must be >= the initial delay (got "${text}")`);
  return { initialMs, maxMs };
}
