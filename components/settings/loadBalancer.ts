/** The L4 load-balancer choice (`l4LoadBalancer`) and the keys each choice reads: L4ExposureArgs.loadBalancer. */
import { SettingSection } from "./setting";

export const L4_LOAD_BALANCER = {
  title: "the L4 load balancer (l4LoadBalancer and the keys each choice reads); see docs/L4-CLOUD.md",
  keys: {
    l4LoadBalancer: {
      type: "string",
      values: ["metallb", "aws-nlb", "gcp", "azure", "custom"],
      scope: "l4",
      args: { l4: ["loadBalancer.type"] },
    },
    l4LoadBalancerScheme: {
      type: "string",
      values: ["internet-facing", "internal", "external"],
      scope: "l4",
      args: { l4: ["loadBalancer.scheme"] },
      loadBalancers: ["aws-nlb", "gcp"],
    },
    l4LoadBalancerIdleTimeoutSeconds: {
      type: "integer",
      scope: "l4",
      args: { l4: ["loadBalancer.idleTimeoutSeconds"] },
      loadBalancers: ["aws-nlb", "custom"],
    },
    awsNlbTargetType: {
      type: "string",
      values: ["ip", "instance"],
      scope: "l4",
      args: { l4: ["loadBalancer.targetType"] },
      loadBalancers: ["aws-nlb"],
    },
    awsNlbCrossZone: {
      type: "boolean",
      scope: "l4",
      args: { l4: ["loadBalancer.crossZone"] },
      loadBalancers: ["aws-nlb"],
    },
    awsNlbCertificateArn: {
      type: "string",
      scope: "l4",
      args: { l4: ["loadBalancer.certificateArn"] },
      loadBalancers: ["aws-nlb"],
    },
    awsNlbProxyProtocol: {
      type: "boolean",
      scope: "l4",
      args: { l4: ["loadBalancer.proxyProtocol"] },
      loadBalancers: ["aws-nlb"],
    },
    awsNlbDeregistrationDelaySeconds: {
      type: "integer",
      scope: "l4",
      args: { l4: ["loadBalancer.deregistrationDelaySeconds"] },
      loadBalancers: ["aws-nlb"],
    },
    awsNlbSslNegotiationPolicy: {
      type: "string",
      scope: "l4",
      args: { l4: ["loadBalancer.sslNegotiationPolicy"] },
      loadBalancers: ["aws-nlb"],
    },
    awsNlbManagedSecurityGroup: {
      type: "boolean",
      scope: "l4",
      args: { l4: ["loadBalancer.managedSecurityGroup"] },
      loadBalancers: ["aws-nlb"],
    },
    awsNlbPodReadinessGate: {
      type: "string",
      values: ["unverified", "namespaceLabelled"],
      scope: "l4",
      args: { l4: ["loadBalancer.podReadinessGate"] },
      loadBalancers: ["aws-nlb"],
    },
    azureInternal: {
      type: "boolean",
      scope: "l4",
      args: { l4: ["loadBalancer.internal"] },
      loadBalancers: ["azure"],
    },
    azureIdleTimeoutMinutes: {
      type: "integer",
      scope: "l4",
      args: { l4: ["loadBalancer.idleTimeoutMinutes"] },
      loadBalancers: ["azure"],
    },
    customLoadBalancerClass: {
      type: "string",
      scope: "l4",
      args: { l4: ["loadBalancer.loadBalancerClass"] },
      loadBalancers: ["custom"],
    },
    customLoadBalancerAnnotations: {
      type: "string[]",
      scope: "l4",
      args: { l4: ["loadBalancer.annotations"] },
      loadBalancers: ["custom"],
    },
  },
} as const satisfies SettingSection;
