/**
 * The load-balancer kinds `loadBalancer.type` chooses from, one row each. The plan, the budget, the
 * Service's annotations and the policy checks dispatch through this table: a new kind is one module
 * implementing `LoadBalancerKind` (kind.ts) and one row here.
 */
import { awsNlb } from "./awsNlb";
import { azure } from "./azure";
import { custom } from "./custom";
import { gcp } from "./gcp";
import { LoadBalancerKind } from "./kind";
import { metallb } from "./metallb";

export const LOAD_BALANCER_KINDS = [metallb, awsNlb, gcp, azure, custom] as const;

type Row = (typeof LOAD_BALANCER_KINDS)[number];
type ArgsOf<K> = K extends LoadBalancerKind<infer A, infer _R> ? A : never;
type ResolvedOf<K> = K extends LoadBalancerKind<infer _A, infer R> ? R : never;

/** `loadBalancer` as L4Exposure takes it: one of the kinds' args. */
export type LoadBalancerArgs = ArgsOf<Row>;
export type LoadBalancerType = LoadBalancerArgs["type"];
/** The load balancer giving the address, defaults applied. */
export type ResolvedLoadBalancer = ResolvedOf<Row>;

/** Any row of a registry; its functions take the resolved options of its own kind. */
export type AnyLoadBalancerKind = LoadBalancerKind<{ type: string }, { type: string }>;
export type LoadBalancerRegistry = readonly AnyLoadBalancerKind[];

export const LOAD_BALANCER_TYPES: readonly LoadBalancerType[] = LOAD_BALANCER_KINDS.map((k) => k.type);

/** The row of `type` (a resolved plan's or a validated arg's). */
export function kindOf(type: string, kinds: LoadBalancerRegistry = LOAD_BALANCER_KINDS): AnyLoadBalancerKind {
  const kind = kinds.find((k) => k.type === type);
  if (!kind) throw new Error(`no load balancer kind ${JSON.stringify(type)} in the registry`);
  return kind;
}

/** The kind a `{ type: ... }` example in error messages names: the first that ends TLS itself. */
export function exampleCloudType(kinds: LoadBalancerRegistry = LOAD_BALANCER_KINDS): string {
  return (kinds.find((k) => k.tlsTermination) ?? kinds[0]).type;
}

export type { CloudIdleProblem, CloudServiceFields, HopContext, KindContext, LoadBalancerKind } from "./kind";
