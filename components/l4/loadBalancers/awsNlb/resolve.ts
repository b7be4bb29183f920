/** Validates loadBalancer.type "aws-nlb"'s options against each other and tls.mode; applies defaults. */
import { arg, fail, msg, requireOneOf, requireWholeNumber } from "../../../core/validation";
import { clamp, KindContext, requireBoolean } from "../kind";
import {
  NAMESPACE_LABELLED,
  NLB_DEFAULT_DEREGISTRATION_DELAY_SECONDS,
  NLB_DEFAULT_SSL_POLICY,
  NLB_IDLE_TIMEOUT_RANGE,
  NLB_TLS_IDLE_TIMEOUT_SECONDS,
  nlbSslPolicyProblem,
} from "./annotations";
import { ResolvedAwsNlb } from "./args";

const str = JSON.stringify;

export function resolveAwsNlb({ owner, given, tlsMode, derivedIdleSeconds }: KindContext): ResolvedAwsNlb {
  const scheme = requireOneOf(owner, "loadBalancer.scheme", given.scheme ?? "internet-facing", [
    "internet-facing",
    "internal",
  ] as const);
  const targetType = requireOneOf(owner, "loadBalancer.targetType", given.targetType ?? "ip", [
    "ip",
    "instance",
  ] as const);
  const crossZone = requireBoolean(owner, "loadBalancer.crossZone", given.crossZone, true);
  const proxyProtocol = requireBoolean(owner, "loadBalancer.proxyProtocol", given.proxyProtocol, false);
  const managedSecurityGroup = requireBoolean(
    owner,
    "loadBalancer.managedSecurityGroup",
    given.managedSecurityGroup,
    true,
  );
  if (given.podReadinessGate !== undefined && targetType === "instance") {
    fail(
      owner,
      "loadBalancer.podReadinessGate",
      msg`says whether the pods' namespace carries the AWS Load Balancer Controller's pod readiness gate label, which only "ip" targets need (${arg("loadBalancer.targetType")} is "instance": the targets are the nodes); remove ${arg("loadBalancer.podReadinessGate")}, or set ${arg("loadBalancer.targetType")} "ip"`,
    );
  }
  const podReadinessGate =
    targetType === "ip"
      ? requireOneOf(owner, "loadBalancer.podReadinessGate", given.podReadinessGate ?? "unverified", [
          "unverified",
          NAMESPACE_LABELLED,
        ] as const)
      : undefined;
  const deregistrationDelaySeconds = requireWholeNumber(
    owner,
    "loadBalancer.deregistrationDelaySeconds",
    given.deregistrationDelaySeconds ?? NLB_DEFAULT_DEREGISTRATION_DELAY_SECONDS,
    0,
    3600,
    "of seconds",
  );
  let certificateArn: string | undefined;
  if (given.certificateArn !== undefined) {
    if (
      typeof given.certificateArn !== "string" ||
      !/^arn:aws[\w-]*:(acm|iam):\S+$/.test(given.certificateArn)
    ) {
      fail(
        owner,
        "loadBalancer.certificateArn",
        `${str(given.certificateArn)} is not a certificate ARN such as "arn:aws:acm:eu-west-1:123456789012:certificate/<id>"`,
      );
    }
    if (tlsMode !== "loadBalancer") {
      fail(
        owner,
        "loadBalancer.certificateArn",
        msg`ends TLS at the NLB, which needs ${arg("tls.mode")} "loadBalancer" (${arg("tls.mode")} is ${str(tlsMode)}); set ${arg("tls.mode")} "loadBalancer", or remove ${arg("loadBalancer.certificateArn")}`,
      );
    }
    if (given.idleTimeoutSeconds !== undefined) {
      fail(
        owner,
        "loadBalancer.idleTimeoutSeconds",
        msg`cannot be set with ${arg("loadBalancer.certificateArn")}: a TLS listener's idle timeout is fixed at ${NLB_TLS_IDLE_TIMEOUT_SECONDS} s; remove idleTimeoutSeconds, or end TLS in HAProxy (${arg("tls.mode")} "terminate") to get a TCP listener`,
      );
    }
    certificateArn = given.certificateArn;
  }
  let sslNegotiationPolicy: string | undefined;
  if (given.sslNegotiationPolicy !== undefined && certificateArn === undefined) {
    fail(
      owner,
      "loadBalancer.sslNegotiationPolicy",
      msg`sets the security policy of the NLB's TLS listener, which needs ${arg("loadBalancer.certificateArn")} (without it the NLB passes TLS through); remove sslNegotiationPolicy, or set certificateArn with ${arg("tls.mode")} "loadBalancer"`,
    );
  }
  if (certificateArn) {
    sslNegotiationPolicy = (given.sslNegotiationPolicy as string | undefined) ?? NLB_DEFAULT_SSL_POLICY;
    const problem = nlbSslPolicyProblem(sslNegotiationPolicy);
    if (problem) fail(owner, "loadBalancer.sslNegotiationPolicy", problem);
  }
  if (proxyProtocol && tlsMode !== "terminate") {
    fail(
      owner,
      "loadBalancer.proxyProtocol",
      msg`needs ${arg("tls.mode")} "terminate" (${arg("tls.mode")} is ${str(tlsMode)}): only the HAProxy tier reads the PROXY v2 header, the pods would take it for bytes of the request`,
    );
  }
  const { min, max } = NLB_IDLE_TIMEOUT_RANGE;
  const idleTimeoutSeconds = certificateArn
    ? NLB_TLS_IDLE_TIMEOUT_SECONDS
    : given.idleTimeoutSeconds === undefined
      ? clamp(derivedIdleSeconds, min, max)
      : requireWholeNumber(
          owner,
          "loadBalancer.idleTimeoutSeconds",
          given.idleTimeoutSeconds,
          min,
          max,
          "of seconds",
        );
  return {
    type: "aws-nlb",
    scheme,
    targetType,
    crossZone,
    idleTimeoutSeconds,
    certificateArn,
    sslNegotiationPolicy,
    proxyProtocol,
    deregistrationDelaySeconds,
    managedSecurityGroup,
    podReadinessGate,
  };
}
