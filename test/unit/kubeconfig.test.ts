import {
  forClientNode,
  isKubeconfigContent,
  Kubeconfig,
  kubeconfigPaths,
  mergeKubeconfigs,
  selectContext,
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

describe("forClientNode: the kubeconfig as @kubernetes/client-node reads it, with kubectl's meaning", () => {
  const config = forClientNode(CONFIG, "/home/me/.kube");
  const user = (name: string) => config.users!.find((u) => u.name === name)!.user!;

  test("files named by a relative path are relative to the kubeconfig's directory; absolute ones stay", () => {
    expect(config.clusters!.find((c) => c.name === "files")!.cluster).toEqual({
      server: "https://k8s.example.com",
      "certificate-authority": "/home/me/.kube/ca.crt",
      "tls-server-name": "kube",
    });
    expect(user("files")).toMatchObject({
      "client-certificate": "/abs/client.crt",
      "client-key": "/home/me/.kube/client.key",
    });
  });

  test("a plain-HTTP server (kubectl proxy) is used as kubectl uses it: no TLS to verify", () => {
    const proxied = forClientNode(
      { clusters: [{ name: "p", cluster: { server: "http://127.0.0.1:8001" } }] },
      "/k",
    );
    expect(proxied.clusters![0].cluster).toEqual({
      server: "http://127.0.0.1:8001",
      "insecure-skip-tls-verify": true,
    });
    expect(config.clusters!.find((c) => c.name === "homelab")!.cluster).toEqual(CONFIG.clusters![0].cluster);
  });

  test("kubectl's tokenFile becomes the token-file client-node reads", () => {
    expect(user("files")["token-file"]).toBe("/home/me/.kube/token");
  });

  test("an exec plugin gets KUBERNETES_EXEC_INFO as from client-go; a relative command path is the kubeconfig directory's", () => {
    expect(user("oidc").exec).toEqual({
      command: "kubelogin",
      args: ["get-token"],
      apiVersion: "client.authentication.k8s.io/v1",
      env: [
        {
          name: "KUBERNETES_EXEC_INFO",
          value:
            '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","spec":{"interactive":false}}',
        },
      ],
    });
    const relative = forClientNode(
      { users: [{ name: "u", user: { exec: { command: "./bin/token" } } }] },
      "/k",
    );
    expect((relative.users![0].user!.exec as { command: string }).command).toBe("/k/./bin/token");
  });

  test("everything else is left as it is (an auth-provider, inline data, the contexts)", () => {
    expect(user("legacy")).toEqual({ "auth-provider": { name: "gcp" } });
    expect(user("admin")).toEqual(CONFIG.users![0].user);
    expect(config.contexts).toEqual(CONFIG.contexts);
    expect(config["current-context"]).toBe("homelab");
  });
});

describe("selectContext", () => {
  test("current-context, its server without a trailing slash", () => {
    expect(selectContext(CONFIG, undefined)).toEqual({
      context: "homelab",
      server: "https://10.0.0.10:6443",
    });
  });

  test("the given context wins over current-context", () => {
    expect(selectContext(CONFIG, "ci")).toEqual({ context: "ci", server: "https://lab:6443" });
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
  ])("%s: says what is missing", (_what, context, message) => {
    expect(() => selectContext(CONFIG, context)).toThrow(message);
  });

  test("no context given and none current", () => {
    expect(() => selectContext({ ...CONFIG, "current-context": undefined }, undefined)).toThrow(
      "the kubeconfig has no current-context and no context was given (kubernetes:context)",
    );
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
