import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { useMockRuntime, unwrap } from "../helpers/pulumi";
import { isSecretValue } from "../../render/mockRuntime";
import { assertUniqueUrns } from "../../render/render";
import { resourceTree } from "../../render/report";

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

/** A component whose child shares its name, as WsMonitor's Deployment does. */
class SameName extends pulumi.ComponentResource {
  public readonly deployment: k8s.apps.v1.Deployment;
  constructor(name: string, opts?: pulumi.ComponentResourceOptions) {
    super("ws-exposure:index:SameName", name, {}, opts);
    this.deployment = new k8s.apps.v1.Deployment(
      name,
      { spec: { selector: {}, template: {} } },
      { parent: this },
    );
    new k8s.core.v1.ConfigMap(`${name}-cm`, {}, { parent: this.deployment });
    this.registerOutputs({});
  }
}

test("a child named like its parent: parent identified by type and name (URN), and the tree nests it", async () => {
  const outer = new Parent("outer");
  const inner = new SameName("mon", { parent: outer });
  await unwrap(inner.deployment.urn);
  await unwrap(outer.cm.urn);
  const deployment = runtime.resources.find((r) => r.type === "kubernetes:apps/v1:Deployment")!;
  const component = runtime.resources.find((r) => r.type === "ws-exposure:index:SameName")!;
  expect(deployment).toMatchObject({
    name: "mon",
    parent: "mon",
    parentType: "ws-exposure:index:SameName",
    parentUrn: component.urn,
    urn: "urn:pulumi:test::ws-exposure::ws-exposure:index:SameName$kubernetes:apps/v1:Deployment::mon",
  });
  expect(component.parentType).toBe("ws-exposure:index:Parent");
  expect(resourceTree(runtime.resources)).toBe(
    [
      "└─ ws-exposure:index:Parent  outer",
      "   ├─ ws-exposure:index:SameName  mon",
      "   │  └─ kubernetes:apps/v1:Deployment  mon",
      "   │     └─ kubernetes:core/v1:ConfigMap  mon-cm",
      "   └─ kubernetes:core/v1:ConfigMap  outer-cm",
    ].join("\n"),
  );
  expect(() => assertUniqueUrns(runtime.resources)).not.toThrow();
});

test("two resources with one URN are refused, as the engine refuses them", () => {
  const r = {
    type: "t",
    name: "n",
    urn: "urn:pulumi:s::p::t::n",
    parent: null,
    parentType: null,
    parentUrn: null,
    inputs: {},
    component: false,
  };
  expect(() => assertUniqueUrns([r, { ...r }])).toThrow(
    "Duplicate resource URN 'urn:pulumi:s::p::t::n'; try giving it a unique name",
  );
});
