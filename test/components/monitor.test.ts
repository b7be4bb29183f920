import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { resource, settle, unwrap, useMockRuntime } from "../helpers/pulumi";
import {
  bundleCandidates,
  monitorContainerArgs,
  planMonitor,
  prometheusRuleSpec,
  WsMonitor,
  type WsMonitorArgs,
} from "../../components/monitor";
import { AUTONAME_SUFFIX } from "../../render/mockRuntime";

const runtime = useMockRuntime();

const T = {
  monitor: "ws-exposure:index:WsMonitor",
  configMap: "kubernetes:core/v1:ConfigMap",
  deployment: "kubernetes:apps/v1:Deployment",
  service: "kubernetes:core/v1:Service",
  serviceMonitor: "kubernetes:monitoring.coreos.com/v1:ServiceMonitor",
  rule: "kubernetes:monitoring.coreos.com/v1:PrometheusRule",
};

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "wsmonitor-"));
const bundlePath = path.join(tmp, "wsprobe.js");
const SCRIPT = "#!/usr/bin/env node\nconsole.log('wsprobe');\n";
fs.writeFileSync(bundlePath, SCRIPT);
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const URL = "wss://messaging.example.com/ws";
const NS = "agents-whatsapp-rust";
const args = (overrides: Partial<WsMonitorArgs> = {}): WsMonitorArgs => ({
  url: URL,
  namespace: NS,
  bundlePath,
  ...overrides,
});
const OWNER = 'WsMonitor "dev-monitor"';

async function build(a: WsMonitorArgs): Promise<WsMonitor> {
  const monitor = new WsMonitor("dev-monitor", a);
  await unwrap(monitor.urn);
  await unwrap(monitor.metricsUrl);
  await settle();
  return monitor;
}

describe("WsMonitor", () => {
  test("registers a ConfigMap, a Deployment and a metrics Service under the component, nothing else by default", async () => {
    await build(args());
    expect(runtime.resources.map((r) => [r.type, r.name, r.parent]).sort()).toEqual(
      [
        [T.monitor, "dev-monitor", null],
        [T.configMap, "dev-monitor-script", "dev-monitor"],
        [T.deployment, "dev-monitor", "dev-monitor"],
        [T.service, "dev-monitor-metrics", "dev-monitor"],
      ].sort(),
    );
  });

  test("the ConfigMap holds the bundled script, immutable", async () => {
    await build(args());
    const cm = resource(runtime.resources, T.configMap, "dev-monitor-script");
    expect(cm.inputs).toMatchObject({
      immutable: true,
      data: { "wsprobe.js": SCRIPT },
      metadata: { namespace: NS },
    });
  });

  test("the Deployment runs the script on the pinned Node image, non-root, read-only, with probes on /healthz", async () => {
    await build(args());
    const spec = resource(runtime.resources, T.deployment, "dev-monitor").inputs.spec as Record<string, any>;
    expect(spec.replicas).toBe(1);
    const pod = spec.template.spec;
    expect(pod.securityContext).toEqual({
      runAsNonRoot: true,
      runAsUser: 1000,
      runAsGroup: 1000,
      seccompProfile: { type: "RuntimeDefault" },
    });
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.volumes).toEqual([
      { name: "wsprobe", configMap: { name: `dev-monitor-script-${AUTONAME_SUFFIX}` } },
    ]);
    const [c] = pod.containers;
    expect(c.image).toBe("node:24.19.0-alpine3.24");
    expect(c.command).toEqual(
      [
        "node",
        "/opt/wsprobe/wsprobe.js",
        "monitor",
        URL,
        "--metrics-port",
        "9464",
        "--heartbeat",
        "5s",
      ].concat(["--connections", "1", "--expected-lifetime", "3600s", "--short-lifetime", "3540s"]),
    );
    expect(c.ports).toEqual([{ name: "metrics", containerPort: 9464, protocol: "TCP" }]);
    expect(c.livenessProbe.httpGet).toEqual({ path: "/healthz", port: "metrics" });
    expect(c.readinessProbe.httpGet).toEqual({ path: "/healthz", port: "metrics" });
    expect(c.securityContext).toEqual({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ["ALL"] },
    });
    expect(c.resources).toEqual({ requests: { cpu: "10m", memory: "48Mi" }, limits: { memory: "128Mi" } });
    expect(c.volumeMounts).toEqual([{ name: "wsprobe", mountPath: "/opt/wsprobe", readOnly: true }]);
    expect(spec.template.metadata.annotations["ws-exposure/wsprobe-sha256"]).toMatch(/^[0-9a-f]{64}$/);
  });

  test("the metrics Service is a ClusterIP with a port named metrics, selecting the pods", async () => {
    const monitor = await build(args());
    const svc = resource(runtime.resources, T.service, "dev-monitor-metrics");
    const deployment = resource(runtime.resources, T.deployment, "dev-monitor");
    expect(svc.inputs.spec).toEqual({
      type: "ClusterIP",
      selector: (deployment.inputs.spec as { selector: { matchLabels: unknown } }).selector.matchLabels,
      ports: [{ name: "metrics", port: 9464, targetPort: "metrics", protocol: "TCP" }],
    });
    expect(await unwrap(monitor.metricsUrl)).toBe(
      `http://dev-monitor-metrics-${AUTONAME_SUFFIX}.${NS}.svc:9464/metrics`,
    );
  });

  test("prometheusOperator.enabled adds a ServiceMonitor and a PrometheusRule with the operator's labels", async () => {
    await build(
      args({ prometheusOperator: { enabled: true, labels: { release: "kube-prometheus-stack" } } }),
    );
    const sm = resource(runtime.resources, T.serviceMonitor, "dev-monitor-servicemonitor");
    expect(sm.parent).toBe("dev-monitor");
    expect(sm.inputs).toMatchObject({
      apiVersion: "monitoring.coreos.com/v1",
      kind: "ServiceMonitor",
      metadata: {
        namespace: NS,
        labels: { release: "kube-prometheus-stack", "app.kubernetes.io/name": "wsprobe" },
      },
      spec: {
        namespaceSelector: { matchNames: [NS] },
        endpoints: [{ port: "metrics", path: "/metrics", interval: "30s" }],
      },
    });
    const rule = resource(runtime.resources, T.rule, "dev-monitor-rules");
    expect(rule.parent).toBe("dev-monitor");
    const groups = (rule.inputs.spec as { groups: Array<{ rules: Array<{ alert: string; expr: string }> }> })
      .groups;
    const sel = `namespace="${NS}",service="dev-monitor-metrics-${AUTONAME_SUFFIX}"`;
    expect(groups[0].rules.map((r) => [r.alert, r.expr])).toEqual([
      ["WsProbeEndpointDown", `max(wsprobe_up{${sel}}) == 0`],
      ["WsProbeDrops", `sum(rate(wsprobe_drops_total{${sel}}[5m])) > 0.01`],
      [
        "WsProbeShortLifetimes",
        `sum(increase(wsprobe_connection_duration_seconds_bucket{${sel},le="3540"}[7200s])) / sum(increase(wsprobe_connection_duration_seconds_count{${sel}}[7200s])) > 0.5`,
      ],
    ]);
  });

  test.each([
    [
      "heartbeat 0",
      { heartbeatSeconds: 0 },
      `${OWNER}: heartbeatSeconds must be a whole number of seconds >= 1 (got 0)`,
    ],
    [
      "heartbeat 2.5",
      { heartbeatSeconds: 2.5 },
      `${OWNER}: heartbeatSeconds must be a whole number of seconds >= 1 (got 2.5)`,
    ],
    [
      "url not ws",
      { url: "https://x.example.com/ws" },
      `${OWNER}: url "https://x.example.com/ws" is not a ws:// or wss:// URL (e.g. "wss://ws.example.com/ws")`,
    ],
    [
      "no namespace",
      { namespace: "" },
      `${OWNER}: namespace is required: the namespace to run the monitor in`,
    ],
    [
      "too many connections",
      { connections: 101 },
      `${OWNER}: connections must be a whole number from 1 to 100 (got 101)`,
    ],
    [
      "latest image",
      { image: "node:latest" },
      `${OWNER}: image "node:latest" is not pinned; use a tag or digest such as "node:24.19.0-alpine3.24"`,
    ],
    [
      "bad port",
      { metricsPort: 70000 },
      `${OWNER}: metricsPort must be a whole number from 1 to 65535 (got 70000)`,
    ],
    [
      "drop threshold 0",
      { prometheusOperator: { enabled: true, dropRateThreshold: 0 } },
      `${OWNER}: prometheusOperator.dropRateThreshold must be a number of drops per second > 0 (got 0)`,
    ],
    [
      "window shorter than the lifetime",
      { expectedMinLifetimeSeconds: 3600, prometheusOperator: { enabled: true, lifetimeWindowSeconds: 600 } },
      `${OWNER}: prometheusOperator.lifetimeWindowSeconds must be a whole number of seconds (at least expectedMinLifetimeSeconds) >= 3600 (got 600)`,
    ],
    [
      "margin as long as the lifetime",
      { expectedMinLifetimeSeconds: 600, shortLifetimeMarginSeconds: 600 },
      `${OWNER}: shortLifetimeMarginSeconds must be a whole number of seconds (below expectedMinLifetimeSeconds) from 0 to 599 (got 600)`,
    ],
    [
      "connectTo with a path",
      { connectTo: "10.0.0.5/ws" },
      `${OWNER}: connectTo "10.0.0.5/ws" is not "host" or "host:port" (an IPv6 address in brackets with a port), e.g. "192.168.1.241" or "ws-lb.ns.svc.cluster.local:443"`,
    ],
    [
      "connectTo with a bad port",
      { connectTo: "ws-lb.ns.svc.cluster.local:0" },
      `${OWNER}: connectTo "ws-lb.ns.svc.cluster.local:0" is not "host" or "host:port" (an IPv6 address in brackets with a port), e.g. "192.168.1.241" or "ws-lb.ns.svc.cluster.local:443"`,
    ],
    [
      "bundle not built",
      { bundlePath: "/nonexistent/wsprobe.js" },
      `${OWNER}: bundlePath "/nonexistent/wsprobe.js" does not exist; run \`npm run build\` to bundle wsprobe into one file (the monitor ships it in a ConfigMap)`,
    ],
  ])("%s: a clear error and nothing registered", async (_label, overrides, message) => {
    expect(() => new WsMonitor("dev-monitor", args(overrides as Partial<WsMonitorArgs>))).toThrow(message);
    await settle();
    expect(runtime.resources).toEqual([]);
  });
});

describe("pure builders", () => {
  const lifetimes = (expected: string, short: string) => [
    "--expected-lifetime",
    expected,
    "--short-lifetime",
    short,
  ];
  test.each([
    [
      {},
      undefined,
      ["--metrics-port", "9464", "--heartbeat", "5s", "--connections", "1", ...lifetimes("3600s", "3540s")],
    ],
    [
      { heartbeatSeconds: 10, connections: 3, metricsPort: 9000, expectedMinLifetimeSeconds: 2700 },
      undefined,
      ["--metrics-port", "9000", "--heartbeat", "10s", "--connections", "3", ...lifetimes("2700s", "2640s")],
    ],
    [
      { expectedMinLifetimeSeconds: 90 },
      undefined,
      ["--metrics-port", "9464", "--heartbeat", "5s", "--connections", "1", ...lifetimes("90s", "45s")],
    ],
    [
      { shortLifetimeMarginSeconds: 300 },
      "ws-l4-lb.agents-whatsapp-rust.svc.cluster.local",
      [
        "--metrics-port",
        "9464",
        "--heartbeat",
        "5s",
        "--connections",
        "1",
        ...lifetimes("3600s", "3300s"),
        "--connect-to",
        "ws-l4-lb.agents-whatsapp-rust.svc.cluster.local",
      ],
    ],
  ])("monitorContainerArgs %j connectTo %j", (overrides, connectTo, flags) => {
    const plan = planMonitor("t", { url: URL, namespace: NS, ...overrides });
    expect(monitorContainerArgs(plan, URL, connectTo)).toEqual([
      "node",
      "/opt/wsprobe/wsprobe.js",
      "monitor",
      URL,
      ...flags,
    ]);
  });

  test("prometheusRuleSpec counts drops at or below the expected lifetime minus the margin, over the window given", () => {
    const plan = planMonitor("t", {
      url: URL,
      namespace: NS,
      expectedMinLifetimeSeconds: 2700,
      prometheusOperator: { enabled: true, dropRateThreshold: 0.05, lifetimeWindowSeconds: 10800 },
    });
    const spec = prometheusRuleSpec(plan, { namespace: "ns", service: "svc" });
    expect(spec.groups[0].name).toBe("wsprobe-svc");
    expect(spec.groups[0].rules.map((r) => [r.alert, r.for, r.expr])).toEqual([
      ["WsProbeEndpointDown", "5m", 'max(wsprobe_up{namespace="ns",service="svc"}) == 0'],
      ["WsProbeDrops", "5m", 'sum(rate(wsprobe_drops_total{namespace="ns",service="svc"}[5m])) > 0.05'],
      [
        "WsProbeShortLifetimes",
        "15m",
        'sum(increase(wsprobe_connection_duration_seconds_bucket{namespace="ns",service="svc",le="2640"}[10800s])) / sum(increase(wsprobe_connection_duration_seconds_count{namespace="ns",service="svc"}[10800s])) > 0.5',
      ],
    ]);
  });

  test("bundleCandidates finds dist/bundle from source and from the build", () => {
    const root = path.resolve("/pkg");
    expect(bundleCandidates(path.join(root, "components/monitor"))[0]).toBe(
      path.join(root, "dist/bundle/wsprobe.js"),
    );
    expect(bundleCandidates(path.join(root, "dist/components/monitor"))[1]).toBe(
      path.join(root, "dist/bundle/wsprobe.js"),
    );
  });
});
