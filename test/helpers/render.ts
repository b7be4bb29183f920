import { spawn } from "child_process";
import * as path from "path";
import { z } from "zod";
import { RenderResult, renderStack } from "../../render/render";
import { stackProgram } from "../../stacks/build";
import { configSchema } from "../../stacks/config";
import { resetTunnelClaims } from "../../components/tunnel/tunnelOwnership";

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

/**
 * Renders a stack in this process: the same composition index.ts runs (stackProgram), under the
 * render's mock engine. Fast enough for tables of cases; runRender covers the real process.
 * Rejects with the program's own error when the config is refused.
 */
export async function renderInProcess(
  stack: string,
  set: Record<string, string> = {},
  unset: string[] = [],
): Promise<RenderResult> {
  resetTunnelClaims();
  return renderStack({
    projectDir: ROOT,
    stack,
    outDir: "",
    set,
    unset,
    program: () => ({ ...stackProgram() }),
  });
}

/** The config keys whose values are a closed set (booleans and enums), with every value, from the stack config schema. */
export function closedChoiceOptions(): [string, string[]][] {
  const options: [string, string[]][] = [];
  for (const [key, schema] of Object.entries(configSchema.shape as Record<string, z.ZodType>)) {
    let s = schema;
    while (s instanceof z.ZodOptional || s instanceof z.ZodDefault) s = s.unwrap() as z.ZodType;
    if (s instanceof z.ZodBoolean) options.push([key, ["true", "false"]]);
    else if (s instanceof z.ZodEnum) options.push([key, (s.options as string[]).map(String)]);
  }
  return options;
}

/** `--set k=v` / `--unset k` pairs, as the render's command line takes them, for renderInProcess. */
export function renderFlags(flags: string[]): { set: Record<string, string>; unset: string[] } {
  const set: Record<string, string> = {};
  const unset: string[] = [];
  for (let i = 0; i < flags.length; i += 2) {
    const value = flags[i + 1];
    if (flags[i] === "--set") {
      const eq = value.indexOf("=");
      set[value.slice(0, eq)] = value.slice(eq + 1);
    } else if (flags[i] === "--unset") unset.push(value);
    else throw new Error(`renderFlags: ${flags[i]} is not --set or --unset`);
  }
  return { set, unset };
}
