/**
 * An outside consumer of ws-exposure: three services of one cluster exposed three ways, every
 * resource through the providers given here (never the ambient defaults).
 *
 * - chat:     TunnelExposure, Cloudflare Tunnel only (chat.example.com)
 * - presence: L4Exposure, MetalLB + HAProxy terminating TLS (presence.example.com)
 * - app:      HybridExposure, HTTP through a tunnel, the WebSocket through L4
 *
 * Nothing collides: each exposure has its own backend (so its own Knative patch), its own
 * hostnames, its own tunnel (one program must never have two exposures write one existing
 * tunnel's configuration) and its own, non-overlapping MetalLB pool. The cluster's Knative maximum
 * is declared, not managed: three exposures patching config-defaults would fight over it.
 */
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import * as cloudflare from "@pulumi/cloudflare";
import { HybridExposure, KnativeSettingsArgs, L4Exposure, PathBudget, TunnelExposure } from "ws-exposure";

const config = new pulumi.Config();
// Placeholders until configured: `pulumi config set accountId ...`, `pulumi config set zoneId ...`.
const accountId = config.get("accountId") ?? "00000000000000000000000000000000";
const zoneId = config.get("zoneId") ?? "11111111111111111111111111111111";

const kubeconfig = config.get("kubeconfig");
const context = config.get("context") ?? "homelab";
const cluster = new k8s.Provider("cluster", { kubeconfig, context });
const cf = new cloudflare.Provider("cloudflare", { apiToken: config.getSecret("cloudflareApiToken") });
const providers = { kubernetes: cluster, cloudflare: cf };

// Declared: the cluster's config-defaults already allows one-hour revisions. The check before each
// Knative patch dry-runs it against the same cluster as the provider: it must be told which.
const knative: KnativeSettingsArgs = {
  cluster: { maxRevisionTimeoutSeconds: 3600 },
  admissionCheck: { kubeconfig, context },
};
const websocket = { heartbeatSeconds: 5, minLifetimeSeconds: 3600 };

const chat = new TunnelExposure(
  "chat",
  {
    backend: { knativeService: "chat-service", namespace: "chat" },
    websocket,
    knative,
    accountId,
    zoneId,
    hostname: "chat.example.com",
    tunnel: { create: { name: "consumer-chat" } },
    connector: { replicas: 2, gracePeriodSeconds: 30 },
  },
  { providers },
);

const presence = new L4Exposure(
  "presence",
  {
    backend: { knativeService: "presence-service", namespace: "presence" },
    websocket,
    knative,
    hostname: "presence.example.com",
    addressPool: { create: { addresses: ["192.168.10.240/29"] } },
    loadBalancerIP: "192.168.10.241",
    tls: { mode: "terminate", certificate: { secretName: "presence-example-com-tls" } },
    dns: { zoneId, target: { address: "203.0.113.10" } },
  },
  { providers },
);

const app = new HybridExposure(
  "app",
  {
    backend: { knativeService: "app-service", namespace: "app" },
    websocket,
    knative,
    httpHostname: "app.example.com",
    wsHostname: "ws.app.example.com",
    fallback: true,
    tunnel: { accountId, zoneId, tunnel: { create: { name: "consumer-app" } } },
    l4: {
      addressPool: { create: { addresses: ["192.168.10.248/29"] } },
      loadBalancerIP: "192.168.10.249",
      tls: { mode: "terminate", certificate: { certManager: { issuerName: "letsencrypt-dns01" } } },
      dns: { zoneId, target: { address: "203.0.113.11" } },
    },
  },
  { providers },
);

export const chatUrl = chat.url;
export const presenceUrl = presence.url;
export const appHttpUrl = app.httpUrl;
export const appWsUrl = app.wsUrl;
export const appFallbackWsUrl = app.fallbackWsUrl;
export const budgets: pulumi.Output<PathBudget[]> = pulumi
  .all([chat.budget, presence.budget, app.budgets])
  .apply(([c, p, a]) => [c, p, ...a]);
