/**
 * A new load-balancer kind is one module and one registry row: a made-up kind ("example-lb"),
 * written here as a kind module would be and added to a copy of the registry, is validated,
 * annotated, budgeted and policy-checked by the same dispatch the real kinds go through, with no
 * other change. (The registry is passed in so the real table stays untouched.)
 */
import { HEARTBEATS_PER_IDLE_TIMEOUT } from "../../components/budget/model";
import { requireWholeNumber } from "../../components/core/validation";
import { cloudIdleTimeoutProblems } from "../../components/policyChecks/cloudLoadBalancer";
import {
  LOAD_BALANCER_KINDS,
  LoadBalancerRegistry,
  ResolvedLoadBalancer,
} from "../../components/l4/loadBalancers";
import { idleTooShort, LoadBalancerKind } from "../../components/l4/loadBalancers/kind";
import { loadBalancerHop } from "../../components/l4/planBudget";
import {
  cloudServiceFields,
  keepsClientAddress,
  loadBalancerWarnings,
  requireEnforceableSourceRanges,
  resolveLoadBalancer,
  sendsProxyHeader,
} from "../../components/l4/planLoadBalancer";
import { planL4 } from "../../components/l4/plan";
import { cloudArgs } from "../hardening/cloudCases";
import { l4Args } from "../helpers/fixtures";

const IDLE = "example.com/idle-seconds";

interface ExampleArgs {
  type: "example-lb";
  idleSeconds?: number;
  hidesClients?: boolean;
}
type ResolvedExample = { type: "example-lb"; idleSeconds: number; hidesClients: boolean };

/** The whole of the made-up kind's module. */
const exampleLb: LoadBalancerKind<ExampleArgs, ResolvedExample> = {
  type: "example-lb",
  label: "Example LB",
  options: ["idleSeconds", "hidesClients"],
  metallbAddress: false,
  resolve: ({ owner, given, derivedIdleSeconds }) => ({
    type: "example-lb",
    idleSeconds: requireWholeNumber(
      owner,
      "loadBalancer.idleSeconds",
      given.idleSeconds ?? derivedIdleSeconds,
      1,
      9999,
    ),
    hidesClients: given.hidesClients === true,
  }),
  serviceFields: (lb, port) => ({
    annotations: { [IDLE]: `${port}:${lb.idleSeconds}` },
    loadBalancerClass: "example.com/lb",
  }),
  hop: (lb) => ({
    name: "example-lb",
    idleTimeoutSeconds: lb.idleSeconds,
    lifetimeCapSeconds: null,
    dropEvents: [],
  }),
  keepsClientAddress: (lb) => !lb.hidesClients,
  sourceRangesProblem: (lb, ranges) =>
    lb.hidesClients && ranges.length ? "are not enforced by Example LB" : undefined,
  warnings: (owner, lb) => [`${owner}: Example LB idles out after ${lb.idleSeconds} s`],
  idleProblems: (annotations, _ports, heartbeatSeconds) => {
    const idle = Number(String(annotations[IDLE] ?? "").split(":")[1]);
    return idle < HEARTBEATS_PER_IDLE_TIMEOUT * heartbeatSeconds
      ? [{ annotation: IDLE, problem: idleTooShort(idle, heartbeatSeconds) }]
      : [];
  },
};

/** The registry with the one new row. */
const KINDS: LoadBalancerRegistry = [...LOAD_BALANCER_KINDS, exampleLb];
const owner = 'L4Exposure "staging"';
const TERMINATE = planL4("staging", l4Args()).tls;
const websocket = { heartbeatSeconds: 5, minLifetimeSeconds: 3600 };
const args = (lb: Record<string, unknown>, over = {}) => cloudArgs(lb as never, over);
const resolve = (lb: Record<string, unknown>, over = {}) =>
  resolveLoadBalancer(owner, args(lb, over), TERMINATE, websocket, KINDS) as unknown as ResolvedLoadBalancer;

test("the plan resolves the new kind's options with its defaults", () => {
  expect(resolve({ type: "example-lb" })).toEqual({
    type: "example-lb",
    idleSeconds: 3600,
    hidesClients: false,
  });
  expect(resolve({ type: "example-lb", idleSeconds: 90 })).toEqual({
    type: "example-lb",
    idleSeconds: 90,
    hidesClients: false,
  });
});

test("the generic checks know the new kind: its type, its options, MetalLB-only args, tls.mode", () => {
  expect(() => resolve({ type: "nope" })).toThrow(
    `${owner}: loadBalancer.type must be one of "metallb", "aws-nlb", "gcp", "azure", "custom", "example-lb" (got "nope")`,
  );
  expect(() => resolve({ type: "gcp", idleSeconds: 5 })).toThrow(
    `${owner}: loadBalancer.idleSeconds is an option of loadBalancer.type "example-lb" (loadBalancer.type is "gcp"); remove it or change loadBalancer.type`,
  );
  expect(() => resolve({ type: "example-lb", scheme: "internal" })).toThrow(
    `${owner}: loadBalancer.scheme is an option of loadBalancer.type "aws-nlb" or "gcp" (loadBalancer.type is "example-lb"); remove it or change loadBalancer.type`,
  );
  expect(() => resolve({ type: "example-lb" }, { loadBalancerIP: "192.168.1.241" })).toThrow(
    `${owner}: loadBalancerIP is only for loadBalancer.type "metallb" (loadBalancer.type is "example-lb": its controller assigns the address); remove it`,
  );
  expect(() =>
    resolveLoadBalancer(
      owner,
      args({ type: "example-lb" }),
      { mode: "loadBalancer", targetPort: 8080 },
      websocket,
      KINDS,
    ),
  ).toThrow(
    `${owner}: tls.mode "loadBalancer" (TLS ended by the load balancer) needs loadBalancer.type "aws-nlb" with certificateArn: "example-lb" passes TCP through and does not end TLS; use tls.mode "terminate" (HAProxy) or "passthrough"`,
  );
});

test("the Service's annotations, the HAProxy client-address facts, ranges and warnings come from the new row", () => {
  const lb = resolve({ type: "example-lb", idleSeconds: 10, hidesClients: true });
  expect(cloudServiceFields(lb, 443, KINDS)).toEqual({
    annotations: { [IDLE]: "443:10" },
    loadBalancerClass: "example.com/lb",
  });
  expect(sendsProxyHeader(lb, KINDS)).toBe(false);
  expect(keepsClientAddress(lb, KINDS)).toBe(false);
  expect(() => requireEnforceableSourceRanges(owner, lb, ["10.0.0.0/8"], KINDS)).toThrow(
    `${owner}: loadBalancerSourceRanges are not enforced by Example LB`,
  );
  expect(loadBalancerWarnings(owner, lb, "ns", TERMINATE, KINDS)).toEqual([
    `${owner}: Example LB idles out after 10 s`,
  ]);
});

test("the budget takes the new kind's hop", () => {
  const lb = resolve({ type: "example-lb", idleSeconds: 10 });
  expect(loadBalancerHop({ loadBalancer: lb, externalTrafficPolicy: "Local" }, KINDS)).toEqual({
    name: "example-lb",
    idleTimeoutSeconds: 10,
    lifetimeCapSeconds: null,
    dropEvents: [],
  });
});

test("the policy check runs the new kind's problems on any Service", () => {
  expect(cloudIdleTimeoutProblems({ [IDLE]: "443:8" }, [443], 5, KINDS)).toEqual([
    {
      annotation: IDLE,
      problem:
        "gives the load balancer an idle timeout of 8 s, shorter than 2 heartbeats (2 x 5 s = 10 s): idle WebSockets are cut between heartbeats",
    },
  ]);
  expect(cloudIdleTimeoutProblems({ [IDLE]: "443:8" }, [443], 5)).toEqual([]);
});

test("a row without a module behind it is a programming error, named", () => {
  expect(() => cloudServiceFields({ type: "example-lb" } as never, 443)).toThrow(
    'no load balancer kind "example-lb" in the registry',
  );
});
