/**
 * bench P5's pure pieces: the baseline program generated from a render, the median of the runs and
 * the worst stack's ratio.
 */
import {
  baselineProgram,
  cloudflareClass,
  kubernetesPatchClass,
  worstRatio,
} from "../../bench/lib/previewBaseline";
import { median } from "../../bench/lib/stats";

const versions = {
  "@pulumi/pulumi": "3.248.0",
  "@pulumi/kubernetes": "4.25.0",
  "@pulumi/cloudflare": "6.22.1",
};

const tunnelStack = {
  stack: "dev",
  versions,
  resources: [
    { type: "ws-exposure:index:TunnelExposure", name: "dev", inputs: {} },
    {
      type: "cloudflare:index/dnsRecord:DnsRecord",
      name: "dev-dns",
      inputs: { content: "(known after deploy)", name: "messaging-dev.example.com", type: "CNAME" },
    },
    {
      type: "cloudflare:index/zeroTrustTunnelCloudflared:ZeroTrustTunnelCloudflared",
      name: "dev-tunnel",
      inputs: { name: "ws-exposure-dev" },
    },
    { type: "kubernetes:core/v1:Secret", name: "dev-tunnel-token", inputs: {} },
  ],
  objects: [
    {
      type: "kubernetes:core/v1:Secret",
      resourceName: "dev-tunnel-token",
      patch: false,
      object: {
        apiVersion: "v1",
        kind: "Secret",
        metadata: { name: "t", namespace: "n" },
        stringData: "(known after deploy)",
      },
    },
    {
      type: "kubernetes:serving.knative.dev/v1:ServicePatch",
      resourceName: "dev-knative-service",
      patch: true,
      object: {
        apiVersion: "serving.knative.dev/v1",
        kind: "Service",
        metadata: {
          name: "messaging-service",
          annotations: { "pulumi.com/patchFieldManager": "(known after deploy)" },
        },
        spec: { template: { spec: { timeoutSeconds: 3600 } } },
      },
    },
  ],
};

describe("the baseline program of a render", () => {
  test("declares the tunnel first, the other Cloudflare resources on its id, the objects in one ConfigGroup and the patches as patches", () => {
    const files = baselineProgram(tunnelStack);
    expect(files["index.ts"]).toBe(
      [
        'import * as k8s from "@pulumi/kubernetes";',
        'import * as cloudflare from "@pulumi/cloudflare";',
        "",
        'const cf0 = new cloudflare.ZeroTrustTunnelCloudflared("dev-tunnel", {',
        '  "name": "ws-exposure-dev"',
        "});",
        "const unknownAtPreview = cf0.id;",
        'const cf1 = new cloudflare.DnsRecord("dev-dns", {',
        '  "content": unknownAtPreview,',
        '  "name": "messaging-dev.example.com",',
        '  "type": "CNAME"',
        "});",
        'new k8s.yaml.v2.ConfigGroup("dev-objects", { objs: [',
        "  {",
        '    "apiVersion": "v1",',
        '    "kind": "Secret",',
        '    "metadata": {',
        '      "name": "t",',
        '      "namespace": "n"',
        "    },",
        '    "stringData": { "token": unknownAtPreview }',
        "  }",
        "] });",
        'new k8s.apiextensions.CustomResourcePatch("dev-knative-service", {',
        '  "apiVersion": "serving.knative.dev/v1",',
        '  "kind": "Service",',
        '  "metadata": {',
        '    "name": "messaging-service"',
        "  },",
        '  "spec": {',
        '    "template": {',
        '      "spec": {',
        '        "timeoutSeconds": 3600',
        "      }",
        "    }",
        "  }",
        "});",
        "",
      ].join("\n"),
    );
    expect(JSON.parse(files["package.json"])).toEqual({
      name: "preview-baseline",
      main: "index.ts",
      dependencies: versions,
    });
    expect(files["Pulumi.yaml"]).toContain(
      "runtime:\n  name: nodejs\n  options:\n    typescript: true\nmain: index.ts\n",
    );
    expect(JSON.parse(files["tsconfig.json"]).files).toEqual(["index.ts"]);
  });

  test("a stack without Cloudflare resources imports neither the SDK nor depends on it", () => {
    const files = baselineProgram({ ...tunnelStack, resources: [], objects: [tunnelStack.objects[1]] });
    expect(files["index.ts"]).not.toContain("cloudflare");
    expect(Object.keys(JSON.parse(files["package.json"]).dependencies)).toEqual([
      "@pulumi/pulumi",
      "@pulumi/kubernetes",
    ]);
  });

  test("a value known only after deploy with no tunnel to stand for it is refused, naming where", () => {
    expect(() =>
      baselineProgram({ ...tunnelStack, resources: [], objects: [tunnelStack.objects[0]] }),
    ).toThrow("baseline: k8s objects has a value known only after deploy, and the stack declares no tunnel");
  });

  test("a patch's class: the typed one for a built-in kind, CustomResourcePatch for a custom resource", () => {
    expect(kubernetesPatchClass("kubernetes:core/v1:ConfigMapPatch")).toBe("k8s.core.v1.ConfigMapPatch");
    expect(kubernetesPatchClass("kubernetes:apps/v1:DeploymentPatch")).toBe("k8s.apps.v1.DeploymentPatch");
    expect(kubernetesPatchClass("kubernetes:serving.knative.dev/v1:ServicePatch")).toBe(
      "k8s.apiextensions.CustomResourcePatch",
    );
    expect(() => kubernetesPatchClass("kubernetes:core/v1:ConfigMap")).toThrow(
      'baseline: "kubernetes:core/v1:ConfigMap" is not a Kubernetes patch type',
    );
  });

  test("a Cloudflare type outside the SDK's top-level module is refused", () => {
    expect(() => cloudflareClass("cloudflare:zones/zone:Zone")).toThrow(
      'baseline: no @pulumi/cloudflare class for resource type "cloudflare:zones/zone:Zone"',
    );
  });
});

describe("the figures", () => {
  test("median of an odd and an even count", () => {
    expect(median([5, 1, 3, 9, 2])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  test("the worst stack's ratio is the largest program / baseline, not the slowest program", () => {
    expect(worstRatio({ dev: 12, staging: 6, prod: 14 }, { dev: 10, staging: 4, prod: 14 })).toEqual({
      stack: "staging",
      ratio: 1.5,
    });
  });

  test("a stack without a baseline time is an error, not a ratio of Infinity", () => {
    expect(() => worstRatio({ dev: 12 }, { dev: 0 })).toThrow("no baseline time for stack dev");
  });
});
