/** The load-balancer step as a pure function: idle timers derived from the heartbeat and lifetime. */
import { resolveLoadBalancer } from "../../components/l4/planLoadBalancer";
import { planL4 } from "../../components/l4/plan";
import { cloudArgs } from "../hardening/cloudCases";
import { hybridArgs, l4Args } from "../helpers/fixtures";
import { planHybrid } from "../../components/hybrid/plan";

const TERMINATE = planL4("staging", l4Args()).tls;

describe.each<[string, { heartbeatSeconds: number; minLifetimeSeconds: number }, number, number]>([
  ["the lifetime (3600 s) when it is in range", { heartbeatSeconds: 5, minLifetimeSeconds: 3600 }, 3600, 60],
  [
    "the floor when the lifetime is short (NLB 60 s, Azure 4 min)",
    { heartbeatSeconds: 5, minLifetimeSeconds: 30 },
    60,
    4,
  ],
  ["3 heartbeats when they exceed the lifetime", { heartbeatSeconds: 100, minLifetimeSeconds: 120 }, 300, 5],
  [
    "the ceiling for a day-long lifetime (NLB 6000 s, Azure 100 min)",
    { heartbeatSeconds: 5, minLifetimeSeconds: 86400 },
    6000,
    100,
  ],
])("derived idle timeout: %s", (_label, websocket, nlbSeconds, azureMinutes) => {
  const owner = 'L4Exposure "staging"';
  test(`aws-nlb ${nlbSeconds} s`, () => {
    const lb = resolveLoadBalancer(owner, cloudArgs({ type: "aws-nlb" }), TERMINATE, websocket);
    expect(lb).toEqual({
      type: "aws-nlb",
      scheme: "internet-facing",
      targetType: "ip",
      crossZone: true,
      idleTimeoutSeconds: nlbSeconds,
      certificateArn: undefined,
      sslNegotiationPolicy: undefined,
      proxyProtocol: false,
      deregistrationDelaySeconds: 300,
      managedSecurityGroup: true,
      podReadinessGate: "unverified",
    });
  });
  test(`azure ${azureMinutes} min`, () => {
    const lb = resolveLoadBalancer(owner, cloudArgs({ type: "azure" }), TERMINATE, websocket);
    expect(lb).toEqual({ type: "azure", internal: false, idleTimeoutMinutes: azureMinutes });
  });
});

test("metallb stays the default: no loadBalancer arg plans today's MetalLB pool and L2 advertisement", () => {
  const plan = planL4("staging", l4Args());
  expect(plan.loadBalancer).toEqual({ type: "metallb" });
  expect(plan.pool?.name).toBe("staging-pool");
  expect(plan.advertisement).toEqual({ type: "l2", interfaces: undefined, nodeSelectors: undefined });
  expect(plan.budget.hops.map((h) => h.name)).toEqual([
    "client",
    "metallb-l2",
    "kube-proxy-conntrack",
    "haproxy",
    "queue-proxy",
  ]);
});

test("a cloud plan holds no pool and no advertisement", () => {
  const plan = planL4("staging", cloudArgs({ type: "gcp" }));
  expect([plan.pool, plan.advertisement, plan.loadBalancerIP]).toEqual([undefined, undefined, undefined]);
});

test("the hybrid takes the choice in l4.loadBalancer: its L4 path rides an Azure load balancer", () => {
  const args = hybridArgs();
  const plan = planHybrid("prod", {
    ...args,
    l4: { tls: args.l4.tls, dns: args.l4.dns, loadBalancer: { type: "azure", internal: true } },
  });
  expect(plan.l4.loadBalancer).toEqual({ type: "azure", internal: true, idleTimeoutMinutes: 60 });
  expect(plan.budgets[1].hops[1]).toMatchObject({ name: "azure-lb", idleTimeoutSeconds: 3600 });
});
