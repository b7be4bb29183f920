/** The budget's hop for an AWS Network Load Balancer. */
import { Hop } from "../../../budget/model";
import { AWS_POD_READINESS_GATE_LABEL } from "./annotations";

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
