import { L4ExposureComponentArgs } from "../l4/L4Exposure";
import { KnativeSettingsComponentArgs } from "../knative/KnativeSettings";
import { TunnelExposureArgs } from "../tunnel/args";
import { KnativeSettingsPackageArgs, L4ExposurePackageArgs, TunnelExposurePackageArgs } from "./args";

/** Drops absent (undefined or null) fields, recursively, so that `"create" in pool`-style checks see only what was given. */
export function dropAbsent<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v) => dropAbsent(v)) as T;
  if (value === null || typeof value !== "object" || Object.getPrototypeOf(value) !== Object.prototype)
    return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (v !== undefined && v !== null) out[k] = dropAbsent(v);
  }
  return out as T;
}

/** The package form of L4Exposure's args as L4ExposureArgs; validation is left to planL4. */
export function toL4ExposureArgs(args: L4ExposurePackageArgs): L4ExposureComponentArgs {
  const a = dropAbsent(args) as unknown as Record<string, unknown>;
  const out: Record<string, unknown> = { ...a };
  if (a.route === "forcePort8080") out.route = { forcePort8080: true };
  const tls = a.tls as Record<string, unknown> | undefined;
  if (tls && typeof tls.targetPort === "string" && /^[0-9]+$/.test(tls.targetPort) && tls.mode === "none") {
    out.tls = { ...tls, targetPort: Number(tls.targetPort) };
  }
  const dns = a.dns as Record<string, unknown> | undefined;
  if (dns && typeof dns.target === "string" && dns.target !== "loadBalancerIP") {
    out.dns = { ...dns, target: { address: dns.target } };
  }
  return out as unknown as L4ExposureComponentArgs;
}

/** The package form of TunnelExposure's args as TunnelExposureArgs; validation is left to planTunnel. */
export function toTunnelExposureArgs(args: TunnelExposurePackageArgs): TunnelExposureArgs {
  return dropAbsent(args) as unknown as TunnelExposureArgs;
}

/** The package form of KnativeSettings' args as KnativeSettingsComponentArgs; validation is left to the component. */
export function toKnativeSettingsArgs(args: KnativeSettingsPackageArgs): KnativeSettingsComponentArgs {
  return dropAbsent(args) as unknown as KnativeSettingsComponentArgs;
}
