import { PathBudget } from "./model";

/**
 * The connection budget as a text table, no line wider than `width` columns: the render prints it,
 * and each exposure logs it to `pulumi preview`/`up` (components/budget/announce.ts). One formatter
 * for both, so the CLI shows what the render shows.
 */

/** The terminal the table is laid out for. */
export const TERMINAL_COLUMNS = 100;

/** Narrowest a wrapped column gets: below `width` = the columns before it + this, lines overflow. */
const MIN_TEXT_COLUMNS = 20;

function seconds(value: number | null): string {
  return value === null ? "none" : `${value} s`;
}

/**
 * Breaks `text` into lines of at most `width` characters at spaces; a word longer than `width`
 * (a URL, a long identifier) is cut into `width`-wide pieces rather than overflow.
 */
export function wrapText(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/).filter(Boolean)) {
    let rest = word;
    while (rest.length > 0) {
      const room = line === "" ? width : width - line.length - 1;
      if (rest.length <= room) {
        line = line === "" ? rest : `${line} ${rest}`;
        rest = "";
      } else if (line !== "") {
        lines.push(line);
        line = "";
      } else {
        lines.push(rest.slice(0, width));
        rest = rest.slice(width);
      }
    }
  }
  if (line !== "" || lines.length === 0) lines.push(line);
  return lines;
}

/** `text` wrapped to `width`, its first line after `first`, the others after `rest` (both indents). */
function hanging(text: string, first: string, rest: string, width: number): string[] {
  const room = Math.max(MIN_TEXT_COLUMNS, width - Math.max(first.length, rest.length));
  return wrapText(text, room).map((l, i) => `${i === 0 ? first : rest}${l}`);
}

/** One path: a row per hop (each drop event on lines of its own), the path's limits, what a drop costs. */
export function pathBudgetLines(b: PathBudget, width: number = TERMINAL_COLUMNS): string[] {
  const lines = hanging(
    `Connection budget: ${b.name} path (heartbeat ${b.heartbeatSeconds} s, lifetime wanted ${b.minLifetimeSeconds} s)`,
    "",
    "  ",
    width,
  );
  const header = ["hop", "idle timeout", "lifetime cap", "drops connections anyway"];
  const rows = b.hops.map((h) => ({
    cells: [h.name, seconds(h.idleTimeoutSeconds), seconds(h.lifetimeCapSeconds)],
    drops: h.dropEvents.length ? h.dropEvents : ["-"],
  }));
  const widths = [0, 1, 2].map((i) => Math.max(header[i].length, ...rows.map((r) => r.cells[i].length)));
  const lead = (cells: string[]) => `  ${cells.map((c, i) => c.padEnd(widths[i])).join("  ")}  `;
  const blank = " ".repeat(lead(["", "", ""]).length);
  lines.push(...hanging(header[3], lead(header.slice(0, 3)), blank, width));
  // Each event starts a line in the column; its continuation lines are indented under it.
  for (const r of rows) {
    r.drops.forEach((drop, i) =>
      lines.push(...hanging(drop, i === 0 ? lead(r.cells) : blank, `${blank}  `, width)),
    );
  }
  lines.push(
    ...hanging(
      `effective: idle timeout ${seconds(b.effectiveIdleTimeoutSeconds)}, lifetime cap ${seconds(b.lifetimeCapSeconds)}: ${b.ok ? "OK" : "FAILS"}`,
      "  ",
      "    ",
      width,
    ),
  );
  for (const p of b.problems) lines.push(...hanging(`problem: ${p}`, "  ", "    ", width));
  if (b.reconnect) {
    const r = b.reconnect;
    lines.push(
      ...hanging(
        `a drop costs the client (backoff ${r.profile.initialSeconds}..${r.profile.maxSeconds} s, ${r.profile.maxAttempts} attempts over ${r.windowSeconds} s):`,
        "  ",
        "    ",
        width,
      ),
    );
    for (const e of r.events) {
      const back = e.survives
        ? `back after ${e.reconnectAfterSeconds} s (attempt ${e.attempt})`
        : "NOT back: attempts exhausted";
      lines.push(
        ...hanging(
          `${e.event}: unreachable ${e.outageSeconds} s, ${back}; ${e.basis}`,
          "    ",
          "      ",
          width,
        ),
      );
    }
  }
  return lines;
}

/** Every path's table, one after the other. */
export function budgetTable(budgets: PathBudget[], width: number = TERMINAL_COLUMNS): string {
  return budgets.flatMap((b) => pathBudgetLines(b, width)).join("\n");
}
