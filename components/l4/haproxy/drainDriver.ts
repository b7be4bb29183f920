/**
 * The paced drain of an HAProxy process: closes the WebSocket tunnels of an old (reloaded or
 * stopping) worker gradually over a window, through the master CLI, instead of letting
 * `hard-stop-after` cut them all at once. No dependency but Node's own modules: the build bundles
 * it (drainDriverCli.ts, scripts/bundle.js) into one file, dist/bundle/haproxy-drain.js, which the
 * L4 component ships in a ConfigMap and runs on the monitor's stock Node image (a sidecar in the
 * HAProxy pod, sharing the master socket's directory); the tests and the bench run that same file.
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
 *
 * Usage (node haproxy-drain.js ...):
 *   --socket <path>      the master CLI socket (required)
 *   --window <seconds>   the window the closes are spread over (required)
 *   --frontend <name>    the frontend whose streams are closed (default "websocket")
 *   --order oldest|random  (default oldest)
 *   --watch              keep running: drain every old worker that appears (reloads)
 *   --all-after <seconds>  wait this long, then drain every worker (a pod stop: the preStop hook)
 *   --tick-ms <ms>       closes are sent in batches this far apart (default 100)
 *   --wait-for-master <seconds>  --watch: how long to wait for the master CLI at start (HAProxy
 *                        starting) before giving up with exit code 1 (default 300)
 * Prints one JSON line per event on stdout.
 */
import { connect } from "node:net";
import { parseArgs as parseArgv } from "node:util";

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

export interface DrainOptions {
  /** The master CLI socket. */
  socket: string;
  windowMs: number;
  /** Default "websocket". */
  frontend?: string;
  order?: DrainOrder;
  tickMs?: number;
  /** --watch polling period, ms. Default 1000. */
  pollMs?: number;
  /** How long one master CLI command may take before it counts as failed, ms. Default 10000. */
  cliTimeoutMs?: number;
}

/** The driver's command line, read: DrainOptions and when to drain. */
export interface DriverOptions extends DrainOptions {
  frontend: string;
  order: DrainOrder;
  tickMs: number;
  watch?: boolean;
  allAfterMs?: number;
  waitForMasterMs: number;
}

export interface DrainEvent {
  event: string;
  [key: string]: unknown;
}

export interface DrainResult extends DrainEvent {
  pids: number[];
  sessions: number;
  /** Closes HAProxy answered as done. */
  closed: number;
  /** Closes sent that HAProxy did not answer as done (the session had ended, an error, no answer). */
  notClosed: number;
  /** Master CLI lines of shutdown commands sent (a batch longer than one line is split). */
  cliLines: number;
  elapsedMs: number;
  /** The master CLI went away during the drain (HAProxy exited): the rest was not sent. */
  masterGone?: boolean;
}

type Log = (event: DrainEvent) => void;

/** The frontend haproxy.cfg names (components/l4/haproxy/config.ts, HAPROXY_FRONTEND). */
export const DEFAULT_FRONTEND = "websocket";

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
function workerListed(showProc: string, pid: number): boolean {
  const { current, old } = parseWorkers(showProc);
  return current.includes(pid) || old.includes(pid);
}

/** True when `err` says the master CLI is not there: nobody listens on the socket, or it is gone. */
export function masterGone(err: unknown): boolean {
  const code = errorCode(err);
  return code === "ECONNREFUSED" || code === "ENOENT";
}

/** The `code` of a Node system error (ENOENT, ECONNREFUSED, ...), undefined for anything else. */
function errorCode(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | undefined)?.code;
}

/** The message of a thrown value (an Error's, or the value itself as text). */
function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Sends one command line to the master CLI; resolves with the answer. */
function cli(socketPath: string, command: string, timeoutMs = 10000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(socketPath);
    let answer = "";
    const timer = setTimeout(
      () => socket.destroy(new Error(`no answer to "${command.slice(0, 60)}"`)),
      timeoutMs,
    );
    socket.on("connect", () => socket.end(`${command}\n`));
    socket.on("data", (d) => (answer += d.toString()));
    socket.on("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    socket.on("close", () => {
      clearTimeout(timer);
      resolve(answer);
    });
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, Math.max(0, ms)));

/**
 * Drains `pids` (their `frontend` streams together) over the window; resolves with what it did.
 * `closed` counts the closes HAProxy answered as done. When the master CLI goes away during the
 * drain (the master exited: its workers had nothing left), the drain ends there with `masterGone`.
 */
export async function drainWorkers(options: DrainOptions, pids: number[], log: Log): Promise<DrainResult> {
  const {
    socket,
    windowMs,
    frontend = DEFAULT_FRONTEND,
    order = "oldest",
    tickMs = 100,
    cliTimeoutMs,
  } = options;
  const sessions: DrainSession[] = [];
  for (const pid of pids) {
    const listed = parseSessions(await cli(socket, `@!${pid} show sess`, cliTimeoutMs), frontend);
    for (const s of listed) sessions.push({ id: `${pid}/${s.id}`, ageSeconds: s.ageSeconds });
  }
  const plan = planDrain(sessions, { windowMs, order, seed: pids[0] || 1, tickMs });
  const startedAt = Date.now();
  log({ event: "drain-start", pids, sessions: sessions.length, windowMs, order });
  let closed = 0;
  let notClosed = 0;
  let cliLines = 0;
  let gone = false;
  for (const batch of plan) {
    if (gone) break;
    await sleep(startedAt + batch.atMs - Date.now());
    const byPid = new Map<string, string[]>();
    for (const id of batch.ids) {
      const [pid, ptr] = id.split("/");
      byPid.set(pid, (byPid.get(pid) || []).concat([ptr]));
    }
    for (const [pid, ptrs] of byPid) {
      for (const line of shutdownCommands(pid, ptrs)) {
        const commands = line.split("; ").length;
        cliLines++;
        try {
          const { done, failed } = parseAnswers(await cli(socket, line, cliTimeoutMs), commands);
          const unanswered = commands - done - failed.length;
          // A stopping worker exits as its last stream closes, before it answers that close: a worker
          // gone from `show proc` holds no connection, so its unanswered closes did happen.
          let exited = false;
          if (unanswered > 0) {
            try {
              exited = !workerListed(await cli(socket, "show proc", cliTimeoutMs), Number(pid));
            } catch (err) {
              // The master exits with its last worker; any other failure leaves them uncounted.
              if (masterGone(err)) exited = gone = true;
            }
          }
          const counted = done + (exited ? unanswered : 0);
          closed += counted;
          notClosed += commands - counted;
          if (counted < commands)
            log({
              event: "drain-error",
              pid: Number(pid),
              error: `${commands - counted} of ${commands} closes not done: ${failed[0] || "no answer"}`,
            });
        } catch (err) {
          notClosed += commands;
          if (masterGone(err)) {
            gone = true;
            break;
          }
          log({ event: "drain-error", pid: Number(pid), error: errorMessage(err) });
        }
      }
      if (gone) break;
    }
  }
  const result: DrainResult = {
    event: "drain-end",
    pids,
    sessions: sessions.length,
    closed,
    notClosed,
    cliLines,
    elapsedMs: Date.now() - startedAt,
  };
  if (gone) result.masterGone = true;
  log(result);
  return result;
}

/**
 * --watch: every second, drains each old worker that was not there before, while a current worker
 * serves (after a failed reload HAProxy may list the worker still serving among the old ones). A
 * worker whose sessions could not be listed is tried again at the next look; a pid that left the
 * list is forgotten (a restarted container numbers its processes anew).
 */
export async function watch(options: DrainOptions, log: Log, signal?: AbortSignal): Promise<void> {
  const seen = new Set<number>();
  const running: Promise<unknown>[] = [];
  let lastError = "";
  while (!signal || !signal.aborted) {
    try {
      const { current, old } = parseWorkers(await cli(options.socket, "show proc", options.cliTimeoutMs));
      lastError = "";
      for (const pid of seen) if (!old.includes(pid)) seen.delete(pid);
      const fresh = current.length > 0 ? old.filter((p) => !seen.has(p)) : [];
      for (const pid of fresh) {
        seen.add(pid);
        running.push(
          drainWorkers(options, [pid], log).catch((err) => {
            seen.delete(pid);
            log({ event: "drain-error", pid, error: errorMessage(err) });
          }),
        );
      }
    } catch (err) {
      // Once per kind of failure (HAProxy not started yet, restarting), not once a second.
      const message = errorMessage(err);
      if (message !== lastError) log({ event: "cli-error", error: message });
      lastError = message;
    }
    await sleep(options.pollMs || 1000);
  }
  await Promise.all(running);
}

/** The driver's options: all take a value but --watch. */
const CLI_OPTIONS = {
  socket: { type: "string" },
  window: { type: "string" },
  frontend: { type: "string" },
  order: { type: "string" },
  "tick-ms": { type: "string" },
  "all-after": { type: "string" },
  watch: { type: "boolean" },
  "wait-for-master": { type: "string" },
} as const;

type CliOption = keyof typeof CLI_OPTIONS;

/**
 * The arguments as util.parseArgs reads them, each checked against CLI_OPTIONS: an unknown option, a
 * positional argument, an option missing its value or --watch given one throws, naming it.
 */
function readArgv(argv: string[]): Partial<Record<CliOption, string | boolean>> {
  const { values, tokens } = parseArgv({
    args: argv,
    options: CLI_OPTIONS,
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  for (const token of tokens) {
    if (token.kind === "positional") throw new Error(`unknown argument ${token.value}`);
    if (token.kind === "option-terminator") throw new Error("unknown argument --");
    if (!Object.hasOwn(CLI_OPTIONS, token.name)) throw new Error(`unknown argument ${token.rawName}`);
    const type = CLI_OPTIONS[token.name as CliOption].type;
    if (type === "string" && token.value === undefined) throw new Error(`${token.rawName} needs a value`);
    if (type === "boolean" && token.value !== undefined)
      throw new Error(`${token.rawName} takes no value (got ${JSON.stringify(token.value)})`);
  }
  return values as Partial<Record<CliOption, string | boolean>>;
}

/** Reads the driver's command line; throws naming the option that is missing or wrong. */
export function parseArgs(argv: string[]): DriverOptions {
  const values = readArgv(argv);
  const text = (name: CliOption): string | undefined => values[name] as string | undefined;
  const seconds = (name: CliOption): number | undefined =>
    values[name] === undefined ? undefined : Number(text(name)) * 1000;
  const options: DriverOptions = {
    frontend: text("frontend") ?? DEFAULT_FRONTEND,
    order: (text("order") ?? "oldest") as DrainOrder,
    tickMs: values["tick-ms"] === undefined ? 100 : Number(text("tick-ms")),
    waitForMasterMs: seconds("wait-for-master") ?? 300000,
    socket: text("socket") ?? "",
    windowMs: seconds("window") ?? NaN,
  };
  if (values.watch) options.watch = true;
  const allAfterMs = seconds("all-after");
  if (allAfterMs !== undefined) options.allAfterMs = allAfterMs;
  if (!options.socket) throw new Error("--socket is required");
  if (!(options.windowMs > 0)) throw new Error("--window must be a number of seconds above 0");
  if (!(options.waitForMasterMs >= 0))
    throw new Error("--wait-for-master must be a number of seconds, 0 or more");
  if (options.order !== "oldest" && options.order !== "random")
    throw new Error(`--order must be oldest or random (got ${JSON.stringify(options.order)})`);
  if (!(options.tickMs > 0)) throw new Error("--tick-ms must be a number of milliseconds above 0");
  if (allAfterMs !== undefined && !(allAfterMs >= 0))
    throw new Error("--all-after must be a number of seconds, 0 or more");
  if (Boolean(options.watch) === (allAfterMs !== undefined))
    throw new Error("give exactly one of --watch or --all-after <seconds>");
  return options;
}

/**
 * Resolves once the master CLI answers `show proc`; rejects with a message naming the socket when it
 * has not answered within `waitMs`. Says once on stderr that it waits (HAProxy not up yet), and when
 * the master is up.
 */
export async function waitForMaster(options: DrainOptions, waitMs: number): Promise<void> {
  const deadline = Date.now() + waitMs;
  let waiting = false;
  for (;;) {
    try {
      await cli(options.socket, "show proc", options.cliTimeoutMs);
      if (waiting) console.error(`haproxy-drain: the master CLI ${options.socket} is up`);
      return;
    } catch (err) {
      if (Date.now() >= deadline)
        throw new Error(
          `the master CLI ${options.socket} did not answer within ${waitMs / 1000} s (${errorMessage(err)}); is HAProxy running with -S ${options.socket}?`,
        );
      if (!waiting)
        console.error(
          `haproxy-drain: waiting up to ${waitMs / 1000} s for the master CLI ${options.socket} (HAProxy not up yet: ${errorMessage(err)})`,
        );
      waiting = true;
    }
    await sleep(Math.min(options.pollMs || 1000, Math.max(0, deadline - Date.now())));
  }
}

/** Runs the driver; resolves with the process's exit code. */
export async function main(argv: string[]): Promise<number> {
  const options = parseArgs(argv);
  const log: Log = (o) => console.log(JSON.stringify({ at: new Date().toISOString(), ...o }));
  if (options.watch) {
    await waitForMaster(options, options.waitForMasterMs);
    const abort = new AbortController();
    process.on("SIGTERM", () => abort.abort());
    await watch(options, log, abort.signal);
    return 0;
  }
  // A pod stop: the master is soft-stopped after the same sleep (the kubelet's stop signal, SIGUSR1 by
  // the official image's STOPSIGNAL, or for another image the haproxy container's preStop). A master
  // already gone by then has exited with its last worker: nothing is left to drain.
  await sleep(options.allAfterMs ?? 0);
  try {
    const { current, old } = parseWorkers(await cli(options.socket, "show proc"));
    const result = await drainWorkers(options, current.concat(old), log);
    if (result.masterGone)
      console.error(
        `haproxy-drain: the master CLI ${options.socket} went away during the drain: HAProxy exited, the drain is done`,
      );
  } catch (err) {
    if (!masterGone(err)) throw err;
    console.error(
      `haproxy-drain: the master CLI ${options.socket} is gone after the wait (${errorCode(err)}): HAProxy has exited, nothing is left to drain`,
    );
  }
  return 0;
}
