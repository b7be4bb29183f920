/**
 * The test cluster itself: a real kube-apiserver that reports a real version, the upstream CRDs
 * served with their schemas enforced, the homelab's state in place, and nothing left behind.
 */
import * as fs from "node:fs";
import { holdsWithin } from "../support/wait";
import { startCluster } from "./cluster";
import { useHomelab } from "./fixture";
import { KSVC_PATH, OWNER } from "./homelab";
import { KubeError, KubeObject } from "./kube";
import { describeWith } from "./requirements";
import { CONTROL_PLANE } from "./toolchain";

describeWith(CONTROL_PLANE, "the end-to-end test cluster", () => {
  const lab = useHomelab();

  test("the API server reports a real Kubernetes version (the provider refuses v0.0)", async () => {
    const version = await lab.cluster.kube.get<{ major: string; minor: string; gitVersion: string }>(
      "/version",
    );
    expect(version.major).toBe("1");
    expect(Number(version.minor)).toBeGreaterThanOrEqual(30);
    expect(version.gitVersion).toMatch(/^v1\.\d+\.\d+$/);
  });

  test.each([
    ["serving.knative.dev/v1", "Service"],
    ["metallb.io/v1beta1", "IPAddressPool"],
    ["metallb.io/v1beta1", "L2Advertisement"],
    ["metallb.io/v1beta1", "BGPAdvertisement"],
    ["metallb.io/v1beta2", "BGPPeer"],
    ["cert-manager.io/v1", "Certificate"],
    ["monitoring.coreos.com/v1", "ServiceMonitor"],
    ["monitoring.coreos.com/v1", "PrometheusRule"],
  ])("%s %s is served (upstream CRD installed)", async (apiVersion, kind) => {
    await expect(lab.cluster.kube.collectionPath(apiVersion, kind, "default")).resolves.toContain(
      `/apis/${apiVersion}/namespaces/default/`,
    );
  });

  test("the CRDs' schemas are enforced: MetalLB refuses an IPAddressPool whose addresses is not a list", async () => {
    const bad: KubeObject = {
      apiVersion: "metallb.io/v1beta1",
      kind: "IPAddressPool",
      metadata: { name: "bad", namespace: "metallb-system" },
      spec: { addresses: "192.168.1.240/29" },
    };
    const err = await lab.cluster.kube.create(bad).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KubeError);
    expect((err as KubeError).status).toBe(422);
    expect((err as KubeError).body).toContain("spec.addresses");
  });

  test("the homelab's Knative Service exists, owned by its Argo CD field manager, min/max-scale set", async () => {
    const ksvc = await lab.cluster.kube.get(KSVC_PATH);
    const spec = ksvc.spec as { template: { metadata: { annotations: Record<string, string> } } };
    expect(spec.template.metadata.annotations).toEqual({
      "autoscaling.knative.dev/min-scale": "2",
      "autoscaling.knative.dev/max-scale": "10",
    });
    const managers = (ksvc.metadata.managedFields ?? []).map((m) => `${m.manager}/${m.operation}`);
    expect(managers).toEqual([`${OWNER}/Apply`]);
  });

  test("Knative's ConfigMaps are the release's (config-defaults holds only _example)", async () => {
    const cm = await lab.cluster.kube.get<{ data: Record<string, string> }>(
      "/api/v1/namespaces/knative-serving/configmaps/config-defaults",
    );
    expect(Object.keys(cm.data)).toEqual(["_example"]);
    for (const name of ["config-features", "config-kourier"]) {
      await expect(
        lab.cluster.kube.get(`/api/v1/namespaces/knative-serving/configmaps/${name}`),
      ).resolves.toBeDefined();
    }
  });

  test("the controller manager makes the revision's pods, the stand-in node reports them Ready, the Deployment becomes available", async () => {
    const kube = lab.cluster.kube;
    const state = async () => {
      const pods = await kube.list(
        "/api/v1/namespaces/agents-whatsapp-rust/pods?labelSelector=serving.knative.dev%2Fservice%3Dmessaging-service",
      );
      const deployment = await kube.get<{ status: { availableReplicas?: number } }>(
        "/apis/apps/v1/namespaces/agents-whatsapp-rust/deployments/messaging-service-00001-deployment",
      );
      const ready = pods.filter((p) =>
        ((p.status as { conditions?: { type: string; status: string }[] })?.conditions ?? []).some(
          (c) => c.type === "Ready" && c.status === "True",
        ),
      ).length;
      return { pods: pods.length, ready, available: deployment.status.availableReplicas ?? 0 };
    };
    let seen = await state();
    await holdsWithin(async () => (seen = await state()).available >= 2, 60_000, 500);
    expect(seen).toEqual({ pods: 2, ready: 2, available: 2 });
  });
});

describeWith(["etcd", "kube-apiserver"], "stopping the test cluster", () => {
  test("stop() ends every process it started and removes its folder", async () => {
    const cluster = await startCluster({ controllerManager: false });
    const pids = fs
      .readdirSync("/proc")
      .filter((p) => /^\d+$/.test(p))
      .filter((p) => {
        try {
          return fs.readFileSync(`/proc/${p}/cmdline`, "utf8").includes(cluster.dir);
        } catch {
          return false;
        }
      });
    expect(pids.length).toBe(2); // etcd and kube-apiserver, both named by their data/cert folder
    await cluster.stop();
    for (const pid of pids) expect(fs.existsSync(`/proc/${pid}`)).toBe(false);
    expect(fs.existsSync(cluster.dir)).toBe(false);
  });
});
