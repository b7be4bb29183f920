import { execFileSync } from "child_process";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { ROOT } from "../helpers/render";
import { configMapPath, servicePath } from "../../components/knative/admission";
import { admissionInput, SERVICE } from "../helpers/knativeCheck";
import { expectDryRuns, fakeApiServer, kubeconfig } from "../helpers/fakeKubeApi";

/**
 * The admission check as Pulumi's dynamic provider host runs it: the provider serialized with
 * Pulumi's closure serializer (in a tsx process of its own, as `pulumi up` runs the program),
 * loaded from that text (require-from-string, as the host does),
 * configured with the stack's config, against a fake API server on 127.0.0.1 that refuses the
 * patch with Knative's webhook message until "the informer" has the new maximum.
 */

const CHECK = admissionInput(true, { waitSeconds: 5 });

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
        "kubernetes:kubeconfig": kubeconfig(api, "elsewhere"),
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
      expectDryRuns(api, 2, CHECK.patch);
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
          kubeconfig: kubeconfig(api, "homelab"),
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
        "kubernetes:kubeconfig": kubeconfig(api, "homelab"),
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
