import type {
  ReportViolation,
  ResourceValidation,
  ResourceValidationArgs,
  ResourceValidationPolicy,
} from "@pulumi/policy";
import { connectorDeploymentSpec, planConnector } from "../../components/tunnel/connector";
import { buildIngressRules } from "../../components/tunnel/ingressRules";
import { KNATIVE_QUEUE_PROXY_PORT, KNATIVE_USER_PORT } from "../../components/policyChecks/knativePods";
import { QUEUE_PROXY_PORT, USER_PORT } from "../../components/l4/plan";
import { policies, TYPES, UNKNOWN } from "../../policy/policies";
import { PolicyResource, violations, withField } from "./harness";

type Path = (string | number)[];
/** [what changes, field path, new value, policy that fires, its exact message] */
type Case = [string, Path, unknown, string, string];
/** [what changes, field path, new value]: still compliant */
type Fine = [string, Path, unknown];

function suite(title: string, fixture: PolicyResource, bad: Case[], fine: Fine[]) {
  describe(title, () => {
    test("the compliant fixture passes every policy", async () => {
      expect(await violations(fixture)).toEqual([]);
    });
    test.each(bad)("%s: exactly one violation", async (_what, path, value, policy, message) => {
      expect(await violations(withField(fixture, path, value))).toEqual([{ policy, message }]);
    });
    if (fine.length > 0) {
      test.each(fine)("%s: still compliant", async (_what, path, value) => {
        expect(await violations(withField(fixture, path, value))).toEqual([]);
      });
    }
  });
}

test("the pack: unique names, every policy mandatory, described", () => {
  expect(new Set(policies.map((p) => p.name)).size).toBe(policies.length);
  expect(policies.map((p) => p.name)).toEqual([
    "knative-loadbalancer-bypasses-queue-proxy",
    "knative-websocket-timeouts",
    "cloudflared-replicas",
    "cloudflared-no-autoupdate",
    "cloudflared-token-from-secret",
    "cloudflared-grace-period",
    "tunnel-config-catch-all-last",
    "tunnel-cname-proxied",
    "cloud-loadbalancer-idle-timeout",
    "aws-nlb-proxy-protocol-to-knative-pods",
    "aws-nlb-source-ranges-unenforced",
    "aws-nlb-tls-minimum-version",
  ]);
  for (const p of policies) {
    expect(p.enforcementLevel).toBe("mandatory");
    expect(p.description.length).toBeGreaterThan(40);
  }
});

test("the pack's Knative ports are the L4 component's", () => {
  expect(KNATIVE_USER_PORT).toBe(USER_PORT);
  expect(KNATIVE_QUEUE_PROXY_PORT).toBe(QUEUE_PROXY_PORT);
});

// ---- LoadBalancer Service selecting Knative pods
const BYPASS = (field: string, value: string, selector = "serving.knative.dev/service=messaging-service") =>
  `Service "messaging-ws": ${field} ${value} sends LoadBalancer traffic straight to the Knative user container (selector ${selector}), ` +
  "bypassing the queue-proxy: the autoscaler sees no load and may scale away pods holding live sockets; " +
  "set spec.ports[0].targetPort to 8012 (the queue-proxy) and keep autoscaling.knative.dev/min-scale >= 1, or route through the Knative ingress";
const LB = "knative-loadbalancer-bypasses-queue-proxy";

suite(
  "LoadBalancer Service on Knative pods",
  {
    type: TYPES.service,
    name: "lb",
    props: {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "messaging-ws", namespace: "agents-whatsapp-rust" },
      spec: {
        type: "LoadBalancer",
        selector: { "serving.knative.dev/service": "messaging-service" },
        ports: [{ name: "ws", port: 80, targetPort: 8012, protocol: "TCP" }],
      },
    },
  },
  [
    [
      "targetPort 8080",
      ["props", "spec", "ports", 0, "targetPort"],
      8080,
      LB,
      BYPASS("spec.ports[0].targetPort", "8080"),
    ],
    [
      'targetPort "8080"',
      ["props", "spec", "ports", 0, "targetPort"],
      "8080",
      LB,
      BYPASS("spec.ports[0].targetPort", '"8080"'),
    ],
    [
      'targetPort "user-port"',
      ["props", "spec", "ports", 0, "targetPort"],
      "user-port",
      LB,
      BYPASS("spec.ports[0].targetPort", '"user-port"'),
    ],
    [
      "port 8080 without targetPort",
      ["props", "spec", "ports", 0],
      { name: "ws", port: 8080 },
      LB,
      BYPASS("spec.ports[0].port (no targetPort)", "8080"),
    ],
  ],
  [
    ["a ClusterIP Service", ["props", "spec", "type"], "ClusterIP"],
    ["not Knative pods", ["props", "spec", "selector"], { app: "web" }],
    ["targetPort unknown in preview", ["props", "spec", "ports", 0, "targetPort"], UNKNOWN],
  ],
);

test("a LoadBalancer selecting a Knative revision on 8080 is caught too", async () => {
  const svc: PolicyResource = {
    type: TYPES.service,
    name: "lb",
    props: {
      metadata: { name: "messaging-ws" },
      spec: {
        type: "LoadBalancer",
        selector: { "serving.knative.dev/revision": "messaging-service-00003" },
        ports: [{ port: 443, targetPort: 8080 }],
      },
    },
  };
  expect(await violations(svc)).toEqual([
    {
      policy: LB,
      message: BYPASS(
        "spec.ports[0].targetPort",
        "8080",
        "serving.knative.dev/revision=messaging-service-00003",
      ),
    },
  ]);
  const other: PolicyResource = withField(svc, ["props", "spec", "type"], "NodePort");
  expect(await violations(other)).toEqual([]);
});

// ---- Knative timeouts
const TIMEOUTS = "knative-websocket-timeouts";
const knativeService: PolicyResource = {
  type: TYPES.knativeService,
  name: "messaging",
  props: {
    apiVersion: "serving.knative.dev/v1",
    kind: "Service",
    metadata: { name: "messaging-service", namespace: "agents-whatsapp-rust" },
    spec: {
      template: {
        spec: {
          timeoutSeconds: 3600,
          responseStartTimeoutSeconds: 0,
          idleTimeoutSeconds: 0,
          containers: [{ image: "ghcr.io/example/messaging:1.0.0", ports: [{ containerPort: 8080 }] }],
        },
      },
    },
  },
};
const RESPONSE_START = (kind: string, found: string, timeout = 3600) =>
  `${kind} "messaging-service": spec.template.spec.responseStartTimeoutSeconds ${found} while spec.template.spec.timeoutSeconds is ${timeout} (> 300): ` +
  "Knative then applies a 300 s response-start timer (serving #16169); set spec.template.spec.responseStartTimeoutSeconds: 0";
const IDLE = (kind: string, found: string) =>
  `${kind} "messaging-service": spec.template.spec.idleTimeoutSeconds ${found} while spec.template.spec.timeoutSeconds is 3600 (> 300): ` +
  "an idle timer cannot see traffic on an upgraded connection and cuts busy WebSockets; set spec.template.spec.idleTimeoutSeconds: 0";
const SPEC = ["props", "spec", "template", "spec"];

for (const [type, kind] of [
  [TYPES.knativeService, "Knative Service"],
  [TYPES.knativeServicePatch, "Knative Service patch"],
] as const) {
  suite(
    `${kind} timeouts`,
    { ...knativeService, type },
    [
      [
        "responseStartTimeoutSeconds unset",
        [...SPEC, "responseStartTimeoutSeconds"],
        undefined,
        TIMEOUTS,
        RESPONSE_START(kind, "is unset"),
      ],
      [
        "responseStartTimeoutSeconds 300",
        [...SPEC, "responseStartTimeoutSeconds"],
        300,
        TIMEOUTS,
        RESPONSE_START(kind, "is 300"),
      ],
      [
        "idleTimeoutSeconds unset",
        [...SPEC, "idleTimeoutSeconds"],
        undefined,
        TIMEOUTS,
        IDLE(kind, "is unset"),
      ],
      ["idleTimeoutSeconds 60", [...SPEC, "idleTimeoutSeconds"], 60, TIMEOUTS, IDLE(kind, "is 60")],
    ],
    [
      ["timeoutSeconds 300 (the default) needs no zeros", [...SPEC], { timeoutSeconds: 300 }],
      ["no timeoutSeconds at all (a patch of annotations only)", [...SPEC], {}],
    ],
  );
}

// ---- cloudflared
const plan = planConnector("policy test", undefined);
const cloudflared: PolicyResource = {
  type: TYPES.deployment,
  name: "dev-cloudflared",
  props: {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "dev-cloudflared", namespace: "agents-whatsapp-rust" },
    // The component's own builder: the project's connector is the compliant fixture.
    spec: connectorDeploymentSpec(plan, { app: "cloudflared" }, "dev-tunnel-token"),
  },
};
const C = "spec.template.spec.containers[0]";
const ARGS = ["props", "spec", "template", "spec", "containers", 0, "args"];
const ENV = ["props", "spec", "template", "spec", "containers", 0, "env"];
const GRACE = ["props", "spec", "template", "spec", "terminationGracePeriodSeconds"];
const WHO = 'cloudflared Deployment "dev-cloudflared"';
const REPLICAS = (found: string) =>
  `${WHO}: spec.replicas ${found}: a single connector drops every tunnel connection and WebSocket on each rollout, node drain or crash; ` +
  "set spec.replicas to at least 2 (replicas give availability; a tunnel takes at most 25 connectors, counting those a rolling update adds)";
const TOKEN_RISK = "anyone who can read the Deployment (or the stack state) can run your tunnel";
const GRACE_MSG = (pod: string, grace: string, minimum: number, example: number) =>
  `${WHO}: spec.template.spec.terminationGracePeriodSeconds ${pod} does not exceed cloudflared's grace period ${grace}: ` +
  "Kubernetes kills cloudflared before its in-flight requests and WebSockets finish; " +
  `set spec.template.spec.terminationGracePeriodSeconds to at least ${minimum} (e.g. ${example})`;
const baseArgs = ["tunnel", "--no-autoupdate", "--metrics", "0.0.0.0:2000", "--grace-period", "30s", "run"];

test("the fixture is the component's connector: pinned image, 2 replicas, grace 30 s < 45 s", () => {
  const spec = cloudflared.props.spec as any;
  expect(spec.replicas).toBe(2);
  expect(spec.template.spec.terminationGracePeriodSeconds).toBe(45);
  expect(spec.template.spec.containers[0].args).toEqual(baseArgs);
});

suite(
  "cloudflared Deployment",
  cloudflared,
  [
    ["replicas 1", ["props", "spec", "replicas"], 1, "cloudflared-replicas", REPLICAS("is 1")],
    [
      "replicas unset",
      ["props", "spec", "replicas"],
      undefined,
      "cloudflared-replicas",
      REPLICAS("is unset (Kubernetes runs 1)"),
    ],
    [
      "no --no-autoupdate",
      ARGS,
      ["tunnel", "--metrics", "0.0.0.0:2000", "--grace-period", "30s", "run"],
      "cloudflared-no-autoupdate",
      `${WHO}: ${C}.args lacks --no-autoupdate: cloudflared then updates itself and restarts, dropping every WebSocket it carries, ` +
        `and runs a version other than the pinned image; add "--no-autoupdate" after "tunnel" in ${C}.args`,
    ],
    [
      "--token <literal> in args",
      ARGS,
      [...baseArgs, "--token", "eyJhIjoiZmFrZSJ9"],
      "cloudflared-token-from-secret",
      `${WHO}: ${C}.args[7] passes the tunnel token literally (--token): ${TOKEN_RISK}; remove it from ${C}.args and ` +
        'set env TUNNEL_TOKEN with valueFrom.secretKeyRef { name: <Secret>, key: "token" }',
    ],
    [
      "--token=<literal> in args",
      ARGS,
      ["tunnel", "--no-autoupdate", "--grace-period", "30s", "run", "--token=eyJhIjoiZmFrZSJ9"],
      "cloudflared-token-from-secret",
      `${WHO}: ${C}.args[5] passes the tunnel token literally (--token): ${TOKEN_RISK}; remove it from ${C}.args and ` +
        'set env TUNNEL_TOKEN with valueFrom.secretKeyRef { name: <Secret>, key: "token" }',
    ],
    [
      "TUNNEL_TOKEN as a literal env value",
      ENV,
      [{ name: "TUNNEL_TOKEN", value: "eyJhIjoiZmFrZSJ9" }],
      "cloudflared-token-from-secret",
      `${WHO}: ${C}.env[0] (TUNNEL_TOKEN) holds the token as a literal value: ${TOKEN_RISK}; ` +
        'replace value with valueFrom.secretKeyRef { name: <Secret>, key: "token" }',
    ],
    [
      "pod grace equal to --grace-period",
      GRACE,
      30,
      "cloudflared-grace-period",
      GRACE_MSG("30", `30 s (${C}.args[4] --grace-period 30s)`, 31, 45),
    ],
    [
      "pod grace unset (Kubernetes 30) with --grace-period 30s",
      GRACE,
      undefined,
      "cloudflared-grace-period",
      GRACE_MSG("30 (unset: Kubernetes default)", `30 s (${C}.args[4] --grace-period 30s)`, 31, 45),
    ],
    [
      "--grace-period=1m against pod grace 45",
      ARGS,
      ["tunnel", "--no-autoupdate", "--grace-period=1m", "run"],
      "cloudflared-grace-period",
      GRACE_MSG("45", `60 s (${C}.args[2] --grace-period 1m)`, 61, 75),
    ],
    [
      "--grace-period that is not a duration",
      ARGS,
      ["tunnel", "--no-autoupdate", "--grace-period", "30", "run"],
      "cloudflared-grace-period",
      `${WHO}: ${C}.args[2] --grace-period "30" is not a duration; cloudflared refuses to start; write it as "30s"`,
    ],
  ],
  [
    [
      "NO_AUTOUPDATE=true instead of the flag",
      ENV,
      [
        { name: "NO_AUTOUPDATE", value: "true" },
        { name: "TUNNEL_TOKEN", valueFrom: { secretKeyRef: { name: "t", key: "token" } } },
      ],
    ],
    ["replicas unknown in preview", ["props", "spec", "replicas"], UNKNOWN],
    ["pod grace unknown in preview", GRACE, UNKNOWN],
  ],
);

test("cloudflared without --grace-period: cloudflared's 30 s default against the pod's grace", async () => {
  const noFlag = withField(cloudflared, ARGS, ["tunnel", "--no-autoupdate", "run"]);
  expect(await violations(noFlag)).toEqual([]);
  expect(await violations(withField(noFlag, GRACE, 20))).toEqual([
    {
      policy: "cloudflared-grace-period",
      message: GRACE_MSG("20", `30 s (--grace-period unset in ${C}.args: cloudflared default)`, 31, 45),
    },
  ]);
  const longer = withField(cloudflared, ARGS, ["tunnel", "--no-autoupdate", "--grace-period=1m30s", "run"]);
  expect(await violations(withField(longer, GRACE, 120))).toEqual([]);
});

test("a cloudflared found by its args (`tunnel ...`) in any image, and other Deployments left alone", async () => {
  const mirrored = withField(
    cloudflared,
    ["props", "spec", "template", "spec", "containers", 0, "image"],
    "registry.local/mirror/cfd:2025.7.0",
  );
  expect(await violations(withField(mirrored, ["props", "spec", "replicas"], 1))).toHaveLength(1);
  const registry = withField(
    cloudflared,
    ["props", "spec", "template", "spec", "containers", 0, "image"],
    "docker.io/cloudflare/cloudflared:2025.7.0",
  );
  expect(await violations(withField(registry, ARGS, ["--grace-period", "30s", "run"]))).toEqual([
    expect.objectContaining({ policy: "cloudflared-no-autoupdate" }),
  ]);
  const haproxy = withField(
    withField(mirrored, ["props", "spec", "template", "spec", "containers", 0], {
      name: "haproxy",
      image: "haproxy:3.2.4",
      args: ["-W"],
    }),
    ["props", "spec", "replicas"],
    1,
  );
  expect(await violations(haproxy)).toEqual([]);
});

// ---- tunnel config
const rules = buildIngressRules({
  owner: "policy test",
  hostname: "messaging.example.com",
  websocketPath: "/ws",
  routeWebSocket: true,
  originUrl: "http://messaging-service.agents-whatsapp-rust.svc.cluster.local",
  originHostHeader: "messaging-service.agents-whatsapp-rust.svc.cluster.local",
  httpRoutes: [{}],
});
const CATCH = "tunnel-config-catch-all-last";
const CFG = (problem: string) =>
  `ZeroTrustTunnelCloudflaredConfig "dev-tunnel-config": config.ingresses ${problem}`;
suite(
  "tunnel configuration",
  {
    type: TYPES.tunnelConfig,
    name: "dev-tunnel-config",
    props: { accountId: "acc", tunnelId: "tunnel-id", config: { ingresses: rules } },
  },
  [
    [
      "catch-all missing",
      ["props", "config", "ingresses"],
      rules.slice(0, -1),
      CATCH,
      CFG('must end with a catch-all rule (no hostname, no path), e.g. { service: "http_status:404" }'),
    ],
    [
      "a second catch-all before the last",
      ["props", "config", "ingresses"],
      [rules[0], { service: "http://other.svc" }, ...rules.slice(1)],
      CATCH,
      CFG("has 2 catch-all rules (at 1, 3); rules after the first are unreachable, keep only the last"),
    ],
    [
      "no rules",
      ["props", "config", "ingresses"],
      [],
      CATCH,
      CFG('has no ingress rules; the last rule must be a catch-all such as { service: "http_status:404" }'),
    ],
    [
      "no config",
      ["props", "config"],
      undefined,
      CATCH,
      CFG('has no ingress rules; the last rule must be a catch-all such as { service: "http_status:404" }'),
    ],
  ],
  [["rules unknown in preview", ["props", "config", "ingresses"], UNKNOWN]],
);

test("@pulumi/cloudflare v5's ingressRules are read too", async () => {
  const v5: PolicyResource = {
    type: TYPES.tunnelConfig,
    name: "legacy",
    props: { config: { ingressRules: [{ hostname: "a.example.com", service: "http://a" }] } },
  };
  expect(await violations(v5)).toEqual([
    {
      policy: CATCH,
      message:
        'ZeroTrustTunnelCloudflaredConfig "legacy": config.ingressRules must end with a catch-all rule (no hostname, no path), e.g. { service: "http_status:404" }',
    },
  ]);
});

// ---- tunnel CNAME
const CNAME = (found: string, content = "2c5f7a9e-0000-4000-8000-000000000000.cfargotunnel.com") =>
  `DnsRecord "messaging.example.com": proxied ${found} on a CNAME to ${content}: a tunnel hostname only resolves through Cloudflare's proxy, ` +
  "so clients reach nothing and the tunnel id is exposed; set proxied: true";
const dns: PolicyResource = {
  type: TYPES.dnsRecord,
  name: "dev-dns",
  props: {
    zoneId: "zone",
    name: "messaging.example.com",
    type: "CNAME",
    content: "2c5f7a9e-0000-4000-8000-000000000000.cfargotunnel.com",
    proxied: true,
    ttl: 1,
  },
};
suite(
  "tunnel CNAME",
  dns,
  [
    ["proxied false", ["props", "proxied"], false, "tunnel-cname-proxied", CNAME("is false")],
    ["proxied unset", ["props", "proxied"], undefined, "tunnel-cname-proxied", CNAME("is unset (DNS only)")],
    [
      "trailing dot, upper case",
      ["props"],
      { ...dns.props, type: "cname", content: "ABC.cfargotunnel.com.", proxied: false },
      "tunnel-cname-proxied",
      CNAME("is false", "ABC.cfargotunnel.com."),
    ],
  ],
  [
    [
      "a DNS-only A record (the L4 path)",
      ["props"],
      { ...dns.props, type: "A", content: "203.0.113.7", proxied: false },
    ],
    ["a DNS-only CNAME elsewhere", ["props"], { ...dns.props, content: "lb.example.com", proxied: false }],
    ["content unknown in preview", ["props"], { ...dns.props, content: UNKNOWN, proxied: false }],
  ],
);

test("@pulumi/cloudflare v5's Record (value) is checked too", async () => {
  const legacy = {
    ...dns,
    type: TYPES.legacyRecord,
    props: { ...dns.props, content: undefined, value: "x.cfargotunnel.com", proxied: false },
  };
  expect(await violations(legacy)).toEqual([
    { policy: "tunnel-cname-proxied", message: CNAME("is false", "x.cfargotunnel.com") },
  ]);
});

// ---- cloud load balancers (issue 13): idle timeouts against two heartbeats (5 s by default)
const AWS = "service.beta.kubernetes.io/aws-load-balancer";
const CLOUD_IDLE = "cloud-loadbalancer-idle-timeout";
const nlbService = (
  annotations: Record<string, string>,
  selector: Record<string, string>,
): PolicyResource => ({
  type: TYPES.service,
  name: "lb",
  props: {
    metadata: { name: "cloud-lb", annotations },
    spec: {
      type: "LoadBalancer",
      selector,
      ports: [{ name: "wss", port: 443, targetPort: "wss", protocol: "TCP" }],
    },
  },
});
const HAPROXY = { "app.kubernetes.io/name": "ws-exposure-haproxy", "app.kubernetes.io/instance": "cloud" };
const ANNOTATIONS: Path = ["props", "metadata", "annotations"];

suite(
  "AWS NLB Service (the L4Exposure's, HAProxy behind it)",
  nlbService(
    {
      [`${AWS}-type`]: "external",
      [`${AWS}-nlb-target-type`]: "ip",
      [`${AWS}-listener-attributes.TCP-443`]: "tcp.idle_timeout.seconds=3600",
      [`${AWS}-proxy-protocol`]: "*",
    },
    HAPROXY,
  ),
  [
    [
      "a listener idle timeout of 8 s, below AWS's range",
      [...ANNOTATIONS, `${AWS}-listener-attributes.TCP-443`],
      "tcp.idle_timeout.seconds=8",
      CLOUD_IDLE,
      `Service "cloud-lb": annotation ${AWS}-listener-attributes.TCP-443 tcp.idle_timeout.seconds "8" is outside the NLB's 60..6000 s: the controller cannot set it`,
    ],
    [
      "a listener idle timeout above AWS's range",
      [...ANNOTATIONS, `${AWS}-listener-attributes.TCP-443`],
      "tcp.idle_timeout.seconds=7200",
      CLOUD_IDLE,
      `Service "cloud-lb": annotation ${AWS}-listener-attributes.TCP-443 tcp.idle_timeout.seconds "7200" is outside the NLB's 60..6000 s: the controller cannot set it`,
    ],
  ],
  [
    [
      "no listener attribute (AWS's 350 s default)",
      [...ANNOTATIONS, `${AWS}-listener-attributes.TCP-443`],
      undefined,
    ],
    [
      "the minimum, 60 s",
      [...ANNOTATIONS, `${AWS}-listener-attributes.TCP-443`],
      "tcp.idle_timeout.seconds=60",
    ],
    ["annotations unknown in preview", [...ANNOTATIONS, `${AWS}-type`], UNKNOWN],
  ],
);

suite(
  "Azure Service",
  nlbService({ "service.beta.kubernetes.io/azure-load-balancer-tcp-idle-timeout": "30" }, HAPROXY),
  [
    [
      "120 minutes, which cloud-provider-azure refuses",
      [...ANNOTATIONS, "service.beta.kubernetes.io/azure-load-balancer-tcp-idle-timeout"],
      "120",
      CLOUD_IDLE,
      'Service "cloud-lb": annotation service.beta.kubernetes.io/azure-load-balancer-tcp-idle-timeout "120" is not a whole number of minutes from 4 to 100: cloud-provider-azure refuses it and builds no load balancer',
    ],
  ],
  [
    [
      "the minimum, 4 minutes",
      [...ANNOTATIONS, "service.beta.kubernetes.io/azure-load-balancer-tcp-idle-timeout"],
      "4",
    ],
    [
      "the maximum, 100 minutes (cloud-provider-azure v1.28.0 and later)",
      [...ANNOTATIONS, "service.beta.kubernetes.io/azure-load-balancer-tcp-idle-timeout"],
      "100",
    ],
  ],
);

describe("an idle timeout shorter than two heartbeats of the pack's configured heartbeat", () => {
  const withHeartbeat = (heartbeatSeconds: number): ResourceValidationPolicy[] =>
    policies.map((p) => ({
      ...p,
      validateResource: (args: ResourceValidationArgs, report: ReportViolation) =>
        (p.validateResource as ResourceValidation)(
          { ...args, getConfig: <T extends object>() => ({ heartbeatSeconds }) as unknown as T },
          report,
        ),
    }));
  const SHORT_AT = (idle: number, hb: number) =>
    `gives the load balancer an idle timeout of ${idle} s, shorter than 2 heartbeats (2 x ${hb} s = ${hb * 2} s): idle WebSockets are cut between heartbeats`;

  test.each<[string, Record<string, string>, number, string]>([
    [
      "AWS TCP listener at 100 s, heartbeat 60 s",
      { [`${AWS}-type`]: "external", [`${AWS}-listener-attributes.TCP-443`]: "tcp.idle_timeout.seconds=100" },
      60,
      `Service "cloud-lb": annotation ${AWS}-listener-attributes.TCP-443 tcp.idle_timeout.seconds=100 ${SHORT_AT(100, 60)}; raise it to at least 120`,
    ],
    [
      "AWS default 350 s, heartbeat 200 s",
      { [`${AWS}-type`]: "external" },
      200,
      `Service "cloud-lb": annotation ${AWS}-listener-attributes.TCP-443 is unset: the NLB's default ${SHORT_AT(350, 200)}; set it to tcp.idle_timeout.seconds=401 or more`,
    ],
    [
      "AWS TLS listener (fixed 350 s), heartbeat 200 s",
      {
        [`${AWS}-type`]: "external",
        [`${AWS}-ssl-cert`]: "arn:aws:acm:eu-west-1:1:certificate/x",
        [`${AWS}-ssl-negotiation-policy`]: "ELBSecurityPolicy-TLS13-1-2-2021-06",
      },
      200,
      `Service "cloud-lb": annotation ${AWS}-ssl-cert ${SHORT_AT(350, 200)}; a TLS listener's is fixed, so end TLS behind the NLB or send heartbeats at least every 175 s`,
    ],
    [
      "Azure 4 minutes, heartbeat 150 s",
      { "service.beta.kubernetes.io/azure-load-balancer-tcp-idle-timeout": "4" },
      150,
      `Service "cloud-lb": annotation service.beta.kubernetes.io/azure-load-balancer-tcp-idle-timeout 4 min ${SHORT_AT(240, 150)}; raise it to at least 5`,
    ],
    [
      "GKE external passthrough (60 s connection tracking), heartbeat 40 s",
      { "cloud.google.com/l4-rbs": "enabled" },
      40,
      `Service "cloud-lb": annotation cloud.google.com/l4-rbs ${SHORT_AT(60, 40)} (connection tracking, not settable through the Service); send heartbeats at least every 30 s`,
    ],
  ])("%s: exactly one violation", async (_label, annotations, heartbeat, message) => {
    expect(await violations(nlbService(annotations, HAPROXY), withHeartbeat(heartbeat))).toEqual([
      { policy: CLOUD_IDLE, message },
    ]);
  });

  test("the same Services pass with the default 5 s heartbeat", async () => {
    expect(await violations(nlbService({ "cloud.google.com/l4-rbs": "enabled" }, HAPROXY))).toEqual([]);
  });
});

test("PROXY protocol straight to Knative pods: exactly one violation", async () => {
  expect(
    await violations(
      nlbService(
        { [`${AWS}-type`]: "external", [`${AWS}-proxy-protocol`]: "*" },
        { "serving.knative.dev/service": "messaging-service" },
      ),
    ),
  ).toEqual([
    {
      policy: "aws-nlb-proxy-protocol-to-knative-pods",
      message: `Service "cloud-lb": annotation ${AWS}-proxy-protocol "*" sends a PROXY header to the Knative pods it selects (serving.knative.dev/service=messaging-service), whose queue-proxy reads it as a malformed request; remove the annotation, or put a proxy that accepts it (HAProxy accept-proxy, tls.mode "terminate") in front of the pods`,
    },
  ]);
});

const SOURCE_RANGES: Path = ["props", "spec", "loadBalancerSourceRanges"];
const UNENFORCED = (ranges: string) =>
  `Service "cloud-lb": loadBalancerSourceRanges ${ranges} would be enforced nowhere: its NLB has no security group of the AWS Load Balancer Controller to hold them (annotation service.beta.kubernetes.io/aws-load-balancer-disable-nlb-sg or -security-groups) and "ip" targets without client IP preservation, so the pods see the NLB's address; ` +
  `let the controller (v2.6.0+) give the NLB its security group (remove those annotations: the NLB is then replaced), send PROXY protocol to a proxy that filters by it (service.beta.kubernetes.io/aws-load-balancer-proxy-protocol: "*" and HAProxy), use "instance" targets, or turn client IP preservation on (target group attribute preserve_client_ip.enabled=true)`;
/** An NLB with "ip" targets and no PROXY protocol; `sg` decides its security group. */
const ipTargetNlb = (sg: Record<string, string>) =>
  nlbService(
    {
      [`${AWS}-type`]: "external",
      [`${AWS}-nlb-target-type`]: "ip",
      [`${AWS}-listener-attributes.TCP-443`]: "tcp.idle_timeout.seconds=3600",
      ...sg,
    },
    HAPROXY,
  );

suite(
  "AWS NLB Service without a security group (disable-nlb-sg), ip targets, no PROXY protocol: source ranges",
  ipTargetNlb({ [`${AWS}-disable-nlb-sg`]: "true" }),
  [
    [
      "a range that restricts",
      SOURCE_RANGES,
      ["203.0.113.0/24"],
      "aws-nlb-source-ranges-unenforced",
      UNENFORCED("203.0.113.0/24"),
    ],
    [
      "restricting ranges beside an open one (the restricting ones named)",
      SOURCE_RANGES,
      ["0.0.0.0/0", "203.0.113.0/24", "2001:db8::/32"],
      "aws-nlb-source-ranges-unenforced",
      UNENFORCED("203.0.113.0/24, 2001:db8::/32"),
    ],
  ],
  [
    ["no ranges", SOURCE_RANGES, undefined],
    ["ranges that let everyone in", SOURCE_RANGES, ["0.0.0.0/0", "::/0"]],
  ],
);

describe.each<[string, Record<string, string>]>([
  ["PROXY protocol to HAProxy", { [`${AWS}-proxy-protocol`]: "*" }],
  ["instance targets", { [`${AWS}-nlb-target-type`]: "instance" }],
  [
    "client IP preservation on",
    {
      [`${AWS}-target-group-attributes`]:
        "deregistration_delay.timeout_seconds=300,preserve_client_ip.enabled=true",
    },
  ],
])("source ranges are enforced with %s", (_what, extra) => {
  test("no violation", async () => {
    const service = ipTargetNlb({ [`${AWS}-disable-nlb-sg`]: "true", ...extra });
    expect(await violations(withField(service, SOURCE_RANGES, ["203.0.113.0/24"]))).toEqual([]);
  });
});

describe("source ranges on an NLB with ip targets and no PROXY protocol: the controller's security group decides", () => {
  test("the controller's own security group (v2.6.0+, no annotation): it enforces them, no violation", async () => {
    expect(await violations(withField(ipTargetNlb({}), SOURCE_RANGES, ["203.0.113.0/24"]))).toEqual([]);
  });
  test.each<[string, Record<string, string>]>([
    ["disable-nlb-sg true", { [`${AWS}-disable-nlb-sg`]: "true" }],
    ["your own security groups", { [`${AWS}-security-groups`]: "sg-0123456789abcdef0" }],
  ])("%s: exactly one violation", async (_what, sg) => {
    expect(await violations(withField(ipTargetNlb(sg), SOURCE_RANGES, ["203.0.113.0/24"]))).toEqual([
      { policy: "aws-nlb-source-ranges-unenforced", message: UNENFORCED("203.0.113.0/24") },
    ]);
  });
  test("disable-nlb-sg false is the default: no violation", async () => {
    const service = ipTargetNlb({ [`${AWS}-disable-nlb-sg`]: "false" });
    expect(await violations(withField(service, SOURCE_RANGES, ["203.0.113.0/24"]))).toEqual([]);
  });
});

// ---- an NLB TLS listener's security policy (issue 20, item 10): TLS 1.2 and later only
const TLS_POLICY: Path = [...ANNOTATIONS, `${AWS}-ssl-negotiation-policy`];
const TLS_MIN = "aws-nlb-tls-minimum-version";
const tlsProblem = (policy: string) =>
  `Service "cloud-lb": annotation ${AWS}-ssl-negotiation-policy "${policy}" is not an ELB security policy limited to TLS 1.2 and later (an ELBSecurityPolicy-TLS13-1-2-*, -TLS13-1-3-*, -TLS-1-2-* or -FS-1-2-* policy); use ELBSecurityPolicy-TLS13-1-2-2021-06`;
suite(
  "AWS NLB Service with a TLS listener (tls.mode loadBalancer, the Knative pods behind it)",
  nlbService(
    {
      [`${AWS}-type`]: "external",
      [`${AWS}-nlb-target-type`]: "ip",
      [`${AWS}-ssl-cert`]: "arn:aws:acm:eu-west-1:123456789012:certificate/0a1b2c3d",
      [`${AWS}-ssl-ports`]: "443",
      [`${AWS}-ssl-negotiation-policy`]: "ELBSecurityPolicy-TLS13-1-2-2021-06",
    },
    { "serving.knative.dev/service": "messaging-service" },
  ),
  [
    [
      "no security policy (the controller leaves ELBSecurityPolicy-2016-08)",
      TLS_POLICY,
      undefined,
      TLS_MIN,
      `Service "cloud-lb": annotation ${AWS}-ssl-negotiation-policy is unset: the AWS Load Balancer Controller then leaves the NLB's ELBSecurityPolicy-2016-08, which accepts TLS 1.0 and 1.1; set it to ELBSecurityPolicy-TLS13-1-2-2021-06`,
    ],
    ...[
      "ELBSecurityPolicy-2016-08",
      "ELBSecurityPolicy-TLS13-1-0-2021-06",
      "ELBSecurityPolicy-TLS13-1-1-2021-06",
      "ELBSecurityPolicy-TLS-1-1-2017-01",
      "ELBSecurityPolicy-FS-1-1-2019-08",
      "ELBSecurityPolicy-FS-2018-06",
    ].map((policy): Case => [`${policy} (TLS 1.0 or 1.1)`, TLS_POLICY, policy, TLS_MIN, tlsProblem(policy)]),
  ],
  [
    ["TLS 1.3 only", TLS_POLICY, "ELBSecurityPolicy-TLS13-1-3-2021-06"],
    ["TLS 1.2 without 1.3", TLS_POLICY, "ELBSecurityPolicy-TLS-1-2-Ext-2018-06"],
    ["forward secrecy, TLS 1.2", TLS_POLICY, "ELBSecurityPolicy-FS-1-2-Res-2020-10"],
    ["post-quantum, TLS 1.2 and 1.3", TLS_POLICY, "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09"],
    ["a TCP listener (no ssl-cert): nothing to check", [...ANNOTATIONS, `${AWS}-ssl-cert`], undefined],
  ],
);
