/**
 * The PrometheusRule WsMonitor generates, evaluated by Prometheus's own rule engine (`promtool test
 * rules`, Debian package `prometheus`) over series recorded from wsprobe's own metrics code: a
 * simulated monitor's connections drop at the lifetimes given, the registry is scraped once a
 * minute, and the scrapes (with the target labels a ServiceMonitor scrape attaches) are the input.
 * Skipped (with the reason printed) when promtool is missing, except under CI=true where that fails.
 */
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { monitorContainerArgs, planMonitor, prometheusRuleSpec } from "../../components/monitor";
import { metricsForContainer, observeDrop, parseExposition } from "../helpers/monitorMetrics";

function findPromtool(): string | undefined {
  try {
    return execFileSync("sh", ["-c", "command -v promtool"], { encoding: "utf8" }).trim() || undefined;
  } catch {
    return undefined;
  }
}

const PROMTOOL = findPromtool();
const underCi = process.env.CI === "true";
if (!PROMTOOL) {
  if (underCi) {
    test("promtool is installed (required under CI=true)", () => {
      throw new Error("promtool not found on PATH: CI must install the Debian package `prometheus`");
    });
  } else {
    console.warn(
      "skipping the PrometheusRule tests: no promtool on PATH (apt-get install --no-install-recommends prometheus)",
    );
  }
}
const describeWithPromtool = PROMTOOL ? describe : describe.skip;

const TARGET = { namespace: "agents-whatsapp-rust", service: "dev-monitor-metrics" };
const URL = "wss://messaging.example.com/ws";
const CAP = 3600;
const HOURS = 6;
/** What the monitor measures for connections cut by a 3600 s cap (see monitorAlert.test.ts). */
const CAPPED = [3598.7, 3599.4, 3599.81, 3599.97, 3599.999, 3600, 3600.002, 3600.03, 3600.4, 3601.2];
/** The iOS profile's first reconnect delay. */
const RECONNECT_SECONDS = 2;

/**
 * Input series for promtool: `connections` connections opened at staggered times, each living
 * `lifetime(k)` for its k-th connection and reconnecting 2 s later; wsprobe's registry scraped every
 * minute for HOURS hours.
 */
async function recordSeries(
  command: string[],
  connections: number,
  lifetime: (k: number) => number,
): Promise<{ series: string; values: string }[]> {
  const metrics = metricsForContainer(command);
  const drops: { at: number; lifetime: number }[] = [];
  for (let c = 0; c < connections; c++) {
    let t = (c * 900) % 3600;
    for (let k = 0; ; k++) {
      const l = lifetime(k + c);
      if (t + l > HOURS * 3600) break;
      drops.push({ at: t + l, lifetime: l });
      t += l + RECONNECT_SECONDS;
    }
  }
  const values = new Map<string, number[]>();
  for (let minute = 0; minute <= HOURS * 60; minute++) {
    for (const d of drops.filter((d) => d.at > (minute - 1) * 60 && d.at <= minute * 60))
      observeDrop(metrics, d.lifetime);
    for (const s of parseExposition(await metrics.registry.metrics())) {
      if (!s.name.startsWith("wsprobe_connection_duration_seconds")) continue;
      const labels = { ...s.labels, ...TARGET, job: TARGET.service, instance: "10.42.0.7:9464" };
      const key = `${s.name}{${Object.entries(labels)
        .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
        .join(",")}}`;
      values.set(key, [...(values.get(key) ?? []), s.value]);
    }
  }
  return [...values].map(([series, v]) => ({ series, values: v.join(" ") }));
}

describeWithPromtool("WsProbeShortLifetimes in Prometheus's rule engine (promtool test rules)", () => {
  let dir: string;
  beforeAll(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "wsprobe-rules-"))));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const plan = planMonitor("test", {
    url: URL,
    namespace: TARGET.namespace,
    expectedMinLifetimeSeconds: CAP,
  });
  const command = monitorContainerArgs(plan, URL);
  const spec = prometheusRuleSpec(plan, TARGET);
  const rule = spec.groups[0].rules.find((r) => r.alert === "WsProbeShortLifetimes");

  function promtool(
    inputSeries: { series: string; values: string }[],
    alertTests: { eval_time: string; exp_alerts: unknown[] }[],
    rules: typeof spec = spec,
  ) {
    fs.writeFileSync(path.join(dir, "rules.json"), JSON.stringify(rules));
    const testFile = path.join(dir, "test.json");
    fs.writeFileSync(
      testFile,
      JSON.stringify({
        rule_files: ["rules.json"],
        evaluation_interval: "1m",
        tests: [
          {
            interval: "1m",
            input_series: inputSeries,
            alert_rule_test: alertTests.map((t) => ({ ...t, alertname: "WsProbeShortLifetimes" })),
          },
        ],
      }),
    );
    const r = spawnSync(PROMTOOL as string, ["test", "rules", testFile], { cwd: dir, encoding: "utf8" });
    return { code: r.status, output: `${r.stdout}${r.stderr}` };
  }

  const firing = [
    {
      exp_labels: { severity: "warning" },
      exp_annotations: rule?.annotations,
    },
  ];

  test("quiet on a healthy path: 4 connections cut by Knative's 3600 s cap for 6 hours", async () => {
    const series = await recordSeries(command, 4, (k) => CAPPED[k % CAPPED.length]);
    const r = promtool(
      series,
      ["2h", "3h", "4h", "5h", "6h"].map((eval_time) => ({ eval_time, exp_alerts: [] })),
    );
    expect(r.output).toContain("SUCCESS");
    expect(r.code).toBe(0);
  });

  test("fires when an idle timer cuts the connections at 300 s", async () => {
    const series = await recordSeries(command, 4, () => 300.2);
    const r = promtool(series, [
      { eval_time: "1h", exp_alerts: firing },
      { eval_time: "6h", exp_alerts: firing },
    ]);
    expect(r.output).toContain("SUCCESS");
    expect(r.code).toBe(0);
  });

  test("fires when a 1800 s cap cuts every connection short of the promised 3600 s", async () => {
    const series = await recordSeries(command, 4, () => 1800.1);
    const r = promtool(series, [{ eval_time: "6h", exp_alerts: firing }]);
    expect(r.output).toContain("SUCCESS");
    expect(r.code).toBe(0);
  });

  test("the rule's old form (counting against the expected lifetime itself) fires on the healthy path: what this guards against", async () => {
    const series = await recordSeries(command, 4, (k) => CAPPED[k % CAPPED.length]);
    const old = JSON.parse(JSON.stringify(spec).replace('le=\\"3540\\"', 'le=\\"3600\\"')) as typeof spec;
    expect(JSON.stringify(old)).toContain('le=\\"3600\\"');
    const r = promtool(series, [{ eval_time: "6h", exp_alerts: [] }], old);
    expect(r.code).toBe(1);
    expect(r.output).toContain("alertname: WsProbeShortLifetimes, time: 6h,");
    expect(r.output).toMatch(
      /exp:\[\],\s*got:\[\s*0:\s*Labels:\{alertname="WsProbeShortLifetimes", severity="warning"\}/,
    );
  });
});
