/**
 * ws-exposure's public API, the surface semver covers: the components, their argument and plan types
 * (what `.plan` and the outputs hold), the budget evaluation, the error the components throw and the
 * checks a policy can reuse. Everything else (the plan* functions, the builders, the iOS backoff
 * constants...) is internal, so it can change without a major version; test/package/publicSurface.test.ts
 * pins the list. Policy-pack checks: `ws-exposure/policy`. Other Pulumi languages:
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
export type { ExposureResourceOptions } from "./core/exposureOptions";
export type { ArgNamer } from "./core/message";

// ---- plans (the components' `.plan`) ----
export type { ResolvedBackend, ResolvedWebSocket } from "./core/backend";
export type { KnativePlan, ResolvedCluster } from "./knative/plan";
export type { TunnelPlan } from "./tunnel/plan";
export type { ConnectorPlan } from "./tunnel/connector";
export type { L4Plan } from "./l4/planTypes";
export type { HybridPlan } from "./hybrid/plan";
export type { MonitorPlan } from "./monitor/args";

// ---- the connection budget ----
export { evaluateBudget } from "./budget/model";
export type { Hop, PathBudget } from "./budget/model";
export type { BackoffProfile, Outage, DropEventCost, ReconnectBudget } from "./budget/reconnect";

// ---- validation: what the components throw, and the checks a policy of your own can reuse ----
export { ValidationError, isHostname, isPinnedImage } from "./core/validation";
