/** The L4 path's public API: the component, its args, and the pure builders it uses. */
export * from "./address";
export * from "./args";
export * from "./haproxy";
export * from "./metallb";
export * from "./plan";
export * from "./kube";
export * from "./outages";
export * from "./L4Exposure";
