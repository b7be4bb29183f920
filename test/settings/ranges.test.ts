/**
 * The ranges the settings table documents (components/settings, printed in the generated
 * references) are what the component takes: on the staging stack, the ends are planned and one past
 * either end is refused, naming the key the user wrote and the range.
 */
import * as fs from "fs";
import * as path from "path";
import YAML from "yaml";
import { Setting, SETTINGS } from "../../components/settings";
import { planL4 } from "../../components/l4/plan";
import { parseStackConfig, StackConfig } from "../../stacks/config";
import { inStackTerms } from "../../stacks/configArgs";
import { l4Args } from "../../stacks/modes/l4";

const file = YAML.parse(fs.readFileSync(path.join(__dirname, "../../Pulumi.staging.yaml"), "utf8"));
const staging = Object.fromEntries(
  Object.entries(file.config as Record<string, unknown>)
    .filter(([k]) => k.startsWith("ws-exposure:"))
    .map(([k, v]) => [k.slice("ws-exposure:".length), v]),
);

/** What planning the staging stack with `key` set to `value` says: nothing, or the refusal's message. */
function refusal(key: string, value: number): string | undefined {
  const config = { ...parseStackConfig({ ...staging, [key]: value }), secrets: {} } as StackConfig;
  try {
    planL4("staging", l4Args(config, config.hostname));
    return undefined;
  } catch (err) {
    return (inStackTerms(err, "l4") as Error).message;
  }
}

const ranged = (Object.entries(SETTINGS) as [string, Setting][]).filter(([, s]) => s.range !== undefined);

test("the table gives ranges to check", () => expect(ranged.length).toBeGreaterThan(0));

describe.each(ranged)("ws-exposure:%s", (key, setting) => {
  const [min, max] = setting.range as readonly [number, number];
  test.each([min, max])("%d is taken", (value) => expect(refusal(key, value)).toBeUndefined());
  test.each([min - 1, max + 1])("%d is refused naming the key and the range", (value) => {
    const message = refusal(key, value);
    expect(message).toMatch(new RegExp(`^stack config: ws-exposure:${key} must be a whole number `));
    expect(message).toContain(`from ${min} to ${max} (got ${value}) [L4Exposure "staging": `);
  });
});
