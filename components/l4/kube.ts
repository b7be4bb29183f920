/**
 * Kubernetes object specs of the L4 path besides the HAProxy tier (haproxy/), as plain data (no
 * Pulumi): the ClusterIP Service to the Knative pods, the LoadBalancer Service, and the cert-manager
 * Certificate. The component wraps each in a Pulumi resource.
 */
import { L4Plan } from "./planTypes";
import { serviceAnnotations } from "./metallb";
import { cloudServiceFields } from "./planLoadBalancer";
import { requireTerminate } from "./haproxy/pod";

/** ClusterIP Service to the Knative pods' queue-proxy (or the forced 8080). Spans all revisions. */
export function podServiceSpec(plan: L4Plan) {
  const svc = plan.podService;
  if (!svc) throw new Error(`L4 plan ${plan.name} has no pod Service (route ${plan.route})`);
  return {
    metadata: {
      name: svc.name,
      namespace: plan.backend.namespace,
      labels: { "app.kubernetes.io/instance": plan.name },
    },
    spec: {
      type: "ClusterIP",
      selector: svc.selector,
      ports: [{ name: "http", port: svc.port, targetPort: svc.port, protocol: "TCP" }],
    },
  };
}

export function loadBalancerServiceSpec(plan: L4Plan) {
  const spec: Record<string, unknown> = {
    type: "LoadBalancer",
    externalTrafficPolicy: plan.externalTrafficPolicy,
    selector: plan.lbSelector,
    ports: [
      {
        name: plan.tls.mode === "none" ? "ws" : "wss",
        port: plan.port,
        targetPort: plan.lbTargetPort,
        protocol: "TCP",
      },
    ],
  };
  if (plan.sourceRanges.length > 0) spec.loadBalancerSourceRanges = plan.sourceRanges;
  if (plan.sessionAffinity) {
    spec.sessionAffinity = "ClientIP";
    spec.sessionAffinityConfig = { clientIP: { timeoutSeconds: plan.sessionAffinity.timeoutSeconds } };
  }
  const cloud = cloudServiceFields(plan.loadBalancer, plan.port);
  if (cloud.loadBalancerClass) spec.loadBalancerClass = cloud.loadBalancerClass;
  return {
    metadata: {
      name: `${plan.name}-lb`,
      namespace: plan.backend.namespace,
      labels: { "app.kubernetes.io/instance": plan.name },
      annotations: plan.pool
        ? serviceAnnotations(
            plan.pool.name,
            plan.loadBalancerIP ? [plan.loadBalancerIP] : undefined,
            plan.legacyMetallbAnnotations,
          )
        : cloud.annotations,
    },
    spec,
  };
}

/**
 * Annotations the Kubernetes provider (@pulumi/kubernetes 4.18+) reads to await a custom resource:
 * without them a Certificate counts as ready once created, and the HAProxy Deployment that depends
 * on it is created before its Secret exists (its pods cannot mount it, and its own await times out).
 */
export const PULUMI_WAIT_FOR = "pulumi.com/waitFor";
export const PULUMI_TIMEOUT_SECONDS = "pulumi.com/timeoutSeconds";

/**
 * cert-manager `Certificate` for the hostname; the Secret is what HAProxy mounts. `pulumi up` waits
 * (bounded) for its Ready condition, i.e. the Secret issued, before it creates the Deployment.
 */
export function certificateObject(plan: L4Plan) {
  const tls = requireTerminate(plan);
  const cm = tls.certManager;
  if (!cm) throw new Error(`L4 plan ${plan.name} uses an existing Secret`);
  const spec: Record<string, unknown> = {
    secretName: tls.secretName,
    dnsNames: [plan.hostname],
    issuerRef: { name: cm.issuerName, kind: cm.issuerKind, group: "cert-manager.io" },
    // ECDSA P-256 by default: a full handshake costs the server a fraction of an RSA-2048 one.
    privateKey:
      cm.keyAlgorithm === "RSA"
        ? { algorithm: "RSA", size: 2048, rotationPolicy: "Always" }
        : { algorithm: "ECDSA", size: 256, rotationPolicy: "Always" },
  };
  if (cm.duration) spec.duration = cm.duration;
  if (cm.renewBefore) spec.renewBefore = cm.renewBefore;
  return {
    apiVersion: "cert-manager.io/v1",
    kind: "Certificate",
    metadata: {
      name: `${plan.name}-tls`,
      namespace: plan.backend.namespace,
      labels: { "app.kubernetes.io/instance": plan.name },
      annotations: {
        [PULUMI_WAIT_FOR]: "condition=Ready",
        [PULUMI_TIMEOUT_SECONDS]: String(cm.readyTimeoutSeconds),
      },
    },
    spec,
  };
}
