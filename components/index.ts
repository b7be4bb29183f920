/** ws-exposure's public API: the components, their argument types, and the pure builders they use. */
export * from "./shared/validation";
export * from "./shared/backend";
export * from "./shared/assertBudget";
export * from "./budget/model";
export * from "./budget/hops";
export * from "./budget/reconnect";
export * from "./knative/plan";
export * from "./knative/KnativeSettings";
export * from "./tunnel/ingressRules";
export * from "./tunnel/connector";
export * from "./tunnel/budget";
export * from "./tunnel/args";
export * from "./tunnel/plan";
export * from "./tunnel/TunnelExposure";
export * from "./l4";
export * from "./hybrid";
export * from "./monitor";
