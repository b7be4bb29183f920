import { PathBudget } from "../budget/model";
import { KnativeRequirements, mergeRequirements, NO_REQUIREMENTS } from "../knative/plan";
import { L4ExposureArgs } from "../l4/args";
import { L4Plan, planL4 } from "../l4/plan";
import { arg, fail, msg, ownerName, requireHostname } from "../core/validation";
import { TunnelExposureArgs } from "../tunnel/args";
import { planTunnel, TunnelPlan } from "../tunnel/plan";
import { HybridExposureArgs } from "./args";
import { WsMonitorArgs } from "../monitor/args";
import { monitorArgsFor } from "../monitor/forExposure";
import { l4MonitorTargets } from "../l4/monitorTargets";

export interface HybridPlan {
  owner: string;
  fallback: boolean;
  httpHostname: string;
  wsHostname: string;
  /** Applied once, for both paths. */
  knativeRequirements: KnativeRequirements;
  tunnelArgs: TunnelExposureArgs;
  l4Args: L4ExposureArgs;
  tunnel: TunnelPlan;
  l4: L4Plan;
  /** One per path that carries WebSockets: the tunnel's only with the fallback on. */
  budgets: PathBudget[];
  /** Monitor args for wsUrl and, with the fallback, for fallbackWsUrl. */
  monitors: { name: string; args: WsMonitorArgs }[];
}

/** Validates both paths (each under its child's name) before anything is registered; pure. */
export function planHybrid(name: string, args: HybridExposureArgs): HybridPlan {
  const owner = ownerName("HybridExposure", name);
  const httpHostname = requireHostname(owner, "httpHostname", args.httpHostname);
  const wsHostname = requireHostname(owner, "wsHostname", args.wsHostname);
  if (httpHostname === wsHostname) {
    fail(
      owner,
      "wsHostname",
      msg`"${wsHostname}" is also ${arg("httpHostname")}; one name cannot point at the tunnel (proxied CNAME) and at the L4 address (DNS-only record): give the WebSocket its own hostname`,
    );
  }
  if (!args.tunnel)
    fail(
      owner,
      "tunnel",
      msg`is required: the tunnel path's args (${arg("accountId")}, ${arg("zoneId")}, tunnel, ...)`,
    );
  if (!args.l4) fail(owner, "l4", "is required: the L4 path's args (addressPool, tls, ...)");
  (args.tunnel.httpRoutes ?? []).forEach((route, i) => {
    if (typeof route?.hostname === "string" && route.hostname.toLowerCase() === wsHostname) {
      fail(
        owner,
        `tunnel.httpRoutes[${i}].hostname`,
        msg`"${wsHostname}" is ${arg("wsHostname")}, the L4 path's name (a DNS-only record): the tunnel cannot serve it too; route it on ${arg("httpHostname")} or another hostname`,
      );
    }
  });
  const fallback = args.fallback ?? false;
  const shared = {
    backend: args.backend,
    websocket: args.websocket,
    knative: args.knative,
    applyKnativeSettings: false,
  };

  const l4Args: L4ExposureArgs = { ...args.l4, ...shared, hostname: wsHostname };
  const l4 = planL4(`${name}-l4`, l4Args);
  const knativeRequirements = mergeRequirements(NO_REQUIREMENTS, l4.knativeRequirements);
  const tunnelArgs: TunnelExposureArgs = {
    ...args.tunnel,
    ...shared,
    knativeRequirements,
    hostname: httpHostname,
    routeWebSocket: fallback,
    // The named routes first; then every other path of the HTTP hostname.
    httpRoutes: [...(args.tunnel.httpRoutes ?? []), {}],
  };
  const tunnel = planTunnel(`${name}-tunnel`, tunnelArgs);
  const monitors: { name: string; args: WsMonitorArgs }[] = [];
  const wsMonitor = monitorArgsFor(
    owner,
    args.monitor,
    l4.url,
    l4.backend.namespace,
    l4.websocket,
    l4MonitorTargets(l4),
  );
  if (wsMonitor) monitors.push({ name: `${name}-monitor`, args: wsMonitor });
  if (wsMonitor && fallback && tunnel.url) {
    // The fallback is the tunnel path: always dialed at its public name.
    monitors.push({
      name: `${name}-fallback-monitor`,
      args: { ...wsMonitor, url: tunnel.url, connectTo: undefined },
    });
  }
  return {
    monitors,
    owner,
    fallback,
    httpHostname,
    wsHostname,
    knativeRequirements,
    tunnelArgs,
    l4Args,
    tunnel,
    l4,
    budgets: fallback ? [tunnel.budget, l4.budget] : [l4.budget],
  };
}
