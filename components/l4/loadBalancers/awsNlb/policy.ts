/**
 * The policy pack's checks of any LoadBalancer Service the AWS Load Balancer Controller reads
 * (annotations in annotations.ts); L4Exposure's own plan applies the same rules before it writes them.
 */
import { HEARTBEATS_PER_IDLE_TIMEOUT } from "../../../budget/model";
import { CloudIdleProblem, idleTooShort, restrictingRanges } from "../kind";
import {
  AWS_DISABLE_NLB_SG,
  AWS_LB_TYPE,
  AWS_LISTENER_ATTRIBUTES_PREFIX,
  AWS_NLB_CLASS,
  AWS_NLB_TARGET_TYPE,
  AWS_PROXY_PROTOCOL,
  AWS_SECURITY_GROUPS,
  AWS_SSL_CERT,
  AWS_TARGET_GROUP_ATTRIBUTES,
  NLB_DEFAULT_IDLE_TIMEOUT_SECONDS,
  NLB_IDLE_TIMEOUT_RANGE,
  NLB_TLS_IDLE_TIMEOUT_SECONDS,
  nlbSeesClientAddress,
} from "./annotations";

const LISTENER_IDLE = /(?:^|,)\s*tcp\.idle_timeout\.seconds\s*=\s*([^,]*)/;

/** Each listener's idle timeout (one per Service port) against the NLB's range and the heartbeat. */
export function nlbIdleProblems(
  annotations: Record<string, unknown>,
  ports: number[],
  heartbeatSeconds: number,
): CloudIdleProblem[] {
  const aws = annotations[AWS_LB_TYPE] === "external" || annotations[AWS_NLB_TARGET_TYPE] !== undefined;
  if (!aws) return [];
  const problems: CloudIdleProblem[] = [];
  const need = heartbeatSeconds * HEARTBEATS_PER_IDLE_TIMEOUT;
  const tooShort = (idle: number) => idleTooShort(idle, heartbeatSeconds);
  if (typeof annotations[AWS_SSL_CERT] === "string") {
    if (NLB_TLS_IDLE_TIMEOUT_SECONDS < need) {
      problems.push({
        annotation: AWS_SSL_CERT,
        problem: `${tooShort(NLB_TLS_IDLE_TIMEOUT_SECONDS)}; a TLS listener's is fixed, so end TLS behind the NLB or send heartbeats at least every ${Math.floor(NLB_TLS_IDLE_TIMEOUT_SECONDS / HEARTBEATS_PER_IDLE_TIMEOUT)} s`,
      });
    }
    return problems;
  }
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
  return problems;
}

/** True when the Service asks the AWS NLB to send a PROXY protocol header to its targets. */
export function sendsProxyProtocol(annotations: Record<string, unknown>): boolean {
  return annotations[AWS_PROXY_PROTOCOL] === "*";
}

const PRESERVE_CLIENT_IP_ON = /(?:^|,)\s*preserve_client_ip\.enabled\s*=\s*true\s*(?:,|$)/;

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
