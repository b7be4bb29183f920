/**
 * The stack config's reference documents, generated from the settings table (components/settings):
 * stacks/configReference.yaml and docs/CONFIG.md. `npm run gen:config` writes them; a test holds
 * the committed files equal to what these functions print.
 */
import YAML from "yaml";
import { SECTIONS, Setting, SETTINGS } from "../components/settings";
import { CONFIG_NAMESPACE } from "./configErrors";

const REFERENCE_HEADER = `# The stack config reference: every key the program reads (${CONFIG_NAMESPACE}:<key>), its type and what it
# means. Pulumi.yaml declares only the keys every stack must set (mode, namespace, hostname): the
# Pulumi CLI refuses to run a stack that lacks any key Pulumi.yaml declares without a default
# ("Stack 'dev' is missing configuration values ..."), so the optional keys are documented here and
# in docs/CONFIG.md, and validated by the program (stacks/config.ts).
# Generated from components/settings by \`npm run gen:config\`; edit the table, not this file.
`;

/** The key's meaning, then its range and its default when the table gives them. */
export function settingDoc(setting: Setting): string {
  const range = setting.range ? ` From ${setting.range[0]} to ${setting.range[1]}.` : "";
  return `${setting.doc}${range}${defaultSentence(setting)}`;
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
 * A text that YAML must quote is quoted as prettier quotes it (the lint checks the file): double
 * quotes, unless the text holds more double quotes than single ones.
 */
function quotedAsPrettierWould(text: string): string | YAML.Scalar {
  if (!/^["']/.test(YAML.stringify(text, { lineWidth: 0 }))) return text;
  const count = (quote: string) => text.split(quote).length - 1;
  const scalar = new YAML.Scalar(text);
  scalar.type = count('"') > count("'") ? YAML.Scalar.QUOTE_SINGLE : YAML.Scalar.QUOTE_DOUBLE;
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

<!-- Generated from components/settings by \`npm run gen:config\`; edit the table, not this file. -->

Keys are flat (\`${CONFIG_NAMESPACE}:<key>\`) because Pulumi's project config can type and describe only
scalar and array keys. \`Pulumi.yaml\` declares only \`mode\`, \`namespace\` and \`hostname\`, the keys every
stack must set: the Pulumi CLI refuses to run a stack that lacks any key \`Pulumi.yaml\` declares
without a default (\`Stack 'dev' is missing configuration values ...\`), and so does the offline
render. Every key below is typed and described in \`stacks/configReference.yaml\`; both are generated
from the settings table in \`components/settings/\`, which the program validates with. Unknown keys
are reported with the closest known key; a key the stack's \`mode\` does not read (\`tlsMode\` in a
tunnel stack, \`fallback\` outside hybrid) is refused rather than ignored. When a component refuses a
value, the message names the key you wrote, then the component argument in brackets: \`stack config:
${CONFIG_NAMESPACE}:l4Port must be a whole number from 1 to 65535 (got 70000) [L4Exposure "staging": port]\`.
\`npm run render\` with any option either writes its output or exits 1 with that message.

A new key is one entry in \`components/settings/\` (its type, the component argument it becomes, its
doc, default and range), a line in the mode's builder in \`stacks/modes/\`, and \`npm run gen:config\`;
tests hold the entry to the components' argument types, the package schema and what the component
plans and refuses.
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
