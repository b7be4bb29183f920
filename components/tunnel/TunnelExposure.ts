import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import * as cloudflare from "@pulumi/cloudflare";
import { PathBudget } from "../budget/model";
import { announceBudget } from "../core/announceBudget";
import { checkAdmissionCluster, knativeSettingsFor } from "../knative/KnativeSettings";
import { TunnelExposureArgs } from "./args";
import { CLOUDFLARED_TOKEN_KEY, connectorDeploymentSpec } from "./connector";
import { planTunnel, TunnelPlan } from "./plan";
import { claimTunnel } from "./tunnelOwnership";
import { WsMonitor } from "../monitor/WsMonitor";

/**
 * Exposes a WebSocket service through a Cloudflare Tunnel: a remotely managed tunnel (created or
 * reused), its ingress rules (WebSocket path, HTTP routes, catch-all 404 last), a proxied CNAME,
 * an HA cloudflared connector in the backend's namespace, and the Knative settings.
 *
 * @example
 * ```ts
 * const exposure = new TunnelExposure("messaging", {
 *   backend: { knativeService: "messaging-service", namespace: "agents-whatsapp-rust" },
 *   websocket: { heartbeatSeconds: 5, minLifetimeSeconds: 3600 },
 *   knative: {
 *     cluster: { maxRevisionTimeoutSeconds: 3600, manageMaxRevisionTimeout: true },
 *     admissionCheck: { context: "homelab" }, // the explicit provider's cluster (docs/KNATIVE.md)
 *   },
 *   accountId: "0123456789abcdef0123456789abcdef",
 *   zoneId: "fedcba9876543210fedcba9876543210",
 *   hostname: "messaging.example.com",
 *   tunnel: { create: { name: "messaging" } },
 * }, { providers: { kubernetes: k8sProvider, cloudflare: cfProvider } });
 * export const url = exposure.url; // wss://messaging.example.com/ws
 * ```
 */
export class TunnelExposure extends pulumi.ComponentResource {
  /** `wss://<hostname><path>`; undefined when the WebSocket is not routed through the tunnel (routeWebSocket false). */
  public readonly url: pulumi.Output<string | undefined>;
  /** The tunnel's id; unknown until deploy for a created tunnel, undefined with the tunnel-ingress-crd route provider. */
  public readonly tunnelId: pulumi.Output<string | undefined>;
  /** The path's connection budget (a PathBudget: hops, limits, and the verdict). */
  public readonly budget: pulumi.Output<PathBudget>;
  /** The same budget as a plain value, for composition and printing. */
  public readonly budgetValue: PathBudget;
  /** Every decision, after defaults and validation. */
  public readonly plan: TunnelPlan;

  constructor(name: string, args: TunnelExposureArgs, opts?: pulumi.ComponentResourceOptions) {
    const plan = planTunnel(name, args);
    const { backend, hostname, connector, rules, tunnel, routeProvider } = plan;
    if (routeProvider === "cloudflare-api" && tunnel?.existingId !== undefined)
      claimTunnel(plan.owner, tunnel.existingId);

    if (args.applyKnativeSettings ?? true) checkAdmissionCluster(plan.owner, args, opts);

    super("ws-exposure:index:TunnelExposure", name, {}, opts);
    this.plan = plan;
    this.budgetValue = plan.budget;
    this.budget = pulumi.output(plan.budget);
    this.url = pulumi.output(plan.url);
    // A tunnel that carries no WebSocket (a HybridExposure without fallback) has no budget to show.
    if (plan.routeWebSocket) announceBudget(this, plan.budget);

    if (args.applyKnativeSettings ?? true) knativeSettingsFor(this, name, args, args.knativeRequirements);

    if (routeProvider === "tunnel-ingress-crd") {
      new k8s.apiextensions.CustomResource(
        `${name}-tunnel-ingress`,
        {
          apiVersion: "tunnel.cloudflare.io/v1alpha1",
          kind: "CloudflareTunnelIngress",
          metadata: { name: `${backend.name}-ws`, namespace: backend.namespace },
          spec: {
            hostname,
            service: {
              name: backend.name,
              namespace: backend.namespace,
              // A Knative Service's Kubernetes Service is an ExternalName to the ingress, on port 80.
              port: backend.port ?? 80,
              protocol: "http",
            },
            enabled: true,
          },
        },
        { parent: this },
      );
      this.tunnelId = pulumi.output(undefined);
      if (plan.monitor) new WsMonitor(`${name}-monitor`, plan.monitor, { parent: this });
      this.registerOutputs({ url: this.url, tunnelId: this.tunnelId, budget: this.budget });
      return;
    }

    let tunnelId: pulumi.Output<string>;
    let token: pulumi.Output<string> | undefined;
    if (tunnel!.create !== undefined) {
      const created = new cloudflare.ZeroTrustTunnelCloudflared(
        `${name}-tunnel`,
        { accountId: args.accountId, name: tunnel!.create.name, configSrc: "cloudflare" },
        { parent: this },
      );
      tunnelId = created.id;
      token = pulumi.secret(
        cloudflare.getZeroTrustTunnelCloudflaredTokenOutput(
          { accountId: args.accountId, tunnelId },
          { parent: this },
        ).token,
      );
    } else {
      tunnelId = pulumi.output(tunnel!.existingId!);
      token = tunnel!.token === undefined ? undefined : pulumi.secret(tunnel!.token);
    }
    this.tunnelId = tunnelId;

    new cloudflare.ZeroTrustTunnelCloudflaredConfig(
      `${name}-tunnel-config`,
      { accountId: args.accountId, tunnelId, source: "cloudflare", config: { ingresses: rules } },
      { parent: this },
    );

    new cloudflare.DnsRecord(
      `${name}-dns`,
      {
        zoneId: args.zoneId!,
        name: hostname,
        type: "CNAME",
        content: pulumi.interpolate`${tunnelId}.cfargotunnel.com`,
        proxied: true,
        ttl: 1,
        comment: `ws-exposure ${name}: Cloudflare Tunnel`,
      },
      { parent: this },
    );

    const labels = { "app.kubernetes.io/name": "cloudflared", "app.kubernetes.io/instance": name };
    const tokenRef =
      token === undefined
        ? { name: pulumi.output(tunnel!.tokenSecret!.name), key: tunnel!.tokenSecret!.key }
        : {
            name: new k8s.core.v1.Secret(
              `${name}-tunnel-token`,
              {
                metadata: { namespace: backend.namespace, labels },
                type: "Opaque",
                stringData: { [CLOUDFLARED_TOKEN_KEY]: token },
              },
              { parent: this },
            ).metadata.name,
            key: CLOUDFLARED_TOKEN_KEY,
          };
    new k8s.apps.v1.Deployment(
      `${name}-cloudflared`,
      {
        metadata: { namespace: backend.namespace, labels },
        spec: connectorDeploymentSpec(connector, labels, tokenRef.name, tokenRef.key),
      },
      { parent: this },
    );
    new k8s.policy.v1.PodDisruptionBudget(
      `${name}-cloudflared`,
      {
        metadata: { namespace: backend.namespace, labels },
        // Voluntary evictions (node drains) take one connector at a time.
        spec: { maxUnavailable: 1, selector: { matchLabels: labels } },
      },
      { parent: this },
    );

    if (plan.monitor) new WsMonitor(`${name}-monitor`, plan.monitor, { parent: this });
    this.registerOutputs({ url: this.url, tunnelId: this.tunnelId, budget: this.budget });
  }
}
