/**
 * `ws-exposure/policy`: the checks a Pulumi policy pack (policy/) runs against any stack's resources,
 * whether or not the stack uses the components. Kept apart from the components' entry point.
 */
export * from "./policyChecks/knativePods";
export * from "./policyChecks/knativeTimeouts";
export * from "./policyChecks/cloudflared";
export { catchAllProblem, isCatchAll, CATCH_ALL_RULE } from "./tunnel/ingressRules";
export type { IngressRule } from "./tunnel/ingressRules";
export { CLOUDFLARED_TOKEN_KEY } from "./tunnel/connector";
