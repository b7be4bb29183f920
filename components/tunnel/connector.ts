import { arg, fail, msg, requirePinnedImage, requireWholeNumber } from "../core/validation";
import { assertShutdownOrder } from "../core/shutdownOrder";
import { ResourcesArgs } from "../core/quantity";

/**
 * The in-cluster `cloudflared` connector, but rollout, spreadAcrossNodes and resources: the fields
 * the component package takes as they are (components/package/args.ts, Connector).
 */
export interface ConnectorFields {
  /**
   * Replicas (each opens 4 connections to >= 2 Cloudflare data centres). Availability, not load
   * balancing. Default 2. A tunnel takes at most 25 connectors (100 connections) counting the one a
   * rollout adds: 1..24 with `rollout` "surge", 1..25 with `rollout` "replace".
   */
  replicas?: number;
  /** Pinned cloudflared image. Default `cloudflare/cloudflared:2025.7.0`; never `latest`. */
  image?: string;
  /** `--grace-period` in seconds: how long in-flight requests (WebSockets too) may run on SIGTERM. Default 30. */
  gracePeriodSeconds?: number;
  /** Pod `terminationGracePeriodSeconds`; must exceed gracePeriodSeconds. Default gracePeriodSeconds + 15. */
  terminationGracePeriodSeconds?: number;
}

/** The in-cluster `cloudflared` connector. */
export interface ConnectorArgs extends ConnectorFields {
  /**
   * How a rolling update replaces connectors. "surge" (default): maxSurge 1, maxUnavailable 0, a new
   * connector is ready before an old one stops (never fewer than `replicas`), so at most 24 replicas.
   * "replace": maxSurge 0, maxUnavailable 1, an old connector stops before its replacement starts
   * (one fewer during the rollout), which allows 25.
   */
  rollout?: "surge" | "replace";
  /** "preferred" spreads replicas across nodes when it can (a one-node homelab still schedules); "required" refuses to co-locate. Default "preferred". */
  spreadAcrossNodes?: "preferred" | "required";
  /** Container resources. Default requests 50m CPU / 64Mi, limit 256Mi memory. */
  resources?: ResourcesArgs;
}

export interface ConnectorPlan {
  replicas: number;
  rollout: "surge" | "replace";
  image: string;
  gracePeriodSeconds: number;
  terminationGracePeriodSeconds: number;
  spreadAcrossNodes: "preferred" | "required";
  resources: { requests: Record<string, string>; limits: Record<string, string> };
}

export const DEFAULT_CLOUDFLARED_IMAGE = "cloudflare/cloudflared:2025.7.0";
export const CLOUDFLARED_METRICS_PORT = 2000;
/** Cloudflare allows at most this many connectors per tunnel: 100 connections, 4 per connector. */
export const MAX_TUNNEL_CONNECTORS = 25;
/** Connectors a rolling update runs beside `replicas` (its maxSurge). */
export const ROLLOUT_SURGE = { surge: 1, replace: 0 } as const;
/** The most replicas whose rollout still fits the tunnel's limit. */
export const MAX_CONNECTOR_REPLICAS = {
  surge: MAX_TUNNEL_CONNECTORS - ROLLOUT_SURGE.surge,
  replace: MAX_TUNNEL_CONNECTORS - ROLLOUT_SURGE.replace,
} as const;

/** The Deployment strategy for a rollout mode. */
export function connectorStrategy(rollout: "surge" | "replace") {
  return {
    type: "RollingUpdate",
    rollingUpdate:
      rollout === "surge" ? { maxUnavailable: 0, maxSurge: 1 } : { maxUnavailable: 1, maxSurge: 0 },
  };
}

export function planConnector(owner: string, args: ConnectorArgs | undefined): ConnectorPlan {
  const rollout = args?.rollout ?? "surge";
  if (rollout !== "surge" && rollout !== "replace") {
    fail(owner, "connector.rollout", `must be "surge" or "replace" (got ${JSON.stringify(rollout)})`);
  }
  const replicas = requireWholeNumber(
    owner,
    "connector.replicas",
    args?.replicas ?? 2,
    1,
    MAX_CONNECTOR_REPLICAS.replace,
  );
  if (replicas > MAX_CONNECTOR_REPLICAS[rollout]) {
    fail(
      owner,
      "connector.replicas",
      msg`${replicas} leaves no room for a rollout: a tunnel takes at most ${MAX_TUNNEL_CONNECTORS} connectors (100 connections, 4 each), and ${arg("connector.rollout")} "surge" (maxSurge 1) starts connector ${replicas + 1} before it stops an old one, so the rollout stalls; use at most ${MAX_CONNECTOR_REPLICAS.surge} replicas, or set ${arg("connector.rollout")} to "replace" (maxSurge 0, maxUnavailable 1: one connector fewer while it rolls)`,
    );
  }
  const image = requirePinnedImage(
    owner,
    "connector.image",
    args?.image ?? DEFAULT_CLOUDFLARED_IMAGE,
    DEFAULT_CLOUDFLARED_IMAGE,
  );
  const gracePeriodSeconds = requireWholeNumber(
    owner,
    "connector.gracePeriodSeconds",
    args?.gracePeriodSeconds ?? 30,
    1,
    3600,
  );
  const terminationGracePeriodSeconds = requireWholeNumber(
    owner,
    "connector.terminationGracePeriodSeconds",
    args?.terminationGracePeriodSeconds ?? gracePeriodSeconds + 15,
    1,
  );
  // cloudflared has no preStop: SIGTERM starts --grace-period at once; the pod grace must exceed it.
  assertShutdownOrder(owner, {
    proxy: "cloudflared",
    drain: { field: "connector.gracePeriodSeconds", seconds: gracePeriodSeconds },
    terminationGracePeriod: {
      field: "connector.terminationGracePeriodSeconds",
      seconds: terminationGracePeriodSeconds,
    },
    marginSeconds: 1,
  });
  const spreadAcrossNodes = args?.spreadAcrossNodes ?? "preferred";
  if (spreadAcrossNodes !== "preferred" && spreadAcrossNodes !== "required") {
    fail(
      owner,
      "connector.spreadAcrossNodes",
      `must be "preferred" or "required" (got ${JSON.stringify(spreadAcrossNodes)})`,
    );
  }
  return {
    replicas,
    rollout,
    image,
    gracePeriodSeconds,
    terminationGracePeriodSeconds,
    spreadAcrossNodes,
    resources: {
      requests: { cpu: "50m", memory: "64Mi", ...args?.resources?.requests },
      limits: { memory: "256Mi", ...args?.resources?.limits },
    },
  };
}

export const CLOUDFLARED_TOKEN_KEY = "token";

/** The connector Deployment's spec (pure: the component wraps it in a resource). */
/** `TokenName` is a string, or a Pulumi Input of one when the Secret is created in the same program. */
export function connectorDeploymentSpec<TokenName>(
  plan: ConnectorPlan,
  labels: Record<string, string>,
  tokenSecretName: TokenName,
  tokenSecretKey = CLOUDFLARED_TOKEN_KEY,
) {
  return {
    replicas: plan.replicas,
    selector: { matchLabels: labels },
    // "surge": a new connector is ready before an old one stops (never below `replicas`);
    // "replace": one stops first, so the rollout never exceeds the tunnel's 25 connectors at 25 replicas.
    strategy: connectorStrategy(plan.rollout),
    template: {
      metadata: { labels },
      spec: {
        terminationGracePeriodSeconds: plan.terminationGracePeriodSeconds,
        // cloudflared never calls the Kubernetes API: no ServiceAccount token in the pod.
        automountServiceAccountToken: false,
        securityContext: {
          runAsNonRoot: true,
          runAsUser: 65532,
          runAsGroup: 65532,
          seccompProfile: { type: "RuntimeDefault" },
        },
        topologySpreadConstraints: [
          {
            maxSkew: 1,
            topologyKey: "kubernetes.io/hostname",
            whenUnsatisfiable: plan.spreadAcrossNodes === "required" ? "DoNotSchedule" : "ScheduleAnyway",
            labelSelector: { matchLabels: labels },
          },
        ],
        containers: [
          {
            name: "cloudflared",
            image: plan.image,
            args: [
              "tunnel",
              "--no-autoupdate",
              "--metrics",
              `0.0.0.0:${CLOUDFLARED_METRICS_PORT}`,
              "--grace-period",
              `${plan.gracePeriodSeconds}s`,
              "run",
            ],
            env: [
              {
                name: "TUNNEL_TOKEN",
                valueFrom: { secretKeyRef: { name: tokenSecretName, key: tokenSecretKey } },
              },
            ],
            ports: [{ name: "metrics", containerPort: CLOUDFLARED_METRICS_PORT }],
            // 200 only with at least one edge connection registered.
            readinessProbe: {
              httpGet: { path: "/ready", port: CLOUDFLARED_METRICS_PORT },
              periodSeconds: 10,
              failureThreshold: 3,
            },
            resources: plan.resources,
            securityContext: {
              allowPrivilegeEscalation: false,
              readOnlyRootFilesystem: true,
              capabilities: { drop: ["ALL"] },
            },
          },
        ],
      },
    },
  };
}
