/**
 * The load-balancer step of an L4 plan: which load balancer gives the address, its options checked
 * against what its controller supports (each refusal names the option), defaults applied. Pure.
 */
import { ResolvedWebSocket } from "../core/backend";
import { fail, isQualifiedName, requireOneOf, requireWholeNumber } from "../core/validation";
import { L4ExposureArgs } from "./args";
import { LoadBalancerType } from "./loadBalancerArgs";
import { ResolvedLoadBalancer, ResolvedTls } from "./planTypes";
import { defaultTunnelSeconds } from "./planTls";
import {
  AWS_POD_READINESS_GATE_LABEL,
  AZURE_IDLE_TIMEOUT_MINUTES,
  NLB_DEFAULT_SSL_POLICY,
  NLB_IDLE_TIMEOUT_RANGE,
  NLB_TLS_IDLE_TIMEOUT_SECONDS,
  NAMESPACE_LABELLED,
  nlbSeesClientAddress,
  nlbSslPolicyProblem,
  restrictingRanges,
} from "../policyChecks/cloudLoadBalancer";

const str = JSON.stringify;

export const LOAD_BALANCER_TYPES = ["metallb", "aws-nlb", "gcp", "azure", "custom"] as const;

/** The options each choice takes (besides `type`); any other key is refused, naming it. */
const OPTIONS: Record<LoadBalancerType, readonly string[]> = {
  metallb: [],
  "aws-nlb": [
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
  gcp: ["scheme"],
  azure: ["internal", "idleTimeoutMinutes"],
  custom: ["loadBalancerClass", "annotations", "idleTimeoutSeconds"],
};

/** L4Exposure args that only MetalLB reads. */
export const METALLB_ONLY_ARGS = [
  "addressPool",
  "advertisement",
  "metallbNamespace",
  "legacyMetallbAnnotations",
  "loadBalancerIP",
] as const;

/** AWS's default target group deregistration delay (docs in cloudHops.ts). */
export const NLB_DEFAULT_DEREGISTRATION_DELAY_SECONDS = 300;

const clamp = (v: number, min: number, max: number) => Math.min(max, Math.max(min, v));

function requireBoolean(owner: string, field: string, value: unknown, dflt: boolean): boolean {
  const v = value ?? dflt;
  if (typeof v !== "boolean") fail(owner, field, `must be true or false (got ${str(value)})`);
  return v;
}

/** Validates `loadBalancer` against the rest of the args; `tls` is already resolved. */
export function resolveLoadBalancer(
  owner: string,
  args: L4ExposureArgs,
  tls: ResolvedTls,
  websocket: ResolvedWebSocket,
): ResolvedLoadBalancer {
  const given = (args.loadBalancer ?? { type: "metallb" }) as unknown as Record<string, unknown>;
  if (!given || typeof given !== "object") {
    fail(owner, "loadBalancer", `must be an object such as { type: "aws-nlb" } (got ${str(given)})`);
  }
  const type = requireOneOf(owner, "loadBalancer.type", given.type, LOAD_BALANCER_TYPES);
  for (const key of Object.keys(given)) {
    if (key !== "type" && !OPTIONS[type].includes(key) && given[key] !== undefined) {
      const owners = LOAD_BALANCER_TYPES.filter((t) => OPTIONS[t].includes(key));
      const where = owners.length
        ? `an option of loadBalancer.type ${owners.map((t) => str(t)).join(" or ")}`
        : "not an option";
      fail(
        owner,
        `loadBalancer.${key}`,
        `is ${where} (loadBalancer.type is ${str(type)}); remove it or change loadBalancer.type`,
      );
    }
  }
  if (type !== "metallb") {
    for (const key of METALLB_ONLY_ARGS) {
      if ((args as unknown as Record<string, unknown>)[key] !== undefined) {
        fail(
          owner,
          key,
          `is only for loadBalancer.type "metallb" (loadBalancer.type is ${str(type)}: its controller assigns the address); remove it`,
        );
      }
    }
  }
  if (tls.mode === "loadBalancer" && !(type === "aws-nlb" && given.certificateArn !== undefined)) {
    fail(
      owner,
      "tls.mode",
      type === "aws-nlb"
        ? `"loadBalancer" needs loadBalancer.certificateArn: the ACM certificate the NLB's TLS listener serves`
        : `"loadBalancer" (TLS ended by the load balancer) needs loadBalancer.type "aws-nlb" with certificateArn: ${str(type)} passes TCP through and does not end TLS; use tls.mode "terminate" (HAProxy) or "passthrough"`,
    );
  }
  // The value an idle timer is set to when not given: like HAProxy's timeout tunnel, a connection
  // silent for its whole wanted lifetime (and never less than 3 heartbeats) survives.
  const derivedIdle = defaultTunnelSeconds(websocket);

  if (type === "aws-nlb") {
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
        `says whether the pods' namespace carries the AWS Load Balancer Controller's pod readiness gate label, which only "ip" targets need (loadBalancer.targetType is "instance": the targets are the nodes); remove loadBalancer.podReadinessGate, or set loadBalancer.targetType "ip"`,
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
      if (tls.mode !== "loadBalancer") {
        fail(
          owner,
          "loadBalancer.certificateArn",
          `ends TLS at the NLB, which needs tls.mode "loadBalancer" (tls.mode is ${str(tls.mode)}); set tls.mode "loadBalancer", or remove loadBalancer.certificateArn`,
        );
      }
      if (given.idleTimeoutSeconds !== undefined) {
        fail(
          owner,
          "loadBalancer.idleTimeoutSeconds",
          `cannot be set with loadBalancer.certificateArn: a TLS listener's idle timeout is fixed at ${NLB_TLS_IDLE_TIMEOUT_SECONDS} s; remove idleTimeoutSeconds, or end TLS in HAProxy (tls.mode "terminate") to get a TCP listener`,
        );
      }
      certificateArn = given.certificateArn;
    }
    let sslNegotiationPolicy: string | undefined;
    if (given.sslNegotiationPolicy !== undefined && certificateArn === undefined) {
      fail(
        owner,
        "loadBalancer.sslNegotiationPolicy",
        `sets the security policy of the NLB's TLS listener, which needs loadBalancer.certificateArn (without it the NLB passes TLS through); remove sslNegotiationPolicy, or set certificateArn with tls.mode "loadBalancer"`,
      );
    }
    if (certificateArn) {
      sslNegotiationPolicy = (given.sslNegotiationPolicy as string | undefined) ?? NLB_DEFAULT_SSL_POLICY;
      const problem = nlbSslPolicyProblem(sslNegotiationPolicy);
      if (problem) fail(owner, "loadBalancer.sslNegotiationPolicy", problem);
    }
    if (proxyProtocol && tls.mode !== "terminate") {
      fail(
        owner,
        "loadBalancer.proxyProtocol",
        `needs tls.mode "terminate" (tls.mode is ${str(tls.mode)}): only the HAProxy tier reads the PROXY v2 header, the pods would take it for bytes of the request`,
      );
    }
    const { min, max } = NLB_IDLE_TIMEOUT_RANGE;
    const idleTimeoutSeconds = certificateArn
      ? NLB_TLS_IDLE_TIMEOUT_SECONDS
      : given.idleTimeoutSeconds === undefined
        ? clamp(derivedIdle, min, max)
        : requireWholeNumber(
            owner,
            "loadBalancer.idleTimeoutSeconds",
            given.idleTimeoutSeconds,
            min,
            max,
            "of seconds",
          );
    return {
      type,
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
  if (type === "gcp") {
    const scheme = requireOneOf(owner, "loadBalancer.scheme", given.scheme ?? "external", [
      "external",
      "internal",
    ] as const);
    return { type, scheme };
  }
  if (type === "azure") {
    const internal = requireBoolean(owner, "loadBalancer.internal", given.internal, false);
    const { min, max } = AZURE_IDLE_TIMEOUT_MINUTES;
    const idleTimeoutMinutes =
      given.idleTimeoutMinutes === undefined
        ? clamp(Math.ceil(derivedIdle / 60), min, max)
        : requireWholeNumber(
            owner,
            "loadBalancer.idleTimeoutMinutes",
            given.idleTimeoutMinutes,
            min,
            max,
            "of minutes (cloud-provider-azure's range for azure-load-balancer-tcp-idle-timeout)",
          );
    return { type, internal, idleTimeoutMinutes };
  }
  if (type === "custom") {
    let loadBalancerClass: string | undefined;
    if (given.loadBalancerClass !== undefined) {
      if (typeof given.loadBalancerClass !== "string" || !isQualifiedName(given.loadBalancerClass)) {
        fail(
          owner,
          "loadBalancer.loadBalancerClass",
          `${str(given.loadBalancerClass)} is not a load balancer class; Kubernetes needs a qualified name such as "internal-vip" or "example.com/l4" (an optional DNS prefix and "/", then up to 63 letters, digits, "-", "_" or "." starting and ending with a letter or digit)`,
        );
      }
      loadBalancerClass = given.loadBalancerClass;
    }
    const annotations = (given.annotations ?? {}) as Record<string, unknown>;
    if (typeof annotations !== "object" || Array.isArray(annotations)) {
      fail(
        owner,
        "loadBalancer.annotations",
        `must map annotation names to strings (got ${str(annotations)})`,
      );
    }
    for (const [key, value] of Object.entries(annotations)) {
      if (typeof value !== "string") {
        fail(
          owner,
          `loadBalancer.annotations.${key}`,
          `must be a string (annotation values are strings; got ${str(value)})`,
        );
      }
    }
    const idleTimeoutSeconds =
      given.idleTimeoutSeconds === undefined
        ? undefined
        : requireWholeNumber(
            owner,
            "loadBalancer.idleTimeoutSeconds",
            given.idleTimeoutSeconds,
            1,
            Number.MAX_SAFE_INTEGER,
            "of seconds",
          );
    return {
      type,
      loadBalancerClass,
      annotations: annotations as Record<string, string>,
      idleTimeoutSeconds,
    };
  }
  return { type };
}

/**
 * Refuses source ranges nothing would enforce: an NLB without its own security group
 * (managedSecurityGroup false) leaves them to the targets' groups, and with "ip" targets the client
 * address is not preserved (AWS's default for them), so the pods see the NLB's address. A PROXY
 * header gives HAProxy the client address back. With the controller's security group (v2.6.0+,
 * the default) the NLB itself enforces them for any target type. Ranges that let everyone in
 * restrict nothing and pass. The policy pack's `aws-nlb-source-ranges-unenforced` applies the same
 * rule to any Service.
 */
export function requireEnforceableSourceRanges(
  owner: string,
  loadBalancer: ResolvedLoadBalancer,
  sourceRanges: readonly string[],
): void {
  if (
    loadBalancer.type === "aws-nlb" &&
    !loadBalancer.managedSecurityGroup &&
    !nlbSeesClientAddress(loadBalancer) &&
    restrictingRanges(sourceRanges).length > 0
  ) {
    fail(
      owner,
      "loadBalancerSourceRanges",
      `would be enforced nowhere behind an NLB without its own security group (loadBalancer.managedSecurityGroup false) and with "ip" targets: client IP preservation is off for them, so the pods see the NLB's address; set loadBalancer.managedSecurityGroup true (AWS Load Balancer Controller v2.6.0+ enforces them in the NLB's security group), loadBalancer.proxyProtocol true (HAProxy enforces them, with tls.mode "terminate") or loadBalancer.targetType "instance"`,
    );
  }
}

/**
 * What the plan cannot check and the user must do, printed as warnings in preview and up: an NLB
 * with "ip" targets needs the controller's pod readiness gate (docs/deploy/pod_readiness_gate.md),
 * which its webhook injects only into pods of a namespace with the label. This component does not
 * own the namespace and does not read it (a read would need cluster access in every preview and
 * list permission on namespaces); the policy pack's `aws-nlb-pod-readiness-gate` checks a
 * Namespace in the same stack. loadBalancer.podReadinessGate "namespaceLabelled" is the user's word
 * that the label is there: a warning that cannot be answered gets ignored, with the next one.
 */
export function loadBalancerWarnings(
  owner: string,
  loadBalancer: ResolvedLoadBalancer,
  namespace: string,
  tls: ResolvedTls,
): string[] {
  if (loadBalancer.type !== "aws-nlb" || loadBalancer.podReadinessGate !== "unverified") return [];
  const pods = tls.mode === "terminate" ? "the HAProxy pods" : "the backend's pods";
  return [
    `${owner}: loadBalancer.targetType "ip" needs the AWS Load Balancer Controller's pod readiness gate: label namespace ${str(namespace)} ${AWS_POD_READINESS_GATE_LABEL}=enabled (kubectl label namespace ${namespace} ${AWS_POD_READINESS_GATE_LABEL}=enabled; this component does not own the namespace and does not check it), then set loadBalancer.podReadinessGate ${str(NAMESPACE_LABELLED)} to say so and drop this warning. Without it a rollout of ${pods} can finish before the NLB sees the new pods healthy, leaving only initial or draining targets: an outage`,
  ];
}
