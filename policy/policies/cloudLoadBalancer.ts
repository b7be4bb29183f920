import type { PolicyResource, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import {
  AWS_POD_READINESS_GATE_LABEL,
  AWS_SSL_CERT,
  AWS_SSL_NEGOTIATION_POLICY,
  cloudIdleTimeoutProblems,
  isAwsControllerNlb,
  NAMESPACE_LABELLED,
  nlbSslPolicyProblem,
  nlbTargetsPods,
  POD_READINESS_GATE_DECLARATION,
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
 * `loadBalancerSourceRanges` on an AWS NLB without the controller's own security group
 * (`disable-nlb-sg: "true"`, or your `security-groups`) whose targets cannot see the client address
 * ("ip" targets without client IP preservation or PROXY protocol): nothing enforces the ranges and
 * the targets see the NLB's address, so every client gets in. With the controller's security group
 * (v2.6.0+, the default) the NLB enforces them for any target type.
 */
export const nlbSourceRangesUnenforced: ResourceValidationPolicy = {
  name: "aws-nlb-source-ranges-unenforced",
  description:
    "A LoadBalancer Service's loadBalancerSourceRanges must be enforceable: on an AWS NLB without the controller's security group and with ip targets that needs client IP preservation or PROXY protocol to a proxy that filters (HAProxy).",
  enforcementLevel: "mandatory",
  validateResource: (args, reportViolation) => {
    if (args.type !== TYPES.service) return;
    const lb = loadBalancerService(args.props);
    const ranges = asArray(lb?.spec.loadBalancerSourceRanges);
    if (!lb || Object.values(lb.annotations).some(isUnknown) || ranges.some(isUnknown)) return;
    const unenforced = unenforcedSourceRanges(lb.annotations, ranges);
    if (unenforced.length === 0) return;
    reportViolation(
      `${describe("Service", args.props, args.name)}: loadBalancerSourceRanges ${unenforced.join(", ")} would be enforced nowhere: its NLB has no security group of the AWS Load Balancer Controller to hold them (annotation service.beta.kubernetes.io/aws-load-balancer-disable-nlb-sg or -security-groups) and "ip" targets without client IP preservation, so the pods see the NLB's address; ` +
        `let the controller (v2.6.0+) give the NLB its security group (remove those annotations: the NLB is then replaced), send PROXY protocol to a proxy that filters by it (service.beta.kubernetes.io/aws-load-balancer-proxy-protocol: "*" and HAProxy), use "instance" targets, or turn client IP preservation on (target group attribute preserve_client_ip.enabled=true)`,
    );
  },
};

/**
 * An AWS NLB TLS listener (the `ssl-cert` annotation) must negotiate TLS 1.2 and later only, as
 * docs/SECURITY.md promises: without `ssl-negotiation-policy` the controller leaves
 * ELBSecurityPolicy-2016-08, which accepts TLS 1.0 and 1.1.
 */
export const nlbTlsMinimumVersion: ResourceValidationPolicy = {
  name: "aws-nlb-tls-minimum-version",
  description:
    "An AWS NLB TLS listener (aws-load-balancer-ssl-cert) must name a security policy limited to TLS 1.2 and later in aws-load-balancer-ssl-negotiation-policy; the controller's default accepts TLS 1.0 and 1.1.",
  enforcementLevel: "mandatory",
  validateResource: (args, reportViolation) => {
    if (args.type !== TYPES.service) return;
    const lb = loadBalancerService(args.props);
    if (!lb || Object.values(lb.annotations).some(isUnknown)) return;
    if (!isAwsControllerNlb(lb.annotations, lb.spec.loadBalancerClass)) return;
    if (lb.annotations[AWS_SSL_CERT] === undefined) return;
    const problem = nlbSslPolicyProblem(lb.annotations[AWS_SSL_NEGOTIATION_POLICY]);
    if (problem) {
      reportViolation(
        `${describe("Service", args.props, args.name)}: annotation ${AWS_SSL_NEGOTIATION_POLICY} ${problem}`,
      );
    }
  },
};

/**
 * The LoadBalancer Services of a stack whose AWS NLB targets pods, with the namespace they (and their
 * pods) live in, and whether the Service says that namespace carries the gate label.
 */
function podTargetNlbServices(resources: PolicyResource[]) {
  return resources.flatMap((r) => {
    if (r.type !== TYPES.service) return [];
    const lb = loadBalancerService(r.props);
    if (!lb || Object.values(lb.annotations).some(isUnknown)) return [];
    if (!nlbTargetsPods(lb.annotations, lb.spec.loadBalancerClass)) return [];
    const namespace = at(r.props, "metadata", "namespace") ?? "default";
    if (typeof namespace !== "string" || isUnknown(namespace)) return [];
    return [
      {
        resource: r,
        namespace,
        declared: lb.annotations[POD_READINESS_GATE_DECLARATION] === NAMESPACE_LABELLED,
      },
    ];
  });
}

/** The stack's Namespace (or NamespacePatch) objects by name. */
function stackNamespaces(resources: PolicyResource[]): Map<string, PolicyResource> {
  const found = new Map<string, PolicyResource>();
  for (const r of resources) {
    if (r.type !== TYPES.namespace && r.type !== TYPES.namespacePatch) continue;
    const name = at(r.props, "metadata", "name");
    if (typeof name === "string" && !isUnknown(name)) found.set(name, r);
  }
  return found;
}

const gateLabelled = (ns: PolicyResource) =>
  at(ns.props, "metadata", "labels", AWS_POD_READINESS_GATE_LABEL) === "enabled";

/**
 * An AWS NLB with "ip" targets in a namespace of this stack that lacks the controller's pod readiness
 * gate label: a rollout can finish before the NLB sees the new pods healthy
 * (aws-load-balancer-controller docs/deploy/pod_readiness_gate.md). A Service that says the label is
 * there (POD_READINESS_GATE_DECLARATION) is checked all the same: the Namespace the pack sees wins,
 * and the violation names both.
 */
export const nlbPodReadinessGate: StackValidationPolicy = {
  name: "aws-nlb-pod-readiness-gate",
  description: `An AWS NLB with ip targets needs its pods' namespace labelled ${AWS_POD_READINESS_GATE_LABEL}: enabled (the controller's pod readiness gate); checked where the Namespace is in the same stack.`,
  enforcementLevel: "mandatory",
  validateStack: (args, reportViolation) => {
    const namespaces = stackNamespaces(args.resources);
    for (const { resource, namespace, declared } of podTargetNlbServices(args.resources)) {
      const ns = namespaces.get(namespace);
      if (!ns || isUnknown(at(ns.props, "metadata", "labels")) || gateLabelled(ns)) continue;
      const says = declared
        ? `, although its annotation ${POD_READINESS_GATE_DECLARATION}: ${NAMESPACE_LABELLED} says it has it`
        : "";
      reportViolation(
        `${describe("Service", resource.props, resource.name)}: an AWS NLB with "ip" targets in namespace "${namespace}", whose Namespace in this stack lacks the label ${AWS_POD_READINESS_GATE_LABEL}: enabled${says}; without the AWS Load Balancer Controller's pod readiness gate a rollout can finish before the NLB sees the new pods healthy, leaving only initial or draining targets (an outage); add the label to Namespace "${namespace}"`,
        resource.urn,
      );
    }
  },
};

/**
 * The same where the pack cannot see the namespace (not in this stack): advisory, naming it, unless
 * the Service says the namespace is labelled (POD_READINESS_GATE_DECLARATION): the advice is only
 * to go and look, and once its owner has, repeating it on every preview teaches them to skip the
 * pack's output.
 */
export const nlbPodReadinessGateUnverified: StackValidationPolicy = {
  name: "aws-nlb-pod-readiness-gate-unverified",
  description: `An AWS NLB with ip targets whose namespace is not in this stack: the pack cannot see the ${AWS_POD_READINESS_GATE_LABEL} label the controller's pod readiness gate needs; check it, then annotate the Service ${POD_READINESS_GATE_DECLARATION}: ${NAMESPACE_LABELLED}.`,
  enforcementLevel: "advisory",
  validateStack: (args, reportViolation) => {
    const namespaces = stackNamespaces(args.resources);
    for (const { resource, namespace, declared } of podTargetNlbServices(args.resources)) {
      if (namespaces.has(namespace) || declared) continue;
      reportViolation(
        `${describe("Service", resource.props, resource.name)}: an AWS NLB with "ip" targets in namespace "${namespace}", which is not in this stack, so the pack cannot see whether it has the label ${AWS_POD_READINESS_GATE_LABEL}: enabled that the AWS Load Balancer Controller's pod readiness gate needs; check it (kubectl get namespace ${namespace} --show-labels), then say so with the Service annotation ${POD_READINESS_GATE_DECLARATION}: ${NAMESPACE_LABELLED} (L4Exposure: loadBalancer.podReadinessGate "${NAMESPACE_LABELLED}")`,
        resource.urn,
      );
    }
  },
};
