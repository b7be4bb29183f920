/**
 * The kubeconfig features the admission check gets from @kubernetes/client-node, each through the
 * component package's provider against the fake API server (test/helpers/fakeKubeApi.ts, a
 * stand-in for kube-apiserver over HTTPS on 127.0.0.1 that refuses a request without the expected
 * bearer token): an exec credential plugin, a cluster's proxy-url, a plain-HTTP server, and an
 * auth-provider.
 */
import * as fs from "fs";
import * as http from "http";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { wsExposureProvider } from "../../provider/index";
import { admissionInput, engineSecret, PACKAGE_GATE_URN } from "../helpers/knativeCheck";
import { expectDryRuns, fakeApiServer, FakeApiServer } from "../helpers/fakeKubeApi";
import * as clientNode from "@kubernetes/client-node";
import { parse as parseYaml } from "yaml";
import { kubeRequest, loadKubeAccess } from "../../components/knative/kubeClient";

const CHECK = admissionInput(true, { waitSeconds: 5 });

/** A one-context kubeconfig (JSON, which is YAML) for the fake server, with this user and cluster extras. */
function kubeconfigFor(
  api: FakeApiServer,
  user: Record<string, unknown>,
  cluster: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    apiVersion: "v1",
    kind: "Config",
    clusters: [
      {
        name: "lab",
        cluster: {
          server: api.url,
          "certificate-authority-data": Buffer.from(api.ca).toString("base64"),
          ...cluster,
        },
      },
    ],
    users: [{ name: "me", user }],
    contexts: [{ name: "lab", context: { cluster: "lab", user: "me" } }],
    "current-context": "lab",
  };
}

async function runCheck(kubeconfig: string): Promise<unknown> {
  return wsExposureProvider().create!(PACKAGE_GATE_URN, {
    check: CHECK,
    kubeconfig: engineSecret(kubeconfig),
  });
}

/** An HTTP CONNECT proxy on 127.0.0.1 that records the targets it tunnels to. */
async function connectProxy(): Promise<{ url: string; targets: string[]; close: () => void }> {
  const targets: string[] = [];
  const sockets = new Set<net.Socket>();
  const proxy = http.createServer((_req, res) => {
    res.statusCode = 405;
    res.end();
  });
  proxy.on("connect", (req: http.IncomingMessage, client: net.Socket) => {
    targets.push(req.url ?? "");
    const [host, port] = (req.url ?? "").split(":");
    const upstream = net.connect(Number(port), host, () => {
      client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      upstream.pipe(client);
      client.pipe(upstream);
    });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on("error", () => s.destroy());
      s.on("close", () => sockets.delete(s));
    }
  });
  await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(proxy.address() as net.AddressInfo).port}`,
    targets,
    close: () => {
      for (const s of sockets) s.destroy();
      proxy.close();
    },
  };
}

describe("the admission check's credentials and transport come from @kubernetes/client-node (against a stand-in API server)", () => {
  test("an exec credential plugin (a command relative to the kubeconfig file) prints the token the API server gets", async () => {
    const api = await fakeApiServer(0, "ex3c-t0ken");
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ws-exposure-exec-"));
    try {
      const plugin = path.join(dir, "print-token.sh");
      fs.writeFileSync(
        plugin,
        [
          "#!/bin/sh",
          // client-go tells the plugin what it wants; a plugin may insist on it.
          `case "$KUBERNETES_EXEC_INFO" in *'"kind":"ExecCredential"'*) ;; *) echo "no exec info" >&2; exit 1;; esac`,
          `printf '%s' '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"ex3c-t0ken"}}'`,
          "",
        ].join("\n"),
        { mode: 0o755 },
      );
      const file = path.join(dir, "config");
      const exec = {
        apiVersion: "client.authentication.k8s.io/v1",
        command: "./print-token.sh",
        interactiveMode: "Never",
      };
      fs.writeFileSync(file, JSON.stringify(kubeconfigFor(api, { exec })));
      expect(await runCheck(file)).toEqual({
        id: "agents-whatsapp-rust/messaging-service",
        outs: { fieldManager: "ws-exposure", takeovers: [], retries: 0, server: api.url, context: "lab" },
      });
      expectDryRuns(api, 0, CHECK.patch, "ex3c-t0ken");
    } finally {
      api.close();
      fs.rmSync(dir, { recursive: true });
    }
  });

  test("an exec plugin that never answers fails the request with a timeout instead of hanging it", async () => {
    const api = await fakeApiServer(0, "never");
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ws-exposure-exec-"));
    try {
      const plugin = path.join(dir, "hang.sh");
      fs.writeFileSync(plugin, "#!/bin/sh\nexec sleep 3\n", { mode: 0o755 });
      const exec = {
        apiVersion: "client.authentication.k8s.io/v1",
        command: plugin,
        interactiveMode: "Never",
      };
      const access = loadKubeAccess(clientNode, {
        kubeconfig: JSON.stringify(kubeconfigFor(api, { exec })),
        home: dir,
        parseYaml,
      });
      const response = await kubeRequest({ ...access, credentialsTimeoutMs: 300 }, "GET", "/version");
      expect(response).toEqual({
        status: 0,
        body: undefined,
        error: "credentials: no credentials within 0.3 s (a hung exec plugin?)",
      });
    } finally {
      api.close();
      fs.rmSync(dir, { recursive: true });
    }
  });

  test("a cluster's proxy-url: every request goes through the proxy", async () => {
    const api = await fakeApiServer(0);
    const proxy = await connectProxy();
    try {
      const config = kubeconfigFor(api, { token: "t0ken" }, { "proxy-url": proxy.url });
      expect(await runCheck(JSON.stringify(config))).toMatchObject({ outs: { retries: 0, server: api.url } });
      expectDryRuns(api, 0, CHECK.patch);
      expect(proxy.targets.length).toBeGreaterThan(0);
      expect(new Set(proxy.targets)).toEqual(new Set([new URL(api.url).host]));
    } finally {
      proxy.close();
      api.close();
    }
  });

  test("a plain-HTTP server (as kubectl proxy serves) is talked to as kubectl does", async () => {
    const api = await fakeApiServer(0, "t0ken", "http");
    try {
      const config = kubeconfigFor(api, { token: "t0ken" });
      expect(await runCheck(JSON.stringify(config))).toMatchObject({ outs: { retries: 0, server: api.url } });
      expectDryRuns(api, 0, CHECK.patch);
    } finally {
      api.close();
    }
  });

  test("an auth-provider (gcp, with the access token gcloud wrote) is used, not refused", async () => {
    const api = await fakeApiServer(0, "gcp-t0ken");
    try {
      const authProvider = {
        name: "gcp",
        config: { "access-token": "gcp-t0ken", expiry: "2999-01-01T00:00:00Z" },
      };
      const config = kubeconfigFor(api, { "auth-provider": authProvider });
      expect(await runCheck(JSON.stringify(config))).toMatchObject({ outs: { retries: 0, server: api.url } });
      expectDryRuns(api, 0, CHECK.patch, "gcp-t0ken");
    } finally {
      api.close();
    }
  });
});
