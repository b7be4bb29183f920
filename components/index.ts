/**
 * ws-exposure's public API, the surface semver covers: the components, their argument and plan types
 * (what `.plan` and the outputs hold), the connection budget, and the validation functions for your
 * own checks. The pure builders behind them (HAProxy config, MetalLB objects, Knative ownership, the
 * admission check...) are internal. Policy-pack checks: `ws-exposure/policy`. Other Pulumi languages:
 * the component package (provider/, README "Using the components from YAML, Go, Python, C#").
 */

// ---- components ----
export { TunnelExposure } from "./tunnel/TunnelExposure";
export { L4Exposure } from "./l4/L4Exposure";
export { HybridExposure } from "./hybrid/HybridExposure";
export { KnativeSettings } from "./knative/KnativeSettings";
export { WsMonitor } from "./monitor/WsMonitor";

// ---- arguments ----
export type { BackendArgs, KnativeBackendArgs, ServiceBackendArgs, WebSocketArgs } from "./core/backend";
export type {
  KnativeSettingsArgs,
  KnativeClusterArgs,
  KnativeAdmissionCheckArgs,
  KnativeRequirements,
} from "./knative/plan";
export type { KnativeSettingsComponentArgs } from "./knative/KnativeSettings";
export type {
  TunnelExposureArgs,
  TunnelArgs,
  CreateTunnelArgs,
  ExistingTunnelArgs,
  RouteProvider,
} from "./tunnel/args";
export type { ConnectorArgs } from "./tunnel/connector";
export type { HttpRoute, OriginRequest } from "./tunnel/ingressRules";
export type * from "./l4/args";
export type { L4ExposureComponentArgs } from "./l4/L4Exposure";
export type { LabelSelector, BgpPeerSpec } from "./l4/metallb";
export type { HybridExposureArgs } from "./hybrid/args";
export type { WsMonitorArgs, WsMonitorPrometheusOperatorArgs } from "./monitor/args";
export type { ExposureMonitorArgs } from "./monitor/forExposure";

// ---- plans (the components' `.plan`) ----
export type { ResolvedBackend, ResolvedWebSocket } from "./core/backend";
export type { KnativePlan, ResolvedCluster } from "./knative/plan";
export type { TunnelPlan } from "./tunnel/plan";
export type { ConnectorPlan } from "./tunnel/connector";
export type { L4Plan } from "./l4/planTypes";
export type { HybridPlan } from "./hybrid/plan";
export type { MonitorPlan } from "./monitor/args";

// ---- the connection budget ----
export { evaluateBudget, limitingHops, HEARTBEATS_PER_IDLE_TIMEOUT } from "./budget/model";
export type { Hop, PathBudget } from "./budget/model";
export { reconnectBudget, IOS_CLIENT_BACKOFF } from "./budget/reconnect";
export type { BackoffProfile, Outage, DropEventCost, ReconnectBudget } from "./budget/reconnect";

// ---- validation: the functions the components validate with, for your own checks ----
export {
  ValidationError,
  requireHostname,
  requirePath,
  requirePort,
  requireDnsLabel,
  requireWholeNumber,
  requireOneOf,
  requirePinnedImage,
  isHostname,
  isPinnedImage,
} from "./core/validation";
export { planTunnel } from "./tunnel/plan";
export { planL4 } from "./l4/plan";
export { planHybrid } from "./hybrid/plan";
export { planKnativeSettings } from "./knative/plan";
export { planMonitor } from "./monitor/args";
export { catchAllProblem } from "./tunnel/ingressRules";
