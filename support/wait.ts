/**
 * Sleeps and bounded waits for tests, e2e, benchmarks and their support code: a test waits for an
 * event, not for a fixed time, and a wait's timeout only stops a hang (a loaded machine is slow, not
 * wrong), so its error names what did not happen.
 */
import { setTimeout as sleep } from "node:timers/promises";

/** Resolves after `ms` milliseconds (Node's own `setTimeout` of `node:timers/promises`). */
export { sleep };

/**
 * The error of a wait that ran out of time: "timed out after <timeoutMs> ms waiting for <what>", then
 * `detail` (e.g. the output of the process that did not get there).
 */
export class WaitTimeout extends Error {
  constructor(
    readonly what: string,
    readonly timeoutMs: number,
    detail = "",
  ) {
    super(`timed out after ${timeoutMs} ms waiting for ${what}${detail}`);
  }
}

/**
 * Resolves once `check()` (sync or async) holds, checked at once and then every `intervalMs`; rejects
 * with a {@link WaitTimeout} when it still does not hold after `timeoutMs`, or with what `check` threw.
 */
export async function waitUntil(
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs: number,
  intervalMs = 10,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new WaitTimeout(what, timeoutMs);
    await sleep(intervalMs);
  }
}

/** Whether `check()` holds within `timeoutMs` (see {@link waitUntil}): for a caller that reports a miss itself. */
export async function holdsWithin(
  check: () => boolean | Promise<boolean>,
  timeoutMs: number,
  intervalMs = 10,
): Promise<boolean> {
  try {
    await waitUntil("a check to hold", check, timeoutMs, intervalMs);
    return true;
  } catch (err) {
    if (err instanceof WaitTimeout) return false;
    throw err;
  }
}

/** `waiting`, whose {@link WaitTimeout} (only) also says `detail()`, read when the time is up. */
export function withTimeoutDetail(waiting: Promise<void>, detail: () => string): Promise<void> {
  return waiting.catch((err: unknown) => {
    throw err instanceof WaitTimeout ? new WaitTimeout(err.what, err.timeoutMs, detail()) : err;
  });
}

/**
 * Waits for `promise` for at most `ms`: whether it settled by then (a rejection passes on). The timer
 * ends with the wait, so it keeps no process alive.
 */
export async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  const done = new AbortController();
  try {
    return await Promise.race([promise.then(() => true), sleep(ms, false, { signal: done.signal })]);
  } finally {
    done.abort();
  }
}
