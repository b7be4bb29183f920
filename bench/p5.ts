/**
 * P5: `pulumi preview` time of dev, staging and prod with the real engine, language host and
 * provider plugins of the e2e toolchain, against the test cluster and the Cloudflare API stand-in of
 * the e2e harness, beside a baseline program (bench/lib/previewBaseline.ts) that declares the same
 * rendered objects directly, previewed against the same cluster. Rounds interleave the two (program,
 * baseline, program, ...) so a change in the machine's load weighs on both alike.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { startHomelab, stopHomelab, Homelab } from "../e2e/fixture";
import { render } from "../e2e/k8sRender";
import { Workspace } from "../e2e/pulumi";
import { stackWorkspace } from "../e2e/stackSetup";
import { CONTROL_PLANE, missingBinaries, PULUMI } from "../e2e/toolchain";
import { baselineProgram, worstRatio } from "./lib/previewBaseline";
import { ROOT, tempDir } from "./lib/proc";
import { median } from "./lib/stats";

export const P5_STACKS = ["dev", "staging", "prod"];
export const P5_GOAL_RATIO = 1.2;

export interface P5Options {
  runs: number;
  log: (line: string) => void;
}

export interface P5Stack {
  /** The first preview of a fresh workspace with an empty ts-node cache (a fresh checkout, a CI runner). */
  programFirstS: number;
  /** The same, type-checked: a user's first local `pulumi preview` (Pulumi.yaml sets no transpile-only). */
  programCheckedFirstS: number;
  baselineFirstS: number;
  programS: number[];
  baselineS: number[];
  program: number;
  baseline: number;
}

export type P5Result =
  | { skipped: string }
  | { stacks: Record<string, P5Stack>; worst: { stack: string; ratio: number }; runs: number };

/** Why P5 cannot run here (the toolchain binaries it needs), or undefined. */
export function p5Missing(): string | undefined {
  return missingBinaries([...CONTROL_PLANE, ...PULUMI]);
}

function packageVersions(): Record<string, string> {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as {
    devDependencies: Record<string, string>;
  };
  return pkg.devDependencies;
}

async function timedPreview(ws: Workspace, what: string): Promise<number> {
  const r = await ws.run(["preview"]);
  if (r.code !== 0) throw new Error(`pulumi preview of ${what} exited ${r.code}:\n${r.output}`);
  return r.seconds;
}

async function measureStack(lab: Homelab, stack: string, options: P5Options): Promise<P5Stack> {
  const rendered = await render(stack);
  const dir = tempDir(`p5-baseline-${stack}`);
  const files = baselineProgram({
    stack,
    objects: rendered.objects,
    resources: rendered.resources,
    versions: packageVersions(),
  });
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  // Each its own ts-node cache (else in the shared temp folder), so the first preview compiles as on a fresh machine.
  const tsNodeCache = (name: string) => ({
    TS_NODE_CACHE_DIRECTORY: path.join(dir, `ts-node-cache-${name}`),
  });
  // The program transpiled only, as CI's preview job runs it after its type check (the harness's
  // default); the baseline type-checked, as `pulumi new typescript` runs.
  const program = await stackWorkspace(lab, stack, {
    env: { ...tsNodeCache("program"), PULUMI_NODEJS_TRANSPILE_ONLY: "true" },
  });
  const checked = await stackWorkspace(lab, stack, {
    env: { ...tsNodeCache("checked"), PULUMI_NODEJS_TRANSPILE_ONLY: "false" },
  });
  const baseline = await stackWorkspace(lab, stack, {
    project: dir,
    env: { ...tsNodeCache("baseline"), PULUMI_NODEJS_TRANSPILE_ONLY: "false" },
  });
  // The baseline resolves its imports from the project's node_modules, as a user's program does from its own.
  fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(baseline.projectDir, "node_modules"));
  try {
    // The first preview of each is reported apart: it fills the caches a user's loop then has.
    const programFirstS = await timedPreview(program, `${stack} (first)`);
    const baselineFirstS = await timedPreview(baseline, `${stack}'s baseline (first)`);
    const programCheckedFirstS = await timedPreview(checked, `${stack} type-checked (first)`);
    const programS: number[] = [];
    const baselineS: number[] = [];
    for (let i = 0; i < options.runs; i++) {
      programS.push(await timedPreview(program, stack));
      baselineS.push(await timedPreview(baseline, `${stack}'s baseline`));
    }
    const r = {
      programFirstS,
      programCheckedFirstS,
      baselineFirstS,
      programS,
      baselineS,
      program: median(programS),
      baseline: median(baselineS),
    };
    options.log(
      `P5 ${stack}: first preview ${programFirstS.toFixed(1)} s (type-checked ${programCheckedFirstS.toFixed(1)} s), baseline ${baselineFirstS.toFixed(1)} s; then program ${programS.map((s) => s.toFixed(1)).join(", ")} s; baseline ${baselineS.map((s) => s.toFixed(1)).join(", ")} s`,
    );
    return r;
  } finally {
    program.cleanup();
    checked.cleanup();
    baseline.cleanup();
    fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(rendered.dir, { recursive: true, force: true });
  }
}

export async function runP5(options: P5Options): Promise<P5Result> {
  const missing = p5Missing();
  if (missing) return { skipped: missing };
  options.log(
    `P5: pulumi preview of ${P5_STACKS.join(", ")} and their baselines, ${options.runs} run(s) each`,
  );
  const lab = await startHomelab();
  try {
    const stacks: Record<string, P5Stack> = {};
    for (const stack of P5_STACKS) stacks[stack] = await measureStack(lab, stack, options);
    const worst = worstRatio(
      Object.fromEntries(Object.entries(stacks).map(([s, r]) => [s, r.program])),
      Object.fromEntries(Object.entries(stacks).map(([s, r]) => [s, r.baseline])),
    );
    return { stacks, worst, runs: options.runs };
  } finally {
    await stopHomelab(lab);
  }
}
