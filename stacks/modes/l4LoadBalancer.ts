/**
 * The stack keys of the L4 load-balancer choice (`ws-exposure:l4LoadBalancer` and the keys each
 * choice reads), the LoadBalancerArgs they describe, and their cross-key rules in config vocabulary.
 */
import { z } from "zod";
import { LoadBalancerArgs, LoadBalancerType } from "../../components/l4/loadBalancers";
import { CONFIG_NAMESPACE } from "../configErrors";
import { SETTINGS } from "../../components/settings";
import { keysOfChoice, ShapeOf } from "../settingsSchema";

const K = CONFIG_NAMESPACE;

/** The l4 keys (the load balancer's among them), as the stack config holds them. */
type LoadBalancerConfig = z.infer<z.ZodObject<ShapeOf<"l4">>>;

/** The keys each choice reads; a key of another choice is refused (the stack would ignore it). */
/** The keys each choice reads; a key of another choice is refused (the stack would ignore it). */
export const KEYS_OF_CHOICE = keysOfChoice(SETTINGS.l4LoadBalancer.values, (s) => s.loadBalancers) as Record<
  LoadBalancerType,
  readonly (keyof LoadBalancerConfig)[]
>;

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
