import type { ResourceValidationPolicy } from "@pulumi/policy";
import {
  cloudIdleTimeoutProblems,
  POLICY_DEFAULT_HEARTBEAT_SECONDS,
  sendsProxyProtocol,
  unenforcedSourceRanges,
} from "../../components/policyChecks/cloudLoadBalancer";
import { knativePodLabel } from "../../components/policyChecks/knativePods";
import { asArray, asObject, at, describe, isUnknown } from "./props";
import { TYPES } from "./types";

/** A LoadBalancer Service's annotations and port numbers, or undefined when it is none. */
function loadBalancerService(props: Record<string, unknown>) {
  const spec = asObject(props.spec);
  if (spec?.type !== "LoadBalancer") return undefined;
  const annotations = asObject(at(props, "metadata", "annotations")) ?? {};
  const ports = asArray(spec.ports)
    .map((p) => asObject(p)?.port)
    .filter((p): p is number => typeof p === "number");
  return { spec, annotations, ports };
}

/**
 * A cloud load balancer's idle timeout, as its Service annotations set it (AWS NLB listener
 * attributes or TLS listener, Azure's tcp-idle-timeout, GKE's passthrough connection tracking),
 * must outlast two client heartbeats; values the controller refuses are violations too. The
 * heartbeat is the pack's config `heartbeatSeconds` (default 5 s, the iOS app's).
 */
export const cloudLoadBalancerIdleTimeout: ResourceValidationPolicy = {
  name: "cloud-loadbalancer-idle-timeout",
  description:
    "A cloud load balancer's idle timeout (AWS NLB, Azure, GKE passthrough), as the LoadBalancer Service's annotations set it, must exceed two client heartbeats, within the range its controller accepts.",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: {
      heartbeatSeconds: { type: "integer", minimum: 1, default: POLICY_DEFAULT_HEARTBEAT_SECONDS },
    },
  },
  validateResource: (args, reportViolation) => {
    if (args.type !== TYPES.service) return;
    const lb = loadBalancerService(args.props);
    if (!lb || Object.values(lb.annotations).some(isUnknown)) return;
    const heartbeatSeconds =
      args.getConfig<{ heartbeatSeconds?: number }>().heartbeatSeconds ?? POLICY_DEFAULT_HEARTBEAT_SECONDS;
    for (const { annotation, problem } of cloudIdleTimeoutProblems(
      lb.annotations,
      lb.ports,
      heartbeatSeconds,
    )) {
      reportViolation(`${describe("Service", args.props, args.name)}: annotation ${annotation} ${problem}`);
    }
  },
};

/**
 * An NLB that sends a PROXY protocol header straight to Knative pods: the queue-proxy takes the
 * header for the start of an HTTP request and answers 400. Only a proxy that reads the header
 * (the L4Exposure's HAProxy tier, `accept-proxy`) may receive it.
 */
export const proxyProtocolToKnativePods: ResourceValidationPolicy = {
  name: "aws-nlb-proxy-protocol-to-knative-pods",
  description:
    "A LoadBalancer Service that selects Knative pods must not ask the AWS NLB for PROXY protocol: the queue-proxy does not read the header.",
  enforcementLevel: "mandatory",
  validateResource: (args, reportViolation) => {
    if (args.type !== TYPES.service) return;
    const lb = loadBalancerService(args.props);
    if (!lb || !sendsProxyProtocol(lb.annotations)) return;
    const label = knativePodLabel(lb.spec.selector);
    if (!label) return;
    reportViolation(
      `${describe("Service", args.props, args.name)}: annotation service.beta.kubernetes.io/aws-load-balancer-proxy-protocol "*" sends a PROXY header to the Knative pods it selects (${label}=${String(at(lb.spec, "selector", label))}), ` +
        `whose queue-proxy reads it as a malformed request; remove the annotation, or put a proxy that accepts it (HAProxy accept-proxy, tls.mode "terminate") in front of the pods`,
    );
  },
};

/**
 * `loadBalancerSourceRanges` on an AWS NLB whose targets cannot see the client address ("ip"
 * targets without client IP preservation or PROXY protocol): the AWS Load Balancer Controller
 * ignores the ranges there and the targets see the NLB's address, so every client gets in.
 */
export const nlbSourceRangesUnenforced: ResourceValidationPolicy = {
  name: "aws-nlb-source-ranges-unenforced",
  description:
    "A LoadBalancer Service's loadBalancerSourceRanges must be enforceable: on an AWS NLB with ip targets that needs client IP preservation or PROXY protocol to a proxy that filters (HAProxy).",
  enforcementLevel: "mandatory",
  validateResource: (args, reportViolation) => {
    if (args.type !== TYPES.service) return;
    const lb = loadBalancerService(args.props);
    const ranges = asArray(lb?.spec.loadBalancerSourceRanges);
    if (!lb || Object.values(lb.annotations).some(isUnknown) || ranges.some(isUnknown)) return;
    const unenforced = unenforcedSourceRanges(lb.annotations, ranges);
    if (unenforced.length === 0) return;
    reportViolation(
      `${describe("Service", args.props, args.name)}: loadBalancerSourceRanges ${unenforced.join(", ")} would be enforced nowhere: its NLB has "ip" targets without client IP preservation, so the AWS Load Balancer Controller ignores the ranges and the pods see the NLB's address; ` +
        `send PROXY protocol to a proxy that filters by it (service.beta.kubernetes.io/aws-load-balancer-proxy-protocol: "*" and HAProxy), use "instance" targets, or turn client IP preservation on (target group attribute preserve_client_ip.enabled=true)`,
    );
  },
};
