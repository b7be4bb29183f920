import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import {
  compile,
  installPackage,
  MockedResource,
  packPackage,
  ROOT,
  runUnderMocks,
} from "../helpers/consumer";
import { violations } from "../policy/harness";
import { drainWarning } from "../helpers/render";

/**
 * examples/consumer as CI runs it: the package built and packed as npm would publish it (which
 * proves the `files` list, `exports` and the declarations, not just this checkout's dist/), the
 * example laid out in a fresh directory with that package as node_modules/ws-exposure, compiled
 * with its own strict tsconfig, and run under Pulumi's mocks.
 */
jest.setTimeout(120000);

const EXAMPLE = path.join(ROOT, "examples/consumer");
const OUTPUTS = ["chatUrl", "presenceUrl", "appHttpUrl", "appWsUrl", "appFallbackWsUrl", "budgets"];

let work: string;
let resources: MockedResource[];
let outputs: Record<string, any>;
let compiled: { output: string; status: number | null };
let stderr: string;

beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), "ws-exposure-example-"));
  const { tarball } = packPackage(work);
  const project = path.join(work, "consumer");
  fs.mkdirSync(project);
  for (const file of ["Pulumi.yaml", "package.json", "tsconfig.json", "index.ts"]) {
    fs.copyFileSync(path.join(EXAMPLE, file), path.join(project, file));
  }
  installPackage(project, tarball);
  compiled = compile(project);
  const run = runUnderMocks(project, "./bin/index.js", OUTPUTS, {
    project: "ws-exposure-consumer",
    stack: "ci",
  });
  stderr = run.stderr;
  resources = run.result?.resources ?? [];
  outputs = run.result?.outputs ?? {};
});

afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

const seen = () => resources.map((r) => `${r.type} ${r.name}${r.provider ? ` via ${r.provider}` : ""}`);

test("the example is a separate Pulumi project depending on this package by path, with the three Pulumi peers", () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(EXAMPLE, "package.json"), "utf8"));
  const root = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));
  expect(pkg.dependencies["ws-exposure"]).toBe("file:../..");
  for (const [peer, range] of Object.entries(root.peerDependencies))
    expect(pkg.dependencies[peer]).toBe(range);
  const project = fs.readFileSync(path.join(EXAMPLE, "Pulumi.yaml"), "utf8");
  expect(project).toMatch(/runtime:\s*\n\s+name: nodejs\s*\n\s+options:\s*\n\s+typescript: true/);
  // npm installs file:../.. as a packed copy, not a symlink with the repository's own @pulumi/pulumi.
  expect(fs.readFileSync(path.join(EXAMPLE, ".npmrc"), "utf8")).toMatch(/^install-links=true$/m);
  const tsconfig = JSON.parse(fs.readFileSync(path.join(EXAMPLE, "tsconfig.json"), "utf8"));
  expect(tsconfig.compilerOptions.strict).toBe(true);
});

test("compiles with strict tsc against the packed package's declarations", () => {
  expect(compiled.output).toBe("");
  expect(compiled.status).toBe(0);
});

test("runs under mocks without an error and exports every URL and a passing budget per path", () => {
  // Its two L4 paths keep the default drain window and CPU request: the preview's drain warning, naming
  // the arguments as the program wrote them (a stack names its config keys instead).
  expect(stderr).toBe(drainWarning("presence", 10000, "program") + drainWarning("app-l4", 10000, "program"));
  expect(outputs).toMatchObject({
    chatUrl: "wss://chat.example.com/ws",
    presenceUrl: "wss://presence.example.com/ws",
    appHttpUrl: "https://app.example.com",
    appWsUrl: "wss://ws.app.example.com/ws",
    appFallbackWsUrl: "wss://app.example.com/ws",
  });
  expect(outputs.budgets.length).toBeGreaterThanOrEqual(4);
  for (const budget of outputs.budgets) expect(budget.ok).toBe(true);
});

test("all three components and their key children, registered through the given providers", () => {
  expect(seen()).toEqual(
    expect.arrayContaining([
      "pulumi:providers:kubernetes cluster",
      "pulumi:providers:cloudflare cloudflare",
      // TunnelExposure
      "ws-exposure:index:TunnelExposure chat",
      "cloudflare:index/zeroTrustTunnelCloudflared:ZeroTrustTunnelCloudflared chat-tunnel via cloudflare",
      "cloudflare:index/zeroTrustTunnelCloudflaredConfig:ZeroTrustTunnelCloudflaredConfig chat-tunnel-config via cloudflare",
      "cloudflare:index/dnsRecord:DnsRecord chat-dns via cloudflare",
      "kubernetes:apps/v1:Deployment chat-cloudflared via cluster",
      "kubernetes:serving.knative.dev/v1:ServicePatch chat-knative-service via cluster",
      // L4Exposure
      "ws-exposure:index:L4Exposure presence",
      "kubernetes:metallb.io/v1beta1:IPAddressPool presence-pool via cluster",
      "kubernetes:serving.knative.dev/v1:ServicePatch presence-knative-service via cluster",
      // HybridExposure and its two paths
      "ws-exposure:index:HybridExposure app",
      "ws-exposure:index:TunnelExposure app-tunnel",
      "ws-exposure:index:L4Exposure app-l4",
      "kubernetes:apps/v1:Deployment app-tunnel-cloudflared via cluster",
      "kubernetes:metallb.io/v1beta1:IPAddressPool app-l4-pool via cluster",
      "kubernetes:serving.knative.dev/v1:ServicePatch app-knative-service via cluster",
    ]),
  );
  // One LoadBalancer per L4 path, each through the cluster provider.
  const lbs = resources.filter(
    (r) => r.type === "kubernetes:core/v1:Service" && (r.inputs as any).spec?.type === "LoadBalancer",
  );
  expect(lbs.map((r) => r.provider)).toEqual(["cluster", "cluster"]);
  // DNS: two proxied CNAMEs (tunnels), two DNS-only A records (L4).
  const dns = resources
    .filter((r) => r.type === "cloudflare:index/dnsRecord:DnsRecord")
    .map((r) => [(r.inputs as any).name, (r.inputs as any).type, (r.inputs as any).proxied, r.provider]);
  expect(dns.sort()).toEqual(
    [
      ["app.example.com", "CNAME", true, "cloudflare"],
      ["chat.example.com", "CNAME", true, "cloudflare"],
      ["presence.example.com", "A", false, "cloudflare"],
      ["ws.app.example.com", "A", false, "cloudflare"],
    ].sort(),
  );
});

test("no resource falls back to a default provider: every kubernetes:* resource via cluster, every cloudflare:* via cloudflare", () => {
  // The Knative admission checks run in Pulumi's own dynamic provider: they get the cluster as arguments (below).
  const custom = resources.filter(
    (r) =>
      !r.type.startsWith("ws-exposure:") &&
      !r.type.startsWith("pulumi:providers:") &&
      !r.type.startsWith("pulumi-nodejs:dynamic/"),
  );
  expect(custom.length).toBeGreaterThan(20);
  const wrong = custom
    .filter((r) => r.provider !== (r.type.startsWith("kubernetes:") ? "cluster" : "cloudflare"))
    .map((r) => `${r.type} ${r.name} via ${r.provider}`);
  expect(wrong).toEqual([]);
});

test("nothing collides: unique names per type, one Knative patch per backend", () => {
  const keys = resources.map((r) => `${r.type} ${r.name}`);
  expect(new Set(keys).size).toBe(keys.length);
  const patches = resources
    .filter((r) => r.type === "kubernetes:serving.knative.dev/v1:ServicePatch")
    .map((r) => `${(r.inputs as any).metadata.namespace}/${(r.inputs as any).metadata.name}`);
  expect(patches.sort()).toEqual(["app/app-service", "chat/chat-service", "presence/presence-service"]);
});

test("and the example passes the policy pack", async () => {
  const found = [];
  for (const r of resources)
    found.push(...(await violations({ type: r.type, name: r.name, props: r.inputs })));
  expect(found).toEqual([]);
});

test("each Knative admission check is told the provider's cluster (the context the provider uses)", () => {
  const checks = resources.filter((r) => r.type === "pulumi-nodejs:dynamic/knative:AdmissionGate");
  expect(checks.map((r) => [r.name, (r.inputs as any).context]).sort()).toEqual(
    [
      ["app-knative-admission", "homelab"],
      ["chat-knative-admission", "homelab"],
      ["presence-knative-admission", "homelab"],
    ].sort(),
  );
});
