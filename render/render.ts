import * as fs from "fs";
import * as path from "path";
import { setTimeout as sleep } from "node:timers/promises";
import * as pulumi from "@pulumi/pulumi";
import YAML from "yaml";
import { PathBudget } from "../components/budget/model";
import {
  AUTONAME_SUFFIX,
  displayValue,
  installMockRuntime,
  isSecretValue,
  RecordedResource,
} from "./mockRuntime";
import { budgetTable } from "../components/budget/table";
import { budgetJson, resourceTree } from "./report";
import { readStackConfig } from "./stackConfig";

export interface RenderOptions {
  /** Folder holding Pulumi.yaml, the stack files and index.ts. */
  projectDir: string;
  stack: string;
  outDir: string;
  /** Plain config overrides, `key -> text`. */
  set?: Record<string, string>;
  /** Secret config values, `key -> text` (stack files' encrypted values cannot be read offline). */
  setSecret?: Record<string, string>;
  /** Config keys to drop from the stack file. */
  unset?: string[];
  /**
   * The program to run; its return value holds the stack outputs. Default: `require(<projectDir>/index.ts)`,
   * the program `pulumi up` runs. Tests pass the same composition as a function to render many times in one process.
   */
  program?: () => Record<string, unknown>;
}

export interface RenderResult {
  resources: RecordedResource[];
  outputs: Record<string, unknown>;
  budgets: PathBudget[];
  /** What the render prints: the resource tree, the outputs and the budget table. */
  text: string;
}

const STACK_OUTPUT_PLACEHOLDER = "(known after deploy)";

/** Resolves an exported value as `pulumi preview` would show it: secrets hidden, unknowns marked. */
async function displayOutput(value: unknown): Promise<unknown> {
  if (!pulumi.Output.isInstance(value)) return displayValue(value);
  // isSecret/isKnown are internal to the SDK's Output, but they are what `pulumi preview` reads too.
  const output = value as pulumi.Output<unknown> & { isSecret: Promise<boolean>; isKnown: Promise<boolean> };
  if (await output.isSecret) return "[secret]";
  if (!(await output.isKnown)) return STACK_OUTPUT_PLACEHOLDER;
  return new Promise((resolve) => output.apply((v) => resolve(displayValue(v))));
}

/**
 * Runs the stack's program (index.ts, unchanged) under Pulumi's mock engine as a preview, and
 * returns every resource it would register. Throws the program's own error when its config is bad.
 */
export async function renderStack(options: RenderOptions): Promise<RenderResult> {
  const config = readStackConfig(
    options.projectDir,
    options.stack,
    options.set,
    options.setSecret,
    options.unset,
  );
  pulumi.runtime.setAllConfig(config.values, config.secretKeys);
  const runtime = installMockRuntime({ project: config.project, stack: options.stack, preview: true });
  await runtime.ready;

  const program = options.program
    ? options.program()
    : // eslint-disable-next-line @typescript-eslint/no-require-imports
      (require(path.join(options.projectDir, "index.ts")) as Record<string, unknown>);
  const outputs: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(program)) {
    if (value === undefined) continue;
    outputs[key] = await displayOutput(value);
  }
  await (pulumi.runtime as unknown as { waitForRPCs?: () => Promise<void> }).waitForRPCs?.();
  await sleep(50);
  assertUniqueUrns(runtime.resources);
  const budgets = (program.budgets ?? []) as PathBudget[];
  const text = [
    `Stack ${options.stack}: ${runtime.resources.length} resources`,
    resourceTree(runtime.resources),
    "",
    "Outputs:",
    ...Object.entries(outputs)
      .filter(([k]) => k !== "budgets")
      .map(([k, v]) => `  ${k}: ${JSON.stringify(v)}`),
    "",
    budgetTable(budgets),
  ].join("\n");
  return { resources: [...runtime.resources], outputs, budgets, text };
}

/** The engine refuses two resources with one URN (same type, name and parent type); so does the render. */
export function assertUniqueUrns(resources: RecordedResource[]): void {
  const seen = new Set<string>();
  for (const r of resources) {
    if (seen.has(r.urn)) {
      throw new Error(`Duplicate resource URN '${r.urn}'; try giving it a unique name`);
    }
    seen.add(r.urn);
  }
}

/** `resources.json` entries: every resource, secrets and unknowns replaced for display. */
export function resourcesJson(resources: RecordedResource[]): unknown[] {
  return resources.map((r) => ({
    type: r.type,
    name: r.name,
    parent: r.parent,
    parentType: r.parentType,
    inputs: displayValue(r.inputs),
  }));
}

/** The Kubernetes objects as they would be applied, one YAML document a resource. */
export function kubernetesManifests(resources: RecordedResource[]): { file: string; yaml: string }[] {
  return resources
    .filter((r) => r.type.startsWith("kubernetes:") && !r.component)
    .map((r, i) => {
      const object = displayValue(r.inputs) as Record<string, unknown>;
      const metadata = (object.metadata ?? {}) as Record<string, unknown>;
      // Pulumi auto-names objects without a metadata.name: the resource name plus a random suffix (x here).
      if (metadata.name === undefined)
        object.metadata = { name: `${r.name}-${AUTONAME_SUFFIX}`, ...metadata };
      const kind = String(object.kind ?? r.type.split(":").pop());
      const file = `${String(i + 1).padStart(2, "0")}-${kind.toLowerCase()}-${r.name}.yaml`;
      const header = `# ${r.type} ${r.name}${isPatch(r) ? " (server-side apply patch of an existing object)" : ""}\n`;
      return { file, yaml: header + YAML.stringify(object, { lineWidth: 0 }) };
    });
}

function isPatch(r: RecordedResource): boolean {
  return r.type.endsWith("Patch");
}

export function writeRender(outDir: string, result: RenderResult): void {
  fs.rmSync(outDir, { recursive: true, force: true });
  fs.mkdirSync(path.join(outDir, "k8s"), { recursive: true });
  fs.writeFileSync(
    path.join(outDir, "resources.json"),
    JSON.stringify(resourcesJson(result.resources), null, 2) + "\n",
  );
  for (const m of kubernetesManifests(result.resources))
    fs.writeFileSync(path.join(outDir, "k8s", m.file), m.yaml);
  fs.writeFileSync(
    path.join(outDir, "budget.json"),
    JSON.stringify(budgetJson(result.budgets), null, 2) + "\n",
  );
  fs.writeFileSync(path.join(outDir, "outputs.json"), JSON.stringify(result.outputs, null, 2) + "\n");
}

export { isSecretValue };
