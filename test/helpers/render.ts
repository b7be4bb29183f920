import { spawn } from "child_process";
import * as path from "path";
import { z } from "zod";
import { RenderResult, renderStack } from "../../render/render";
import { stackProgram } from "../../stacks/build";
import { configSchema } from "../../stacks/config";
import { resetTunnelClaims } from "../../components/tunnel/tunnelOwnership";

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

/**
 * The warning a stack's L4Exposure prints when its paced drain's window (the default 50 s) is below
 * what its HAProxy pods' default CPU request (50m) absorbs for its maxconn (drainCapacity.ts).
 */
export const stackDrainWarning = (owner: string, maxconn: 9000 | 10000): string =>
  maxconn === 9000
    ? `warning: [runtime] L4Exposure "${owner}": tls.haproxy.drain.windowSeconds 50 is below the 297 s the HAProxy pods' CPU request absorbs (drainWindowMinSeconds, docs/L4.md): a drained pod's tls.haproxy.maxconn 9000 connections reconnect at up to 1.25 x 9000 / 50 = 225 a second, each a full TLS handshake on a pod that stays, and at its tls.haproxy.resources.requests.cpu "50m" (what a node with contended CPU guarantees) a pod takes 76 a second (0.659 ms of CPU each), of which the drain may take 50%; beyond that the handshakes queue on its CPU and its own clients' slow too. Raise tls.haproxy.drain.windowSeconds to at least 297 (and tls.haproxy.hardStopAfterSeconds to at least 299), or tls.haproxy.resources.requests.cpu to at least "297m"\n`
    : `warning: [runtime] L4Exposure "${owner}": tls.haproxy.drain.windowSeconds 50 is below the 330 s the HAProxy pods' CPU request absorbs (drainWindowMinSeconds, docs/L4.md): a drained pod's tls.haproxy.maxconn 10000 connections reconnect at up to 1.25 x 10000 / 50 = 250 a second, each a full TLS handshake on a pod that stays, and at its tls.haproxy.resources.requests.cpu "50m" (what a node with contended CPU guarantees) a pod takes 76 a second (0.659 ms of CPU each), of which the drain may take 50%; beyond that the handshakes queue on its CPU and its own clients' slow too. Raise tls.haproxy.drain.windowSeconds to at least 330 (and tls.haproxy.hardStopAfterSeconds to at least 332), or tls.haproxy.resources.requests.cpu to at least "330m"\n`;

/**
 * What a render of each stack prints on stderr, as `pulumi preview` shows it: staging's and prod's
 * L4Exposure warn that the drain window is below what the CPU request absorbs; the AWS stack
 * (Pulumi.cloud-example.yaml: an NLB with "ip" targets) first that the namespace needs the pod
 * readiness gate label; dev (tunnel only) prints nothing.
 */
export const STACK_RENDER_STDERR: Record<string, string> = {
  dev: "",
  staging: stackDrainWarning("staging", 9000),
  prod: stackDrainWarning("prod-l4", 10000),
  "cloud-example":
    'warning: [runtime] L4Exposure "cloud-example": loadBalancer.targetType "ip" needs the AWS Load Balancer Controller\'s pod readiness gate: label namespace "agents-whatsapp-rust" elbv2.k8s.aws/pod-readiness-gate-inject=enabled (kubectl label namespace agents-whatsapp-rust elbv2.k8s.aws/pod-readiness-gate-inject=enabled; this component does not own the namespace and does not check it), then set loadBalancer.podReadinessGate "namespaceLabelled" to say so and drop this warning. Without it a rollout of the HAProxy pods can finish before the NLB sees the new pods healthy, leaving only initial or draining targets: an outage\n' +
    stackDrainWarning("cloud-example", 10000),
};
