/**
 * The admission check that runs between the cluster ConfigMap patches and the Knative Service
 * patch: a server-side dry-run of exactly the patch the kubernetes provider is about to apply,
 * repeated while Knative's webhook still enforces the old `max-revision-timeout-seconds` (it reads
 * config-defaults through an informer that updates asynchronously), after checking the live
 * objects for what would make the patch fail or not stick (field owners, a named revision, an
 * operator-managed ConfigMap). Once the patch passes, it has Knative's creator annotation owned by
 * a manager of its own, so that destroy can release the patch (ownership.ts, CREATOR_KEEPER_MANAGER).
 * The decisions are pure; the I/O comes in through `AdmissionIO`.
 */
import {
  configMapProblem,
  conflictMessage,
  CREATOR_KEEPER_MANAGER,
  creatorKeeperBody,
  KNATIVE_CREATOR_ANNOTATION,
  LiveObject,
  ManagedConfigMap,
  namedRevisionProblem,
  ownershipConflicts,
  takeoverWarnings,
} from "./ownership";

/** What the check needs to know; all of it is plain data (it is a dynamic resource's inputs). */
export interface AdmissionCheckInput {
  /** `KnativeSettings "dev-knative"`: how messages name the component. */
  owner: string;
  service: { namespace: string; name: string };
  /** The whole server-side apply body of the Service patch (apiVersion, kind, metadata, spec). */
  patch: Record<string, unknown>;
  fieldManager: string;
  force: boolean;
  timeoutSeconds: number;
  /** The max-revision-timeout-seconds the stack declares or manages. */
  maxRevisionTimeoutSeconds: number;
  /** True when this stack patches config-defaults: then an old maximum in the webhook is worth waiting for. */
  manageMaxRevisionTimeout: boolean;
  /** Namespace of config-defaults. */
  configNamespace: string;
  /** The ConfigMaps this stack patches, checked for an owner that reverts them. */
  configMaps: ManagedConfigMap[];
  /** How long to wait for the webhook to enforce the new maximum. */
  waitSeconds: number;
}

/** What the API server answered: an HTTP status and its JSON body, or a transport error. */
export interface ApiResponse {
  status: number;
  body: unknown;
  /** Set when no HTTP answer came (connection refused, TLS, DNS, timeout). */
  error?: string;
}

export type Verdict =
  | { kind: "accepted" }
  | { kind: "retry"; reason: string; oldMaximum: boolean }
  | { kind: "fatal"; message: string };

function statusMessage(body: unknown): string {
  if (
    typeof body === "object" &&
    body !== null &&
    typeof (body as { message?: unknown }).message === "string"
  ) {
    return (body as { message: string }).message;
  }
  return typeof body === "string" ? body : JSON.stringify(body);
}

/** `expected 0 <= 3600 <= 600: spec.template.spec.timeoutSeconds` -> 600 (the maximum the webhook enforces). */
export function webhookMaximum(message: string): number | undefined {
  const m = /expected 0 <= (\d+) <= (\d+): [\w.]*timeoutSeconds/.exec(message);
  return m ? Number(m[2]) : undefined;
}

const STACK_KEYS = {
  max: "knative.cluster.maxRevisionTimeoutSeconds (stack: ws-exposure:maxRevisionTimeoutSeconds)",
  manage: "knative.cluster.manageMaxRevisionTimeout (stack: ws-exposure:manageMaxRevisionTimeout)",
  wait: "knative.admissionCheck.waitSeconds (stack: ws-exposure:knativeAdmissionWaitSeconds)",
};

function target(input: AdmissionCheckInput): string {
  return `Knative Service ${input.service.namespace}/${input.service.name}`;
}

/** How the gate reads one answer to the dry-run of the Service patch. */
export function classifyDryRun(input: AdmissionCheckInput, res: ApiResponse): Verdict {
  if (res.error !== undefined) {
    return { kind: "retry", reason: `the API server did not answer: ${res.error}`, oldMaximum: false };
  }
  if (res.status >= 200 && res.status < 300) return { kind: "accepted" };
  const message = statusMessage(res.body);
  const svc = target(input);
  if (res.status === 409) {
    return {
      kind: "fatal",
      message:
        `${input.owner}: server-side apply conflict on ${svc}: ${message}. ` +
        `Set knative.forceConflicts: true (stack: pulumi config set ws-exposure:forceConflicts true) to take the fields over, ` +
        `or remove them from the other manager's manifest. See docs/KNATIVE.md.`,
    };
  }
  const max = webhookMaximum(message);
  if (max !== undefined) {
    if (input.manageMaxRevisionTimeout && max < input.timeoutSeconds) {
      return {
        kind: "retry",
        reason: `Knative's webhook still enforces max-revision-timeout-seconds ${max}`,
        oldMaximum: true,
      };
    }
    return {
      kind: "fatal",
      message:
        `${input.owner}: Knative's webhook enforces max-revision-timeout-seconds ${max}, so it rejects timeoutSeconds ${input.timeoutSeconds} ` +
        `on ${svc}, but ${STACK_KEYS.max} says the cluster allows ${input.maxRevisionTimeoutSeconds}. ` +
        `Raise max-revision-timeout-seconds in ConfigMap ${input.configNamespace}/config-defaults to at least ${input.timeoutSeconds}, ` +
        `or let this stack manage it with ${STACK_KEYS.manage} true.`,
    };
  }
  if (message.includes("validation callback failed: dry run failed with")) {
    // Only for dry-run requests, Knative's webhook also dry-runs a Pod of the new revision in the namespace.
    return {
      kind: "fatal",
      message:
        `${input.owner}: Knative's webhook dry-ran a Pod of the new revision of ${svc} in ${input.service.namespace} and the API server refused it: ${message}. ` +
        `The revision's pods would be refused the same way: fix that first (service account, pod security, quota), ` +
        `or turn the check off (knative.admissionCheck.enabled false; stack: ws-exposure:knativeAdmissionCheck false).`,
    };
  }
  if (message.includes("without a name change")) {
    return {
      kind: "fatal",
      message:
        `${input.owner}: ${svc} names its revisions (spec.template.metadata.name) and Knative refuses a template change that keeps the name: ${message}. ` +
        `Remove spec.template.metadata.name from the Service's manifest, or set this stack's values there with a new revision name. See docs/KNATIVE.md.`,
    };
  }
  if (res.status === 404) {
    return {
      kind: "fatal",
      message: `${input.owner}: ${svc} does not exist (or serving.knative.dev/v1 is not installed): ${message}. Deploy the Service first; this stack only patches it.`,
    };
  }
  if (res.status === 401) {
    return {
      kind: "fatal",
      message: `${input.owner}: the API server refused the credentials of the admission check (401): ${message}. It uses the kubeconfig and context of the kubernetes provider; see knative.admissionCheck.kubeconfig.`,
    };
  }
  if (res.status === 403) {
    return {
      kind: "fatal",
      message: `${input.owner}: the admission check may not dry-run the patch of ${svc} (403): ${message}. It needs get and patch on services.serving.knative.dev in ${input.service.namespace} (the same as the patch itself).`,
    };
  }
  if (res.status === 429 || res.status >= 500) {
    // 500 "failed calling webhook": the webhook is restarting or not reachable yet.
    return { kind: "retry", reason: `the API server answered ${res.status}: ${message}`, oldMaximum: false };
  }
  return {
    kind: "fatal",
    message: `${input.owner}: the API server rejected the patch of ${svc} (${res.status}): ${message}`,
  };
}

/** After the webhook accepts a patch it refused before, it must accept it once more this much later. */
export const CONFIRM_AFTER_MS = 2000;

/** Milliseconds to wait before each retry: 0.5, 1, 2, 4, 8, 8, ... s, in all `waitSeconds`. */
export function retryDelaysMs(waitSeconds: number): number[] {
  const delays: number[] = [];
  let total = 0;
  let next = 500;
  const bound = waitSeconds * 1000;
  while (total < bound) {
    const d = Math.min(next, bound - total);
    delays.push(d);
    total += d;
    next = Math.min(next * 2, 8000);
  }
  return delays;
}

/** The error once the wait is over and the webhook still refuses. */
export function notInEffectMessage(input: AdmissionCheckInput, lastReason: string): string {
  const cm = `${input.configNamespace}/config-defaults`;
  return (
    `${input.owner}: Knative's webhook still rejects timeoutSeconds ${input.timeoutSeconds} on ${target(input)} after ${input.waitSeconds} s ` +
    `(${lastReason}), although this stack set max-revision-timeout-seconds to ${input.maxRevisionTimeoutSeconds} in ConfigMap ${cm}. ` +
    `Check that the ConfigMap still says ${input.maxRevisionTimeoutSeconds} ` +
    `(kubectl -n ${input.configNamespace} get configmap config-defaults -o jsonpath='{.data.max-revision-timeout-seconds}'; ` +
    `a Knative Operator puts its own value back: set spec.config.defaults in the KnativeServing resource instead) ` +
    `and that Knative's webhook pods are running (kubectl -n ${input.configNamespace} get pods -l app=webhook), then run pulumi up again; ` +
    `if the webhook is only slow, raise ${STACK_KEYS.wait}.`
  );
}

/** The error when the check cannot find the cluster the kubernetes provider uses. */
export function accessProblem(owner: string, problem: string): string {
  return (
    `${owner}: the admission check cannot reach the cluster: ${problem}. It uses the kubernetes provider's stack config ` +
    `(kubernetes:kubeconfig, kubernetes:context), else KUBECONFIG or ~/.kube/config; with an explicit kubernetes provider, ` +
    `pass the same kubeconfig and context in knative.admissionCheck, or turn the check off (knative.admissionCheck.enabled false; stack: ws-exposure:knativeAdmissionCheck false).`
  );
}

/** The check's I/O: GET an object by API path, and a server-side dry-run apply. */
export interface AdmissionIO {
  get(path: string): Promise<ApiResponse>;
  dryRunApply(
    path: string,
    body: Record<string, unknown>,
    fieldManager: string,
    force: boolean,
  ): Promise<ApiResponse>;
  /** A server-side apply that is stored (not forced). */
  apply(path: string, body: Record<string, unknown>, fieldManager: string): Promise<ApiResponse>;
  sleep(ms: number): Promise<void>;
}

export interface AdmissionResult {
  /** The manager the Service patch must apply as (it flows into the patch, so the patch waits for the check). */
  fieldManager: string;
  /** With forceConflicts: the fields taken from other managers (each a tug-of-war warning). */
  takeovers: string[];
  /** Dry-runs the webhook refused before it accepted. */
  retries: number;
}

export function servicePath(service: { namespace: string; name: string }): string {
  return `/apis/serving.knative.dev/v1/namespaces/${encodeURIComponent(service.namespace)}/services/${encodeURIComponent(service.name)}`;
}

export function configMapPath(namespace: string, name: string): string {
  return `/api/v1/namespaces/${encodeURIComponent(namespace)}/configmaps/${encodeURIComponent(name)}`;
}

/**
 * The error the user sees, as it is. A plain Error on purpose: this code runs serialized in the
 * dynamic provider host, where a serialized subclass of Error loses its message.
 */
export function admissionError(message: string): Error {
  return new Error(message);
}

async function getLive(
  io: AdmissionIO,
  input: AdmissionCheckInput,
  path: string,
  what: string,
): Promise<LiveObject> {
  const res = await io.get(path);
  if (res.error === undefined && res.status === 200) return res.body as LiveObject;
  if (res.error !== undefined) throw admissionError(`${input.owner}: cannot read ${what}: ${res.error}`);
  const message = statusMessage(res.body);
  if (res.status === 404) {
    throw admissionError(
      `${input.owner}: ${what} does not exist (${message}); this stack only patches it: create it first.`,
    );
  }
  throw admissionError(
    `${input.owner}: cannot read ${what} (${res.status}): ${message}. The admission check uses the kubernetes provider's kubeconfig and context and needs get on it.`,
  );
}

/**
 * Has CREATOR_KEEPER_MANAGER own Knative's creator annotation (ownership.ts says why), so that the
 * kubernetes provider's release of the Service patch on destroy keeps Knative's annotations.
 */
async function keepCreatorAnnotation(
  io: AdmissionIO,
  input: AdmissionCheckInput,
  path: string,
  live: LiveObject,
): Promise<void> {
  const body = creatorKeeperBody(live);
  if (!body) return;
  const res = await io.apply(path, body, CREATOR_KEEPER_MANAGER);
  if (res.error === undefined && res.status < 300) return;
  throw admissionError(
    `${input.owner}: cannot record field manager "${CREATOR_KEEPER_MANAGER}" on ${target(input)}'s ${KNATIVE_CREATOR_ANNOTATION} annotation ` +
      `(without it pulumi destroy cannot release this stack's fields: Knative's webhook would refuse): ` +
      `${res.error ?? `${res.status}: ${statusMessage(res.body)}`}. The admission check needs patch on the Service.`,
  );
}

/**
 * Runs the check: the managed ConfigMaps hold what this stack applied; the patch would neither
 * conflict with another field manager (unless forced) nor change a named revision's template;
 * then dry-runs the patch until the webhook accepts it, retrying (bounded) while it still
 * enforces the old maximum. Throws the user's message (admissionError).
 */
export async function runAdmissionCheck(
  io: AdmissionIO,
  input: AdmissionCheckInput,
): Promise<AdmissionResult> {
  for (const cm of input.configMaps) {
    const live = await getLive(
      io,
      input,
      configMapPath(cm.namespace, cm.configMap),
      `ConfigMap ${cm.namespace}/${cm.configMap}`,
    );
    const problem = configMapProblem(input.owner, cm, live);
    if (problem) throw admissionError(problem);
  }

  const path = servicePath(input.service);
  const live = await getLive(io, input, path, target(input));
  const named = namedRevisionProblem(input.owner, live, input.patch);
  if (named) throw admissionError(named);
  const conflicts = ownershipConflicts(live, input.patch, input.fieldManager);
  if (conflicts.length > 0 && !input.force) {
    throw admissionError(conflictMessage(input.owner, input.service, conflicts));
  }

  const delays = retryDelaysMs(input.waitSeconds);
  let refusals = 0;
  let confirming = false;
  for (;;) {
    const verdict = classifyDryRun(
      input,
      await io.dryRunApply(path, input.patch, input.fieldManager, input.force),
    );
    if (verdict.kind === "accepted") {
      // After a refusal the webhook was catching up: with several webhook replicas one may still
      // hold the old maximum, so one more acceptance a moment later before the real patch.
      if (refusals === 0 || confirming) {
        await keepCreatorAnnotation(io, input, path, live);
        return {
          fieldManager: input.fieldManager,
          takeovers: takeoverWarnings(conflicts),
          retries: refusals,
        };
      }
      confirming = true;
      await io.sleep(CONFIRM_AFTER_MS);
      continue;
    }
    if (verdict.kind === "fatal") throw admissionError(verdict.message);
    confirming = false;
    if (refusals >= delays.length) {
      throw admissionError(
        verdict.oldMaximum
          ? notInEffectMessage(input, verdict.reason)
          : `${input.owner}: the dry-run of the patch of ${target(input)} kept failing for ${input.waitSeconds} s: ${verdict.reason}`,
      );
    }
    await io.sleep(delays[refusals++]);
  }
}
