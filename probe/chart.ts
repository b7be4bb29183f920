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

/** Renders the chart headlessly (vega's SVG renderer, no canvas). */
export async function renderSvg(report: SoakReport): Promise<string> {
  // vega and vega-lite are ESM-only and large: a dynamic import (kept as import() in the CommonJS
  // output, external to the bundle) loads them only for --svg.
  const [vl, vega] = await Promise.all([import("vega-lite"), import("vega")]);
  const view = new vega.View(vega.parse(vl.compile(chartSpec(report)).spec), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
