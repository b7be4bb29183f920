/**
 * The timeout rule for WebSocket Knative Services: once `timeoutSeconds` is raised above the
 * cluster's response-start default (300), `responseStartTimeoutSeconds` and `idleTimeoutSeconds`
 * must be explicitly 0 (serving #16169; an idle timer cannot see traffic on an upgraded
 * connection). The components set both to 0 in knativeServicePatchBody. No Pulumi imports.
 */

/** Knative's default revision timeout and response-start timeout (seconds). */
export const KNATIVE_DEFAULT_TIMEOUT_SECONDS = 300;

export type WebSocketTimeoutField = "responseStartTimeoutSeconds" | "idleTimeoutSeconds";

export interface TimeoutProblem {
  field: WebSocketTimeoutField;
  /** The value found (undefined when unset). */
  value: unknown;
  timeoutSeconds: number;
}

function asNumber(value: unknown): number | undefined {
  if (typeof value === "number") return value;
  if (typeof value === "string" && /^\d+$/.test(value)) return Number(value);
  return undefined;
}

/** The fields of a revision spec that must be 0 but are not, when timeoutSeconds > 300. */
export function websocketTimeoutProblems(spec: Record<string, unknown> | undefined): TimeoutProblem[] {
  const timeoutSeconds = asNumber(spec?.timeoutSeconds);
  if (timeoutSeconds === undefined || timeoutSeconds <= KNATIVE_DEFAULT_TIMEOUT_SECONDS) return [];
  const fields: WebSocketTimeoutField[] = ["responseStartTimeoutSeconds", "idleTimeoutSeconds"];
  return fields
    .filter((field) => asNumber(spec?.[field]) !== 0)
    .map((field) => ({ field, value: spec?.[field], timeoutSeconds }));
}
