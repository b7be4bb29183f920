/**
 * The component package consumed from another Pulumi language, for real: the Pulumi YAML program
 * examples/yaml creates an L4Exposure for the homelab's Knative Service and `pulumi up`s it against
 * the test cluster, with the locally built CLI, pulumi-language-yaml (toolchain group `anylang`) and
 * the package's provider (provider/), and previews it rewritten onto an AWS NLB with HAProxy (paced
 * drain, session ticket keys as `fn::secret`s, which never appear in clear); examples/yaml-hybrid previews a HybridExposure (its tunnel
 * through the Cloudflare provider plugin and the local API stand-in), also with its `monitor` on.
 * The Go program examples/go previews a TunnelExposure through the SDK `pulumi package gen-sdk
 * --language go` generates (stand-in pulumi-language-go, group `anylang`). In each, one bad
 * argument shows the same validation error as TypeScript.
 */
import * as fs from "node:fs";
import { useHomelab } from "./fixture";
import { KSVC, YAML_METALLB_AND_TLS } from "./homelab";
import { PreviewJson, Workspace } from "./pulumi";
import { describeWith } from "./requirements";
import { CONTROL_PLANE, PULUMI } from "./toolchain";
import * as path from "node:path";
import { HybridExposure, L4Exposure, L4ExposureArgs, TunnelExposure } from "../components";
import { planL4 } from "../components/l4/plan";
import { loadBalancerServiceSpec } from "../components/l4/kube";
import { budgetMessage } from "../components/core/announceBudget";
import { AWS_PROXY_PROTOCOL } from "../components/policyChecks/cloudLoadBalancer";
import { stackWorkspace } from "./stackSetup";

/** The file's workspaces (their state, project copies and Pulumi homes), removed once its tests ran. */
const workspaces: Workspace[] = [];
const kept = (ws: Workspace) => {
  workspaces.push(ws);
  return ws;
};
afterAll(() => workspaces.forEach((ws) => ws.cleanup()));

const YAML_PROJECT = "examples/yaml";

/** The message a TypeScript component throws for a bad argument (`build` constructs it). */
function typeScriptMessage(build: () => unknown, accepted: string): string {
  try {
    build();
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error(accepted);
}

/** Replaces `from` with `to` in the project copy's Pulumi.yaml (one bad argument). */
function rewriteProgram(ws: Workspace, from: string, to: string): void {
  const yamlFile = path.join(ws.projectDir, "Pulumi.yaml");
  fs.writeFileSync(yamlFile, fs.readFileSync(yamlFile, "utf8").replace(from, to));
}

/** Planned steps, providers left out: `<op> <parent types>::<name>`, sorted. */
function stepNames(steps: PreviewJson["steps"]): string[] {
  return steps
    .filter((s) => !s.urn.includes("::pulumi:providers:"))
    .map((s) => `${s.op} ${s.urn.split("::").slice(-2).join("::")}`)
    .sort();
}

/** A preview's planned steps (stepNames). */
async function plannedSteps(ws: Workspace): Promise<string[]> {
  return stepNames((await ws.previewSteps()).steps);
}

/**
 * The message TypeScript's L4Exposure throws for examples/yaml's arguments with `over` (the same bad
 * argument); `accepted` is the failure when it throws none.
 */
/**
 * The message of the line the Pulumi CLI prints for a component's refusal in construct
 * (`error: <type> resource 'messaging' has a problem: <message>`); "" when there is no such line.
 */
function refusal(output: string, type: string): string {
  const prefix = `error: ws-exposure:index:${type} resource 'messaging' has a problem: `;
  const line = output.split("\n").find((l) => l.trim().startsWith(prefix));
  return line === undefined ? "" : line.trim().slice(prefix.length);
}

function typeScriptL4Error(over: Partial<L4ExposureArgs>, accepted: string): string {
  return typeScriptMessage(
    () =>
      new L4Exposure("messaging", {
        backend: { knativeService: KSVC.name, namespace: KSVC.namespace },
        websocket: { minLifetimeSeconds: 600 },
        hostname: "messaging-yaml.example.com",
        tls: { mode: "none", acknowledgeInsecure: true },
        applyKnativeSettings: false,
        ...over,
      }),
    accepted,
  );
}

/** examples/yaml's MetalLB and TLS arguments, which the aws-nlb cases below replace. */
const METALLB_AND_TLS = YAML_METALLB_AND_TLS;

/** An AWS NLB with HAProxy: PROXY protocol, an RSA certificate, a paced drain, ticket keys as secrets. */
function nlbArguments(keys: string[]): string {
  return `      loadBalancer:
        type: aws-nlb
        scheme: internal
        proxyProtocol: true
      tls:
        mode: terminate
        certificate:
          certManager:
            issuerName: letsencrypt
            keyAlgorithm: RSA
        haproxy:
          drain:
            windowSeconds: 40
            order: random
          sessionTickets:
            keys:
${keys.map((k) => `              - fn::secret: ${k}\n`).join("")}`;
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
      const ws = kept(await workspace("yaml"));
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
      // The component logs its path's budget from the provider, as TypeScript's does (--diff prints
      // diagnostics inline, on stderr).
      const tsBudget = planL4("messaging", {
        backend: { knativeService: KSVC.name, namespace: KSVC.namespace },
        websocket: { minLifetimeSeconds: 600 },
        hostname: "messaging-yaml.example.com",
        addressPool: { create: { addresses: ["192.168.1.240/29"] } },
        loadBalancerIP: "192.168.1.241",
        tls: { mode: "none", acknowledgeInsecure: true },
        applyKnativeSettings: false,
      }).budget;
      expect(up.stderr).toContain(budgetMessage(tsBudget));
      expect(up.output.split("Connection budget: l4 path").length - 1).toBe(1);
    });

    test("a loadBalancerIP outside the pool fails with TypeScript's validation message", async () => {
      const ws = kept(await workspace("yamlbad"));
      const expected = typeScriptL4Error(
        { addressPool: { create: { addresses: ["192.168.1.240/29"] } }, loadBalancerIP: "10.0.0.9" },
        "L4Exposure accepted a loadBalancerIP outside its pool",
      );
      rewriteProgram(ws, "loadBalancerIP: 192.168.1.241", "loadBalancerIP: 10.0.0.9");
      const preview = await ws.preview();
      console.log(`YAML program's refused preview printed:\n${preview.output}`);
      expect(preview.code).not.toBe(0);
      expect(refusal(preview.output, "L4Exposure")).toBe(expected);
      // The refusal is the message alone: no JavaScript stack trace from the provider process.
      expect(preview.output).not.toMatch(/^\s+at /m);
    });

    test("an aws-nlb L4Exposure with HAProxy (drain, secret ticket keys, RSA key) previews; the keys appear nowhere in clear", async () => {
      const ws = kept(await workspace("yamlnlb"));
      const keys = [1, 2, 3].map((i) => Buffer.alloc(80, 16 + i).toString("base64"));
      rewriteProgram(ws, METALLB_AND_TLS, nlbArguments(keys));
      const result = await ws.expectOk(["preview", "--json"]);
      for (const key of keys) expect(result.stdout).not.toContain(key);
      const steps = (JSON.parse(result.stdout) as PreviewJson).steps;
      const planned = stepNames(steps);
      console.log(`YAML consumer's aws-nlb L4Exposure preview:\n${planned.join("\n")}`);
      const l4 = "ws-exposure:index:L4Exposure";
      // No MetalLB object; the HAProxy tier with its Certificate, ticket Secret and drain sidecar.
      expect(planned).toEqual([
        "create pulumi:pulumi:Stack::ws-exposure-yaml-yamlnlb",
        `create ${l4}$kubernetes:apps/v1:Deployment::messaging-haproxy`,
        `create ${l4}$kubernetes:cert-manager.io/v1:Certificate::messaging-tls`,
        `create ${l4}$kubernetes:core/v1:ConfigMap::messaging-haproxy`,
        `create ${l4}$kubernetes:core/v1:Secret::messaging-haproxy-tickets`,
        `create ${l4}$kubernetes:core/v1:Service::messaging-backend`,
        `create ${l4}$kubernetes:core/v1:Service::messaging-lb`,
        `create ${l4}$kubernetes:policy/v1:PodDisruptionBudget::messaging-haproxy`,
        `create ${l4}::messaging`,
      ]);
      // The NLB's annotations (scheme, target type, PROXY protocol, ...) are TypeScript's for the same args.
      const lb = steps.find((s) => s.urn.endsWith("::messaging-lb")) as {
        newState?: { inputs?: { metadata?: { annotations?: Record<string, string> } } };
      };
      const tsPlan = planL4("messaging", {
        backend: { knativeService: KSVC.name, namespace: KSVC.namespace },
        websocket: { minLifetimeSeconds: 600 },
        hostname: "messaging-yaml.example.com",
        loadBalancer: { type: "aws-nlb", scheme: "internal", proxyProtocol: true },
        tls: {
          mode: "terminate",
          certificate: { certManager: { issuerName: "letsencrypt", keyAlgorithm: "RSA" } },
          haproxy: { drain: { windowSeconds: 40, order: "random" }, sessionTickets: { keys } },
        },
        applyKnativeSettings: false,
      });
      const annotations = loadBalancerServiceSpec(tsPlan).metadata.annotations as Record<string, string>;
      expect(annotations[AWS_PROXY_PROTOCOL]).toBe("*");
      expect(lb.newState?.inputs?.metadata?.annotations).toEqual(annotations);
      // "ip" targets: the preview warns, on the L4Exposure, that the namespace needs the pod readiness gate label.
      const warnings = (JSON.parse(result.stdout) as PreviewJson).diagnostics?.filter(
        (d) => d.severity === "warning" && d.message.includes("pod readiness gate"),
      );
      expect(warnings?.map((d) => [d.urn?.split("::").pop(), d.message.trim()])).toEqual(
        tsPlan.warnings
          .map(String)
          .filter((w) => w.includes("pod readiness gate"))
          .map((w) => ["messaging", `warning: ${w}`]),
      );
    });

    test("the same NLB with loadBalancer.podReadinessGate namespaceLabelled: no readiness-gate warning; the Service says so for the policy pack", async () => {
      const ws = kept(await workspace("yamlnlbgate"));
      const keys = [1, 2, 3].map((i) => Buffer.alloc(80, 32 + i).toString("base64"));
      rewriteProgram(
        ws,
        METALLB_AND_TLS,
        nlbArguments(keys).replace(
          "        proxyProtocol: true\n",
          "        proxyProtocol: true\n        podReadinessGate: namespaceLabelled\n",
        ),
      );
      const result = await ws.expectOk(["preview", "--json"]);
      const preview = JSON.parse(result.stdout) as PreviewJson;
      expect(preview.diagnostics?.filter((d) => d.message.includes("pod readiness gate")) ?? []).toEqual([]);
      const lb = preview.steps.find((s) => s.urn.endsWith("::messaging-lb")) as {
        newState?: { inputs?: { metadata?: { annotations?: Record<string, string> } } };
      };
      expect(lb.newState?.inputs?.metadata?.annotations?.["ws-exposure.dev/pod-readiness-gate"]).toBe(
        "namespaceLabelled",
      );
    });

    test("tls mode loadBalancer on an NLB without certificateArn fails with TypeScript's validation message", async () => {
      const ws = kept(await workspace("yamlnlbbad"));
      rewriteProgram(
        ws,
        METALLB_AND_TLS,
        "      loadBalancer:\n        type: aws-nlb\n      tls:\n        mode: loadBalancer\n",
      );
      const preview = await ws.preview();
      expect(preview.code).not.toBe(0);
      expect(refusal(preview.output, "L4Exposure")).toBe(
        typeScriptL4Error(
          { loadBalancer: { type: "aws-nlb" }, tls: { mode: "loadBalancer" } },
          "L4Exposure accepted tls mode loadBalancer without certificateArn",
        ),
      );
      // The refusal is the message alone: no JavaScript stack trace from the provider process.
      expect(preview.output).not.toMatch(/^\s+at /m);
    });
  },
);

const YAML_HYBRID_PROJECT = "examples/yaml-hybrid";
const YAML_HYBRID_HTTP = "messaging-yaml.example.com";
const YAML_HYBRID_WS = "ws.messaging-yaml.example.com";

/** The message TypeScript's HybridExposure throws when wsHostname is httpHostname. */
function typeScriptHybridError(): string {
  return typeScriptMessage(
    () =>
      new HybridExposure("messaging", {
        backend: { knativeService: KSVC.name, namespace: KSVC.namespace },
        websocket: { minLifetimeSeconds: 600 },
        knative: { minScale: 2, maxScale: 10 },
        httpHostname: YAML_HYBRID_HTTP,
        wsHostname: YAML_HYBRID_HTTP,
        fallback: true,
        tunnel: {
          accountId: "00000000000000000000000000000000",
          zoneId: "11111111111111111111111111111111",
          tunnel: { create: { name: "ws-exposure-yaml-hybrid" } },
        },
        l4: {
          addressPool: { create: { addresses: ["192.168.1.240/29"] } },
          loadBalancerIP: "192.168.1.242",
          tls: { mode: "none", acknowledgeInsecure: true },
          dns: { zoneId: "11111111111111111111111111111111", target: { address: "203.0.113.7" } },
        },
      }),
    "HybridExposure accepted wsHostname equal to httpHostname",
  );
}

describeWith(
  [...CONTROL_PLANE, ...PULUMI, "pulumi-language-yaml"],
  "the component package's HybridExposure from Pulumi YAML",
  () => {
    const lab = useHomelab();

    test("pulumi preview plans the Knative patch, the tunnel path and the L4 path under the HybridExposure", async () => {
      const ws = kept(await stackWorkspace(lab, "yamlhybrid", { project: YAML_HYBRID_PROJECT }));
      const planned = await plannedSteps(ws);
      console.log(`YAML consumer's HybridExposure preview:\n${planned.join("\n")}`);
      const hybrid = "ws-exposure:index:HybridExposure";
      const knative = `${hybrid}$ws-exposure:index:KnativeSettings`;
      const l4 = `${hybrid}$ws-exposure:index:L4Exposure`;
      const tunnel = `${hybrid}$ws-exposure:index:TunnelExposure`;
      // One Knative patch behind the admission check, which the package's provider serves itself
      // (no dynamic resource: a YAML program has no node_modules for its host); no HAProxy (tls none).
      expect(planned).toEqual([
        "create pulumi:pulumi:Stack::ws-exposure-yaml-hybrid-yamlhybrid",
        `create ${knative}$kubernetes:serving.knative.dev/v1:ServicePatch::messaging-knative-service`,
        `create ${knative}$ws-exposure:knative:AdmissionGate::messaging-knative-admission`,
        `create ${knative}::messaging-knative`,
        `create ${l4}$cloudflare:index/dnsRecord:DnsRecord::messaging-l4-dns`,
        `create ${l4}$kubernetes:core/v1:Service::messaging-l4-lb`,
        `create ${l4}$kubernetes:metallb.io/v1beta1:IPAddressPool::messaging-l4-pool`,
        `create ${l4}$kubernetes:metallb.io/v1beta1:L2Advertisement::messaging-l4-l2`,
        `create ${l4}::messaging-l4`,
        `create ${tunnel}$cloudflare:index/dnsRecord:DnsRecord::messaging-tunnel-dns`,
        `create ${tunnel}$cloudflare:index/zeroTrustTunnelCloudflared:ZeroTrustTunnelCloudflared::messaging-tunnel-tunnel`,
        `create ${tunnel}$cloudflare:index/zeroTrustTunnelCloudflaredConfig:ZeroTrustTunnelCloudflaredConfig::messaging-tunnel-tunnel-config`,
        `create ${tunnel}$kubernetes:apps/v1:Deployment::messaging-tunnel-cloudflared`,
        `create ${tunnel}$kubernetes:core/v1:Secret::messaging-tunnel-tunnel-token`,
        `create ${tunnel}$kubernetes:policy/v1:PodDisruptionBudget::messaging-tunnel-cloudflared`,
        `create ${tunnel}::messaging-tunnel`,
        `create ${hybrid}::messaging`,
      ]);
    });

    test("wsHostname equal to httpHostname fails with TypeScript's validation message", async () => {
      const ws = kept(await stackWorkspace(lab, "yamlhybridbad", { project: YAML_HYBRID_PROJECT }));
      rewriteProgram(ws, `wsHostname: ${YAML_HYBRID_WS}`, `wsHostname: ${YAML_HYBRID_HTTP}`);
      const preview = await ws.preview();
      expect(preview.code).not.toBe(0);
      expect(refusal(preview.output, "HybridExposure")).toBe(typeScriptHybridError());
      // The refusal is the message alone: no JavaScript stack trace from the provider process.
      expect(preview.output).not.toMatch(/^\s+at /m);
    });

    test("monitor enabled plans a WsMonitor against wsUrl and one against fallbackWsUrl", async () => {
      const ws = kept(await stackWorkspace(lab, "yamlhybridmon", { project: YAML_HYBRID_PROJECT }));
      // A stand-in for the bundled probe (`npm run build` is not part of the e2e run).
      const bundlePath = path.join(ws.dir, "wsprobe.js");
      fs.writeFileSync(bundlePath, "console.log('wsprobe');\n");
      rewriteProgram(
        ws,
        "fallback: true\n",
        `fallback: true\n      monitor: { enabled: true, bundlePath: ${JSON.stringify(bundlePath)} }\n`,
      );
      const monitors = (await plannedSteps(ws)).filter((s) => s.includes("WsMonitor"));
      const monitor = "ws-exposure:index:HybridExposure$ws-exposure:index:WsMonitor";
      expect(monitors).toEqual(
        ["messaging-fallback-monitor", "messaging-monitor"]
          .flatMap((name) => [
            `create ${monitor}$kubernetes:apps/v1:Deployment::${name}`,
            `create ${monitor}$kubernetes:core/v1:ConfigMap::${name}-script`,
            `create ${monitor}$kubernetes:core/v1:Service::${name}-metrics`,
            `create ${monitor}::${name}`,
          ])
          .sort(),
      );
    });
  },
);

const GO_PROJECT = "examples/go";
const BAD_HOSTNAME = "Not_A_Host";

/** The message TypeScript's TunnelExposure throws for the same bad hostname. */
function typeScriptTunnelError(): string {
  return typeScriptMessage(
    () =>
      new TunnelExposure("messaging", {
        backend: { knativeService: KSVC.name, namespace: KSVC.namespace },
        websocket: { minLifetimeSeconds: 600 },
        applyKnativeSettings: false,
        accountId: "00000000000000000000000000000000",
        zoneId: "11111111111111111111111111111111",
        hostname: BAD_HOSTNAME,
        tunnel: { create: { name: "ws-exposure-go" } },
      }),
    `TunnelExposure accepted the hostname ${BAD_HOSTNAME}`,
  );
}

describeWith(
  [...CONTROL_PLANE, ...PULUMI, "pulumi-language-go"],
  "the component package from Go (generated SDK)",
  () => {
    const lab = useHomelab();

    /** The Go project copy with its SDK generated by the CLI into sdk/ (what examples/go/go.mod replaces). */
    async function goWorkspace(stack: string, hostname: string): Promise<Workspace> {
      const ws = kept(
        await stackWorkspace(lab, stack, {
          project: GO_PROJECT,
          set: { "ws-exposure-go:hostname": hostname },
        }),
      );
      const schema = path.join(__dirname, "..", "provider", "schema.json");
      await ws.expectOk([
        "package",
        "gen-sdk",
        schema,
        "--language",
        "go",
        "--out",
        path.join(ws.projectDir, "sdk"),
      ]);
      fs.writeFileSync(
        path.join(ws.projectDir, "sdk", "go", "wsexposure", "go.mod"),
        "module example.com/pulumi-ws-exposure/sdk/go/ws-exposure\n\ngo 1.26.0\n\nrequire github.com/pulumi/pulumi/sdk/v3 v3.248.0\n",
      );
      return ws;
    }

    test("pulumi preview of the Go program plans the TunnelExposure and its resources", async () => {
      const ws = kept(await goWorkspace("go", "messaging-go.example.com"));
      const planned = await plannedSteps(ws);
      console.log(`Go consumer's preview:\n${planned.join("\n")}`);
      expect(planned).toEqual([
        "create pulumi:pulumi:Stack::ws-exposure-go-go",
        "create ws-exposure:index:TunnelExposure$cloudflare:index/dnsRecord:DnsRecord::messaging-dns",
        "create ws-exposure:index:TunnelExposure$cloudflare:index/zeroTrustTunnelCloudflared:ZeroTrustTunnelCloudflared::messaging-tunnel",
        "create ws-exposure:index:TunnelExposure$cloudflare:index/zeroTrustTunnelCloudflaredConfig:ZeroTrustTunnelCloudflaredConfig::messaging-tunnel-config",
        "create ws-exposure:index:TunnelExposure$kubernetes:apps/v1:Deployment::messaging-cloudflared",
        "create ws-exposure:index:TunnelExposure$kubernetes:core/v1:Secret::messaging-tunnel-token",
        "create ws-exposure:index:TunnelExposure$kubernetes:policy/v1:PodDisruptionBudget::messaging-cloudflared",
        "create ws-exposure:index:TunnelExposure::messaging",
      ]);
    });

    test("a bad hostname fails with TypeScript's validation message", async () => {
      const ws = kept(await goWorkspace("gobad", BAD_HOSTNAME));
      const preview = await ws.preview();
      expect(preview.code).not.toBe(0);
      expect(refusal(preview.output, "TunnelExposure")).toBe(typeScriptTunnelError());
      // The refusal is the message alone: no JavaScript stack trace from the provider process. The Go
      // SDK then adds "program failed: waiting for RPCs: rpc error: ... resource monitor shut down":
      // the Go program's own line, not the provider's.
      expect(preview.output).not.toMatch(/^\s+at /m);
    });
  },
);
