/** Typings of haproxyDrain.js (plain JavaScript: the pod runs that very file). */

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

/** The frontend haproxy.cfg names, "websocket" (HAPROXY_FRONTEND in haproxy.ts). */
export const DEFAULT_FRONTEND: string;
/** The longest master CLI line HAProxy runs, newline included: tune.bufsize - tune.maxrewrite (16384 - 1024). */
export const MAX_CLI_LINE_BYTES: number;

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

export function parseAgeSeconds(text: string): number;
export function parseSessions(showSess: string, frontend: string): DrainSession[];
export function parseWorkers(showProc: string): { current: number[]; old: number[] };
export function planDrain(sessions: DrainSession[], options: DrainPlanOptions): DrainBatch[];
export function shutdownCommands(pid: number | string, ids: string[], maxLineBytes?: number): string[];
export function parseAnswers(answer: string, commands: number): { done: number; failed: string[] };
export function masterGone(err: unknown): boolean;
export function waitForMaster(options: DrainOptions, waitMs: number): Promise<void>;
export function drainWorkers(
  options: DrainOptions,
  pids: number[],
  log: (event: DrainEvent) => void,
): Promise<DrainResult>;
export function watch(
  options: DrainOptions,
  log: (event: DrainEvent) => void,
  signal?: AbortSignal,
): Promise<void>;
export function parseArgs(
  argv: string[],
): DrainOptions & { watch?: boolean; allAfterMs?: number; waitForMasterMs: number };
