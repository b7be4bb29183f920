/**
 * An Azure Standard Load Balancer created by cloud-provider-azure (AKS). Annotations:
 * https://kubernetes-sigs.github.io/cloud-provider-azure/topics/loadbalancer/
 * azure-load-balancer-tcp-idle-timeout: minutes, 4..100 in its validation since v1.28.0 (commit
 * 647309ffe; 4..30 before), as the Azure load balancer itself takes:
 * https://learn.microsoft.com/azure/load-balancer/load-balancer-tcp-idle-timeout
 */
import { requireWholeNumber } from "../../core/validation";
import { HEARTBEATS_PER_IDLE_TIMEOUT, Hop } from "../../budget/model";
import { clamp, CloudIdleProblem, idleTooShort, LoadBalancerKind, requireBoolean } from "./kind";

export interface AzureLoadBalancerArgs {
  /** A load balancer created by cloud-provider-azure. */
  type: "azure";
  /** An internal load balancer (private address in the VNet). Default false: public. */
  internal?: boolean;
  /**
   * The rule's TCP idle timeout in minutes, 4..100 (cloud-provider-azure v1.28.0 and later; older
   * releases refuse more than 30). Default max(websocket.minLifetimeSeconds, 3 heartbeats) in whole
   * minutes, within 4..100: 60 for the default hour.
   */
  idleTimeoutMinutes?: number;
}

export type ResolvedAzure = { type: "azure"; internal: boolean; idleTimeoutMinutes: number };

export const AZURE_INTERNAL = "service.beta.kubernetes.io/azure-load-balancer-internal";
/** Minutes, 4..100 in cloud-provider-azure's validation (v1.28.0 and later). */
export const AZURE_TCP_IDLE_TIMEOUT = "service.beta.kubernetes.io/azure-load-balancer-tcp-idle-timeout";
/** cloud-provider-azure (v1.28.0 and later) accepts 4..100 minutes in its idle-timeout annotation, as the LB does. */
export const AZURE_IDLE_TIMEOUT_MINUTES = { min: 4, max: 100 } as const;

/**
 * Azure Standard Load Balancer (AKS, cloud-provider-azure).
 * - Idle timeout 4..100 minutes, default 4; beyond it "there's no guarantee" the flow is kept.
 *   https://learn.microsoft.com/azure/load-balancer/load-balancer-tcp-idle-timeout
 * - cloud-provider-azure's `service.beta.kubernetes.io/azure-load-balancer-tcp-idle-timeout`
 *   accepts 4..100 minutes since v1.28.0 (4..30 before; commit 647309ffe, "Increase service idle max
 *   timeout to 100 minutes", in kubernetes-sigs/cloud-provider-azure).
 * - Default on idle timeout: a silent drop; with TCP reset on the rule, both ends get a RST.
 *   https://learn.microsoft.com/azure/load-balancer/load-balancer-tcp-reset
 * - cloud-provider-azure's `azure-load-balancer-disable-tcp-reset` annotation was deprecated in
 *   Kubernetes 1.18 and removed (commit 9832fad), i.e. its Standard SKU rules reset on idle; not
 *   verified against the current controller's source.
 */
export function azureLoadBalancerHop(idleTimeoutMinutes: number): Hop {
  return {
    name: "azure-lb",
    idleTimeoutSeconds: idleTimeoutMinutes * 60,
    lifetimeCapSeconds: null,
    dropEvents: [
      "backend pool change (a node leaves, its health probe fails): its connections drop",
      "zone failure: connections through the failed zone's nodes drop",
    ],
    idleSetting: "loadBalancer.idleTimeoutMinutes (azure-load-balancer-tcp-idle-timeout, 4..100)",
    note: "idle timeout set on the rule; on expiry TCP reset to both ends (Standard SKU as cloud-provider-azure configures it), silent drop without it",
  };
}

/** The idle-timeout annotation's value against the controller's range and the heartbeat. */
function azureIdleProblems(
  annotations: Record<string, unknown>,
  _ports: number[],
  heartbeatSeconds: number,
): CloudIdleProblem[] {
  const azure = annotations[AZURE_TCP_IDLE_TIMEOUT];
  if (azure === undefined) return [];
  const need = heartbeatSeconds * HEARTBEATS_PER_IDLE_TIMEOUT;
  const minutes = Number(azure);
  const { min, max } = AZURE_IDLE_TIMEOUT_MINUTES;
  if (!Number.isInteger(minutes) || minutes < min || minutes > max) {
    return [
      {
        annotation: AZURE_TCP_IDLE_TIMEOUT,
        problem: `${JSON.stringify(azure)} is not a whole number of minutes from ${min} to ${max}: cloud-provider-azure refuses it and builds no load balancer`,
      },
    ];
  }
  if (minutes * 60 >= need) return [];
  return [
    {
      annotation: AZURE_TCP_IDLE_TIMEOUT,
      problem: `${minutes} min ${idleTooShort(minutes * 60, heartbeatSeconds)}; raise it to at least ${Math.ceil(need / 60)}`,
    },
  ];
}

export const azure: LoadBalancerKind<AzureLoadBalancerArgs, ResolvedAzure> = {
  type: "azure",
  label: "azure",
  options: ["internal", "idleTimeoutMinutes"],
  metallbAddress: false,
  resolve: ({ owner, given, derivedIdleSeconds }) => {
    const internal = requireBoolean(owner, "loadBalancer.internal", given.internal, false);
    const { min, max } = AZURE_IDLE_TIMEOUT_MINUTES;
    const idleTimeoutMinutes =
      given.idleTimeoutMinutes === undefined
        ? clamp(Math.ceil(derivedIdleSeconds / 60), min, max)
        : requireWholeNumber(
            owner,
            "loadBalancer.idleTimeoutMinutes",
            given.idleTimeoutMinutes,
            min,
            max,
            "of minutes (cloud-provider-azure's range for azure-load-balancer-tcp-idle-timeout)",
          );
    return { type: "azure", internal, idleTimeoutMinutes };
  },
  serviceFields: (lb) => {
    const annotations: Record<string, string> = { [AZURE_TCP_IDLE_TIMEOUT]: String(lb.idleTimeoutMinutes) };
    if (lb.internal) annotations[AZURE_INTERNAL] = "true";
    return { annotations };
  },
  hop: (lb) => azureLoadBalancerHop(lb.idleTimeoutMinutes),
  idleProblems: azureIdleProblems,
};
