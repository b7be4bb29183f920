/**
 * The LoadBalancer Service annotations each cloud controller reads, from its own documentation:
 * - AWS Load Balancer Controller (v2.2+), Service annotations:
 *   https://kubernetes-sigs.github.io/aws-load-balancer-controller/latest/guide/service/annotations/
 * - GKE LoadBalancer Service parameters:
 *   https://cloud.google.com/kubernetes-engine/docs/concepts/service-load-balancer-parameters
 * - cloud-provider-azure (AKS) LoadBalancer annotations:
 *   https://kubernetes-sigs.github.io/cloud-provider-azure/topics/loadbalancer/
 * Pure: the plan in, plain strings out.
 */
import { ResolvedLoadBalancer } from "./planTypes";

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
/** "*" turns PROXY protocol v2 on for every target group. */
export const AWS_PROXY_PROTOCOL = `${AWS}-proxy-protocol`;
/** Per listener: `<prefix>.TCP-<port>: tcp.idle_timeout.seconds=<n>` (newer controllers; TCP listeners only). */
export const AWS_LISTENER_ATTRIBUTES_PREFIX = `${AWS}-listener-attributes`;

/** GKE: a backend service-based external passthrough NLB (GKE 1.25.5+). */
export const GKE_L4_RBS = "cloud.google.com/l4-rbs";
/** GKE: an internal passthrough NLB. */
export const GKE_LB_TYPE = "networking.gke.io/load-balancer-type";

export const AZURE_INTERNAL = "service.beta.kubernetes.io/azure-load-balancer-internal";
/** Minutes, 4..30 in cloud-provider-azure's validation. */
export const AZURE_TCP_IDLE_TIMEOUT = "service.beta.kubernetes.io/azure-load-balancer-tcp-idle-timeout";

/** Every annotation this component writes for a cloud load balancer (the policy pack reads the same names). */
export interface CloudServiceFields {
  annotations: Record<string, string>;
  loadBalancerClass?: string;
}

/** The annotations (and class) for the LoadBalancer Service on `port`; empty for MetalLB (metallb.ts writes its own). */
export function cloudServiceFields(lb: ResolvedLoadBalancer, port: number): CloudServiceFields {
  switch (lb.type) {
    case "aws-nlb": {
      const annotations: Record<string, string> = {
        [AWS_LB_TYPE]: "external",
        [AWS_NLB_TARGET_TYPE]: lb.targetType,
        [AWS_SCHEME]: lb.scheme,
        [AWS_LB_ATTRIBUTES]: `load_balancing.cross_zone.enabled=${lb.crossZone}`,
        [AWS_TARGET_GROUP_ATTRIBUTES]: `deregistration_delay.timeout_seconds=${lb.deregistrationDelaySeconds}`,
      };
      if (lb.certificateArn) {
        annotations[AWS_SSL_CERT] = lb.certificateArn;
        annotations[AWS_SSL_PORTS] = String(port);
      } else {
        annotations[`${AWS_LISTENER_ATTRIBUTES_PREFIX}.TCP-${port}`] =
          `tcp.idle_timeout.seconds=${lb.idleTimeoutSeconds}`;
      }
      if (lb.proxyProtocol) annotations[AWS_PROXY_PROTOCOL] = "*";
      return { annotations };
    }
    case "gcp":
      return {
        annotations: lb.scheme === "internal" ? { [GKE_LB_TYPE]: "Internal" } : { [GKE_L4_RBS]: "enabled" },
      };
    case "azure": {
      const annotations: Record<string, string> = {
        [AZURE_TCP_IDLE_TIMEOUT]: String(lb.idleTimeoutMinutes),
      };
      if (lb.internal) annotations[AZURE_INTERNAL] = "true";
      return { annotations };
    }
    case "custom":
      return { annotations: { ...lb.annotations }, loadBalancerClass: lb.loadBalancerClass };
    default:
      return { annotations: {} };
  }
}
