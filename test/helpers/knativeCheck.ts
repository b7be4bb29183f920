/**
 * The dev stack's Knative Service patch and admission-check input, shared by the admission and
 * ownership tests: timeoutSeconds 3600 raised together with config-defaults' maximum.
 */
import * as pulumi from "@pulumi/pulumi";
import { AdmissionCheckInput } from "../../components/knative/admission";
import { PACKAGE_GATE_TYPE } from "../../components/knative/AdmissionGate";
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

/** The URN of a gate as the component package's provider gets it (KnativeSettings in a YAML program's L4Exposure). */
export const PACKAGE_GATE_URN = `urn:pulumi:yaml::ws-exposure-yaml::ws-exposure:index:L4Exposure$ws-exposure:index:KnativeSettings$${PACKAGE_GATE_TYPE}::messaging-knative-admission`;

/** A value as the engine sends a secret to a provider. */
export function engineSecret(value: unknown): Record<string, unknown> {
  return { [pulumi.runtime.specialSigKey]: pulumi.runtime.specialSecretSig, value };
}
