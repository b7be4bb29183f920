/**
 * The target step of an L4 plan: what the LoadBalancer Service selects and on which port, and, with
 * the HAProxy tier, where HAProxy forwards to. Pure.
 */
import { ResolvedBackend } from "../core/backend";
import { arg, fail, msg } from "../core/validation";
import { L4ExposureArgs } from "./args";
import { resolveRoute } from "./planRoute";
import { haproxyLabels, L4Plan, L4Route, ResolvedRevision, ResolvedTls, USER_PORT } from "./planTypes";
import { QUEUE_PROXY_PORT } from "./planTypes";

const str = JSON.stringify;

export type TargetPlan = Pick<L4Plan, "upstream" | "podService" | "lbSelector" | "lbTargetPort">;

export function planTarget(
  owner: string,
  name: string,
  args: L4ExposureArgs,
  backend: ResolvedBackend,
  tls: ResolvedTls,
  route: L4Route,
  revision: ResolvedRevision | undefined,
): TargetPlan {
  let podSelector: Record<string, string> | undefined = backend.podSelector;
  if (backend.kind === "service" && tls.mode !== "terminate") {
    if (!args.podSelector || Object.keys(args.podSelector).length === 0) {
      fail(
        owner,
        "podSelector",
        msg`is required with ${arg("tls.mode")} ${str(tls.mode)} and a plain Service backend: the LoadBalancer selects the backend's pods itself`,
      );
    }
    podSelector = args.podSelector;
  } else if (args.podSelector !== undefined) {
    fail(
      owner,
      "podSelector",
      msg`is only for a plain Service backend with ${arg("tls.mode")} "passthrough", "none" or "loadBalancer"`,
    );
  }
  const podPort = route === "port-8080" ? USER_PORT : (revision?.queueProxyPort ?? QUEUE_PROXY_PORT);
  const domain = backend.clusterDomain;
  if (tls.mode === "terminate") {
    const lbSelector = haproxyLabels(name);
    if (route === "queue-proxy" || route === "port-8080") {
      return {
        lbSelector,
        lbTargetPort: "wss",
        podService: {
          name: `${name}-backend`,
          port: podPort,
          selector: podSelector as Record<string, string>,
        },
        upstream: { address: `${name}-backend.${backend.namespace}.svc.${domain}`, port: podPort },
      };
    }
    if (route === "ingress") {
      return {
        lbSelector,
        lbTargetPort: "wss",
        upstream: { address: backend.hostHeader as string, port: 80, hostHeader: backend.hostHeader },
      };
    }
    return {
      lbSelector,
      lbTargetPort: "wss",
      upstream: {
        address: `${backend.name}.${backend.namespace}.svc.${domain}`,
        port: backend.port as number,
      },
    };
  }
  const lbSelector = podSelector as Record<string, string>;
  if (tls.mode === "passthrough") {
    if (tls.targetPort === "user-port" && route !== "port-8080") {
      resolveRoute(owner, backend, { port: USER_PORT });
    }
    return { lbSelector, lbTargetPort: tls.targetPort };
  }
  if (backend.kind === "service") {
    if (tls.targetPort === "")
      fail(
        owner,
        "tls.targetPort",
        "is required with a plain Service backend: the pod port the LoadBalancer targets",
      );
    return { lbSelector, lbTargetPort: tls.targetPort };
  }
  if (tls.targetPort !== "")
    fail(owner, "tls.targetPort", `is decided by route for a Knative backend (queue-proxy ${podPort})`);
  return { lbSelector, lbTargetPort: podPort };
}
