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
