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
  knativeServicePatchBody,
  NO_REQUIREMENTS,
  planKnativeSettings,
} from "./plan";

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
 * apply of only the fields this project owns, plus the cluster ConfigMap patches the stack opts into.
 * Every exposure creates one; a HybridExposure creates one for both of its paths.
 *
 * @example
 * ```ts
 * new KnativeSettings("messaging", {
 *   backend: { knativeService: "messaging-service", namespace: "agents-whatsapp-rust" },
 *   websocket: { minLifetimeSeconds: 3600 },
 *   knative: { minScale: 2, cluster: { maxRevisionTimeoutSeconds: 3600, manageMaxRevisionTimeout: true } },
 * }, { providers: { kubernetes: k8sProvider } });
 * ```
 */
export class KnativeSettings extends pulumi.ComponentResource {
  /** What was applied, after defaults and validation. */
  public readonly plan: KnativePlan;
  public readonly servicePatch: k8s.apiextensions.CustomResourcePatch;

  constructor(name: string, args: KnativeSettingsComponentArgs, opts?: pulumi.ComponentResourceOptions) {
    const owner = ownerName("KnativeSettings", name);
    const backend = resolveBackend(owner, args.backend);
    if (backend.kind !== "knative") fail(owner, "backend", "must name a Knative Service (knativeService)");
    const websocket = resolveWebSocket(owner, args.websocket);
    const plan = planKnativeSettings(owner, websocket, args.knative, args.requirements ?? NO_REQUIREMENTS);

    super("ws-exposure:index:KnativeSettings", name, {}, opts);
    this.plan = plan;

    const configPatches = clusterConfigPatches(plan).map(
      (patch) =>
        new k8s.core.v1.ConfigMapPatch(
          `${name}-${patch.configMap}`,
          { metadata: { name: patch.configMap, namespace: patch.namespace }, data: patch.data },
          { parent: this },
        ),
    );

    this.servicePatch = new k8s.apiextensions.CustomResourcePatch(
      `${name}-service`,
      {
        apiVersion: "serving.knative.dev/v1",
        kind: "Service",
        metadata: {
          name: backend.name,
          namespace: backend.namespace,
          annotations: plan.forceConflicts ? { "pulumi.com/patchForce": "true" } : undefined,
        },
        spec: knativeServicePatchBody(backend, plan),
      },
      // A revision over the cluster maximum is rejected: raise the maximum first.
      { parent: this, dependsOn: configPatches },
    );

    this.registerOutputs({ plan });
  }
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
