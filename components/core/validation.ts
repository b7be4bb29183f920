/**
 * Argument validation shared by the components, the stack config and the policy pack.
 * Every check throws a ValidationError whose message names the owner, the argument and the fix,
 * before anything is registered. A problem that names other arguments references them (message.ts).
 */
import { Message, msg, Problem } from "./message";

export { arg, join, msg } from "./message";
export type { Problem } from "./message";

/**
 * A refusal of an argument. It counts as a `pulumi.RunError`, which the Node.js language host
 * prints as its message alone (no stack trace, no dumped error object) when it ends a program:
 * `RunError.isInstance` checks the `__pulumiRunError` field, the SDK's way to recognise a RunError
 * across copies of itself. The field is set here rather than by extending RunError because the
 * policy pack reuses this module and loads no package but @pulumi/policy (test/policy/pack.test.ts);
 * test/unit/validation.test.ts checks it against the SDK's own RunError.isInstance.
 */
export class ValidationError extends Error {
  /** Read by `pulumi.RunError.isInstance`. */
  readonly __pulumiRunError = true;
  /** What is wrong and how to fix it, with every argument it names as a path. */
  public readonly problem: string;
  /** The same, every other argument it names as a reference (the stack program names its config key). */
  public readonly problemMessage: Message;

  constructor(
    /** Who was given the bad value, e.g. `TunnelExposure "dev"`. */
    public readonly owner: string,
    /** Dotted path of the argument, e.g. `tunnel.hostname`. */
    public readonly field: string,
    problem: Problem,
  ) {
    super(`${owner}: ${field} ${String(problem)}`);
    this.problem = String(problem);
    this.problemMessage = typeof problem === "string" ? new Message([problem]) : problem;
    this.name = "ValidationError";
  }
}

/** `TunnelExposure "dev"`: how messages name a component instance. */
export function ownerName(kind: string, name: string): string {
  return `${kind} "${name}"`;
}

export function fail(owner: string, field: string, problem: Problem): never {
  throw new ValidationError(owner, field, problem);
}

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/** A fully qualified DNS name (RFC 1123 labels, at least two of them), optionally `*.` wildcard. */
export function isHostname(value: string, allowWildcard = false): boolean {
  if (value.length === 0 || value.length > 253) return false;
  const labels = value.toLowerCase().split(".");
  if (labels.length < 2) return false;
  return labels.every((label, i) => (allowWildcard && i === 0 && label === "*") || LABEL.test(label));
}

const SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const QUALIFIED_NAME_PART = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

/**
 * A Kubernetes qualified name (what the API server takes as a Service's `loadBalancerClass`): an
 * optional DNS-subdomain prefix of at most 253 characters and "/", then a name of at most 63
 * letters, digits, "-", "_" or "." that starts and ends with a letter or digit.
 */
export function isQualifiedName(value: string): boolean {
  const slash = value.indexOf("/");
  const prefix = slash === -1 ? undefined : value.slice(0, slash);
  const name = slash === -1 ? value : value.slice(slash + 1);
  if (prefix !== undefined && (prefix.length > 253 || !SUBDOMAIN.test(prefix))) return false;
  return name.length <= 63 && QUALIFIED_NAME_PART.test(name);
}

export function requireHostname(owner: string, field: string, value: unknown, allowWildcard = false): string {
  if (typeof value !== "string" || !isHostname(value, allowWildcard)) {
    const wildcard = allowWildcard ? ' (a leading "*." wildcard is allowed)' : "";
    fail(
      owner,
      field,
      `${JSON.stringify(value)} is not a valid DNS name; use a fully qualified name such as "ws.example.com"${wildcard}`,
    );
  }
  return value.toLowerCase();
}

/** An HTTP path as clients send it: starts with `/`, no whitespace, query or fragment. */
export function requirePath(owner: string, field: string, value: unknown): string {
  if (typeof value !== "string" || !/^\/[^\s?#]*$/.test(value)) {
    fail(
      owner,
      field,
      `${JSON.stringify(value)} is not a path; it must start with "/" and hold no spaces, "?" or "#" (e.g. "/ws")`,
    );
  }
  return value;
}

/** A whole number in [min, max]; `unit` reads in the message, e.g. "seconds". */
export function requireWholeNumber(
  owner: string,
  field: string,
  value: unknown,
  min: number,
  max: number = Number.MAX_SAFE_INTEGER,
  unit: Problem = "",
): number {
  const suffix = unit ? msg` ${unit}` : "";
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `from ${min} to ${max}`;
    fail(owner, field, msg`must be a whole number${suffix} ${range} (got ${JSON.stringify(value)})`);
  }
  return value;
}

/** Ports the Knative queue-proxy reserves in every Knative pod. */
export const KNATIVE_RESERVED_PORTS: readonly number[] = [8012, 8013, 8022, 9090, 9091];

export function requirePort(owner: string, field: string, value: unknown): number {
  return requireWholeNumber(owner, field, value, 1, 65535);
}

/** A Kubernetes object name (RFC 1123 label, as Services and namespaces need). */
export function requireDnsLabel(owner: string, field: string, value: unknown): string {
  if (typeof value !== "string" || !LABEL.test(value)) {
    fail(
      owner,
      field,
      `${JSON.stringify(value)} is not a valid Kubernetes name; use lower-case letters, digits and "-", at most 63 characters`,
    );
  }
  return value;
}

export function requireOneOf<T extends string>(
  owner: string,
  field: string,
  value: unknown,
  allowed: readonly T[],
): T {
  if (typeof value !== "string" || !allowed.includes(value as T)) {
    fail(
      owner,
      field,
      `must be one of ${allowed.map((a) => JSON.stringify(a)).join(", ")} (got ${JSON.stringify(value)})`,
    );
  }
  return value as T;
}

/** A container image pinned to a version tag (not `latest`) or a digest. */
export function isPinnedImage(image: string): boolean {
  return /^[^\s:@]+(:[\w][\w.-]*|@sha256:[a-f0-9]{64})$/.test(image) && !/:latest$/.test(image);
}

/** Refuses an unpinned image: a rollout must not pull a different binary than the one reviewed. */
export function requirePinnedImage(owner: string, field: string, image: unknown, example: string): string {
  if (typeof image !== "string" || !isPinnedImage(image)) {
    fail(owner, field, `${JSON.stringify(image)} is not pinned; use a tag or digest such as "${example}"`);
  }
  return image;
}
