/** The in-cluster synthetic monitor (wsprobe monitor) and its pure builders. */
export * from "./args";
export * from "./bundle";
export * from "./builders";
export * from "./WsMonitor";
export * from "./forExposure";
