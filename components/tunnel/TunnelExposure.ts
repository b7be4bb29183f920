import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import * as cloudflare from "@pulumi/cloudflare";
import { PathBudget } from "../budget/model";
import { KnativeSettings } from "../knative/KnativeSettings";
import {
  KnativeRequirements,
  KnativeSettingsArgs,
  NO_REQUIREMENTS,
  planKnativeSettings,
} from "../knative/plan";
import {
  BackendArgs,
  KnativeBackendArgs,
  resolveBackend,
  resolveWebSocket,
  WebSocketArgs,
} from "../shared/backend";
import { assertBudget } from "../shared/assertBudget";
import { fail, ownerName, requireHostname, requireOneOf, requireWholeNumber } from "../shared/validation";
import { ConnectorArgs, CLOUDFLARED_TOKEN_KEY, connectorDeploymentSpec, planConnector } from "./connector";
import { buildIngressRules, HttpRoute, OriginRequest } from "./ingressRules";
import { DEFAULT_EDGE_IDLE_TIMEOUT_SECONDS, tunnelBudget } from "./budget";
import { claimTunnel } from "./tunnelOwnership";

/** A new remotely-managed tunnel ... */
export interface CreateTunnelArgs {
  create: {
    /** Tunnel name in the Cloudflare account. */
    name: string;
  };
}

/** ... or an existing one. This exposure then owns its whole ingress configuration (see README: one owner per tunnel). */
export interface ExistingTunnelArgs {
  /** The existing tunnel's id (UUID). */
  existingId: pulumi.Input<string>;
  /** The tunnel's connector token (a secret). Conflicts with tokenSecret; one of the two is required when the connector is deployed. */
  token?: pulumi.Input<string>;
  /** A Kubernetes Secret in the backend's namespace that already holds the token. Conflicts with token. */
  tokenSecret?: { name: string; key: string };
}

export type TunnelArgs = CreateTunnelArgs | ExistingTunnelArgs;

export type RouteProvider = "cloudflare-api" | "tunnel-ingress-crd";

export interface TunnelExposureArgs {
  /** The service to expose. */
  backend: BackendArgs;
  /** Client heartbeat and the lifetime a connection must be allowed. Defaults 5 s and 3600 s. */
  websocket?: WebSocketArgs;
  /** Knative settings for a Knative backend (ignored for a plain Service). */
  knative?: KnativeSettingsArgs;
  /** Create the KnativeSettings child. Default true; a HybridExposure passes false and applies them once itself. */
  applyKnativeSettings?: boolean;
  /** What another path sharing this backend needs of Knative (set by HybridExposure). Default none. */
  knativeRequirements?: KnativeRequirements;
  /** Cloudflare account id. */
  accountId: pulumi.Input<string>;
  /** Zone id of `hostname`'s zone; required with routeProvider "cloudflare-api" (the DNS record). */
  zoneId?: pulumi.Input<string>;
  /** Public hostname, e.g. `ws.example.com`. Plain: validated before anything is created. */
  hostname: string;
  /** Tunnel to create or reuse. */
  tunnel: TunnelArgs;
  /**
   * "cloudflare-api" (default): this stack writes the tunnel's ingress configuration and a proxied CNAME.
   * "tunnel-ingress-crd": emits a `tunnel.cloudflare.io/v1alpha1` CloudflareTunnelIngress for an in-cluster
   * controller that owns the tunnel, connector and DNS (tunnel, zoneId and connector are then not used).
   */
  routeProvider?: RouteProvider;
  /** Route the WebSocket path through the tunnel. Default true (false: HTTP routes only). */
  routeWebSocket?: boolean;
  /** More HTTP routes, placed after the WebSocket route and before the catch-all. Default none. */
  httpRoutes?: HttpRoute[];
  /** originRequest overrides for every rule; defaults tuned for WebSockets (connectTimeout 10, tcpKeepAlive 30, keepAliveTimeout 90). */
  originRequest?: OriginRequest;
  /** Cloudflare edge idle timer budgeted, seconds. Default 100 (documented 120; raise only if you measured it). */
  edgeIdleTimeoutSeconds?: number;
  /** The cloudflared connector Deployment. */
  connector?: ConnectorArgs;
}

/**
 * Exposes a WebSocket service through a Cloudflare Tunnel: a remotely managed tunnel (created or
 * reused), its ingress rules (WebSocket path, HTTP routes, catch-all 404 last), a proxied CNAME,
 * an HA cloudflared connector in the backend's namespace, and the Knative settings.
 *
 * @example
 * ```ts
 * const exposure = new TunnelExposure("messaging", {
 *   backend: { knativeService: "messaging-service", namespace: "agents-whatsapp-rust" },
 *   websocket: { heartbeatSeconds: 5, minLifetimeSeconds: 3600 },
 *   knative: { cluster: { maxRevisionTimeoutSeconds: 3600, manageMaxRevisionTimeout: true } },
 *   accountId: "0123456789abcdef0123456789abcdef",
 *   zoneId: "fedcba9876543210fedcba9876543210",
 *   hostname: "messaging.example.com",
 *   tunnel: { create: { name: "messaging" } },
 * }, { providers: { kubernetes: k8sProvider, cloudflare: cfProvider } });
 * export const url = exposure.url; // wss://messaging.example.com/ws
 * ```
 */
export class TunnelExposure extends pulumi.ComponentResource {
  /** `wss://<hostname><path>` (undefined when the WebSocket is not routed through the tunnel). */
  public readonly url: pulumi.Output<string | undefined>;
  /** The tunnel's id (unknown until deploy for a created tunnel; undefined with the CRD route provider). */
  public readonly tunnelId: pulumi.Output<string | undefined>;
  /** The path's connection budget. */
  public readonly budget: pulumi.Output<PathBudget>;
  /** The same budget as a plain value, for composition and printing. */
  public readonly budgetValue: PathBudget;

  constructor(name: string, args: TunnelExposureArgs, opts?: pulumi.ComponentResourceOptions) {
    const owner = ownerName("TunnelExposure", name);
    const backend = resolveBackend(owner, args.backend);
    const websocket = resolveWebSocket(owner, args.websocket);
    const hostname = requireHostname(owner, "hostname", args.hostname);
    const routeProvider = requireOneOf(owner, "routeProvider", args.routeProvider ?? "cloudflare-api", [
      "cloudflare-api",
      "tunnel-ingress-crd",
    ] as const);
    const routeWebSocket = args.routeWebSocket ?? true;
    const edgeIdleTimeoutSeconds = requireWholeNumber(
      owner,
      "edgeIdleTimeoutSeconds",
      args.edgeIdleTimeoutSeconds ?? DEFAULT_EDGE_IDLE_TIMEOUT_SECONDS,
      1,
    );
    const connector = planConnector(owner, args.connector);
    const knativePlan =
      backend.kind === "knative"
        ? planKnativeSettings(owner, websocket, args.knative, args.knativeRequirements ?? NO_REQUIREMENTS)
        : null;
    const rules = buildIngressRules({
      owner,
      hostname,
      websocketPath: backend.path,
      routeWebSocket,
      originUrl: backend.inClusterUrl,
      originHostHeader: backend.hostHeader,
      httpRoutes: args.httpRoutes ?? [],
      originRequest: args.originRequest,
    });
    const tunnel = args.tunnel as Partial<CreateTunnelArgs & ExistingTunnelArgs> | undefined;
    if (routeProvider === "cloudflare-api") {
      if (args.zoneId === undefined)
        fail(owner, "zoneId", `is required with routeProvider "cloudflare-api" (the CNAME for ${hostname})`);
      if (!tunnel || (tunnel.create === undefined) === (tunnel.existingId === undefined)) {
        fail(
          owner,
          "tunnel",
          "must be { create: { name } } or { existingId, token | tokenSecret }, exactly one",
        );
      }
      if (
        tunnel.create !== undefined &&
        (typeof tunnel.create.name !== "string" || tunnel.create.name.trim() === "")
      ) {
        fail(owner, "tunnel.create.name", "must be a non-empty tunnel name");
      }
      if (
        tunnel.existingId !== undefined &&
        (tunnel.token === undefined) === (tunnel.tokenSecret === undefined)
      ) {
        fail(
          owner,
          "tunnel",
          "reuses a tunnel: give its connector token as exactly one of token (a Pulumi secret) or tokenSecret { name, key }",
        );
      }
    }
    const budget = tunnelBudget({
      websocket,
      edgeIdleTimeoutSeconds,
      connectorGracePeriodSeconds: connector.gracePeriodSeconds,
      knative: knativePlan,
    });
    assertBudget(owner, budget);
    if (routeProvider === "cloudflare-api" && tunnel?.existingId !== undefined)
      claimTunnel(owner, tunnel.existingId);

    super("ws-exposure:index:TunnelExposure", name, {}, opts);
    this.budgetValue = budget;
    this.budget = pulumi.output(budget);
    this.url = pulumi.output(routeWebSocket ? `wss://${hostname}${backend.path}` : undefined);

    if ((args.applyKnativeSettings ?? true) && backend.kind === "knative") {
      new KnativeSettings(
        `${name}-knative`,
        {
          backend: args.backend as KnativeBackendArgs,
          websocket: args.websocket,
          knative: args.knative,
          requirements: args.knativeRequirements,
        },
        { parent: this },
      );
    }

    if (routeProvider === "tunnel-ingress-crd") {
      new k8s.apiextensions.CustomResource(
        `${name}-tunnel-ingress`,
        {
          apiVersion: "tunnel.cloudflare.io/v1alpha1",
          kind: "CloudflareTunnelIngress",
          metadata: { name: `${backend.name}-ws`, namespace: backend.namespace },
          spec: {
            hostname,
            service: {
              name: backend.name,
              namespace: backend.namespace,
              // A Knative Service's Kubernetes Service is an ExternalName to the ingress, on port 80.
              port: backend.port ?? 80,
              protocol: "http",
            },
            enabled: true,
          },
        },
        { parent: this },
      );
      this.tunnelId = pulumi.output(undefined);
      this.registerOutputs({ url: this.url, tunnelId: this.tunnelId, budget: this.budget });
      return;
    }

    let tunnelId: pulumi.Output<string>;
    let token: pulumi.Output<string> | undefined;
    if (tunnel!.create !== undefined) {
      const created = new cloudflare.ZeroTrustTunnelCloudflared(
        `${name}-tunnel`,
        { accountId: args.accountId, name: tunnel!.create.name, configSrc: "cloudflare" },
        { parent: this },
      );
      tunnelId = created.id;
      token = pulumi.secret(
        cloudflare.getZeroTrustTunnelCloudflaredTokenOutput(
          { accountId: args.accountId, tunnelId },
          { parent: this },
        ).token,
      );
    } else {
      tunnelId = pulumi.output(tunnel!.existingId!);
      token = tunnel!.token === undefined ? undefined : pulumi.secret(tunnel!.token);
    }
    this.tunnelId = tunnelId;

    new cloudflare.ZeroTrustTunnelCloudflaredConfig(
      `${name}-tunnel-config`,
      { accountId: args.accountId, tunnelId, source: "cloudflare", config: { ingresses: rules } },
      { parent: this },
    );

    new cloudflare.DnsRecord(
      `${name}-dns`,
      {
        zoneId: args.zoneId!,
        name: hostname,
        type: "CNAME",
        content: pulumi.interpolate`${tunnelId}.cfargotunnel.com`,
        proxied: true,
        ttl: 1,
        comment: `ws-exposure ${name}: Cloudflare Tunnel`,
      },
      { parent: this },
    );

    const labels = { "app.kubernetes.io/name": "cloudflared", "app.kubernetes.io/instance": name };
    const tokenRef =
      token === undefined
        ? { name: pulumi.output(tunnel!.tokenSecret!.name), key: tunnel!.tokenSecret!.key }
        : {
            name: new k8s.core.v1.Secret(
              `${name}-tunnel-token`,
              {
                metadata: { namespace: backend.namespace, labels },
                type: "Opaque",
                stringData: { [CLOUDFLARED_TOKEN_KEY]: token },
              },
              { parent: this },
            ).metadata.name,
            key: CLOUDFLARED_TOKEN_KEY,
          };
    new k8s.apps.v1.Deployment(
      `${name}-cloudflared`,
      {
        metadata: { namespace: backend.namespace, labels },
        spec: connectorDeploymentSpec(connector, labels, tokenRef.name, tokenRef.key),
      },
      { parent: this },
    );
    new k8s.policy.v1.PodDisruptionBudget(
      `${name}-cloudflared`,
      {
        metadata: { namespace: backend.namespace, labels },
        // Voluntary evictions (node drains) take one connector at a time.
        spec: { maxUnavailable: 1, selector: { matchLabels: labels } },
      },
      { parent: this },
    );

    this.registerOutputs({ url: this.url, tunnelId: this.tunnelId, budget: this.budget });
  }
}
