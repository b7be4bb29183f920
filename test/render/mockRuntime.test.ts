import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { useMockRuntime, unwrap } from "../helpers/pulumi";
import { isSecretValue } from "../../render/mockRuntime";

const runtime = useMockRuntime();

class Parent extends pulumi.ComponentResource {
  public readonly cm: k8s.core.v1.ConfigMap;
  constructor(name: string) {
    super("ws-exposure:index:Parent", name, {}, {});
    this.cm = new k8s.core.v1.ConfigMap(
      `${name}-cm`,
      { data: { a: "1" }, immutable: pulumi.secret(true) },
      { parent: this },
    );
    this.registerOutputs({});
  }
}

test("records type, name, parent and secret envelopes", async () => {
  const p = new Parent("p");
  await unwrap(p.cm.urn);
  const cm = runtime.resources.find((r) => r.name === "p-cm");
  expect(cm?.type).toBe("kubernetes:core/v1:ConfigMap");
  expect(cm?.parent).toBe("p");
  expect(isSecretValue(cm?.inputs.immutable)).toBe(true);
  expect(runtime.resources.find((r) => r.name === "p")?.parent).toBeNull();
});
