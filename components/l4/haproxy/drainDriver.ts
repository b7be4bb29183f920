/**
 * The paced drain of an HAProxy process: closes the WebSocket tunnels of an old (reloaded or
 * stopping) worker gradually over a window, through the master CLI, instead of letting
 * `hard-stop-after` cut them all at once. No dependency but Node's own modules: the build bundles
 * it (drainDriverCli.ts, scripts/bundle.js) into one file, dist/bundle/haproxy-drain.js, which the
 * L4 component ships in a ConfigMap and runs on the monitor's stock Node image (a sidecar in the
 * HAProxy pod, sharing the master socket's directory); the tests and the bench run that same file.
 * The master CLI's protocol, and the parts of the drain that need no socket, are in drainPlan.ts.
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
import {
  batchSendAtMs,
  parseAnswers,
  parseSessions,
  parseWorkers,
  planDrain,
  shutdownCommands,
  workerListed,
  type DrainOrder,
  type DrainSession,
} from "./drainPlan";

export * from "./drainPlan";

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
  let previous: { atMs: number; sentAtMs: number } | undefined;
  for (const batch of plan) {
    if (gone) break;
    await sleep(startedAt + batchSendAtMs(batch.atMs, previous) - Date.now());
    previous = { atMs: batch.atMs, sentAtMs: Date.now() - startedAt };
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
