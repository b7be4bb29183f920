import type { ResourceValidationPolicy } from "@pulumi/policy";
import {
  bypassesQueueProxy,
  KNATIVE_QUEUE_PROXY_PORT,
  knativePodLabel,
} from "../../components/policyChecks/knativePods";
import { asArray, asObject, at, describe, isUnknown } from "./props";
import { TYPES } from "./types";

/**
 * A LoadBalancer Service that selects Knative pods and targets the user container (8080) skips the
 * queue-proxy (serving #6520): the autoscaler sees no load and may scale away pods that hold live
 * WebSockets. The L4Exposure does this only when forced by name (`route: { forcePort8080: true }`):
 * with tls "none" or "passthrough" its LoadBalancer then selects the Knative pods on 8080, and this
 * policy fails the preview (the end-to-end tests show it with the staging stack).
 */
export const loadBalancerBypassesQueueProxy: ResourceValidationPolicy = {
  name: "knative-loadbalancer-bypasses-queue-proxy",
  description:
    "A LoadBalancer Service selecting Knative pods must not target port 8080 (the user container): it bypasses the queue-proxy, so the autoscaler is blind and may scale away pods holding live sockets.",
  enforcementLevel: "mandatory",
  validateResource: (args, reportViolation) => {
    if (args.type !== TYPES.service) return;
    const spec = asObject(args.props.spec);
    if (spec?.type !== "LoadBalancer") return;
    const label = knativePodLabel(spec.selector);
    if (!label) return;
    const selected = `${label}=${String(at(spec, "selector", label))}`;
    asArray(spec.ports).forEach((raw, i) => {
      const port = asObject(raw);
      if (!port || isUnknown(port.targetPort) || !bypassesQueueProxy(port)) return;
      const field =
        port.targetPort === undefined
          ? `spec.ports[${i}].port (no targetPort)`
          : `spec.ports[${i}].targetPort`;
      const value = JSON.stringify(port.targetPort ?? port.port);
      reportViolation(
        `${describe("Service", args.props, args.name)}: ${field} ${value} sends LoadBalancer traffic straight to the Knative user container ` +
          `(selector ${selected}), bypassing the queue-proxy: the autoscaler sees no load and may scale away pods holding live sockets; ` +
          `set spec.ports[${i}].targetPort to ${KNATIVE_QUEUE_PROXY_PORT} (the queue-proxy) and keep autoscaling.knative.dev/min-scale >= 1, or route through the Knative ingress`,
      );
    });
  },
};
