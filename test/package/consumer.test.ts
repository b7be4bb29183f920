import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

/**
 * An outside consumer: the package as `npm pack` ships it, unpacked into a fresh project whose
 * dependencies (the Pulumi SDK and providers among them) resolve to this project's node_modules,
 * so exactly one copy of @pulumi/pulumi is loaded. The consumer's stack is compiled with strict
 * tsc and run under Pulumi's mocks.
 */
const ROOT = path.join(__dirname, "../..");
jest.setTimeout(180000);

const CONSUMER_STACK = `
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import * as cloudflare from "@pulumi/cloudflare";
import { TunnelExposure, PathBudget } from "ws-exposure";

const k8sProvider = new k8s.Provider("cluster", { kubeconfig: "fake" });
const cfProvider = new cloudflare.Provider("cf", { apiToken: pulumi.secret("fake-api-token-0000000000000000000000") });

const exposure = new TunnelExposure("consumer", {
  backend: { knativeService: "messaging-service", namespace: "agents-whatsapp-rust" },
  knative: { cluster: { maxRevisionTimeoutSeconds: 3600, manageMaxRevisionTimeout: true } },
  accountId: "acc",
  zoneId: "zone",
  hostname: "messaging.example.com",
  tunnel: { create: { name: "consumer" } },
}, { providers: { kubernetes: k8sProvider, cloudflare: cfProvider } });

export const url = exposure.url;
export const budget: pulumi.Output<PathBudget> = exposure.budget;
`;

const RUNNER = `
const pulumi = require("@pulumi/pulumi");
const seen = [];
pulumi.runtime.setMocks({
  newResource: (a) => { seen.push(a.type + " " + a.name + (a.provider ? " via " + a.provider.split("::")[3].split("::")[0] : "")); return { id: a.name + "-id", state: a.inputs }; },
  call: (a) => { if (a.token.endsWith("getZeroTrustTunnelCloudflaredToken")) return { token: "t" }; throw new Error("unexpected invoke " + a.token); },
}, "consumer", "test", false);
const program = require("./index.js");
program.url.apply((url) => {
  program.budget.apply((budget) => {
    setTimeout(() => { console.log(JSON.stringify({ url, budgetOk: budget.ok, seen: seen.sort() })); }, 200);
  });
});
`;

test('npm pack -> unpack -> import { TunnelExposure } from "ws-exposure" -> tsc --strict -> run under mocks', () => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "ws-exposure-consumer-"));
  // Pack a copy of the sources, so `prepare` builds there and never rewrites this checkout's dist/ under other tests.
  const source = path.join(work, "source");
  fs.mkdirSync(source);
  for (const entry of [
    "package.json",
    "tsconfig.json",
    "tsconfig.build.json",
    "README.md",
    "components",
    "probe",
    "bin",
    "scripts",
  ]) {
    if (fs.existsSync(path.join(ROOT, entry)))
      fs.cpSync(path.join(ROOT, entry), path.join(source, entry), { recursive: true });
  }
  fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(source, "node_modules"));
  const packed = execFileSync("npm", ["pack", "--silent", "--pack-destination", work], {
    cwd: source,
    encoding: "utf8",
  })
    .trim()
    .split("\n")
    .pop()!;
  const project = path.join(work, "consumer");
  const modules = path.join(project, "node_modules");
  fs.mkdirSync(path.join(modules, "ws-exposure"), { recursive: true });
  execFileSync("tar", [
    "-xzf",
    path.join(work, packed),
    "-C",
    path.join(modules, "ws-exposure"),
    "--strip-components=1",
  ]);

  const shipped = execFileSync("tar", ["-tzf", path.join(work, packed)], { encoding: "utf8" });
  expect(shipped).toContain("package/dist/components/index.d.ts");
  expect(shipped).not.toContain("package/test/");
  expect(shipped).not.toContain("package/node_modules/");

  for (const entry of fs.readdirSync(path.join(ROOT, "node_modules"))) {
    if (entry === ".bin" || entry === "ws-exposure" || entry.startsWith(".")) continue;
    fs.symlinkSync(path.join(ROOT, "node_modules", entry), path.join(modules, entry));
  }
  fs.writeFileSync(
    path.join(project, "package.json"),
    JSON.stringify({ name: "consumer", private: true, dependencies: { "ws-exposure": `file:../${packed}` } }),
  );
  fs.writeFileSync(path.join(project, "index.ts"), CONSUMER_STACK);
  fs.writeFileSync(path.join(project, "run.js"), RUNNER);
  fs.writeFileSync(
    path.join(project, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: {
        strict: true,
        target: "ES2022",
        module: "commonjs",
        moduleResolution: "node",
        esModuleInterop: true,
        skipLibCheck: true,
        types: [],
      },
      files: ["index.ts"],
    }),
  );

  const tsc = spawnSync(path.join(ROOT, "node_modules/.bin/tsc"), ["-p", "."], {
    cwd: project,
    encoding: "utf8",
  });
  expect(tsc.stdout + tsc.stderr).toBe("");
  expect(tsc.status).toBe(0);

  const run = spawnSync(process.execPath, ["run.js"], { cwd: project, encoding: "utf8", timeout: 60000 });
  expect(run.stderr).toBe("");
  const result = JSON.parse(run.stdout.trim().split("\n").pop()!);
  expect(result.url).toBe("wss://messaging.example.com/ws");
  expect(result.budgetOk).toBe(true);
  expect(result.seen).toEqual(
    expect.arrayContaining([
      "ws-exposure:index:TunnelExposure consumer",
      "cloudflare:index/zeroTrustTunnelCloudflared:ZeroTrustTunnelCloudflared consumer-tunnel via cf",
      "cloudflare:index/dnsRecord:DnsRecord consumer-dns via cf",
      "kubernetes:apps/v1:Deployment consumer-cloudflared via cluster",
      "kubernetes:serving.knative.dev/v1:ServicePatch consumer-knative-service via cluster",
    ]),
  );
});
