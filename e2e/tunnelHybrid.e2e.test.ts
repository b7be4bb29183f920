/**
 * The tunnel (dev) and hybrid (prod) stacks for real: their Kubernetes parts against the test
 * cluster, their Cloudflare parts through the Cloudflare provider plugin (the real one when the
 * toolchain has it, else the stand-in in e2e/cloudflareProvider) against a local stand-in of the
 * Cloudflare API (`cloudflare:baseUrl`).
 */
import { cloudflarePlugin } from "./cloudflarePlugin";
import { compareRenderWithState } from "./compare";
import { useHomelab } from "./fixture";
import { KSVC_PATH, OWNER } from "./homelab";
import { findLive, objectKey, removeRenders, Render, render } from "./k8sRender";
import { Workspace } from "./pulumi";
import { describeWith } from "./requirements";
import { stackWorkspace } from "./stackSetup";
import { CONTROL_PLANE, PULUMI } from "./toolchain";

afterAll(removeRenders);

const title = `tunnel and hybrid stacks for real (Cloudflare provider: ${cloudflarePlugin().kind})`;

describeWith([...CONTROL_PLANE, ...PULUMI], title, () => {
  const lab = useHomelab();

  describe.each(["dev", "prod"])("%s", (stack) => {
    let ws: Workspace;
    let predicted: Render;
    beforeAll(
      async () => {
        ws = await stackWorkspace(lab, stack);
        predicted = await render(stack);
      },
      10 * 60 * 1000,
    );
    afterAll(() => ws?.cleanup());

    const cloudflareObjects = (kind: string) =>
      [...lab.cloudflare.objects.entries()].filter(([p]) => p.includes(kind)).map(([, o]) => o);

    test("pulumi up succeeds, and the API server holds every Kubernetes object the render predicted", async () => {
      const up = await ws.up();
      expect(up.code).toBe(0);
      const missing: string[] = [];
      for (const { object } of predicted.objects) {
        if (!(await findLive(lab.cluster.kube, object))) missing.push(objectKey(object));
      }
      expect(missing).toEqual([]);
    });

    test("Cloudflare got one tunnel, its ingress rules ending in the catch-all, and proxied CNAMEs to it", async () => {
      const tunnels = cloudflareObjects("/cfd_tunnel/").filter((o) => o.tun_type === "cfd_tunnel");
      expect(tunnels).toHaveLength(1);
      const id = tunnels[0].id as string;
      const [config] = cloudflareObjects(`/cfd_tunnel/${id}/configurations`);
      const ingress = (config.config as { ingress: { service: string }[] }).ingress;
      expect(ingress[ingress.length - 1]).toEqual({ service: "http_status:404" });
      const cnames = cloudflareObjects("/dns_records/").filter((r) => r.type === "CNAME");
      expect(cnames.length).toBeGreaterThan(0);
      for (const r of cnames)
        expect({ content: r.content, proxied: r.proxied }).toEqual({
          content: `${id}.cfargotunnel.com`,
          proxied: true,
        });
    });

    test("the connector's Secret holds the token the Cloudflare API issued for the tunnel", async () => {
      const secret = predicted.objects.find((o) => o.object.kind === "Secret")!.object;
      const live = (await findLive(lab.cluster.kube, secret))!;
      const values = Object.values(live.data as Record<string, string>).map((v) =>
        Buffer.from(v, "base64").toString(),
      );
      const tunnelId = (
        cloudflareObjects("/cfd_tunnel/").find((o) => o.tun_type === "cfd_tunnel") as { id: string }
      ).id;
      const token = JSON.parse(Buffer.from(values[0], "base64").toString()) as { t: string };
      expect(token.t).toBe(tunnelId);
    });

    test("the render and the real deployment agree (types, names, parents, inputs known at preview)", async () => {
      expect(compareRenderWithState(predicted.resources, await ws.exportStack())).toEqual([]);
    });

    test("pulumi destroy removes the Kubernetes objects and the Cloudflare ones, and leaves the Knative Service to its owner", async () => {
      expect((await ws.destroy()).code).toBe(0);
      const left: string[] = [];
      for (const { object, patch } of predicted.objects) {
        if (!patch && (await findLive(lab.cluster.kube, object))) left.push(objectKey(object));
      }
      expect(left).toEqual([]);
      expect([...lab.cloudflare.objects.keys()]).toEqual([]);
      const ksvc = await lab.cluster.kube.get(KSVC_PATH);
      expect((ksvc.metadata.managedFields ?? []).map((m) => m.manager)).toEqual([OWNER]);
    });
  });
});
