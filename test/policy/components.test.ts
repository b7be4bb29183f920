import { settle, unwrap, useMockRuntime } from "../helpers/pulumi";
import { revealValue } from "../../render/mockRuntime";
import { TunnelExposure } from "../../components/tunnel/TunnelExposure";
import { L4Exposure } from "../../components/l4/L4Exposure";
import { HybridExposure } from "../../components/hybrid/HybridExposure";
import { resetTunnelClaims } from "../../components/tunnel/tunnelOwnership";
import { L4ExposureArgs } from "../../components/l4/args";
import { hybridArgs, l4Args, tunnelArgs } from "../helpers/fixtures";
import { TYPES } from "../../policy/policies";
import { PolicyResource, stackViolations, violations } from "./harness";
import { cloudArgs } from "../hardening/cloudCases";
import { LoadBalancerArgs } from "../../components/l4/loadBalancers";

/** The project follows its own rules: every resource the components emit passes the pack. */
const runtime = useMockRuntime();
beforeEach(() => resetTunnelClaims());

const l4 = (o: Partial<L4ExposureArgs> = {}) =>
  l4Args({ dns: { zoneId: "zone", target: "loadBalancerIP" }, ...o });

const variants: [string, () => { urn: unknown }][] = [
  ["TunnelExposure, new tunnel", () => new TunnelExposure("dev", tunnelArgs())],
  [
    "TunnelExposure, existing tunnel + token, 3 connectors, longer grace, HTTP routes",
    () =>
      new TunnelExposure(
        "dev",
        tunnelArgs({
          tunnel: { existingId: "2c5f7a9e-0000-4000-8000-000000000000", token: "fake-token" },
          connector: { replicas: 3, gracePeriodSeconds: 90 },
          httpRoutes: [{ path: "^/api/" }, { hostname: "*.messaging.example.com" }],
        }),
      ),
  ],
  [
    "TunnelExposure, plain Service backend",
    () =>
      new TunnelExposure("svc", tunnelArgs({ backend: { service: "web", namespace: "web", port: 8080 } })),
  ],
  ["L4Exposure, TLS terminate (HAProxy) to the queue-proxy", () => new L4Exposure("staging", l4())],
  ["L4Exposure, route via the Knative ingress", () => new L4Exposure("staging", l4({ route: "ingress" }))],
  [
    "L4Exposure, TLS passthrough: the LoadBalancer selects the Knative pods",
    () => new L4Exposure("staging", l4({ tls: { mode: "passthrough", targetPort: "https" } })),
  ],
  [
    "L4Exposure, plain ws (asked for) to the queue-proxy",
    () => new L4Exposure("lan", l4({ tls: { mode: "none", acknowledgeInsecure: true } })),
  ],
  [
    "L4Exposure, forced port 8080 (a ClusterIP behind HAProxy, not a LoadBalancer)",
    () => new L4Exposure("forced", l4({ route: { forcePort8080: true } })),
  ],
  ...(
    [
      { type: "aws-nlb", proxyProtocol: true },
      { type: "gcp" },
      { type: "azure", internal: true },
      { type: "custom", loadBalancerClass: "example.com/l4" },
    ] as LoadBalancerArgs[]
  ).map((lb): [string, () => { urn: unknown }] => [
    `L4Exposure on a ${lb.type} load balancer`,
    () => new L4Exposure("cloud", cloudArgs(lb)),
  ]),
  [
    "L4Exposure, TLS at the AWS NLB, straight to the queue-proxy",
    () =>
      new L4Exposure(
        "cloud",
        cloudArgs(
          { type: "aws-nlb", certificateArn: "arn:aws:acm:eu-west-1:123456789012:certificate/x" },
          { tls: { mode: "loadBalancer" } },
        ),
      ),
  ],
  [
    "L4Exposure on an AWS NLB with ip targets restricting sources (the controller's security group holds them)",
    () =>
      new L4Exposure(
        "cloud",
        cloudArgs({ type: "aws-nlb" }, { loadBalancerSourceRanges: ["203.0.113.0/24"] }),
      ),
  ],
  ["HybridExposure with the tunnel fallback", () => new HybridExposure("prod", hybridArgs())],
  ["HybridExposure without fallback", () => new HybridExposure("prod", hybridArgs({ fallback: false }))],
];

test.each(variants)("%s: 0 violations over every resource it registers", async (_name, build) => {
  const component = build();
  await unwrap(component.urn as never);
  await settle();
  const checked = new Set<string>();
  const found = [];
  for (const r of runtime.resources) {
    if (Object.values(TYPES).includes(r.type as never)) checked.add(r.type);
    found.push(
      ...(await violations({
        type: r.type,
        name: r.name,
        props: revealValue(r.inputs) as Record<string, unknown>,
      })),
    );
  }
  expect(found).toEqual([]);
  // The run is not vacuous: the pack's resource types were among what was registered.
  expect(checked.size).toBeGreaterThanOrEqual(2);
});

test("the runs above exercise every policy's resource type", async () => {
  const seen = new Set<string>();
  for (const [, build] of variants) {
    resetTunnelClaims();
    runtime.reset();
    const c = build();
    await unwrap(c.urn as never);
    await settle();
    runtime.resources.forEach((r) => seen.add(r.type));
  }
  for (const type of [
    TYPES.service,
    TYPES.deployment,
    TYPES.knativeServicePatch,
    TYPES.tunnelConfig,
    TYPES.dnsRecord,
  ]) {
    expect(seen).toContain(type);
  }
  // And the LoadBalancer that selects Knative pods directly (passthrough) was among them.
  resetTunnelClaims();
  runtime.reset();
  const c = new L4Exposure("pt", l4({ tls: { mode: "passthrough", targetPort: "https" } }));
  await unwrap(c.urn);
  await settle();
  const lb = runtime.resources.find(
    (r) => r.type === TYPES.service && (revealValue(r.inputs) as any).spec?.type === "LoadBalancer",
  );
  expect((revealValue(lb!.inputs) as any).spec.selector).toEqual({
    "serving.knative.dev/service": "messaging-service",
  });
});

test("the policies read the components' real shapes: one field broken in each recorded resource is caught", async () => {
  const h = new HybridExposure("prod", hybridArgs());
  await unwrap(h.urn);
  await settle();
  const props = (type: string, name: string) => {
    const r = runtime.resources.find((x) => x.type === type && x.name === name);
    if (!r) throw new Error(`no ${type} ${name}`);
    return structuredClone(revealValue(r.inputs)) as any;
  };
  const check = async (type: string, name: string, breakIt: (p: any) => void) => {
    const p = props(type, name);
    breakIt(p);
    return (await violations({ type, name, props: p })).map((v) => v.policy);
  };
  expect(await check(TYPES.deployment, "prod-tunnel-cloudflared", (p) => (p.spec.replicas = 1))).toEqual([
    "cloudflared-replicas",
  ]);
  expect(
    await check(
      TYPES.deployment,
      "prod-tunnel-cloudflared",
      (p) => (p.spec.template.spec.terminationGracePeriodSeconds = 30),
    ),
  ).toEqual(["cloudflared-grace-period"]);
  expect(
    await check(
      TYPES.knativeServicePatch,
      "prod-knative-service",
      (p) => delete p.spec.template.spec.idleTimeoutSeconds,
    ),
  ).toEqual(["knative-websocket-timeouts"]);
  expect(
    await check(TYPES.tunnelConfig, "prod-tunnel-tunnel-config", (p) => p.config.ingresses.pop()),
  ).toEqual(["tunnel-config-catch-all-last"]);
  expect(await check(TYPES.dnsRecord, "prod-tunnel-dns", (p) => (p.proxied = false))).toEqual([
    "tunnel-cname-proxied",
  ]);
});

/** What an L4Exposure on this AWS NLB registers, as the stack policies see it. */
async function nlbResources(lb: LoadBalancerArgs): Promise<PolicyResource[]> {
  const c = new L4Exposure("cloud", cloudArgs(lb));
  await unwrap(c.urn);
  await settle();
  return runtime.resources.map((r) => ({
    type: r.type,
    name: r.name,
    props: revealValue(r.inputs) as Record<string, unknown>,
  }));
}
/** The exposure's namespace as a Namespace of the same stack. */
const ns = (labels: Record<string, string>): PolicyResource => ({
  type: TYPES.namespace,
  name: "ns",
  props: { metadata: { name: "agents-whatsapp-rust", labels } },
});
const LABEL = "elbv2.k8s.aws/pod-readiness-gate-inject";

test("the stack policies read the component's real Service: an NLB with ip targets beside its Namespace", async () => {
  const recorded = await nlbResources({ type: "aws-nlb" });
  expect(await stackViolations([ns({ [LABEL]: "enabled" }), ...recorded])).toEqual([]);
  expect((await stackViolations([ns({}), ...recorded])).map((v) => [v.policy, v.urn])).toEqual([
    ["aws-nlb-pod-readiness-gate", `urn:pulumi:test::project::${TYPES.service}::cloud-lb`],
  ]);
  expect((await stackViolations(recorded)).map((v) => v.policy)).toEqual([
    "aws-nlb-pod-readiness-gate-unverified",
  ]);
});

test("loadBalancer.podReadinessGate namespaceLabelled: the stack policies hold the component's word against the Namespace they see", async () => {
  const recorded = await nlbResources({ type: "aws-nlb", podReadinessGate: "namespaceLabelled" });
  // Not in the stack: the owner's word stands, the advisory is not repeated.
  expect(await stackViolations(recorded)).toEqual([]);
  expect(await stackViolations([ns({ [LABEL]: "enabled" }), ...recorded])).toEqual([]);
  expect(await stackViolations([ns({}), ...recorded])).toEqual([
    {
      policy: "aws-nlb-pod-readiness-gate",
      message: `Service "cloud-lb": an AWS NLB with "ip" targets in namespace "agents-whatsapp-rust", whose Namespace in this stack lacks the label ${LABEL}: enabled, although its annotation ws-exposure.dev/pod-readiness-gate: namespaceLabelled says it has it; without the AWS Load Balancer Controller's pod readiness gate a rollout can finish before the NLB sees the new pods healthy, leaving only initial or draining targets (an outage); add the label to Namespace "agents-whatsapp-rust"`,
      urn: `urn:pulumi:test::project::${TYPES.service}::cloud-lb`,
    },
  ]);
});
