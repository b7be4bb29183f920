import type { ResourceValidationPolicy } from "@pulumi/policy";
import { catchAllProblem } from "../../components/tunnel/ingressRules";
import { asArray, asObject, at, isUnknown } from "./props";
import { TYPES } from "./types";

/**
 * cloudflared requires the last ingress rule to match everything; a catch-all earlier in the list
 * makes every later rule unreachable. The same check the TunnelExposure applies to its own rules.
 */
export const tunnelConfigCatchAll: ResourceValidationPolicy = {
  name: "tunnel-config-catch-all-last",
  description:
    'A tunnel configuration ends with exactly one catch-all ingress rule (no hostname, no path), e.g. { service: "http_status:404" }.',
  enforcementLevel: "mandatory",
  validateResource: (args, reportViolation) => {
    if (args.type !== TYPES.tunnelConfig) return;
    const config = asObject(args.props.config);
    // @pulumi/cloudflare v6 calls them ingresses; v5 called them ingressRules.
    const field =
      config && "ingressRules" in config && !("ingresses" in config) ? "ingressRules" : "ingresses";
    const raw = at(config, field);
    if (isUnknown(raw) || asArray(raw).some(isUnknown)) return;
    const rules = asArray(raw).map((r) => asObject(r) ?? {});
    if (rules.some((r) => isUnknown(r.hostname) || isUnknown(r.path))) return;
    const problem = catchAllProblem(
      rules.map((r) => ({
        hostname: typeof r.hostname === "string" ? r.hostname : undefined,
        path: typeof r.path === "string" ? r.path : undefined,
      })),
    );
    if (problem) {
      reportViolation(`ZeroTrustTunnelCloudflaredConfig "${args.name}": config.${field} ${problem}`);
    }
  },
};
