import type { TopLevelSpec } from "vega-lite" with { "resolution-mode": "import" };
import type { SoakReport } from "./report";

/** The vega-lite spec of the soak chart: RTT over time, open connections, lifetime histogram. Pure, so testable. */
export function chartSpec(report: SoakReport): TopLevelSpec {
  const rtt = report.timeline.flatMap((p) =>
    p.rttCount === 0
      ? []
      : [
          { t: p.tMs / 1000, series: "p50", ms: p.rttP50Ms },
          { t: p.tMs / 1000, series: "p99", ms: p.rttP99Ms },
          { t: p.tMs / 1000, series: "max", ms: p.rttMaxMs },
        ],
  );
  const open = report.timeline.map((p) => ({ t: p.tMs / 1000, open: p.open, drops: p.drops }));
  const lifetimes = report.lifetimeSamplesMs.map((ms) => ({ s: ms / 1000 }));
  const width = 640;
  const time = { field: "t", type: "quantitative", title: "time (s)" } as const;
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: `wsprobe soak ${report.url}`,
    vconcat: [
      {
        title: "RTT per window",
        width,
        height: 200,
        data: { values: rtt },
        mark: { type: "line", point: rtt.length < 200 },
        encoding: {
          x: time,
          y: { field: "ms", type: "quantitative", title: "RTT (ms)" },
          color: { field: "series", type: "nominal", sort: ["p50", "p99", "max"] },
        },
      },
      {
        title: "Open connections",
        width,
        height: 120,
        data: { values: open },
        mark: "area",
        encoding: { x: time, y: { field: "open", type: "quantitative", title: "open" } },
      },
      {
        title: `Lifetimes of dropped connections (${report.lifetimesMs.count})`,
        width,
        height: 160,
        data: { values: lifetimes },
        mark: "bar",
        encoding: {
          x: { field: "s", type: "quantitative", bin: { maxbins: 40 }, title: "lifetime (s)" },
          y: { aggregate: "count", type: "quantitative", title: "connections" },
        },
      },
    ],
  };
}

/**
 * The chart's libraries, optional peer dependencies of wsprobe (probe/package.json keeps the same
 * ranges): large and needed only for --svg, so a plain install of wsprobe leaves them out.
 */
export const CHART_PACKAGES = { vega: "^6.4.0", "vega-lite": "^6.4.3" } as const;
export type ChartPackage = keyof typeof CHART_PACKAGES;

/** What --svg says when the chart's libraries are not installed: which ones, and the command. */
export const CHART_PACKAGES_MISSING =
  "--svg needs the optional packages vega and vega-lite, which are not installed; install them beside wsprobe: " +
  `npm install ${Object.entries(CHART_PACKAGES)
    .map(([name, range]) => `${name}@${range}`)
    .join(" ")}`;

export class ChartPackagesMissingError extends Error {
  constructor(cause: unknown) {
    super(CHART_PACKAGES_MISSING, { cause });
    this.name = "ChartPackagesMissingError";
  }
}

/** Loads one of the chart's packages (injectable, so a test can resolve from where none is installed). */
export type ChartImporter = (name: ChartPackage) => Promise<unknown>;

// vega and vega-lite are ESM-only and large: a dynamic import (kept as import() in the CommonJS
// output, external to the bundle) loads them only for --svg.
const importChartPackage: ChartImporter = (name) => (name === "vega" ? import("vega") : import("vega-lite"));

function isNotFound(err: unknown, name: string): boolean {
  const { code, message } = (err ?? {}) as { code?: unknown; message?: unknown };
  return (
    (code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND") &&
    typeof message === "string" &&
    message.includes(`'${name}'`)
  );
}

async function loadChartPackage<T>(name: ChartPackage, importer: ChartImporter): Promise<T> {
  try {
    return (await importer(name)) as T;
  } catch (err) {
    throw isNotFound(err, name) ? new ChartPackagesMissingError(err) : err;
  }
}

type Vega = typeof import("vega", { with: { "resolution-mode": "import" } });
type VegaLite = typeof import("vega-lite", { with: { "resolution-mode": "import" } });

/**
 * Renders the chart headlessly (vega's SVG renderer, no canvas). Throws ChartPackagesMissingError
 * when vega or vega-lite is not installed.
 */
export async function renderSvg(
  report: SoakReport,
  importer: ChartImporter = importChartPackage,
): Promise<string> {
  const [vl, vega] = await Promise.all([
    loadChartPackage<VegaLite>("vega-lite", importer),
    loadChartPackage<Vega>("vega", importer),
  ]);
  const view = new vega.View(vega.parse(vl.compile(chartSpec(report)).spec), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
