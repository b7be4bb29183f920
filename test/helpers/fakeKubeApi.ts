/**
 * A fake kube-apiserver on 127.0.0.1 for the admission check's tests (a stand-in for
 * kube-apiserver with Knative's webhook: it proves the requests the check sends and how it reads
 * the answers, not that a real API server answers so): HTTPS with a throwaway certificate, it
 * answers the check's GETs and refuses the dry-run with Knative's webhook message a given number
 * of times, then accepts.
 */
import * as fs from "fs";
import * as http from "http";
import * as https from "https";
import { AddressInfo } from "net";
import { configMapPath, servicePath } from "../../components/knative/admission";
import { SERVICE } from "./knativeCheck";
import { selfSignedCert } from "../probe/helpers";

export interface Seen {
  method: string;
  url: string;
  authorization?: string;
  contentType?: string;
  body: string;
}

export interface FakeApiServer {
  url: string;
  seen: Seen[];
  /** The PEM of the server's certificate (its own CA). */
  ca: string;
  close: () => void;
}

let tls: { key: Buffer; cert: Buffer } | undefined;

/** One certificate for all fake servers of a test file (openssl is slow on a busy machine). */
function serverCertificate(): { key: Buffer; cert: Buffer } {
  if (!tls) {
    const made = selfSignedCert();
    fs.rmSync(made.dir, { recursive: true });
    tls = { key: made.key, cert: made.cert };
  }
  return tls;
}

/**
 * Answers like kube-apiserver with Knative's webhook: `refusals` dry-runs refused, then accepted;
 * a request without `Bearer <token>` is refused as unauthorized (401). Plain HTTP on request (as
 * `kubectl proxy` serves).
 */
export function fakeApiServer(
  refusals: number,
  token = "t0ken",
  protocol: "https" | "http" = "https",
): Promise<FakeApiServer> {
  const seen: Seen[] = [];
  const answer: http.RequestListener = (req, res) => {
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
      if (req.headers.authorization !== `Bearer ${token}`) {
        res.statusCode = 401;
        res.end(
          JSON.stringify({ kind: "Status", code: 401, reason: "Unauthorized", message: "Unauthorized" }),
        );
      } else if (req.method === "GET" && path === configMapPath("knative-serving", "config-defaults")) {
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
  };
  const server =
    protocol === "https" ? https.createServer(serverCertificate(), answer) : http.createServer(answer);
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () =>
      resolve({
        url: `${protocol}://127.0.0.1:${(server.address() as AddressInfo).port}`,
        seen,
        ca: serverCertificate().cert.toString("utf8"),
        close: () => server.close(),
      }),
    ),
  );
}

/** A kubeconfig with two contexts: `homelab` (the fake server) and `elsewhere` (nothing listens). */
export function kubeconfig(api: Pick<FakeApiServer, "url" | "ca">, context: string): string {
  const ca = Buffer.from(api.ca).toString("base64");
  return [
    "apiVersion: v1",
    "kind: Config",
    "clusters:",
    `- name: homelab\n  cluster:\n    server: ${api.url}\n    certificate-authority-data: ${ca}`,
    `- name: elsewhere\n  cluster:\n    server: https://127.0.0.1:1`,
    "users:",
    "- name: admin\n  user:\n    token: t0ken",
    "contexts:",
    "- name: homelab\n  context:\n    cluster: homelab\n    user: admin",
    "- name: elsewhere\n  context:\n    cluster: elsewhere\n    user: admin",
    `current-context: ${context}`,
    "",
  ].join("\n");
}

/**
 * What the fake server saw of the dry-runs: `refusals` refused, then the acceptance and (after a
 * refusal) its confirmation, each the exact server-side apply of the check's patch with the credentials' token.
 */
export function expectDryRuns(
  api: FakeApiServer,
  refusals: number,
  patch: Record<string, unknown>,
  token = "t0ken",
): void {
  const patches = api.seen.filter((s) => s.method === "PATCH");
  expect(patches).toHaveLength(refusals === 0 ? 1 : refusals + 2);
  expect(patches[0].url).toBe(`${servicePath(SERVICE)}?dryRun=All&fieldManager=ws-exposure&force=false`);
  expect(patches[0].contentType).toBe("application/apply-patch+yaml");
  expect(patches[0].authorization).toBe(`Bearer ${token}`);
  expect(JSON.parse(patches[0].body)).toEqual(patch);
}
