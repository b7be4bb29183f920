import { Hop } from "./model";
import { AWS_POD_READINESS_GATE_LABEL } from "../policyChecks/cloudLoadBalancer";

/**
 * Hop builders for the cloud Layer 4 load balancers. Each figure cites where it comes from; where a
 * fact could not be verified in the provider's documentation the note says so (docs/L4.md too).
 */

/**
 * AWS Network Load Balancer.
 * - TCP listener idle timeout: default 350 s, settable 60..6000 s (`tcp.idle_timeout.seconds`
 *   listener attribute). TLS listener: 350 s, cannot be changed.
 *   https://docs.aws.amazon.com/elasticloadbalancing/latest/network/update-idle-timeout.html
 * - "If no data is sent through the connection by either the client or target for longer than the
 *   idle timeout, the connection is closed" (same page). Whether the NLB then sends anything (a RST)
 *   is not stated there: not verified. Same page: above 350 s, the targets' ENI connection tracking
 *   (TcpEstablishedTimeout, 350 s by default on Nitro v6+ instances) must be at least as long.
 * - Deregistration delay: default 300 s (0..3600): a deregistered target (a pod leaving with target
 *   type ip, a node with instance) drains that long.
 *   https://docs.aws.amazon.com/elasticloadbalancing/latest/network/edit-target-group-attributes.html#deregistration-delay
 * - "ip" targets: a rollout can finish before the controller registers the new pods and the NLB
 *   sees them healthy, leaving only initial or draining targets, unless the pods' namespace carries
 *   the controller's pod readiness gate label (its docs/deploy/pod_readiness_gate.md). The
 *   component cannot see the label: the drop event goes only when the user says it is there.
 */
export function awsNlbHop(lb: {
  idleTimeoutSeconds: number;
  tlsListener: boolean;
  targetType: "ip" | "instance";
  crossZone: boolean;
  deregistrationDelaySeconds: number;
  /** "ip" targets: whether the user says the namespace carries the gate label; default "unverified". */
  podReadinessGate?: "unverified" | "namespaceLabelled";
}): Hop {
  const target = lb.targetType === "ip" ? "a pod (target type ip)" : "a node (target type instance)";
  const gateRelied = lb.targetType === "ip" && lb.podReadinessGate === "namespaceLabelled";
  const listener = lb.tlsListener
    ? "TLS listener: idle timeout fixed at 350 s (AWS); the NLB closes a connection idle that long"
    : `TCP listener idle timeout (AWS default 350 s, set here to ${lb.idleTimeoutSeconds} s through the listener-attributes annotation, which needs AWS Load Balancer Controller v2.9.0 or later: an older one leaves 350 s); above 350 s the targets' ENI conntrack timeout must be as long (Nitro v6+ default 350 s)`;
  return {
    name: "aws-nlb",
    idleTimeoutSeconds: lb.idleTimeoutSeconds,
    lifetimeCapSeconds: null,
    dropEvents: [
      `target deregistration (${target} leaves the target group: rollout, scale-down, node drain): the NLB drains it for the deregistration delay, ${lb.deregistrationDelaySeconds} s, and its connections end when the target goes`,
      ...(lb.targetType === "ip" && !gateRelied
        ? [
            `rollout without the pod readiness gate (the pods' namespace lacks the label ${AWS_POD_READINESS_GATE_LABEL}: enabled): the rollout can finish before the AWS Load Balancer Controller registers the new pods and the NLB sees them healthy, and the target group then holds only initial or draining targets: new connections fail until the new pods pass their health checks`,
          ]
        : []),
      lb.crossZone
        ? "zone failure: connections through the failed zone's nodes drop; cross-zone load balancing sends new ones to the other zones"
        : "zone failure: connections through the failed zone drop, and the zone's NLB address answers nothing until DNS fails it out (cross-zone load balancing off)",
    ],
    idleSetting: lb.tlsListener
      ? undefined
      : "loadBalancer.idleTimeoutSeconds (the TCP listener's tcp.idle_timeout.seconds, 60..6000)",
    note: gateRelied
      ? `${listener}; rollouts rely on the controller's pod readiness gate (loadBalancer.podReadinessGate "namespaceLabelled": the pods' namespace carries ${AWS_POD_READINESS_GATE_LABEL}: enabled, as its owner says)`
      : listener,
  };
}

/**
 * Google Cloud passthrough Network Load Balancer (GKE LoadBalancer Service).
 * - Not a proxy: packets reach the nodes unchanged and replies go straight back (direct server
 *   return). https://cloud.google.com/load-balancing/docs/network/networklb-backend-service
 * - Connection tracking entries expire after idleTimeoutSec of silence: external passthrough
 *   default 60 s, internal passthrough default (and minimum) 600 s, at most 16 h; the public
 *   Compute API reference marks the field "not available publicly" for external LBs, and GKE has no
 *   Service parameter for it that we could find (not verified).
 *   https://cloud.google.com/compute/docs/reference/rest/v1/backendServices (connectionTrackingPolicy.idleTimeoutSec)
 * - A packet with no entry is balanced afresh by consistent hashing; with the same healthy backends
 *   it reaches the same node. https://cloud.google.com/load-balancing/docs/network/ext-netlb-traffic-distribution
 * The budget takes the expiry as the idle timer (the conservative end: with a changed backend set
 * the re-hashed packet reaches another node, which answers with a reset).
 */
export function gcpPassthroughHop(scheme: "external" | "internal"): Hop {
  return {
    name: `gcp-${scheme}-passthrough`,
    idleTimeoutSeconds: scheme === "external" ? 60 : 600,
    lifetimeCapSeconds: null,
    dropEvents: [
      "backend change (a node joins or leaves, a health check fails): flows whose connection tracking entry expired are hashed afresh and may reach another node, which resets them",
      "zone failure: connections through the failed zone's nodes drop (the load balancer is regional)",
    ],
    note: `connection tracking entry idle timeout ${scheme === "external" ? "60" : "600"} s (Compute API default, not set through GKE); the load balancer sends nothing on expiry`,
  };
}

/**
 * Azure Standard Load Balancer (AKS, cloud-provider-azure).
 * - Idle timeout 4..100 minutes, default 4; beyond it "there's no guarantee" the flow is kept.
 *   https://learn.microsoft.com/azure/load-balancer/load-balancer-tcp-idle-timeout
 * - cloud-provider-azure's `service.beta.kubernetes.io/azure-load-balancer-tcp-idle-timeout`
 *   accepts 4..100 minutes since v1.28.0 (4..30 before; commit 647309ffe, "Increase service idle max
 *   timeout to 100 minutes", in kubernetes-sigs/cloud-provider-azure).
 * - Default on idle timeout: a silent drop; with TCP reset on the rule, both ends get a RST.
 *   https://learn.microsoft.com/azure/load-balancer/load-balancer-tcp-reset
 * - cloud-provider-azure's `azure-load-balancer-disable-tcp-reset` annotation was deprecated in
 *   Kubernetes 1.18 and removed (commit 9832fad), i.e. its Standard SKU rules reset on idle; not
 *   verified against the current controller's source.
 */
export function azureLoadBalancerHop(idleTimeoutMinutes: number): Hop {
  return {
    name: "azure-lb",
    idleTimeoutSeconds: idleTimeoutMinutes * 60,
    lifetimeCapSeconds: null,
    dropEvents: [
      "backend pool change (a node leaves, its health probe fails): its connections drop",
      "zone failure: connections through the failed zone's nodes drop",
    ],
    idleSetting: "loadBalancer.idleTimeoutMinutes (azure-load-balancer-tcp-idle-timeout, 4..100)",
    note: "idle timeout set on the rule; on expiry TCP reset to both ends (Standard SKU as cloud-provider-azure configures it), silent drop without it",
  };
}

/** A load balancer this component does not know: only what its owner declared. */
export function customLoadBalancerHop(idleTimeoutSeconds: number | undefined): Hop {
  return {
    name: "custom-lb",
    idleTimeoutSeconds: idleTimeoutSeconds ?? null,
    lifetimeCapSeconds: null,
    dropEvents: ["whatever your load balancer does on its own failover and backend changes (not modelled)"],
    idleSetting: "loadBalancer.idleTimeoutSeconds (declare your load balancer's)",
    note:
      idleTimeoutSeconds === undefined
        ? "no idle timeout declared: the budget assumes none at this hop"
        : "idle timeout as declared in loadBalancer.idleTimeoutSeconds",
  };
}
