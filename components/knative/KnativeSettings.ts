import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import {
  BackendArgs,
  KnativeBackendArgs,
  resolveBackend,
  resolveWebSocket,
  WebSocketArgs,
} from "../core/backend";
import { fail, ownerName } from "../core/validation";
import {
  clusterConfigPatches,
  KnativePlan,
  KnativeRequirements,
  KnativeSettingsArgs,
  knativeServicePatchObject,
  managedConfigMaps,
  NO_REQUIREMENTS,
  planKnativeSettings,
  requireAdmissionCheckCluster,
} from "./plan";
import { AdmissionGate, hasExplicitKubernetesProvider } from "./AdmissionGate";
import { FIELD_MANAGER } from "./ownership";

export interface KnativeSettingsComponentArgs {
  /** The existing Knative Service to patch. */
  backend: KnativeBackendArgs;
  /** Heartbeat and lifetime the connection needs; timeoutSeconds defaults to minLifetimeSeconds. */
  websocket?: WebSocketArgs;
  /** The settings; see KnativeSettingsArgs for each default. */
  knative?: KnativeSettingsArgs;
  /** What the exposing path needs beyond the defaults (set by the exposures). Default none. */
  requirements?: KnativeRequirements;
}

/**
 * Applies the settings a long-lived WebSocket needs to an existing Knative Service, by server-side
 * apply of only the fields this project owns (field manager `ws-exposure`), plus the cluster
 * ConfigMap patches the stack opts into. Between the two, an admission check dry-runs the Service
 * patch until Knative's webhook accepts it and fails early, naming the way out, on a field another
 * manager owns, a named revision or an operator-managed ConfigMap (docs/KNATIVE.md).
 * Every exposure creates one; a HybridExposure creates one for both of its paths.
 *
 * @example
 * ```ts
 * new KnativeSettings("messaging", {
 *   backend: { knativeService: "messaging-service", namespace: "agents-whatsapp-rust" },
 *   websocket: { minLifetimeSeconds: 3600 },
 *   knative: {
 *     minScale: 2,
 *     cluster: { maxRevisionTimeoutSeconds: 3600, manageMaxRevisionTimeout: true },
 *     admissionCheck: { context: "homelab" }, // the explicit provider's cluster (docs/KNATIVE.md)
 *   },
 * }, { providers: { kubernetes: k8sProvider } });
 * ```
 */
export class KnativeSettings extends pulumi.ComponentResource {
  /** What was applied, after defaults and validation. */
  public readonly plan: KnativePlan;
  public readonly servicePatch: k8s.apiextensions.CustomResourcePatch;
  /** The dry-run check the Service patch waits for (absent when knative.admissionCheck.enabled is false). */
  public readonly admissionGate?: AdmissionGate;

  constructor(name: string, args: KnativeSettingsComponentArgs, opts?: pulumi.ComponentResourceOptions) {
    const owner = ownerName("KnativeSettings", name);
    const backend = resolveBackend(owner, args.backend);
    if (backend.kind !== "knative") fail(owner, "backend", "must name a Knative Service (knativeService)");
    const websocket = resolveWebSocket(owner, args.websocket);
    const plan = planKnativeSettings(owner, websocket, args.knative, args.requirements ?? NO_REQUIREMENTS);
    checkAdmissionCluster(owner, args, opts);

    super("ws-exposure:index:KnativeSettings", name, {}, opts);
    this.plan = plan;

    const configPatches = clusterConfigPatches(plan).map(
      (patch) =>
        new k8s.core.v1.ConfigMapPatch(
          `${name}-${patch.configMap}`,
          {
            // The same named manager as the Service patch: `ws-exposure` is what managedFields show and
            // what the admission check and GitOps exclusions (docs/KNATIVE.md) recognise as this stack.
            metadata: {
              name: patch.configMap,
              namespace: patch.namespace,
              annotations: { "pulumi.com/patchFieldManager": FIELD_MANAGER },
            },
            data: patch.data,
          },
          { parent: this },
        ),
    );

    const patch = knativeServicePatchObject(backend, plan);
    // The check runs after the ConfigMap patches and the Service patch applies as the manager the
    // check returns, so the patch waits for Knative's webhook to accept it (docs/KNATIVE.md).
    const gate = plan.admissionCheck.enabled
      ? new AdmissionGate(
          `${name}-admission`,
          {
            check: {
              owner,
              service: { namespace: backend.namespace, name: backend.name },
              patch,
              fieldManager: FIELD_MANAGER,
              force: plan.forceConflicts,
              timeoutSeconds: plan.timeoutSeconds,
              maxRevisionTimeoutSeconds: plan.cluster.maxRevisionTimeoutSeconds,
              manageMaxRevisionTimeout: plan.cluster.manageMaxRevisionTimeout,
              configNamespace: plan.cluster.namespace,
              configMaps: managedConfigMaps(plan),
              waitSeconds: plan.admissionCheck.waitSeconds,
            },
            kubeconfig: args.knative?.admissionCheck?.kubeconfig,
            context: args.knative?.admissionCheck?.context,
          },
          { parent: this, dependsOn: configPatches },
        )
      : undefined;
    this.admissionGate = gate;
    // Under mocks the gate's output is absent: the manager is the constant either way.
    const fieldManager = gate ? gate.fieldManager.apply((m) => m ?? FIELD_MANAGER) : FIELD_MANAGER;
    const metadata = patch.metadata as { annotations: Record<string, string> };

    this.servicePatch = new k8s.apiextensions.CustomResourcePatch(
      `${name}-service`,
      {
        apiVersion: "serving.knative.dev/v1",
        kind: "Service",
        metadata: {
          name: backend.name,
          namespace: backend.namespace,
          annotations: { ...metadata.annotations, "pulumi.com/patchFieldManager": fieldManager },
        },
        spec: patch.spec as Record<string, unknown>,
      },
      // A revision over the cluster maximum is rejected: raise the maximum first.
      { parent: this, dependsOn: gate ? [...configPatches, gate] : configPatches },
    );
    if (gate) {
      gate.takeovers.apply((taken) => {
        if (taken && taken.length > 0) {
          void pulumi.log.warn(
            `forceConflicts took fields of Knative Service ${backend.namespace}/${backend.name} from other managers: ${taken.join("; ")}. ` +
              `If they apply these fields again, each side's deploy sets its own value and creates a new revision (docs/KNATIVE.md).`,
            this,
          );
        }
      });
    }

    this.registerOutputs({ plan });
  }
}

/**
 * With an explicit kubernetes provider (own or inherited), the admission check must be told the
 * provider's cluster: the exposures call this before they register anything.
 */
export function checkAdmissionCluster(
  owner: string,
  args: { backend: BackendArgs; knative?: KnativeSettingsArgs },
  opts: pulumi.ComponentResourceOptions | undefined,
): void {
  if (!("knativeService" in args.backend)) return;
  requireAdmissionCheckCluster(owner, args.knative, hasExplicitKubernetesProvider(opts));
}

/**
 * An exposure's Knative settings: a `<name>-knative` child when the backend is a Knative Service,
 * nothing for a plain Service. One place for the three exposures.
 */
export function knativeSettingsFor(
  parent: pulumi.ComponentResource,
  name: string,
  args: { backend: BackendArgs; websocket?: WebSocketArgs; knative?: KnativeSettingsArgs },
  requirements: KnativeRequirements | undefined,
): KnativeSettings | undefined {
  if (!("knativeService" in args.backend)) return undefined;
  return new KnativeSettings(
    `${name}-knative`,
    { backend: args.backend, websocket: args.websocket, knative: args.knative, requirements },
    { parent },
  );
}
