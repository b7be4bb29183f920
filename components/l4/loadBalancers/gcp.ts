/**
 * A Google Cloud passthrough Network Load Balancer created by GKE. Annotations from GKE's
 * LoadBalancer Service parameters:
 * https://cloud.google.com/kubernetes-engine/docs/concepts/service-load-balancer-parameters
 */
import { requireOneOf } from "../../core/validation";
import { HEARTBEATS_PER_IDLE_TIMEOUT, Hop } from "../../budget/model";
import { CloudIdleProblem, idleTooShort, LoadBalancerKind } from "./kind";

export interface GcpLoadBalancerArgs {
  /** A passthrough NLB created by GKE. */
  type: "gcp";
  /**
   * "external" (default: a backend service-based external passthrough NLB, `cloud.google.com/l4-rbs`,
   * GKE 1.25.5+) or "internal" (an internal passthrough NLB, `networking.gke.io/load-balancer-type`).
   */
  scheme?: "external" | "internal";
}

export type ResolvedGcp = { type: "gcp"; scheme: "external" | "internal" };

/** GKE: a backend service-based external passthrough NLB (GKE 1.25.5+). */
export const GKE_L4_RBS = "cloud.google.com/l4-rbs";
/** GKE: an internal passthrough NLB. */
export const GKE_LB_TYPE = "networking.gke.io/load-balancer-type";

/**
 * Google Cloud passthrough Network Load Balancer (GKE LoadBalancer Service).
 * - Not a proxy: packets reach the nodes unchanged and replies go straight back (direct server
 *   return). https://cloud.google.com/load-balancing/docs/network/networklb-backend-service
 * - Connection tracking entries expire after idleTimeoutSec of silence: external passthrough
 *   default 60 s, internal passthrough default (and minimum) 600 s, at most 16 h; the public
 *   Compute API reference marks the field "not available publicly" for external LBs, and GKE has no
 *   Service parameter for it that we could find (not verified).
 *   https://cloud.google.com/compute/docs/reference/rest/v1/backendServices (connectionTrackingPolicy.idleTimeoutSec)
 * - A packet with no entry is balanced afresh by consistent hashing; with the same healthy backends
 *   it reaches the same node. https://cloud.google.com/load-balancing/docs/network/ext-netlb-traffic-distribution
 * The budget takes the expiry as the idle timer (the conservative end: with a changed backend set
 * the re-hashed packet reaches another node, which answers with a reset).
 */
export function gcpPassthroughHop(scheme: "external" | "internal"): Hop {
  return {
    name: `gcp-${scheme}-passthrough`,
    idleTimeoutSeconds: scheme === "external" ? 60 : 600,
    lifetimeCapSeconds: null,
    dropEvents: [
      "backend change (a node joins or leaves, a health check fails): flows whose connection tracking entry expired are hashed afresh and may reach another node, which resets them",
      "zone failure: connections through the failed zone's nodes drop (the load balancer is regional)",
    ],
    note: `connection tracking entry idle timeout ${scheme === "external" ? "60" : "600"} s (Compute API default, not set through GKE); the load balancer sends nothing on expiry`,
  };
}

/** A GKE passthrough NLB's connection tracking expiry, not settable through the Service. */
function gkeIdleProblems(
  annotations: Record<string, unknown>,
  _ports: number[],
  heartbeatSeconds: number,
): CloudIdleProblem[] {
  const need = heartbeatSeconds * HEARTBEATS_PER_IDLE_TIMEOUT;
  const gke =
    annotations[GKE_L4_RBS] === "enabled"
      ? gcpPassthroughHop("external")
      : annotations[GKE_LB_TYPE] === "Internal"
        ? gcpPassthroughHop("internal")
        : undefined;
  if (!gke || (gke.idleTimeoutSeconds as number) >= need) return [];
  return [
    {
      annotation: annotations[GKE_L4_RBS] === "enabled" ? GKE_L4_RBS : GKE_LB_TYPE,
      problem: `${idleTooShort(gke.idleTimeoutSeconds as number, heartbeatSeconds)} (connection tracking, not settable through the Service); send heartbeats at least every ${Math.floor((gke.idleTimeoutSeconds as number) / HEARTBEATS_PER_IDLE_TIMEOUT)} s`,
    },
  ];
}

export const gcp: LoadBalancerKind<GcpLoadBalancerArgs, ResolvedGcp> = {
  type: "gcp",
  label: "gcp",
  options: ["scheme"],
  metallbAddress: false,
  resolve: ({ owner, given }) => ({
    type: "gcp",
    scheme: requireOneOf(owner, "loadBalancer.scheme", given.scheme ?? "external", [
      "external",
      "internal",
    ] as const),
  }),
  serviceFields: (lb) => {
    const annotations: Record<string, string> =
      lb.scheme === "internal" ? { [GKE_LB_TYPE]: "Internal" } : { [GKE_L4_RBS]: "enabled" };
    return { annotations };
  },
  hop: (lb) => gcpPassthroughHop(lb.scheme),
  idleProblems: gkeIdleProblems,
};
