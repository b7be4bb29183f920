import type { ResourceValidationPolicy } from "@pulumi/policy";
import {
  KNATIVE_DEFAULT_TIMEOUT_SECONDS,
  websocketTimeoutProblems,
} from "../../components/policyChecks/knativeTimeouts";
import { asObject, at, describe } from "./props";
import { TYPES } from "./types";

/**
 * A Knative Service (or a server-side-apply patch of one) that raises timeoutSeconds above 300
 * must set responseStartTimeoutSeconds and idleTimeoutSeconds to 0: otherwise a 300 s
 * response-start timer switches on (serving #16169) and an idle timer, blind to traffic on an
 * upgraded connection, kills busy WebSockets.
 */
export const knativeWebSocketTimeouts: ResourceValidationPolicy = {
  name: "knative-websocket-timeouts",
  description: `A Knative Service whose spec.template.spec.timeoutSeconds exceeds ${KNATIVE_DEFAULT_TIMEOUT_SECONDS} must set responseStartTimeoutSeconds: 0 and idleTimeoutSeconds: 0, or its WebSockets are cut early.`,
  enforcementLevel: "mandatory",
  validateResource: (args, reportViolation) => {
    if (args.type !== TYPES.knativeService && args.type !== TYPES.knativeServicePatch) return;
    const kind = args.type === TYPES.knativeService ? "Knative Service" : "Knative Service patch";
    const spec = asObject(at(args.props, "spec", "template", "spec"));
    for (const problem of websocketTimeoutProblems(spec)) {
      const field = `spec.template.spec.${problem.field}`;
      const found = problem.value === undefined ? "is unset" : `is ${JSON.stringify(problem.value)}`;
      const why =
        problem.field === "responseStartTimeoutSeconds"
          ? `Knative then applies a ${KNATIVE_DEFAULT_TIMEOUT_SECONDS} s response-start timer (serving #16169)`
          : "an idle timer cannot see traffic on an upgraded connection and cuts busy WebSockets";
      reportViolation(
        `${describe(kind, args.props, args.name)}: ${field} ${found} while spec.template.spec.timeoutSeconds is ${problem.timeoutSeconds} (> ${KNATIVE_DEFAULT_TIMEOUT_SECONDS}): ` +
          `${why}; set ${field}: 0`,
      );
    }
  },
};
