/**
 * The components package as a TypeScript user installs it (issue 21, item 4): `npm pack` of the root
 * package, then a real `npm install` from the npm registry of the tarball and the pinned Pulumi SDKs
 * into a fresh project outside the checkout. What the user gets: no chart library (wsprobe's SVG
 * chart needs vega and vega-lite; the components do not), only the admission check's two dependencies and
 * the L4 address checks' one, and
 * exactly the public names. Slow and online, so it runs with the end-to-end tests (never skipped).
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { packPackage, ROOT } from "../test/helpers/consumer";
import { PUBLIC_NAMES } from "../test/helpers/publicNames";

const PINNED_SDKS = ["@pulumi/pulumi", "@pulumi/kubernetes", "@pulumi/cloudflare"];
/** vega, vega-lite and what they bring (d3-*, the canvas renderer), or any other chart library. */
const CHART_LIBRARY = /^(vega|vega-.*|d3|d3-.*|canvas|chart\.js|echarts|plotly.*|@observablehq\/.*)$/;

describe("npm pack of the components package, installed from the registry into a fresh project", () => {
  let work: string;
  let project: string;
  let installed: string[];

  beforeAll(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), "ws-exposure-pack-"));
    const { tarball } = packPackage(work);
    project = path.join(work, "user");
    fs.mkdirSync(project);
    fs.writeFileSync(path.join(project, "package.json"), JSON.stringify({ name: "user", private: true }));
    const devDependencies = JSON.parse(
      fs.readFileSync(path.join(ROOT, "package.json"), "utf8"),
    ).devDependencies;
    const sdks = PINNED_SDKS.map((name) => `${name}@${devDependencies[name]}`);
    execFileSync("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", tarball, ...sdks], {
      cwd: project,
      stdio: ["ignore", "ignore", "inherit"],
    });
    const lock = JSON.parse(fs.readFileSync(path.join(project, "node_modules/.package-lock.json"), "utf8"));
    installed = Object.keys(lock.packages)
      .filter((key) => key !== "")
      .map((key) => key.slice(key.lastIndexOf("node_modules/") + "node_modules/".length));
    const bytes = execFileSync("du", ["-sb", "node_modules"], { cwd: project, encoding: "utf8" }).split(
      "\t",
    )[0];
    console.log(
      `installed with the SDKs: ${installed.length} packages, ${(Number(bytes) / 1048576).toFixed(1)} MiB`,
    );
  });
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  it("installs no chart library", () => {
    expect(installed).toContain("ws-exposure");
    expect(installed.filter((name) => CHART_LIBRARY.test(name))).toEqual([]);
  });

  it("its dependencies are the admission check's, yaml (kubeconfig parser) and @kubernetes/client-node (API client), and ipaddr.js (L4 addresses); the Pulumi SDKs are peers", () => {
    const pkg = JSON.parse(
      fs.readFileSync(path.join(project, "node_modules/ws-exposure/package.json"), "utf8"),
    );
    expect(Object.keys(pkg.dependencies)).toEqual(["@kubernetes/client-node", "ipaddr.js", "yaml"]);
    expect(Object.keys(pkg.peerDependencies).sort()).toEqual([...PINNED_SDKS].sort());
    expect(pkg.bin).toBeUndefined();
  });

  it('require("ws-exposure") exposes exactly the public names; ws-exposure/policy and the monitor\'s bundle are there', () => {
    const script = [
      'const names = Object.keys(require("ws-exposure")).sort();',
      'const policy = Object.keys(require("ws-exposure/policy")).includes("catchAllProblem");',
      'const bundle = require("node:fs").existsSync(require.resolve("ws-exposure/package.json").replace(/package\\.json$/, "dist/bundle/wsprobe.js"));',
      "console.log(JSON.stringify({ names, policy, bundle }));",
    ].join("\n");
    const out = execFileSync(process.execPath, ["-e", script], { cwd: project, encoding: "utf8" });
    expect(JSON.parse(out)).toEqual({ names: PUBLIC_NAMES, policy: true, bundle: true });
  });
});
