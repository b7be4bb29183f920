import { evaluateBudget, Hop, PathBudget } from "../budget/model";
import {
  activatorHop,
  clientHop,
  cloudflaredHop,
  cloudflareEdgeHop,
  knativeIngressHop,
  queueProxyHop,
} from "../budget/hops";
import { ResolvedWebSocket } from "../core/backend";
import { KnativePlan } from "../knative/plan";
import { knativeScaleDownOutages, Outage, podRestartOutage, reconnectBudget } from "../budget/reconnect";

/** Cloudflare documents 120 s today; 100 s was the long-standing Proxy Read Timeout: budget the lower one. */
export const DEFAULT_EDGE_IDLE_TIMEOUT_SECONDS = 100;

export interface TunnelPathInput {
  websocket: ResolvedWebSocket;
  edgeIdleTimeoutSeconds: number;
  connectorGracePeriodSeconds: number;
  connectorReplicas: number;
  /** null for a plain (non-Knative) backend. */
  knative: KnativePlan | null;
}

export function tunnelPathHops(input: TunnelPathInput): Hop[] {
  const hops: Hop[] = [
    clientHop(input.websocket.heartbeatSeconds),
    cloudflareEdgeHop(input.edgeIdleTimeoutSeconds),
    cloudflaredHop(input.connectorGracePeriodSeconds),
  ];
  const k = input.knative;
  if (k) {
    hops.push(knativeIngressHop(k.cluster.ingressStreamIdleTimeoutSeconds));
    if (k.activatorInPath) hops.push(activatorHop(k.timeoutSeconds));
    hops.push(queueProxyHop(k));
  }
  return hops;
}

/** The tunnel path's drop events as outages the client must outlast. */
export function tunnelOutages(input: TunnelPathInput): Outage[] {
  const outages: Outage[] = [
    {
      event: "Cloudflare edge restart",
      outageSeconds: 0,
      basis: "other edge servers accept the reconnect at once",
    },
    podRestartOutage("cloudflared pod restart", input.connectorReplicas, input.connectorGracePeriodSeconds),
  ];
  if (input.knative) {
    outages.push(podRestartOutage("Knative pod termination", input.knative.minScale, 0));
    outages.push(...knativeScaleDownOutages(input.knative));
  }
  return outages;
}

export function tunnelBudget(input: TunnelPathInput, pathName = "tunnel"): PathBudget {
  return {
    ...evaluateBudget(pathName, tunnelPathHops(input), input.websocket),
    reconnect: reconnectBudget(tunnelOutages(input)),
  };
}
