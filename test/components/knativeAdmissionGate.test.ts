import * as http from "http";
import { execFileSync } from "child_process";
import * as path from "path";
import { AddressInfo } from "net";
import * as pulumi from "@pulumi/pulumi";
import { ROOT } from "../helpers/render";
import { configMapPath, servicePath } from "../../components/knative/admission";
import { admissionInput, SERVICE } from "../helpers/knativeCheck";

/**
 * The admission check as Pulumi's dynamic provider host runs it: the provider serialized with
 * Pulumi's closure serializer (in a tsx process of its own, as `pulumi up` runs the program),
 * loaded from that text (require-from-string, as the host does),
 * configured with the stack's config, against a fake API server on 127.0.0.1 that refuses the
 * patch with Knative's webhook message until "the informer" has the new maximum.
 */

const CHECK = admissionInput(true, { waitSeconds: 5 });

interface Seen {
  method: string;
  url: string;
  authorization?: string;
  contentType?: string;
  body: string;
}

/** Answers like kube-apiserver with Knative's webhook: `refusals` dry-runs refused, then accepted. */
function fakeApiServer(refusals: number): Promise<{ url: string; seen: Seen[]; close: () => void }> {
  const seen: Seen[] = [];
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      seen.push({
        method: req.method ?? "",
        url: req.url ?? "",
        authorization: req.headers.authorization,
        contentType: req.headers["content-type"],
        body,
      });
      const path = (req.url ?? "").split("?")[0];
      res.setHeader("Content-Type", "application/json");
      if (req.method === "GET" && path === configMapPath("knative-serving", "config-defaults")) {
        res.end(
          JSON.stringify({
            metadata: { name: "config-defaults", namespace: "knative-serving" },
            data: { "max-revision-timeout-seconds": "3600" },
          }),
        );
      } else if (req.method === "GET" && path === servicePath(SERVICE)) {
        res.end(
          JSON.stringify({
            metadata: { ...SERVICE, managedFields: [] },
            spec: { template: { spec: { timeoutSeconds: 300 } } },
          }),
        );
      } else if (req.method === "PATCH" && path === servicePath(SERVICE)) {
        const refused = seen.filter((s) => s.method === "PATCH").length <= refusals;
        res.statusCode = refused ? 400 : 200;
        res.end(
          JSON.stringify(
            refused
              ? {
                  kind: "Status",
                  code: 400,
                  reason: "BadRequest",
                  message:
                    'admission webhook "validation.webhook.serving.knative.dev" denied the request: validation failed: expected 0 <= 3600 <= 600: spec.template.spec.timeoutSeconds',
                }
              : JSON.parse(body),
          ),
        );
      } else {
        res.statusCode = 404;
        res.end(JSON.stringify({ kind: "Status", code: 404, message: `${path} not found` }));
      }
    });
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () =>
      resolve({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        seen,
        close: () => server.close(),
      }),
    ),
  );
}

function kubeconfig(server: string, context: string): string {
  return [
    "apiVersion: v1",
    "kind: Config",
    "clusters:",
    `- name: homelab\n  cluster:\n    server: ${server}`,
    `- name: elsewhere\n  cluster:\n    server: http://127.0.0.1:1`,
    "users:",
    "- name: admin\n  user:\n    token: t0ken",
    "contexts:",
    "- name: homelab\n  context:\n    cluster: homelab\n    user: admin",
    "- name: elsewhere\n  context:\n    cluster: elsewhere\n    user: admin",
    `current-context: ${context}`,
    "",
  ].join("\n");
}

// Serializing loads TypeScript's parser in a process of its own: slow on a busy machine.
jest.setTimeout(180000);

let serializedText: string | undefined;

/** The provider as the dynamic provider host gets it: serialized, then loaded from the text. */
function loadSerializedProvider(): pulumi.dynamic.ResourceProvider {
  serializedText ??= execFileSync(
    path.join(ROOT, "node_modules/.bin/tsx"),
    [path.join(ROOT, "test/helpers/serializeAdmissionProvider.ts")],
    { cwd: ROOT, encoding: "utf8" },
  );
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const requireFromString = require("require-from-string") as (code: string) => {
    handler: () => pulumi.dynamic.ResourceProvider;
  };
  return requireFromString(serializedText).handler();
}

describe("the admission gate's provider, serialized as Pulumi's dynamic provider host runs it", () => {
  test("stack config kubernetes:kubeconfig and kubernetes:context pick the cluster; the dry-run is retried until the webhook accepts", async () => {
    const api = await fakeApiServer(2);
    try {
      const provider = loadSerializedProvider();
      const config: Record<string, string> = {
        // The current context points elsewhere: the stack's kubernetes:context must win, as for the kubernetes provider.
        "kubernetes:kubeconfig": kubeconfig(api.url, "elsewhere"),
        "kubernetes:context": "homelab",
      };
      await provider.configure!({
        config: { get: (k: string) => config[k], require: (k: string) => config[k] },
      } as never);
      const result = await provider.create({ check: CHECK });
      expect(result).toEqual({
        id: "agents-whatsapp-rust/messaging-service",
        outs: { fieldManager: "ws-exposure", takeovers: [], retries: 2, server: api.url, context: "homelab" },
      });
      const patches = api.seen.filter((s) => s.method === "PATCH");
      // Two refusals, then the acceptance and its confirmation.
      expect(patches).toHaveLength(4);
      expect(patches[0].url).toBe(`${servicePath(SERVICE)}?dryRun=All&fieldManager=ws-exposure&force=false`);
      expect(patches[0].contentType).toBe("application/apply-patch+yaml");
      expect(patches[0].authorization).toBe("Bearer t0ken");
      expect(JSON.parse(patches[0].body)).toEqual(CHECK.patch);
      expect(api.seen.map((s) => `${s.method} ${s.url.split("?")[0]}`).slice(0, 2)).toEqual([
        `GET ${configMapPath("knative-serving", "config-defaults")}`,
        `GET ${servicePath(SERVICE)}`,
      ]);
    } finally {
      api.close();
    }
  });

  test("the component's kubeconfig and context win over the stack config; a refusal past the wait is the error the user sees", async () => {
    const api = await fakeApiServer(1000);
    try {
      const provider = loadSerializedProvider();
      await provider.configure!({
        config: { get: () => "/nonexistent/kubeconfig", require: () => "" },
      } as never);
      await expect(
        provider.create({
          check: { ...CHECK, waitSeconds: 0 },
          kubeconfig: kubeconfig(api.url, "homelab"),
          context: "homelab",
        }),
      ).rejects.toThrow(
        'KnativeSettings "dev-knative": Knative\'s webhook still rejects timeoutSeconds 3600 on Knative Service agents-whatsapp-rust/messaging-service after 0 s',
      );
    } finally {
      api.close();
    }
  });

  test("a kubeconfig without the stack's context: the error says where the check looks and how to point it", async () => {
    const api = await fakeApiServer(0);
    try {
      const provider = loadSerializedProvider();
      const config: Record<string, string> = {
        "kubernetes:kubeconfig": kubeconfig(api.url, "homelab"),
        "kubernetes:context": "prod",
      };
      await provider.configure!({
        config: { get: (k: string) => config[k], require: (k: string) => config[k] },
      } as never);
      await expect(provider.create({ check: CHECK })).rejects.toThrow(
        'KnativeSettings "dev-knative": the admission check cannot reach the cluster: context "prod" is not in the kubeconfig (contexts: homelab, elsewhere). ' +
          "It uses the kubernetes provider's stack config (kubernetes:kubeconfig, kubernetes:context), else KUBECONFIG or ~/.kube/config; " +
          "with an explicit kubernetes provider, pass the same kubeconfig and context in knative.admissionCheck, " +
          "or turn the check off (knative.admissionCheck.enabled false; stack: ws-exposure:knativeAdmissionCheck false).",
      );
    } finally {
      api.close();
    }
  });
});
