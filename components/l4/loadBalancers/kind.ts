/**
 * What one kind of Layer 4 load balancer (`loadBalancer.type`) brings to the plan, the budget and
 * the policy pack. Each kind is one module (or folder) exporting a `LoadBalancerKind`; the registry
 * (index.ts) lists them, and the plan, the budget and the policy checks only go through it.
 * Dependency-free (no Pulumi), so the policy pack compiles the kinds on its own.
 */
import { fail, Problem } from "../../core/validation";
import { HEARTBEATS_PER_IDLE_TIMEOUT, Hop } from "../../budget/model";

/** The TLS modes an L4 plan knows (planTypes' ResolvedTls["mode"]). */
export type TlsMode = "terminate" | "passthrough" | "none" | "loadBalancer";

/** What a kind's `resolve` reads besides its own options. */
export interface KindContext {
  /** The component named in errors, e.g. `L4Exposure "prod"`. */
  owner: string;
  /** `loadBalancer` as given, `type` included. */
  given: Record<string, unknown>;
  tlsMode: TlsMode;
  /**
   * The idle timer wanted when none is given: like HAProxy's timeout tunnel, a connection silent for
   * its whole wanted lifetime (and never less than 3 heartbeats) survives.
   */
  derivedIdleSeconds: number;
}

/** The rest of the plan a load balancer's budget hop depends on. */
export interface HopContext {
  /** MetalLB's announcement, when MetalLB gives the address. */
  advertisement?: { type: "l2" | "bgp" | "none" };
  externalTrafficPolicy: "Local" | "Cluster";
}

/** Every annotation this component writes for a load balancer (the policy pack reads the same names). */
export interface CloudServiceFields {
  annotations: Record<string, string>;
  loadBalancerClass?: string;
}

export interface CloudIdleProblem {
  /** The annotation (or annotations) that sets the idle timeout. */
  annotation: string;
  problem: string;
}

/** Ending TLS at the load balancer (tls.mode "loadBalancer"), for the kinds that can. */
export interface TlsTermination {
  /** Whether the given options ask for it (e.g. a certificate). */
  requested(given: Record<string, unknown>): boolean;
  /** The error when tls.mode is "loadBalancer" without them. */
  missing: Problem;
  /** How to get it, for the error of a kind that cannot: `loadBalancer.type "x" with ...`. */
  how: Problem;
}

export interface LoadBalancerKind<Args extends { type: string }, Resolved extends { type: Args["type"] }> {
  type: Args["type"];
  /** Shown in user-facing text (the DNS record's comment). */
  label: string;
  /** The options it takes besides `type`; any other key is refused, naming it. */
  options: readonly string[];
  /** MetalLB gives the address: the pool, advertisement and pinned-IP args apply. */
  metallbAddress: boolean;
  tlsTermination?: TlsTermination;
  /** Type-only, never set: lets the registry derive the args union from its rows. */
  readonly argsType?: Args;
  /** Validates the options and applies their defaults; each refusal names the option. */
  resolve(ctx: KindContext): Resolved;
  /** The LoadBalancer Service's annotations and class on `port`. */
  serviceFields(lb: Resolved, port: number): CloudServiceFields;
  /** The budget's hop for the load balancer itself. */
  hop(lb: Resolved, ctx: HopContext): Hop;
  /** Whether it sends HAProxy a PROXY header carrying the client address. Default false. */
  sendsProxyProtocol?(lb: Resolved): boolean;
  /** Whether the targets see the client address with externalTrafficPolicy Local. Default true. */
  keepsClientAddress?(lb: Resolved): boolean;
  /** Why `loadBalancerSourceRanges` would be enforced nowhere; undefined when they are. */
  sourceRangesProblem?(lb: Resolved, sourceRanges: readonly string[]): Problem | undefined;
  /** What the plan cannot check and the user must do (printed as warnings). */
  warnings?(owner: string, lb: Resolved, namespace: string, tlsMode: TlsMode): Problem[];
  /** Why dns.target "loadBalancerIP" cannot point at it (its address is a name); undefined when it can. */
  hostnameAddress?: string;
  /** The policy pack's check of any LoadBalancer Service's annotations this kind's controller reads. */
  idleProblems?(
    annotations: Record<string, unknown>,
    ports: number[],
    heartbeatSeconds: number,
  ): CloudIdleProblem[];
}

export const clamp = (v: number, min: number, max: number) => Math.min(max, Math.max(min, v));

export function requireBoolean(owner: string, field: string, value: unknown, dflt: boolean): boolean {
  const v = value ?? dflt;
  if (typeof v !== "boolean") fail(owner, field, `must be true or false (got ${JSON.stringify(value)})`);
  return v;
}

/** The policy message for an idle timeout that cuts idle WebSockets between heartbeats. */
export function idleTooShort(idle: number, heartbeatSeconds: number): string {
  const need = heartbeatSeconds * HEARTBEATS_PER_IDLE_TIMEOUT;
  return `gives the load balancer an idle timeout of ${idle} s, shorter than ${HEARTBEATS_PER_IDLE_TIMEOUT} heartbeats (${HEARTBEATS_PER_IDLE_TIMEOUT} x ${heartbeatSeconds} s = ${need} s): idle WebSockets are cut between heartbeats`;
}

/** Source ranges that let every client in: nothing to enforce. */
export const OPEN_SOURCE_RANGES: readonly string[] = ["0.0.0.0/0", "::/0"];

/** The ranges of `ranges` that restrict who may connect (all but OPEN_SOURCE_RANGES). */
export function restrictingRanges(ranges: readonly unknown[]): string[] {
  return ranges.filter((r): r is string => typeof r === "string" && !OPEN_SOURCE_RANGES.includes(r));
}
