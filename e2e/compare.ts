/**
 * The offline render against the real deployment: the render's `resources.json` (what `npm run
 * render` predicts under Pulumi's mock engine) and `pulumi stack export` (what the real engine and
 * providers recorded) must list the same resources (type, name, parent), and every input the render
 * knew (not "(known after deploy)", not "[secret]", not a dynamic provider's code, which the engine
 * serializes only at deploy time) must be the value the engine recorded.
 */
import { MOCK_PROVIDER_TEXT } from "../components/knative/AdmissionGate";
import { AUTONAME_SUFFIX } from "../render/mockRuntime";
import { ExportedResource, urnName } from "./pulumi";

export interface RenderedResource {
  type: string;
  name: string;
  parent: string | null | { type?: string; name: string };
  inputs: Record<string, unknown>;
}

const UNKNOWN = "(known after deploy)";
const SECRET = "[secret]";

function parentName(parent: RenderedResource["parent"]): string | null {
  if (parent === null || parent === undefined) return null;
  if (typeof parent === "object") return parent.name;
  return parent.includes("::") ? parent.slice(parent.lastIndexOf("::") + 2) : parent;
}

function key(type: string, name: string, parent: string | null): string {
  return `${type} ${name} (parent ${parent ?? "stack"})`;
}

/** Leaf paths of a rendered value with concrete values: `[["spec","replicas"], 2]`, ... */
function knownLeaves(value: unknown, at: string[] = []): [string[], unknown][] {
  if (value === UNKNOWN || value === SECRET || value === "(asset)" || value === MOCK_PROVIDER_TEXT) return [];
  if (Array.isArray(value)) {
    if (value.length === 0) return [[at, value]];
    return value.flatMap((v, i) => knownLeaves(v, [...at, String(i)]));
  }
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value);
    if (entries.length === 0) return [[at, value]];
    return entries.flatMap(([k, v]) => knownLeaves(v, [...at, k]));
  }
  return [[at, value]];
}

function lookup(value: unknown, at: string[]): { found: boolean; value?: unknown } {
  let here = value;
  for (const step of at) {
    if (here === null || typeof here !== "object" || !(step in (here as object))) return { found: false };
    here = (here as Record<string, unknown>)[step];
  }
  return { found: true, value: here };
}

/** The render stands for an auto-name's random suffix with AUTONAME_SUFFIX; the engine picks 8 hex digits. */
function sameValue(rendered: unknown, deployed: unknown): boolean {
  if (
    typeof rendered === "string" &&
    typeof deployed === "string" &&
    rendered.endsWith(`-${AUTONAME_SUFFIX}`)
  ) {
    const prefix = rendered.slice(0, -AUTONAME_SUFFIX.length);
    return deployed.startsWith(prefix) && /^[0-9a-f]{8}$/.test(deployed.slice(prefix.length));
  }
  return JSON.stringify(deployed) === JSON.stringify(rendered);
}

/** Every difference, one line each; empty when the render and the deployment agree. */
export function compareRenderWithState(rendered: RenderedResource[], state: ExportedResource[]): string[] {
  const byUrn = new Map(state.map((r) => [r.urn, r]));
  const deployed = new Map<string, ExportedResource>();
  for (const r of state) {
    if (r.type === "pulumi:pulumi:Stack" || r.type.startsWith("pulumi:providers:")) continue;
    const parent = r.parent ? byUrn.get(r.parent) : undefined;
    const parentKey = !parent || parent.type === "pulumi:pulumi:Stack" ? null : urnName(parent.urn);
    deployed.set(key(r.type, urnName(r.urn), parentKey), r);
  }
  const problems: string[] = [];
  const predicted = new Set<string>();
  for (const r of rendered) {
    const k = key(r.type, r.name, parentName(r.parent));
    predicted.add(k);
    const live = deployed.get(k);
    if (!live) {
      problems.push(`rendered but not deployed: ${k}`);
      continue;
    }
    for (const [at, value] of knownLeaves(r.inputs)) {
      const got = lookup(live.inputs ?? {}, at);
      if (!got.found)
        problems.push(`${k}: input ${at.join(".")} rendered ${JSON.stringify(value)}, not in the deployment`);
      else if (!sameValue(value, got.value)) {
        problems.push(
          `${k}: input ${at.join(".")} rendered ${JSON.stringify(value)}, deployed ${JSON.stringify(got.value)}`,
        );
      }
    }
  }
  for (const k of deployed.keys()) if (!predicted.has(k)) problems.push(`deployed but not rendered: ${k}`);
  return problems;
}
