/** MetalLB on premises, the default: the pool (`addressPool`) and its announcement (`advertisement`). */
import { metallbBgpHop, metallbL2Hop } from "../../budget/hops";
import { LoadBalancerKind } from "./kind";

export interface MetallbLoadBalancerArgs {
  /** The default: an address from a MetalLB pool, announced by MetalLB. */
  type: "metallb";
}

export type ResolvedMetallb = { type: "metallb" };

export const metallb: LoadBalancerKind<MetallbLoadBalancerArgs, ResolvedMetallb> = {
  type: "metallb",
  label: "MetalLB",
  options: [],
  metallbAddress: true,
  resolve: () => ({ type: "metallb" }),
  // metallb.ts (beside the plan) writes MetalLB's own annotations: they depend on the pool.
  serviceFields: () => ({ annotations: {} }),
  hop: (_lb, ctx) =>
    ctx.advertisement?.type === "bgp" ? metallbBgpHop() : metallbL2Hop(ctx.externalTrafficPolicy),
};
