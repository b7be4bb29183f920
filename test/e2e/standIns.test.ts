import { readyIngressStatus } from "../../e2e/standIns";

describe("readyIngressStatus (the KIngress status stand-in: what net-kourier writes once its gateways serve it)", () => {
  test("the generation observed, the three True conditions at that time, kourier's public and private balancers", () => {
    expect(readyIngressStatus(3, "2026-12-06T03:00:00.000Z")).toEqual({
      observedGeneration: 3,
      conditions: [
        { type: "LoadBalancerReady", status: "True", lastTransitionTime: "2026-12-06T03:00:00.000Z" },
        { type: "NetworkConfigured", status: "True", lastTransitionTime: "2026-12-06T03:00:00.000Z" },
        { type: "Ready", status: "True", lastTransitionTime: "2026-12-06T03:00:00.000Z" },
      ],
      publicLoadBalancer: { ingress: [{ domainInternal: "kourier.kourier-system.svc.cluster.local" }] },
      privateLoadBalancer: {
        ingress: [{ domainInternal: "kourier-internal.kourier-system.svc.cluster.local" }],
      },
    });
  });
});
