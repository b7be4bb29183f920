import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { TunnelExposure } from "../../components/tunnel/TunnelExposure";
import { tunnelArgs } from "../helpers/fixtures";
import { resetTunnelClaims } from "../../components/tunnel/tunnelOwnership";
import { ofType, resource, settle, unwrap, useMockRuntime } from "../helpers/pulumi";
import { isSecretValue } from "../../render/mockRuntime";
import { KnativeSettings, KnativeSettingsComponentArgs } from "../../components/knative/KnativeSettings";
import { MOCK_PROVIDER_TEXT } from "../../components/knative/AdmissionGate";
import { sleep } from "../../support/wait";

const runtime = useMockRuntime();

const T = {
  gate: "pulumi-nodejs:dynamic/knative:AdmissionGate",
  patch: "kubernetes:serving.knative.dev/v1:ServicePatch",
};

const args = (knative: KnativeSettingsComponentArgs["knative"] = {}): KnativeSettingsComponentArgs => ({
  backend: { knativeService: "messaging-service", namespace: "agents-whatsapp-rust" },
  websocket: { heartbeatSeconds: 5, minLifetimeSeconds: 3600 },
  knative: { cluster: { maxRevisionTimeoutSeconds: 3600, manageMaxRevisionTimeout: true }, ...knative },
});

async function build(a: KnativeSettingsComponentArgs): Promise<KnativeSettings> {
  const k = new KnativeSettings("dev-knative", a);
  await unwrap(k.urn);
  await unwrap(k.servicePatch.urn);
  await settle();
  return k;
}

const PATCH_SPEC = {
  template: {
    metadata: {
      annotations: { "autoscaling.knative.dev/min-scale": "2", "autoscaling.knative.dev/max-scale": "10" },
    },
    spec: { timeoutSeconds: 3600, responseStartTimeoutSeconds: 0, idleTimeoutSeconds: 0 },
  },
};

/** The Service patch as the provider applies it, named manager included. */
const SERVICE_PATCH = {
  apiVersion: "serving.knative.dev/v1",
  kind: "Service",
  metadata: {
    name: "messaging-service",
    namespace: "agents-whatsapp-rust",
    annotations: { "pulumi.com/patchFieldManager": "ws-exposure" },
  },
  spec: PATCH_SPEC,
};

describe("KnativeSettings: the admission check before the Service patch", () => {
  test("the check gets exactly the patch the provider will apply, the ConfigMap it must see and the bound", async () => {
    await build(args());
    const gate = resource(runtime.resources, T.gate, "dev-knative-admission");
    expect(gate.parent).toBe("dev-knative");
    expect(gate.inputs).toEqual({
      __provider: MOCK_PROVIDER_TEXT,
      check: {
        owner: 'KnativeSettings "dev-knative"',
        service: { namespace: "agents-whatsapp-rust", name: "messaging-service" },
        patch: SERVICE_PATCH,
        fieldManager: "ws-exposure",
        force: false,
        timeoutSeconds: 3600,
        maxRevisionTimeoutSeconds: 3600,
        manageMaxRevisionTimeout: true,
        configNamespace: "knative-serving",
        configMaps: [
          {
            configMap: "config-defaults",
            namespace: "knative-serving",
            data: { "max-revision-timeout-seconds": "3600" },
            unmanage:
              "set knative.cluster.manageMaxRevisionTimeout false (stack: ws-exposure:manageMaxRevisionTimeout false) and keep declaring maxRevisionTimeoutSeconds",
          },
        ],
        waitSeconds: 120,
      },
    });
    const patch = resource(runtime.resources, T.patch, "dev-knative-service");
    expect(patch.inputs).toEqual(SERVICE_PATCH);
  });

  test("forceConflicts: the patch and the check both apply with force", async () => {
    await build(args({ forceConflicts: true }));
    const annotations = { "pulumi.com/patchFieldManager": "ws-exposure", "pulumi.com/patchForce": "true" };
    const gate = resource(runtime.resources, T.gate, "dev-knative-admission").inputs as any;
    expect(gate.check.force).toBe(true);
    expect(gate.check.patch.metadata.annotations).toEqual(annotations);
    expect(
      (resource(runtime.resources, T.patch, "dev-knative-service").inputs as any).metadata.annotations,
    ).toEqual(annotations);
  });

  test("an explicit kubeconfig reaches the check as a secret, with its context", async () => {
    await build(
      args({
        admissionCheck: { kubeconfig: "apiVersion: v1\nkind: Config\n", context: "homelab", waitSeconds: 30 },
      }),
    );
    const raw = runtime.resources.find((r) => r.type === T.gate)!.inputs;
    expect(isSecretValue(raw.kubeconfig)).toBe(true);
    const gate = resource(runtime.resources, T.gate, "dev-knative-admission").inputs as any;
    expect([gate.kubeconfig, gate.context, gate.check.waitSeconds]).toEqual([
      "apiVersion: v1\nkind: Config\n",
      "homelab",
      30,
    ]);
  });

  test("admissionCheck.enabled false: no check, the patch still applies as ws-exposure", async () => {
    await build(args({ admissionCheck: { enabled: false } }));
    expect(ofType(runtime.resources, T.gate)).toEqual([]);
    expect(
      (resource(runtime.resources, T.patch, "dev-knative-service").inputs as any).metadata.annotations,
    ).toEqual({
      "pulumi.com/patchFieldManager": "ws-exposure",
    });
  });

  test("a wait out of range is refused before anything is registered", async () => {
    expect(() => new KnativeSettings("dev-knative", args({ admissionCheck: { waitSeconds: 7200 } }))).toThrow(
      'KnativeSettings "dev-knative": knative.admissionCheck.waitSeconds must be a whole number from 0 to 3600 (got 7200)',
    );
    await settle();
    expect(runtime.resources).toEqual([]);
  });

  test("the component's gate output is the manager the patch applies as", async () => {
    const k = await build(args());
    expect(k.admissionGate).toBeDefined();
    expect(pulumi.Output.isInstance(k.admissionGate!.fieldManager)).toBe(true);
  });
});

describe("with an explicit kubernetes provider the check must be told its cluster", () => {
  beforeEach(() => resetTunnelClaims());
  const provider = () => new k8s.Provider("homelab", { context: "homelab" });

  test("not told: refused before anything is registered, naming the argument and both ways out", async () => {
    const cluster = provider();
    await settle();
    runtime.reset();
    expect(() => new TunnelExposure("dev", tunnelArgs(), { providers: { kubernetes: cluster } })).toThrow(
      'TunnelExposure "dev": knative.admissionCheck must name the cluster of the explicit kubernetes provider: ' +
        "set knative.admissionCheck.context (and knative.admissionCheck.kubeconfig when the provider has its own kubeconfig) to what the provider uses, " +
        "or set knative.admissionCheck.enabled false (then the first up that raises max-revision-timeout-seconds may fail once)",
    );
    await settle();
    expect(runtime.resources).toEqual([]);
  });

  test("KnativeSettings on its own, under a parent that carries the provider: refused the same way", async () => {
    const parent = new pulumi.ComponentResource(
      "test:index:Parent",
      "p",
      {},
      { providers: { kubernetes: provider() } },
    );
    expect(() => new KnativeSettings("dev-knative", args(), { parent })).toThrow(
      'KnativeSettings "dev-knative": knative.admissionCheck must name the cluster of the explicit kubernetes provider',
    );
  });

  test("told the context: the check carries it", async () => {
    const exposure = new TunnelExposure(
      "dev",
      tunnelArgs({
        knative: { cluster: { maxRevisionTimeoutSeconds: 3600 }, admissionCheck: { context: "homelab" } },
      }),
      { providers: { kubernetes: provider() } },
    );
    await unwrap(exposure.urn);
    await settle();
    await sleep(30);
    expect((resource(runtime.resources, T.gate, "dev-knative-admission").inputs as any).context).toBe(
      "homelab",
    );
  });

  test("or the check turned off: no check", async () => {
    const exposure = new TunnelExposure(
      "dev",
      tunnelArgs({
        knative: { cluster: { maxRevisionTimeoutSeconds: 3600 }, admissionCheck: { enabled: false } },
      }),
      { providers: { kubernetes: provider() } },
    );
    await unwrap(exposure.urn);
    await settle();
    expect(ofType(runtime.resources, T.gate)).toEqual([]);
  });
});
