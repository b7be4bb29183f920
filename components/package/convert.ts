import { L4ExposureComponentArgs } from "../l4/L4Exposure";
import { KnativeSettingsComponentArgs } from "../knative/KnativeSettings";
import { TunnelExposureArgs } from "../tunnel/args";
import { HybridExposureArgs } from "../hybrid/args";
import { WsMonitorArgs } from "../monitor/args";
import {
  HybridExposurePackageArgs,
  KnativeSettingsPackageArgs,
  L4ExposurePackageArgs,
  TunnelExposurePackageArgs,
  WsMonitorPackageArgs,
} from "./args";

/**
 * Drops absent (undefined or null) fields, recursively, so that `"create" in pool`-style checks see only what
 * was given.
 */
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

/**
 * `tls.haproxy.drain` as HaproxyDrainArgs spells it: `{ enabled: false }` alone is `false` (off), and
 * `enabled: true` is dropped (on is the object itself). Any other `enabled` (false with other fields)
 * is kept as given, for resolveDrain to refuse.
 */
function drainVariant(drain: Record<string, unknown>): unknown {
  const { enabled, ...rest } = drain;
  if (enabled === true) return rest;
  if (enabled === false && Object.keys(rest).length === 0) return false;
  return drain;
}

/**
 * The L4 path's non-object variants, as L4ExposureArgs spells them: `route: forcePort8080`, a none- or
 * loadBalancer-mode targetPort written as digits (a number), a dns target other than `loadBalancerIP`
 * (an address), and `tls.haproxy.drain.enabled` (drainVariant). Every other field is kept as given
 * (absent ones already dropped; secret inputs, e.g. session ticket keys, stay the Outputs they are).
 */
function l4Variants(l4: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...l4 };
  if (l4.route === "forcePort8080") out.route = { forcePort8080: true };
  const tls = l4.tls as Record<string, unknown> | undefined;
  if (
    tls &&
    typeof tls.targetPort === "string" &&
    /^[0-9]+$/.test(tls.targetPort) &&
    (tls.mode === "none" || tls.mode === "loadBalancer")
  ) {
    out.tls = { ...tls, targetPort: Number(tls.targetPort) };
  }
  const haproxy = tls?.haproxy as Record<string, unknown> | undefined;
  const drain = haproxy?.drain as Record<string, unknown> | undefined;
  if (typeof drain === "object" && drain !== null && !Array.isArray(drain) && "enabled" in drain) {
    out.tls = { ...(out.tls as object), haproxy: { ...haproxy, drain: drainVariant(drain) } };
  }
  const dns = l4.dns as Record<string, unknown> | undefined;
  if (dns && typeof dns.target === "string" && dns.target !== "loadBalancerIP") {
    out.dns = { ...dns, target: { address: dns.target } };
  }
  return out;
}

/** The package form of L4Exposure's args as L4ExposureArgs; validation is left to planL4. */
export function toL4ExposureArgs(args: L4ExposurePackageArgs): L4ExposureComponentArgs {
  const a = dropAbsent(args) as unknown as Record<string, unknown>;
  return l4Variants(a) as unknown as L4ExposureComponentArgs;
}

/** The package form of TunnelExposure's args as TunnelExposureArgs; validation is left to planTunnel. */
export function toTunnelExposureArgs(args: TunnelExposurePackageArgs): TunnelExposureArgs {
  return dropAbsent(args) as unknown as TunnelExposureArgs;
}

/** The package form of KnativeSettings' args as KnativeSettingsComponentArgs; validation is left to the component. */
export function toKnativeSettingsArgs(args: KnativeSettingsPackageArgs): KnativeSettingsComponentArgs {
  return dropAbsent(args) as unknown as KnativeSettingsComponentArgs;
}

/**
 * The package form of HybridExposure's args as HybridExposureArgs: absent fields dropped, and `l4`
 * (when given as an object) with the L4 path's variants as toL4ExposureArgs maps them; validation is
 * left to planHybrid.
 */
export function toHybridExposureArgs(args: HybridExposurePackageArgs): HybridExposureArgs {
  const a = dropAbsent(args) as unknown as Record<string, unknown>;
  const l4 = a.l4;
  const out =
    typeof l4 === "object" && l4 !== null ? { ...a, l4: l4Variants(l4 as Record<string, unknown>) } : a;
  return out as unknown as HybridExposureArgs;
}

/** The package form of WsMonitor's args as WsMonitorArgs; validation is left to planMonitor. */
export function toWsMonitorArgs(args: WsMonitorPackageArgs): WsMonitorArgs {
  return dropAbsent(args) as unknown as WsMonitorArgs;
}
