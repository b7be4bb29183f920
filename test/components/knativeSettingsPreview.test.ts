import { resource, settle, unwrap, useMockRuntime } from "../helpers/pulumi";
import { isUnknownValue } from "../../render/mockRuntime";
import { KnativeSettings } from "../../components/knative/KnativeSettings";
import { sleep } from "../../support/wait";

const runtime = useMockRuntime({ preview: true });

test("in a preview the Service patch's field manager is unknown until the check has run: the patch waits for it", async () => {
  const k = new KnativeSettings("dev-knative", {
    backend: { knativeService: "messaging-service", namespace: "agents-whatsapp-rust" },
    websocket: { heartbeatSeconds: 5, minLifetimeSeconds: 3600 },
    knative: { cluster: { maxRevisionTimeoutSeconds: 3600, manageMaxRevisionTimeout: true } },
  });
  await unwrap(k.urn);
  await settle();
  await sleep(50);
  const patch = runtime.resources.find((r) => r.name === "dev-knative-service")!;
  const annotations = (patch.inputs.metadata as { annotations: Record<string, unknown> }).annotations;
  expect(isUnknownValue(annotations["pulumi.com/patchFieldManager"])).toBe(true);
  expect(
    resource(runtime.resources, "pulumi-nodejs:dynamic/knative:AdmissionGate", "dev-knative-admission")
      .parent,
  ).toBe("dev-knative");
});
