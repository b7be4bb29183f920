/** Any other load balancer: your annotations and `loadBalancerClass`, no pool objects. */
import { fail, isQualifiedName, requireWholeNumber } from "../../core/validation";
import { Hop } from "../../budget/model";
import { KindContext, LoadBalancerKind } from "./kind";

const str = JSON.stringify;

export interface CustomLoadBalancerArgs {
  /** Any other implementation: the annotations and loadBalancerClass given, nothing else. */
  type: "custom";
  /** `spec.loadBalancerClass`. Default none (the cluster's default implementation). */
  loadBalancerClass?: string;
  /** Annotations written on the LoadBalancer Service as given. Default none. */
  annotations?: Record<string, string>;
  /**
   * The load balancer's idle timeout in seconds, as its documentation states, for the budget.
   * Default none: the budget then assumes no idle timer at this hop (declare it if it has one).
   */
  idleTimeoutSeconds?: number;
}

export type ResolvedCustom = {
  type: "custom";
  loadBalancerClass?: string;
  annotations: Record<string, string>;
  idleTimeoutSeconds?: number;
};

/** A load balancer this component does not know: only what its owner declared. */
export function customLoadBalancerHop(idleTimeoutSeconds: number | undefined): Hop {
  return {
    name: "custom-lb",
    idleTimeoutSeconds: idleTimeoutSeconds ?? null,
    lifetimeCapSeconds: null,
    dropEvents: ["whatever your load balancer does on its own failover and backend changes (not modelled)"],
    idleSetting: "loadBalancer.idleTimeoutSeconds (declare your load balancer's)",
    note:
      idleTimeoutSeconds === undefined
        ? "no idle timeout declared: the budget assumes none at this hop"
        : "idle timeout as declared in loadBalancer.idleTimeoutSeconds",
  };
}

function resolveCustom({ owner, given }: KindContext): ResolvedCustom {
  let loadBalancerClass: string | undefined;
  if (given.loadBalancerClass !== undefined) {
    if (typeof given.loadBalancerClass !== "string" || !isQualifiedName(given.loadBalancerClass)) {
      fail(
        owner,
        "loadBalancer.loadBalancerClass",
        `${str(given.loadBalancerClass)} is not a load balancer class; Kubernetes needs a qualified name such as "internal-vip" or "example.com/l4" (an optional DNS prefix and "/", then up to 63 letters, digits, "-", "_" or "." starting and ending with a letter or digit)`,
      );
    }
    loadBalancerClass = given.loadBalancerClass;
  }
  const annotations = (given.annotations ?? {}) as Record<string, unknown>;
  if (typeof annotations !== "object" || Array.isArray(annotations)) {
    fail(owner, "loadBalancer.annotations", `must map annotation names to strings (got ${str(annotations)})`);
  }
  for (const [key, value] of Object.entries(annotations)) {
    if (typeof value !== "string") {
      fail(
        owner,
        `loadBalancer.annotations.${key}`,
        `must be a string (annotation values are strings; got ${str(value)})`,
      );
    }
  }
  const idleTimeoutSeconds =
    given.idleTimeoutSeconds === undefined
      ? undefined
      : requireWholeNumber(
          owner,
          "loadBalancer.idleTimeoutSeconds",
          given.idleTimeoutSeconds,
          1,
          Number.MAX_SAFE_INTEGER,
          "of seconds",
        );
  return {
    type: "custom",
    loadBalancerClass,
    annotations: annotations as Record<string, string>,
    idleTimeoutSeconds,
  };
}

export const custom: LoadBalancerKind<CustomLoadBalancerArgs, ResolvedCustom> = {
  type: "custom",
  label: "custom",
  options: ["loadBalancerClass", "annotations", "idleTimeoutSeconds"],
  metallbAddress: false,
  resolve: resolveCustom,
  serviceFields: (lb) => ({ annotations: { ...lb.annotations }, loadBalancerClass: lb.loadBalancerClass }),
  hop: (lb) => customLoadBalancerHop(lb.idleTimeoutSeconds),
};
