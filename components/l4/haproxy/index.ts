/**
 * The HAProxy tier that ends TLS on the L4 path, in one place: its config (config.ts), sizing
 * (sizing.ts), plan (plan.ts), paced drain (drain.ts and the driver the sidecar runs), and pod
 * (pod.ts, deployment.ts).
 */
export * from "./config";
export * from "./sizing";
export * from "./plan";
export * from "./drain";
export * from "./pod";
export * from "./deployment";
export { planDrain, parseSessions, parseWorkers, type DrainBatch, type DrainOrder } from "./drainPlan";
