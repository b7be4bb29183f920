import {
  fail,
  KNATIVE_RESERVED_PORTS,
  requireDnsLabel,
  requirePath,
  requirePort,
  requireWholeNumber,
} from "./validation";

/** The WebSocket service to expose: a Knative Service (the usual case) ... */
export interface KnativeBackendArgs {
  /** Name of the existing Knative Service (`serving.knative.dev/v1`). Conflicts with `service`. */
  knativeService: string;
  /** The backend's namespace. The connector and any in-cluster helpers are created here too. */
  namespace: string;
  /** WebSocket path. Default `/ws`. */
  path?: string;
  /** Cluster DNS domain. Default `cluster.local`. */
  clusterDomain?: string;
}

/** ... or any Kubernetes Service that speaks HTTP/1.1 WebSocket upgrades. */
export interface ServiceBackendArgs {
  /** Name of the existing Service; needs `port`. Conflicts with `knativeService`. */
  service: string;
  /** The backend's namespace. The connector and any in-cluster helpers are created here too. */
  namespace: string;
  /** The Service port that serves HTTP (and the upgrade). */
  port: number;
  /** WebSocket path. Default `/ws`. */
  path?: string;
  /** Cluster DNS domain. Default `cluster.local`. */
  clusterDomain?: string;
}

export type BackendArgs = KnativeBackendArgs | ServiceBackendArgs;

/** What the client promises and expects of a connection. */
export interface WebSocketArgs {
  /**
   * Seconds between the client's heartbeats (the iOS app: 5). Every idle timer on the path must exceed two of
   * them. Default 5.
   */
  heartbeatSeconds?: number;
  /** Seconds a healthy connection must be allowed to live; no hop may cap it lower. Default 3600. */
  minLifetimeSeconds?: number;
}

export interface ResolvedBackend {
  kind: "knative" | "service";
  name: string;
  namespace: string;
  path: string;
  /** Where the backend answers inside the cluster (for Knative: its ingress, through the ExternalName Service). */
  inClusterUrl: string;
  /** Host header the backend's router needs (Knative's ingress routes on Host); undefined when any host works. */
  hostHeader?: string;
  /** Labels selecting the backend's pods, for Knative `serving.knative.dev/service=<name>` (every revision). */
  podSelector?: Record<string, string>;
  /** Service port for plain Services. */
  port?: number;
  /** The cluster's DNS domain (`backend.clusterDomain`, default `cluster.local`). */
  clusterDomain: string;
}

export interface ResolvedWebSocket {
  heartbeatSeconds: number;
  minLifetimeSeconds: number;
}

export const DEFAULT_WEBSOCKET_PATH = "/ws";
export const DEFAULT_HEARTBEAT_SECONDS = 5;
export const DEFAULT_MIN_LIFETIME_SECONDS = 3600;

export function resolveBackend(owner: string, backend: BackendArgs | undefined): ResolvedBackend {
  if (!backend || typeof backend !== "object") {
    fail(owner, "backend", "is required: give { knativeService, namespace } or { service, namespace, port }");
  }
  const b = backend as Partial<KnativeBackendArgs & ServiceBackendArgs>;
  if (b.knativeService !== undefined && b.service !== undefined) {
    fail(owner, "backend", "sets both knativeService and service; give exactly one");
  }
  const namespace = requireDnsLabel(owner, "backend.namespace", b.namespace);
  const path = requirePath(owner, "backend.path", b.path ?? DEFAULT_WEBSOCKET_PATH);
  const domain = b.clusterDomain ?? "cluster.local";
  if (b.knativeService !== undefined) {
    if (b.port !== undefined) {
      fail(
        owner,
        "backend.port",
        "is only for a plain Service; a Knative Service is reached through its ingress on port 80",
      );
    }
    const name = requireDnsLabel(owner, "backend.knativeService", b.knativeService);
    const host = `${name}.${namespace}.svc.${domain}`;
    return {
      kind: "knative",
      name,
      namespace,
      path,
      inClusterUrl: `http://${host}`,
      hostHeader: host,
      clusterDomain: domain,
      podSelector: { "serving.knative.dev/service": name },
    };
  }
  if (b.service !== undefined) {
    const name = requireDnsLabel(owner, "backend.service", b.service);
    const port = requirePort(owner, "backend.port", b.port);
    return {
      kind: "service",
      name,
      namespace,
      path,
      port,
      inClusterUrl: `http://${name}.${namespace}.svc.${domain}:${port}`,
      clusterDomain: domain,
    };
  }
  return fail(
    owner,
    "backend",
    "names no service: give knativeService (a Knative Service) or service + port (a plain Service)",
  );
}

export function resolveWebSocket(owner: string, ws: WebSocketArgs | undefined): ResolvedWebSocket {
  const heartbeatSeconds = requireWholeNumber(
    owner,
    "websocket.heartbeatSeconds",
    ws?.heartbeatSeconds ?? DEFAULT_HEARTBEAT_SECONDS,
    1,
    3600,
    "of seconds",
  );
  const minLifetimeSeconds = requireWholeNumber(
    owner,
    "websocket.minLifetimeSeconds",
    ws?.minLifetimeSeconds ?? DEFAULT_MIN_LIFETIME_SECONDS,
    1,
    Number.MAX_SAFE_INTEGER,
    "of seconds",
  );
  return { heartbeatSeconds, minLifetimeSeconds };
}

/** Refuses ports the queue-proxy owns in a Knative pod (a container port there would collide). */
export function requireNotKnativeReserved(owner: string, field: string, port: number): number {
  if (KNATIVE_RESERVED_PORTS.includes(port)) {
    fail(
      owner,
      field,
      `${port} is reserved by Knative's queue-proxy (${KNATIVE_RESERVED_PORTS.join(", ")}); choose another port`,
    );
  }
  return port;
}
