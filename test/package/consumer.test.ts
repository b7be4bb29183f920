import * as fs from "fs";
import * as path from "path";
import { compile, installPackage, packPackage, runUnderMocks } from "../helpers/consumer";
import { tempFolders } from "../helpers/tempFolders";

/**
 * An outside consumer: the package as `npm pack` ships it, in a fresh project whose dependencies
 * (the Pulumi SDK and providers among them) resolve to this project's node_modules, so exactly one
 * copy of @pulumi/pulumi is loaded. Its stack is compiled with strict tsc and run under mocks.
 */
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
  knative: {
    cluster: { maxRevisionTimeoutSeconds: 3600, manageMaxRevisionTimeout: true },
    admissionCheck: { kubeconfig: "fake" },
  },
  accountId: "acc",
  zoneId: "zone",
  hostname: "messaging.example.com",
  tunnel: { create: { name: "consumer" } },
}, { providers: { kubernetes: k8sProvider, cloudflare: cfProvider } });

export const url = exposure.url;
export const budget: pulumi.Output<PathBudget> = exposure.budget;
`;

/** The tests' work folders (the package, its consumer), removed once the file's tests ran. */
const workFolder = tempFolders("ws-exposure-consumer-");

test('npm pack -> unpack -> import { TunnelExposure } from "ws-exposure" -> tsc --strict -> run under mocks', () => {
  const work = workFolder();
  const { tarball, files } = packPackage(work);
  expect(files).toContain("package/dist/components/index.d.ts");
  expect(files.filter((f) => f.startsWith("package/test/") || f.startsWith("package/node_modules/"))).toEqual(
    [],
  );

  const project = path.join(work, "consumer");
  installPackage(project, tarball);
  fs.writeFileSync(path.join(project, "package.json"), JSON.stringify({ name: "consumer", private: true }));
  fs.writeFileSync(path.join(project, "index.ts"), CONSUMER_STACK);
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
  const tsc = compile(project);
  expect(tsc.output).toBe("");
  expect(tsc.status).toBe(0);

  const run = runUnderMocks(project, "./index.js", ["url", "budget"]);
  expect(run.stderr).toBe("");
  const { outputs, resources } = run.result!;
  expect(outputs.url).toBe("wss://messaging.example.com/ws");
  expect((outputs.budget as { ok: boolean }).ok).toBe(true);
  expect(resources.map((r) => `${r.type} ${r.name}${r.provider ? ` via ${r.provider}` : ""}`)).toEqual(
    expect.arrayContaining([
      "ws-exposure:index:TunnelExposure consumer",
      "cloudflare:index/zeroTrustTunnelCloudflared:ZeroTrustTunnelCloudflared consumer-tunnel via cf",
      "cloudflare:index/dnsRecord:DnsRecord consumer-dns via cf",
      "kubernetes:apps/v1:Deployment consumer-cloudflared via cluster",
      "kubernetes:serving.knative.dev/v1:ServicePatch consumer-knative-service via cluster",
    ]),
  );
});
