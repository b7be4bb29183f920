import { stackProgram } from "./stacks/build";

// The whole program: this stack's config, read and validated once, names the exposure to build.
const outputs = stackProgram();

export const url = outputs.url;
export const httpUrl = outputs.httpUrl;
export const fallbackWsUrl = outputs.fallbackWsUrl;
export const tunnelId = outputs.tunnelId;
export const loadBalancerIP = outputs.loadBalancerIP;
export const loadBalancerHostname = outputs.loadBalancerHostname;
export const budgets = outputs.budgets;
