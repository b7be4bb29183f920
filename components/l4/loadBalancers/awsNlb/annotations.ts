/**
 * The AWS Load Balancer Controller's Service annotations (v2.3.0+; the listener-attributes annotation
 * v2.9.0+) and the NLB's documented ranges:
 * - https://kubernetes-sigs.github.io/aws-load-balancer-controller/latest/guide/service/annotations/
 * - NLB TCP idle timeout 60..6000 s, default 350 s; TLS listeners fixed at 350 s:
 *   https://docs.aws.amazon.com/elasticloadbalancing/latest/network/update-idle-timeout.html
 */
const AWS = "service.beta.kubernetes.io/aws-load-balancer";
/** "external" hands the Service to the AWS Load Balancer Controller (an NLB), not the in-tree controller. */
export const AWS_LB_TYPE = `${AWS}-type`;
export const AWS_NLB_TARGET_TYPE = `${AWS}-nlb-target-type`;
/** The controller's default scheme is internal (since v2.2.0); this component writes it always. */
export const AWS_SCHEME = `${AWS}-scheme`;
/** stringMap of load balancer attributes, e.g. `load_balancing.cross_zone.enabled=true`. */
export const AWS_LB_ATTRIBUTES = `${AWS}-attributes`;
/** stringMap of target group attributes, e.g. `deregistration_delay.timeout_seconds=300`. */
export const AWS_TARGET_GROUP_ATTRIBUTES = `${AWS}-target-group-attributes`;
export const AWS_SSL_CERT = `${AWS}-ssl-cert`;
export const AWS_SSL_PORTS = `${AWS}-ssl-ports`;
/** The TLS listener's security policy; without it the controller leaves ELBSecurityPolicy-2016-08 (TLS 1.0-1.2). */
export const AWS_SSL_NEGOTIATION_POLICY = `${AWS}-ssl-negotiation-policy`;
/** "true": the controller (v2.6.0+) builds the NLB without a frontend security group. */
export const AWS_DISABLE_NLB_SG = `${AWS}-disable-nlb-sg`;
/** Your own frontend security groups: the controller then writes no source ranges into any. */
export const AWS_SECURITY_GROUPS = `${AWS}-security-groups`;
/** The namespace label that makes the controller's webhook inject its pod readiness gate. */
export const AWS_POD_READINESS_GATE_LABEL = "elbv2.k8s.aws/pod-readiness-gate-inject";
/**
 * Ours, not the controller's: on a LoadBalancer Service, "namespaceLabelled" is its owner's word that
 * the pods' namespace carries AWS_POD_READINESS_GATE_LABEL (L4Exposure's
 * loadBalancer.podReadinessGate), for the policy pack to hold against the Namespace when it can see it.
 */
export const POD_READINESS_GATE_DECLARATION = "ws-exposure.dev/pod-readiness-gate";
export const NAMESPACE_LABELLED = "namespaceLabelled";
/** "*" turns PROXY protocol v2 on for every target group. */
export const AWS_PROXY_PROTOCOL = `${AWS}-proxy-protocol`;
/** Per listener: `<prefix>.TCP-<port>: tcp.idle_timeout.seconds=<n>` (newer controllers; TCP listeners only). */
export const AWS_LISTENER_ATTRIBUTES_PREFIX = `${AWS}-listener-attributes`;
/** The loadBalancerClass that hands a Service to the AWS Load Balancer Controller. */
export const AWS_NLB_CLASS = "service.k8s.aws/nlb";

/** AWS: a TCP listener's idle timeout range and default; a TLS listener's is fixed. */
export const NLB_IDLE_TIMEOUT_RANGE = { min: 60, max: 6000 } as const;
export const NLB_DEFAULT_IDLE_TIMEOUT_SECONDS = 350;
export const NLB_TLS_IDLE_TIMEOUT_SECONDS = 350;
/** AWS's default target group deregistration delay (docs in budget.ts). */
export const NLB_DEFAULT_DEREGISTRATION_DELAY_SECONDS = 300;

/**
 * The NLB TLS listener security policy written when none is given: TLS 1.2 and 1.3 (AWS's
 * recommended policy on its "Security policies for your Network Load Balancer" page).
 */
export const NLB_DEFAULT_SSL_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06";

/**
 * AWS's predefined NLB security policies whose name says TLS 1.2 is their lowest version (the
 * name's version pair: `TLS13-1-2`, `TLS13-1-3`, `TLS-1-2`, `FS-1-2`, with any suffix such as Res,
 * Ext1, FIPS or PQ). Every other predefined policy (ELBSecurityPolicy-2016-08, -2015-05,
 * -TLS-1-1-2017-01, -FS-2018-06, -FS-1-1-2019-08, -TLS13-1-0-*, -TLS13-1-1-*) accepts TLS 1.0 or 1.1.
 */
const TLS12_PLUS_POLICY = /^ELBSecurityPolicy-(?:TLS13-1-[23]|TLS-1-2|FS-1-2)-[A-Za-z0-9-]+$/;

/** Why an NLB TLS listener policy breaks the TLS 1.2+ promise (docs/SECURITY.md); undefined when it keeps it. */
export function nlbSslPolicyProblem(policy: unknown): string | undefined {
  if (policy === undefined) {
    return `is unset: the AWS Load Balancer Controller then leaves the NLB's ELBSecurityPolicy-2016-08, which accepts TLS 1.0 and 1.1; set it to ${NLB_DEFAULT_SSL_POLICY}`;
  }
  if (typeof policy === "string" && TLS12_PLUS_POLICY.test(policy)) return undefined;
  return `${JSON.stringify(policy)} is not an ELB security policy limited to TLS 1.2 and later (an ELBSecurityPolicy-TLS13-1-2-*, -TLS13-1-3-*, -TLS-1-2-* or -FS-1-2-* policy); use ${NLB_DEFAULT_SSL_POLICY}`;
}

/**
 * Whether anything behind an AWS NLB can tell clients apart by address: client IP preservation is
 * on by default for "instance" targets and off for "ip" ones (the controller's annotations guide),
 * and with it off the targets see the NLB's address unless a PROXY header carries the client's.
 * Without its own security group, the NLB leaves `loadBalancerSourceRanges` to the targets' groups,
 * which only a preserved client address lets filter.
 */
export function nlbSeesClientAddress(nlb: {
  targetType: "ip" | "instance";
  proxyProtocol: boolean;
  preserveClientIp?: boolean;
}): boolean {
  return nlb.proxyProtocol || nlb.targetType === "instance" || nlb.preserveClientIp === true;
}
