import type { ResourceValidationPolicy } from "@pulumi/policy";
import { isUnknown } from "./props";
import { TYPES } from "./types";

export const CFARGOTUNNEL_SUFFIX = ".cfargotunnel.com";

/**
 * A CNAME to `<tunnel-id>.cfargotunnel.com` only works proxied: the name resolves to the tunnel
 * through Cloudflare's edge. DNS-only, clients get a name that does not answer and the tunnel id
 * leaks. (The L4 path's DNS-only records are A/AAAA, never to cfargotunnel.com.)
 */
export const tunnelCnameProxied: ResourceValidationPolicy = {
  name: "tunnel-cname-proxied",
  description: `A CNAME to *${CFARGOTUNNEL_SUFFIX} is proxied (proxied: true): a tunnel hostname only works through Cloudflare's proxy.`,
  enforcementLevel: "mandatory",
  validateResource: (args, reportViolation) => {
    if (args.type !== TYPES.dnsRecord && args.type !== TYPES.legacyRecord) return;
    const { type, proxied, name } = args.props;
    const content = args.props.content ?? args.props.value;
    if (typeof type !== "string" || type.toUpperCase() !== "CNAME") return;
    if (typeof content !== "string" || isUnknown(content) || isUnknown(proxied)) return;
    const target = content.toLowerCase().replace(/\.$/, "");
    if (!target.endsWith(CFARGOTUNNEL_SUFFIX) || proxied === true) return;
    const found = proxied === undefined ? "is unset (DNS only)" : `is ${JSON.stringify(proxied)}`;
    const host = typeof name === "string" && !isUnknown(name) ? name : args.name;
    reportViolation(
      `DnsRecord "${host}": proxied ${found} on a CNAME to ${content}: a tunnel hostname only resolves through Cloudflare's proxy, ` +
        `so clients reach nothing and the tunnel id is exposed; set proxied: true`,
    );
  },
};
