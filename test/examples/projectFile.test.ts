import * as fs from "fs";
import * as path from "path";
import YAML from "yaml";

const EXAMPLE = path.join(__dirname, "../../examples/consumer");

/**
 * The real Pulumi CLI refuses a project file with duplicate keys, and requires every config key
 * declared without a default; the example's program requires none (it reads each with config.get).
 */
describe("examples/consumer/Pulumi.yaml", () => {
  const text = fs.readFileSync(path.join(EXAMPLE, "Pulumi.yaml"), "utf8");

  test("is valid YAML without duplicate keys", () => {
    expect(YAML.parseDocument(text).errors).toEqual([]);
  });

  test("declares no key without a default, and reads each declared key with config.get", () => {
    const config = YAML.parse(text).config as Record<string, { default?: unknown }>;
    const program = fs.readFileSync(path.join(EXAMPLE, "index.ts"), "utf8");
    for (const [key, declaration] of Object.entries(config)) {
      expect({ key, default: declaration.default !== undefined }).toEqual({ key, default: true });
      expect(program).toContain(`config.get("${key}")`);
    }
  });
});
