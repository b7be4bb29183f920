/**
 * An AWS Network Load Balancer created by the AWS Load Balancer Controller: its options (args.ts,
 * resolve.ts), annotations (annotations.ts), budget hop (budget.ts) and policy checks (policy.ts).
 */
import { arg, msg } from "../../../core/validation";
import { LoadBalancerKind, restrictingRanges } from "../kind";
import {
  AWS_DISABLE_NLB_SG,
  AWS_LB_ATTRIBUTES,
  AWS_LB_TYPE,
  AWS_LISTENER_ATTRIBUTES_PREFIX,
  AWS_NLB_TARGET_TYPE,
  AWS_POD_READINESS_GATE_LABEL,
  AWS_PROXY_PROTOCOL,
  AWS_SCHEME,
  AWS_SSL_CERT,
  AWS_SSL_NEGOTIATION_POLICY,
  AWS_SSL_PORTS,
  AWS_TARGET_GROUP_ATTRIBUTES,
  NAMESPACE_LABELLED,
  nlbSeesClientAddress,
  POD_READINESS_GATE_DECLARATION,
} from "./annotations";
import { AwsNlbLoadBalancerArgs, ResolvedAwsNlb } from "./args";
import { awsNlbHop } from "./budget";
import { nlbIdleProblems } from "./policy";
import { resolveAwsNlb } from "./resolve";

const str = JSON.stringify;

function serviceFields(lb: ResolvedAwsNlb, port: number) {
  const annotations: Record<string, string> = {
    [AWS_LB_TYPE]: "external",
    [AWS_NLB_TARGET_TYPE]: lb.targetType,
    [AWS_SCHEME]: lb.scheme,
    [AWS_LB_ATTRIBUTES]: `load_balancing.cross_zone.enabled=${lb.crossZone}`,
    [AWS_TARGET_GROUP_ATTRIBUTES]: `deregistration_delay.timeout_seconds=${lb.deregistrationDelaySeconds}`,
  };
  if (lb.certificateArn) {
    annotations[AWS_SSL_CERT] = lb.certificateArn;
    annotations[AWS_SSL_PORTS] = String(port);
    annotations[AWS_SSL_NEGOTIATION_POLICY] = lb.sslNegotiationPolicy as string;
  } else {
    annotations[`${AWS_LISTENER_ATTRIBUTES_PREFIX}.TCP-${port}`] =
      `tcp.idle_timeout.seconds=${lb.idleTimeoutSeconds}`;
  }
  if (lb.proxyProtocol) annotations[AWS_PROXY_PROTOCOL] = "*";
  if (!lb.managedSecurityGroup) annotations[AWS_DISABLE_NLB_SG] = "true";
  if (lb.podReadinessGate === NAMESPACE_LABELLED) {
    annotations[POD_READINESS_GATE_DECLARATION] = NAMESPACE_LABELLED;
  }
  return { annotations };
}

export const awsNlb: LoadBalancerKind<AwsNlbLoadBalancerArgs, ResolvedAwsNlb> = {
  type: "aws-nlb",
  label: "aws-nlb",
  options: [
    "scheme",
    "targetType",
    "crossZone",
    "idleTimeoutSeconds",
    "certificateArn",
    "proxyProtocol",
    "deregistrationDelaySeconds",
    "sslNegotiationPolicy",
    "managedSecurityGroup",
    "podReadinessGate",
  ],
  metallbAddress: false,
  tlsTermination: {
    requested: (given) => given.certificateArn !== undefined,
    missing: msg`"loadBalancer" needs ${arg("loadBalancer.certificateArn")}: the ACM certificate the NLB's TLS listener serves`,
    how: msg`${arg("loadBalancer.type")} "aws-nlb" with certificateArn`,
  },
  resolve: resolveAwsNlb,
  serviceFields,
  hop: (lb) =>
    awsNlbHop({
      idleTimeoutSeconds: lb.idleTimeoutSeconds,
      tlsListener: lb.certificateArn !== undefined,
      targetType: lb.targetType,
      crossZone: lb.crossZone,
      deregistrationDelaySeconds: lb.deregistrationDelaySeconds,
      podReadinessGate: lb.podReadinessGate,
    }),
  sendsProxyProtocol: (lb) => lb.proxyProtocol,
  keepsClientAddress: (lb) => nlbSeesClientAddress(lb),
  /**
   * Source ranges nothing would enforce: an NLB without its own security group (managedSecurityGroup
   * false) leaves them to the targets' groups, and with "ip" targets the client address is not
   * preserved (AWS's default for them), so the pods see the NLB's address. A PROXY header gives
   * HAProxy the client address back. With the controller's security group (v2.6.0+, the default)
   * the NLB itself enforces them for any target type. Ranges that let everyone in restrict nothing
   * and pass. The policy pack's `aws-nlb-source-ranges-unenforced` applies the same rule to any Service.
   */
  sourceRangesProblem: (lb, sourceRanges) =>
    !lb.managedSecurityGroup && !nlbSeesClientAddress(lb) && restrictingRanges(sourceRanges).length > 0
      ? msg`would be enforced nowhere behind an NLB without its own security group (${arg("loadBalancer.managedSecurityGroup")} false) and with "ip" targets: client IP preservation is off for them, so the pods see the NLB's address; set ${arg("loadBalancer.managedSecurityGroup")} true (AWS Load Balancer Controller v2.6.0+ enforces them in the NLB's security group), ${arg("loadBalancer.proxyProtocol")} true (HAProxy enforces them, with ${arg("tls.mode")} "terminate") or ${arg("loadBalancer.targetType")} "instance"`
      : undefined,
  /**
   * An NLB with "ip" targets needs the controller's pod readiness gate
   * (docs/deploy/pod_readiness_gate.md), which its webhook injects only into pods of a namespace
   * with the label. This component does not own the namespace and does not read it (a read would
   * need cluster access in every preview and list permission on namespaces); the policy pack's
   * `aws-nlb-pod-readiness-gate` checks a Namespace in the same stack. loadBalancer.podReadinessGate
   * "namespaceLabelled" is the user's word that the label is there: a warning that cannot be
   * answered gets ignored, with the next one.
   */
  warnings: (owner, lb, namespace, tlsMode) => {
    if (lb.podReadinessGate !== "unverified") return [];
    const pods = tlsMode === "terminate" ? "the HAProxy pods" : "the backend's pods";
    return [
      msg`${owner}: ${arg("loadBalancer.targetType")} "ip" needs the AWS Load Balancer Controller's pod readiness gate: label namespace ${str(namespace)} ${AWS_POD_READINESS_GATE_LABEL}=enabled (kubectl label namespace ${namespace} ${AWS_POD_READINESS_GATE_LABEL}=enabled; this component does not own the namespace and does not check it), then set ${arg("loadBalancer.podReadinessGate")} ${str(NAMESPACE_LABELLED)} to say so and drop this warning. Without it a rollout of ${pods} can finish before the NLB sees the new pods healthy, leaving only initial or draining targets: an outage`,
    ];
  },
  hostnameAddress: `"loadBalancerIP" cannot point at an NLB: its address is a DNS name (status.loadBalancer.ingress[0].hostname), not an IP; create a CNAME to it yourself, or give { address: <public IP> }`,
  idleProblems: nlbIdleProblems,
};
