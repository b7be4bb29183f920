/**
 * The LoadBalancer Service annotations each cloud controller reads, from its own documentation:
 * - AWS Load Balancer Controller (v2.3.0+; the listener-attributes annotation v2.9.0+), Service annotations:
 *   https://kubernetes-sigs.github.io/aws-load-balancer-controller/latest/guide/service/annotations/
 * - GKE LoadBalancer Service parameters:
 *   https://cloud.google.com/kubernetes-engine/docs/concepts/service-load-balancer-parameters
 * - cloud-provider-azure (AKS) LoadBalancer annotations:
 *   https://kubernetes-sigs.github.io/cloud-provider-azure/topics/loadbalancer/
 * Pure: the plan in, plain strings out.
 */
import type { ResolvedLoadBalancer } from "./planTypes";
import {
  AWS_DISABLE_NLB_SG,
  AWS_LB_ATTRIBUTES,
  AWS_LB_TYPE,
  AWS_LISTENER_ATTRIBUTES_PREFIX,
  AWS_NLB_TARGET_TYPE,
  AWS_PROXY_PROTOCOL,
  AWS_SCHEME,
  AWS_SSL_CERT,
  AWS_SSL_NEGOTIATION_POLICY,
  AWS_SSL_PORTS,
  AWS_TARGET_GROUP_ATTRIBUTES,
  AZURE_INTERNAL,
  AZURE_TCP_IDLE_TIMEOUT,
  GKE_L4_RBS,
  GKE_LB_TYPE,
  NAMESPACE_LABELLED,
  POD_READINESS_GATE_DECLARATION,
} from "../policyChecks/cloudLoadBalancer";

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
        annotations[AWS_SSL_NEGOTIATION_POLICY] = lb.sslNegotiationPolicy as string;
      } else {
        annotations[`${AWS_LISTENER_ATTRIBUTES_PREFIX}.TCP-${port}`] =
          `tcp.idle_timeout.seconds=${lb.idleTimeoutSeconds}`;
      }
      if (lb.proxyProtocol) annotations[AWS_PROXY_PROTOCOL] = "*";
      if (!lb.managedSecurityGroup) annotations[AWS_DISABLE_NLB_SG] = "true";
      if (lb.podReadinessGate === NAMESPACE_LABELLED) {
        annotations[POD_READINESS_GATE_DECLARATION] = NAMESPACE_LABELLED;
      }
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
