import * as pulumi from "@pulumi/pulumi";
import { shapeOf } from "../settingsSchema";
import { HybridExposure } from "../../components/hybrid/HybridExposure";
import { l4AddressOutputs } from "../../components/l4/L4Exposure";
import { HybridExposureArgs } from "../../components/hybrid/args";
import type { StackConfig } from "../config";
import { backendArgs, knativeArgs, monitorArgs, websocketArgs } from "./common";
import { l4Args } from "./l4";
import { tunnelArgs } from "./tunnel";
import { stackArgNames } from "../configArgs";

/** The hybrid mode's own keys (components/settings/hybrid.ts). */
export const hybridShape = shapeOf("hybrid");

/** In hybrid mode `hostname` is the WebSocket's (L4) and `httpHostname` the tunnel's. */
export function hybridArgs(c: StackConfig): HybridExposureArgs {
  /* eslint-disable @typescript-eslint/no-unused-vars */
  const { backend, websocket, knative, hostname, routeWebSocket, monitor, ...tunnel } = tunnelArgs(
    c,
    c.httpHostname ?? "",
  );
  const { backend: _b, websocket: _w, knative: _k, hostname: _h, monitor: _m, ...l4 } = l4Args(c, c.hostname);
  /* eslint-enable @typescript-eslint/no-unused-vars */
  return {
    backend: backendArgs(c),
    websocket: websocketArgs(c),
    knative: knativeArgs(c),
    httpHostname: c.httpHostname ?? "",
    wsHostname: c.hostname,
    fallback: c.fallback,
    tunnel,
    l4,
    monitor: monitorArgs(c),
  };
}

export function hybridConfigProblems(c: Omit<StackConfig, "secrets">): string[] {
  return c.httpHostname === undefined
    ? [
        'ws-exposure:httpHostname is required in mode "hybrid" (the hostname served through the tunnel; hostname is the WebSocket\'s, through L4)',
      ]
    : [];
}

export function buildHybrid(name: string, c: StackConfig, opts?: pulumi.ComponentResourceOptions) {
  const exposure = new HybridExposure(name, hybridArgs(c), { ...opts, argNames: stackArgNames("hybrid") });
  return {
    url: exposure.wsUrl,
    httpUrl: exposure.httpUrl,
    fallbackWsUrl: exposure.fallbackWsUrl,
    tunnelId: exposure.tunnelId,
    ...l4AddressOutputs(exposure),
    budgets: exposure.budgetValues,
  };
}
