import { Hop } from "./model";

/**
 * Hop builders, one per component on a path. Numbers come from the upstream projects (see DOMAIN.md
 * in the design notes); where a limit is documented loosely the builder takes the conservative end.
 */

export function clientHop(heartbeatSeconds: number): Hop {
  return {
    name: "client",
    idleTimeoutSeconds: null,
    lifetimeCapSeconds: null,
    dropEvents: [],
    note: `heartbeat every ${heartbeatSeconds} s`,
  };
}

/** Cloudflare's proxy: an idle timer (100 s historically, 120 s documented now), no lifetime cap. */
export function cloudflareEdgeHop(edgeIdleTimeoutSeconds: number): Hop {
  return {
    name: "cloudflare-edge",
    idleTimeoutSeconds: edgeIdleTimeoutSeconds,
    lifetimeCapSeconds: null,
    dropEvents: ["Cloudflare restarts edge servers on its deploys, closing every WebSocket on them without notice"],
    idleSetting: "tunnel.edgeIdleTimeoutSeconds (only if you measured a longer timer)",
    note: "idle timer, reset by heartbeats; not a lifetime cap",
  };
}

export function cloudflaredHop(gracePeriodSeconds: number): Hop {
  return {
    name: "cloudflared",
    idleTimeoutSeconds: null,
    lifetimeCapSeconds: null,
    dropEvents: [
      `connector pod stop (rollout, node drain): its WebSockets get --grace-period ${gracePeriodSeconds} s, then close`,
      "connector loses its edge connection: the streams carried on it drop",
    ],
  };
}

/** The Knative ingress (net-kourier's Envoy): `stream-idle-timeout` in config-kourier; 0 = none. */
export function knativeIngressHop(streamIdleTimeoutSeconds: number): Hop {
  return {
    name: "knative-ingress",
    idleTimeoutSeconds: streamIdleTimeoutSeconds > 0 ? streamIdleTimeoutSeconds : null,
    lifetimeCapSeconds: null,
    dropEvents: ["ingress gateway pod restart drops the connections it proxies"],
    idleSetting: "knative.cluster.ingressStreamIdleTimeoutSeconds (config-kourier stream-idle-timeout; 0 = none)",
  };
}

/** The activator shares the revision's timeout handler with the queue-proxy. */
export function activatorHop(timeoutSeconds: number): Hop {
  return {
    name: "activator",
    idleTimeoutSeconds: null,
    lifetimeCapSeconds: timeoutSeconds,
    dropEvents: ["activator rollout or restart drops the connections it proxies"],
    lifetimeSetting: "knative.timeoutSeconds",
    note: 'in the path unless min-scale >= 1 and target-burst-capacity "0"',
  };
}

/** Knative >= 1.22 drains upgraded connections on shutdown, at most 60 s after a 30 s drain sleep. */
export function queueProxyDrainSeconds(knativeVersion: string): number {
  const [major, minor] = knativeVersion.split(".").map((p) => Number.parseInt(p, 10));
  return major > 1 || (major === 1 && minor >= 22) ? 60 : 0;
}

export function queueProxyHop(timeoutSeconds: number, knativeVersion: string): Hop {
  const drain = queueProxyDrainSeconds(knativeVersion);
  const termination =
    drain > 0
      ? `pod termination (rollout, scale-down, node drain): upgraded connections drained for at most ${drain} s after a 30 s drain sleep, then cut`
      : `pod termination (rollout, scale-down, node drain): upgraded connections cut at once (Knative ${knativeVersion} < 1.22)`;
  return {
    name: "queue-proxy",
    idleTimeoutSeconds: null,
    lifetimeCapSeconds: timeoutSeconds,
    dropEvents: [termination],
    lifetimeSetting: "knative.timeoutSeconds",
    note: "timeoutSeconds is a hard cap on a WebSocket's life; idleTimeoutSeconds and responseStartTimeoutSeconds are 0",
  };
}
