import * as pulumi from "@pulumi/pulumi";
import { TunnelExposure } from "../../components/tunnel/TunnelExposure";
import { TunnelExposureArgs } from "../../components/tunnel/args";
import { backendArgs, knativeArgs, monitorArgs, websocketArgs } from "./common";
import { shapeOf } from "../settingsSchema";
import type { StackConfig } from "../config";

/** The tunnel path's keys (components/settings/tunnel.ts). */
export const tunnelShape = shapeOf("tunnel");

/** The TunnelExposure args a stack's config describes (the tunnel and hybrid modes share them). */
export function tunnelArgs(c: StackConfig, hostname: string): TunnelExposureArgs {
  return {
    backend: backendArgs(c),
    websocket: websocketArgs(c),
    knative: knativeArgs(c),
    accountId: c.accountId ?? "",
    zoneId: c.zoneId,
    hostname,
    tunnel:
      c.tunnelId !== undefined
        ? { existingId: c.tunnelId, token: c.secrets.tunnelToken }
        : { create: { name: c.tunnelName ?? "" } },
    routeProvider: c.routeProvider,
    edgeIdleTimeoutSeconds: c.edgeIdleTimeoutSeconds,
    httpRoutes: c.httpPaths?.map((path) => ({ path })),
    monitor: monitorArgs(c),
    connector: {
      replicas: c.connectorReplicas,
      image: c.connectorImage,
      gracePeriodSeconds: c.connectorGracePeriodSeconds,
      terminationGracePeriodSeconds: c.connectorTerminationGracePeriodSeconds,
      spreadAcrossNodes: c.connectorSpread,
      rollout: c.connectorRollout,
    },
  };
}

/** Cross-key rules of the tunnel keys; returns problems in config vocabulary. */
export function tunnelConfigProblems(c: Omit<StackConfig, "secrets">, hasTunnelToken: boolean): string[] {
  const problems: string[] = [];
  const viaApi = (c.routeProvider ?? "cloudflare-api") === "cloudflare-api";
  if (c.accountId === undefined)
    problems.push(`ws-exposure:accountId is required in mode "${c.mode}" (your Cloudflare account id)`);
  if (!viaApi) return problems;
  if (c.zoneId === undefined)
    problems.push("ws-exposure:zoneId is required: the tunnel's CNAME is created in that zone");
  if ((c.tunnelName === undefined) === (c.tunnelId === undefined)) {
    problems.push(
      "ws-exposure:tunnelName (create a tunnel) or ws-exposure:tunnelId (reuse one) must be set, exactly one of them",
    );
  } else if (c.tunnelId !== undefined && !hasTunnelToken) {
    problems.push(
      "ws-exposure:tunnelToken is required with ws-exposure:tunnelId; set it with pulumi config set --secret ws-exposure:tunnelToken <token>",
    );
  }
  return problems;
}

export function buildTunnel(name: string, c: StackConfig, opts?: pulumi.ComponentResourceOptions) {
  const exposure = new TunnelExposure(name, tunnelArgs(c, c.hostname), opts);
  return { url: exposure.url, tunnelId: exposure.tunnelId, budgets: [exposure.budgetValue] };
}
