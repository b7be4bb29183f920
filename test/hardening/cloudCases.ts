/** The bad-input catalogue's L4 load-balancer cases (issue 13): every refused combination names the option. */
import { L4ExposureArgs } from "../../components/l4/args";
import { LoadBalancerArgs } from "../../components/l4/loadBalancers";
import { l4Args } from "../helpers/fixtures";
import type { Kind } from "./cases";

const ARN = "arn:aws:acm:eu-west-1:123456789012:certificate/0a1b2c3d";
const O = 'L4Exposure "staging": ';

/** The staging exposure without its MetalLB args, on the given load balancer. */
export function cloudArgs(
  loadBalancer: LoadBalancerArgs,
  over: Partial<Record<keyof L4ExposureArgs, unknown>> = {},
): L4ExposureArgs {
  return l4Args({ addressPool: undefined, loadBalancerIP: undefined, loadBalancer, ...over });
}

export const loadBalancerCases: [string, string, Kind, unknown][] = [
  [
    "an unknown load balancer",
    `${O}loadBalancer.type must be one of "metallb", "aws-nlb", "gcp", "azure", "custom" (got "haproxy")`,
    "l4",
    cloudArgs({ type: "haproxy" } as never),
  ],
  [
    "an option of another choice",
    `${O}loadBalancer.idleTimeoutMinutes is an option of loadBalancer.type "azure" (loadBalancer.type is "gcp"); remove it or change loadBalancer.type`,
    "l4",
    cloudArgs({ type: "gcp", idleTimeoutMinutes: 10 } as never),
  ],
  [
    "an option no choice has",
    `${O}loadBalancer.zones is not an option (loadBalancer.type is "aws-nlb"); remove it or change loadBalancer.type`,
    "l4",
    cloudArgs({ type: "aws-nlb", zones: 3 } as never),
  ],
  [
    "a MetalLB pool with a cloud load balancer",
    `${O}addressPool is only for loadBalancer.type "metallb" (loadBalancer.type is "azure": its controller assigns the address); remove it`,
    "l4",
    l4Args({ loadBalancerIP: undefined, loadBalancer: { type: "azure" } }),
  ],
  [
    "a pinned MetalLB address with a cloud load balancer",
    `${O}loadBalancerIP is only for loadBalancer.type "metallb" (loadBalancer.type is "gcp": its controller assigns the address); remove it`,
    "l4",
    cloudArgs({ type: "gcp" }, { loadBalancerIP: "192.168.1.241" }),
  ],
  [
    "TLS at a load balancer that passes TCP through",
    `${O}tls.mode "loadBalancer" (TLS ended by the load balancer) needs loadBalancer.type "aws-nlb" with certificateArn: "gcp" passes TCP through and does not end TLS; use tls.mode "terminate" (HAProxy) or "passthrough"`,
    "l4",
    cloudArgs({ type: "gcp" }, { tls: { mode: "loadBalancer" } }),
  ],
  [
    "TLS at the NLB without a certificate",
    `${O}tls.mode "loadBalancer" needs loadBalancer.certificateArn: the ACM certificate the NLB's TLS listener serves`,
    "l4",
    cloudArgs({ type: "aws-nlb" }, { tls: { mode: "loadBalancer" } }),
  ],
  [
    "a certificate at the NLB while HAProxy terminates",
    `${O}loadBalancer.certificateArn ends TLS at the NLB, which needs tls.mode "loadBalancer" (tls.mode is "terminate"); set tls.mode "loadBalancer", or remove loadBalancer.certificateArn`,
    "l4",
    cloudArgs({ type: "aws-nlb", certificateArn: ARN }),
  ],
  [
    "a certificate that is no ARN",
    `${O}loadBalancer.certificateArn "my-cert" is not a certificate ARN such as "arn:aws:acm:eu-west-1:123456789012:certificate/<id>"`,
    "l4",
    cloudArgs({ type: "aws-nlb", certificateArn: "my-cert" }, { tls: { mode: "loadBalancer" } }),
  ],
  [
    "an idle timeout on a TLS listener",
    `${O}loadBalancer.idleTimeoutSeconds cannot be set with loadBalancer.certificateArn: a TLS listener's idle timeout is fixed at 350 s; remove idleTimeoutSeconds, or end TLS in HAProxy (tls.mode "terminate") to get a TCP listener`,
    "l4",
    cloudArgs(
      { type: "aws-nlb", certificateArn: ARN, idleTimeoutSeconds: 900 },
      { tls: { mode: "loadBalancer" } },
    ),
  ],
  [
    "an NLB idle timeout beyond AWS's range",
    `${O}loadBalancer.idleTimeoutSeconds must be a whole number of seconds from 60 to 6000 (got 7200)`,
    "l4",
    cloudArgs({ type: "aws-nlb", idleTimeoutSeconds: 7200 }),
  ],
  [
    "PROXY protocol to pods that do not read it",
    `${O}loadBalancer.proxyProtocol needs tls.mode "terminate" (tls.mode is "passthrough"): only the HAProxy tier reads the PROXY v2 header, the pods would take it for bytes of the request`,
    "l4",
    cloudArgs({ type: "aws-nlb", proxyProtocol: true }, { tls: { mode: "passthrough", targetPort: "wss" } }),
  ],
  [
    "a deregistration delay beyond AWS's range",
    `${O}loadBalancer.deregistrationDelaySeconds must be a whole number of seconds from 0 to 3600 (got 4000)`,
    "l4",
    cloudArgs({ type: "aws-nlb", deregistrationDelaySeconds: 4000 }),
  ],
  [
    "source ranges behind an NLB without a security group, with ip targets and no PROXY protocol",
    `${O}loadBalancerSourceRanges would be enforced nowhere behind an NLB without its own security group (loadBalancer.managedSecurityGroup false) and with "ip" targets: client IP preservation is off for them, so the pods see the NLB's address; set loadBalancer.managedSecurityGroup true (AWS Load Balancer Controller v2.6.0+ enforces them in the NLB's security group), loadBalancer.proxyProtocol true (HAProxy enforces them, with tls.mode "terminate") or loadBalancer.targetType "instance"`,
    "l4",
    cloudArgs(
      { type: "aws-nlb", managedSecurityGroup: false },
      { loadBalancerSourceRanges: ["0.0.0.0/0", "203.0.113.0/24"] },
    ),
  ],
  [
    "managedSecurityGroup not a boolean",
    `${O}loadBalancer.managedSecurityGroup must be true or false (got "yes")`,
    "l4",
    cloudArgs({ type: "aws-nlb", managedSecurityGroup: "yes" } as never),
  ],
  ...(
    [
      ["1.0", "ELBSecurityPolicy-2016-08"],
      ["1.1", "ELBSecurityPolicy-TLS13-1-1-2021-06"],
    ] as const
  ).map(([version, policy]): [string, string, Kind, unknown] => [
    `an NLB TLS security policy that accepts TLS ${version}`,
    `${O}loadBalancer.sslNegotiationPolicy "${policy}" is not an ELB security policy limited to TLS 1.2 and later (an ELBSecurityPolicy-TLS13-1-2-*, -TLS13-1-3-*, -TLS-1-2-* or -FS-1-2-* policy); use ELBSecurityPolicy-TLS13-1-2-2021-06`,
    "l4",
    cloudArgs(
      { type: "aws-nlb", certificateArn: ARN, sslNegotiationPolicy: policy },
      { tls: { mode: "loadBalancer" } },
    ),
  ]),
  [
    "an NLB TLS security policy without a TLS listener",
    `${O}loadBalancer.sslNegotiationPolicy sets the security policy of the NLB's TLS listener, which needs loadBalancer.certificateArn (without it the NLB passes TLS through); remove sslNegotiationPolicy, or set certificateArn with tls.mode "loadBalancer"`,
    "l4",
    cloudArgs({ type: "aws-nlb", sslNegotiationPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06" }),
  ],
  [
    "the pod readiness gate declared for instance targets (the nodes: no gate)",
    `${O}loadBalancer.podReadinessGate says whether the pods' namespace carries the AWS Load Balancer Controller's pod readiness gate label, which only "ip" targets need (loadBalancer.targetType is "instance": the targets are the nodes); remove loadBalancer.podReadinessGate, or set loadBalancer.targetType "ip"`,
    "l4",
    cloudArgs({ type: "aws-nlb", targetType: "instance", podReadinessGate: "namespaceLabelled" }),
  ],
  [
    "a pod readiness gate declaration that is not one of its values",
    `${O}loadBalancer.podReadinessGate must be one of "unverified", "namespaceLabelled" (got "namespaceLabeled")`,
    "l4",
    cloudArgs({ type: "aws-nlb", podReadinessGate: "namespaceLabeled" } as never),
  ],
  [
    "the pod readiness gate declared on another load balancer",
    `${O}loadBalancer.podReadinessGate is an option of loadBalancer.type "aws-nlb" (loadBalancer.type is "azure"); remove it or change loadBalancer.type`,
    "l4",
    cloudArgs({ type: "azure", podReadinessGate: "namespaceLabelled" } as never),
  ],
  [
    "an Azure idle timeout cloud-provider-azure refuses",
    `${O}loadBalancer.idleTimeoutMinutes must be a whole number of minutes (cloud-provider-azure's range for azure-load-balancer-tcp-idle-timeout) from 4 to 100 (got 120)`,
    "l4",
    cloudArgs({ type: "azure", idleTimeoutMinutes: 120 }),
  ],
  [
    "an unknown GCP scheme",
    `${O}loadBalancer.scheme must be one of "external", "internal" (got "global")`,
    "l4",
    cloudArgs({ type: "gcp", scheme: "global" } as never),
  ],
  [
    "a DNS record to an NLB's address",
    `${O}dns.target "loadBalancerIP" cannot point at an NLB: its address is a DNS name (status.loadBalancer.ingress[0].hostname), not an IP; create a CNAME to it yourself, or give { address: <public IP> }`,
    "l4",
    cloudArgs({ type: "aws-nlb" }, { dns: { zoneId: "z", target: "loadBalancerIP" } }),
  ],
  [
    "a custom class that is not prefixed",
    `${O}loadBalancer.loadBalancerClass "example.com/-l4" is not a load balancer class; Kubernetes needs a qualified name such as "internal-vip" or "example.com/l4" (an optional DNS prefix and "/", then up to 63 letters, digits, "-", "_" or "." starting and ending with a letter or digit)`,
    "l4",
    cloudArgs({ type: "custom", loadBalancerClass: "example.com/-l4" }),
  ],
  [
    "a custom annotation that is not a string",
    `${O}loadBalancer.annotations.example.com/weight must be a string (annotation values are strings; got 3)`,
    "l4",
    cloudArgs({ type: "custom", annotations: { "example.com/weight": 3 } } as never),
  ],
];

const STACK = "cloud-example";
const UNSET_AWS = ["--unset", "awsNlbProxyProtocol"];

/** The stack config's load-balancer cases: [label, exact stderr of the render, stack, flags]. */
export const loadBalancerConfigCases: [string, string, string, string[]][] = [
  [
    "unknown load balancer",
    'stack config: ws-exposure:l4LoadBalancer must be one of "metallb", "aws-nlb", "gcp", "azure", "custom" (got "gce")',
    STACK,
    ["--set", "l4LoadBalancer=gce"],
  ],
  [
    "a key of another load balancer",
    'stack config: ws-exposure:azureIdleTimeoutMinutes is only for l4LoadBalancer "azure" (l4LoadBalancer is "aws-nlb"), which would ignore it; remove it or change ws-exposure:l4LoadBalancer',
    STACK,
    ["--set", "azureIdleTimeoutMinutes=10"],
  ],
  [
    "a MetalLB pool with a cloud load balancer",
    'stack config: ws-exposure:l4Addresses is only for l4LoadBalancer "metallb" (l4LoadBalancer is "aws-nlb"), which would ignore it; remove it or change ws-exposure:l4LoadBalancer',
    STACK,
    ["--set", 'l4Addresses=["10.0.0.0/29"]'],
  ],
  [
    "a custom annotation that is not name=value",
    'stack config: ws-exposure:customLoadBalancerAnnotations[0] "bad" is not name=value, e.g. "example.com/tier=premium"',
    STACK,
    ["--set", "l4LoadBalancer=custom", ...UNSET_AWS, "--set", 'customLoadBalancerAnnotations=["bad"]'],
  ],
  [
    "a certificate at the NLB while HAProxy terminates",
    'stack config: ws-exposure:awsNlbCertificateArn ends TLS at the NLB, which needs ws-exposure:tlsMode "loadBalancer" (ws-exposure:tlsMode is "terminate"); set ws-exposure:tlsMode "loadBalancer", or remove ws-exposure:awsNlbCertificateArn [L4Exposure "cloud-example": loadBalancer.certificateArn]',
    STACK,
    ["--set", `awsNlbCertificateArn=${ARN}`],
  ],
  [
    "the pod readiness gate declared for instance targets",
    'stack config: ws-exposure:awsNlbPodReadinessGate says whether the pods\' namespace carries the AWS Load Balancer Controller\'s pod readiness gate label, which only "ip" targets need (ws-exposure:awsNlbTargetType is "instance": the targets are the nodes); remove ws-exposure:awsNlbPodReadinessGate, or set ws-exposure:awsNlbTargetType "ip" [L4Exposure "cloud-example": loadBalancer.podReadinessGate]',
    STACK,
    ["--set", "awsNlbTargetType=instance", "--set", "awsNlbPodReadinessGate=namespaceLabelled"],
  ],
  [
    "an Azure idle timeout cloud-provider-azure refuses",
    'stack config: ws-exposure:azureIdleTimeoutMinutes must be a whole number of minutes (cloud-provider-azure\'s range for azure-load-balancer-tcp-idle-timeout) from 4 to 100 (got 101) [L4Exposure "cloud-example": loadBalancer.idleTimeoutMinutes]',
    STACK,
    ["--set", "l4LoadBalancer=azure", ...UNSET_AWS, "--set", "azureIdleTimeoutMinutes=101"],
  ],
  [
    "an NLB idle timeout below AWS's range",
    'stack config: ws-exposure:l4LoadBalancerIdleTimeoutSeconds must be a whole number of seconds from 60 to 6000 (got 30) [L4Exposure "cloud-example": loadBalancer.idleTimeoutSeconds]',
    STACK,
    ["--set", "l4LoadBalancerIdleTimeoutSeconds=30"],
  ],
  [
    "a heartbeat too slow for GCP's connection tracking",
    'L4Exposure "cloud-example": websocket does not fit the l4 path\'s connection budget: ws-exposure:heartbeatSeconds 40 is too slow for the l4 path: hop "gcp-external-passthrough" closes a connection idle for 60 s, and a connection must survive 2 heartbeat intervals (80 s); set ws-exposure:heartbeatSeconds <= 30',
    STACK,
    ["--set", "heartbeatSeconds=40", "--set", "l4LoadBalancer=gcp", ...UNSET_AWS],
  ],
];
