/**
 * The HAProxy drain driver's bundle (dist/bundle/haproxy-drain.js, what the L4 component ships in its
 * ConfigMap and the drain tests run): built from components/l4/haproxy/drainDriver.ts by
 * scripts/bundle.js (`npm run build`, `npm test`'s pretest), byte for byte the same wherever and
 * however often it is built, and the file in dist/ is the current source's.
 */
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { drainScript } from "../../components/l4/haproxy";

const ROOT = path.resolve(__dirname, "../..");
const BUNDLE = path.join(ROOT, "dist/bundle/haproxy-drain.js");

let dir: string;
beforeAll(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "drain-bundle-"))));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function bundleFrom(root: string, outdir: string): Buffer {
  execFileSync(
    process.execPath,
    [path.join(root, "scripts/bundle.js"), "haproxy-drain", "--outdir", outdir],
    {
      stdio: "pipe",
    },
  );
  return fs.readFileSync(path.join(outdir, "haproxy-drain.js"));
}

test("the bundle in dist/ is what the source bundles to, the same bytes from another checkout", () => {
  const here = bundleFrom(ROOT, path.join(dir, "here"));
  // A copy of the inputs (sources, tsconfig.json) at another path, node_modules shared: esbuild
  // writes only paths relative to the checkout.
  const elsewhere = path.join(dir, "elsewhere");
  fs.cpSync(path.join(ROOT, "components"), path.join(elsewhere, "components"), { recursive: true });
  fs.cpSync(path.join(ROOT, "scripts/bundle.js"), path.join(elsewhere, "scripts/bundle.js"));
  fs.cpSync(path.join(ROOT, "tsconfig.json"), path.join(elsewhere, "tsconfig.json"));
  fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(elsewhere, "node_modules"));
  expect(bundleFrom(elsewhere, path.join(dir, "there")).toString("utf8")).toBe(here.toString("utf8"));
  // A difference here: dist/ holds an older build; `npm run build` (or `npm test`) rebuilds it.
  expect(fs.readFileSync(BUNDLE, "utf8")).toBe(here.toString("utf8"));
  expect(drainScript()).toBe(here.toString("utf8"));
});

test("the bundle runs on its own: a wrong option exits 1 naming it", () => {
  const copy = path.join(dir, "alone.js");
  fs.copyFileSync(BUNDLE, copy);
  const run = spawnSync(process.execPath, [copy, "--socket", "/s", "--window", "5", "--bogus"], {
    encoding: "utf8",
  });
  expect(run.status).toBe(1);
  expect(run.stderr).toBe("haproxy-drain: unknown argument --bogus\n");
  expect(run.stdout).toBe("");
});

test("drainScript names the build step when the bundle is missing", () => {
  const moduleDir = path.join(dir, "nowhere/components/l4/haproxy");
  expect(() => drainScript(moduleDir)).toThrow(
    `${JSON.stringify(path.join(dir, "nowhere/dist/bundle/haproxy-drain.js"))} does not exist; run \`npm run build\` to bundle the HAProxy drain driver (the L4 component ships it in a ConfigMap)`,
  );
});
