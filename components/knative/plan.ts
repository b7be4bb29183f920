import type { Input } from "@pulumi/pulumi";
import { ResolvedBackend, ResolvedWebSocket } from "../core/backend";
import { arg, fail, msg, requireWholeNumber } from "../core/validation";
import { FIELD_MANAGER, ManagedConfigMap } from "./ownership";

/** What a path needs of the Knative Service beyond the defaults (the L4 path straight to the pods needs more). */
export interface KnativeRequirements {
  /** The lowest min-scale the path tolerates (1 when nothing but running pods can answer). */
  minScaleAtLeast: number;
  /** Force target-burst-capacity "0": keeps the activator out of the data path. */
  activatorOutOfPath: boolean;
  /** Who needs it, for error messages, e.g. `the L4 route straight to the pods`. */
  reason?: string;
}

export const NO_REQUIREMENTS: KnativeRequirements = { minScaleAtLeast: 0, activatorOutOfPath: false };

/** The stricter of two paths' requirements (a hybrid applies the settings once for both). */
export function mergeRequirements(a: KnativeRequirements, b: KnativeRequirements): KnativeRequirements {
  const reasons = [a.reason, b.reason].filter((r): r is string => Boolean(r));
  return {
    minScaleAtLeast: Math.max(a.minScaleAtLeast, b.minScaleAtLeast),
    activatorOutOfPath: a.activatorOutOfPath || b.activatorOutOfPath,
    reason: reasons.length ? reasons.join(" and ") : undefined,
  };
}

/**
 * What the stack knows (or manages) about the Knative installation, but podspecAffinity: the fields
 * the component package takes as they are (components/package/args.ts, KnativeCluster).
 */
export interface KnativeClusterFields {
  /** Namespace of Knative Serving's ConfigMaps. Default `knative-serving`. */
  namespace?: string;
  /**
   * `max-revision-timeout-seconds` in config-defaults: the value the cluster has (declared) or should have
   * (managed). Default 600, Knative's default.
   */
  maxRevisionTimeoutSeconds?: number;
  /**
   * Patch config-defaults so `max-revision-timeout-seconds` is `maxRevisionTimeoutSeconds`. Touches every
   * tenant. Default false.
   */
  manageMaxRevisionTimeout?: boolean;
  /** net-kourier `stream-idle-timeout` in config-kourier, seconds; 0 = none (current releases). Older releases: 300. Default 0. */
  ingressStreamIdleTimeoutSeconds?: number;
  /** Patch config-kourier so `stream-idle-timeout` is `ingressStreamIdleTimeoutSeconds`. Default false. */
  manageIngressStreamIdleTimeout?: boolean;
  /**
   * Knative Serving version of the cluster, "major.minor" (`kubectl get deploy controller -n
   * knative-serving -o jsonpath='{.metadata.labels.app\.kubernetes\.io/version}'`). It decides what
   * the budget promises when a pod stops: from 1.22 the queue-proxy drains WebSockets on SIGTERM for
   * at most 60 s (after its 30 s drain sleep); before 1.22 it cuts them when the sleep ends. Default "1.7", the
   * oldest release this project supports (the first with responseStartTimeoutSeconds and
   * idleTimeoutSeconds, which the patch sets): a budget that promises no drain until you declare
   * yours. Refused below 1.7.
   */
  version?: string;
}

/** What the stack knows (or manages) about the Knative installation. Cluster-wide: opt-in. */
export interface KnativeClusterArgs extends KnativeClusterFields {
  /** `kubernetes.podspec-affinity` in config-features: "disabled" (Knative's default), "enabled" (declared: already on), "manage" (patch it on; it cannot safely be turned off again). Default "disabled". */
  podspecAffinity?: "disabled" | "enabled" | "manage";
}

/**
 * The check that runs between the cluster ConfigMap patches and the Service patch: a server-side
 * dry-run of the patch, repeated while Knative's webhook still enforces the old
 * max-revision-timeout-seconds, after reading who owns the Service's fields (docs/KNATIVE.md).
 */
export interface KnativeAdmissionCheckArgs {
  /**
   * Run the check (the patch's dry-run until Knative's webhook accepts it, and who owns the Service's
   * fields). Default true. false: nothing waits for Knative's webhook, so the first `up` that raises
   * the maximum and timeoutSeconds together may fail ("expected 0 <= 3600 <= 600") and pass when run again;
   * field conflicts come as the provider's raw error.
   */
  enabled?: boolean;
  /** Seconds to wait for Knative's webhook to enforce a raised max-revision-timeout-seconds (only when this stack manages it). Default 120; 0 checks once. */
  waitSeconds?: number;
  /**
   * Kubeconfig path or contents for the check: the cluster of the kubernetes provider. Default: stack config
   * `kubernetes:kubeconfig`, else `KUBECONFIG`, else `~/.kube/config`, as the default kubernetes provider.
   * Set it (and `context`) when you pass an explicit provider. Kept a secret.
   */
  kubeconfig?: Input<string>;
  /** Kubeconfig context for the check. Default: stack config `kubernetes:context`, else the kubeconfig's current-context. */
  context?: Input<string>;
}

/**
 * The Knative settings but admissionCheck and cluster: the fields the component package takes as
 * they are (components/package/args.ts, KnativeOptions).
 */
export interface KnativeSettingsFields {
  /** `autoscaling.knative.dev/min-scale`. Default 2 (one pod can go while the other holds sockets). Must be <= maxScale. */
  minScale?: number;
  /** `autoscaling.knative.dev/max-scale`. Default 10. */
  maxScale?: number;
  /**
   * `spec.template.spec.timeoutSeconds`: a HARD cap on every WebSocket's life. Default
   * websocket.minLifetimeSeconds; never below it, never above cluster.maxRevisionTimeoutSeconds.
   */
  timeoutSeconds?: number;
  /**
   * `autoscaling.knative.dev/target`: sockets per pod (open WebSockets count as in-flight requests). Default
   * unset (cluster default).
   */
  targetConcurrency?: number;
  /** Preferred pod anti-affinity across nodes. Needs cluster.podspecAffinity "enabled" or "manage". Default false. */
  antiAffinity?: boolean;
  /**
   * Take ownership of fields another field manager set (server-side apply force). Default false: a conflict
   * fails the update, naming the field, its manager and the way out. With true, an owner that applies the
   * fields again (kubectl apply, Argo CD, Flux) sets them back on its next deploy, and each side's deploy
   * makes a new revision: see docs/KNATIVE.md.
   */
  forceConflicts?: boolean;
}

/** The Knative settings a long-lived WebSocket needs, applied to the existing Knative Service. */
export interface KnativeSettingsArgs extends KnativeSettingsFields {
  /** The dry-run check before the Service patch. Default: enabled, 120 s wait. */
  admissionCheck?: KnativeAdmissionCheckArgs;
  /** Knative's cluster-wide settings, as the component should assume or manage them. */
  cluster?: KnativeClusterArgs;
}

export interface ResolvedCluster {
  namespace: string;
  maxRevisionTimeoutSeconds: number;
  manageMaxRevisionTimeout: boolean;
  podspecAffinity: "disabled" | "enabled" | "manage";
  ingressStreamIdleTimeoutSeconds: number;
  manageIngressStreamIdleTimeout: boolean;
  version: string;
  /** False when `version` is the default (the oldest supported release), not what the cluster was declared to run. */
  versionDeclared: boolean;
}

export interface KnativePlan {
  minScale: number;
  maxScale: number;
  timeoutSeconds: number;
  targetConcurrency?: number;
  antiAffinity: boolean;
  activatorInPath: boolean;
  forceConflicts: boolean;
  /**
   * The dry-run check before the Service patch (the kubeconfig and context stay with the args: they may be
   * secrets).
   */
  admissionCheck: { enabled: boolean; waitSeconds: number };
  cluster: ResolvedCluster;
  /** Template annotations the patch sets. */
  annotations: Record<string, string>;
}

export const KNATIVE_DEFAULT_MAX_REVISION_TIMEOUT_SECONDS = 600;

/**
 * The oldest Knative Serving release this project supports: 1.7 added responseStartTimeoutSeconds
 * and idleTimeoutSeconds (serving #12970), which the Service patch sets to 0.
 */
export const OLDEST_SUPPORTED_KNATIVE_VERSION = "1.7";

/** "major.minor" as numbers, for comparing versions. */
export function knativeVersionParts(version: string): [number, number] {
  const [major, minor] = version.split(".").map((p) => Number.parseInt(p, 10));
  return [major, minor];
}

function olderThan(a: string, b: string): boolean {
  const [am, an] = knativeVersionParts(a);
  const [bm, bn] = knativeVersionParts(b);
  return am < bm || (am === bm && an < bn);
}
/** How long the admission check waits for Knative's webhook to see a raised maximum. */
export const DEFAULT_ADMISSION_WAIT_SECONDS = 120;

function resolveCluster(owner: string, c: KnativeClusterArgs | undefined): ResolvedCluster {
  const declared = c?.version;
  const version = declared ?? OLDEST_SUPPORTED_KNATIVE_VERSION;
  if (typeof version !== "string" || !/^\d+\.\d+$/.test(version)) {
    fail(
      owner,
      "knative.cluster.version",
      `${JSON.stringify(version)} is not a "major.minor" version such as "1.22"; set it to your cluster's Knative Serving version`,
    );
  }
  if (olderThan(version, OLDEST_SUPPORTED_KNATIVE_VERSION)) {
    fail(
      owner,
      "knative.cluster.version",
      `${version} is older than ${OLDEST_SUPPORTED_KNATIVE_VERSION}, the first Knative Serving release with responseStartTimeoutSeconds and idleTimeoutSeconds, which this project sets on the Service; upgrade Knative Serving`,
    );
  }
  const podspecAffinity = c?.podspecAffinity ?? "disabled";
  if (!["disabled", "enabled", "manage"].includes(podspecAffinity)) {
    fail(
      owner,
      "knative.cluster.podspecAffinity",
      `must be "disabled", "enabled" or "manage" (got ${JSON.stringify(podspecAffinity)})`,
    );
  }
  return {
    namespace: c?.namespace ?? "knative-serving",
    maxRevisionTimeoutSeconds: requireWholeNumber(
      owner,
      "knative.cluster.maxRevisionTimeoutSeconds",
      c?.maxRevisionTimeoutSeconds ?? KNATIVE_DEFAULT_MAX_REVISION_TIMEOUT_SECONDS,
      1,
    ),
    manageMaxRevisionTimeout: c?.manageMaxRevisionTimeout ?? false,
    podspecAffinity,
    ingressStreamIdleTimeoutSeconds: requireWholeNumber(
      owner,
      "knative.cluster.ingressStreamIdleTimeoutSeconds",
      c?.ingressStreamIdleTimeoutSeconds ?? 0,
      0,
    ),
    manageIngressStreamIdleTimeout: c?.manageIngressStreamIdleTimeout ?? false,
    version,
    versionDeclared: declared !== undefined,
  };
}

/** Validates the Knative settings against the path's needs and the cluster, and returns what to apply. */
export function planKnativeSettings(
  owner: string,
  websocket: ResolvedWebSocket,
  args: KnativeSettingsArgs | undefined,
  requirements: KnativeRequirements = NO_REQUIREMENTS,
): KnativePlan {
  const cluster = resolveCluster(owner, args?.cluster);
  const minScale = requireWholeNumber(owner, "knative.minScale", args?.minScale ?? 2, 0);
  const maxScale = requireWholeNumber(owner, "knative.maxScale", args?.maxScale ?? 10, 1);
  if (minScale > maxScale) {
    fail(
      owner,
      "knative.minScale",
      msg`${minScale} is above ${arg("knative.maxScale")} ${maxScale}; lower minScale or raise maxScale`,
    );
  }
  if (minScale < requirements.minScaleAtLeast) {
    fail(
      owner,
      "knative.minScale",
      msg`${minScale} is below ${requirements.minScaleAtLeast}, which ${requirements.reason ?? "this path"} needs: nothing but a running pod can answer there (the activator is only reachable through Knative's ingress); set ${arg("knative.minScale")} >= ${requirements.minScaleAtLeast}`,
    );
  }
  const timeoutSeconds = requireWholeNumber(
    owner,
    "knative.timeoutSeconds",
    args?.timeoutSeconds ?? websocket.minLifetimeSeconds,
    1,
  );
  if (timeoutSeconds > cluster.maxRevisionTimeoutSeconds) {
    const how = cluster.manageMaxRevisionTimeout
      ? msg`raise ${arg("knative.cluster.maxRevisionTimeoutSeconds")} to at least ${timeoutSeconds}`
      : msg`raise max-revision-timeout-seconds in ConfigMap config-defaults (${cluster.namespace}) to at least ${timeoutSeconds}, then declare it in ${arg("knative.cluster.maxRevisionTimeoutSeconds")}, or let this stack manage it with ${arg("knative.cluster.manageMaxRevisionTimeout")}: true`;
    if (args?.timeoutSeconds === undefined) {
      // A derived value: name the input it came from, and the limit that refuses it.
      fail(
        owner,
        "websocket.minLifetimeSeconds",
        msg`${timeoutSeconds} is above the cluster's max-revision-timeout-seconds ${cluster.maxRevisionTimeoutSeconds}: ${arg("knative.timeoutSeconds")} (the revision's hard cap on a connection's life) defaults to it, and Knative would reject the revision; lower ${arg("websocket.minLifetimeSeconds")}, or ${how}`,
      );
    }
    fail(
      owner,
      "knative.timeoutSeconds",
      msg`${timeoutSeconds} exceeds the cluster's max-revision-timeout-seconds ${cluster.maxRevisionTimeoutSeconds}; Knative would reject the revision; ${how}`,
    );
  }
  const antiAffinity = args?.antiAffinity ?? false;
  if (antiAffinity && cluster.podspecAffinity === "disabled") {
    fail(
      owner,
      "knative.antiAffinity",
      msg`needs kubernetes.podspec-affinity enabled in ConfigMap config-features; set ${arg("knative.cluster.podspecAffinity")} to "enabled" (already on) or "manage" (this stack turns it on for every tenant)`,
    );
  }
  const targetConcurrency =
    args?.targetConcurrency === undefined
      ? undefined
      : requireWholeNumber(owner, "knative.targetConcurrency", args.targetConcurrency, 1);

  const annotations: Record<string, string> = {
    "autoscaling.knative.dev/min-scale": String(minScale),
    "autoscaling.knative.dev/max-scale": String(maxScale),
  };
  if (targetConcurrency !== undefined)
    annotations["autoscaling.knative.dev/target"] = String(targetConcurrency);
  // TBC "0" with min-scale >= 1 puts the revision in Serve mode: traffic skips the activator.
  const activatorOutOfPath = requirements.activatorOutOfPath && minScale >= 1;
  if (activatorOutOfPath) annotations["autoscaling.knative.dev/target-burst-capacity"] = "0";

  return {
    minScale,
    maxScale,
    timeoutSeconds,
    targetConcurrency,
    antiAffinity,
    activatorInPath: !activatorOutOfPath,
    forceConflicts: args?.forceConflicts ?? false,
    admissionCheck: {
      enabled: args?.admissionCheck?.enabled ?? true,
      waitSeconds: requireWholeNumber(
        owner,
        "knative.admissionCheck.waitSeconds",
        args?.admissionCheck?.waitSeconds ?? DEFAULT_ADMISSION_WAIT_SECONDS,
        0,
        3600,
      ),
    },
    cluster,
    annotations,
  };
}

/** The server-side-apply body for the existing Knative Service (only the fields this project owns). */
export function knativeServicePatchBody(
  backend: ResolvedBackend,
  plan: KnativePlan,
): Record<string, unknown> {
  const spec: Record<string, unknown> = {
    timeoutSeconds: plan.timeoutSeconds,
    // Explicit zeros: a raised timeoutSeconds otherwise switches on a 300 s response-start timer
    // (serving #16169), and an idle timer cannot see traffic on an upgraded connection.
    responseStartTimeoutSeconds: 0,
    idleTimeoutSeconds: 0,
  };
  if (plan.antiAffinity) {
    spec.affinity = {
      podAntiAffinity: {
        preferredDuringSchedulingIgnoredDuringExecution: [
          {
            weight: 100,
            podAffinityTerm: {
              topologyKey: "kubernetes.io/hostname",
              labelSelector: { matchLabels: { "serving.knative.dev/service": backend.name } },
            },
          },
        ],
      },
    };
  }
  return {
    template: {
      metadata: { annotations: plan.annotations },
      spec,
    },
  };
}

/**
 * The whole server-side apply object of the Service patch, as the kubernetes provider sends it
 * (the admission check dry-runs exactly this): the `pulumi.com/patchFieldManager` annotation names
 * the manager, `pulumi.com/patchForce` takes fields over.
 */
export function knativeServicePatchObject(
  backend: ResolvedBackend,
  plan: KnativePlan,
  fieldManager: string = FIELD_MANAGER,
): Record<string, unknown> {
  const annotations: Record<string, string> = { "pulumi.com/patchFieldManager": fieldManager };
  if (plan.forceConflicts) annotations["pulumi.com/patchForce"] = "true";
  return {
    apiVersion: "serving.knative.dev/v1",
    kind: "Service",
    metadata: { name: backend.name, namespace: backend.namespace, annotations },
    spec: knativeServicePatchBody(backend, plan),
  };
}

/**
 * With an explicit kubernetes provider the admission check cannot know the provider's cluster:
 * it must be told (kubeconfig and/or context) or turned off. Call before anything is registered.
 */
export function requireAdmissionCheckCluster(
  owner: string,
  args: KnativeSettingsArgs | undefined,
  explicitKubernetesProvider: boolean,
): void {
  const check = args?.admissionCheck;
  if (!explicitKubernetesProvider || check?.enabled === false) return;
  if (check?.kubeconfig !== undefined || check?.context !== undefined) return;
  fail(
    owner,
    "knative.admissionCheck",
    msg`must name the cluster of the explicit kubernetes provider: set knative.admissionCheck.context (and knative.admissionCheck.kubeconfig when the provider has its own kubeconfig) to what the provider uses, or set ${arg("knative.admissionCheck.enabled")} false (then the first up that raises max-revision-timeout-seconds may fail once)`,
  );
}

/** Cluster ConfigMap patches the plan opts into: name -> data. */
export function clusterConfigPatches(
  plan: KnativePlan,
): { configMap: string; namespace: string; data: Record<string, string> }[] {
  const { cluster } = plan;
  const patches: { configMap: string; namespace: string; data: Record<string, string> }[] = [];
  if (cluster.manageMaxRevisionTimeout) {
    patches.push({
      configMap: "config-defaults",
      namespace: cluster.namespace,
      data: { "max-revision-timeout-seconds": String(cluster.maxRevisionTimeoutSeconds) },
    });
  }
  if (cluster.podspecAffinity === "manage") {
    patches.push({
      configMap: "config-features",
      namespace: cluster.namespace,
      data: { "kubernetes.podspec-affinity": "enabled" },
    });
  }
  if (cluster.manageIngressStreamIdleTimeout) {
    patches.push({
      configMap: "config-kourier",
      namespace: cluster.namespace,
      data: { "stream-idle-timeout": `${cluster.ingressStreamIdleTimeoutSeconds}s` },
    });
  }
  return patches;
}

/** How the user stops this stack from managing each ConfigMap (for the admission check's messages). */
const UNMANAGE: Record<string, string> = {
  "config-defaults":
    "set knative.cluster.manageMaxRevisionTimeout false (stack: ws-exposure:manageMaxRevisionTimeout false) and keep declaring maxRevisionTimeoutSeconds",
  "config-features":
    'set knative.cluster.podspecAffinity "enabled" (stack: ws-exposure:podspecAffinity enabled)',
  "config-kourier":
    "set knative.cluster.manageIngressStreamIdleTimeout false (stack: ws-exposure:manageIngressStreamIdleTimeout false)",
};

/** The ConfigMap patches as the admission check verifies them. */
export function managedConfigMaps(plan: KnativePlan): ManagedConfigMap[] {
  return clusterConfigPatches(plan).map((p) => ({ ...p, unmanage: UNMANAGE[p.configMap] }));
}
