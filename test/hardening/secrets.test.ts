/**
 * Secrets never appear in plain text (issue 7). Two halves:
 * 1. Every stack (discovered from Pulumi.*.yaml) rendered by `npm run render` with its secret config
 *    set to recognisable fakes: resources.json, every Kubernetes YAML, outputs.json, budget.json,
 *    stdout and stderr hold none of them (nor their base64). A stack that creates its tunnel is also
 *    rendered reusing one (tunnelId + the secret tunnelToken).
 * 2. Under the mock engine: the tunnel token reaches the Kubernetes Secret only inside a Pulumi
 *    secret, and the connector reads it through secretKeyRef; TLS private keys never pass through
 *    the program (the HAProxy tier mounts an existing or cert-manager Secret).
 */
import { rendersTimeoutMs, runBounded, runRender, STACK_RENDER_STDERR } from "../helpers/render";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { FAKE_TUNNEL_TOKEN, resource, settle, unwrap, useMockRuntime } from "../helpers/pulumi";
import { HybridExposure } from "../../components/hybrid/HybridExposure";
import { L4Exposure } from "../../components/l4/L4Exposure";
import { TunnelExposure } from "../../components/tunnel/TunnelExposure";
import { resetTunnelClaims } from "../../components/tunnel/tunnelOwnership";
import { isSecretValue, isUnknownValue, RecordedResource } from "../../render/mockRuntime";
import { listStacks } from "../../render/stackConfig";
import { hybridArgs, l4Args, tunnelArgs } from "./cases";

const ROOT = path.join(__dirname, "../..");

const FAKES = {
  tunnelToken: "FAKE-TUNNEL-TOKEN-eyJhIjoiZmFrZSJ9-7d1c",
  reusedTunnelToken: "FAKE-REUSED-TUNNEL-TOKEN-eyJ0IjoicmV1c2UifQ-91ab",
  apiToken: "FAKE-CLOUDFLARE-API-TOKEN-Zq8r2LmN4pX6vB0c",
};
const REUSED_TUNNEL_ID = "6f1c3b8e-0000-4000-8000-0000000000aa";

/** Every form a leaked value could take in a file: as is, base64 (a Secret's `data`), JSON-escaped. */
function leakForms(value: string): string[] {
  return [value, Buffer.from(value).toString("base64"), JSON.stringify(value).slice(1, -1)];
}

function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? filesUnder(p) : [p];
  });
}

// --- 1. the render of every stack ---------------------------------------------------------------

interface Variant {
  label: string;
  stack: string;
  flags: string[];
}

function variants(): Variant[] {
  return listStacks(ROOT).flatMap((stack) => {
    const text = fs.readFileSync(path.join(ROOT, `Pulumi.${stack}.yaml`), "utf8");
    // The tunnel token only where the stack's mode reads it: another mode refuses the key.
    const readsTunnelToken = !/^\s*ws-exposure:mode:\s*l4\b/m.test(text);
    const secrets = [
      ...(readsTunnelToken ? ["--set-secret", `tunnelToken=${FAKES.tunnelToken}`] : []),
      "--set-secret",
      `cloudflare:apiToken=${FAKES.apiToken}`,
    ];
    const all: Variant[] = [{ label: `${stack}`, stack, flags: secrets }];
    if (/^\s*ws-exposure:tunnelName:/m.test(text)) {
      all.push({
        label: `${stack}, reusing a tunnel`,
        stack,
        flags: [
          "--unset",
          "tunnelName",
          "--set",
          `tunnelId=${REUSED_TUNNEL_ID}`,
          "--set-secret",
          `tunnelToken=${FAKES.reusedTunnelToken}`,
          "--set-secret",
          `cloudflare:apiToken=${FAKES.apiToken}`,
        ],
      });
    }
    return all;
  });
}

interface Rendered {
  status: number | null;
  stdout: string;
  stderr: string;
  out: string;
}

async function render(v: Variant, out: string): Promise<Rendered> {
  return { ...(await runRender(v.stack, v.flags, out)), out };
}

/** The names index.ts exports: the stack outputs. */
const EXPORTS = [
  ...fs.readFileSync(path.join(ROOT, "index.ts"), "utf8").matchAll(/^export const (\w+)/gm),
].map((m) => m[1]);

describe("npm run render with fake secrets: no secret in any file or stream", () => {
  const all = variants();
  /** The scan's own control: a recognisable value set in plain config must be found. */
  const CONTROL = "control-plain-value-5e2b";
  const control: Variant = { label: "control", stack: "dev", flags: ["--set", `tunnelName=${CONTROL}`] };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ws-exposure-secrets-"));
  const results = new Map<string, Rendered>();

  beforeAll(
    async () => {
      await runBounded(
        [...all, control].map(
          (v, i) => () => render(v, path.join(dir, `out-${i}`)).then((r) => results.set(v.label, r)),
        ),
      );
    },
    rendersTimeoutMs(all.length + 1),
  );

  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test("every stack is covered, and those that create a tunnel also reuse one", () => {
    expect(listStacks(ROOT)).toEqual(expect.arrayContaining(["dev", "prod", "staging"]));
    expect(all.map((v) => v.label)).toEqual(
      expect.arrayContaining(["dev, reusing a tunnel", "prod, reusing a tunnel"]),
    );
  });

  test("control: the scan finds a value the render does print", () => {
    const r = results.get("control") as Rendered;
    expect(r.status).toBe(0);
    expect(fs.readFileSync(path.join(r.out, "resources.json"), "utf8")).toContain(CONTROL);
  });

  test.each(all.map((v) => [v.label, v.stack]))("%s", (label, stack) => {
    const r = results.get(label) as Rendered;
    expect(r.stderr).toBe(STACK_RENDER_STDERR[stack]);
    expect(r.status).toBe(0);
    const files = filesUnder(r.out);
    const names = files.map((f) => path.relative(r.out, f));
    expect(names).toEqual(expect.arrayContaining(["resources.json", "outputs.json", "budget.json"]));
    expect(names.filter((n) => n.startsWith("k8s/") && n.endsWith(".yaml")).length).toBeGreaterThan(0);

    const haystacks: [string, string][] = [
      ["stdout", r.stdout],
      ["stderr", r.stderr],
      ...files.map((f) => [path.relative(r.out, f), fs.readFileSync(f, "utf8")] as [string, string]),
    ];
    const leaks: string[] = [];
    for (const [where, text] of haystacks) {
      for (const [name, fake] of Object.entries(FAKES)) {
        if (leakForms(fake).some((form) => text.includes(form))) leaks.push(`${name} in ${where}`);
      }
      if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(text)) leaks.push(`a PEM private key in ${where}`);
    }
    expect(leaks).toEqual([]);

    // The stack outputs: exactly index.ts's exports (those with a value), none a secret today.
    const outputs = JSON.parse(fs.readFileSync(path.join(r.out, "outputs.json"), "utf8")) as Record<
      string,
      unknown
    >;
    expect(EXPORTS).toEqual(expect.arrayContaining(Object.keys(outputs)));
    expect(Object.entries(outputs).filter(([, value]) => value === "[secret]")).toEqual([]);

    // Where the program holds the token, the render shows the placeholder.
    const resources = JSON.parse(fs.readFileSync(path.join(r.out, "resources.json"), "utf8")) as {
      type: string;
      inputs: { stringData?: unknown };
    }[];
    const tokenSecrets = resources.filter((x) => x.type === "kubernetes:core/v1:Secret");
    if (label.includes("reusing")) {
      expect(tokenSecrets.map((s) => s.inputs.stringData)).toEqual(["[secret]"]);
    }
    for (const s of tokenSecrets) expect(["[secret]", "(known after deploy)"]).toContain(s.inputs.stringData);
  });
});

// --- 2. under the mock engine ----------------------------------------------------------------

const runtime = useMockRuntime();
beforeEach(() => resetTunnelClaims());

/** Paths at which `needle` appears in a recorded input, and whether inside a Pulumi secret. */
function occurrences(
  value: unknown,
  needle: string,
  at = "",
  inSecret = false,
): { at: string; secret: boolean }[] {
  if (isSecretValue(value)) return occurrences(value.value, needle, at, true);
  if (isUnknownValue(value)) return [];
  if (typeof value === "string") return value.includes(needle) ? [{ at, secret: inSecret }] : [];
  if (Array.isArray(value)) return value.flatMap((v, i) => occurrences(v, needle, `${at}[${i}]`, inSecret));
  if (value !== null && typeof value === "object") {
    return Object.entries(value).flatMap(([k, v]) => occurrences(v, needle, at ? `${at}.${k}` : k, inSecret));
  }
  return [];
}

function tokenOccurrences(resources: RecordedResource[], token: string) {
  return resources.flatMap((r) =>
    occurrences(r.inputs, token).map((o) => ({ resource: `${r.type} ${r.name}`, ...o })),
  );
}

async function built(exposure: pulumi.ComponentResource): Promise<void> {
  await unwrap(exposure.urn);
  await settle();
}

const SECRET = "kubernetes:core/v1:Secret";
const DEPLOYMENT = "kubernetes:apps/v1:Deployment";

describe("the tunnel token, under mocks", () => {
  test.each([
    ["created tunnel: from getZeroTrustTunnelCloudflaredTokenOutput", tunnelArgs(), FAKE_TUNNEL_TOKEN],
    [
      "reused tunnel, token given as a plain string (wrapped by the component)",
      tunnelArgs({ tunnel: { existingId: REUSED_TUNNEL_ID, token: "plain-string-token-3c9f" } }),
      "plain-string-token-3c9f",
    ],
    [
      "reused tunnel, token given as a Pulumi secret (from config.requireSecret)",
      tunnelArgs({ tunnel: { existingId: REUSED_TUNNEL_ID, token: pulumi.secret("secret-token-81d2") } }),
      "secret-token-81d2",
    ],
  ])("%s: only in the Secret, only as a Pulumi secret", async (_label, args, token) => {
    await built(new TunnelExposure("dev", args));
    expect(tokenOccurrences(runtime.resources, token)).toEqual([
      { resource: `${SECRET} dev-tunnel-token`, at: "stringData.token", secret: true },
    ]);
    const deployment = resource(runtime.resources, DEPLOYMENT, "dev-cloudflared").inputs as any;
    const env = deployment.spec.template.spec.containers[0].env;
    expect(env).toEqual([
      { name: "TUNNEL_TOKEN", valueFrom: { secretKeyRef: { name: expect.anything(), key: "token" } } },
    ]);
  });

  test("hybrid: the tunnel child's token, likewise", async () => {
    await built(new HybridExposure("prod", hybridArgs()));
    expect(tokenOccurrences(runtime.resources, FAKE_TUNNEL_TOKEN)).toEqual([
      { resource: `${SECRET} prod-tunnel-tunnel-token`, at: "stringData.token", secret: true },
    ]);
  });

  test("an existing token Secret: referenced by name, no Secret created, the token never in the program", async () => {
    await built(
      new TunnelExposure(
        "dev",
        tunnelArgs({ tunnel: { existingId: REUSED_TUNNEL_ID, tokenSecret: { name: "cf", key: "t" } } }),
      ),
    );
    expect(runtime.resources.filter((r) => r.type === SECRET)).toEqual([]);
    const deployment = resource(runtime.resources, DEPLOYMENT, "dev-cloudflared").inputs as any;
    expect(deployment.spec.template.spec.containers[0].env).toEqual([
      { name: "TUNNEL_TOKEN", valueFrom: { secretKeyRef: { name: "cf", key: "t" } } },
    ]);
  });
});

describe("TLS private keys never pass through the program", () => {
  const pemLike = /-----BEGIN|PRIVATE KEY|MII[A-Za-z0-9+/]{20}/;
  test.each([
    [
      "L4, an existing TLS Secret",
      () => new L4Exposure("staging", l4Args()),
      "staging-haproxy",
      "ws-example-com-tls",
    ],
    [
      "L4, a cert-manager Certificate",
      () =>
        new L4Exposure(
          "staging",
          l4Args({ tls: { mode: "terminate", certificate: { certManager: { issuerName: "letsencrypt" } } } }),
        ),
      "staging-haproxy",
      "staging-tls",
    ],
    ["hybrid", () => new HybridExposure("prod", hybridArgs()), "prod-l4-haproxy", "ws-tls"],
  ])(
    "%s: no input holds key material; HAProxy mounts the Secret by name",
    async (_label, make, deploymentName, secretName) => {
      await built(make());
      expect(runtime.resources.length).toBeGreaterThan(5);
      const withKeys = runtime.resources.filter((r) => pemLike.test(JSON.stringify(r.inputs)));
      expect(withKeys.map((r) => r.name)).toEqual([]);
      // No Secret holding TLS material is created by the program.
      expect(
        runtime.resources.filter((r) => r.type === SECRET && JSON.stringify(r.inputs).includes("tls.key")),
      ).toEqual([]);
      const deployment = resource(runtime.resources, DEPLOYMENT, deploymentName).inputs as any;
      const volume = deployment.spec.template.spec.volumes.find((v: any) => v.name === "tls");
      expect(volume.secret.secretName).toBe(secretName);
    },
  );
});

describe("TLS session-ticket keys (issue 12), under mocks", () => {
  const keys = [7, 8, 9].map((i) => Buffer.alloc(80, i).toString("base64"));
  test.each([
    ["given as plain strings (wrapped by the component)", keys],
    ["given as Pulumi secrets (from config.requireSecret)", keys.map((k) => pulumi.secret(k))],
  ])("%s: only in the Secret's stringData, only as a Pulumi secret", async (_label, given) => {
    await built(
      new L4Exposure(
        "staging",
        l4Args({
          tls: {
            mode: "terminate",
            certificate: { secretName: "ws-example-com-tls" },
            haproxy: { sessionTickets: { keys: given } },
          },
        }),
      ),
    );
    for (const key of keys) {
      expect(tokenOccurrences(runtime.resources, key)).toEqual([
        { resource: `${SECRET} staging-haproxy-tickets`, at: "stringData.tls-ticket-keys", secret: true },
      ]);
    }
  });
});
