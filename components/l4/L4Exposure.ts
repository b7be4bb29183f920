import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import * as cloudflare from "@pulumi/cloudflare";
import { PathBudget } from "../budget/model";
import { announceBudget } from "../core/announceBudget";
import { renderProblem } from "../core/message";
import { ExposureResourceOptions, splitExposureOptions } from "../core/exposureOptions";
import { checkAdmissionCluster, knativeSettingsFor } from "../knative/KnativeSettings";
import { KnativeRequirements, mergeRequirements, NO_REQUIREMENTS } from "../knative/plan";
import { L4ExposureArgs, TerminateTlsArgs } from "./args";
import { certificateObject, loadBalancerServiceSpec, podServiceSpec } from "./kube";
import { drainScript } from "./haproxy/drain";
import { haproxyDeploymentSpec } from "./haproxy/deployment";
import { haproxyConfigFor, haproxyConfigMapSpec, haproxyPdbSpec, ticketSecretSpec } from "./haproxy/pod";
import { bgpAdvertisement, bgpPeer, ipAddressPool, l2Advertisement, MetalObject } from "./metallb";
import { kindOf } from "./loadBalancers";
import { L4Plan, planL4 } from "./plan";
import { monitorArgsFor } from "../monitor/forExposure";
import { l4MonitorTargets } from "./monitorTargets";
import { WsMonitor } from "../monitor/WsMonitor";

export interface L4ExposureComponentArgs extends L4ExposureArgs {
  /**
   * What another path sharing this backend needs of Knative (set by HybridExposure); merged with this path's.
   * Default none.
   */
  knativeRequirements?: KnativeRequirements;
}

/**
 * The L4 path's address outputs, under these names on L4Exposure and HybridExposure (and the
 * package's classes of both): every class that carries the L4 path implements L4AddressOutputs, and
 * HybridExposure copies the list from its L4Exposure, so an output added here reaches all of them.
 */
export const L4_ADDRESS_OUTPUTS = ["loadBalancerIP", "loadBalancerHostname"] as const;
export type L4AddressOutputs = Record<(typeof L4_ADDRESS_OUTPUTS)[number], pulumi.Output<string | undefined>>;

/** An L4 path's address outputs, as HybridExposure re-exports them. */
export function l4AddressOutputs(l4: L4AddressOutputs): L4AddressOutputs {
  return Object.fromEntries(L4_ADDRESS_OUTPUTS.map((key) => [key, l4[key]])) as L4AddressOutputs;
}

/**
 * Exposes a WebSocket service at layer 4: a MetalLB address (pool + L2 or BGP advertisement), a
 * `LoadBalancer` Service, TLS terminated by an HAProxy tier (or passed through, or plain `ws://`
 * when asked for by name), a route straight to the Knative pods' queue-proxy (port 8012), and an
 * optional DNS-only record. Cloudflare's proxy is never on this path.
 *
 * Needs MetalLB in the cluster (or, with `loadBalancer`, a cloud's controller: the AWS Load
 * Balancer Controller, GKE or cloud-provider-azure; docs/L4-CLOUD.md), and cert-manager when the
 * certificate comes from an issuer.
 * Cannot survive a MetalLB L2 leader change: every established connection drops (see docs/L4.md).
 *
 * @example
 * ```ts
 * const l4 = new L4Exposure("messaging", {
 *   backend: { knativeService: "messaging-service", namespace: "agents-whatsapp-rust" },
 *   websocket: { heartbeatSeconds: 5, minLifetimeSeconds: 3600 },
 *   knative: {
 *     minScale: 2,
 *     cluster: { maxRevisionTimeoutSeconds: 3600, manageMaxRevisionTimeout: true },
 *     admissionCheck: { context: "homelab" }, // the explicit provider's cluster (docs/KNATIVE.md)
 *   },
 *   hostname: "ws.example.com",
 *   addressPool: { create: { addresses: ["192.168.1.240/29"] } },
 *   loadBalancerIP: "192.168.1.241",
 *   tls: { mode: "terminate", certificate: { certManager: { issuerName: "letsencrypt-dns01" } } },
 *   dns: { zoneId: "fedcba9876543210fedcba9876543210", target: { address: "203.0.113.7" } },
 * }, { providers: { kubernetes: k8sProvider, cloudflare: cfProvider } });
 * export const url = l4.url; // wss://ws.example.com/ws
 * ```
 */
export class L4Exposure extends pulumi.ComponentResource implements L4AddressOutputs {
  /** `wss://<hostname><path>` (`ws://` with tls none; the port appears when not the scheme's default). */
  public readonly url: pulumi.Output<string>;
  /** The address the load balancer gave the Service (`status.loadBalancer.ingress[0].ip`); unknown until deploy; empty for an AWS NLB (see loadBalancerHostname). */
  public readonly loadBalancerIP: pulumi.Output<string | undefined>;
  /** The load balancer's DNS name when it has one (`status.loadBalancer.ingress[0].hostname`: an AWS NLB); unknown until deploy. */
  public readonly loadBalancerHostname: pulumi.Output<string | undefined>;
  /** The path's connection budget (a PathBudget: hops, limits, and the verdict). */
  public readonly budget: pulumi.Output<PathBudget>;
  /** The same budget as a plain value, for composition and printing. */
  public readonly budgetValue: PathBudget;
  /** Every decision, after defaults and validation. */
  public readonly plan: L4Plan;
  public readonly service: k8s.core.v1.Service;

  constructor(name: string, args: L4ExposureComponentArgs, options?: ExposureResourceOptions) {
    const { resourceOpts: opts, argNames } = splitExposureOptions(options);
    const plan = planL4(name, args);
    const monitor = monitorArgsFor(
      plan.owner,
      args.monitor,
      plan.url,
      plan.backend.namespace,
      plan.websocket,
      l4MonitorTargets(plan),
    );
    const config = plan.tls.mode === "terminate" ? haproxyConfigFor(plan) : undefined;
    const drain = plan.tls.mode === "terminate" && plan.tls.haproxy.drain ? drainScript() : undefined;

    if (plan.applyKnativeSettings) checkAdmissionCluster(plan.owner, args, opts);

    super("ws-exposure:index:L4Exposure", name, {}, opts);
    this.plan = plan;
    this.budgetValue = plan.budget;
    this.budget = pulumi.output(plan.budget);
    this.url = pulumi.output(plan.url);
    for (const warning of plan.warnings) pulumi.log.warn(renderProblem(warning, plan.owner, argNames), this);
    announceBudget(this, plan.budget);

    if (plan.applyKnativeSettings) {
      knativeSettingsFor(
        this,
        name,
        args,
        mergeRequirements(plan.knativeRequirements, args.knativeRequirements ?? NO_REQUIREMENTS),
      );
    }

    // MetalLB: the pool (when created) and how it is announced.
    const metal = (resourceName: string, obj: MetalObject, dependsOn: pulumi.Resource[] = []) =>
      new k8s.apiextensions.CustomResource(resourceName, { ...obj }, { parent: this, dependsOn });
    const labels = { "app.kubernetes.io/instance": name };
    const ns = plan.metallbNamespace;
    const metalDeps: pulumi.Resource[] = [];
    if (plan.pool?.create) {
      metalDeps.push(metal(`${name}-pool`, ipAddressPool(plan.pool.name, ns, plan.pool.create, labels)));
    }
    const adv = plan.advertisement;
    const poolName = plan.pool?.name as string;
    if (adv?.type === "l2") {
      metalDeps.push(
        metal(
          `${name}-l2`,
          l2Advertisement(
            `${name}-l2`,
            ns,
            { pool: poolName, interfaces: adv.interfaces, nodeSelectors: adv.nodeSelectors },
            labels,
          ),
          metalDeps.slice(),
        ),
      );
    } else if (adv?.type === "bgp") {
      const peers = adv.peers.map((p) => metal(p.name, bgpPeer(p.name, ns, p.spec, labels)));
      metalDeps.push(
        metal(
          `${name}-bgp`,
          bgpAdvertisement(
            `${name}-bgp`,
            ns,
            {
              pool: poolName,
              peers: adv.peerNames,
              aggregationLength: adv.aggregationLength,
              localPref: adv.localPref,
              communities: adv.communities,
              nodeSelectors: adv.nodeSelectors,
            },
            labels,
          ),
          [...metalDeps, ...peers],
        ),
      );
    }

    // What the LoadBalancer sends traffic to.
    const lbDeps: pulumi.Resource[] = [...metalDeps];
    if (plan.tls.mode === "terminate") {
      const upstreamDeps: pulumi.Resource[] = [];
      if (plan.podService) {
        upstreamDeps.push(new k8s.core.v1.Service(`${name}-backend`, podServiceSpec(plan), { parent: this }));
      }
      if (plan.tls.certManager) {
        upstreamDeps.push(
          new k8s.apiextensions.CustomResource(`${name}-tls`, certificateObject(plan), { parent: this }),
        );
      }
      const configMap = new k8s.core.v1.ConfigMap(
        `${name}-haproxy`,
        haproxyConfigMapSpec(plan, config as string, drain),
        {
          parent: this,
        },
      );
      const tickets = plan.tls.haproxy.sessionTickets;
      if (tickets?.create) {
        // The keys stay secrets end to end: the file is built inside the Output and marked secret.
        const keys = (args.tls as TerminateTlsArgs).haproxy!.sessionTickets as {
          keys: pulumi.Input<string>[];
        };
        const file = pulumi.secret(pulumi.all(keys.keys).apply((k) => `${k.join("\n")}\n`));
        upstreamDeps.push(
          new k8s.core.v1.Secret(`${name}-haproxy-tickets`, ticketSecretSpec(plan, file), { parent: this }),
        );
      }
      // HAProxy resolves its backend at start: the Service first. The Certificate is awaited until
      // Ready (its Secret issued; certificateObject's pulumi.com/waitFor), so the pods can mount it.
      const deployment = new k8s.apps.v1.Deployment(
        `${name}-haproxy`,
        haproxyDeploymentSpec(plan, config as string, drain),
        {
          parent: this,
          dependsOn: [configMap, ...upstreamDeps],
        },
      );
      new k8s.policy.v1.PodDisruptionBudget(`${name}-haproxy`, haproxyPdbSpec(plan), { parent: this });
      lbDeps.push(deployment);
    }

    this.service = new k8s.core.v1.Service(`${name}-lb`, loadBalancerServiceSpec(plan), {
      parent: this,
      dependsOn: lbDeps,
    });
    this.loadBalancerIP = this.service.status.apply((status) => status?.loadBalancer?.ingress?.[0]?.ip);
    this.loadBalancerHostname = this.service.status.apply(
      (status) => status?.loadBalancer?.ingress?.[0]?.hostname,
    );

    if (plan.dns) {
      const target = plan.dns.target;
      new cloudflare.DnsRecord(
        `${name}-dns`,
        {
          zoneId: args.dns!.zoneId,
          name: plan.hostname,
          type: plan.dns.type,
          content: target === "loadBalancerIP" ? this.loadBalancerIP.apply((ip) => ip ?? "") : target.address,
          // Never proxied: Cloudflare's L7 proxy would be back on the path this exposure exists to avoid.
          proxied: false,
          ttl: plan.dns.ttl,
          comment: `ws-exposure ${name}: L4 (${kindOf(plan.loadBalancer.type).label}), DNS only`,
        },
        { parent: this },
      );
    }

    if (monitor) new WsMonitor(`${name}-monitor`, monitor, { parent: this });
    this.registerOutputs({ url: this.url, ...l4AddressOutputs(this), budget: this.budget });
  }
}
