/**
 * The pack's stack policies (issue 20, item 8): an AWS NLB with "ip" targets needs its pods'
 * namespace labelled for the AWS Load Balancer Controller's pod readiness gate. Mandatory where the
 * Namespace is in the stack; advisory where the pack cannot see it.
 */
import { stackPolicies, TYPES, UNKNOWN } from "../../policy/policies";
import { PolicyResource, stackViolations, withField } from "./harness";

const AWS = "service.beta.kubernetes.io/aws-load-balancer";
const LABEL = "elbv2.k8s.aws/pod-readiness-gate-inject";
const SERVICE_URN = `urn:pulumi:test::project::${TYPES.service}::lb`;

const nlb = (
  annotations: Record<string, unknown>,
  namespace: unknown = "apps",
  spec = {},
): PolicyResource => ({
  type: TYPES.service,
  name: "lb",
  props: {
    metadata: { name: "cloud-lb", namespace, annotations },
    spec: { type: "LoadBalancer", selector: { app: "echo" }, ports: [{ port: 443 }], ...spec },
  },
});
const IP = { [`${AWS}-type`]: "external", [`${AWS}-nlb-target-type`]: "ip" };
const namespace = (labels?: unknown, type: string = TYPES.namespace): PolicyResource => ({
  type,
  name: "apps-ns",
  props: { metadata: { name: "apps", ...(labels === undefined ? {} : { labels }) } },
});

const MISSING = `Service "cloud-lb": an AWS NLB with "ip" targets in namespace "apps", whose Namespace in this stack lacks the label ${LABEL}: enabled; without the AWS Load Balancer Controller's pod readiness gate a rollout can finish before the NLB sees the new pods healthy, leaving only initial or draining targets (an outage); add the label to Namespace "apps"`;
const UNSEEN = (ns: string) =>
  `Service "cloud-lb": an AWS NLB with "ip" targets in namespace "${ns}", which is not in this stack, so the pack cannot see whether it has the label ${LABEL}: enabled that the AWS Load Balancer Controller's pod readiness gate needs; check it (kubectl get namespace ${ns} --show-labels), then say so with the Service annotation ws-exposure.dev/pod-readiness-gate: namespaceLabelled (L4Exposure: loadBalancer.podReadinessGate "namespaceLabelled")`;
/** The Service's owner says the namespace carries the label (L4Exposure's loadBalancer.podReadinessGate "namespaceLabelled"). */
const DECLARED = { ...IP, "ws-exposure.dev/pod-readiness-gate": "namespaceLabelled" };
const CONTRADICTED = `Service "cloud-lb": an AWS NLB with "ip" targets in namespace "apps", whose Namespace in this stack lacks the label ${LABEL}: enabled, although its annotation ws-exposure.dev/pod-readiness-gate: namespaceLabelled says it has it; without the AWS Load Balancer Controller's pod readiness gate a rollout can finish before the NLB sees the new pods healthy, leaving only initial or draining targets (an outage); add the label to Namespace "apps"`;

test("the stack policies: names and levels (the unverifiable case is advisory)", () => {
  expect(stackPolicies.map((p) => [p.name, p.enforcementLevel])).toEqual([
    ["aws-nlb-pod-readiness-gate", "mandatory"],
    ["aws-nlb-pod-readiness-gate-unverified", "advisory"],
  ]);
});

test.each<[string, PolicyResource]>([
  ["a Namespace without labels", namespace()],
  ["a Namespace with other labels", namespace({ team: "apps" })],
  ["the label disabled", namespace({ [LABEL]: "disabled" })],
  ["a NamespacePatch without the label", namespace({ team: "apps" }, TYPES.namespacePatch)],
])("ip targets, %s in the stack: exactly one mandatory violation, on the Service", async (_what, ns) => {
  expect(await stackViolations([ns, nlb(IP)])).toEqual([
    { policy: "aws-nlb-pod-readiness-gate", message: MISSING, urn: SERVICE_URN },
  ]);
});

test.each<[string, PolicyResource[]]>([
  ["the Namespace labelled", [namespace({ [LABEL]: "enabled" }), nlb(IP)]],
  ["a NamespacePatch that labels it", [namespace({ [LABEL]: "enabled" }, TYPES.namespacePatch), nlb(IP)]],
  ["instance targets", [namespace(), nlb({ ...IP, [`${AWS}-nlb-target-type`]: "instance" })]],
  [
    "no target type (the controller's default is instance)",
    [namespace(), nlb({ [`${AWS}-type`]: "external" })],
  ],
  ["not an AWS NLB (MetalLB)", [namespace(), nlb({ "metallb.io/address-pool": "p" })]],
  ["labels unknown in preview", [namespace(UNKNOWN), nlb(IP)]],
  ["the Service's namespace unknown in preview", [namespace(), nlb(IP, UNKNOWN)]],
])("%s: no violation", async (_what, resources) => {
  expect(await stackViolations(resources)).toEqual([]);
});

test.each<[string, PolicyResource, string]>([
  ["the AWS annotations", nlb(IP), "apps"],
  ["the legacy nlb-ip type", nlb({ [`${AWS}-type`]: "nlb-ip" }), "apps"],
  [
    "the controller's loadBalancerClass",
    nlb({ [`${AWS}-nlb-target-type`]: "ip" }, "apps", { loadBalancerClass: "service.k8s.aws/nlb" }),
    "apps",
  ],
  ["no namespace (default)", withField(nlb(IP), ["props", "metadata", "namespace"], undefined), "default"],
])(
  "ip targets through %s, the namespace not in the stack: one advisory violation",
  async (_what, service, ns) => {
    expect(await stackViolations([service])).toEqual([
      { policy: "aws-nlb-pod-readiness-gate-unverified", message: UNSEEN(ns), urn: SERVICE_URN },
    ]);
  },
);

describe("a Service that says its namespace is labelled (ws-exposure.dev/pod-readiness-gate: namespaceLabelled)", () => {
  test.each<[string, PolicyResource]>([
    ["a Namespace without labels", namespace()],
    ["the label disabled", namespace({ [LABEL]: "disabled" })],
    ["a NamespacePatch without the label", namespace({ team: "apps" }, TYPES.namespacePatch)],
  ])(
    "contradicted by %s in the stack: the mandatory violation names the annotation and the Namespace",
    async (_what, ns) => {
      expect(await stackViolations([ns, nlb(DECLARED)])).toEqual([
        { policy: "aws-nlb-pod-readiness-gate", message: CONTRADICTED, urn: SERVICE_URN },
      ]);
    },
  );

  test("the namespace not in the stack: the advisory is not repeated, no violation", async () => {
    expect(await stackViolations([nlb(DECLARED)])).toEqual([]);
  });

  test("any other value of the annotation declares nothing: the advisory stays", async () => {
    const other = nlb({ ...IP, "ws-exposure.dev/pod-readiness-gate": "unverified" });
    expect(await stackViolations([other])).toEqual([
      { policy: "aws-nlb-pod-readiness-gate-unverified", message: UNSEEN("apps"), urn: SERVICE_URN },
    ]);
  });
});
