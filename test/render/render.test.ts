import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import YAML from "yaml";
import { RENDER_TIMEOUT_MS, STACK_RENDER_STDERR } from "../helpers/render";
import { haproxyOpenFilesNeed } from "../../components/l4/haproxy";
import { tempFolders } from "../helpers/tempFolders";

const ROOT = path.join(__dirname, "../..");
const TSX = path.join(ROOT, "node_modules/.bin/tsx");

/** The renders' output folders, removed once the file's tests ran. */
const outputFolder = tempFolders("ws-exposure-render-");

/** Runs the README's main command as a user would: a real process, real files. */
function render(args: string[]) {
  const out = outputFolder();
  const result = spawnSync(TSX, ["scripts/render.ts", "--out", out, ...args], {
    cwd: ROOT,
    encoding: "utf8",
    timeout: RENDER_TIMEOUT_MS,
  });
  const read = (f: string) =>
    fs.existsSync(path.join(out, f)) ? fs.readFileSync(path.join(out, f), "utf8") : undefined;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, out, read };
}

describe("npm run render -- --stack dev", () => {
  const r = render(["--stack", "dev"]);
  const resources = JSON.parse(r.read("resources.json") ?? "[]") as {
    type: string;
    name: string;
    parent: string | null;
    inputs: any;
  }[];

  test("exits 0 and prints the tree and the budget table", () => {
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("└─ ws-exposure:index:TunnelExposure  dev");
    expect(r.stdout).toContain("kubernetes:apps/v1:Deployment  dev-cloudflared");
    expect(r.stdout).toContain("Connection budget: tunnel path (heartbeat 5 s, lifetime wanted 3600 s)");
    expect(r.stdout).toMatch(/cloudflare-edge\s+100 s\s+none/);
    expect(r.stdout).toContain("effective: idle timeout 100 s, lifetime cap 3600 s: OK");
  });

  test("resources.json: every resource with type, name, parent and inputs", () => {
    expect(resources.map((x) => `${x.type} ${x.name} ${x.parent}`).sort()).toEqual(
      [
        "ws-exposure:index:TunnelExposure dev null",
        "ws-exposure:index:KnativeSettings dev-knative dev",
        "kubernetes:core/v1:ConfigMapPatch dev-knative-config-defaults dev-knative",
        "kubernetes:serving.knative.dev/v1:ServicePatch dev-knative-service dev-knative",
        "pulumi-nodejs:dynamic/knative:AdmissionGate dev-knative-admission dev-knative",
        "cloudflare:index/zeroTrustTunnelCloudflared:ZeroTrustTunnelCloudflared dev-tunnel dev",
        "cloudflare:index/zeroTrustTunnelCloudflaredConfig:ZeroTrustTunnelCloudflaredConfig dev-tunnel-config dev",
        "cloudflare:index/dnsRecord:DnsRecord dev-dns dev",
        "kubernetes:core/v1:Secret dev-tunnel-token dev",
        "kubernetes:apps/v1:Deployment dev-cloudflared dev",
        "kubernetes:policy/v1:PodDisruptionBudget dev-cloudflared dev",
      ].sort(),
    );
    // The parent's type too: type and name identify a resource (a child may share its parent's name).
    expect(resources.find((x) => x.name === "dev-knative")).toMatchObject({
      parent: "dev",
      parentType: "ws-exposure:index:TunnelExposure",
    });
    const dns = resources.find((x) => x.name === "dev-dns")!;
    expect(dns.inputs).toMatchObject({
      name: "messaging-dev.example.com",
      type: "CNAME",
      proxied: true,
      ttl: 1,
    });
    // The tunnel id is the provider's answer: a preview cannot know it.
    expect(dns.inputs.content).toBe("(known after deploy)");
    const patch = resources.find((x) => x.type.endsWith("ServicePatch"))!;
    expect(patch.inputs.spec.template.spec).toEqual({
      timeoutSeconds: 3600,
      responseStartTimeoutSeconds: 0,
      idleTimeoutSeconds: 0,
    });
  });

  test("k8s/: one YAML document per Kubernetes object, as applied", () => {
    const files = fs.readdirSync(path.join(r.out, "k8s")).sort();
    expect(files).toHaveLength(5);
    const deployment = YAML.parse(r.read(`k8s/${files.find((f) => f.includes("deployment"))}`)!);
    expect(deployment).toMatchObject({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "dev-cloudflared-xxxxxxxx", namespace: "agents-whatsapp-rust" },
    });
    expect(deployment.spec.template.spec.containers[0].env[0].valueFrom.secretKeyRef).toEqual({
      name: "dev-tunnel-token-xxxxxxxx",
      key: "token",
    });
  });

  test("budget.json in the documented shape", () => {
    const budget = JSON.parse(r.read("budget.json")!);
    expect(budget.paths).toHaveLength(1);
    const p = budget.paths[0];
    expect(p).toMatchObject({
      name: "tunnel",
      effectiveIdleTimeoutSeconds: 100,
      lifetimeCapSeconds: 3600,
      heartbeatSeconds: 5,
      ok: true,
    });
    expect(p.hops.map((h: any) => h.name)).toEqual([
      "client",
      "cloudflare-edge",
      "cloudflared",
      "knative-ingress",
      "activator",
      "queue-proxy",
    ]);
    expect(p.hops[0]).toEqual({
      name: "client",
      idleTimeoutSeconds: null,
      lifetimeCapSeconds: null,
      dropEvents: [],
      note: "heartbeat every 5 s",
    });
  });
});

describe("npm run render -- --stack dev --set monitorEnabled=true (the monitor's Deployment shares its component's name)", () => {
  const r = render(["--stack", "dev", "--set", "monitorEnabled=true"]);

  test("exits 0; the tree puts the Deployment under its WsMonitor; resources.json names the parent's type", () => {
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(
      [
        "   ├─ ws-exposure:index:WsMonitor  dev-monitor",
        "   │  ├─ kubernetes:core/v1:Service  dev-monitor-metrics",
        "   │  ├─ kubernetes:core/v1:ConfigMap  dev-monitor-script",
        "   │  └─ kubernetes:apps/v1:Deployment  dev-monitor",
      ].join("\n"),
    );
    const resources = JSON.parse(r.read("resources.json")!) as any[];
    expect(
      resources.find((x) => x.type === "kubernetes:apps/v1:Deployment" && x.name === "dev-monitor"),
    ).toMatchObject({ parent: "dev-monitor", parentType: "ws-exposure:index:WsMonitor" });
  });
});

describe("secrets never appear in clear", () => {
  const TOKEN = "RECOGNISABLE-TUNNEL-TOKEN-5d1c";
  const r = render([
    "--stack",
    "dev",
    "--unset",
    "tunnelName",
    "--set",
    "tunnelId=3f2a0c1e-0000-4000-8000-000000000001",
    "--set-secret",
    `tunnelToken=${TOKEN}`,
  ]);

  test("not in resources.json, the YAML, the outputs, stdout or stderr", () => {
    expect(r.status).toBe(0);
    const everything = [
      r.stdout,
      r.stderr,
      r.read("resources.json"),
      r.read("outputs.json"),
      r.read("budget.json"),
      ...fs.readdirSync(path.join(r.out, "k8s")).map((f) => r.read(`k8s/${f}`)),
    ].join("\n");
    expect(everything).not.toContain(TOKEN);
    const secret = (JSON.parse(r.read("resources.json")!) as any[]).find(
      (x) => x.type === "kubernetes:core/v1:Secret",
    );
    expect(secret.inputs.stringData).toBe("[secret]");
  });
});

describe("invalid config", () => {
  test.each([
    [
      ["--set", "heartbeatSeconds=100"],
      'TunnelExposure "dev": websocket does not fit the tunnel path\'s connection budget: ws-exposure:heartbeatSeconds 100 is too slow for the tunnel path: hop "cloudflare-edge" closes a connection idle for 100 s',
    ],
    [
      ["--set", "timeoutSeconds=600"],
      'the tunnel path caps a connection\'s life at 600 s at hop "activator", below ws-exposure:minLifetimeSeconds 3600; raise ws-exposure:timeoutSeconds to at least 3600',
    ],
    [
      ["--set", "mode=l7"],
      'stack config: ws-exposure:mode must be one of "tunnel", "l4", "hybrid" (got "l7")',
    ],
    [
      ["--set", "hearbeatSeconds=5"],
      "stack config: ws-exposure:hearbeatSeconds is not a known key; did you mean ws-exposure:heartbeatSeconds?",
    ],
  ])("%j exits 1 with the message on stderr and writes nothing", (args, message) => {
    const r = render(["--stack", "dev", ...args]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(message);
    expect(r.stdout).toBe("");
    expect(fs.readdirSync(r.out)).toEqual([]);
  });

  test("an unknown stack names the stacks there are", () => {
    const r = render(["--stack", "nope"]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(
      /no stack "nope": .*Pulumi\.nope\.yaml does not exist \(stacks here: cloud-example, dev/,
    );
  });
});

describe("every stack renders", () => {
  test("staging (l4): MetalLB, HAProxy tier, DNS-only record, the L4 budget", () => {
    const r = render(["--stack", "staging"]);
    expect(r.stderr).toBe(STACK_RENDER_STDERR.staging);
    expect(r.status).toBe(0);
    const resources = JSON.parse(r.read("resources.json")!) as any[];
    const types = resources.map((x) => x.type);
    expect(types).toEqual(
      expect.arrayContaining([
        "ws-exposure:index:L4Exposure",
        "kubernetes:metallb.io/v1beta1:IPAddressPool",
        "kubernetes:metallb.io/v1beta1:L2Advertisement",
        "kubernetes:cert-manager.io/v1:Certificate",
        "kubernetes:apps/v1:Deployment",
      ]),
    );
    expect(resources.find((x) => x.type === "cloudflare:index/dnsRecord:DnsRecord").inputs).toMatchObject({
      type: "A",
      proxied: false,
    });
    const budget = JSON.parse(r.read("budget.json")!);
    expect(budget.paths.map((p: any) => [p.name, p.ok])).toEqual([["l4", true]]);
    // maxconn 9000: HAProxy's open-files need (2 x maxconn + 40) fits a node that allows 20,000.
    const cfg = resources.find(
      (x) => x.type === "kubernetes:core/v1:ConfigMap" && x.name === "staging-haproxy",
    ).inputs.data["haproxy.cfg"];
    expect(cfg.match(/^ {4}maxconn \d+$/gm)).toEqual(["    maxconn 9000", "    maxconn 9000"]);
    expect(haproxyOpenFilesNeed(9000)).toBeLessThanOrEqual(20_000);
    expect(budget.paths[0].hops.find((h: any) => h.name === "haproxy").note).toContain(
      'maxconn 9000 needs a hard open-files limit (ulimit -Hn) of at least 18040 (2 x maxconn + 40) on the node\'s container runtime, or HAProxy exits at start ("Cannot raise FD limit")',
    );
  });

  test("prod (hybrid): both paths and both budgets", () => {
    const r = render(["--stack", "prod"]);
    expect(r.stderr).toBe(STACK_RENDER_STDERR.prod);
    expect(r.status).toBe(0);
    const outputs = JSON.parse(r.read("outputs.json")!);
    expect(outputs).toMatchObject({
      url: "wss://ws.messaging.example.com/ws",
      httpUrl: "https://messaging.example.com",
      fallbackWsUrl: "wss://messaging.example.com/ws",
    });
    const budget = JSON.parse(r.read("budget.json")!);
    expect(
      budget.paths.map((p: any) => [p.name, p.effectiveIdleTimeoutSeconds, p.lifetimeCapSeconds, p.ok]),
    ).toEqual([
      ["tunnel", 100, 3600, true],
      ["l4", 3600, 3600, true],
    ]);
    expect(budget.paths[1].reconnect.events[0]).toMatchObject({
      event: "MetalLB L2 leader change",
      reconnectAfterSeconds: 14,
    });
    expect(r.stdout).toContain("Connection budget: tunnel path");
    expect(r.stdout).toContain("Connection budget: l4 path");
  });

  test("staging with haproxyMaxconn 9000: HAProxy's global and frontend maxconn, and the memory that holds it", () => {
    const r = render(["--stack", "staging", "--set", "haproxyMaxconn=9000"]);
    expect(r.stderr).toBe(STACK_RENDER_STDERR.staging);
    expect(r.status).toBe(0);
    const cm = YAML.parse(r.read("k8s/02-configmap-staging-haproxy.yaml")!);
    expect((cm.data["haproxy.cfg"] as string).match(/^\s*maxconn \d+$/gm)!.map((l) => l.trim())).toEqual([
      "maxconn 9000",
      "maxconn 9000",
    ]);
    const deployment = YAML.parse(r.read("k8s/09-deployment-staging-haproxy.yaml")!);
    // 64Mi + 9000 x 64 KiB, rounded up to whole MiB.
    expect(deployment.spec.template.spec.containers[0].resources.limits).toEqual({ memory: "627Mi" });
  });

  test("staging with haproxyCpuRequest 300m: the HAProxy container requests it, and the drain window's warning is gone", () => {
    // The staging warning's fix: at least "297m" absorbs the 50 s window for maxconn 9000.
    expect(STACK_RENDER_STDERR.staging).toContain('or ws-exposure:haproxyCpuRequest to at least "297m"');
    const r = render(["--stack", "staging", "--set", "haproxyCpuRequest=300m"]);
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: "" });
    const deployment = YAML.parse(r.read("k8s/09-deployment-staging-haproxy.yaml")!);
    const haproxy = deployment.spec.template.spec.containers.find((c: any) => c.name === "haproxy");
    expect(haproxy.resources).toEqual({
      requests: { cpu: "300m", memory: "627Mi" },
      limits: { memory: "627Mi" },
    });
  });

  test.each(["abc", "0"])(
    "staging with haproxyCpuRequest %j exits 1, naming the key and what it takes",
    (value) => {
      const r = render(["--stack", "staging", "--set", `haproxyCpuRequest=${value}`]);
      expect({ status: r.status, stderr: r.stderr }).toEqual({
        status: 1,
        stderr: `stack config: ws-exposure:haproxyCpuRequest "${value}" is not a Kubernetes CPU quantity above 0 such as "500m" or "2" [L4Exposure "staging": tls.haproxy.resources.requests.cpu]\n`,
      });
      expect(fs.readdirSync(r.out)).toEqual([]);
    },
  );

  test("staging with legacyMetallbAnnotations false: the LoadBalancer Service carries only the metallb.io/ annotations", () => {
    const r = render(["--stack", "staging", "--set", "legacyMetallbAnnotations=false"]);
    expect(r.stderr).toBe(STACK_RENDER_STDERR.staging);
    expect(r.status).toBe(0);
    const svc = YAML.parse(r.read("k8s/10-service-staging-lb.yaml")!);
    expect(svc.metadata.annotations).toEqual({
      "metallb.io/address-pool": "staging-pool",
      "metallb.io/loadBalancerIPs": "192.168.1.241",
    });
  });

  test.each([
    [
      "prod",
      ["--set", "heartbeatSeconds=60"],
      'TunnelExposure "prod-tunnel": websocket does not fit the tunnel path\'s connection budget: ws-exposure:heartbeatSeconds 60 is too slow for the tunnel path: hop "cloudflare-edge"',
    ],
    [
      "prod",
      ["--set", "timeoutSeconds=1800"],
      'L4Exposure "prod-l4": websocket does not fit the l4 path\'s connection budget: the l4 path caps a connection\'s life at 1800 s at hop "queue-proxy", below ws-exposure:minLifetimeSeconds 3600; raise ws-exposure:timeoutSeconds to at least 3600',
    ],
    [
      "staging",
      ["--set", "haproxyTunnelTimeoutSeconds=8"],
      "stack config: ws-exposure:haproxyTunnelTimeoutSeconds 8 is below 3 heartbeats (3 x ws-exposure:heartbeatSeconds 5 = 15)",
    ],
  ])("%s with %j exits 1 naming the hop", (stack, args, message) => {
    const r = render(["--stack", stack, ...args]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(message);
    expect(fs.readdirSync(r.out)).toEqual([]);
  });
});
