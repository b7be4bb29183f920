/** Where the L4 path sends traffic (queue-proxy, ingress, forced 8080), and the Knative settings that route needs. */
import { KnativePlan, KnativeRequirements, planKnativeSettings } from "../knative/plan";
import { ResolvedBackend, ResolvedWebSocket } from "../core/backend";
import { fail } from "../core/validation";
import { L4ExposureArgs } from "./args";
import { L4Route, QUEUE_PROXY_PORT, USER_PORT } from "./planTypes";

const str = JSON.stringify;

export function resolveRoute(owner: string, backend: ResolvedBackend, route: unknown): L4Route {
  if (backend.kind === "service") {
    if (route !== undefined) {
      fail(owner, "route", "is only for a Knative backend; a plain Service is reached on backend.port");
    }
    return "service";
  }
  if (route === undefined || route === "queue-proxy") return "queue-proxy";
  if (route === "ingress") return "ingress";
  const isObject = typeof route === "object" && route !== null;
  const asks8080 =
    route === 8080 ||
    route === "8080" ||
    (isObject && ("forcePort8080" in route || (route as { port?: unknown }).port === USER_PORT));
  if (asks8080) {
    if (isObject && (route as { forcePort8080?: unknown }).forcePort8080 === true) return "port-8080";
    fail(
      owner,
      "route",
      `sends traffic to port ${USER_PORT}, which bypasses the queue-proxy: the autoscaler then sees no load and may scale away pods holding live sockets; ` +
        `use route "queue-proxy" (port ${QUEUE_PROXY_PORT}), or set route to { forcePort8080: true } if you accept that`,
    );
  }
  return fail(
    owner,
    "route",
    `must be "queue-proxy", "ingress" or { forcePort8080: true } (got ${str(route)})`,
  );
}

export function resolveKnative(
  owner: string,
  args: L4ExposureArgs,
  backend: ResolvedBackend,
  websocket: ResolvedWebSocket,
  requirements: KnativeRequirements,
): KnativePlan | undefined {
  if (backend.kind !== "knative") {
    if (args.knative !== undefined)
      fail(owner, "knative", "is only for a Knative backend (backend.knativeService)");
    return undefined;
  }
  return planKnativeSettings(owner, websocket, args.knative, requirements);
}
