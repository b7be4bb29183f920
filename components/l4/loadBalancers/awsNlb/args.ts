/** The options of loadBalancer.type "aws-nlb", as given and resolved. */

/**
 * An AWS Network Load Balancer created by the AWS Load Balancer Controller: v2.3.0 or later (the
 * `aws-load-balancer-attributes` annotation); `idleTimeoutSeconds` takes effect from v2.9.0 (listener
 * attributes), an older controller leaves the NLB's 350 s.
 */
export interface AwsNlbLoadBalancerArgs {
  /** An AWS NLB from the AWS Load Balancer Controller v2.3.0+ (v2.9.0+ for its idle timeout). */
  type: "aws-nlb";
  /** "internet-facing" (default) or "internal" (the controller's own default is internal). */
  scheme?: "internet-facing" | "internal";
  /** "ip" (default: the pods are the targets; needs the Amazon VPC CNI) or "instance" (the nodes' NodePort). */
  targetType?: "ip" | "instance";
  /**
   * Cross-zone load balancing (`load_balancing.cross_zone.enabled`). Default true: a zone without a ready
   * target still serves.
   */
  crossZone?: boolean;
  /**
   * The TCP listener's idle timeout, 60..6000 s. Default max(websocket.minLifetimeSeconds, 3
   * heartbeats), within 60..6000. Conflicts with certificateArn (a TLS listener's idle timeout is
   * fixed at 350 s).
   */
  idleTimeoutSeconds?: number;
  /**
   * ACM certificate ARN: TLS ends at the NLB (a TLS listener), which forwards plain TCP. Needs
   * tls.mode "loadBalancer". Default none: a TCP listener passes TLS through.
   */
  certificateArn?: string;
  /**
   * Send a PROXY protocol v2 header to the targets so HAProxy sees the client address (and enforces
   * loadBalancerSourceRanges) whatever the target type. Needs tls.mode "terminate" (only the HAProxy
   * tier reads the header). Default false.
   */
  proxyProtocol?: boolean;
  /** Target group `deregistration_delay.timeout_seconds`, 0..3600. Default 300 (AWS's). */
  deregistrationDelaySeconds?: number;
  /**
   * The TLS listener's security policy (`aws-load-balancer-ssl-negotiation-policy`), with
   * certificateArn only. Default "ELBSecurityPolicy-TLS13-1-2-2021-06" (TLS 1.2 and 1.3); only a
   * policy limited to TLS 1.2 and later is taken (ELBSecurityPolicy-TLS13-1-2-*, -TLS13-1-3-*,
   * -TLS-1-2-*, -FS-1-2-*): without the annotation the controller leaves ELBSecurityPolicy-2016-08,
   * which accepts TLS 1.0 and 1.1.
   */
  sslNegotiationPolicy?: string;
  /**
   * Whether the controller gives the NLB its own frontend security group and enforces
   * loadBalancerSourceRanges in it, for "ip" targets too. Default true: AWS Load Balancer Controller
   * v2.6.0 and later do so (feature gate NLBSecurityGroup, on by default). Set false for an older
   * controller or one with the gate off; false writes `aws-load-balancer-disable-nlb-sg: "true"`.
   * AWS cannot add a security group to an NLB created without one, or remove it: changing this
   * replaces the NLB (a new DNS name).
   */
  managedSecurityGroup?: boolean;
  /**
   * What you know of the pods' namespace, for "ip" targets only: "namespaceLabelled" when it carries
   * `elbv2.k8s.aws/pod-readiness-gate-inject: enabled`, so the AWS Load Balancer Controller's pod
   * readiness gate holds each new pod unready until the NLB sees it healthy. Default "unverified":
   * every preview and up warns that the label is needed, and the budget lists a rollout without
   * the gate as a drop event. This component does not read the namespace; "namespaceLabelled" is
   * your word for it (written on the Service as `ws-exposure.dev/pod-readiness-gate`, which the
   * policy pack checks against a Namespace in the same stack).
   */
  podReadinessGate?: "unverified" | "namespaceLabelled";
}

export type ResolvedAwsNlb = {
  type: "aws-nlb";
  scheme: "internet-facing" | "internal";
  targetType: "ip" | "instance";
  crossZone: boolean;
  /** The listener's idle timeout: the TCP listener's as set, or a TLS listener's fixed 350 s. */
  idleTimeoutSeconds: number;
  certificateArn?: string;
  /** The TLS listener's security policy; set exactly when certificateArn is. */
  sslNegotiationPolicy?: string;
  proxyProtocol: boolean;
  deregistrationDelaySeconds: number;
  /** The controller's own frontend security group holds the source ranges (v2.6.0+). */
  managedSecurityGroup: boolean;
  /** What the user says of the pods' namespace's readiness gate label; set exactly when targetType is "ip". */
  podReadinessGate?: "unverified" | "namespaceLabelled";
};
