/**
 * The Knative admission check (components/knative/admission.ts, the `<name>-knative-admission`
 * resource) against Knative Serving's own admission webhook (v0.49.1 = Knative 1.22, built from
 * the Go module proxy) registered with the end-to-end API server (docs/KNATIVE.md, issue 11 item 5).
 *
 * The webhook reads config-defaults through a ConfigMap watch; e2e/knativeWebhook.ts can hold that
 * watch's events back, so the race the check exists for (the ConfigMap already raised, the webhook
 * still enforcing the old maximum) happens every time instead of now and then.
 */
import { holdsWithin } from "../support/wait";
import { useHomelab } from "./fixture";
import { applyOwnersKnativeService, KSVC, KSVC_PATH, OWNER, ownersKnativeService } from "./homelab";
import { KubeError, KubeObject, ownedFieldPaths } from "./kube";
import {
  declaredMaximumRefusal,
  KNATIVE_WEBHOOK_API_SERVER_FLAGS,
  KNATIVE_WEBHOOK_BINARY,
  KnativeWebhook,
  startKnativeWebhook,
  statusMessage,
  SYSTEM_NAMESPACE,
} from "./knativeWebhook";
import { ExportedResource, urnName, Workspace } from "./pulumi";
import { describeWith } from "./requirements";
import { stackWorkspace } from "./stackSetup";
import { CONTROL_PLANE, PULUMI } from "./toolchain";

const CONFIG_DEFAULTS_PATH = `/api/v1/namespaces/${SYSTEM_NAMESPACE}/configmaps/config-defaults`;
const MAX_KEY = "max-revision-timeout-seconds";
const VALIDATION =
  'admission webhook "validation.webhook.serving.knative.dev" denied the request: validation failed: ';
const OWNER_NAME = 'KnativeSettings "staging-knative"';
const TARGET = `Knative Service ${KSVC.namespace}/${KSVC.name}`;

/** Every wait is bounded: one `pulumi up` of staging, at most (measured on 2 cores at load 12 to 15: the first 108 to 115 s, the others 20 to 35 s). */
const UP_TIMEOUT_MS = 8 * 60 * 1000;

/** Only timeoutSeconds: what another field manager applies to the Service. */
function timeoutOnly(timeoutSeconds: number): KubeObject {
  return {
    apiVersion: "serving.knative.dev/v1",
    kind: "Service",
    metadata: { ...KSVC },
    spec: { template: { spec: { timeoutSeconds } } },
  };
}

describeWith(
  [...CONTROL_PLANE, ...PULUMI, KNATIVE_WEBHOOK_BINARY],
  "the Knative admission check against Knative's own admission webhook",
  () => {
    const lab = useHomelab({ apiServerFlags: KNATIVE_WEBHOOK_API_SERVER_FLAGS });
    let webhook: KnativeWebhook | undefined;
    let ws: Workspace | undefined;
    const kube = () => lab.cluster.kube;
    /** What this run measured, printed in afterAll (no assertion on them). */
    const figures: string[] = [];

    /** A server-side apply, dry-run (the API server runs the webhooks and stores nothing). */
    const dryRunApply = (object: KubeObject, manager: string, force = false) =>
      kube().request(
        "PATCH",
        `${KSVC_PATH}?fieldManager=${manager}&dryRun=All${force ? "&force=true" : ""}`,
        object,
        "application/apply-patch+yaml",
      );
    /** The message of the API server's refusal of `run` (fails the test when it is not refused). */
    const refusal = async (run: () => Promise<unknown>): Promise<{ status: number; message: string }> => {
      const err = await run().then(
        () => undefined,
        (e: unknown) => e,
      );
      if (!(err instanceof KubeError))
        throw new Error(`expected the API server to refuse, got ${String(err)}`);
      return { status: err.status, message: statusMessage(err) };
    };
    const configuredMax = async () =>
      (await kube().get<{ data?: Record<string, string> }>(CONFIG_DEFAULTS_PATH)).data?.[MAX_KEY];
    const liveService = () =>
      kube().get<
        KubeObject & {
          spec: { template: { metadata?: { name?: string }; spec: { timeoutSeconds?: number } } };
        }
      >(KSVC_PATH);
    /** Polls until `check` holds, for at most `ms`; false if it never did. */
    const within = (ms: number, check: () => Promise<boolean>) =>
      holdsWithin(() => check().catch(() => false), ms, 250);
    const admits = (timeoutSeconds: number) => async () => {
      await dryRunApply(timeoutOnly(timeoutSeconds), "e2e-probe", true);
      return true;
    };
    const up = () => ws!.run(["up", "--yes", "--skip-preview", "--diff"], UP_TIMEOUT_MS);
    const failWithLog = (what: string, output: string): never => {
      throw new Error(
        `${what}\n--- pulumi\n${output}\n--- Knative webhook\n${webhook?.log().split("\n").slice(-30).join("\n")}`,
      );
    };

    beforeAll(
      async () => {
        webhook = await startKnativeWebhook(lab.cluster);
        // The owner applies its Service again, now through Knative's defaulting and validation.
        await applyOwnersKnativeService(kube());
        ws = await stackWorkspace(lab, "staging");
      },
      5 * 60 * 1000,
    );
    afterAll(async () => {
      if (figures.length > 0) console.log(`Knative webhook e2e, measured:\n${figures.join("\n")}`);
      webhook?.thawConfigMaps();
      await webhook?.stop();
      ws?.cleanup();
    }, 60 * 1000);

    test("the webhook refuses timeoutSeconds over config-defaults' max-revision-timeout-seconds (Knative's default, 600)", async () => {
      expect(await configuredMax()).toBeUndefined();
      expect(await refusal(() => kube().apply(timeoutOnly(601), "e2e-probe"))).toEqual({
        status: 400,
        message: `${VALIDATION}expected 0 <= 601 <= 600: spec.template.spec.timeoutSeconds`,
      });
      // The bound itself passes (dry-run: Knative's webhook also dry-runs the revision's Pod then).
      await expect(admits(600)()).resolves.toBe(true);
    });

    test("without the check: while the webhook's copy of config-defaults lags, a patch the ConfigMap already allows is refused", async () => {
      const w = webhook!;
      w.freezeConfigMaps();
      let refused: { status: number; message: string };
      try {
        await kube().apply(
          {
            apiVersion: "v1",
            kind: "ConfigMap",
            metadata: { name: "config-defaults", namespace: SYSTEM_NAMESPACE },
            data: { [MAX_KEY]: "1200" },
          },
          "e2e-race",
        );
        expect(await configuredMax()).toBe("1200");
        refused = await refusal(() => kube().apply(timeoutOnly(1200), "e2e-race"));
      } finally {
        w.thawConfigMaps();
      }
      expect(refused).toEqual({
        status: 400,
        message: `${VALIDATION}expected 0 <= 1200 <= 600: spec.template.spec.timeoutSeconds`,
      });
      // Once the watch delivers the change, the same value passes.
      expect(await within(30000, admits(1200))).toBe(true);
      // Back to Knative's default: releasing the key removes it (no other manager owns it).
      await kube().apply(
        {
          apiVersion: "v1",
          kind: "ConfigMap",
          metadata: { name: "config-defaults", namespace: SYSTEM_NAMESPACE },
        },
        "e2e-race",
      );
      expect(await configuredMax()).toBeUndefined();
      expect(
        await within(30000, async () =>
          (await refusal(admits(601))).message.includes("expected 0 <= 601 <= 600:"),
        ),
      ).toBe(true);
      expect((await liveService()).spec.template.spec.timeoutSeconds).toBe(300);
    });

    test("the first pulumi up of staging raises the maximum and timeoutSeconds 3600 together and succeeds, the check having waited out the webhook's old maximum", async () => {
      const w = webhook!;
      const raceRefusals = () =>
        w
          .refusals("expected 0 <= 3600 <= 600: spec.template.spec.timeoutSeconds")
          .filter((l) => l.includes(`"knative.dev/name":"${KSVC.name}"`));
      expect(raceRefusals()).toEqual([]);
      // The webhook keeps the old maximum until it has refused the check's dry-run once.
      w.freezeConfigMaps();
      let finished = false;
      const running = up().finally(() => (finished = true));
      let refusedBeforeThaw = false;
      try {
        refusedBeforeThaw = await within(UP_TIMEOUT_MS, async () => finished || raceRefusals().length > 0);
        refusedBeforeThaw = refusedBeforeThaw && raceRefusals().length > 0;
      } finally {
        w.thawConfigMaps();
      }
      const result = await running;
      if (result.code !== 0) failWithLog(`pulumi up exited ${result.code}`, result.output);
      figures.push(`first up with the check: ${result.seconds.toFixed(1)} s`);
      expect(refusedBeforeThaw).toBe(true);

      const gate = (await ws!.exportStack()).find(
        (r: ExportedResource) => urnName(r.urn) === "staging-knative-admission",
      );
      expect(gate?.type).toBe("pulumi-nodejs:dynamic/knative:AdmissionGate");
      const refusals = raceRefusals().length;
      expect(refusals).toBeGreaterThanOrEqual(1);
      figures.push(`the check's dry-runs the webhook refused before it caught up: ${refusals}`);
      // Every refusal the webhook logged is one the check waited out, and it passed.
      expect(gate?.outputs).toMatchObject({
        fieldManager: "ws-exposure",
        takeovers: [],
        retries: refusals,
        server: lab.cluster.server,
        context: "ws-exposure-e2e",
      });
      expect(await configuredMax()).toBe("3600");
      const ksvc = await liveService();
      expect(ksvc.spec.template.spec.timeoutSeconds).toBe(3600);
      const timeoutOwners = (ksvc.metadata.managedFields ?? [])
        .filter((m) => ownedFieldPaths(m.fieldsV1).includes("spec.template.spec.timeoutSeconds"))
        .map((m) => m.manager);
      expect(timeoutOwners).toEqual(["ws-exposure"]);
    });

    test("a stack that only declares the maximum fails with the component's message naming the config keys, not the webhook's", async () => {
      ws!.editStackConfig((c) => {
        c["ws-exposure:manageMaxRevisionTimeout"] = false;
        c["ws-exposure:maxRevisionTimeoutSeconds"] = 4000;
        c["ws-exposure:timeoutSeconds"] = 4000;
      });
      const result = await up();
      figures.push(`failing up: ${result.seconds.toFixed(1)} s, exit ${result.code}`);
      expect(result.code).toBe(1);
      const message = declaredMaximumRefusal(OWNER_NAME, 3600, 4000);
      if (!result.output.includes(message)) failWithLog(`expected the message:\n${message}`, result.output);
      expect(result.output).not.toContain("denied the request");
      expect((await liveService()).spec.template.spec.timeoutSeconds).toBe(3600);
    });

    test("a Service whose owner names its revisions: Knative refuses the patch, and the check says why and what to do", async () => {
      const named = ownersKnativeService();
      (named.spec as { template: { metadata: { name?: string } } }).template.metadata.name =
        `${KSVC.name}-v2`;
      await kube().apply(named, OWNER);
      // Knative's own answer to a template change that keeps the name.
      expect(await refusal(() => dryRunApply(timeoutOnly(3599), "e2e-probe", true))).toEqual({
        status: 400,
        message:
          `${VALIDATION}Saw the following changes without a name change (-old +new): spec.template.metadata.name\n` +
          `*{*v1.RevisionTemplateSpec}.Spec.TimeoutSeconds:\n\t-: "3600"\n\t+: "3599"\n`,
      });
      ws!.editStackConfig((c) => {
        c["ws-exposure:manageMaxRevisionTimeout"] = true;
      });
      const result = await up();
      figures.push(`failing up: ${result.seconds.toFixed(1)} s, exit ${result.code}`);
      expect(result.code).toBe(1);
      const message =
        `${OWNER_NAME}: ${TARGET} names its revisions (spec.template.metadata.name "${KSVC.name}-v2" set by "${OWNER}"), ` +
        `and Knative refuses a template change that keeps the name; this stack would change .spec.template.spec.timeoutSeconds 3600 -> 4000. ` +
        `Either remove spec.template.metadata.name from the Service's manifest so Knative names revisions itself, ` +
        `or set these values in that manifest together with a new revision name (this stack's patch then changes nothing). ` +
        `forceConflicts does not help: the name is not this stack's to change.`;
      if (!result.output.includes(message)) failWithLog(`expected the message:\n${message}`, result.output);
      expect(result.output).not.toContain("denied the request");
      const ksvc = await liveService();
      expect(ksvc.spec.template.metadata?.name).toBe(`${KSVC.name}-v2`);
      expect(ksvc.spec.template.spec.timeoutSeconds).toBe(3600);
    });

    test("without the check (knativeAdmissionCheck false), the same race fails the up with Knative's refusal; the next up passes", async () => {
      const w = webhook!;
      // The owner stops naming revisions; the webhook enforces the 4000 the last up applied.
      await kube().apply(ownersKnativeService(), OWNER);
      expect(await configuredMax()).toBe("4000");
      expect(await within(30000, admits(4000))).toBe(true);
      ws!.editStackConfig((c) => {
        c["ws-exposure:knativeAdmissionCheck"] = false;
        c["ws-exposure:maxRevisionTimeoutSeconds"] = 5000;
        c["ws-exposure:timeoutSeconds"] = 5000;
      });
      w.freezeConfigMaps();
      let first;
      try {
        first = await up();
      } finally {
        w.thawConfigMaps();
      }
      figures.push(`up without the check, webhook behind: ${first.seconds.toFixed(1)} s, exit ${first.code}`);
      expect(first.code).toBe(1);
      const refused = `${VALIDATION}expected 0 <= 5000 <= 4000: spec.template.spec.timeoutSeconds`;
      if (!first.output.includes(refused))
        failWithLog(`expected Knative's refusal:\n${refused}`, first.output);
      expect(first.output).not.toContain(`${OWNER_NAME}: `);
      expect(await configuredMax()).toBe("5000");
      expect((await liveService()).spec.template.spec.timeoutSeconds).toBe(3600);
      // Once the webhook has caught up, the same up passes: the "second run" of issue 11 item 5.
      expect(await within(30000, admits(5000))).toBe(true);
      const second = await up();
      figures.push(`the next up: ${second.seconds.toFixed(1)} s, exit ${second.code}`);
      if (second.code !== 0) failWithLog(`pulumi up exited ${second.code}`, second.output);
      expect((await liveService()).spec.template.spec.timeoutSeconds).toBe(5000);
    });
  },
);
