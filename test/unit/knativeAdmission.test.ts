import {
  admissionError,
  AdmissionIO,
  ApiResponse,
  classifyDryRun,
  configMapPath,
  CONFIRM_AFTER_MS,
  notInEffectMessage,
  retryDelaysMs,
  runAdmissionCheck,
  servicePath,
  webhookMaximum,
} from "../../components/knative/admission";
import { admissionInput, SERVICE } from "../helpers/knativeCheck";
import { LiveObject } from "../../components/knative/ownership";

const input = admissionInput;

/** What the API server answers when Knative's validating webhook refuses the timeout (webhook/admission.go + revision_validation.go). */
const OLD_MAXIMUM: ApiResponse = {
  status: 400,
  body: {
    kind: "Status",
    status: "Failure",
    reason: "BadRequest",
    code: 400,
    message:
      'admission webhook "validation.webhook.serving.knative.dev" denied the request: validation failed: expected 0 <= 3600 <= 600: spec.template.spec.timeoutSeconds',
  },
};
/** kube-apiserver 1.36's answer to an apply that conflicts with Argo CD's field (measured). */
const CONFLICT: ApiResponse = {
  status: 409,
  body: {
    kind: "Status",
    status: "Failure",
    message:
      'Apply failed with 1 conflict: conflict with "argocd-controller": .spec.template.spec.timeoutSeconds',
    reason: "Conflict",
    details: {
      causes: [
        {
          reason: "FieldManagerConflict",
          message: 'conflict with "argocd-controller"',
          field: ".spec.template.spec.timeoutSeconds",
        },
      ],
    },
    code: 409,
  },
};
/** Knative 1.22's webhook on a dry-run when the revision's Pod cannot be created (measured: no default ServiceAccount). */
const POD_DRY_RUN: ApiResponse = {
  status: 400,
  body: {
    kind: "Status",
    code: 400,
    reason: "BadRequest",
    message:
      'admission webhook "validation.webhook.serving.knative.dev" denied the request: validation callback failed: dry run failed with pods "dry-run-validation" is forbidden: error looking up service account agents-whatsapp-rust/default: serviceaccount "default" not found: spec.template',
  },
};
const ACCEPTED: ApiResponse = { status: 200, body: { kind: "Service" } };

describe("webhookMaximum", () => {
  test("reads the maximum Knative's webhook enforces out of its refusal", () => {
    expect(webhookMaximum((OLD_MAXIMUM.body as { message: string }).message)).toBe(600);
  });
  test("another validation error is not about the maximum", () => {
    expect(
      webhookMaximum("validation failed: expected 0 <= 200 <= 100: spec.template.spec.containerConcurrency"),
    ).toBeUndefined();
  });
});

describe("classifyDryRun", () => {
  test.each<[string, ApiResponse, boolean, string]>([
    ["accepted", ACCEPTED, true, "accepted"],
    ["the webhook still has the old maximum, this stack raised it: wait", OLD_MAXIMUM, true, "retry"],
    [
      "the webhook has a lower maximum than declared, this stack does not manage it: no use waiting",
      OLD_MAXIMUM,
      false,
      "fatal",
    ],
    [
      "no answer",
      { status: 0, body: undefined, error: "connect ECONNREFUSED 127.0.0.1:6443" },
      true,
      "retry",
    ],
    [
      "the webhook cannot be called yet",
      {
        status: 500,
        body: { message: 'Internal error occurred: failed calling webhook "webhook.serving.knative.dev"' },
      },
      true,
      "retry",
    ],
    ["throttled", { status: 429, body: { message: "too many requests" } }, true, "retry"],
    [
      "conflict",
      {
        status: 409,
        body: {
          message:
            'Apply failed with 1 conflict: conflict with "kubectl" using serving.knative.dev/v1: .spec.template.spec.timeoutSeconds',
        },
      },
      true,
      "fatal",
    ],
    [
      "not found",
      { status: 404, body: { message: 'services.serving.knative.dev "messaging-service" not found' } },
      true,
      "fatal",
    ],
    ["forbidden", { status: 403, body: { message: "forbidden" } }, true, "fatal"],
    [
      "another validation error",
      { status: 400, body: { message: "validation failed: bad annotation" } },
      true,
      "fatal",
    ],
  ])("%s", (_what, res, manage, kind) => {
    expect(classifyDryRun(input(manage), res).kind).toBe(kind);
  });

  test("a maximum the stack declares but the cluster does not have: the message says which and how to fix it", () => {
    expect(classifyDryRun(input(false), OLD_MAXIMUM)).toEqual({
      kind: "fatal",
      message:
        'KnativeSettings "dev-knative": Knative\'s webhook enforces max-revision-timeout-seconds 600, so it rejects timeoutSeconds 3600 on Knative Service agents-whatsapp-rust/messaging-service, ' +
        "but knative.cluster.maxRevisionTimeoutSeconds (stack: ws-exposure:maxRevisionTimeoutSeconds) says the cluster allows 3600. " +
        "Raise max-revision-timeout-seconds in ConfigMap knative-serving/config-defaults to at least 3600, " +
        "or let this stack manage it with knative.cluster.manageMaxRevisionTimeout (stack: ws-exposure:manageMaxRevisionTimeout) true.",
    });
  });

  test("a conflict the live managedFields did not predict still names the way out", () => {
    const verdict = classifyDryRun(input(), CONFLICT);
    expect(verdict).toEqual({
      kind: "fatal",
      message:
        'KnativeSettings "dev-knative": server-side apply conflict on Knative Service agents-whatsapp-rust/messaging-service: ' +
        'Apply failed with 1 conflict: conflict with "argocd-controller": .spec.template.spec.timeoutSeconds. ' +
        "Set knative.forceConflicts: true (stack: pulumi config set ws-exposure:forceConflicts true) to take the fields over, " +
        "or remove them from the other manager's manifest. See docs/KNATIVE.md.",
    });
  });
});

test("the revision's Pod refused in Knative's dry-run: said as such, with what to fix", () => {
  expect(classifyDryRun(input(), POD_DRY_RUN)).toEqual({
    kind: "fatal",
    message:
      'KnativeSettings "dev-knative": Knative\'s webhook dry-ran a Pod of the new revision of Knative Service agents-whatsapp-rust/messaging-service in agents-whatsapp-rust and the API server refused it: ' +
      (POD_DRY_RUN.body as { message: string }).message +
      ". The revision's pods would be refused the same way: fix that first (service account, pod security, quota), " +
      "or turn the check off (knative.admissionCheck.enabled false; stack: ws-exposure:knativeAdmissionCheck false).",
  });
});

describe("retryDelaysMs", () => {
  test.each([
    [120, [500, 1000, 2000, 4000, ...Array<number>(14).fill(8000), 500]],
    [3, [500, 1000, 1500]],
    [0, []],
  ])("%i s", (seconds, delays) => {
    expect(retryDelaysMs(seconds)).toEqual(delays);
    expect(delays.reduce((a, b) => a + b, 0)).toBe(seconds * 1000);
  });
});

/** A fake API server: the live objects, and one answer per dry-run in turn. */
function fakeIO(
  objects: Record<string, LiveObject>,
  dryRuns: ApiResponse[],
  applied: ApiResponse = ACCEPTED,
) {
  const calls: {
    dryRuns: { path: string; body: unknown; fieldManager: string; force: boolean }[];
    applies: { path: string; body: unknown; fieldManager: string }[];
    sleeps: number[];
    gets: string[];
  } = {
    dryRuns: [],
    applies: [],
    sleeps: [],
    gets: [],
  };
  const io: AdmissionIO = {
    async get(path) {
      calls.gets.push(path);
      const obj = objects[path];
      return obj ? { status: 200, body: obj } : { status: 404, body: { message: `${path} not found` } };
    },
    async dryRunApply(path, body, fieldManager, force) {
      calls.dryRuns.push({ path, body, fieldManager, force });
      return dryRuns[Math.min(calls.dryRuns.length - 1, dryRuns.length - 1)];
    },
    async apply(path, body, fieldManager) {
      calls.applies.push({ path, body, fieldManager });
      return applied;
    },
    async sleep(ms) {
      calls.sleeps.push(ms);
    },
  };
  return { io, calls };
}

const SVC_PATH = servicePath(SERVICE);
const CM_PATH = configMapPath("knative-serving", "config-defaults");
const CONFIG_DEFAULTS: LiveObject = {
  metadata: { name: "config-defaults", namespace: "knative-serving" },
  data: { "max-revision-timeout-seconds": "3600" },
};
const LIVE_SERVICE: LiveObject = {
  metadata: {
    ...SERVICE,
    managedFields: [
      {
        manager: "kubectl-client-side-apply",
        operation: "Update",
        fieldsV1: { "f:spec": { "f:template": { "f:spec": { "f:containers": {} } } } },
      },
    ],
  },
  spec: { template: { spec: { containers: [{ image: "app:1" }], timeoutSeconds: 300 } } },
};

describe("runAdmissionCheck", () => {
  test("the first up: the webhook refuses twice with the old maximum, then accepts twice 2 s apart; the patch goes ahead", async () => {
    const { io, calls } = fakeIO({ [CM_PATH]: CONFIG_DEFAULTS, [SVC_PATH]: LIVE_SERVICE }, [
      OLD_MAXIMUM,
      OLD_MAXIMUM,
      ACCEPTED,
    ]);
    const result = await runAdmissionCheck(io, input());
    expect(result).toEqual({ fieldManager: "ws-exposure", takeovers: [], retries: 2 });
    expect(calls.gets).toEqual([CM_PATH, SVC_PATH]);
    expect(calls.sleeps).toEqual([500, 1000, CONFIRM_AFTER_MS]);
    expect(calls.dryRuns).toHaveLength(4);
    expect(calls.dryRuns[0]).toEqual({
      path: SVC_PATH,
      body: input().patch,
      fieldManager: "ws-exposure",
      force: false,
    });
  });

  test("accepted at once: no confirmation needed, no wait", async () => {
    const { io, calls } = fakeIO({ [CM_PATH]: CONFIG_DEFAULTS, [SVC_PATH]: LIVE_SERVICE }, [ACCEPTED]);
    expect((await runAdmissionCheck(io, input())).retries).toBe(0);
    expect(calls.sleeps).toEqual([]);
    expect(calls.dryRuns).toHaveLength(1);
  });

  test("a webhook replica still stale at the confirmation: back to waiting, then confirmed", async () => {
    const { io, calls } = fakeIO({ [CM_PATH]: CONFIG_DEFAULTS, [SVC_PATH]: LIVE_SERVICE }, [
      OLD_MAXIMUM,
      ACCEPTED,
      OLD_MAXIMUM,
      ACCEPTED,
      ACCEPTED,
    ]);
    expect((await runAdmissionCheck(io, input())).retries).toBe(2);
    expect(calls.sleeps).toEqual([500, CONFIRM_AFTER_MS, 1000, CONFIRM_AFTER_MS]);
    expect(calls.dryRuns).toHaveLength(5);
  });

  test("a maximum that never takes effect: bounded, and the message names the ConfigMap key, the value and what to check", async () => {
    const { io, calls } = fakeIO({ [CM_PATH]: CONFIG_DEFAULTS, [SVC_PATH]: LIVE_SERVICE }, [OLD_MAXIMUM]);
    await expect(runAdmissionCheck(io, input(true, { waitSeconds: 3 }))).rejects.toThrow(
      admissionError(
        notInEffectMessage(
          input(true, { waitSeconds: 3 }),
          "Knative's webhook still enforces max-revision-timeout-seconds 600",
        ),
      ),
    );
    expect(calls.sleeps).toEqual([500, 1000, 1500]);
    expect(calls.dryRuns).toHaveLength(4);
  });

  test("the message when the maximum never takes effect", () => {
    expect(
      notInEffectMessage(
        input(true, { waitSeconds: 3 }),
        "Knative's webhook still enforces max-revision-timeout-seconds 600",
      ),
    ).toBe(
      'KnativeSettings "dev-knative": Knative\'s webhook still rejects timeoutSeconds 3600 on Knative Service agents-whatsapp-rust/messaging-service after 3 s ' +
        "(Knative's webhook still enforces max-revision-timeout-seconds 600), although this stack set max-revision-timeout-seconds to 3600 in ConfigMap knative-serving/config-defaults. " +
        "Check that the ConfigMap still says 3600 (kubectl -n knative-serving get configmap config-defaults -o jsonpath='{.data.max-revision-timeout-seconds}'; " +
        "a Knative Operator puts its own value back: set spec.config.defaults in the KnativeServing resource instead) " +
        "and that Knative's webhook pods are running (kubectl -n knative-serving get pods -l app=webhook), then run pulumi up again; " +
        "if the webhook is only slow, raise knative.admissionCheck.waitSeconds (stack: ws-exposure:knativeAdmissionWaitSeconds).",
    );
  });

  test("a declared (unmanaged) maximum the webhook does not have fails at once, without waiting", async () => {
    const { io, calls } = fakeIO({ [SVC_PATH]: LIVE_SERVICE }, [OLD_MAXIMUM]);
    await expect(runAdmissionCheck(io, input(false))).rejects.toThrow(
      "Knative's webhook enforces max-revision-timeout-seconds 600",
    );
    expect(calls.sleeps).toEqual([]);
    expect(calls.gets).toEqual([SVC_PATH]);
  });

  test("a field another manager owns: our message before any dry-run, unless forced; forced, the takeover is reported", async () => {
    const owned: LiveObject = {
      ...LIVE_SERVICE,
      metadata: {
        ...SERVICE,
        managedFields: [
          {
            manager: "argocd-controller",
            operation: "Apply",
            fieldsV1: { "f:spec": { "f:template": { "f:spec": { "f:timeoutSeconds": {} } } } },
          },
        ],
      },
    };
    const refused = fakeIO({ [CM_PATH]: CONFIG_DEFAULTS, [SVC_PATH]: owned }, [ACCEPTED]);
    await expect(runAdmissionCheck(refused.io, input())).rejects.toThrow(
      'server-side apply conflict on Knative Service agents-whatsapp-rust/messaging-service: .spec.template.spec.timeoutSeconds is owned by "argocd-controller" (Argo CD, Apply) with 300; this stack sets 3600',
    );
    expect(refused.calls.dryRuns).toEqual([]);

    const forced = fakeIO({ [CM_PATH]: CONFIG_DEFAULTS, [SVC_PATH]: owned }, [ACCEPTED]);
    const result = await runAdmissionCheck(forced.io, input(true, { force: true }));
    expect(result.takeovers).toEqual([
      '.spec.template.spec.timeoutSeconds: taken from "argocd-controller" (Argo CD), 300 -> 3600',
    ]);
    expect(forced.calls.dryRuns[0].force).toBe(true);
  });

  test("an operator-managed config-defaults stops the check before the Service is read", async () => {
    const operatorOwned: LiveObject = {
      ...CONFIG_DEFAULTS,
      metadata: {
        name: "config-defaults",
        namespace: "knative-serving",
        ownerReferences: [
          { apiVersion: "operator.knative.dev/v1beta1", kind: "KnativeServing", name: "knative-serving" },
        ],
      },
    };
    const { io, calls } = fakeIO({ [CM_PATH]: operatorOwned, [SVC_PATH]: LIVE_SERVICE }, [ACCEPTED]);
    await expect(runAdmissionCheck(io, input())).rejects.toThrow(
      "ConfigMap knative-serving/config-defaults is managed by the Knative Operator (KnativeServing knative-serving/knative-serving)",
    );
    expect(calls.gets).toEqual([CM_PATH]);
  });

  test("a missing Service: the message says this stack only patches it", async () => {
    const { io } = fakeIO({ [CM_PATH]: CONFIG_DEFAULTS }, [ACCEPTED]);
    await expect(runAdmissionCheck(io, input())).rejects.toThrow(
      admissionError(
        'KnativeSettings "dev-knative": Knative Service agents-whatsapp-rust/messaging-service does not exist ' +
          `(${SVC_PATH} not found); this stack only patches it: create it first.`,
      ),
    );
  });

  /** The Service as Knative's webhook leaves it at creation. */
  const CREATED_BY_WEBHOOK: LiveObject = {
    ...LIVE_SERVICE,
    metadata: {
      ...LIVE_SERVICE.metadata,
      annotations: {
        "serving.knative.dev/creator": "jane@example.com",
        "serving.knative.dev/lastModifier": "jane@example.com",
      },
    },
  };

  test("once the patch passes, Knative's creator annotation gets ws-exposure-keep-creator as its owner, value unchanged", async () => {
    const { io, calls } = fakeIO({ [CM_PATH]: CONFIG_DEFAULTS, [SVC_PATH]: CREATED_BY_WEBHOOK }, [ACCEPTED]);
    await runAdmissionCheck(io, input());
    expect(calls.applies).toEqual([
      {
        path: SVC_PATH,
        fieldManager: "ws-exposure-keep-creator",
        body: {
          apiVersion: "serving.knative.dev/v1",
          kind: "Service",
          metadata: {
            name: "messaging-service",
            namespace: "agents-whatsapp-rust",
            annotations: { "serving.knative.dev/creator": "jane@example.com" },
          },
        },
      },
    ]);
  });

  test("no creator annotation (no Knative webhook created it) or a refused patch: nothing is applied", async () => {
    const plain = fakeIO({ [CM_PATH]: CONFIG_DEFAULTS, [SVC_PATH]: LIVE_SERVICE }, [ACCEPTED]);
    await runAdmissionCheck(plain.io, input());
    expect(plain.calls.applies).toEqual([]);
    const refused = fakeIO({ [CM_PATH]: CONFIG_DEFAULTS, [SVC_PATH]: CREATED_BY_WEBHOOK }, [POD_DRY_RUN]);
    await expect(runAdmissionCheck(refused.io, input())).rejects.toThrow();
    expect(refused.calls.applies).toEqual([]);
  });

  test("the creator annotation cannot be owned: the message names the manager, why destroy needs it and the permission", async () => {
    const forbidden: ApiResponse = {
      status: 403,
      body: { message: 'services.serving.knative.dev "messaging-service" is forbidden: patch not allowed' },
    };
    const { io } = fakeIO(
      { [CM_PATH]: CONFIG_DEFAULTS, [SVC_PATH]: CREATED_BY_WEBHOOK },
      [ACCEPTED],
      forbidden,
    );
    await expect(runAdmissionCheck(io, input())).rejects.toThrow(
      admissionError(
        'KnativeSettings "dev-knative": cannot record field manager "ws-exposure-keep-creator" on Knative Service ' +
          "agents-whatsapp-rust/messaging-service's serving.knative.dev/creator annotation (without it pulumi destroy " +
          "cannot release this stack's fields: Knative's webhook would refuse): 403: " +
          'services.serving.knative.dev "messaging-service" is forbidden: patch not allowed. The admission check needs patch on the Service.',
      ),
    );
  });
});
