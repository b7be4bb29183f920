/**
 * Who owns the fields of the live Knative Service and its ConfigMaps (server-side apply
 * `metadata.managedFields`), and what that means for this project's patch: conflicts with another
 * manager, a named revision that Knative would refuse to change, a ConfigMap the Knative Operator
 * overwrites. Pure functions over the objects the API server returns.
 */

/** The field manager every ws-exposure patch applies as (`pulumi.com/patchFieldManager`). */
export const FIELD_MANAGER = "ws-exposure";

/** One entry of `metadata.managedFields`, as the API server returns it. */
export interface ManagedFieldsEntry {
  manager?: string;
  operation?: string;
  apiVersion?: string;
  fieldsType?: string;
  fieldsV1?: Record<string, unknown>;
  subresource?: string;
}

/** A Kubernetes object as far as these checks read it. */
export interface LiveObject {
  metadata?: {
    name?: string;
    namespace?: string;
    managedFields?: ManagedFieldsEntry[];
    ownerReferences?: { apiVersion?: string; kind?: string; name?: string; controller?: boolean }[];
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  [key: string]: unknown;
}

export type FieldPath = string[];

/** `.spec.template.spec.timeoutSeconds`: how the API server prints a field in a conflict. */
export function formatPath(path: FieldPath): string {
  return path.map((p) => `.${p}`).join("");
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Every leaf of an apply body (lists are atomic leaves, as in Knative's CRD schema). */
export function leafPaths(body: unknown, prefix: FieldPath = []): FieldPath[] {
  if (!isPlainObject(body)) return [prefix];
  const entries = Object.entries(body).filter(([, v]) => v !== undefined);
  if (entries.length === 0) return [prefix];
  return entries.flatMap(([k, v]) => leafPaths(v, [...prefix, k]));
}

export function valueAt(obj: unknown, path: FieldPath): unknown {
  let cur: unknown = obj;
  for (const key of path) {
    if (!isPlainObject(cur)) return undefined;
    cur = cur[key];
  }
  return cur;
}

function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * True when a manager's fieldsV1 set owns `path`: the path itself, or an ancestor it owns as a
 * whole (a leaf `{}` in its set, e.g. an atomic list or a map it replaced).
 */
export function ownsPath(fieldsV1: Record<string, unknown> | undefined, path: FieldPath): boolean {
  let node: unknown = fieldsV1;
  for (const key of path) {
    if (!isPlainObject(node)) return false;
    const child = node[`f:${key}`];
    if (child === undefined) return false;
    // `{}`: a leaf of the set, so the whole value below it is this manager's (an atomic list, a scalar).
    if (isPlainObject(child) && Object.keys(child).length === 0) return true;
    node = child;
  }
  return true;
}

/** A field this project sets that another manager owns with a different value. */
export interface OwnershipConflict {
  /** `.spec.template.spec.timeoutSeconds` */
  field: string;
  manager: string;
  /** `Apply` (server-side apply) or `Update` (kubectl client-side apply, edit, patch, a controller). */
  operation: string;
  liveValue: unknown;
  ourValue: unknown;
  /**
   * True when the manager applies client-side and its last-applied manifest
   * (`kubectl.kubernetes.io/last-applied-configuration`) does not set the field: a default Knative's
   * webhook filled in, recorded under the manager that created the Service. It will not set it back.
   */
  notInManifest?: boolean;
}

const LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";

/** The manifest a client-side `kubectl apply` (or Argo CD's client-side sync) last applied, if recorded. */
function lastApplied(live: LiveObject): Record<string, unknown> | undefined {
  const text = live.metadata?.annotations?.[LAST_APPLIED];
  if (!text) return undefined;
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/**
 * The fields of `body` (a server-side apply body) that another manager of `live` owns with a
 * different value: the ones the API server refuses to apply without force. A field whose value is
 * already ours is shared, not a conflict.
 */
export function ownershipConflicts(
  live: LiveObject,
  body: Record<string, unknown>,
  ourManager: string = FIELD_MANAGER,
): OwnershipConflict[] {
  const managed = (live.metadata?.managedFields ?? []).filter(
    (m) => m.manager !== ourManager && !m.subresource,
  );
  const conflicts: OwnershipConflict[] = [];
  const manifest = lastApplied(live);
  for (const path of leafPaths(body)) {
    if (path[0] === "apiVersion" || path[0] === "kind") continue;
    if (path[0] === "metadata" && (path[1] === "name" || path[1] === "namespace")) continue;
    const ourValue = valueAt(body, path);
    const liveValue = valueAt(live, path);
    if (sameValue(ourValue, liveValue)) continue;
    for (const m of managed) {
      if (ownsPath(m.fieldsV1, path)) {
        conflicts.push({
          field: formatPath(path),
          manager: m.manager ?? "(unnamed)",
          operation: m.operation ?? "",
          liveValue,
          ourValue,
          ...(manifest && m.operation === "Update" && valueAt(manifest, path) === undefined
            ? { notInManifest: true }
            : {}),
        });
      }
    }
  }
  return conflicts;
}

/** Who the manager most likely is, and how to stop it from fighting this project over a field. */
export function describeManager(manager: string): { tool: string; wayOut: string } {
  if (manager === "kubectl-client-side-apply") {
    return {
      tool: "kubectl apply (client-side)",
      wayOut:
        "remove the fields from the manifest you kubectl apply (kubectl sets back every field its manifest has)",
    };
  }
  if (manager === "kubectl") {
    return {
      tool: "kubectl apply --server-side",
      wayOut: "remove the fields from the manifest you apply",
    };
  }
  if (manager.startsWith("kubectl-")) {
    return {
      tool: `a one-off ${manager.replace("-", " ")}`,
      wayOut: "nothing re-applies it, so taking the fields over with forceConflicts is safe",
    };
  }
  if (manager.startsWith("argocd")) {
    return {
      tool: "Argo CD",
      wayOut:
        "remove the fields from the Application's manifests, or add ignoreDifferences " +
        `{ group: serving.knative.dev, kind: Service, managedFieldsManagers: [${FIELD_MANAGER}] } to the Application ` +
        "with the sync option RespectIgnoreDifferences=true, so that Argo CD leaves this stack's fields alone",
    };
  }
  if (manager === "kustomize-controller") {
    return {
      tool: "Flux (kustomize-controller)",
      wayOut:
        "remove the fields from the manifest in Git (Flux re-applies every field it declares, with force, on each reconcile), " +
        "or annotate the Service in Git with kustomize.toolkit.fluxcd.io/ssa: IfNotPresent so Flux only creates it",
    };
  }
  if (manager === "helm-controller" || manager === "helm") {
    return {
      tool: manager === "helm" ? "Helm" : "Flux (helm-controller)",
      wayOut: "remove the fields from the chart's template or values",
    };
  }
  if (manager.startsWith("pulumi-kubernetes")) {
    return {
      tool: "another Pulumi program, or this stack before ws-exposure named its field manager",
      wayOut:
        "if it is this stack, forceConflicts once hands the fields to ws-exposure; otherwise remove them from the other program",
    };
  }
  if (manager === "before-first-apply") {
    return {
      tool: "whoever created the Service before server-side apply tracked owners",
      wayOut: "nothing re-applies it, so taking the fields over with forceConflicts is safe",
    };
  }
  return {
    tool: "an unknown manager",
    wayOut:
      "find what applies it (kubectl get ksvc -o yaml --show-managed-fields) and remove the fields there",
  };
}

function show(value: unknown): string {
  return value === undefined ? "(unset)" : JSON.stringify(value);
}

/** Where the way out is written: the component argument and the stack key. */
export const FORCE_CONFLICTS_HINT =
  "set knative.forceConflicts: true (stack: pulumi config set ws-exposure:forceConflicts true)";

/**
 * The error a conflict gives: every field with its manager and values, what each manager is and
 * how to stop it, and forceConflicts with what it costs (a new revision on each side's deploy).
 */
export function conflictMessage(
  owner: string,
  service: { namespace: string; name: string },
  conflicts: OwnershipConflict[],
): string {
  const lines = conflicts.map(
    (c) =>
      `${c.field} is owned by "${c.manager}" (${describeManager(c.manager).tool}, ${c.operation || "unknown operation"}) ` +
      `with ${show(c.liveValue)}${c.notInManifest ? " (a default Knative filled in: its last-applied manifest does not set it)" : ""}; ` +
      `this stack sets ${show(c.ourValue)}`,
  );
  const managers = [...new Set(conflicts.map((c) => c.manager))];
  const ways = managers.map((m) =>
    conflicts.filter((c) => c.manager === m).every((c) => c.notInManifest)
      ? `for "${m}": its manifest sets none of these fields, so forceConflicts takes them over once and it will not set them back`
      : `for "${m}": ${describeManager(m).wayOut}`,
  );
  return (
    `${owner}: server-side apply conflict on Knative Service ${service.namespace}/${service.name}: ${lines.join("; ")}. ` +
    `Ways out: ${ways.join("; ")}; or ${FORCE_CONFLICTS_HINT} to take the fields over, ` +
    `after which each side's next deploy sets its own value back and Knative creates a new revision every time ` +
    `(a tug of war) until the other side stops setting them. See docs/KNATIVE.md.`
  );
}

/** One line per field a forced apply takes from another manager: the tug-of-war warning. */
export function takeoverWarnings(conflicts: OwnershipConflict[]): string[] {
  return conflicts.map(
    (c) =>
      `${c.field}: taken from "${c.manager}" (${describeManager(c.manager).tool}), ${show(c.liveValue)} -> ${show(c.ourValue)}`,
  );
}

/** The leaves under `spec.template` whose live value the patch would change. */
export function templateChanges(live: LiveObject, body: Record<string, unknown>): OwnershipConflict[] {
  return leafPaths(body)
    .filter((p) => p[0] === "spec" && p[1] === "template")
    .filter((p) => !sameValue(valueAt(body, p), valueAt(live, p)))
    .map((p) => ({
      field: formatPath(p),
      manager: "",
      operation: "",
      liveValue: valueAt(live, p),
      ourValue: valueAt(body, p),
    }));
}

/** The managers that own a field of the live object (for naming who set it). */
export function managersOf(live: LiveObject, path: FieldPath): string[] {
  return (live.metadata?.managedFields ?? [])
    .filter((m) => !m.subresource && ownsPath(m.fieldsV1, path))
    .map((m) => m.manager ?? "(unnamed)");
}

/**
 * A Service that names its revisions (`spec.template.metadata.name`) must change the name with
 * every template change, or Knative's webhook refuses it ("Saw the following changes without a
 * name change"). Returns the error when the patch would change such a template, else undefined.
 */
export function namedRevisionProblem(
  owner: string,
  live: LiveObject,
  body: Record<string, unknown>,
): string | undefined {
  const namePath = ["spec", "template", "metadata", "name"];
  const revisionName = valueAt(live, namePath);
  if (typeof revisionName !== "string" || revisionName === "") return undefined;
  const changes = templateChanges(live, body);
  if (changes.length === 0) return undefined;
  const setBy = managersOf(live, namePath);
  const by = setBy.length ? ` set by ${setBy.map((m) => `"${m}"`).join(", ")}` : "";
  const service = `${live.metadata?.namespace}/${live.metadata?.name}`;
  const list = changes.map((c) => `${c.field} ${show(c.liveValue)} -> ${show(c.ourValue)}`).join(", ");
  return (
    `${owner}: Knative Service ${service} names its revisions (spec.template.metadata.name ${JSON.stringify(revisionName)}${by}), ` +
    `and Knative refuses a template change that keeps the name; this stack would change ${list}. ` +
    `Either remove spec.template.metadata.name from the Service's manifest so Knative names revisions itself, ` +
    `or set these values in that manifest together with a new revision name (this stack's patch then changes nothing). ` +
    `forceConflicts does not help: the name is not this stack's to change.`
  );
}

/** The Knative Operator's KnativeServing that owns a ConfigMap, when one does. */
export function operatorOwner(configMap: LiveObject): string | undefined {
  const ref = (configMap.metadata?.ownerReferences ?? []).find((r) =>
    (r.apiVersion ?? "").startsWith("operator.knative.dev/"),
  );
  if (ref) return `${ref.kind ?? "KnativeServing"} ${configMap.metadata?.namespace}/${ref.name}`;
  if (configMap.metadata?.labels?.["app.kubernetes.io/managed-by"] === "knative-operator") {
    return `the Knative Operator's resources in ${configMap.metadata?.namespace}`;
  }
  return undefined;
}

/** A cluster ConfigMap patch as the check sees it: what to find there and how the user turns it off. */
export interface ManagedConfigMap {
  configMap: string;
  namespace: string;
  data: Record<string, string>;
  /**
   * How the user stops managing it, e.g. `knative.cluster.manageMaxRevisionTimeout: false (stack:
   * ws-exposure:manageMaxRevisionTimeout false)`.
   */
  unmanage: string;
}

/** `config-defaults` -> `defaults`: the KnativeServing `spec.config` key of a ConfigMap. */
export function operatorConfigKey(configMap: string): string {
  return configMap.replace(/^config-/, "");
}

/**
 * A managed ConfigMap whose live data is not what this stack applied: the Knative Operator (or
 * another manager) puts its own value back. Returns the error, or undefined when the data holds.
 */
export function configMapProblem(
  owner: string,
  patch: ManagedConfigMap,
  live: LiveObject,
): string | undefined {
  const operator = operatorOwner(live);
  const where = `ConfigMap ${patch.namespace}/${patch.configMap}`;
  const specKey = operatorConfigKey(patch.configMap);
  const wanted = Object.entries(patch.data)
    .map(([k, v]) => `spec.config.${specKey}[${JSON.stringify(k)}]: ${JSON.stringify(v)}`)
    .join(", ");
  if (operator) {
    return (
      `${owner}: ${where} is managed by the Knative Operator (${operator}), which overwrites this stack's patch. ` +
      `Set it in that KnativeServing resource instead (${wanted}), then stop managing it here: ${patch.unmanage}.`
    );
  }
  const data = (live as { data?: Record<string, string> }).data ?? {};
  const reverted = Object.entries(patch.data).filter(([k, v]) => data[k] !== v);
  if (reverted.length === 0) return undefined;
  const detail = reverted
    .map(([k, v]) => {
      const others = managersOf(live, ["data", k]).filter((m) => m !== FIELD_MANAGER);
      const by = others.length ? ` (also set by ${others.map((m) => `"${m}"`).join(", ")})` : "";
      return `${k} is ${JSON.stringify(data[k] ?? null)}, not ${JSON.stringify(v)}${by}`;
    })
    .join("; ");
  return (
    `${owner}: ${where} does not hold what this stack applied: ${detail}. Something else writes it back ` +
    `(a Knative Operator in another namespace, a GitOps tool); set the value there, then stop managing it here: ${patch.unmanage}.`
  );
}
