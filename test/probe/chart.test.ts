import { execFile } from "node:child_process";
import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as os from "node:os";
import * as path from "node:path";
import {
  CHART_PACKAGES,
  CHART_PACKAGES_MISSING,
  ChartPackagesMissingError,
  renderSvg,
  type ChartImporter,
  type SoakReport,
} from "../../probe";
import { startTestServer, type TestServer } from "./servers/echoServer";

const ROOT = path.join(__dirname, "../..");
const BUNDLE = path.join(ROOT, "dist/bundle/wsprobe.js");
const REPORT = {
  url: "ws://x/ws",
  timeline: [{ tMs: 1000, open: 1, drops: 0, rttCount: 1, rttP50Ms: 1, rttP99Ms: 1, rttMaxMs: 1 }],
  lifetimeSamplesMs: [],
  lifetimesMs: { count: 0 },
} as unknown as SoakReport;

/** A directory with no node_modules above it: what a machine without the chart's packages resolves. */
function bareDirectory(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "wsprobe-bare-"));
  expect(() => createRequire(path.join(dir, "x.js")).resolve("vega")).toThrow(/Cannot find module 'vega'/);
  return dir;
}

describe("the chart's packages are optional", () => {
  let bare: string;
  beforeAll(() => (bare = bareDirectory()));
  afterAll(() => fs.rmSync(bare, { recursive: true, force: true }));

  it("without them, renderSvg names both packages and the install command", async () => {
    const fromBare: ChartImporter = async (name) => createRequire(path.join(bare, "x.js"))(name);
    await expect(renderSvg(REPORT, fromBare)).rejects.toThrow(ChartPackagesMissingError);
    await expect(renderSvg(REPORT, fromBare)).rejects.toThrow(
      "--svg needs the optional packages vega and vega-lite, which are not installed; install them beside " +
        "wsprobe: npm install vega@^6.4.0 vega-lite@^6.4.3",
    );
  });

  it("any other failure of a chart package passes through as it is", async () => {
    const broken: ChartImporter = async () => {
      throw new TypeError("vega is broken");
    };
    await expect(renderSvg(REPORT, broken)).rejects.toThrow(new TypeError("vega is broken"));
  });

  it("probe/package.json declares them as optional peers with the ranges the message asks for", () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "probe/package.json"), "utf8"));
    expect(pkg.peerDependencies).toEqual(CHART_PACKAGES);
    expect(pkg.peerDependenciesMeta).toEqual({ vega: { optional: true }, "vega-lite": { optional: true } });
    expect(Object.keys(pkg.dependencies)).toEqual(["commander", "hdr-histogram-js", "prom-client", "ws"]);
  });

  describe("the single-file bundle (the monitor's) run where no node_modules exist", () => {
    let echo: TestServer;
    let script: string;
    beforeAll(async () => {
      echo = await startTestServer();
      script = path.join(bare, "wsprobe.js");
      fs.copyFileSync(BUNDLE, script);
    });
    afterAll(() => echo.close());

    // Asynchronous: the echo server runs in this process.
    const run = (args: string[]) =>
      new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) =>
        execFile(process.execPath, [script, ...args], { cwd: bare, timeout: 60_000 }, (err, stdout, stderr) =>
          resolve({ status: err ? (typeof err.code === "number" ? err.code : null) : 0, stdout, stderr }),
        ),
      );

    it("check works: the bundle needs no package at run time", async () => {
      const r = await run(["check", echo.url, "--json"]);
      expect(r.stderr).toBe("");
      expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, url: echo.url });
      expect(r.status).toBe(0);
    });

    it("soak --svg fails with exit 1 and the message naming the packages and the command", async () => {
      const svg = path.join(bare, "chart.svg");
      const r = await run(["soak", echo.url, "--duration", "1s", "--connections", "1", "--svg", svg]);
      expect(r.stderr).toBe(`wsprobe: ${CHART_PACKAGES_MISSING}\n`);
      expect(r.stdout).toMatch(/^wsprobe soak ws:\/\//);
      expect(r.status).toBe(1);
      expect(fs.existsSync(svg)).toBe(false);
    });
  });
});
