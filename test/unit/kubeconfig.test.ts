import {
  isKubeconfigContent,
  Kubeconfig,
  kubeconfigPaths,
  mergeKubeconfigs,
  resolveKubeAccess,
} from "../../components/knative/kubeconfig";

const b64 = (s: string) => Buffer.from(s).toString("base64");

const CONFIG: Kubeconfig = {
  clusters: [
    {
      name: "homelab",
      cluster: { server: "https://10.0.0.10:6443/", "certificate-authority-data": b64("CA PEM") },
    },
    {
      name: "files",
      cluster: {
        server: "https://k8s.example.com",
        "certificate-authority": "ca.crt",
        "tls-server-name": "kube",
      },
    },
    { name: "lab", cluster: { server: "https://lab:6443", "insecure-skip-tls-verify": true } },
  ],
  users: [
    {
      name: "admin",
      user: { "client-certificate-data": b64("CERT PEM"), "client-key-data": b64("KEY PEM") },
    },
    { name: "ci", user: { token: "t0ken" } },
    {
      name: "files",
      user: { "client-certificate": "/abs/client.crt", "client-key": "client.key", tokenFile: "token" },
    },
    {
      name: "oidc",
      user: {
        exec: { command: "kubelogin", args: ["get-token"], apiVersion: "client.authentication.k8s.io/v1" },
      },
    },
    { name: "legacy", user: { "auth-provider": { name: "gcp" } } },
  ],
  contexts: [
    { name: "homelab", context: { cluster: "homelab", user: "admin" } },
    { name: "ci", context: { cluster: "lab", user: "ci" } },
    { name: "files", context: { cluster: "files", user: "files" } },
    { name: "oidc", context: { cluster: "homelab", user: "oidc" } },
    { name: "legacy", context: { cluster: "homelab", user: "legacy" } },
    { name: "nowhere", context: { cluster: "gone", user: "ci" } },
  ],
  "current-context": "homelab",
};

const files: Record<string, string> = {
  "/home/me/.kube/ca.crt": "CA FILE",
  "/abs/client.crt": "CERT FILE",
  "/home/me/.kube/client.key": "KEY FILE",
};
const read = (p: string) => {
  if (!(p in files)) throw new Error(`no file ${p}`);
  return files[p];
};

describe("resolveKubeAccess", () => {
  test("current-context, with inline certificate data", () => {
    expect(resolveKubeAccess(CONFIG, undefined, "/home/me/.kube", read)).toEqual({
      server: "https://10.0.0.10:6443",
      context: "homelab",
      ca: "CA PEM",
      cert: "CERT PEM",
      key: "KEY PEM",
      token: undefined,
      tokenFile: undefined,
      exec: undefined,
      insecureSkipTlsVerify: false,
      tlsServerName: undefined,
    });
  });

  test("the given context wins over current-context; a token; insecure-skip-tls-verify", () => {
    expect(resolveKubeAccess(CONFIG, "ci", "/home/me/.kube", read)).toMatchObject({
      server: "https://lab:6443",
      context: "ci",
      token: "t0ken",
      insecureSkipTlsVerify: true,
    });
  });

  test("files named by path, relative to the kubeconfig's directory; a token file", () => {
    expect(resolveKubeAccess(CONFIG, "files", "/home/me/.kube", read)).toMatchObject({
      ca: "CA FILE",
      cert: "CERT FILE",
      key: "KEY FILE",
      tokenFile: "/home/me/.kube/token",
      tlsServerName: "kube",
    });
  });

  test("an exec credential plugin", () => {
    expect(resolveKubeAccess(CONFIG, "oidc", "/home/me/.kube", read).exec).toEqual({
      command: "kubelogin",
      args: ["get-token"],
      apiVersion: "client.authentication.k8s.io/v1",
    });
  });

  test.each([
    [
      "a context that is not there",
      "prod",
      'context "prod" is not in the kubeconfig (contexts: homelab, ci, files, oidc, legacy, nowhere)',
    ],
    [
      "a context whose cluster is not there",
      "nowhere",
      'context "nowhere" names cluster "gone", which has no server in the kubeconfig',
    ],
    [
      "an auth-provider (removed from kubectl)",
      "legacy",
      'user "legacy" authenticates with an auth-provider, which the admission check does not support; use an exec credential plugin or a token',
    ],
  ])("%s: says what is missing", (_what, context, message) => {
    expect(() => resolveKubeAccess(CONFIG, context, "/home/me/.kube", read)).toThrow(message);
  });

  test("no context given and none current", () => {
    expect(() =>
      resolveKubeAccess({ ...CONFIG, "current-context": undefined }, undefined, "/", read),
    ).toThrow("the kubeconfig has no current-context and no context was given (kubernetes:context)");
  });
});

describe("where the kubeconfig comes from", () => {
  test.each([
    ["apiVersion: v1\nkind: Config\n", true],
    ['{"apiVersion":"v1"}', true],
    ["~/.kube/homelab", false],
    ["/etc/kubernetes/admin.conf", false],
  ])("%j is contents: %s", (value, content) => {
    expect(isKubeconfigContent(value)).toBe(content);
  });

  test("KUBECONFIG lists files; unset means ~/.kube/config", () => {
    expect(kubeconfigPaths("/a:/b::", "/home/me")).toEqual(["/a", "/b"]);
    expect(kubeconfigPaths(undefined, "/home/me")).toEqual(["/home/me/.kube/config"]);
  });

  test("several files merge as kubectl does: the first definition of a name wins, and the first current-context", () => {
    const merged = mergeKubeconfigs([
      { clusters: [{ name: "a", cluster: { server: "https://first" } }], contexts: [] },
      {
        clusters: [
          { name: "a", cluster: { server: "https://second" } },
          { name: "b", cluster: { server: "https://b" } },
        ],
        "current-context": "x",
      },
    ]);
    expect(merged.clusters).toEqual([
      { name: "a", cluster: { server: "https://first" } },
      { name: "b", cluster: { server: "https://b" } },
    ]);
    expect(merged["current-context"]).toBe("x");
  });
});
