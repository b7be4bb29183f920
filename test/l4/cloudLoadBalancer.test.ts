import * as pulumi from "@pulumi/pulumi";
import { resource, settle, unwrap, useMockRuntime } from "../helpers/pulumi";
import { L4Exposure, L4ExposureComponentArgs } from "../../components/l4/L4Exposure";
import { haproxyConfigFor } from "../../components/l4/haproxy";
import { LoadBalancerArgs } from "../../components/l4/loadBalancers";
import { cloudArgs } from "../hardening/cloudCases";
import { haproxyLabelsOf, L4_NS, L4_TYPES } from "./fixtures";

const runtime = useMockRuntime();

const T = L4_TYPES;
const NS = L4_NS;
const HAPROXY_LABELS = haproxyLabelsOf("cloud");

async function build(a: L4ExposureComponentArgs, name = "cloud"): Promise<L4Exposure> {
  const exposure = new L4Exposure(name, a);
  await unwrap(exposure.urn);
  await settle();
  return exposure;
}

const AWS = "service.beta.kubernetes.io/aws-load-balancer";
/** The AWS Load Balancer Controller annotations of the defaults, exactly; `over` replaces or adds some. */
const awsDefaults = (over: Record<string, string> = {}, listener = true): Record<string, string> => ({
  [`${AWS}-type`]: "external",
  [`${AWS}-nlb-target-type`]: "ip",
  [`${AWS}-scheme`]: "internet-facing",
  [`${AWS}-attributes`]: "load_balancing.cross_zone.enabled=true",
  [`${AWS}-target-group-attributes`]: "deregistration_delay.timeout_seconds=300",
  ...(listener ? { [`${AWS}-listener-attributes.TCP-443`]: "tcp.idle_timeout.seconds=3600" } : {}),
  ...over,
});

describe.each<
  [string, LoadBalancerArgs, Record<string, string>, Record<string, unknown>, [string, number | null]]
>([
  [
    "aws-nlb defaults: external, ip targets, internet-facing, cross-zone, TCP listener idle timeout = the lifetime (3600 s)",
    { type: "aws-nlb" },
    awsDefaults(),
    {},
    ["aws-nlb", 3600],
  ],
  [
    "aws-nlb internal, instance targets, no cross-zone, 600 s idle, 30 s deregistration",
    {
      type: "aws-nlb",
      scheme: "internal",
      targetType: "instance",
      crossZone: false,
      idleTimeoutSeconds: 600,
      deregistrationDelaySeconds: 30,
    },
    awsDefaults({
      [`${AWS}-nlb-target-type`]: "instance",
      [`${AWS}-scheme`]: "internal",
      [`${AWS}-attributes`]: "load_balancing.cross_zone.enabled=false",
      [`${AWS}-target-group-attributes`]: "deregistration_delay.timeout_seconds=30",
      [`${AWS}-listener-attributes.TCP-443`]: "tcp.idle_timeout.seconds=600",
    }),
    {},
    ["aws-nlb", 600],
  ],
  [
    "aws-nlb with PROXY protocol v2 towards HAProxy",
    { type: "aws-nlb", proxyProtocol: true },
    awsDefaults({ [`${AWS}-proxy-protocol`]: "*" }),
    {},
    ["aws-nlb", 3600],
  ],
  [
    "gcp external: a backend service-based external passthrough NLB",
    { type: "gcp" },
    { "cloud.google.com/l4-rbs": "enabled" },
    {},
    ["gcp-external-passthrough", 60],
  ],
  [
    "gcp internal passthrough NLB",
    { type: "gcp", scheme: "internal" },
    { "networking.gke.io/load-balancer-type": "Internal" },
    {},
    ["gcp-internal-passthrough", 600],
  ],
  [
    "azure public, idle timeout = the lifetime (60 minutes)",
    { type: "azure" },
    { "service.beta.kubernetes.io/azure-load-balancer-tcp-idle-timeout": "60" },
    {},
    ["azure-lb", 3600],
  ],
  [
    "azure internal, 10 minutes",
    { type: "azure", internal: true, idleTimeoutMinutes: 10 },
    {
      "service.beta.kubernetes.io/azure-load-balancer-tcp-idle-timeout": "10",
      "service.beta.kubernetes.io/azure-load-balancer-internal": "true",
    },
    {},
    ["azure-lb", 600],
  ],
  [
    "custom: your annotations and loadBalancerClass, your declared idle timeout",
    {
      type: "custom",
      loadBalancerClass: "example.com/l4",
      annotations: { "example.com/tier": "premium" },
      idleTimeoutSeconds: 900,
    },
    { "example.com/tier": "premium" },
    { loadBalancerClass: "example.com/l4" },
    ["custom-lb", 900],
  ],
])("%s", (_label, loadBalancer, annotations, extraSpec, [hopName, hopIdle]) => {
  test("registers no MetalLB object: the exposure, Knative settings, HAProxy tier and the LoadBalancer Service", async () => {
    await build(cloudArgs(loadBalancer));
    expect(runtime.resources.map((r) => [r.type, r.name, r.parent]).sort()).toEqual(
      [
        [T.exposure, "cloud", null],
        [T.knative, "cloud-knative", "cloud"],
        [T.patch, "cloud-knative-service", "cloud-knative"],
        [T.gate, "cloud-knative-admission", "cloud-knative"],
        [T.service, "cloud-backend", "cloud"],
        [T.configMap, "cloud-haproxy", "cloud"],
        [T.deployment, "cloud-haproxy", "cloud"],
        [T.pdb, "cloud-haproxy", "cloud"],
        [T.service, "cloud-lb", "cloud"],
      ].sort(),
    );
  });

  test("the LoadBalancer Service carries exactly the controller's annotations", async () => {
    await build(cloudArgs(loadBalancer));
    const lb = resource(runtime.resources, T.service, "cloud-lb").inputs as Record<string, any>;
    expect(lb.metadata).toEqual({
      name: "cloud-lb",
      namespace: NS,
      labels: { "app.kubernetes.io/instance": "cloud" },
      annotations,
    });
    expect(lb.spec).toEqual({
      type: "LoadBalancer",
      externalTrafficPolicy: "Local",
      selector: HAPROXY_LABELS,
      ports: [{ name: "wss", port: 443, targetPort: "wss", protocol: "TCP" }],
      ...extraSpec,
    });
  });

  test("the budget's second hop is the load balancer, with its idle timeout", async () => {
    const exposure = await build(cloudArgs(loadBalancer));
    const hop = exposure.budgetValue.hops[1];
    expect([hop.name, hop.idleTimeoutSeconds, hop.lifetimeCapSeconds]).toEqual([hopName, hopIdle, null]);
    expect(exposure.budgetValue.hops.map((h) => h.name)).toEqual([
      "client",
      hopName,
      "kube-proxy-conntrack",
      "haproxy",
      "queue-proxy",
    ]);
    expect(exposure.budgetValue.ok).toBe(true);
  });
});

describe("aws-nlb with TLS at the NLB (tls.mode loadBalancer): no HAProxy", () => {
  const ARN = "arn:aws:acm:eu-west-1:123456789012:certificate/0a1b2c3d";
  const args = cloudArgs({ type: "aws-nlb", certificateArn: ARN }, { tls: { mode: "loadBalancer" } });

  test("registers no HAProxy tier: the LoadBalancer Service selects the Knative pods' queue-proxy", async () => {
    await build(args);
    expect(runtime.resources.map((r) => [r.type, r.name]).sort()).toEqual(
      [
        [T.exposure, "cloud"],
        [T.knative, "cloud-knative"],
        [T.patch, "cloud-knative-service"],
        [T.gate, "cloud-knative-admission"],
        [T.service, "cloud-lb"],
      ].sort(),
    );
    const lb = resource(runtime.resources, T.service, "cloud-lb").inputs as Record<string, any>;
    expect(lb.metadata.annotations).toEqual(
      awsDefaults(
        {
          [`${AWS}-ssl-cert`]: ARN,
          [`${AWS}-ssl-ports`]: "443",
          [`${AWS}-ssl-negotiation-policy`]: "ELBSecurityPolicy-TLS13-1-2-2021-06",
        },
        false,
      ),
    );
    expect(lb.spec).toEqual({
      type: "LoadBalancer",
      externalTrafficPolicy: "Local",
      selector: { "serving.knative.dev/service": "messaging-service" },
      ports: [{ name: "wss", port: 443, targetPort: 8012, protocol: "TCP" }],
    });
  });

  test("a plain Service backend: the NLB targets its pods (podSelector) on tls.targetPort", async () => {
    await build(
      cloudArgs(
        { type: "aws-nlb", certificateArn: ARN },
        {
          backend: { service: "echo", namespace: "apps", port: 8080 },
          knative: undefined,
          podSelector: { app: "echo" },
          tls: { mode: "loadBalancer", targetPort: 8080 },
        },
      ),
    );
    const lb = resource(runtime.resources, T.service, "cloud-lb").inputs as Record<string, any>;
    expect(lb.spec).toEqual({
      type: "LoadBalancer",
      externalTrafficPolicy: "Local",
      selector: { app: "echo" },
      ports: [{ name: "wss", port: 443, targetPort: 8080, protocol: "TCP" }],
    });
  });

  test("a plain Service backend without tls.targetPort: refused, naming it", () => {
    expect(
      () =>
        new L4Exposure(
          "cloud",
          cloudArgs(
            { type: "aws-nlb", certificateArn: ARN },
            {
              backend: { service: "echo", namespace: "apps", port: 8080 },
              knative: undefined,
              podSelector: { app: "echo" },
              tls: { mode: "loadBalancer" },
            },
          ),
        ),
    ).toThrow(
      'L4Exposure "cloud": tls.targetPort is required with a plain Service backend: the pod port the LoadBalancer targets',
    );
  });

  test("wss:// url; the budget's NLB hop is the TLS listener's fixed 350 s", async () => {
    const exposure = await build(args);
    expect(await unwrap(exposure.url)).toBe("wss://ws.example.com/ws");
    expect(exposure.budgetValue.hops.map((h) => [h.name, h.idleTimeoutSeconds])).toEqual([
      ["client", null],
      ["aws-nlb", 350],
      ["kube-proxy-conntrack", 86400],
      ["queue-proxy", null],
    ]);
    expect(exposure.budgetValue.hops[1].idleSetting).toBeUndefined();
  });
});

test("aws-nlb proxyProtocol: HAProxy binds with accept-proxy and enforces the source ranges even with Cluster", async () => {
  const exposure = await build(
    cloudArgs(
      { type: "aws-nlb", proxyProtocol: true },
      { externalTrafficPolicy: "Cluster", loadBalancerSourceRanges: ["203.0.113.0/24"] },
    ),
  );
  const config = haproxyConfigFor(exposure.plan);
  expect(config).toContain(
    "    bind :8443 accept-proxy ssl crt /etc/ws-exposure/tls/tls.crt ssl-min-ver TLSv1.2 alpn http/1.1\n",
  );
  expect(config).toContain(
    "    acl allowed_src src 203.0.113.0/24\n    tcp-request session reject unless allowed_src\n",
  );
});

test("aws-nlb instance targets with Local: the client address arrives as is, HAProxy filters at connection time", async () => {
  const exposure = await build(
    cloudArgs({ type: "aws-nlb", targetType: "instance" }, { loadBalancerSourceRanges: ["203.0.113.0/24"] }),
  );
  const config = haproxyConfigFor(exposure.plan);
  expect(config).toContain(
    "    bind :8443 ssl crt /etc/ws-exposure/tls/tls.crt ssl-min-ver TLSv1.2 alpn http/1.1\n",
  );
  expect(config).toContain(
    "    acl allowed_src src 203.0.113.0/24\n    tcp-request connection reject unless allowed_src\n",
  );
});

test("aws-nlb ip targets without PROXY protocol: ranges that let everyone in pass, and HAProxy filters nothing", async () => {
  const exposure = await build(
    cloudArgs({ type: "aws-nlb" }, { loadBalancerSourceRanges: ["0.0.0.0/0", "::/0"] }),
  );
  expect(haproxyConfigFor(exposure.plan)).not.toContain("allowed_src");
});

test("a heartbeat slower than half the GCP external conntrack timeout breaks the budget, naming the hop", async () => {
  expect(
    () =>
      new L4Exposure(
        "cloud",
        cloudArgs({ type: "gcp" }, { websocket: { heartbeatSeconds: 40, minLifetimeSeconds: 3600 } }),
      ),
  ).toThrow(
    'L4Exposure "cloud": websocket does not fit the l4 path\'s connection budget: websocket.heartbeatSeconds 40 is too slow for the l4 path: hop "gcp-external-passthrough" closes a connection idle for 60 s, and a connection must survive 2 heartbeat intervals (80 s); set websocket.heartbeatSeconds <= 30',
  );
  await settle();
  expect(runtime.resources).toEqual([]);
});

// Every refused load-balancer combination is in the bad-input catalogue (test/hardening/cloudCases.ts).

// ---- issue 20, items 8-10: the readiness gate, the NLB's own security group, the TLS listener's policy
const ARN = "arn:aws:acm:eu-west-1:123456789012:certificate/0a1b2c3d";
const lbService = () => resource(runtime.resources, T.service, "cloud-lb").inputs as Record<string, any>;

describe("source ranges on an NLB with ip targets and no PROXY protocol", () => {
  test("the controller's security group (the default) holds them: the Service carries them, HAProxy filters nothing", async () => {
    const exposure = await build(
      cloudArgs({ type: "aws-nlb" }, { loadBalancerSourceRanges: ["203.0.113.0/24"] }),
    );
    expect(exposure.plan.loadBalancer).toMatchObject({ targetType: "ip", managedSecurityGroup: true });
    expect(lbService().spec.loadBalancerSourceRanges).toEqual(["203.0.113.0/24"]);
    expect(lbService().metadata.annotations).toEqual(awsDefaults());
    // HAProxy sees the NLB's address, not the client's: a filter there would refuse everyone.
    expect(haproxyConfigFor(exposure.plan)).not.toContain("allowed_src");
  });

  test("tls.mode loadBalancer restricts sources through the NLB's security group", async () => {
    await build(
      cloudArgs(
        { type: "aws-nlb", certificateArn: ARN },
        { tls: { mode: "loadBalancer" }, loadBalancerSourceRanges: ["203.0.113.0/24", "198.51.100.0/24"] },
      ),
    );
    expect(lbService().spec.loadBalancerSourceRanges).toEqual(["203.0.113.0/24", "198.51.100.0/24"]);
  });

  test("managedSecurityGroup false writes disable-nlb-sg and takes ranges only where something enforces them", async () => {
    const exposure = await build(
      cloudArgs(
        { type: "aws-nlb", managedSecurityGroup: false, proxyProtocol: true },
        { loadBalancerSourceRanges: ["203.0.113.0/24"] },
      ),
    );
    expect(lbService().metadata.annotations).toEqual(
      awsDefaults({ [`${AWS}-proxy-protocol`]: "*", [`${AWS}-disable-nlb-sg`]: "true" }),
    );
    expect(haproxyConfigFor(exposure.plan)).toContain(
      "    acl allowed_src src 203.0.113.0/24\n    tcp-request session reject unless allowed_src\n",
    );
  });
});

describe("the NLB TLS listener's security policy", () => {
  test.each<[string, string | undefined, string]>([
    ["default: TLS 1.2 and 1.3", undefined, "ELBSecurityPolicy-TLS13-1-2-2021-06"],
    ["TLS 1.3 only, as given", "ELBSecurityPolicy-TLS13-1-3-2021-06", "ELBSecurityPolicy-TLS13-1-3-2021-06"],
    [
      "a FIPS policy, as given",
      "ELBSecurityPolicy-TLS13-1-2-FIPS-2023-04",
      "ELBSecurityPolicy-TLS13-1-2-FIPS-2023-04",
    ],
  ])("%s", async (_what, sslNegotiationPolicy, written) => {
    await build(
      cloudArgs(
        { type: "aws-nlb", certificateArn: ARN, sslNegotiationPolicy },
        { tls: { mode: "loadBalancer" } },
      ),
    );
    expect(lbService().metadata.annotations[`${AWS}-ssl-negotiation-policy`]).toBe(written);
  });
});

const isGateWarning = (warning: string): boolean => warning.includes("pod readiness gate");
/** The readiness-gate warnings logged; HAProxy's default drain window adds its own (drainCapacity.test.ts). */
const gateCalls = (warn: jest.SpyInstance): unknown[][] => warn.mock.calls.filter((c) => isGateWarning(c[0]));

describe("the pod readiness gate an NLB with ip targets needs", () => {
  const GATE_WARNING = (pods: string) =>
    `L4Exposure "cloud": loadBalancer.targetType "ip" needs the AWS Load Balancer Controller's pod readiness gate: label namespace "${NS}" elbv2.k8s.aws/pod-readiness-gate-inject=enabled (kubectl label namespace ${NS} elbv2.k8s.aws/pod-readiness-gate-inject=enabled; this component does not own the namespace and does not check it), then set loadBalancer.podReadinessGate "namespaceLabelled" to say so and drop this warning. Without it a rollout of ${pods} can finish before the NLB sees the new pods healthy, leaving only initial or draining targets: an outage`;
  let warn: jest.SpyInstance;
  beforeEach(() => {
    warn = jest.spyOn(pulumi.log, "warn").mockImplementation(() => Promise.resolve());
  });
  afterEach(() => warn.mockRestore());

  test("HAProxy behind ip targets: one warning, on the L4Exposure, naming the namespace and the label", async () => {
    const exposure = await build(cloudArgs({ type: "aws-nlb" }));
    expect(gateCalls(warn)).toEqual([[GATE_WARNING("the HAProxy pods"), exposure]]);
  });

  test("the Knative pods behind a TLS listener (tls.mode loadBalancer): the same warning for them", async () => {
    const exposure = await build(
      cloudArgs({ type: "aws-nlb", certificateArn: ARN }, { tls: { mode: "loadBalancer" } }),
    );
    expect(gateCalls(warn)).toEqual([[GATE_WARNING("the backend's pods"), exposure]]);
  });

  test("instance targets (the nodes) and other load balancers: no warning", async () => {
    await build(cloudArgs({ type: "aws-nlb", targetType: "instance" }));
    await build(cloudArgs({ type: "azure" }), "azure");
    expect(gateCalls(warn)).toEqual([]);
  });

  test("the budget's NLB hop names the rollout without the gate among its drop events (ip targets only)", async () => {
    const ip = await build(cloudArgs({ type: "aws-nlb" }));
    const instance = await build(cloudArgs({ type: "aws-nlb", targetType: "instance" }), "instance");
    const gate =
      "rollout without the pod readiness gate (the pods' namespace lacks the label elbv2.k8s.aws/pod-readiness-gate-inject: enabled): the rollout can finish before the AWS Load Balancer Controller registers the new pods and the NLB sees them healthy, and the target group then holds only initial or draining targets: new connections fail until the new pods pass their health checks";
    expect(ip.budgetValue.hops[1].dropEvents).toContain(gate);
    expect(instance.budgetValue.hops[1].dropEvents).not.toContain(gate);
  });
});

describe('loadBalancer.podReadinessGate "namespaceLabelled": the user says the namespace carries the label', () => {
  const GATE_DECLARATION = "ws-exposure.dev/pod-readiness-gate";
  let warn: jest.SpyInstance;
  beforeEach(() => {
    warn = jest.spyOn(pulumi.log, "warn").mockImplementation(() => Promise.resolve());
  });
  afterEach(() => warn.mockRestore());

  test.each<[string, Partial<L4ExposureComponentArgs>, Record<string, unknown>]>([
    ["HAProxy behind ip targets", {}, {}],
    ["the Knative pods behind a TLS listener", { tls: { mode: "loadBalancer" } }, { certificateArn: ARN }],
  ])(
    "%s: no readiness-gate warning, and the Service says so for the policy pack",
    async (_what, over, lb) => {
      const exposure = await build(
        cloudArgs({ type: "aws-nlb", podReadinessGate: "namespaceLabelled", ...lb }, over),
      );
      // Every plan warning is logged; HAProxy's default drain window adds its own (drainCapacity.test.ts).
      expect(warn.mock.calls.map((c) => c[0])).toEqual(exposure.plan.warnings.map(String));
      expect(exposure.plan.warnings.map(String).filter(isGateWarning)).toEqual([]);
      expect(exposure.plan.loadBalancer).toMatchObject({ podReadinessGate: "namespaceLabelled" });
      expect(lbService().metadata.annotations[GATE_DECLARATION]).toBe("namespaceLabelled");
    },
  );

  test('"unverified" is the default: the same warning and Service as without it, no declaration annotation', async () => {
    const said = await build(cloudArgs({ type: "aws-nlb", podReadinessGate: "unverified" }));
    expect(warn.mock.calls.map((c) => c[0])).toEqual(said.plan.warnings.map(String));
    expect(said.plan.warnings.map(String).filter(isGateWarning)).toHaveLength(1);
    expect(lbService().metadata.annotations).toEqual(awsDefaults());
  });

  test("the budget's NLB hop: no readiness-gate drop event; its note says the rollout relies on the gate", async () => {
    const exposure = await build(cloudArgs({ type: "aws-nlb", podReadinessGate: "namespaceLabelled" }));
    const hop = exposure.budgetValue.hops[1];
    expect(hop.name).toBe("aws-nlb");
    expect(hop.dropEvents).toEqual([
      "target deregistration (a pod (target type ip) leaves the target group: rollout, scale-down, node drain): the NLB drains it for the deregistration delay, 300 s, and its connections end when the target goes",
      "zone failure: connections through the failed zone's nodes drop; cross-zone load balancing sends new ones to the other zones",
    ]);
    expect(hop.note).toBe(
      "TCP listener idle timeout (AWS default 350 s, set here to 3600 s through the listener-attributes annotation, which needs AWS Load Balancer Controller v2.9.0 or later: an older one leaves 350 s); above 350 s the targets' ENI conntrack timeout must be as long (Nitro v6+ default 350 s); rollouts rely on the controller's pod readiness gate (loadBalancer.podReadinessGate \"namespaceLabelled\": the pods' namespace carries elbv2.k8s.aws/pod-readiness-gate-inject: enabled, as its owner says)",
    );
  });
});
