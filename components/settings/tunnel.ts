/** The tunnel path's keys (tunnel and hybrid modes): TunnelExposureArgs. */
import { SettingSection } from "./setting";

export const TUNNEL = {
  title: "the tunnel path",
  keys: {
    tunnelName: {
      type: "string",
      scope: "tunnel",
      args: { tunnel: ["tunnel.create.name"] },
      stackNote: "Setting it creates a remotely managed tunnel of this name; conflicts with tunnelId.",
    },
    tunnelId: {
      type: "string",
      scope: "tunnel",
      args: { tunnel: ["tunnel.existingId"] },
      stackNote:
        "Setting it reuses that tunnel instead of creating one (conflicts with tunnelName); it needs tunnelToken.",
    },
    tunnelToken: {
      type: "string",
      secret: true,
      scope: "tunnel",
      args: { tunnel: ["tunnel.token"] },
      stackNote:
        "The stack takes the token itself (no tokenSecret): pulumi config set --secret ws-exposure:tunnelToken ...",
    },
    routeProvider: {
      type: "string",
      values: ["cloudflare-api", "tunnel-ingress-crd"],
      scope: "tunnel",
      args: { tunnel: ["routeProvider"] },
    },
    edgeIdleTimeoutSeconds: {
      type: "integer",
      scope: "tunnel",
      args: { tunnel: ["edgeIdleTimeoutSeconds"] },
      // The tunnel budget's fix names it as a HybridExposure would (components/budget/hops.ts).
      aliases: { tunnel: ["tunnel.edgeIdleTimeoutSeconds"] },
    },
    httpPaths: {
      type: "string[]",
      scope: "tunnel",
      args: { tunnel: ["httpRoutes[].path"] },
      stackNote:
        "The key lists more HTTP routes on hostname by their paths, one route each, after the WebSocket route; unset, none.",
    },
    connectorReplicas: {
      type: "integer",
      scope: "tunnel",
      args: { tunnel: ["connector.replicas"] },
    },
    connectorImage: {
      type: "string",
      scope: "tunnel",
      args: { tunnel: ["connector.image"] },
    },
    connectorGracePeriodSeconds: {
      type: "integer",
      scope: "tunnel",
      args: { tunnel: ["connector.gracePeriodSeconds"] },
    },
    connectorTerminationGracePeriodSeconds: {
      type: "integer",
      scope: "tunnel",
      args: { tunnel: ["connector.terminationGracePeriodSeconds"] },
    },
    connectorSpread: {
      type: "string",
      values: ["preferred", "required"],
      scope: "tunnel",
      args: { tunnel: ["connector.spreadAcrossNodes"] },
    },
    connectorRollout: {
      type: "string",
      values: ["surge", "replace"],
      scope: "tunnel",
      args: { tunnel: ["connector.rollout"] },
    },
  },
} as const satisfies SettingSection;
