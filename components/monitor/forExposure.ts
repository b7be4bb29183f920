import { ResolvedWebSocket } from "../core/backend";
import { arg, fail, msg } from "../core/validation";
import { planMonitor, WsMonitorArgs } from "./args";
import { readBundle } from "./bundle";

/** Where an exposure's monitor opens its connections; SNI and Host are the public hostname in every case. */
export type MonitorDial = "public" | "service" | "loadBalancer";

/** An exposure's `monitor` arg: a WsMonitor against the exposure's own URL. */
export interface ExposureMonitorArgs extends Omit<
  WsMonitorArgs,
  "url" | "namespace" | "heartbeatSeconds" | "expectedMinLifetimeSeconds" | "connectTo"
> {
  /** Deploy the monitor. Plain value: it decides whether the resources exist. */
  enabled: boolean;
  /** Namespace of the monitor. Default the backend's namespace. */
  namespace?: string;
  /**
   * Where the monitor of an L4 path dials (the TLS server name and the Host header stay the public
   * hostname, `wsprobe --connect-to`):
   * - "service" (default on L4): the LoadBalancer Service's in-cluster name
   *   `<exposure>-lb.<namespace>.svc.<clusterDomain>`; works wherever the monitor runs in the cluster.
   * - "loadBalancer": the pinned `loadBalancerIP` (refused when it is not pinned).
   * - "public": the hostname as DNS resolves it, the path a client takes. When it resolves to the
   *   router's WAN address (`dns.target: { address }`), a monitor inside the LAN needs hairpin NAT.
   * From inside the cluster kube-proxy delivers traffic for the LoadBalancer address itself, so
   * "service" and "loadBalancer" do not pass MetalLB's announcing node: only "public" sees an L2
   * leader change. The tunnel path is always dialed at its public name ("public", the only value).
   * With `loadBalancerSourceRanges` and `externalTrafficPolicy: Local`, HAProxy refuses sources
   * outside the ranges: include the cluster's pod CIDR, or dial "public".
   */
  dial?: MonitorDial;
}

/** The addresses an L4 monitor can dial instead of the public name. */
export interface MonitorDialTargets {
  /** In-cluster DNS name of the LoadBalancer Service. */
  service: string;
  /** The pinned LoadBalancer address; undefined when MetalLB picks one. */
  loadBalancer?: string;
}

const DIALS: readonly MonitorDial[] = ["public", "service", "loadBalancer"];

/**
 * The WsMonitor args for an exposure (heartbeat and promised lifetime from the exposure's own
 * websocket settings, the dial address from `monitor.dial` and `targets`), validated now so a bad
 * monitor arg registers nothing; undefined when off. Without `targets` (the tunnel path) the
 * monitor dials the public name.
 */
export function monitorArgsFor(
  owner: string,
  monitor: ExposureMonitorArgs | undefined,
  url: string,
  namespace: string,
  websocket: ResolvedWebSocket,
  targets?: MonitorDialTargets,
): WsMonitorArgs | undefined {
  if (!monitor?.enabled) return undefined;
  const { enabled: _enabled, dial: _dial, ...rest } = monitor;
  const args: WsMonitorArgs = {
    ...rest,
    url,
    namespace: monitor.namespace ?? namespace,
    heartbeatSeconds: websocket.heartbeatSeconds,
    expectedMinLifetimeSeconds: websocket.minLifetimeSeconds,
    connectTo: monitorConnectTo(owner, monitor.dial, targets),
  };
  const prefixed = `${owner} monitor`;
  planMonitor(prefixed, args);
  readBundle(prefixed, args.bundlePath);
  return args;
}

/** The address `dial` names (undefined: the public name); throws naming monitor.dial when it cannot be had. */
export function monitorConnectTo(
  owner: string,
  dial: unknown,
  targets: MonitorDialTargets | undefined,
): string | undefined {
  if (dial !== undefined && !DIALS.includes(dial as MonitorDial))
    fail(
      owner,
      "monitor.dial",
      `must be "service", "loadBalancer" or "public" (got ${JSON.stringify(dial)})`,
    );
  if (!targets) {
    if (dial !== undefined && dial !== "public")
      fail(
        owner,
        "monitor.dial",
        msg`${JSON.stringify(dial)} is only for an L4 path; the tunnel path is monitored at its public name (leave ${arg("monitor.dial")} unset)`,
      );
    return undefined;
  }
  const chosen = (dial ?? "service") as MonitorDial;
  if (chosen === "public") return undefined;
  if (chosen === "service") return targets.service;
  if (targets.loadBalancer === undefined)
    fail(
      owner,
      "monitor.dial",
      msg`"loadBalancer" needs a pinned ${arg("loadBalancerIP")} (MetalLB's pick is known only after deploy); pin ${arg("loadBalancerIP")}, or set ${arg("monitor.dial")} to "service"`,
    );
  return targets.loadBalancer;
}
