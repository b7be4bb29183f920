/** Where the L4 path sends traffic (queue-proxy, ingress, forced 8080), and the Knative settings that route needs. */
import { KnativePlan, KnativeRequirements, planKnativeSettings } from "../knative/plan";
import { ResolvedBackend, ResolvedWebSocket } from "../core/backend";
import { arg, fail, msg, requireOneOf, requireWholeNumber } from "../core/validation";
import { L4ExposureArgs } from "./args";
import { L4Route, QUEUE_PROXY_H2C_PORT, QUEUE_PROXY_PORT, ResolvedRevision, USER_PORT } from "./planTypes";

const str = JSON.stringify;

export function resolveRoute(owner: string, backend: ResolvedBackend, route: unknown): L4Route {
  if (backend.kind === "service") {
    if (route !== undefined) {
      fail(
        owner,
        "route",
        msg`is only for a Knative backend; a plain Service is reached on ${arg("backend.port")}`,
      );
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
      fail(owner, "knative", msg`is only for a Knative backend (${arg("backend.knativeService")})`);
    return undefined;
  }
  return planKnativeSettings(owner, websocket, args.knative, requirements);
}

/**
 * The Knative revision as its owner declared it, checked against the route: the queue-proxy port
 * that serves the app (8013 for h2c: 8012 is then closed), and containerConcurrency, which the
 * route straight to the queue-proxy cannot honour (kube-proxy picks pods at random).
 */
export function resolveRevision(
  owner: string,
  backend: ResolvedBackend,
  route: L4Route,
  revision: L4ExposureArgs["revision"],
): ResolvedRevision | undefined {
  if (backend.kind !== "knative") {
    if (revision !== undefined)
      fail(owner, "revision", msg`is only for a Knative backend (${arg("backend.knativeService")})`);
    return undefined;
  }
  const portName = requireOneOf(owner, "revision.portName", revision?.portName ?? "http1", [
    "http1",
    "h2c",
  ] as const);
  const containerConcurrency = requireWholeNumber(
    owner,
    "revision.containerConcurrency",
    revision?.containerConcurrency ?? 0,
    0,
  );
  const acceptFullPods = revision?.acceptFullPods ?? false;
  if (typeof acceptFullPods !== "boolean")
    fail(owner, "revision.acceptFullPods", `must be true or false (got ${str(acceptFullPods)})`);
  if (route === "queue-proxy" && containerConcurrency > 0 && !acceptFullPods) {
    fail(
      owner,
      "revision.containerConcurrency",
      `${containerConcurrency} caps each pod at ${containerConcurrency} open WebSockets, and on the route straight to the queue-proxy kube-proxy picks a pod per connection at random, whatever its load: ` +
        `an upgrade that lands on a full pod waits in its queue-proxy's queue (up to ${10 * containerConcurrency}) or is refused with 503; ` +
        `use route "ingress" (the activator, when in the path, sends requests to pods with free capacity), set containerConcurrency 0 on the Knative Service (the autoscaling target still sizes the pods), or set revision.acceptFullPods: true`,
    );
  }
  return {
    portName,
    containerConcurrency,
    acceptFullPods,
    queueProxyPort: portName === "h2c" ? QUEUE_PROXY_H2C_PORT : QUEUE_PROXY_PORT,
  };
}

/** What the route straight to the queue-proxy leaves out, for the budget's queue-proxy hop. */
export function directRouteNote(revision: ResolvedRevision): string {
  const full =
    revision.containerConcurrency > 0
      ? ` containerConcurrency ${revision.containerConcurrency} (accepted): an upgrade that lands on a full pod waits in its queue-proxy's queue or gets 503.`
      : "";
  return (
    `Route straight to the queue-proxy (port ${revision.queueProxyPort}${revision.portName === "h2c" ? ", the app's port is h2c" : ""}): ` +
    `kube-proxy picks a pod per connection among every revision's ready pods; Route traffic splits and tags, and the activator's balancing by free capacity, do not apply.${full}`
  );
}
