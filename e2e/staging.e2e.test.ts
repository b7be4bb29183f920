/**
 * The staging stack (L4: MetalLB pool + L2 advertisement, HAProxy tier terminating TLS with a
 * cert-manager Certificate, LoadBalancer Service, the Knative settings) for real: `pulumi up`
 * against the test cluster, then a second preview and up that change nothing, a config change that
 * updates only what the render says it changes, the render against `pulumi stack export`, and
 * `pulumi destroy` that leaves the Knative Service to its owner.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { budgetMessage } from "../components/core/announceBudget";
import { PathBudget } from "../components/budget/model";
import { compareRenderWithState } from "./compare";
import { useHomelab } from "./fixture";
import { KSVC_PATH, OWNER } from "./homelab";
import { KubeObject, ownedFieldPaths } from "./kube";
import { fieldPaths, findLive, objectKey, predictedKey, removeRenders, Render, render } from "./k8sRender";
import { changes, urnName, Workspace } from "./pulumi";
import { describeWith } from "./requirements";
import { stackWorkspace } from "./stackSetup";
import { CONTROL_PLANE, PULUMI } from "./toolchain";

afterAll(removeRenders);

/** The field manager the stack's patches apply as (components/knative/ownership.ts FIELD_MANAGER). */
const OUR_MANAGER = "ws-exposure";
const MANAGER_ANNOTATION = "metadata.annotations.pulumi.com/patchFieldManager";

function template(ksvc: KubeObject): {
  metadata: { annotations: Record<string, string> };
  spec: Record<string, unknown>;
} {
  return (ksvc.spec as { template: never }).template;
}

describeWith([...CONTROL_PLANE, ...PULUMI], "staging (L4) for real", () => {
  const lab = useHomelab();
  let ws: Workspace;
  let predicted: Render;
  let firstUp: { generation: number; versions: Map<string, string> };

  beforeAll(
    async () => {
      ws = await stackWorkspace(lab, "staging");
      predicted = await render("staging");
    },
    10 * 60 * 1000,
  );
  afterAll(() => ws?.cleanup());

  const live = (o: KubeObject) => findLive(lab.cluster.kube, o);

  test("pulumi up succeeds, and the API server holds every object the render predicted", async () => {
    const up = await ws.up();
    expect(up.output).not.toMatch(/error:/);
    expect(up.code).toBe(0);
    // `pulumi up` shows the path's connection budget once: the render's table, from the TypeScript stack.
    const budgets = (
      JSON.parse(fs.readFileSync(path.join(predicted.dir, "budget.json"), "utf8")) as { paths: PathBudget[] }
    ).paths;
    expect(budgets.map((b) => b.name)).toEqual(["l4"]);
    expect(up.stderr).toContain(budgetMessage(budgets[0]));
    expect(up.output.split("Connection budget: l4 path").length - 1).toBe(1);
    const missing: string[] = [];
    for (const { object } of predicted.objects) if (!(await live(object))) missing.push(objectKey(object));
    expect(missing).toEqual([]);
    const keys = new Set(predicted.objects.map((o) => objectKey(o.object)));
    const deployed = (await ws.exportStack())
      .filter((r) => r.type.startsWith("kubernetes:"))
      .map((r) => predictedKey(r.outputs as KubeObject, keys))
      .sort();
    expect(deployed).toEqual([...keys].sort());
  });

  test("the Knative Service carries the patched fields and keeps its owner's", async () => {
    const ksvc = await lab.cluster.kube.get(KSVC_PATH);
    const patch = predicted.objects.find((o) => o.patch && o.object.kind === "Service")!.object;
    expect(template(ksvc).metadata.annotations).toEqual(template(patch).metadata.annotations);
    expect(template(ksvc).spec).toMatchObject(template(patch).spec);
    // The owner's fields are untouched: its container, its labels.
    expect((template(ksvc).spec.containers as { image: string }[])[0].image).toBe(
      "ghcr.io/example/messaging-service:1.4.2",
    );
    expect(ksvc.metadata.labels).toEqual({ "app.kubernetes.io/name": "messaging-service" });
  });

  test("managedFields: Pulumi owns exactly the patched fields; the owner still owns its own, min/max-scale shared", async () => {
    const ksvc = await lab.cluster.kube.get(KSVC_PATH);
    const entries = ksvc.metadata.managedFields ?? [];
    const pulumi = entries.filter((m) => m.manager === OUR_MANAGER);
    expect(pulumi.map((m) => m.operation)).toEqual(["Apply"]);
    const patch = predicted.objects.find((o) => o.patch && o.object.kind === "Service")!.object;
    // The provider applies the patch's pulumi.com/patchFieldManager annotation too (destroy releases it).
    expect(ownedFieldPaths(pulumi[0].fieldsV1).sort()).toEqual(
      [MANAGER_ANNOTATION, ...fieldPaths({ spec: patch.spec })].sort(),
    );
    const owner = entries.find((m) => m.manager === OWNER)!;
    const ownerPaths = ownedFieldPaths(owner.fieldsV1);
    expect(ownerPaths).toEqual(
      expect.arrayContaining([
        "spec.template.metadata.annotations.autoscaling.knative.dev/min-scale",
        "spec.template.metadata.annotations.autoscaling.knative.dev/max-scale",
      ]),
    );
    expect(ownerPaths.some((p) => p.startsWith("spec.template.spec.containers"))).toBe(true);
    expect(ownerPaths).not.toContain("spec.template.spec.timeoutSeconds");
  });

  test("config-defaults: the stack (as ws-exposure) owns max-revision-timeout-seconds; the release's _example stays kubectl's", async () => {
    const cm = await lab.cluster.kube.get("/api/v1/namespaces/knative-serving/configmaps/config-defaults");
    expect((cm.data as Record<string, string>)["max-revision-timeout-seconds"]).toBe("3600");
    const owners = Object.fromEntries(
      (cm.metadata.managedFields ?? []).map((m) => [m.manager, ownedFieldPaths(m.fieldsV1)]),
    );
    expect(owners[OUR_MANAGER]).toEqual(["data.max-revision-timeout-seconds", MANAGER_ANNOTATION]);
    expect(owners.kubectl).toContain("data._example");
  });

  test("the render and the real deployment agree (types, names, parents, inputs known at preview)", async () => {
    expect(compareRenderWithState(predicted.resources, await ws.exportStack())).toEqual([]);
  });

  test("a second preview shows no changes", async () => {
    const ksvc = await lab.cluster.kube.get(KSVC_PATH);
    const versions = new Map<string, string>();
    for (const { object } of predicted.objects) {
      const o = (await live(object))!;
      versions.set(objectKey(object), o.metadata.resourceVersion!);
    }
    firstUp = { generation: ksvc.metadata.generation!, versions };
    expect(changes(await ws.previewSteps())).toEqual([]);
  });

  test("a second up changes nothing: no new Knative generation (no new revision), no object rewritten", async () => {
    const up = await ws.up();
    expect(up.code).toBe(0);
    const ksvc = await lab.cluster.kube.get(KSVC_PATH);
    expect(ksvc.metadata.generation).toBe(firstUp.generation);
    const rewritten: string[] = [];
    for (const { object } of predicted.objects) {
      const o = (await live(object))!;
      // Pods of the HAProxy Deployment come and go in status only; objects Pulumi wrote must not change.
      if (
        firstUp.versions.get(objectKey(object)) !== o.metadata.resourceVersion &&
        object.kind !== "Deployment"
      ) {
        rewritten.push(objectKey(object));
      }
    }
    expect(rewritten).toEqual([]);
  });

  test("haproxyReplicas 2 -> 3: preview and up change exactly what the render says changes", async () => {
    const after = await render("staging", ["--set", "haproxyReplicas=3"]);
    const before = new Map(
      predicted.resources.map((r) => [`${r.type}::${r.name}`, JSON.stringify(r.inputs)]),
    );
    const expected = after.resources
      .filter((r) => before.get(`${r.type}::${r.name}`) !== JSON.stringify(r.inputs))
      .map((r) => `${r.type}::${r.name}`)
      .sort();
    expect(expected.length).toBeGreaterThan(0);
    ws.editStackConfig((c) => (c["ws-exposure:haproxyReplicas"] = 3));
    const preview = await ws.previewSteps();
    const planned = preview.steps
      .filter((s) => s.op !== "same")
      .map((s) => `${s.op} ${s.urn.split("::")[2].split("$").pop()}::${urnName(s.urn)}`)
      .sort();
    expect(planned).toEqual(expected.map((e) => `update ${e}`));
    const generation = (await lab.cluster.kube.get(KSVC_PATH)).metadata.generation;
    expect((await ws.up()).code).toBe(0);
    const deployment = await lab.cluster.kube.get(
      "/apis/apps/v1/namespaces/agents-whatsapp-rust/deployments/staging-haproxy",
    );
    expect((deployment.spec as { replicas: number }).replicas).toBe(3);
    expect((await lab.cluster.kube.get(KSVC_PATH)).metadata.generation).toBe(generation);
    predicted = after;
    expect(compareRenderWithState(predicted.resources, await ws.exportStack())).toEqual([]);
  });

  test("pulumi destroy removes what the stack created, releases its fields, leaves the Knative Service to its owner", async () => {
    const destroy = await ws.destroy();
    expect(destroy.code).toBe(0);
    const left: string[] = [];
    for (const { object, patch } of predicted.objects) {
      if (!patch && (await live(object))) left.push(objectKey(object));
    }
    expect(left).toEqual([]);
    const ksvc = await lab.cluster.kube.get(KSVC_PATH);
    expect((ksvc.metadata.managedFields ?? []).map((m) => m.manager)).toEqual([OWNER]);
    expect(template(ksvc).metadata.annotations).toEqual({
      "autoscaling.knative.dev/min-scale": "2",
      "autoscaling.knative.dev/max-scale": "10",
    });
    expect(template(ksvc).spec.timeoutSeconds).toBeUndefined();
    const cm = await lab.cluster.kube.get("/api/v1/namespaces/knative-serving/configmaps/config-defaults");
    expect(Object.keys(cm.data as object)).toEqual(["_example"]);
  });
});
