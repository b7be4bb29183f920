import { PathBudget } from "../components/budget/model";
import { RecordedResource } from "./mockRuntime";

function seconds(value: number | null): string {
  return value === null ? "none" : `${value} s`;
}

/** The budget as a text table: one row per hop, then the path's effective limits. */
export function budgetTable(budgets: PathBudget[]): string {
  const lines: string[] = [];
  for (const b of budgets) {
    lines.push(
      `Connection budget: ${b.name} path (heartbeat ${b.heartbeatSeconds} s, lifetime wanted ${b.minLifetimeSeconds} s)`,
    );
    const rows = b.hops.map((h) => [
      h.name,
      seconds(h.idleTimeoutSeconds),
      seconds(h.lifetimeCapSeconds),
      h.dropEvents.join("; ") || "-",
    ]);
    const header = ["hop", "idle timeout", "lifetime cap", "drops connections anyway"];
    const widths = header.map((_, i) =>
      Math.max(header[i].length, ...rows.slice().map((r) => (i === 3 ? 0 : r[i].length))),
    );
    const fmt = (r: string[]) =>
      `  ${r[0].padEnd(widths[0])}  ${r[1].padEnd(widths[1])}  ${r[2].padEnd(widths[2])}  ${r[3]}`;
    lines.push(fmt(header));
    for (const r of rows) lines.push(fmt(r));
    lines.push(
      `  effective: idle timeout ${seconds(b.effectiveIdleTimeoutSeconds)}, lifetime cap ${seconds(b.lifetimeCapSeconds)}: ${b.ok ? "OK" : "FAILS"}`,
    );
    for (const p of b.problems) lines.push(`  problem: ${p}`);
    if (b.reconnect) {
      const r = b.reconnect;
      lines.push(
        `  a drop costs the client (backoff ${r.profile.initialSeconds}..${r.profile.maxSeconds} s, ${r.profile.maxAttempts} attempts over ${r.windowSeconds} s):`,
      );
      for (const e of r.events) {
        const back = e.survives
          ? `back after ${e.reconnectAfterSeconds} s (attempt ${e.attempt})`
          : "NOT back: attempts exhausted";
        lines.push(`    ${e.event}: unreachable ${e.outageSeconds} s, ${back}; ${e.basis}`);
      }
    }
  }
  return lines.join("\n");
}

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
