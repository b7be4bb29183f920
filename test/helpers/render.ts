import { spawn } from "child_process";
import * as path from "path";

export const ROOT = path.join(__dirname, "../..");
const TSX = path.join(ROOT, "node_modules/.bin/tsx");

/**
 * How long one render may take before it is killed. A render is a Node process of ~1.5 s CPU;
 * on a loaded 2-core machine it took up to 35 s, so this only stops a hang.
 */
export const RENDER_TIMEOUT_MS = 180_000;

/** Renders run at once by a test that makes many: the machine has 2 cores and is shared. */
export const RENDER_CONCURRENCY = 3;

/** A hook that makes `count` renders, `RENDER_CONCURRENCY` at a time, may take this long: each its bound. */
export function rendersTimeoutMs(count: number): number {
  return Math.ceil(count / RENDER_CONCURRENCY) * RENDER_TIMEOUT_MS + 10_000;
}

export interface RenderRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the offline render (`npm run render`'s script) as a real process, killed after `timeoutMs`. */
export function runRender(
  stack: string,
  flags: string[],
  out: string,
  timeoutMs = RENDER_TIMEOUT_MS,
): Promise<RenderRun> {
  return new Promise((resolve) => {
    const child = spawn(TSX, ["scripts/render.ts", "--stack", stack, "--out", out, ...flags], {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d.toString()));
    child.stderr.on("data", (d) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("close", (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

/** Runs `jobs` `RENDER_CONCURRENCY` at a time, keeping their order. */
export async function runBounded<T>(jobs: (() => Promise<T>)[]): Promise<T[]> {
  const results: T[] = new Array(jobs.length);
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const i = next++;
      results[i] = await jobs[i]();
    }
  };
  await Promise.all(Array.from({ length: Math.min(RENDER_CONCURRENCY, jobs.length) }, worker));
  return results;
}
