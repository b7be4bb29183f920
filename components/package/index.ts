/**
 * The component package's components: the TypeScript components under the same type tokens
 * (`ws-exposure:index:<Name>`), taking the schema-friendly args of ./args. The provider entry point
 * (provider/index.ts) hosts these; TypeScript programs keep importing the components themselves.
 */
import * as pulumi from "@pulumi/pulumi";
import { L4AddressOutputs, L4Exposure as L4ExposureComponent } from "../l4/L4Exposure";
import { TunnelExposure as TunnelExposureComponent } from "../tunnel/TunnelExposure";
import { KnativeSettings as KnativeSettingsComponent } from "../knative/KnativeSettings";
import { HybridExposure as HybridExposureComponent } from "../hybrid/HybridExposure";
import { WsMonitor as WsMonitorComponent } from "../monitor/WsMonitor";
import {
  HybridExposurePackageArgs,
  KnativeSettingsPackageArgs,
  L4ExposurePackageArgs,
  TunnelExposurePackageArgs,
  WsMonitorPackageArgs,
} from "./args";
import {
  toHybridExposureArgs,
  toKnativeSettingsArgs,
  toL4ExposureArgs,
  toTunnelExposureArgs,
  toWsMonitorArgs,
} from "./convert";

/**
 * The TypeScript components seen as plain ComponentResource constructors: the schema analyzer only
 * takes classes that extend ComponentResource directly, and reads only the members declared below.
 * At run time the package components ARE the TypeScript components (same type token, children, URNs).
 */
type ComponentBase = new (
  name: string,
  args: unknown,
  opts?: pulumi.ComponentResourceOptions,
) => pulumi.ComponentResource;
const L4Base = L4ExposureComponent as unknown as ComponentBase;
const TunnelBase = TunnelExposureComponent as unknown as ComponentBase;
const KnativeSettingsBase = KnativeSettingsComponent as unknown as ComponentBase;
const HybridBase = HybridExposureComponent as unknown as ComponentBase;
const WsMonitorBase = WsMonitorComponent as unknown as ComponentBase;

export * from "./args";
export {
  toHybridExposureArgs,
  toKnativeSettingsArgs,
  toL4ExposureArgs,
  toTunnelExposureArgs,
  toWsMonitorArgs,
} from "./convert";

/**
 * A WebSocket Service exposed at L4 through a LoadBalancer Service (MetalLB, or a cloud's load
 * balancer), with HAProxy when it terminates TLS.
 */
export class L4Exposure extends L4Base implements L4AddressOutputs {
  /** `wss://<hostname><path>` (`ws://` with tls none; the port appears when not the scheme's default). */
  declare public readonly url: pulumi.Output<string>;
  /** The address the load balancer gave the Service (`status.loadBalancer.ingress[0].ip`); unknown until deploy; empty for an AWS NLB (see loadBalancerHostname). */
  declare public readonly loadBalancerIP: pulumi.Output<string | undefined>;
  /** The load balancer's DNS name when it has one (`status.loadBalancer.ingress[0].hostname`: an AWS NLB); unknown until deploy. */
  declare public readonly loadBalancerHostname: pulumi.Output<string | undefined>;
  /** The path's connection budget (a PathBudget: hops, limits, and the verdict); untyped in the schema, whose types cannot say `number | null`. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  declare public readonly budget: pulumi.Output<any>;

  constructor(name: string, args: L4ExposurePackageArgs, opts?: pulumi.ComponentResourceOptions) {
    super(name, toL4ExposureArgs(args), opts);
  }
}

/** A WebSocket Service exposed at L7 through a Cloudflare Tunnel and a cloudflared Deployment. */
export class TunnelExposure extends TunnelBase {
  /** `wss://<hostname><path>`; undefined when the WebSocket is not routed through the tunnel (routeWebSocket false). */
  declare public readonly url: pulumi.Output<string | undefined>;
  /** The tunnel's id; unknown until deploy for a created tunnel, undefined with the tunnel-ingress-crd route provider. */
  declare public readonly tunnelId: pulumi.Output<string | undefined>;
  /** The path's connection budget (a PathBudget: hops, limits, and the verdict); untyped in the schema, whose types cannot say `number | null`. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  declare public readonly budget: pulumi.Output<any>;

  constructor(name: string, args: TunnelExposurePackageArgs, opts?: pulumi.ComponentResourceOptions) {
    super(name, toTunnelExposureArgs(args), opts);
  }
}

/**
 * Knative settings for a long-lived WebSocket (min-scale, revision timeout, anti-affinity, the
 * cluster's ConfigMaps), patched onto an existing Knative Service as the `ws-exposure` field manager.
 * The exposures apply it themselves unless applyKnativeSettings is false.
 */
export class KnativeSettings extends KnativeSettingsBase {
  constructor(name: string, args: KnativeSettingsPackageArgs, opts?: pulumi.ComponentResourceOptions) {
    super(name, toKnativeSettingsArgs(args), opts);
  }
}

/**
 * HTTP through a Cloudflare Tunnel, the WebSocket through MetalLB (L4), and optionally the tunnel as
 * a fallback WebSocket route. Composes a TunnelExposure (`<name>-tunnel`) and an L4Exposure
 * (`<name>-l4`) and applies the Knative settings once, with the stricter of what the two paths need.
 */
export class HybridExposure extends HybridBase implements L4AddressOutputs {
  /** `https://<httpHostname>`: HTTP through the tunnel. */
  declare public readonly httpUrl: pulumi.Output<string>;
  /** The WebSocket URL through L4 (`wss://<wsHostname><path>`, `ws://` with tls none). */
  declare public readonly wsUrl: pulumi.Output<string>;
  /** The WebSocket URL through the tunnel (`wss://<httpHostname><path>`); unset unless `fallback`. */
  declare public readonly fallbackWsUrl: pulumi.Output<string | undefined>;
  /** The address the load balancer gave the Service (`status.loadBalancer.ingress[0].ip`); unknown until deploy; empty for an AWS NLB (see loadBalancerHostname). */
  declare public readonly loadBalancerIP: pulumi.Output<string | undefined>;
  /** The load balancer's DNS name when it has one (`status.loadBalancer.ingress[0].hostname`: an AWS NLB); unknown until deploy. */
  declare public readonly loadBalancerHostname: pulumi.Output<string | undefined>;
  /** The tunnel's id; unknown until deploy for a created tunnel, undefined with the tunnel-ingress-crd route provider. */
  declare public readonly tunnelId: pulumi.Output<string | undefined>;
  /** One connection budget (a PathBudget) per path that carries WebSockets: the tunnel's (with `fallback`), then L4's; untyped in the schema, whose types cannot say `number | null`. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  declare public readonly budgets: pulumi.Output<any>;

  constructor(name: string, args: HybridExposurePackageArgs, opts?: pulumi.ComponentResourceOptions) {
    super(name, toHybridExposureArgs(args), opts);
  }
}

/**
 * A synthetic monitor in the cluster: `wsprobe monitor` against a public WebSocket URL, run from the
 * bundled script (a ConfigMap) on a pinned stock Node image, with a metrics Service and, opt-in, a
 * ServiceMonitor and a PrometheusRule. Needs the bundle (`npm run build`) or `bundlePath`.
 */
export class WsMonitor extends WsMonitorBase {
  /** In-cluster URL of the metrics, e.g. `http://<name>-metrics-abc.<namespace>.svc:9464/metrics`. */
  declare public readonly metricsUrl: pulumi.Output<string>;

  constructor(name: string, args: WsMonitorPackageArgs, opts?: pulumi.ComponentResourceOptions) {
    super(name, toWsMonitorArgs(args), opts);
  }
}
