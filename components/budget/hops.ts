import { Hop } from "./model";
import { HAPROXY_FD_OVERHEAD, haproxyOpenFilesNeed } from "../l4/haproxy/sizing";

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
    dropEvents: [
      "Cloudflare restarts edge servers on its deploys, closing every WebSocket on them without notice",
    ],
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
    idleSetting:
      "knative.cluster.ingressStreamIdleTimeoutSeconds (config-kourier stream-idle-timeout; 0 = none)",
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

/**
 * The queue-proxy's drain sleep on SIGTERM (`drainSleepDuration` in knative.dev/serving
 * pkg/queue/sharedmain): a quiet period that every new request reaching the pod restarts.
 */
export const QUEUE_PROXY_DRAIN_SLEEP_SECONDS = 30;

/** Knative >= 1.22 drains upgraded connections on shutdown, at most 60 s after the drain sleep. */
export function queueProxyDrainSeconds(knativeVersion: string): number {
  const [major, minor] = knativeVersion.split(".").map((p) => Number.parseInt(p, 10));
  return major > 1 || (major === 1 && minor >= 22) ? 60 : 0;
}

/** What the queue-proxy hop needs of the Knative settings (a KnativePlan has it). */
export interface QueueProxyInput {
  timeoutSeconds: number;
  minScale: number;
  maxScale: number;
  cluster: { version: string; versionDeclared: boolean };
}

/** What each Knative version does to WebSockets on a pod stop, for the hop's note. */
export const QUEUE_PROXY_DRAIN_BY_VERSION =
  "on SIGTERM the queue-proxy keeps WebSockets through its 30 s drain sleep (30 s without a new request; the user container gets its SIGTERM when it ends), then from Knative 1.22 for at most 60 s more, only those the app keeps open after its SIGTERM; before 1.22 it cuts them when the sleep ends";

export function queueProxyHop(knative: QueueProxyInput): Hop {
  const { timeoutSeconds, minScale, maxScale } = knative;
  const { version, versionDeclared } = knative.cluster;
  const drain = queueProxyDrainSeconds(version);
  // Knative sets the pod's terminationGracePeriodSeconds to the revision's timeoutSeconds.
  const grace = `pod grace terminationGracePeriodSeconds = timeoutSeconds ${timeoutSeconds} s`;
  // Measured with the real queue-proxy (test/knative/queueProxy.integration.test.ts): the sleep is a
  // quiet period, and the app's preStop hook waits on it, so the app's SIGTERM comes when it ends.
  const sleep = `${QUEUE_PROXY_DRAIN_SLEEP_SECONDS} s drain sleep (30 s without a new request; the user container gets its SIGTERM when it ends)`;
  const dropEvents = [
    drain > 0
      ? `pod termination (rollout, scale-down, node drain; ${grace}): Knative ${version} keeps upgraded connections through the queue-proxy's ${sleep}, then for at most ${drain} s more, then cuts them; only the sockets the app keeps open after its own SIGTERM last past the sleep`
      : `pod termination (rollout, scale-down, node drain; ${grace}): Knative ${version} cuts upgraded connections when the queue-proxy exits at the end of its ${sleep} (the drain of up to 60 s exists from 1.22)`,
  ];
  if (maxScale > minScale) {
    dropEvents.push(
      `scale-down (the load falls, between knative.minScale ${minScale} and knative.maxScale ${maxScale}): open WebSockets count as requests, so they keep the number of pods up, ` +
        `but the pods removed are picked without regard to the sockets they hold: every socket on a removed pod ends as on pod termination; knative.minScale = knative.maxScale rules scale-down out`,
    );
  }
  const versionNote = versionDeclared
    ? `Knative ${version} (knative.cluster.version)`
    : `Knative ${version} assumed: knative.cluster.version is not set, so the budget takes the oldest supported release; declare your cluster's`;
  return {
    name: "queue-proxy",
    idleTimeoutSeconds: null,
    lifetimeCapSeconds: timeoutSeconds,
    dropEvents,
    lifetimeSetting: "knative.timeoutSeconds",
    note: `timeoutSeconds is a hard cap on a WebSocket's life; idleTimeoutSeconds and responseStartTimeoutSeconds are 0. ${versionNote}; ${QUEUE_PROXY_DRAIN_BY_VERSION}`,
  };
}

// --- L4 path (MetalLB + kube-proxy + HAProxy) -------------------------------------------------

/** MetalLB L2: one node answers ARP/NDP for the address; failover, not load balancing. */
export function metallbL2Hop(externalTrafficPolicy: "Local" | "Cluster"): Hop {
  const local =
    externalTrafficPolicy === "Local"
      ? " (with externalTrafficPolicy Local also when the last ready endpoint leaves the leader node, e.g. a rollout moving the pods)"
      : "";
  return {
    name: "metallb-l2",
    idleTimeoutSeconds: null,
    lifetimeCapSeconds: null,
    dropEvents: [
      `L2 leader change${local}: node loss, speaker restart or drain moves the address, and every established connection drops`,
    ],
    note: "one node takes all traffic for the address; no timers of its own",
  };
}

/** MetalLB BGP: routers spread flows over the announcing nodes (ECMP). */
export function metallbBgpHop(): Hop {
  return {
    name: "metallb-bgp",
    idleTimeoutSeconds: null,
    lifetimeCapSeconds: null,
    dropEvents: [
      "a node joins or leaves the ECMP set (node loss, speaker restart, BGP session reset): routers without resilient hashing rehash flows, breaking connections that land on another node",
    ],
  };
}

/**
 * kube-proxy's conntrack entry for the LB flow: an idle timer. kube-proxy sets
 * nf_conntrack_tcp_timeout_established to its --conntrack-tcp-timeout-established (default 24h =
 * 86400 s); the kernel's own default is 432000 s (5 days).
 */
export function kubeProxyConntrackHop(establishedTimeoutSeconds: number): Hop {
  return {
    name: "kube-proxy-conntrack",
    idleTimeoutSeconds: establishedTimeoutSeconds > 0 ? establishedTimeoutSeconds : null,
    lifetimeCapSeconds: null,
    dropEvents: [
      "conntrack table full or flushed (kube-proxy restart with a changed rule set): NATed flows break",
    ],
    idleSetting:
      "kube-proxy --conntrack-tcp-timeout-established (declared in conntrackEstablishedTimeoutSeconds)",
  };
}

/**
 * The budget's words for the drain (the haproxy hop's drop event): who is closed when, and what
 * `hard-stop-after` still does.
 */
export function drainDropEvent(
  drain: { windowSeconds: number; order: "oldest" | "random" } | undefined,
  timing: { preStopSeconds: number; hardStopAfterSeconds: number },
): string {
  const stop = `reload (SIGUSR2) or pod stop (rollout, drain; after a ${timing.preStopSeconds} s preStop)`;
  if (!drain) {
    return `${stop}: the old process keeps its connections for at most hard-stop-after ${timing.hardStopAfterSeconds} s, then closes the rest at once`;
  }
  return (
    `${stop}: paced drain, the old process's connections are closed ${drain.order === "oldest" ? "oldest first" : "in random order"} ` +
    `at N/${drain.windowSeconds} per second over ${drain.windowSeconds} s (N = the connections it holds), so reconnects arrive spread over the window; ` +
    `hard-stop-after ${timing.hardStopAfterSeconds} s closes whatever is left`
  );
}

/**
 * HAProxy terminating TLS in `mode tcp`: `timeout tunnel` is the idle timer; reloads and pod stops
 * close the old process's connections over the paced drain's window (or all at hard-stop-after).
 */
export function haproxyHop(timing: {
  tunnelSeconds: number;
  hardStopAfterSeconds: number;
  preStopSeconds: number;
  /** The paced drain; undefined when off. */
  drain?: { windowSeconds: number; order: "oldest" | "random" };
  /** Shared session-ticket keys: a reconnect resumes its TLS session on any replica. */
  sessionTickets?: boolean;
  /** The pod's connection limit: its open-files need is said in the note. */
  maxconn: number;
}): Hop {
  const resume = timing.sessionTickets
    ? "a client that keeps its TLS session (ticket) resumes it on reconnect, on any replica and after a reload (shared tls-ticket-keys)"
    : "every reconnect is a full TLS handshake (no shared session-ticket keys: tls.haproxy.sessionTickets)";
  return {
    name: "haproxy",
    idleTimeoutSeconds: timing.tunnelSeconds,
    lifetimeCapSeconds: null,
    dropEvents: [drainDropEvent(timing.drain, timing), "pod loss (node failure) drops its connections"],
    idleSetting: "tls.haproxy.timeouts.tunnelSeconds",
    note:
      `timeout tunnel is an idle timer, reset by heartbeats in either direction; ${resume}; ` +
      `maxconn ${timing.maxconn} needs a hard open-files limit (ulimit -Hn) of at least ${haproxyOpenFilesNeed(timing.maxconn)} ` +
      `(2 x maxconn + ${HAPROXY_FD_OVERHEAD}) on the node's container runtime, or HAProxy exits at start ("Cannot raise FD limit")`,
  };
}

/** The user container's port 8080 reached directly: no timers, but the autoscaler cannot see the sockets. */
export function knativeUserPortHop(): Hop {
  return {
    name: "user-container",
    idleTimeoutSeconds: null,
    lifetimeCapSeconds: null,
    dropEvents: [
      "the autoscaler sees no load on port 8080 (the queue-proxy is bypassed) and may scale away pods holding live sockets",
      "pod termination: sockets cut when the container stops",
    ],
  };
}

/** A plain Kubernetes Service backend: whatever the service itself does is outside the model. */
export function serviceBackendHop(service: string): Hop {
  return {
    name: "backend-service",
    idleTimeoutSeconds: null,
    lifetimeCapSeconds: null,
    dropEvents: [`pod termination of ${service}: its sockets close as the application decides`],
  };
}
