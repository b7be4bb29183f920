import { spawn } from "child_process";
import * as path from "path";

export const ROOT = path.join(__dirname, "../..");
const TSX = path.join(ROOT, "node_modules/.bin/tsx");

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
  timeoutMs = 60000,
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
