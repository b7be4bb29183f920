/**
 * The cloud load balancers' Service annotations, their documented ranges, and the checks the policy
 * pack runs on any LoadBalancer Service that carries them. Shared by L4Exposure (which writes the
 * annotations) and the policy pack; dependency-free, so the pack compiles it on its own. Sources:
 * - AWS Load Balancer Controller annotations:
 *   https://kubernetes-sigs.github.io/aws-load-balancer-controller/latest/guide/service/annotations/
 * - NLB TCP idle timeout 60..6000 s, default 350 s; TLS listeners fixed at 350 s:
 *   https://docs.aws.amazon.com/elasticloadbalancing/latest/network/update-idle-timeout.html
 * - GKE LoadBalancer Service parameters:
 *   https://cloud.google.com/kubernetes-engine/docs/concepts/service-load-balancer-parameters
 * - cloud-provider-azure: azure-load-balancer-tcp-idle-timeout, minutes, 4..100 in its validation
 *   since v1.28.0 (commit 647309ffe; 4..30 before), as the Azure load balancer itself takes:
 *   https://learn.microsoft.com/azure/load-balancer/load-balancer-tcp-idle-timeout
 */
import { gcpPassthroughHop } from "../budget/cloudHops";
import { HEARTBEATS_PER_IDLE_TIMEOUT } from "../budget/model";

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

/** GKE: a backend service-based external passthrough NLB (GKE 1.25.5+). */
export const GKE_L4_RBS = "cloud.google.com/l4-rbs";
/** GKE: an internal passthrough NLB. */
export const GKE_LB_TYPE = "networking.gke.io/load-balancer-type";

export const AZURE_INTERNAL = "service.beta.kubernetes.io/azure-load-balancer-internal";
/** Minutes, 4..100 in cloud-provider-azure's validation (v1.28.0 and later). */
export const AZURE_TCP_IDLE_TIMEOUT = "service.beta.kubernetes.io/azure-load-balancer-tcp-idle-timeout";

/** AWS: a TCP listener's idle timeout range and default; a TLS listener's is fixed. */
export const NLB_IDLE_TIMEOUT_RANGE = { min: 60, max: 6000 } as const;
export const NLB_DEFAULT_IDLE_TIMEOUT_SECONDS = 350;
export const NLB_TLS_IDLE_TIMEOUT_SECONDS = 350;
/** cloud-provider-azure (v1.28.0 and later) accepts 4..100 minutes in its idle-timeout annotation, as the LB does. */
export const AZURE_IDLE_TIMEOUT_MINUTES = { min: 4, max: 100 } as const;
/** The client heartbeat the pack assumes when its config does not say (the iOS app's). */
export const POLICY_DEFAULT_HEARTBEAT_SECONDS = 5;

export interface CloudIdleProblem {
  /** The annotation (or annotations) that sets the idle timeout. */
  annotation: string;
  problem: string;
}

const LISTENER_IDLE = /(?:^|,)\s*tcp\.idle_timeout\.seconds\s*=\s*([^,]*)/;

/**
 * What a LoadBalancer Service's cloud annotations do to a WebSocket heartbeating every
 * `heartbeatSeconds`: every idle timeout shorter than HEARTBEATS_PER_IDLE_TIMEOUT heartbeats, and
 * every value the controller refuses. `ports` are the Service's ports (AWS sets one listener each).
 */
export function cloudIdleTimeoutProblems(
  annotations: Record<string, unknown>,
  ports: number[],
  heartbeatSeconds: number,
): CloudIdleProblem[] {
  const problems: CloudIdleProblem[] = [];
  const need = heartbeatSeconds * HEARTBEATS_PER_IDLE_TIMEOUT;
  const tooShort = (idle: number) =>
    `gives the load balancer an idle timeout of ${idle} s, shorter than ${HEARTBEATS_PER_IDLE_TIMEOUT} heartbeats (${HEARTBEATS_PER_IDLE_TIMEOUT} x ${heartbeatSeconds} s = ${need} s): idle WebSockets are cut between heartbeats`;
  const aws = annotations[AWS_LB_TYPE] === "external" || annotations[AWS_NLB_TARGET_TYPE] !== undefined;
  if (aws) {
    if (typeof annotations[AWS_SSL_CERT] === "string") {
      if (NLB_TLS_IDLE_TIMEOUT_SECONDS < need) {
        problems.push({
          annotation: AWS_SSL_CERT,
          problem: `${tooShort(NLB_TLS_IDLE_TIMEOUT_SECONDS)}; a TLS listener's is fixed, so end TLS behind the NLB or send heartbeats at least every ${Math.floor(NLB_TLS_IDLE_TIMEOUT_SECONDS / HEARTBEATS_PER_IDLE_TIMEOUT)} s`,
        });
      }
    } else {
      for (const port of ports) {
        const key = `${AWS_LISTENER_ATTRIBUTES_PREFIX}.TCP-${port}`;
        const value = annotations[key];
        const m = typeof value === "string" ? LISTENER_IDLE.exec(value) : null;
        const { min, max } = NLB_IDLE_TIMEOUT_RANGE;
        if (!m) {
          if (NLB_DEFAULT_IDLE_TIMEOUT_SECONDS < need) {
            problems.push({
              annotation: key,
              problem: `is unset: the NLB's default ${tooShort(NLB_DEFAULT_IDLE_TIMEOUT_SECONDS)}; set it to tcp.idle_timeout.seconds=${Math.max(min, need + 1)} or more`,
            });
          }
          continue;
        }
        const idle = Number(m[1]);
        if (!Number.isInteger(idle) || idle < min || idle > max) {
          problems.push({
            annotation: key,
            problem: `tcp.idle_timeout.seconds ${JSON.stringify(m[1])} is outside the NLB's ${min}..${max} s: the controller cannot set it`,
          });
        } else if (idle < need) {
          problems.push({
            annotation: key,
            problem: `tcp.idle_timeout.seconds=${idle} ${tooShort(idle)}; raise it to at least ${Math.max(min, need)}`,
          });
        }
      }
    }
  }
  const azure = annotations[AZURE_TCP_IDLE_TIMEOUT];
  if (azure !== undefined) {
    const minutes = Number(azure);
    const { min, max } = AZURE_IDLE_TIMEOUT_MINUTES;
    if (!Number.isInteger(minutes) || minutes < min || minutes > max) {
      problems.push({
        annotation: AZURE_TCP_IDLE_TIMEOUT,
        problem: `${JSON.stringify(azure)} is not a whole number of minutes from ${min} to ${max}: cloud-provider-azure refuses it and builds no load balancer`,
      });
    } else if (minutes * 60 < need) {
      problems.push({
        annotation: AZURE_TCP_IDLE_TIMEOUT,
        problem: `${minutes} min ${tooShort(minutes * 60)}; raise it to at least ${Math.ceil(need / 60)}`,
      });
    }
  }
  const gke =
    annotations[GKE_L4_RBS] === "enabled"
      ? gcpPassthroughHop("external")
      : annotations[GKE_LB_TYPE] === "Internal"
        ? gcpPassthroughHop("internal")
        : undefined;
  if (gke && (gke.idleTimeoutSeconds as number) < need) {
    problems.push({
      annotation: annotations[GKE_L4_RBS] === "enabled" ? GKE_L4_RBS : GKE_LB_TYPE,
      problem: `${tooShort(gke.idleTimeoutSeconds as number)} (connection tracking, not settable through the Service); send heartbeats at least every ${Math.floor((gke.idleTimeoutSeconds as number) / HEARTBEATS_PER_IDLE_TIMEOUT)} s`,
    });
  }
  return problems;
}

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

/** True when the Service asks the AWS NLB to send a PROXY protocol header to its targets. */
export function sendsProxyProtocol(annotations: Record<string, unknown>): boolean {
  return annotations[AWS_PROXY_PROTOCOL] === "*";
}

/** Source ranges that let every client in: nothing to enforce. */
export const OPEN_SOURCE_RANGES: readonly string[] = ["0.0.0.0/0", "::/0"];

/** The ranges of `ranges` that restrict who may connect (all but OPEN_SOURCE_RANGES). */
export function restrictingRanges(ranges: readonly unknown[]): string[] {
  return ranges.filter((r): r is string => typeof r === "string" && !OPEN_SOURCE_RANGES.includes(r));
}

const PRESERVE_CLIENT_IP_ON = /(?:^|,)\s*preserve_client_ip\.enabled\s*=\s*true\s*(?:,|$)/;

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

/**
 * Whether the AWS Load Balancer Controller gives the Service's NLB its own frontend security group
 * and writes `loadBalancerSourceRanges` into it, for any target type (pkg/service/
 * model_build_managed_sg.go; v2.6.0 and later with the NLBSecurityGroup feature gate, on by
 * default). Not with `disable-nlb-sg: "true"`, nor with your own groups (`security-groups`).
 */
export function nlbHasManagedSecurityGroup(annotations: Record<string, unknown>): boolean {
  return annotations[AWS_DISABLE_NLB_SG] !== "true" && annotations[AWS_SECURITY_GROUPS] === undefined;
}

/**
 * A LoadBalancer Service's source ranges that nothing enforces: restricting ranges on an AWS NLB
 * (annotations of the AWS Load Balancer Controller) without the controller's security group, whose
 * targets cannot see the client address. Empty when they are enforced, or when the Service is not
 * such an NLB.
 */
export function unenforcedSourceRanges(
  annotations: Record<string, unknown>,
  ranges: readonly unknown[],
): string[] {
  if (annotations[AWS_LB_TYPE] !== "external" || nlbHasManagedSecurityGroup(annotations)) return [];
  const attributes = annotations[AWS_TARGET_GROUP_ATTRIBUTES];
  const sees = nlbSeesClientAddress({
    targetType: annotations[AWS_NLB_TARGET_TYPE] === "ip" ? "ip" : "instance",
    proxyProtocol: sendsProxyProtocol(annotations),
    preserveClientIp: typeof attributes === "string" && PRESERVE_CLIENT_IP_ON.test(attributes),
  });
  return sees ? [] : restrictingRanges(ranges);
}

/** The loadBalancerClass that hands a Service to the AWS Load Balancer Controller. */
export const AWS_NLB_CLASS = "service.k8s.aws/nlb";

/** True when the AWS Load Balancer Controller builds an NLB for the Service (its annotations or class). */
export function isAwsControllerNlb(
  annotations: Record<string, unknown>,
  loadBalancerClass?: unknown,
): boolean {
  return (
    annotations[AWS_LB_TYPE] === "external" ||
    annotations[AWS_LB_TYPE] === "nlb-ip" ||
    loadBalancerClass === AWS_NLB_CLASS
  );
}

/** True when that NLB's targets are the pods themselves ("ip"), which the pod readiness gate is for. */
export function nlbTargetsPods(annotations: Record<string, unknown>, loadBalancerClass?: unknown): boolean {
  if (annotations[AWS_LB_TYPE] === "nlb-ip") return true;
  return isAwsControllerNlb(annotations, loadBalancerClass) && annotations[AWS_NLB_TARGET_TYPE] === "ip";
}
