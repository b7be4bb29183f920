import { z } from "zod";
import { shapeOf } from "../settingsSchema";
import { BackendArgs, WebSocketArgs } from "../../components/core/backend";
import { KnativeSettingsArgs } from "../../components/knative/plan";
import { ExposureMonitorArgs } from "../../components/monitor/forExposure";

/**
 * Stack config keys are flat (`ws-exposure:heartbeatSeconds`), because Pulumi.yaml can type and
 * describe only scalar and array keys. Each mode module owns the keys it reads; semantic checks
 * (ranges, hostnames, budgets) are the components' own, so a stack and an importing program get
 * the same messages.
 */
/** Every mode's keys (components/settings/common.ts). */
export const commonShape = shapeOf("common");

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
