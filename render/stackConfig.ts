import * as fs from "fs";
import * as path from "path";
import YAML from "yaml";

export const SECRET_PLACEHOLDER = "[secret placeholder: the render cannot decrypt stack secrets]";

export interface RenderConfig {
  project: string;
  /** Full keys (`ws-exposure:mode`) to Pulumi's text form of the value. */
  values: Record<string, string>;
  /** Full keys whose values are secrets. */
  secretKeys: string[];
}

/** Pulumi hands config to a program as text: scalars as themselves, structures as JSON. */
function configText(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}

function qualify(project: string, key: string): string {
  return key.includes(":") ? key : `${project}:${key}`;
}

/**
 * Reads Pulumi.yaml and Pulumi.<stack>.yaml as the CLI would hand them to the program.
 * Encrypted values (`secure:`) cannot be read offline: they become a placeholder, still secret,
 * unless `secretOverrides` gives a value (tests use that to plant recognisable fakes).
 */
export function readStackConfig(
  dir: string,
  stack: string,
  overrides: Record<string, string> = {},
  secretOverrides: Record<string, string> = {},
  unset: string[] = [],
): RenderConfig {
  const projectFile = YAML.parse(fs.readFileSync(path.join(dir, "Pulumi.yaml"), "utf8")) as {
    name: string;
    config?: Record<string, { default?: unknown }>;
  };
  const stackPath = path.join(dir, `Pulumi.${stack}.yaml`);
  if (!fs.existsSync(stackPath)) {
    throw new Error(
      `no stack "${stack}": ${stackPath} does not exist (stacks here: ${listStacks(dir).join(", ") || "none"})`,
    );
  }
  const stackFile = (YAML.parse(fs.readFileSync(stackPath, "utf8")) ?? {}) as {
    config?: Record<string, unknown>;
  };
  const project = projectFile.name;
  const values: Record<string, string> = {};
  const secretKeys: string[] = [];
  for (const [key, value] of Object.entries(stackFile.config ?? {})) {
    const full = qualify(project, key);
    if (value !== null && typeof value === "object" && "secure" in (value as object)) {
      values[full] = SECRET_PLACEHOLDER;
      secretKeys.push(full);
    } else {
      values[full] = configText(value);
    }
  }
  for (const key of unset) delete values[qualify(project, key)];
  for (const [key, value] of Object.entries(overrides)) values[qualify(project, key)] = value;
  for (const [key, value] of Object.entries(secretOverrides)) {
    const full = qualify(project, key);
    values[full] = value;
    if (!secretKeys.includes(full)) secretKeys.push(full);
  }
  const missing = missingDeclaredKeys(project, projectFile.config ?? {}, values);
  if (missing.length > 0) {
    const list = missing.map((k) => `'${k}'`);
    const names =
      list.length === 1 ? list[0] : `${list.slice(0, -1).join(", ")} and ${list[list.length - 1]}`;
    // The CLI's own words, then the fix it leaves out.
    const fix = missing.map((k) => `pulumi config set ${qualify(project, k)} <value>`).join("; ");
    throw new Error(
      `Stack '${stack}' is missing configuration value${missing.length === 1 ? "" : "s"} ${names} (as pulumi preview says): set ${missing.length === 1 ? "it" : "them"} with ${fix}`,
    );
  }
  return { project, values, secretKeys };
}

/**
 * The keys Pulumi.yaml declares without a default that the stack does not set: the Pulumi CLI
 * refuses to run such a stack before the program starts, so the offline render refuses it too.
 */
export function missingDeclaredKeys(
  project: string,
  declared: Record<string, { default?: unknown }>,
  values: Record<string, string>,
): string[] {
  return Object.entries(declared)
    .filter(([key, decl]) => (decl ?? {}).default === undefined && !(qualify(project, key) in values))
    .map(([key]) => key)
    .sort();
}

export function listStacks(dir: string): string[] {
  return fs
    .readdirSync(dir)
    .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
    .filter((s): s is string => s !== undefined)
    .sort();
}
