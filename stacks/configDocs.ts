/**
 * The stack config's reference documents, generated from the settings table (components/settings) and
 * the doc comments of the arguments its keys become: stacks/configReference.yaml and docs/CONFIG.md.
 * `npm run gen:config` writes them; a test holds the committed files equal to what these functions print.
 */
import YAML from "yaml";
import { ArgPart, SECTIONS, Setting, SETTINGS } from "../components/settings";
import { argDocs, type Tagged } from "./argDocs";
import { CONFIG_NAMESPACE } from "./configErrors";

const REFERENCE_HEADER = `# The stack config reference: every key the program reads (${CONFIG_NAMESPACE}:<key>), its type and what it
# means. Pulumi.yaml declares only the keys every stack must set (mode, namespace, hostname): the
# Pulumi CLI refuses to run a stack that lacks any key Pulumi.yaml declares without a default
# ("Stack 'dev' is missing configuration values ..."), so the optional keys are documented here and
# in docs/CONFIG.md, and validated by the program (stacks/config.ts).
# Generated from components/settings and the arguments' doc comments by \`npm run gen:config\`; edit those,
# not this file.
`;

/**
 * A key's meaning: its argument's TypeScript doc (stacks/argDocs.ts) in stack keys, then its
 * `stackNote`; a key without an argument doc (`doc`) as the table writes it. Then the table's range
 * and default, each only when the doc does not already state it.
 */
export function settingDoc(setting: Setting): string {
  const meaning =
    setting.doc ?? `${renderedArgDoc(setting)}${setting.stackNote ? ` ${setting.stackNote}` : ""}`;
  const [low, high] = setting.range ?? [];
  const range = setting.range && !statesRange(meaning, setting.range) ? ` From ${low} to ${high}.` : "";
  return `${meaning}${range}${statesDefault(meaning, setting) ? "" : defaultSentence(setting)}`;
}

/**
 * A union's variant tags in the doc of the argument at `argument`: values quoted as the reference
 * quotes them, after the key that chooses the variant (`l4LoadBalancer "aws-nlb"`) unless the doc is
 * that key's own.
 */
function variantValues(argument: { part: ArgPart; path: string }): Tagged {
  return (tags, discriminant) => {
    const values = tags.map((t) => `"${t}"`).join(", ");
    if (discriminant === undefined) return values;
    const chooser = keyOfArgument(
      argument.part,
      [...argument.path.split(".").slice(0, -1), discriminant].join("."),
    );
    return chooser ? `${chooser} ${values}` : values;
  };
}

/** The argument a key's prose comes from: the first path of its first part. */
export function docArgument(setting: Setting): { part: ArgPart; path: string } | undefined {
  const first = Object.entries(setting.args ?? {})[0] as [ArgPart, readonly string[]] | undefined;
  return first && { part: first[0], path: first[1][0] };
}

/** The argument's TypeScript doc, its argument names that a key maps written as those keys, on one line. */
export function renderedArgDoc(setting: Setting): string {
  const argument = docArgument(setting);
  if (!argument) throw new Error("a setting without args has no argument doc");
  const doc = argDocs().reader.docAt(argDocs().root(argument.part), argument.path, variantValues(argument));
  return inStackKeys(argument.part, argument.path, doc);
}

/** A doc states the range when it writes both bounds as `low..high` or "from low to high". */
function statesRange(doc: string, [low, high]: readonly [number, number]): boolean {
  return doc.includes(`${low}..${high}`) || doc.toLowerCase().includes(`from ${low} to ${high}`);
}

/** A doc states the default when it says "Default" and the table's value (or derivation). */
function statesDefault(doc: string, setting: Setting): boolean {
  const d = setting.default;
  if (d === undefined) return true;
  return /\bDefault\b/.test(doc) && doc.includes("value" in d ? String(d.value) : d.says);
}

/** The parts whose keys may map an argument path of a part's args (`common` paths are in each exposure's). */
const PARTS_SEEN_FROM: Record<ArgPart, readonly ArgPart[]> = {
  common: ["common"],
  tunnel: ["tunnel", "common"],
  l4: ["l4", "common"],
  hybrid: ["hybrid", "common"],
  tunnelInHybrid: ["tunnelInHybrid", "tunnel", "common"],
  monitor: ["monitor"],
};

/**
 * The args a doc's names are looked up in: its own part's; a `common` argument is in both exposures'
 * args, so its doc may name either's (the L4 path's first: the monitor's dial speaks of it).
 */
const ROOTS_OF: Record<ArgPart, readonly ArgPart[]> = {
  common: ["l4", "tunnel"],
  tunnel: ["tunnel"],
  l4: ["l4"],
  hybrid: ["hybrid"],
  tunnelInHybrid: ["tunnelInHybrid"],
  monitor: ["monitor"],
};

/** The key that maps an argument path of a part's args, if any. */
export function keyOfArgument(part: ArgPart, argPath: string): string | undefined {
  for (const p of PARTS_SEEN_FROM[part]) {
    const found = (Object.entries(SETTINGS) as [string, Setting][]).find(([, s]) =>
      s.args?.[p]?.includes(argPath),
    );
    if (found) return found[0];
  }
  return undefined;
}

/**
 * The argument a name in the doc of the argument at `fieldPath` stands for: the name resolved in the
 * field's parent object first, then in each ancestor up to the args' root; undefined when none has it.
 */
export function resolveArgument(
  part: ArgPart,
  fieldPath: string,
  name: string,
): { part: ArgPart; path: string } | undefined {
  const steps = fieldPath.split(".").slice(0, -1);
  for (let depth = steps.length; depth >= 0; depth--) {
    const candidate = [...steps.slice(0, depth), name].join(".");
    for (const root of ROOTS_OF[part]) {
      if (argDocs().reader.has(argDocs().root(root), candidate)) return { part: root, path: candidate };
    }
  }
  return undefined;
}

/**
 * A name in backticks (`replicas`, `websocket.minLifetimeSeconds`), or a bare camelCase name or dotted
 * path (hardStopAfterSeconds, cluster.podspecAffinity); not inside a quoted value, an annotation or a
 * file path. Plain lowercase words outside backticks are English (or HAProxy's and Kubernetes' words).
 */
const ARGUMENT_NAME =
  /`([a-z][A-Za-z0-9]*(?:\.[a-z][A-Za-z0-9]*)*)`|(?<![\w./<>"@$-])([a-z][a-z0-9]*(?:[A-Z][A-Za-z0-9]*)+(?:\.[a-z][A-Za-z0-9]*)*|[a-z][A-Za-z0-9]*(?:\.[a-z][A-Za-z0-9]*)+)(?![\w/<>"-]|\.[A-Za-z0-9])/g;

/** A name an argument doc uses, the argument it resolves to and the key that maps that argument. */
export interface ArgumentName {
  name: string;
  /** The argument path it resolves to; undefined for the documented field itself or no argument. */
  path?: string;
  key?: string;
}

/** Each name in a doc that resolves to another argument, with the key that maps it, if any. */
function eachArgumentName(
  part: ArgPart,
  fieldPath: string,
  doc: string,
  use: (found: ArgumentName, written: string, backticked: boolean) => string,
): string {
  return doc.replace(ARGUMENT_NAME, (whole, quoted: string | undefined, bare: string | undefined) => {
    const name = quoted ?? bare!;
    const resolved = resolveArgument(part, fieldPath, name);
    // A doc naming its own field names what the field sets (Kubernetes' terminationGracePeriodSeconds).
    if (resolved === undefined || resolved.path === fieldPath) return whole;
    return use(
      { name, path: resolved.path, key: keyOfArgument(resolved.part, resolved.path) },
      whole,
      quoted !== undefined,
    );
  });
}

/**
 * An argument doc in the stack's words, on one line: each name that resolves to another argument a
 * key maps is that key.
 */
export function inStackKeys(part: ArgPart, fieldPath: string, doc: string): string {
  const renamed = eachArgumentName(part, fieldPath, doc, ({ key }, written, backticked) => {
    if (key === undefined) return written;
    return backticked ? `\`${key}\`` : key;
  });
  return renamed.replace(/\s+/g, " ").trim();
}

/** The names a key's argument doc uses that resolve to an argument no key maps (they stay as written). */
export function unmappedArgumentNames(setting: Setting): string[] {
  const argument = docArgument(setting);
  if (!argument || setting.doc !== undefined) return [];
  const doc = argDocs().reader.docAt(argDocs().root(argument.part), argument.path, variantValues(argument));
  const names: string[] = [];
  eachArgumentName(argument.part, argument.path, doc, (found, written) => {
    if (found.key === undefined) names.push(found.name);
    return written;
  });
  return [...new Set(names)];
}

function defaultSentence(setting: Setting): string {
  const d = setting.default;
  if (d === undefined) return "";
  if ("value" in d) return ` Default ${d.value}${d.note ?? ""}.`;
  const from = (SETTINGS as Record<string, Setting>)[d.from].default;
  const fromValue = from !== undefined && "value" in from ? from.value : undefined;
  const example =
    typeof fromValue === "number" ? ` (${d.derive(fromValue)} with its default ${fromValue})` : "";
  return ` Default ${d.says}${example}.`;
}

/**
 * A text that YAML must quote is quoted as prettier quotes it (the lint checks the file): single
 * quotes when the text holds a double quote, else double quotes.
 */
function quotedAsPrettierWould(text: string): string | YAML.Scalar {
  if (!/^["']/.test(YAML.stringify(text, { lineWidth: 0 }))) return text;
  const scalar = new YAML.Scalar(text);
  scalar.type = text.includes('"') ? YAML.Scalar.QUOTE_SINGLE : YAML.Scalar.QUOTE_DOUBLE;
  return scalar;
}

/** A key as Pulumi's project config declares it (the `config:` block of Pulumi.yaml). */
export function projectConfigDeclaration(setting: Setting): Record<string, unknown> {
  const type = setting.type === "string[]" ? "array" : setting.type;
  return {
    type,
    ...(setting.type === "string[]" ? { items: { type: "string" } } : {}),
    ...(setting.secret ? { secret: true } : {}),
    description: settingDoc(setting),
  };
}

function indent(text: string, spaces: number): string {
  const pad = " ".repeat(spaces);
  return text
    .trimEnd()
    .split("\n")
    .map((line) => pad + line)
    .join("\n");
}

/** stacks/configReference.yaml: every key, typed and described, by section. */
export function configReferenceYaml(): string {
  const lines = [REFERENCE_HEADER.trimEnd(), "config:"];
  for (const section of SECTIONS) {
    lines.push(`  # --- ${section.title}`);
    for (const [key, setting] of Object.entries(section.keys) as [string, Setting][]) {
      const declaration = projectConfigDeclaration(setting);
      const body = YAML.stringify(
        { ...declaration, description: quotedAsPrettierWould(declaration.description as string) },
        { lineWidth: 0 },
      );
      lines.push(`  ${key}:`, indent(body, 4));
    }
  }
  return `${lines.join("\n")}\n`;
}

function typeCell(setting: Setting): string {
  const type = setting.type === "string[]" ? "array" : setting.type;
  return setting.secret ? `${type} (secret)` : type;
}

const CONFIG_INTRO = `# Stack configuration reference

<!-- Generated from components/settings and the arguments' doc comments by \`npm run gen:config\`; edit those, not this file. -->

Keys are flat (\`${CONFIG_NAMESPACE}:<key>\`) because Pulumi's project config can type and describe only
scalar and array keys. \`Pulumi.yaml\` declares only \`mode\`, \`namespace\` and \`hostname\`, the keys every
stack must set: the Pulumi CLI refuses to run a stack that lacks any key \`Pulumi.yaml\` declares
without a default (\`Stack 'dev' is missing configuration values ...\`), and so does the offline
render. Every key below is typed and described in \`stacks/configReference.yaml\`; both are generated
from the settings table in \`components/settings/\`, which the program validates with, and each key's
meaning is the doc comment of the component argument it becomes, argument names written as keys. Unknown keys
are reported with the closest known key; a key the stack's \`mode\` does not read (\`tlsMode\` in a
tunnel stack, \`fallback\` outside hybrid) is refused rather than ignored. When a component refuses a
value, the message names the key you wrote, then the component argument in brackets: \`stack config:
${CONFIG_NAMESPACE}:l4Port must be a whole number from 1 to 65535 (got 70000) [L4Exposure "staging": port]\`.
\`npm run render\` with any option either writes its output or exits 1 with that message.

A new key is one entry in \`components/settings/\` (its type, the component argument it becomes, its
default and range; a \`doc\` only for a key with no argument doc, a short \`stackNote\` only for what
the flat key encodes differently), a line in the mode's builder in \`stacks/modes/\`, and
\`npm run gen:config\`. Its prose is the argument's TypeScript doc comment: improve that (and its copy
in \`components/package/args.ts\`) rather than the table. Tests hold the entry to the components'
argument types, the package schema and what the component plans and refuses, and the printed doc to
its default and range.
`;

/** docs/CONFIG.md: the reference as tables, one per section. */
export function configMarkdown(): string {
  const parts = [CONFIG_INTRO];
  for (const section of SECTIONS) {
    const title = section.title.charAt(0).toUpperCase() + section.title.slice(1);
    const rows = (Object.entries(section.keys) as [string, Setting][]).map(
      ([key, s]) => `| \`${key}\` | ${typeCell(s)} | ${settingDoc(s).replace(/\|/g, "\\|")} |`,
    );
    parts.push(`## ${title}\n\n| key | type | meaning |\n| --- | --- | --- |\n${rows.join("\n")}\n`);
  }
  return parts.join("\n");
}
