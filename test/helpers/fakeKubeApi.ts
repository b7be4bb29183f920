/**
 * A fake kube-apiserver on 127.0.0.1 for the admission check's tests: it answers the check's GETs
 * and refuses the dry-run with Knative's webhook message a given number of times, then accepts.
 */
import * as http from "http";
import { AddressInfo } from "net";
import { configMapPath, servicePath } from "../../components/knative/admission";
import { SERVICE } from "./knativeCheck";

export interface Seen {
  method: string;
  url: string;
  authorization?: string;
  contentType?: string;
  body: string;
}

/** Answers like kube-apiserver with Knative's webhook: `refusals` dry-runs refused, then accepted. */
export function fakeApiServer(refusals: number): Promise<{ url: string; seen: Seen[]; close: () => void }> {
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

/** A kubeconfig with two contexts: `homelab` (the fake server) and `elsewhere` (nothing listens). */
export function kubeconfig(server: string, context: string): string {
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
