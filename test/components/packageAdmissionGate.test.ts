/**
 * The Knative admission check inside the component package's provider (provider/index.ts), where
 * YAML, Go and Python programs reach it: KnativeSettings registers the gate as the provider's own
 * resource type instead of a dynamic resource (whose host would load @pulumi/pulumi from the
 * program's directory), and the provider runs the same check, with the same outputs and messages,
 * against a fake API server on 127.0.0.1.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { urnType, wsExposureProvider } from "../../provider/index";
import {
  DYNAMIC_GATE_TYPE,
  PACKAGE_GATE_TYPE,
  serveAdmissionGatesFromPackage,
} from "../../components/knative/AdmissionGate";
import { accessProblem } from "../../components/knative/admission";
import { KnativeSettings } from "../../components/knative/KnativeSettings";
import { admissionInput, engineSecret, OWNER, PACKAGE_GATE_URN, SERVICE } from "../helpers/knativeCheck";
import { expectDryRuns, fakeApiServer, kubeconfig } from "../helpers/fakeKubeApi";
import { ofType, resource, settle, unwrap, useMockRuntime } from "../helpers/pulumi";
import { isSecretValue } from "../../render/mockRuntime";

const runtime = useMockRuntime();

const CHECK = admissionInput(true, { waitSeconds: 5 });

describe("the admission gate as the component package's provider serves it", () => {
  test("urnType reads the resource type from a nested URN", () => {
    expect(urnType(PACKAGE_GATE_URN)).toBe(PACKAGE_GATE_TYPE);
  });

  test("create runs the check against the stack config's cluster (kubeconfig a secret, context over current-context), with the dynamic gate's outputs", async () => {
    const api = await fakeApiServer(2);
    try {
      const result = await wsExposureProvider().create!(PACKAGE_GATE_URN, {
        check: CHECK,
        stackKubeconfig: engineSecret(kubeconfig(api, "elsewhere")),
        stackContext: "homelab",
      });
      expect(result).toEqual({
        id: "agents-whatsapp-rust/messaging-service",
        outs: { fieldManager: "ws-exposure", takeovers: [], retries: 2, server: api.url, context: "homelab" },
      });
      expectDryRuns(api, 2, CHECK.patch);
    } finally {
      api.close();
    }
  });

  test("the component's kubeconfig (a secret) wins over the stack config; update runs the check again", async () => {
    const api = await fakeApiServer(0);
    try {
      const result = await wsExposureProvider().update!(
        "id",
        PACKAGE_GATE_URN,
        {},
        {
          check: CHECK,
          kubeconfig: engineSecret(kubeconfig(api, "homelab")),
          stackKubeconfig: engineSecret("/nonexistent/kubeconfig"),
        },
      );
      expect(result).toEqual({
        outs: { fieldManager: "ws-exposure", takeovers: [], retries: 0, server: api.url, context: "homelab" },
      });
    } finally {
      api.close();
    }
  });

  test("a refused check fails with the message a TypeScript program's dynamic gate gives", async () => {
    const api = await fakeApiServer(0);
    try {
      await expect(
        wsExposureProvider().create!(PACKAGE_GATE_URN, {
          check: CHECK,
          stackKubeconfig: engineSecret(kubeconfig(api, "homelab")),
          stackContext: "prod",
        }),
      ).rejects.toThrow(
        new Error(
          accessProblem(OWNER, 'context "prod" is not in the kubeconfig (contexts: homelab, elsewhere)'),
        ),
      );
    } finally {
      api.close();
    }
  });

  test("a kubeconfig that is not valid YAML is refused by position, without quoting its text (a token in clear)", async () => {
    const broken = "apiVersion: v1\nusers:\n  - name: me\n    user:\n      token: s3cr3tT0ken: x\n";
    const refusal = wsExposureProvider().create!(PACKAGE_GATE_URN, {
      check: CHECK,
      stackKubeconfig: engineSecret(broken),
    });
    await expect(refusal).rejects.toThrow(
      new Error(
        accessProblem(
          OWNER,
          "the kubeconfig in kubernetes:kubeconfig is not valid YAML (line 5, column 14): fix it, or give the path of a valid kubeconfig file",
        ),
      ),
    );
    await expect(refusal).rejects.not.toThrow("s3cr3tT0ken");
  });

  test("the component's kubeconfig, a file that is not valid YAML, is named by its path and position, without its text", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ws-exposure-kubeconfig-"));
    const file = path.join(dir, "config");
    fs.writeFileSync(file, "users:\n  - user: {token: s3cr3tT0ken\n");
    try {
      const refusal = wsExposureProvider().create!(PACKAGE_GATE_URN, {
        check: CHECK,
        kubeconfig: engineSecret(file),
      });
      await expect(refusal).rejects.toThrow(
        new Error(
          accessProblem(
            OWNER,
            `the kubeconfig file ${file} is not valid YAML (line 3, column 1): fix it, or give the path of a valid kubeconfig file`,
          ),
        ),
      );
      await expect(refusal).rejects.not.toThrow("s3cr3tT0ken");
    } finally {
      fs.rmSync(dir, { recursive: true });
    }
  });

  test("a relative kubeconfig path is refused (the provider does not run in the program's directory), naming the key and the fix", async () => {
    await expect(
      wsExposureProvider().create!(PACKAGE_GATE_URN, {
        check: CHECK,
        stackKubeconfig: engineSecret("kube/config"),
      }),
    ).rejects.toThrow(
      new Error(
        `${OWNER}: kubernetes:kubeconfig is the relative path "kube/config", which the ws-exposure package's provider cannot resolve (it does not run in your project's directory): give an absolute path, or the kubeconfig contents.`,
      ),
    );
    await expect(
      wsExposureProvider().update!(
        "id",
        PACKAGE_GATE_URN,
        {},
        { check: CHECK, kubeconfig: engineSecret("./homelab.yaml") },
      ),
    ).rejects.toThrow(
      new Error(
        `${OWNER}: knative.admissionCheck.kubeconfig is the relative path "./homelab.yaml", which the ws-exposure package's provider cannot resolve (it does not run in your project's directory): give an absolute path, or the kubeconfig contents.`,
      ),
    );
  });

  test("no diff of its own: the engine compares the gate's inputs (a provider's Diff sees the old outputs, not the old inputs)", () => {
    expect(wsExposureProvider().diff).toBeUndefined();
  });

  test("a resource type it does not serve is refused", async () => {
    const urn = PACKAGE_GATE_URN.replace(PACKAGE_GATE_TYPE, "ws-exposure:index:Other");
    await expect(wsExposureProvider().create!(urn, {})).rejects.toThrow(
      "unknown resource type ws-exposure:index:Other",
    );
  });
});

describe("KnativeSettings inside the component package's provider", () => {
  beforeAll(() => {
    serveAdmissionGatesFromPackage();
    pulumi.runtime.setAllConfig(
      { "kubernetes:kubeconfig": "/home/me/.kube/homelab", "kubernetes:context": "homelab" },
      ["kubernetes:kubeconfig"],
    );
  });

  test("registers the gate as the package's own resource, with the stack's kubernetes config (kubeconfig a secret), and no dynamic gate", async () => {
    const k = new KnativeSettings("dev-knative", {
      backend: { knativeService: SERVICE.name, namespace: SERVICE.namespace },
      websocket: { heartbeatSeconds: 5, minLifetimeSeconds: 3600 },
      knative: { cluster: { maxRevisionTimeoutSeconds: 3600, manageMaxRevisionTimeout: true } },
    });
    await unwrap(k.servicePatch.urn);
    await settle();
    expect(ofType(runtime.resources, DYNAMIC_GATE_TYPE)).toEqual([]);
    const raw = runtime.resources.find((r) => r.type === PACKAGE_GATE_TYPE)!.inputs;
    expect(isSecretValue(raw.stackKubeconfig)).toBe(true);
    const gate = resource(runtime.resources, PACKAGE_GATE_TYPE, "dev-knative-admission");
    expect(gate.parent).toBe("dev-knative");
    expect(gate.inputs).toEqual({
      check: admissionInput(true, { waitSeconds: 120 }),
      stackKubeconfig: "/home/me/.kube/homelab",
      stackContext: "homelab",
    });
  });
});
