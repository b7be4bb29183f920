import { z } from "zod";
import { BackendArgs, WebSocketArgs } from "../../components/core/backend";
import { KnativeSettingsArgs } from "../../components/knative/plan";
import { ExposureMonitorArgs } from "../../components/monitor/forExposure";

/**
 * Stack config keys are flat (`ws-exposure:heartbeatSeconds`), because Pulumi.yaml can type and
 * describe only scalar and array keys. Each mode module owns the keys it reads; semantic checks
 * (ranges, hostnames, budgets) are the components' own, so a stack and an importing program get
 * the same messages.
 */
export const whole = z.number().int();

export const commonShape = {
  mode: z.enum(["tunnel", "l4", "hybrid"]),
  knativeService: z.string().optional(),
  service: z.string().optional(),
  servicePort: whole.optional(),
  namespace: z.string(),
  path: z.string().optional(),
  clusterDomain: z.string().optional(),
  heartbeatSeconds: whole.optional(),
  minLifetimeSeconds: whole.optional(),
  minScale: whole.optional(),
  maxScale: whole.optional(),
  timeoutSeconds: whole.optional(),
  targetConcurrency: whole.optional(),
  antiAffinity: z.boolean().optional(),
  forceConflicts: z.boolean().optional(),
  knativeAdmissionCheck: z.boolean().optional(),
  knativeAdmissionWaitSeconds: whole.optional(),
  knativeNamespace: z.string().optional(),
  maxRevisionTimeoutSeconds: whole.optional(),
  manageMaxRevisionTimeout: z.boolean().optional(),
  podspecAffinity: z.enum(["disabled", "enabled", "manage"]).optional(),
  ingressStreamIdleTimeoutSeconds: whole.optional(),
  manageIngressStreamIdleTimeout: z.boolean().optional(),
  knativeVersion: z.string().optional(),
  accountId: z.string().optional(),
  zoneId: z.string().optional(),
  hostname: z.string(),
  monitorEnabled: z.boolean().optional(),
  monitorConnections: whole.optional(),
  monitorPrometheusOperator: z.boolean().optional(),
  monitorPrometheusRelease: z.string().optional(),
  /** Deploy without kubernetes:context, to the kubeconfig's current context, on purpose. Default false. */
  allowAmbientCluster: z.boolean().optional(),
  monitorDial: z.enum(["service", "loadBalancer", "public"]).optional(),
};

type CommonConfig = z.infer<z.ZodObject<typeof commonShape>>;

export function backendArgs(c: CommonConfig): BackendArgs {
  if (c.service !== undefined) {
    return {
      service: c.service,
      namespace: c.namespace,
      port: c.servicePort as number,
      path: c.path,
      clusterDomain: c.clusterDomain,
    };
  }
  return {
    knativeService: c.knativeService as string,
    namespace: c.namespace,
    path: c.path,
    clusterDomain: c.clusterDomain,
  };
}

export function websocketArgs(c: CommonConfig): WebSocketArgs {
  return { heartbeatSeconds: c.heartbeatSeconds, minLifetimeSeconds: c.minLifetimeSeconds };
}

export function monitorArgs(c: CommonConfig): ExposureMonitorArgs | undefined {
  if (!c.monitorEnabled) return undefined;
  return {
    enabled: true,
    connections: c.monitorConnections,
    dial: c.monitorDial,
    prometheusOperator: c.monitorPrometheusOperator
      ? {
          enabled: true,
          labels:
            c.monitorPrometheusRelease === undefined ? undefined : { release: c.monitorPrometheusRelease },
        }
      : undefined,
  };
}

export function knativeArgs(c: CommonConfig): KnativeSettingsArgs {
  return {
    minScale: c.minScale,
    maxScale: c.maxScale,
    timeoutSeconds: c.timeoutSeconds,
    targetConcurrency: c.targetConcurrency,
    antiAffinity: c.antiAffinity,
    forceConflicts: c.forceConflicts,
    // The check's kubeconfig and context are the kubernetes provider's own stack config
    // (kubernetes:kubeconfig, kubernetes:context): the check reads them itself at deploy time.
    admissionCheck: { enabled: c.knativeAdmissionCheck, waitSeconds: c.knativeAdmissionWaitSeconds },
    cluster: {
      namespace: c.knativeNamespace,
      maxRevisionTimeoutSeconds: c.maxRevisionTimeoutSeconds,
      manageMaxRevisionTimeout: c.manageMaxRevisionTimeout,
      podspecAffinity: c.podspecAffinity,
      ingressStreamIdleTimeoutSeconds: c.ingressStreamIdleTimeoutSeconds,
      manageIngressStreamIdleTimeout: c.manageIngressStreamIdleTimeout,
      version: c.knativeVersion,
    },
  };
}
