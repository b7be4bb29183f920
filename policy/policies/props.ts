/** Reading resource inputs as a policy sees them: plain JSON, with preview's unknowns as a sentinel string. */

/** What the engine passes for a value known only after deploy (`pulumi.runtime` `unknownValue`). */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export function isUnknown(value: unknown): boolean {
  return value === UNKNOWN;
}

export type Props = Record<string, unknown>;

export function asObject(value: unknown): Props | undefined {
  return value && typeof value === "object" && !Array.isArray(value) ? (value as Props) : undefined;
}

export function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** `a.b.c` of a nested object, undefined when any step is missing. */
export function at(value: unknown, ...path: string[]): unknown {
  let current: unknown = value;
  for (const key of path) {
    const obj = asObject(current);
    if (!obj) return undefined;
    current = obj[key];
  }
  return current;
}

/** `name` in metadata, for messages: `Deployment "cloudflared"`. */
export function describe(kind: string, props: Props, fallbackName: string): string {
  const name = at(props, "metadata", "name");
  return `${kind} "${typeof name === "string" && !isUnknown(name) ? name : fallbackName}"`;
}
