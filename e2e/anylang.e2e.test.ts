/**
 * The component package consumed from another Pulumi language, for real: the Pulumi YAML program
 * examples/yaml creates an L4Exposure for the homelab's Knative Service and `pulumi up`s it against
 * the test cluster, with the locally built CLI, pulumi-language-yaml (toolchain group `anylang`) and
 * the package's provider (provider/). One bad argument shows the same validation error as TypeScript.
 */
import * as fs from "node:fs";
import { useHomelab } from "./fixture";
import { KSVC } from "./homelab";
import { Workspace } from "./pulumi";
import { describeWith } from "./requirements";
import { CONTROL_PLANE, PULUMI } from "./toolchain";
import { L4Exposure } from "../components";

const YAML_PROJECT = "examples/yaml";

/** The message TypeScript's L4Exposure throws for the same bad argument. */
function typeScriptError(): string {
  try {
    new L4Exposure("messaging", {
      backend: { knativeService: KSVC.name, namespace: KSVC.namespace },
      hostname: "messaging-yaml.example.com",
      addressPool: { create: { addresses: ["192.168.1.240/29"] } },
      loadBalancerIP: "10.0.0.9",
      tls: { mode: "none", acknowledgeInsecure: true },
      applyKnativeSettings: false,
    });
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error("L4Exposure accepted a loadBalancerIP outside its pool");
}

describeWith(
  [...CONTROL_PLANE, ...PULUMI, "pulumi-language-yaml"],
  "the component package from Pulumi YAML",
  () => {
    const lab = useHomelab();

    const workspace = (stack: string) =>
      Workspace.create({
        stack,
        project: YAML_PROJECT,
        kubernetes: { kubeconfigPath: lab.cluster.kubeconfigPath, context: lab.cluster.context },
      });

    test("pulumi up creates the L4Exposure and its LoadBalancer Service", async () => {
      const ws = await workspace("yaml");
      const up = await ws.up();
      expect({ code: up.code, output: up.code === 0 ? "" : up.output }).toEqual({ code: 0, output: "" });
      console.log(`YAML consumer's pulumi up:\n${up.stdout}`);
      const resources = (await ws.exportStack())
        .filter((r) => !r.type.startsWith("pulumi:providers:"))
        .map((r) => `${r.type}::${r.urn.split("::").pop()}`)
        .sort();
      expect(resources).toEqual([
        "kubernetes:core/v1:Service::messaging-lb",
        "kubernetes:metallb.io/v1beta1:IPAddressPool::messaging-pool",
        "kubernetes:metallb.io/v1beta1:L2Advertisement::messaging-l2",
        "pulumi:pulumi:Stack::ws-exposure-yaml-yaml",
        "ws-exposure:index:L4Exposure::messaging",
      ]);
      const outputs = await ws.expectOk(["stack", "output", "url"]);
      expect(outputs.stdout.trim()).toBe("ws://messaging-yaml.example.com/ws");
    });

    test("a loadBalancerIP outside the pool fails with TypeScript's validation message", async () => {
      const ws = await workspace("yamlbad");
      const expected = typeScriptError();
      const yamlFile = `${ws.projectDir}/Pulumi.yaml`;
      fs.writeFileSync(
        yamlFile,
        fs
          .readFileSync(yamlFile, "utf8")
          .replace("loadBalancerIP: 192.168.1.241", "loadBalancerIP: 10.0.0.9"),
      );
      const preview = await ws.preview();
      expect(preview.code).not.toBe(0);
      expect(preview.output).toContain(expected);
    });
  },
);
