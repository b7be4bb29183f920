/**
 * The pure half of the HAProxy drain driver (drainDriver.ts): reading the master CLI's answers,
 * planning who is closed when, writing the command lines.
 *
 * The master CLI (`haproxy -W -S <socket>`) reaches every worker, old ones too, with the `@!<pid>`
 * prefix; `show proc` lists the current and the old workers; `@!<pid> show sess` lists a worker's
 * streams (`0x...: proto=tcpv4 ... fe=<frontend> ... age=1m2s ...`); `@!<pid> shutdown session
 * <0x...>` closes one (both sides: the client sees its TCP connection close, a 1006). Several
 * commands go on one line separated by `;`, each with its prefix, and each gets its own answer,
 * ended by an empty line: a bare "\n" when it did its work, a message otherwise ("No such
 * session"). A line longer than the CLI's buffer is not run (MAX_CLI_LINE_BYTES), so a batch is
 * split over several lines, and a close counts only when HAProxy answered it. After SIGUSR1
 * (soft-stop) the worker stays under `# workers` and the master keeps answering until its last
 * worker exits; then the master exits too, and a master CLI that refuses connections (or whose
 * socket is gone) means there is nothing left to drain.
 */

export interface DrainSession {
  /** The stream's pointer as `show sess` prints it (`0x...`), or `<pid>/0x...` across workers. */
  id: string;
  /** Seconds since the stream started (`age=`), NaN when unreadable. */
  ageSeconds: number;
}

export type DrainOrder = "oldest" | "random";

export interface DrainPlanOptions {
  /** The window the closes are spread over, ms (> 0). */
  windowMs: number;
  /** Default "oldest". */
  order?: DrainOrder;
  /** Seed of the random order. Default 1. */
  seed?: number;
  /** Closes go out in batches this far apart, ms. Default 100. */
  tickMs?: number;
}

export interface DrainBatch {
  /** Ms after the drain starts. */
  atMs: number;
  ids: string[];
}

/**
 * The longest command line the master CLI runs, newline included: it reads a line into one buffer
 * of tune.bufsize minus tune.maxrewrite, 16384 - 1024 by default (haproxy.cfg sets neither). HAProxy
 * 3.x answers a longer line with its help text and runs none of its commands, or only some; 2.6 ran
 * them all.
 */
export const MAX_CLI_LINE_BYTES = 16384 - 1024;

const UNITS: Record<string, number> = { d: 86400, h: 3600, m: 60, s: 1, ms: 0.001 };

/** HAProxy's human time ("4s", "1m2s", "3h4m", "2d1h", "0s") in seconds; NaN when unreadable. */
export function parseAgeSeconds(text: string): number {
  const parts = String(text).match(/\d+(ms|d|h|m|s)/g);
  if (!parts || parts.join("") !== String(text)) return NaN;
  return parts.reduce((sum, p) => {
    const m = /^(\d+)(ms|d|h|m|s)$/.exec(p) as RegExpExecArray;
    return sum + Number(m[1]) * UNITS[m[2]];
  }, 0);
}

/** The client streams of `frontend` in `show sess` output, in the order listed. */
export function parseSessions(showSess: string, frontend: string): DrainSession[] {
  const sessions: DrainSession[] = [];
  for (const line of String(showSess).split("\n")) {
    const m = /^(0x[0-9a-f]+): proto=(tcpv4|tcpv6) .*\bfe=(\S+) .*\bage=(\S+)/.exec(line);
    if (!m || m[3] !== frontend) continue;
    sessions.push({ id: m[1], ageSeconds: parseAgeSeconds(m[4]) });
  }
  return sessions;
}

/** The workers in `show proc` output: the current ones and the old ones (after a reload). */
export function parseWorkers(showProc: string): { current: number[]; old: number[] } {
  const workers: { current: number[]; old: number[] } = { current: [], old: [] };
  let section: "" | "current" | "old" = "";
  for (const line of String(showProc).split("\n")) {
    if (line.startsWith("# old workers")) section = "old";
    else if (line.startsWith("# workers")) section = "current";
    else if (line.startsWith("#")) section = "";
    else {
      const m = /^(\d+)\s+worker\b/.exec(line);
      if (m && section) workers[section].push(Number(m[1]));
    }
  }
  return workers;
}

/** A seeded generator in [0, 1) (mulberry32): the same seed, the same order. */
function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Who is closed when. `sessions`: { id, ageSeconds }. Returns batches { atMs, ids } in time order:
 * the i-th of n sessions (oldest first: highest age, ties in the order given; or a seeded shuffle)
 * closes at floor(i x windowMs / n) rounded down to a tick, so every second of the window sees
 * n / window closes (one tick's rounding aside) and the last one comes before the window ends.
 */
export function planDrain(sessions: DrainSession[], options: DrainPlanOptions): DrainBatch[] {
  const { windowMs, order = "oldest", seed = 1, tickMs = 100 } = options;
  if (!(windowMs > 0)) throw new Error(`planDrain: windowMs must be above 0 (got ${windowMs})`);
  if (!(tickMs > 0)) throw new Error(`planDrain: tickMs must be above 0 (got ${tickMs})`);
  if (order !== "oldest" && order !== "random")
    throw new Error(`planDrain: order must be "oldest" or "random" (got ${JSON.stringify(order)})`);
  const list = sessions.map((s, index) => ({ ...s, index }));
  if (order === "oldest") {
    list.sort((a, b) => (b.ageSeconds || 0) - (a.ageSeconds || 0) || a.index - b.index);
  } else {
    const random = seededRandom(seed);
    for (let i = list.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [list[i], list[j]] = [list[j], list[i]];
    }
  }
  const n = list.length;
  const batches: DrainBatch[] = [];
  list.forEach((s, i) => {
    const atMs = Math.floor((i * windowMs) / n / tickMs) * tickMs;
    const last = batches[batches.length - 1];
    if (last && last.atMs === atMs) last.ids.push(s.id);
    else batches.push({ atMs, ids: [s.id] });
  });
  return batches;
}

/**
 * How much faster than planned a late drain may close to catch up. A driver that falls behind (its
 * CLI answers slow on a busy node) and then sends every overdue batch at once closes a burst, and a
 * burst of closes is a burst of reconnects; so it catches up at most this much faster than the plan,
 * below the 1.25 x N/W the reconnects are held to (DRAIN_ARRIVAL_RATIO) to leave the clients'
 * backoff jitter room.
 */
export const DRAIN_CATCH_UP_RATIO = 1.2;

/**
 * When a batch planned at `atMs` goes out (ms after the drain starts): at its time, or, when the one
 * before went out late (`previous.sentAtMs`), no sooner than the planned gap between them shortened
 * by DRAIN_CATCH_UP_RATIO.
 */
export function batchSendAtMs(atMs: number, previous?: { atMs: number; sentAtMs: number }): number {
  if (previous === undefined) return atMs;
  return Math.max(atMs, previous.sentAtMs + (atMs - previous.atMs) / DRAIN_CATCH_UP_RATIO);
}

/**
 * The command lines closing `ids` on worker `pid`: `;`-separated commands, as few lines as fit in
 * `maxLineBytes` each (newline included). Throws when one command alone does not fit.
 */
export function shutdownCommands(
  pid: number | string,
  ids: string[],
  maxLineBytes: number = MAX_CLI_LINE_BYTES,
): string[] {
  const lines: string[] = [];
  let line = "";
  for (const id of ids) {
    const command = `@!${pid} shutdown session ${id}`;
    if (Buffer.byteLength(command) + 1 > maxLineBytes)
      throw new Error(`shutdownCommands: "${command}" alone is longer than ${maxLineBytes} bytes`);
    const joined = line === "" ? command : `${line}; ${command}`;
    if (Buffer.byteLength(joined) + 1 <= maxLineBytes) line = joined;
    else {
      lines.push(line);
      line = command;
    }
  }
  if (line !== "") lines.push(line);
  return lines;
}

/**
 * The master CLI's answers to a line of `commands` commands: each answer ends with an empty line,
 * and a command that did its work answers nothing else. Returns how many did (`done`) and the
 * other answers' text, in order; commands with no answer at all count in neither.
 */
export function parseAnswers(answer: string, commands: number): { done: number; failed: string[] } {
  const text = String(answer);
  const failed: string[] = [];
  let done = 0;
  let i = 0;
  while (i < text.length && done + failed.length < commands) {
    if (text[i] === "\n") {
      done++;
      i++;
      continue;
    }
    const end = text.indexOf("\n\n", i);
    failed.push(text.slice(i, end === -1 ? text.length : end).trim());
    i = end === -1 ? text.length : end + 2;
  }
  return { done, failed };
}

/** True when `pid` is among the workers (current or old) of `show proc` output. */
export function workerListed(showProc: string, pid: number): boolean {
  const { current, old } = parseWorkers(showProc);
  return current.includes(pid) || old.includes(pid);
}
