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

/** How a warning names the arguments it references: as a TypeScript program reads it, or as the stack program does. */
export type Vocabulary = "program" | "stack";

/** The arguments the drain window's warning names, in each vocabulary (the stack's: the keys of components/settings). */
const DRAIN_NAMES: Record<Vocabulary, Record<"window" | "maxconn" | "hardStop" | "cpu", string>> = {
  program: {
    window: "tls.haproxy.drain.windowSeconds",
    maxconn: "tls.haproxy.maxconn",
    hardStop: "tls.haproxy.hardStopAfterSeconds",
    cpu: "tls.haproxy.resources.requests.cpu",
  },
  stack: {
    window: "ws-exposure:haproxyDrainWindowSeconds",
    maxconn: "ws-exposure:haproxyMaxconn",
    hardStop: "ws-exposure:haproxyHardStopAfterSeconds",
    cpu: "ws-exposure:haproxyCpuRequest",
  },
};

/** For each maxconn: the shortest window at 50m (s), and the reconnects a second at the 50 s window. */
const DRAIN_FIGURES = { 9000: { min: 297, rate: 225 }, 10000: { min: 330, rate: 250 } } as const;

/**
 * The warning an L4Exposure prints when its paced drain's window (the default 50 s) is below what its
 * HAProxy pods' default CPU request (50m) absorbs for its maxconn (drainCapacity.ts), the arguments
 * named in `vocabulary`.
 */
export function drainWarning(owner: string, maxconn: 9000 | 10000, vocabulary: Vocabulary): string {
  const n = DRAIN_NAMES[vocabulary];
  const { min, rate } = DRAIN_FIGURES[maxconn];
  return `warning: [runtime] L4Exposure "${owner}": ${n.window} 50 is below the ${min} s the HAProxy pods' CPU request absorbs (drainWindowMinSeconds, docs/L4.md): a drained pod's ${n.maxconn} ${maxconn} connections reconnect at up to 1.25 x ${maxconn} / 50 = ${rate} a second, each a full TLS handshake on a pod that stays, and at its ${n.cpu} "50m" (what a node with contended CPU guarantees) a pod takes 76 a second (0.659 ms of CPU each), of which the drain may take 50%; beyond that the handshakes queue on its CPU and its own clients' slow too. Raise ${n.window} to at least ${min} (and ${n.hardStop} to at least ${min + 2}), or ${n.cpu} to at least "${min}m"\n`;
}

/** The drain window's warning as a stack prints it: naming the config keys the user writes. */
export const stackDrainWarning = (owner: string, maxconn: 9000 | 10000): string =>
  drainWarning(owner, maxconn, "stack");

/**
 * What a render of each stack prints on stderr, as `pulumi preview` shows it, naming the config keys:
 * staging's and prod's L4Exposure warn that the drain window is below what the CPU request absorbs;
 * the AWS stack (Pulumi.cloud-example.yaml: an NLB with "ip" targets) first that the namespace needs
 * the pod readiness gate label; dev (tunnel only) prints nothing.
 */
export const STACK_RENDER_STDERR: Record<string, string> = {
  dev: "",
  staging: stackDrainWarning("staging", 9000),
  prod: stackDrainWarning("prod-l4", 10000),
  "cloud-example":
    'warning: [runtime] L4Exposure "cloud-example": ws-exposure:awsNlbTargetType "ip" needs the AWS Load Balancer Controller\'s pod readiness gate: label namespace "agents-whatsapp-rust" elbv2.k8s.aws/pod-readiness-gate-inject=enabled (kubectl label namespace agents-whatsapp-rust elbv2.k8s.aws/pod-readiness-gate-inject=enabled; this component does not own the namespace and does not check it), then set ws-exposure:awsNlbPodReadinessGate "namespaceLabelled" to say so and drop this warning. Without it a rollout of the HAProxy pods can finish before the NLB sees the new pods healthy, leaving only initial or draining targets: an outage\n' +
    stackDrainWarning("cloud-example", 10000),
};
