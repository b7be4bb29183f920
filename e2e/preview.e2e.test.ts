/**
 * `pulumi preview` of every stack with the real engine, language host and provider plugins against
 * the test cluster, with and without the policy pack; a policy violation fails the preview with the
 * policy's own message.
 */
import { useHomelab } from "./fixture";
import { render } from "./k8sRender";
import { POLICY_PACK, urnName, Workspace } from "./pulumi";
import { describeWith } from "./requirements";
import { cloudflarePlugin } from "./cloudflarePlugin";
import { stackWorkspace } from "./stackSetup";
import { CONTROL_PLANE, PULUMI } from "./toolchain";

const BASE = [...CONTROL_PLANE, ...PULUMI];

const STACKS = ["dev", "staging", "prod"];

describeWith(BASE, "pulumi preview against the test cluster", () => {
  // Previews change nothing: one cluster for the whole file.
  const lab = useHomelab();

  for (const stack of STACKS) {
    describe(`pulumi preview of ${stack} (Cloudflare provider: ${cloudflarePlugin().kind})`, () => {
      let ws: Workspace;
      beforeAll(
        async () => {
          ws = await stackWorkspace(lab, stack);
        },
        5 * 60 * 1000,
      );
      afterAll(() => ws?.cleanup());

      test("plans to create exactly the resources the render lists", async () => {
        const predicted = await render(stack);
        const preview = await ws.previewSteps();
        const planned = preview.steps
          .filter((s) => !s.urn.includes("pulumi:pulumi:Stack") && !s.urn.includes("pulumi:providers:"))
          .map((s) => `${s.op} ${s.urn.split("::")[2].split("$").pop()}::${urnName(s.urn)}`)
          .sort();
        expect(planned).toEqual(predicted.resources.map((r) => `create ${r.type}::${r.name}`).sort());
      });

      test("passes the policy pack", async () => {
        const preview = await ws.preview(["--policy-pack", POLICY_PACK]);
        expect(preview.output).not.toMatch(/mandatory|violation/i);
        expect(preview.code).toBe(0);
      });
    });
  }

  describe("cloud-example (an AWS NLB with ip targets): the pack's pod readiness gate policies", () => {
    let ws: Workspace;
    beforeAll(
      async () => {
        ws = await stackWorkspace(lab, "cloud-example");
      },
      5 * 60 * 1000,
    );
    afterAll(() => ws?.cleanup());

    test("its namespace is not in the stack: the advisory policy names it, the preview passes", async () => {
      const preview = await ws.preview(["--policy-pack", POLICY_PACK]);
      expect({ code: preview.code, mandatory: /mandatory/i.test(preview.output) }).toEqual({
        code: 0,
        mandatory: false,
      });
      expect(preview.output).toContain("aws-nlb-pod-readiness-gate-unverified");
      expect(preview.output).toContain(
        'Service "cloud-example-lb": an AWS NLB with "ip" targets in namespace "agents-whatsapp-rust", which is not in this stack',
      );
    });
  });

  describe("a policy violation fails the preview", () => {
    let ws: Workspace;
    beforeAll(
      async () => {
        // Allowed by the component when asked by name: plain ws:// on a LoadBalancer straight to port 8080.
        ws = await stackWorkspace(lab, "staging", {
          unset: [
            "zoneId",
            "l4DnsTarget",
            "certManagerIssuer",
            "certManagerIssuerKind",
            "haproxyReplicas",
            "haproxyHardStopAfterSeconds",
          ],
          set: { tlsMode: "none", acknowledgeInsecure: true, l4Route: "force-port-8080" },
        });
      },
      5 * 60 * 1000,
    );
    afterAll(() => ws?.cleanup());

    test("without the pack the preview passes", async () => {
      expect((await ws.preview()).code).toBe(0);
    });

    test("with the pack it fails, naming the policy, the field and the fix", async () => {
      const preview = await ws.preview(["--policy-pack", POLICY_PACK]);
      expect(preview.code).not.toBe(0);
      expect(preview.output).toContain("knative-loadbalancer-bypasses-queue-proxy");
      expect(preview.output).toContain(
        "spec.ports[0].targetPort 8080 sends LoadBalancer traffic straight to the Knative user container (selector serving.knative.dev/service=messaging-service), bypassing the queue-proxy",
      );
    });
  });
});
