/**
 * A message that names other arguments by reference, so each reader sees them in its own
 * vocabulary: an importing program reads the argument path (`tls.haproxy.timeouts.client`), the
 * stack program the config key the user wrote (`ws-exposure:haproxyClientTimeoutSeconds`).
 */

/** Another argument a message names, by its path in the component's args. */
export interface ArgRef {
  readonly arg: string;
}

export type MessagePart = string | ArgRef;

export class Message {
  constructor(public readonly parts: readonly MessagePart[]) {}

  /** The text, each referenced argument named by `nameOf` (by default its argument path). */
  render(nameOf: (argPath: string) => string = (argPath) => argPath): string {
    return this.parts.map((p) => (typeof p === "string" ? p : nameOf(p.arg))).join("");
  }

  toString(): string {
    return this.render();
  }
}

/** What is wrong and how to fix it: plain text, or a Message that references arguments. */
export type Problem = string | Message;

/**
 * How a reader names the argument at `argPath` of the component `owner` (`L4Exposure "staging"`):
 * a component's warnings are logged, not thrown, so the stack program cannot reword them afterwards.
 */
export type ArgNamer = (owner: string, argPath: string) => string;

/** The problem's text, each argument it references named by `names` (by default its path). */
export function renderProblem(problem: Problem, owner: string, names?: ArgNamer): string {
  if (typeof problem === "string") return problem;
  return names ? problem.render((argPath) => names(owner, argPath)) : problem.render();
}

/** A reference to the argument at `path` (e.g. `knative.maxScale`, `addressPool.create.addresses[0]`). */
export function arg(path: string): ArgRef {
  return { arg: path };
}

function isArgRef(value: unknown): value is ArgRef {
  return typeof value === "object" && value !== null && typeof (value as ArgRef).arg === "string";
}

/** The items one after another, `separator` between them (`join([a, b], " or ")`). */
export function join(items: readonly Problem[], separator: string): Message {
  return new Message(
    items.flatMap((item, i) => [
      ...(i ? [separator] : []),
      ...(typeof item === "string" ? [item] : item.parts),
    ]),
  );
}

/**
 * A Message from a template: `` msg`is above ${arg("knative.maxScale")} ${max}` ``. A value that
 * is an ArgRef stays a reference, a Message's parts are spliced in, anything else reads as in a
 * plain template.
 */
export function msg(strings: TemplateStringsArray, ...values: unknown[]): Message {
  const parts: MessagePart[] = [];
  strings.forEach((text, i) => {
    parts.push(text);
    if (i >= values.length) return;
    const value = values[i];
    if (value instanceof Message) parts.push(...value.parts);
    else if (isArgRef(value)) parts.push(value);
    else parts.push(`${value as string}`);
  });
  return new Message(parts);
}
