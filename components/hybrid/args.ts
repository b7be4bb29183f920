import { KnativeSettingsArgs } from "../knative/plan";
import { L4ExposureArgs } from "../l4/args";
import { BackendArgs, WebSocketArgs } from "../core/backend";
import { TunnelExposureArgs } from "../tunnel/args";
import { ExposureMonitorArgs } from "../monitor/forExposure";

/** What the hybrid decides for both paths, so each path's own args leave it out. */
type SharedKeys =
  "backend" | "websocket" | "knative" | "applyKnativeSettings" | "knativeRequirements" | "hostname";

export interface HybridExposureArgs {
  /** The service to expose, on both paths. */
  backend: BackendArgs;
  /**
   * Client heartbeat and the lifetime a connection must be allowed. Defaults 5 s and 3600 s. Both paths are
   * held to it.
   */
  websocket?: WebSocketArgs;
  /** Knative settings, applied once for both paths (the stricter of what each needs). */
  knative?: KnativeSettingsArgs;
  /** Hostname for HTTP, through the tunnel (every path). Must differ from wsHostname. */
  httpHostname: string;
  /** Hostname for the WebSocket, through L4 (a DNS-only record when `l4.dns` is set). Must differ from httpHostname. */
  wsHostname: string;
  /** Also route the WebSocket path through the tunnel, on httpHostname, for clients that cannot reach the L4 address. Default false. */
  fallback?: boolean;
  /** The tunnel path (see TunnelExposureArgs); routeWebSocket follows `fallback`. */
  tunnel: Omit<TunnelExposureArgs, SharedKeys | "routeWebSocket" | "monitor">;
  /** The L4 path (see L4ExposureArgs), on MetalLB by default or on a cloud load balancer (`l4.loadBalancer`). */
  l4: Omit<L4ExposureArgs, SharedKeys | "monitor">;
  /**
   * Synthetic wsprobe monitors: one against wsUrl (`<name>-monitor`), and one against fallbackWsUrl
   * (`<name>-fallback-monitor`, always dialed at its public name) when `fallback` is on. Default off.
   */
  monitor?: ExposureMonitorArgs;
}
