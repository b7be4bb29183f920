import * as pulumi from "@pulumi/pulumi";
import { KnativeRequirements, KnativeSettingsArgs } from "../knative/plan";
import { BackendArgs, WebSocketArgs } from "../core/backend";
import { ConnectorArgs } from "./connector";
import { HttpRoute, OriginRequest } from "./ingressRules";
import { ExposureMonitorArgs } from "../monitor/forExposure";

/** A new tunnel. */
export interface NewTunnelArgs {
  /** Tunnel name in the Cloudflare account. */
  name: string;
}

/** A new remotely-managed tunnel ... */
export interface CreateTunnelArgs {
  /** Create a new tunnel. Conflicts with existingId. */
  create: NewTunnelArgs;
}

/** A key of a Secret. */
export interface SecretKeyArgs {
  /** The Secret's name, in the backend's namespace. */
  name: string;
  /** The key that holds the value. */
  key: string;
}

/**
 * ... or an existing one. This exposure then owns its whole ingress configuration (see README: one owner per
 * tunnel).
 */
export interface ExistingTunnelArgs {
  /** The existing tunnel's id (UUID). */
  existingId: pulumi.Input<string>;
  /**
   * The tunnel's connector token (a secret). Conflicts with tokenSecret; one of the two is required when the
   * connector is deployed.
   */
  token?: pulumi.Input<string>;
  /** A Kubernetes Secret in the backend's namespace that already holds the token. Conflicts with token. */
  tokenSecret?: SecretKeyArgs;
}

export type TunnelArgs = CreateTunnelArgs | ExistingTunnelArgs;

export type RouteProvider = "cloudflare-api" | "tunnel-ingress-crd";

/**
 * The tunnel path's fields the component package takes as they are (components/package/args.ts,
 * HybridTunnel): written once, here.
 */
export interface TunnelPathFields {
  /** Zone id of `hostname`'s zone; required with routeProvider "cloudflare-api" (the DNS record). */
  zoneId?: pulumi.Input<string>;
  /** More HTTP routes, placed after the WebSocket route and before the catch-all. Default none. */
  httpRoutes?: HttpRoute[];
  /**
   * originRequest overrides for every rule; defaults tuned for WebSockets (connectTimeout 10, tcpKeepAlive
   * 30, keepAliveTimeout 90).
   */
  originRequest?: OriginRequest;
  /** Cloudflare edge idle timer budgeted, seconds. Default 100 (documented 120; raise only if you measured it). */
  edgeIdleTimeoutSeconds?: number;
}

export interface TunnelExposureArgs extends TunnelPathFields {
  /** The WebSocket backend: a Knative Service (usual) or a plain Service. Helpers go into its namespace. */
  backend: BackendArgs;
  /** Heartbeat (default 5 s) and the lifetime a connection must be allowed (default 3600 s). */
  websocket?: WebSocketArgs;
  /** Knative settings (Knative backends only; ignored for a plain Service); see KnativeSettingsArgs. */
  knative?: KnativeSettingsArgs;
  /** Create the KnativeSettings child `<name>-knative`. Default true; a HybridExposure passes false and applies them once itself. */
  applyKnativeSettings?: boolean;
  /** What another path sharing this backend needs of Knative (set by HybridExposure). Default none. */
  knativeRequirements?: KnativeRequirements;
  /** Cloudflare account id. */
  accountId: pulumi.Input<string>;
  /**
   * Public hostname clients connect to for the WebSocket (`wss://<hostname><path>`), e.g. `ws.example.com`.
   * Plain: validated before anything is created.
   */
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
  /** The cloudflared connector Deployment. */
  connector?: ConnectorArgs;
  /** A synthetic wsprobe monitor against `url` (needs the WebSocket routed through the tunnel). Default off. */
  monitor?: ExposureMonitorArgs;
}
