import * as pulumi from "@pulumi/pulumi";
import { PathBudget } from "../budget/model";
import { ExposureResourceOptions, splitExposureOptions } from "../core/exposureOptions";
import { checkAdmissionCluster, knativeSettingsFor } from "../knative/KnativeSettings";
import { L4AddressOutputs, l4AddressOutputs, L4Exposure } from "../l4/L4Exposure";
import { TunnelExposure } from "../tunnel/TunnelExposure";
import { HybridExposureArgs } from "./args";
import { HybridPlan, planHybrid } from "./plan";
import { WsMonitor } from "../monitor/WsMonitor";

/**
 * HTTP through a Cloudflare Tunnel, the WebSocket through MetalLB (L4), and optionally the tunnel
 * as a fallback WebSocket route for clients that cannot reach the L4 address. Composes a
 * TunnelExposure (`<name>-tunnel`) and an L4Exposure (`<name>-l4`) and applies the Knative
 * settings once, with the stricter of what the two paths need.
 *
 * @example
 * ```ts
 * const messaging = new HybridExposure("messaging", {
 *   backend: { knativeService: "messaging-service", namespace: "agents-whatsapp-rust" },
 *   websocket: { heartbeatSeconds: 5, minLifetimeSeconds: 3600 },
 *   knative: {
 *     cluster: { maxRevisionTimeoutSeconds: 3600, manageMaxRevisionTimeout: true },
 *     admissionCheck: { context: "homelab" }, // the explicit provider's cluster (docs/KNATIVE.md)
 *   },
 *   httpHostname: "messaging.example.com",
 *   wsHostname: "ws.messaging.example.com",
 *   fallback: true,
 *   tunnel: { accountId, zoneId, tunnel: { create: { name: "messaging" } } },
 *   l4: {
 *     addressPool: { create: { addresses: ["192.168.1.240/29"] } },
 *     loadBalancerIP: "192.168.1.241",
 *     tls: {
 *       mode: "terminate",
 *       certificate: { certManager: { issuerName: "letsencrypt-dns01", issuerKind: "ClusterIssuer" } },
 *     },
 *     dns: { zoneId, target: { address: "203.0.113.7" } },
 *   },
 * }, { providers: { kubernetes: k8sProvider, cloudflare: cfProvider } });
 * export const wsUrl = messaging.wsUrl;             // wss://ws.messaging.example.com/ws
 * export const fallbackWsUrl = messaging.fallbackWsUrl; // wss://messaging.example.com/ws
 * ```
 */
export class HybridExposure extends pulumi.ComponentResource implements L4AddressOutputs {
  /** `https://<httpHostname>`: HTTP through the tunnel. */
  public readonly httpUrl: pulumi.Output<string>;
  /** The WebSocket URL through L4 (`wss://<wsHostname><path>`, `ws://` with tls none). */
  public readonly wsUrl: pulumi.Output<string>;
  /** The WebSocket URL through the tunnel (`wss://<httpHostname><path>`); unset unless `fallback`. */
  public readonly fallbackWsUrl: pulumi.Output<string | undefined>;
  /** The address the load balancer gave the Service (`status.loadBalancer.ingress[0].ip`); unknown until deploy; empty for an AWS NLB (see loadBalancerHostname). */
  public readonly loadBalancerIP!: pulumi.Output<string | undefined>;
  /** The load balancer's DNS name when it has one (`status.loadBalancer.ingress[0].hostname`: an AWS NLB); unknown until deploy. */
  public readonly loadBalancerHostname!: pulumi.Output<string | undefined>;
  /** The tunnel's id; unknown until deploy for a created tunnel, undefined with the tunnel-ingress-crd route provider. */
  public readonly tunnelId: pulumi.Output<string | undefined>;
  /** One connection budget (a PathBudget) per path that carries WebSockets: the tunnel's (with `fallback`), then L4's. */
  public readonly budgets: pulumi.Output<PathBudget[]>;
  public readonly budgetValues: PathBudget[];
  public readonly plan: HybridPlan;

  /** `options.argNames` also names its L4 path's warnings. */
  constructor(name: string, args: HybridExposureArgs, options?: ExposureResourceOptions) {
    const { resourceOpts: opts, argNames } = splitExposureOptions(options);
    const plan = planHybrid(name, args);
    checkAdmissionCluster(plan.owner, args, opts);
    super("ws-exposure:index:HybridExposure", name, {}, opts);
    this.plan = plan;

    knativeSettingsFor(this, name, args, plan.knativeRequirements);
    const tunnel = new TunnelExposure(`${name}-tunnel`, plan.tunnelArgs, { parent: this });
    const l4 = new L4Exposure(`${name}-l4`, plan.l4Args, { parent: this, argNames });

    for (const m of plan.monitors) new WsMonitor(m.name, m.args, { parent: this });

    this.httpUrl = pulumi.output(`https://${plan.httpHostname}`);
    this.wsUrl = l4.url;
    this.fallbackWsUrl = tunnel.url;
    Object.assign(this, l4AddressOutputs(l4));
    this.tunnelId = tunnel.tunnelId;
    this.budgetValues = plan.budgets;
    this.budgets = pulumi.output(plan.budgets);
    this.registerOutputs({
      httpUrl: this.httpUrl,
      wsUrl: this.wsUrl,
      fallbackWsUrl: this.fallbackWsUrl,
      ...l4AddressOutputs(this),
      tunnelId: this.tunnelId,
      budgets: this.budgets,
    });
  }
}
