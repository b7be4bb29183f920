/**
 * The dev stack's Knative Service patch and admission-check input, shared by the admission and
 * ownership tests: timeoutSeconds 3600 raised together with config-defaults' maximum.
 */
import { AdmissionCheckInput } from "../../components/knative/admission";
import { resolveBackend } from "../../components/core/backend";
import {
  knativeServicePatchObject,
  managedConfigMaps,
  planKnativeSettings,
} from "../../components/knative/plan";

export const OWNER = 'KnativeSettings "dev-knative"';
export const SERVICE = { namespace: "agents-whatsapp-rust", name: "messaging-service" };

export const BACKEND = resolveBackend(OWNER, { knativeService: SERVICE.name, namespace: SERVICE.namespace });

export function devPlan(manage = true) {
  return planKnativeSettings(
    OWNER,
    { heartbeatSeconds: 5, minLifetimeSeconds: 3600 },
    { cluster: { maxRevisionTimeoutSeconds: 3600, manageMaxRevisionTimeout: manage } },
  );
}

/** The body the Service patch applies: min-scale 2, max-scale 10, timeoutSeconds 3600, the two zeros. */
export const PATCH = knativeServicePatchObject(BACKEND, devPlan());

/** The check's input; `manage` = the stack manages max-revision-timeout-seconds. */
export function admissionInput(manage = true, extra: Partial<AdmissionCheckInput> = {}): AdmissionCheckInput {
  return {
    owner: OWNER,
    service: SERVICE,
    patch: PATCH,
    fieldManager: "ws-exposure",
    force: false,
    timeoutSeconds: 3600,
    maxRevisionTimeoutSeconds: 3600,
    manageMaxRevisionTimeout: manage,
    configNamespace: "knative-serving",
    configMaps: managedConfigMaps(devPlan(manage)),
    waitSeconds: 120,
    ...extra,
  };
}
