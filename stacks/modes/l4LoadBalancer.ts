/**
 * The stack keys of the L4 load-balancer choice (`ws-exposure:l4LoadBalancer` and the keys each
 * choice reads), the LoadBalancerArgs they describe, and their cross-key rules in config vocabulary.
 */
import { z } from "zod";
import { LoadBalancerArgs, LoadBalancerType } from "../../components/l4/loadBalancers";
import { CONFIG_NAMESPACE } from "../configErrors";
import { whole } from "./common";

const K = CONFIG_NAMESPACE;

export const loadBalancerShape = {
  /** "metallb" (default), "aws-nlb", "gcp", "azure" or "custom". */
  l4LoadBalancer: z.enum(["metallb", "aws-nlb", "gcp", "azure", "custom"]).optional(),
  /** aws-nlb: "internet-facing" | "internal"; gcp: "external" | "internal". */
  l4LoadBalancerScheme: z.enum(["internet-facing", "internal", "external"]).optional(),
  /** aws-nlb: the TCP listener's idle timeout; custom: your load balancer's, for the budget. */
  l4LoadBalancerIdleTimeoutSeconds: whole.optional(),
  awsNlbTargetType: z.enum(["ip", "instance"]).optional(),
  awsNlbCrossZone: z.boolean().optional(),
  awsNlbCertificateArn: z.string().optional(),
  awsNlbProxyProtocol: z.boolean().optional(),
  awsNlbDeregistrationDelaySeconds: whole.optional(),
  awsNlbSslNegotiationPolicy: z.string().optional(),
  awsNlbManagedSecurityGroup: z.boolean().optional(),
  awsNlbPodReadinessGate: z.enum(["unverified", "namespaceLabelled"]).optional(),
  azureInternal: z.boolean().optional(),
  azureIdleTimeoutMinutes: whole.optional(),
  customLoadBalancerClass: z.string().optional(),
  /** `name=value` items (Pulumi.yaml types scalar and array keys only). */
  customLoadBalancerAnnotations: z.array(z.string()).optional(),
};

type LoadBalancerConfig = z.infer<z.ZodObject<typeof loadBalancerShape>> & {
  l4Addresses?: string[];
  l4PoolName?: string;
  l4AutoAssign?: boolean;
  metallbNamespace?: string;
  legacyMetallbAnnotations?: boolean;
  l4Advertisement?: string;
  l4Interfaces?: string[];
  loadBalancerIP?: string;
};

/** The keys each choice reads; a key of another choice is refused (the stack would ignore it). */
export const KEYS_OF_CHOICE: Record<LoadBalancerType, readonly (keyof LoadBalancerConfig)[]> = {
  metallb: [
    "l4Addresses",
    "l4PoolName",
    "l4AutoAssign",
    "metallbNamespace",
    "legacyMetallbAnnotations",
    "l4Advertisement",
    "l4Interfaces",
    "loadBalancerIP",
  ],
  "aws-nlb": [
    "l4LoadBalancerScheme",
    "l4LoadBalancerIdleTimeoutSeconds",
    "awsNlbTargetType",
    "awsNlbCrossZone",
    "awsNlbCertificateArn",
    "awsNlbProxyProtocol",
    "awsNlbDeregistrationDelaySeconds",
    "awsNlbSslNegotiationPolicy",
    "awsNlbManagedSecurityGroup",
    "awsNlbPodReadinessGate",
  ],
  gcp: ["l4LoadBalancerScheme"],
  azure: ["azureInternal", "azureIdleTimeoutMinutes"],
  custom: ["customLoadBalancerClass", "customLoadBalancerAnnotations", "l4LoadBalancerIdleTimeoutSeconds"],
};

const ANNOTATION_ITEM = /^([^=\s]+)=(.*)$/;

/** The LoadBalancerArgs the keys describe; undefined for MetalLB (the component's default). */
export function loadBalancerArgs(c: LoadBalancerConfig): LoadBalancerArgs | undefined {
  switch (c.l4LoadBalancer) {
    case "aws-nlb":
      return {
        type: "aws-nlb",
        scheme: c.l4LoadBalancerScheme as "internet-facing" | "internal" | undefined,
        targetType: c.awsNlbTargetType,
        crossZone: c.awsNlbCrossZone,
        idleTimeoutSeconds: c.l4LoadBalancerIdleTimeoutSeconds,
        certificateArn: c.awsNlbCertificateArn,
        proxyProtocol: c.awsNlbProxyProtocol,
        deregistrationDelaySeconds: c.awsNlbDeregistrationDelaySeconds,
        sslNegotiationPolicy: c.awsNlbSslNegotiationPolicy,
        managedSecurityGroup: c.awsNlbManagedSecurityGroup,
        podReadinessGate: c.awsNlbPodReadinessGate,
      };
    case "gcp":
      return { type: "gcp", scheme: c.l4LoadBalancerScheme as "external" | "internal" | undefined };
    case "azure":
      return { type: "azure", internal: c.azureInternal, idleTimeoutMinutes: c.azureIdleTimeoutMinutes };
    case "custom":
      return {
        type: "custom",
        loadBalancerClass: c.customLoadBalancerClass,
        annotations:
          c.customLoadBalancerAnnotations === undefined
            ? undefined
            : Object.fromEntries(
                c.customLoadBalancerAnnotations.map((item) => {
                  const m = ANNOTATION_ITEM.exec(item) as RegExpExecArray;
                  return [m[1], m[2]];
                }),
              ),
        idleTimeoutSeconds: c.l4LoadBalancerIdleTimeoutSeconds,
      };
    default:
      return undefined;
  }
}

/** Keys of another choice than the stack's, and malformed annotation items; in config vocabulary. */
export function loadBalancerConfigProblems(c: LoadBalancerConfig): string[] {
  const choice: LoadBalancerType = c.l4LoadBalancer ?? "metallb";
  const problems: string[] = [];
  const keys = [...new Set(Object.values(KEYS_OF_CHOICE).flat())];
  for (const key of keys) {
    if (c[key] === undefined || KEYS_OF_CHOICE[choice].includes(key)) continue;
    const choices = (Object.keys(KEYS_OF_CHOICE) as LoadBalancerType[]).filter((t) =>
      KEYS_OF_CHOICE[t].includes(key),
    );
    problems.push(
      `${K}:${key} is only for l4LoadBalancer ${choices.map((t) => `"${t}"`).join(" or ")} (l4LoadBalancer is "${choice}"), which would ignore it; remove it or change ${K}:l4LoadBalancer`,
    );
  }
  (c.customLoadBalancerAnnotations ?? []).forEach((item, i) => {
    if (!ANNOTATION_ITEM.test(item)) {
      problems.push(
        `${K}:customLoadBalancerAnnotations[${i}] ${JSON.stringify(item)} is not name=value, e.g. "example.com/tier=premium"`,
      );
    }
  });
  return problems;
}
