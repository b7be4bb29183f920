import { closest, distance } from "fastest-levenshtein";
import type { z } from "zod";
import { RunError } from "@pulumi/pulumi";

export const CONFIG_NAMESPACE = "ws-exposure";

/**
 * A stack config that cannot be used; the message names the key and the fix. A `pulumi.RunError`:
 * `pulumi preview`/`up` print the message alone.
 */
export class StackConfigError extends RunError {
  constructor(public readonly problems: string[]) {
    super(`stack config: ${problems.join("\n  ")}`);
    this.name = "StackConfigError";
  }
}

/** `ws-exposure:httpPaths[1]` from a zod path. */
export function configKey(path: readonly PropertyKey[]): string {
  const [top, ...rest] = path.map(String);
  return `${CONFIG_NAMESPACE}:${top ?? ""}${rest.map((p) => `[${p}]`).join("")}`;
}

/** "did you mean" for a mistyped key, when one known key is close enough to be the intent. */
export function suggestKey(key: string, known: readonly string[]): string | undefined {
  if (known.length === 0) return undefined;
  const best = closest(key, known as string[]);
  return distance(key.toLowerCase(), best.toLowerCase()) <= Math.max(2, Math.floor(best.length / 3))
    ? best
    : undefined;
}

function describe(value: unknown): string {
  return value === undefined ? "nothing" : JSON.stringify(value);
}

/** One sentence per zod issue, in the vocabulary of `pulumi config set`. */
export function formatIssue(issue: z.core.$ZodIssue): string[] {
  const key = configKey(issue.path);
  switch (issue.code) {
    case "invalid_type":
      if (issue.input === undefined)
        return [`${key} is required (${issue.expected}); set it with pulumi config set ${key} <value>`];
      return [`${key} must be ${article(issue.expected)} (got ${describe(issue.input)})`];
    case "invalid_value":
      return [
        `${key} must be one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")} (got ${describe(issue.input)})`,
      ];
    default:
      return [`${key} ${issue.message}`];
  }
}

function article(expected: string): string {
  return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
}
