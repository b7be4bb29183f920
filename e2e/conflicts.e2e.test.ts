/**
 * Server-side apply against the Knative Service's owner, for real: when the owner (Argo CD here)
 * set `timeoutSeconds` to another value, `pulumi up` fails with a message that names the field, the
 * other manager and the way out (`forceConflicts`); with `forceConflicts: true` Pulumi takes the
 * field over, and from then on the owner's own apply conflicts in turn (the tug of war docs/L4.md
 * and the README describe).
 */
import { useHomelab } from "./fixture";
import { applyOwnersKnativeService, KSVC_PATH, OWNER } from "./homelab";
import { KubeError, ownedFieldPaths } from "./kube";
import { Workspace } from "./pulumi";
import { describeWith } from "./requirements";
import { stackWorkspace } from "./stackSetup";
import { CONTROL_PLANE, PULUMI } from "./toolchain";

const TIMEOUT_PATH = "spec.template.spec.timeoutSeconds";

async function timeoutOwners(
  lab: ReturnType<typeof useHomelab>,
): Promise<{ value: unknown; owners: string[] }> {
  const ksvc = await lab.cluster.kube.get(KSVC_PATH);
  const spec = (ksvc.spec as { template: { spec: { timeoutSeconds?: number } } }).template.spec;
  const owners = (ksvc.metadata.managedFields ?? [])
    .filter((m) => ownedFieldPaths(m.fieldsV1).includes(TIMEOUT_PATH))
    .map((m) => m.manager);
  return { value: spec.timeoutSeconds, owners };
}

describeWith(
  [...CONTROL_PLANE, ...PULUMI],
  "server-side apply conflicts with the Knative Service's owner",
  () => {
    const lab = useHomelab();
    let ws: Workspace;

    beforeAll(
      async () => {
        await applyOwnersKnativeService(lab.cluster.kube, { timeoutSeconds: 600 });
        ws = await stackWorkspace(lab, "staging");
      },
      5 * 60 * 1000,
    );
    afterAll(
      async () => {
        if (ws) await ws.destroy();
        ws?.cleanup();
      },
      15 * 60 * 1000,
    );

    test("up fails with a message naming the field, the other manager and forceConflicts", async () => {
      const up = await ws.up();
      expect(up.code).not.toBe(0);
      expect(up.output).toContain("timeoutSeconds");
      expect(up.output).toContain(OWNER);
      expect(up.output).toContain("forceConflicts");
    });

    test("the failed up left the owner's value and ownership in place", async () => {
      expect(await timeoutOwners(lab)).toEqual({ value: 600, owners: [OWNER] });
    });

    test("with forceConflicts: true, up takes the field over", async () => {
      ws.editStackConfig((c) => (c["ws-exposure:forceConflicts"] = true));
      const up = await ws.up();
      expect(up.code).toBe(0);
      expect(await timeoutOwners(lab)).toEqual({ value: 3600, owners: ["ws-exposure"] });
    });

    test("then the owner's own apply conflicts in turn (the tug of war), naming the stack's manager (ws-exposure)", async () => {
      const err = await applyOwnersKnativeService(lab.cluster.kube, { timeoutSeconds: 600 }).catch(
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(KubeError);
      expect((err as KubeError).status).toBe(409);
      expect(JSON.parse((err as KubeError).body).message).toBe(
        'Apply failed with 1 conflict: conflict with "ws-exposure": .spec.template.spec.timeoutSeconds',
      );
    });
  },
);
