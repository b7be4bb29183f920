import { PathBudget } from "../components/budget/model";
import { RecordedResource } from "./mockRuntime";

/** `budget.json`: the paths and their hops, null where a hop has no limit. */
export function budgetJson(budgets: PathBudget[]): unknown {
  return {
    paths: budgets.map((b) => ({
      name: b.name,
      hops: b.hops.map((h) => ({
        name: h.name,
        idleTimeoutSeconds: h.idleTimeoutSeconds,
        lifetimeCapSeconds: h.lifetimeCapSeconds,
        dropEvents: h.dropEvents,
        ...(h.note ? { note: h.note } : {}),
      })),
      effectiveIdleTimeoutSeconds: b.effectiveIdleTimeoutSeconds,
      lifetimeCapSeconds: b.lifetimeCapSeconds,
      heartbeatSeconds: b.heartbeatSeconds,
      minLifetimeSeconds: b.minLifetimeSeconds,
      ok: b.ok,
      problems: b.problems,
      ...(b.reconnect ? { reconnect: b.reconnect } : {}),
    })),
  };
}

/**
 * The resources as a tree by parent, as `pulumi preview` lists them. Resources are identified by
 * URN (type and name), not by name alone: a child may share its parent's name (WsMonitor's Deployment).
 */
export function resourceTree(resources: RecordedResource[]): string {
  const known = new Set(resources.map((r) => r.urn));
  const children = new Map<string | null, RecordedResource[]>();
  for (const r of resources) {
    // A parent that was never recorded (the stack, a resource read with `get`) puts its children at the top.
    const parent =
      r.parentUrn !== null && known.has(r.parentUrn) && r.parentUrn !== r.urn ? r.parentUrn : null;
    const list = children.get(parent) ?? [];
    list.push(r);
    children.set(parent, list);
  }
  const lines: string[] = [];
  const walk = (parent: string | null, prefix: string) => {
    const list = children.get(parent) ?? [];
    list.forEach((r, i) => {
      const last = i === list.length - 1;
      lines.push(`${prefix}${last ? "└─ " : "├─ "}${r.type}  ${r.name}`);
      walk(r.urn, `${prefix}${last ? "   " : "│  "}`);
    });
  };
  walk(null, "");
  return lines.join("\n");
}
