/**
 * WsProbeShortLifetimes against the lifetimes a healthy path produces.
 *
 * What is evaluated here, and what is not: the rule's own expression (parsed from the
 * PrometheusRule spec) over two scrapes of wsprobe's own metrics code, taken at the edges of the
 * rule's window. `increase(x[w])` is taken as the plain difference of the two scrapes: Prometheus
 * extrapolates each series to the window's edges, which scales numerator and denominator alike
 * and is not modelled. The real engine runs the same rule in monitorRule.integration.test.ts
 * (promtool).
 */
import { monitorContainerArgs, planMonitor, prometheusRuleSpec } from "../../components/monitor";
import { metricsForContainer, observeDrop, parseExposition, type Sample } from "../helpers/monitorMetrics";

const TARGET = { namespace: "agents-whatsapp-rust", service: "dev-monitor-metrics" };
const URL = "wss://messaging.example.com/ws";

/** Knative's cap is timeoutSeconds = minLifetimeSeconds = 3600 in every stack. */
const CAP = 3600;
/**
 * Lifetimes wsprobe measures for connections Knative cuts at exactly 3600 s: the cap starts when
 * the request reaches the queue-proxy and the probe's clock at open, so the upgrade's way back
 * comes off and the close's way back adds on; milliseconds to a couple of seconds either side.
 */
const CAPPED = [3598.7, 3599.4, 3599.81, 3599.97, 3599.999, 3600, 3600.002, 3600.03, 3600.4, 3601.2];

interface Evaluation {
  /** The expression's left-hand side, or undefined when a vector is empty (no series matched). */
  ratio: number | undefined;
  fires: boolean;
}

/** Evaluates `sum(increase(A{..}[w])) / sum(increase(B{..}[w])) > t` over two scrapes of one target. */
function evaluate(expr: string, before: Sample[], after: Sample[]): Evaluation {
  const m =
    /^sum\(increase\((\w+)\{([^}]*)\}\[(\d+)s\]\)\) \/ sum\(increase\((\w+)\{([^}]*)\}\[\3s\]\)\) > ([\d.]+)$/.exec(
      expr,
    );
  if (!m) throw new Error(`not the expression shape this evaluator knows: ${expr}`);
  const increaseSum = (name: string, matchers: string): number | undefined => {
    const want = Object.fromEntries(
      matchers.split(",").map((pair) => {
        const [k, v] = pair.split("=");
        return [k, JSON.parse(v) as string];
      }),
    );
    // The scrape attaches the target's labels; the exposition itself carries the rest.
    expect({ namespace: want.namespace, service: want.service }).toEqual(TARGET);
    delete want.namespace;
    delete want.service;
    const matches = (s: Sample) =>
      s.name === name && Object.entries(want).every(([k, v]) => s.labels[k] === v);
    const series = after.filter(matches);
    if (series.length === 0) return undefined;
    return series
      .map((s) => {
        const start = before.find((b) => matches(b) && JSON.stringify(b.labels) === JSON.stringify(s.labels));
        return s.value - (start?.value ?? 0);
      })
      .reduce((a, b) => a + b, 0);
  };
  const num = increaseSum(m[1], m[2]);
  const den = increaseSum(m[4], m[5]);
  if (num === undefined || den === undefined) return { ratio: undefined, fires: false };
  const ratio = num / den; // 0/0 is NaN: no drop in the window, and NaN > t is false.
  return { ratio, fires: ratio > Number(m[6]) };
}

function shortLifetimesRule(plan: ReturnType<typeof planMonitor>) {
  const rule = prometheusRuleSpec(plan, TARGET).groups[0].rules.find(
    (r) => r.alert === "WsProbeShortLifetimes",
  );
  if (!rule) throw new Error("no WsProbeShortLifetimes rule");
  return rule;
}

async function run(lifetimes: number[]): Promise<Evaluation & { exposition: string }> {
  const plan = planMonitor("test", {
    url: URL,
    namespace: TARGET.namespace,
    expectedMinLifetimeSeconds: CAP,
  });
  const metrics = metricsForContainer(monitorContainerArgs(plan, URL));
  const before = parseExposition(await metrics.registry.metrics());
  for (const l of lifetimes) observeDrop(metrics, l);
  const exposition = await metrics.registry.metrics();
  return { ...evaluate(shortLifetimesRule(plan).expr, before, parseExposition(exposition)), exposition };
}

describe("WsProbeShortLifetimes on the lifetimes of a 3600 s cap (timeoutSeconds = minLifetimeSeconds)", () => {
  test("the monitor exports the bucket boundary the rule counts", async () => {
    const plan = planMonitor("test", {
      url: URL,
      namespace: TARGET.namespace,
      expectedMinLifetimeSeconds: CAP,
    });
    const le = /le="([^"]+)"/.exec(shortLifetimesRule(plan).expr)?.[1];
    expect(le).toBe("3540");
    const text = await metricsForContainer(monitorContainerArgs(plan, URL)).registry.metrics();
    expect(text).toContain(`wsprobe_connection_duration_seconds_bucket{le="${le}"} 0`);
  });

  test("the healthy lifetimes straddle the cap: 6 of 10 at or below 3600 s (what made the old rule fire)", () => {
    expect(CAPPED.filter((l) => l <= CAP)).toHaveLength(6);
  });

  test.each([
    ["every drop is the 3600 s cap", CAPPED, 0],
    ["the cap, plus one early drop from a rollout", [...CAPPED, 1200.5], 1 / 11],
    ["no drop in the window", [], NaN],
  ])("quiet: %s", async (_label, lifetimes, ratio) => {
    const r = await run(lifetimes);
    expect(r.ratio).toBe(ratio);
    expect(r.fires).toBe(false);
  });

  test.each([
    ["an idle timer cuts every connection at 300 s", Array<number>(10).fill(300.2), 1],
    ["a lifetime cap of 1800 s, below the promised 3600 s", Array<number>(10).fill(1800.1), 1],
    ["mostly early drops among capped ones", [...CAPPED.slice(0, 4), ...Array<number>(6).fill(95)], 0.6],
  ])("fires: %s", async (_label, lifetimes, ratio) => {
    const r = await run(lifetimes);
    expect(r.ratio).toBeCloseTo(ratio, 10);
    expect(r.fires).toBe(true);
  });
});
