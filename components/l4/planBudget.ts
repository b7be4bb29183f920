/**
 * The budget step of an L4 plan: one hop per component between the client and the pod, from the
 * load balancer the plan chose to the backend, and the reconnect costs of their drop events. Pure.
 */
import { evaluateBudget, Hop, PathBudget } from "../budget/model";
import { reconnectBudget } from "../budget/reconnect";
import {
  activatorHop,
  clientHop,
  haproxyHop,
  knativeIngressHop,
  knativeUserPortHop,
  kubeProxyConntrackHop,
  queueProxyHop,
  serviceBackendHop,
} from "../budget/hops";
import { kindOf, LOAD_BALANCER_KINDS, LoadBalancerRegistry } from "./loadBalancers";
import { l4Outages } from "./outages";
import { directRouteNote } from "./planRoute";
import { L4Plan } from "./planTypes";

type BudgetInput = Pick<
  L4Plan,
  | "websocket"
  | "loadBalancer"
  | "advertisement"
  | "externalTrafficPolicy"
  | "conntrackEstablishedTimeoutSeconds"
  | "tls"
  | "knativePlan"
  | "route"
  | "revision"
  | "backend"
>;

/** The load balancer's own hop: MetalLB's announcement, or the cloud load balancer (its kind's module). */
export function loadBalancerHop(
  p: Pick<L4Plan, "loadBalancer" | "advertisement" | "externalTrafficPolicy">,
  kinds: LoadBalancerRegistry = LOAD_BALANCER_KINDS,
): Hop {
  return kindOf(p.loadBalancer.type, kinds).hop(p.loadBalancer, {
    advertisement: p.advertisement,
    externalTrafficPolicy: p.externalTrafficPolicy,
  });
}

export function planBudget(p: BudgetInput): PathBudget {
  const { websocket, tls, knativePlan, route, revision } = p;
  const hops: Hop[] = [clientHop(websocket.heartbeatSeconds), loadBalancerHop(p)];
  hops.push(kubeProxyConntrackHop(p.conntrackEstablishedTimeoutSeconds));
  if (tls.mode === "terminate") {
    hops.push(
      haproxyHop({
        tunnelSeconds: tls.haproxy.timeouts.tunnelSeconds,
        hardStopAfterSeconds: tls.haproxy.shutdown.hardStopAfterSeconds,
        preStopSeconds: tls.haproxy.shutdown.preStopSeconds,
        drain: tls.haproxy.drain,
        sessionTickets: tls.haproxy.sessionTickets !== undefined,
        maxconn: tls.haproxy.maxconn,
      }),
    );
  }
  if (knativePlan) {
    if (route === "ingress") {
      hops.push(knativeIngressHop(knativePlan.cluster.ingressStreamIdleTimeoutSeconds));
      if (knativePlan.activatorInPath) hops.push(activatorHop(knativePlan.timeoutSeconds));
    }
    if (route === "port-8080") hops.push(knativeUserPortHop());
    else {
      const hop = queueProxyHop(knativePlan);
      hops.push(
        route === "queue-proxy" && revision
          ? { ...hop, note: `${hop.note}. ${directRouteNote(revision)}` }
          : hop,
      );
    }
  } else {
    hops.push(serviceBackendHop(p.backend.name));
  }
  return {
    ...evaluateBudget("l4", hops, websocket),
    reconnect: reconnectBudget(
      l4Outages({
        advertisement: kindOf(p.loadBalancer.type).metallbAddress
          ? (p.advertisement?.type ?? "none")
          : "none",
        haproxy:
          tls.mode === "terminate"
            ? {
                replicas: tls.haproxy.replicas,
                hardStopAfterSeconds: tls.haproxy.shutdown.hardStopAfterSeconds,
              }
            : undefined,
        knative: knativePlan,
      }),
    ),
  };
}
