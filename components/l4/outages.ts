import { knativeScaleDownOutages, Outage, podRestartOutage } from "../budget/reconnect";

/** MetalLB's memberlist notices a lost L2 leader in ~3 s (metallb #527); add gratuitous ARP and client caches. */
export const L2_FAILOVER_SECONDS = 10;
/** MetalLB's default BGP hold time: a peer withdraws a dead node's routes only when it expires (no BFD). */
export const BGP_HOLD_TIME_SECONDS = 90;

export interface L4OutageInput {
  advertisement: "l2" | "bgp" | "none";
  /** HAProxy replicas and drain bound, when the tier terminates TLS. */
  haproxy?: { replicas: number; hardStopAfterSeconds: number };
  /** Knative scale bounds, when the backend is a Knative Service. */
  knative?: { minScale: number; maxScale: number };
}

/** The L4 path's drop events as outages the reconnecting client must outlast. */
export function l4Outages(input: L4OutageInput): Outage[] {
  const outages: Outage[] = [];
  if (input.advertisement === "l2") {
    outages.push({
      event: "MetalLB L2 leader change",
      outageSeconds: L2_FAILOVER_SECONDS,
      basis: `memberlist detects the lost leader in seconds; ~${L2_FAILOVER_SECONDS} s until another node answers ARP for the address`,
    });
  } else if (input.advertisement === "bgp") {
    outages.push({
      event: "node loss under BGP",
      outageSeconds: BGP_HOLD_TIME_SECONDS,
      basis: `routers keep the dead node's route until the ${BGP_HOLD_TIME_SECONDS} s hold time expires (BFD shortens it)`,
    });
  }
  if (input.haproxy) {
    outages.push(
      podRestartOutage("HAProxy pod restart", input.haproxy.replicas, input.haproxy.hardStopAfterSeconds),
    );
  }
  if (input.knative) {
    outages.push(podRestartOutage("Knative pod termination", input.knative.minScale, 0));
    outages.push(...knativeScaleDownOutages(input.knative));
  }
  return outages;
}
