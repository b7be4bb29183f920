/**
 * Pure decisions about plain Services that select Knative pods (serving issue #6520: a Service
 * on the pods can bypass the queue-proxy). Shared by the policy pack; no Pulumi imports, so the
 * pack compiles it without the project's node_modules.
 */

/** The Knative user container's port (`user-port`): traffic there skips the queue-proxy. */
export const KNATIVE_USER_PORT = 8080;
/** Its port name in every Knative pod. */
export const KNATIVE_USER_PORT_NAME = "user-port";
/** The queue-proxy's HTTP/1 port: traffic there is counted by the autoscaler. */
export const KNATIVE_QUEUE_PROXY_PORT = 8012;

/** Labels Knative puts on every revision pod; a selector on any of them selects Knative pods. */
export const KNATIVE_POD_LABELS: readonly string[] = [
  "serving.knative.dev/service",
  "serving.knative.dev/configuration",
  "serving.knative.dev/revision",
  "serving.knative.dev/revisionUID",
];

/** The first Knative pod label a Service selector uses, or undefined when it selects no Knative pods. */
export function knativePodLabel(selector: unknown): string | undefined {
  if (!selector || typeof selector !== "object" || Array.isArray(selector)) return undefined;
  return KNATIVE_POD_LABELS.find((label) => label in (selector as Record<string, unknown>));
}

/**
 * True when a Service port sends traffic to the user container: targetPort 8080 or "user-port",
 * or no targetPort on port 8080 (Kubernetes then targets the same number).
 */
export function bypassesQueueProxy(port: { port?: unknown; targetPort?: unknown }): boolean {
  const target = port.targetPort ?? port.port;
  return (
    target === KNATIVE_USER_PORT || target === String(KNATIVE_USER_PORT) || target === KNATIVE_USER_PORT_NAME
  );
}
