import { PathBudget } from "../budget/model";
import { KnativePlan, NO_REQUIREMENTS, planKnativeSettings } from "../knative/plan";
import { ResolvedBackend, resolveBackend, resolveWebSocket } from "../core/backend";
import { assertBudget } from "../core/assertBudget";
import {
  arg,
  fail,
  msg,
  ownerName,
  requireHostname,
  requireOneOf,
  requireWholeNumber,
} from "../core/validation";
import { CreateTunnelArgs, ExistingTunnelArgs, RouteProvider, TunnelExposureArgs } from "./args";
import { ConnectorPlan, planConnector } from "./connector";
import { WsMonitorArgs } from "../monitor/args";
import { monitorArgsFor } from "../monitor/forExposure";
import { buildIngressRules, IngressRule } from "./ingressRules";
import { DEFAULT_EDGE_IDLE_TIMEOUT_SECONDS, tunnelBudget } from "./budget";

/** Every decision a TunnelExposure makes, after defaults and validation; pure. */
export interface TunnelPlan {
  owner: string;
  backend: ResolvedBackend;
  hostname: string;
  routeProvider: RouteProvider;
  routeWebSocket: boolean;
  connector: ConnectorPlan;
  knative: KnativePlan | null;
  rules: IngressRule[];
  tunnel: Partial<CreateTunnelArgs & ExistingTunnelArgs> | undefined;
  budget: PathBudget;
  url: string | undefined;
  /** The monitor's args, when enabled. */
  monitor: WsMonitorArgs | undefined;
}

/** Validates a TunnelExposure's args (throwing a ValidationError naming the arg and the fix) and plans it. */
export function planTunnel(name: string, args: TunnelExposureArgs): TunnelPlan {
  const owner = ownerName("TunnelExposure", name);
  const backend = resolveBackend(owner, args.backend);
  const websocket = resolveWebSocket(owner, args.websocket);
  const hostname = requireHostname(owner, "hostname", args.hostname);
  const routeProvider = requireOneOf(owner, "routeProvider", args.routeProvider ?? "cloudflare-api", [
    "cloudflare-api",
    "tunnel-ingress-crd",
  ] as const);
  const routeWebSocket = args.routeWebSocket ?? true;
  const edgeIdleTimeoutSeconds = requireWholeNumber(
    owner,
    "edgeIdleTimeoutSeconds",
    args.edgeIdleTimeoutSeconds ?? DEFAULT_EDGE_IDLE_TIMEOUT_SECONDS,
    1,
  );
  const connector = planConnector(owner, args.connector);
  const knativePlan =
    backend.kind === "knative"
      ? planKnativeSettings(owner, websocket, args.knative, args.knativeRequirements ?? NO_REQUIREMENTS)
      : null;
  const rules = buildIngressRules({
    owner,
    hostname,
    websocketPath: backend.path,
    routeWebSocket,
    originUrl: backend.inClusterUrl,
    originHostHeader: backend.hostHeader,
    httpRoutes: args.httpRoutes ?? [],
    originRequest: args.originRequest,
  });
  const tunnel = args.tunnel as Partial<CreateTunnelArgs & ExistingTunnelArgs> | undefined;
  if (routeProvider === "cloudflare-api") {
    if (args.zoneId === undefined)
      fail(
        owner,
        "zoneId",
        msg`is required with ${arg("routeProvider")} "cloudflare-api" (the CNAME for ${hostname})`,
      );
    if (!tunnel || (tunnel.create === undefined) === (tunnel.existingId === undefined)) {
      fail(
        owner,
        "tunnel",
        "must be { create: { name } } or { existingId, token | tokenSecret }, exactly one",
      );
    }
    if (
      tunnel.create !== undefined &&
      (typeof tunnel.create.name !== "string" || tunnel.create.name.trim() === "")
    ) {
      fail(owner, "tunnel.create.name", "must be a non-empty tunnel name");
    }
    if (
      tunnel.existingId !== undefined &&
      (tunnel.token === undefined) === (tunnel.tokenSecret === undefined)
    ) {
      fail(
        owner,
        "tunnel",
        "reuses a tunnel: give its connector token as exactly one of token (a Pulumi secret) or tokenSecret { name, key }",
      );
    }
  }
  const budget = tunnelBudget({
    websocket,
    edgeIdleTimeoutSeconds,
    connectorGracePeriodSeconds: connector.gracePeriodSeconds,
    connectorReplicas: connector.replicas,
    knative: knativePlan,
  });
  const url = routeWebSocket ? `wss://${hostname}${backend.path}` : undefined;
  if (args.monitor?.enabled && url === undefined) {
    fail(
      owner,
      "monitor",
      "needs the WebSocket routed through the tunnel (routeWebSocket true); monitor the path that carries it",
    );
  }
  const monitor =
    url === undefined ? undefined : monitorArgsFor(owner, args.monitor, url, backend.namespace, websocket);
  // A tunnel that carries no WebSocket has no WebSocket budget to keep.
  if (routeWebSocket) assertBudget(owner, budget);
  return {
    owner,
    backend,
    hostname,
    routeProvider,
    routeWebSocket,
    connector,
    knative: knativePlan,
    rules,
    tunnel,
    budget,
    url,
    monitor,
  };
}
