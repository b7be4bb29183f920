/** wsprobe as a library: the same check, soak and monitor the CLI runs. */
export { runCheck, type CheckOptions, type CheckResult, type CheckStep, type TlsInfo } from "./check";
export { runSoak, validateSoakOptions, type ClientEvent, type SoakOptions, type SoakProgress } from "./soak";
export { startMonitor, type MonitorOptions, type MonitorHandle } from "./monitor";
export type { SoakReport, AttemptStats, EchoStats, TimelinePoint } from "./report";
export { backoffDelayMs, backoffSchedule, parseBackoff, IOS_BACKOFF, type BackoffProfile } from "./backoff";
export { parseDuration, formatDuration } from "./durations";
export { compileTemplate, type MessageTemplate } from "./template";
export { classifyError, type Failure, type FailureKind } from "./failure";
export { DEFAULT_MAX_MISSED_HEARTBEATS, DROP_CAUSES, type Drop, type DropCause } from "./drop";
export {
  LIFETIME_BUCKETS_SECONDS,
  RTT_BUCKETS_SECONDS,
  lifetimeBuckets,
  ProbeMetrics,
  type ProbeMetricsOptions,
} from "./metrics";
export {
  chartSpec,
  renderSvg,
  ChartPackagesMissingError,
  CHART_PACKAGES,
  CHART_PACKAGES_MISSING,
} from "./chart";
export type { ChartImporter, ChartPackage } from "./chart";
export { checkSummary, soakSummary } from "./summary";
export { UsageError } from "./usage";
export { parseConnectTo, type ConnectOptions, type ConnectTarget } from "./connectOptions";
