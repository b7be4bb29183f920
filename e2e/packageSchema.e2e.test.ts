/**
 * The component package's schema (provider/), as `pulumi package get-schema` reports it with the
 * locally built CLI, against the committed snapshot provider/schema.json: a change to a public
 * argument or output of the package shows here as a diff. After a deliberate change, rewrite the
 * snapshot with `UPDATE_PACKAGE_SCHEMA=1 npx jest -c jest.e2e.config.js e2e/packageSchema`.
 *
 * The CLI runs the provider as an executable plugin (provider/pulumi-resource-ws-exposure), on the
 * checkout's node_modules: given the folder, the CLI would first install its dependencies (that
 * path, from a fresh clone: e2e/packageInstall.e2e.test.ts). The provider code and the schema are the same.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describeWith } from "./requirements";
import { toolchainBinDir } from "./toolchain";

const ROOT = path.join(__dirname, "..");
const PLUGIN = path.join(ROOT, "provider", "pulumi-resource-ws-exposure");
const SNAPSHOT = path.join(ROOT, "provider", "schema.json");

describeWith(["pulumi"], "the component package's schema (pulumi package get-schema)", () => {
  test("equals the committed snapshot provider/schema.json", () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), "ws-exposure-schema-"));
    try {
      const result = spawnSync("pulumi", ["package", "get-schema", PLUGIN], {
        cwd: home,
        encoding: "utf8",
        timeout: 10 * 60 * 1000,
        env: {
          ...process.env,
          PATH: `${toolchainBinDir()}${path.delimiter}${process.env.PATH ?? ""}`,
          PULUMI_HOME: path.join(home, ".pulumi"),
          PULUMI_SKIP_UPDATE_CHECK: "true",
        },
      });
      expect({ code: result.status, stderr: result.status === 0 ? "" : result.stderr }).toEqual({
        code: 0,
        stderr: "",
      });
      const schema: unknown = JSON.parse(result.stdout);
      if (process.env.UPDATE_PACKAGE_SCHEMA === "1") {
        fs.writeFileSync(SNAPSHOT, JSON.stringify(schema, null, 2) + "\n");
      }
      expect(schema).toEqual(JSON.parse(fs.readFileSync(SNAPSHOT, "utf8")));
    } finally {
      fs.rmSync(home, { recursive: true, force: true });
    }
  });
});
