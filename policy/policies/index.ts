/**
 * Every policy of the ws-exposure pack. Importing this module does not start a policy pack (see
 * ../index.ts), so tests call each policy's validateResource directly.
 */
import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { cloudflaredPolicies } from "./cloudflared";
import {
  cloudLoadBalancerIdleTimeout,
  nlbPodReadinessGate,
  nlbPodReadinessGateUnverified,
  nlbSourceRangesUnenforced,
  nlbTlsMinimumVersion,
  proxyProtocolToKnativePods,
} from "./cloudLoadBalancer";
import { knativeWebSocketTimeouts } from "./knativeTimeouts";
import { loadBalancerBypassesQueueProxy } from "./loadBalancerQueueProxy";
import { tunnelConfigCatchAll } from "./tunnelConfig";
import { tunnelCnameProxied } from "./tunnelDns";

export * from "./cloudflared";
export * from "./cloudLoadBalancer";
export * from "./knativeTimeouts";
export * from "./loadBalancerQueueProxy";
export * from "./tunnelConfig";
export * from "./tunnelDns";
export { TYPES } from "./types";
export { UNKNOWN } from "./props";

export const policies: ResourceValidationPolicy[] = [
  loadBalancerBypassesQueueProxy,
  knativeWebSocketTimeouts,
  ...cloudflaredPolicies,
  tunnelConfigCatchAll,
  tunnelCnameProxied,
  cloudLoadBalancerIdleTimeout,
  proxyProtocolToKnativePods,
  nlbSourceRangesUnenforced,
  nlbTlsMinimumVersion,
];

/** The policies that read the whole stack (a Service beside its Namespace). */
export const stackPolicies: StackValidationPolicy[] = [nlbPodReadinessGate, nlbPodReadinessGateUnverified];
