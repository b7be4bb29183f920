/** The tunnel path's keys (tunnel and hybrid modes): TunnelExposureArgs. */
import { SettingSection } from "./setting";

export const TUNNEL = {
  title: "the tunnel path",
  keys: {
    tunnelName: {
      type: "string",
      scope: "tunnel",
      args: { tunnel: ["tunnel.create.name"] },
      doc: "Create a remotely managed tunnel of this name. Conflicts with tunnelId.",
    },
    tunnelId: {
      type: "string",
      scope: "tunnel",
      args: { tunnel: ["tunnel.existingId"] },
      doc: "Reuse this existing tunnel (this stack then owns its whole ingress configuration). Needs the secret tunnelToken. Conflicts with tunnelName.",
    },
    tunnelToken: {
      type: "string",
      secret: true,
      scope: "tunnel",
      args: { tunnel: ["tunnel.token"] },
      doc: "Connector token of the tunnel named by tunnelId (pulumi config set --secret ws-exposure:tunnelToken ...).",
    },
    routeProvider: {
      type: "string",
      values: ["cloudflare-api", "tunnel-ingress-crd"],
      scope: "tunnel",
      args: { tunnel: ["routeProvider"] },
      doc: '"cloudflare-api" (default; tunnel config + proxied CNAME) or "tunnel-ingress-crd" (a CloudflareTunnelIngress for an in-cluster controller).',
    },
    edgeIdleTimeoutSeconds: {
      type: "integer",
      scope: "tunnel",
      args: { tunnel: ["edgeIdleTimeoutSeconds"] },
      // The tunnel budget's fix names it as a HybridExposure would (components/budget/hops.ts).
      aliases: { tunnel: ["tunnel.edgeIdleTimeoutSeconds"] },
      doc: "Cloudflare edge idle timer to budget for, seconds. Default 100 (documented 120; raise only if you measured it).",
    },
    httpPaths: {
      type: "string[]",
      scope: "tunnel",
      args: { tunnel: ["httpRoutes[].path"] },
      doc: 'Extra HTTP routes (cloudflared path regexes, e.g. "^/api/") on the hostname, after the WebSocket route. Default none.',
    },
    connectorReplicas: {
      type: "integer",
      scope: "tunnel",
      args: { tunnel: ["connector.replicas"] },
      doc: 'cloudflared replicas, 1..24 (a tunnel takes 25 connectors, counting the one a rollout adds); 25 with connectorRollout "replace". Default 2.',
    },
    connectorImage: {
      type: "string",
      scope: "tunnel",
      args: { tunnel: ["connector.image"] },
      doc: "Pinned cloudflared image. Default cloudflare/cloudflared:2025.7.0.",
    },
    connectorGracePeriodSeconds: {
      type: "integer",
      scope: "tunnel",
      args: { tunnel: ["connector.gracePeriodSeconds"] },
      doc: "cloudflared --grace-period on SIGTERM, seconds. Default 30.",
    },
    connectorTerminationGracePeriodSeconds: {
      type: "integer",
      scope: "tunnel",
      args: { tunnel: ["connector.terminationGracePeriodSeconds"] },
      doc: "The connector pod's terminationGracePeriodSeconds; must exceed connectorGracePeriodSeconds. Default grace + 15.",
    },
    connectorSpread: {
      type: "string",
      values: ["preferred", "required"],
      scope: "tunnel",
      args: { tunnel: ["connector.spreadAcrossNodes"] },
      doc: '"preferred" (default) or "required": spread connector replicas across nodes.',
    },
    connectorRollout: {
      type: "string",
      values: ["surge", "replace"],
      scope: "tunnel",
      args: { tunnel: ["connector.rollout"] },
      doc: '"surge" (default; a new connector is ready before an old one stops) or "replace" (an old one stops first: one fewer during a rollout, allows 25 replicas).',
    },
  },
} as const satisfies SettingSection;
