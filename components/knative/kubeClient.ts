/**
 * The admission check's I/O: load the kubeconfig the kubernetes provider would use, and talk to
 * the API server (GET, server-side dry-run apply). Kept small and free of npm imports: it runs
 * inside Pulumi's dynamic provider host, which receives these functions serialized; the YAML
 * parser comes in as a parameter.
 */
import * as fs from "fs";
import * as http from "http";
import * as https from "https";
import * as childProcess from "child_process";
import * as path from "path";
import type { AdmissionIO, ApiResponse } from "./admission";
import {
  isKubeconfigContent,
  KubeAccess,
  Kubeconfig,
  kubeconfigPaths,
  mergeKubeconfigs,
  resolveKubeAccess,
} from "./kubeconfig";

export interface KubeAccessSources {
  /** A kubeconfig path or contents (component arg, else stack config `kubernetes:kubeconfig`). */
  kubeconfig?: string;
  /** The context (component arg, else stack config `kubernetes:context`). */
  context?: string;
  /** `KUBECONFIG` */
  kubeconfigEnv?: string;
  home: string;
  parseYaml: (text: string) => unknown;
  /** Where `kubeconfig` came from, as the user wrote it (messages name it). Default `kubernetes:kubeconfig`. */
  kubeconfigKey?: string;
}

/**
 * Parses a kubeconfig. The YAML parser's own message quotes the offending source line, which may
 * hold a token or key in clear: only its position is kept.
 */
export function parseKubeconfig(
  parseYaml: (text: string) => unknown,
  text: string,
  what: string,
): Kubeconfig {
  try {
    return parseYaml(text) as Kubeconfig;
  } catch (err) {
    const pos = (err as { linePos?: { line: number; col: number }[] }).linePos?.[0];
    const where = pos === undefined ? "" : ` (line ${pos.line}, column ${pos.col})`;
    throw new Error(`${what} is not valid YAML${where}: fix it, or give the path of a valid kubeconfig file`);
  }
}

/** The same cluster and credentials the kubernetes provider's default resolution picks. */
export function loadKubeAccess(sources: KubeAccessSources): KubeAccess {
  const read = (p: string) => fs.readFileSync(p, "utf8");
  const expand = (p: string) => (p.startsWith("~/") ? path.join(sources.home, p.slice(2)) : p);
  const parseFile = (f: string) => parseKubeconfig(sources.parseYaml, read(f), `the kubeconfig file ${f}`);
  if (sources.kubeconfig !== undefined && sources.kubeconfig !== "") {
    if (isKubeconfigContent(sources.kubeconfig)) {
      const key = sources.kubeconfigKey ?? "kubernetes:kubeconfig";
      return resolveKubeAccess(
        parseKubeconfig(sources.parseYaml, sources.kubeconfig, `the kubeconfig in ${key}`),
        sources.context,
        process.cwd(),
        read,
      );
    }
    const file = expand(sources.kubeconfig);
    return resolveKubeAccess(parseFile(file), sources.context, path.dirname(file), read);
  }
  const files = kubeconfigPaths(sources.kubeconfigEnv, sources.home, path.delimiter).filter((f) =>
    fs.existsSync(f),
  );
  if (files.length === 0) {
    throw new Error("no kubeconfig: set kubernetes:kubeconfig or KUBECONFIG, or write ~/.kube/config");
  }
  const merged = mergeKubeconfigs(files.map(parseFile));
  return resolveKubeAccess(merged, sources.context, path.dirname(files[0]), read);
}

/** Runs an exec credential plugin (client.authentication.k8s.io) and returns what it printed. */
function execCredential(access: KubeAccess): { token?: string; cert?: string; key?: string } {
  const exec = access.exec!;
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const e of exec.env ?? []) env[e.name] = e.value;
  env.KUBERNETES_EXEC_INFO = JSON.stringify({
    apiVersion: exec.apiVersion ?? "client.authentication.k8s.io/v1",
    kind: "ExecCredential",
    spec: { interactive: false },
  });
  const out = childProcess.execFileSync(exec.command, exec.args ?? [], {
    env,
    encoding: "utf8",
    timeout: 60000,
  });
  const status =
    (
      JSON.parse(out) as {
        status?: { token?: string; clientCertificateData?: string; clientKeyData?: string };
      }
    ).status ?? {};
  return { token: status.token, cert: status.clientCertificateData, key: status.clientKeyData };
}

/** One request to the API server; never throws (a transport failure comes back as `error`). */
export function kubeRequest(
  access: KubeAccess,
  method: string,
  apiPath: string,
  body?: string,
  contentType?: string,
): Promise<ApiResponse> {
  return new Promise((resolve) => {
    let credential: { token?: string; cert?: string; key?: string };
    try {
      credential = access.exec
        ? execCredential(access)
        : { token: access.tokenFile ? fs.readFileSync(access.tokenFile, "utf8").trim() : access.token };
    } catch (err) {
      resolve({ status: 0, body: undefined, error: `credentials: ${(err as Error).message}` });
      return;
    }
    const url = new URL(access.server);
    const headers: Record<string, string> = { Accept: "application/json" };
    if (credential.token) headers.Authorization = `Bearer ${credential.token}`;
    if (body !== undefined) {
      headers["Content-Type"] = contentType ?? "application/json";
      headers["Content-Length"] = String(Buffer.byteLength(body));
    }
    const options: https.RequestOptions = {
      method,
      hostname: url.hostname.replace(/^\[|\]$/g, ""),
      port: url.port || (url.protocol === "https:" ? 443 : 80),
      path: `${url.pathname.replace(/\/$/, "")}${apiPath}`,
      headers,
      timeout: 30000,
      ca: access.ca,
      cert: credential.cert ?? access.cert,
      key: credential.key ?? access.key,
      rejectUnauthorized: !access.insecureSkipTlsVerify,
      servername: access.tlsServerName,
    };
    const req = (url.protocol === "https:" ? https : http).request(options, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        let parsed: unknown = text;
        try {
          parsed = JSON.parse(text);
        } catch {
          // not JSON: keep the text
        }
        resolve({ status: res.statusCode ?? 0, body: parsed });
      });
    });
    req.on("timeout", () => req.destroy(new Error("no answer within 30 s")));
    req.on("error", (err) => resolve({ status: 0, body: undefined, error: err.message }));
    if (body !== undefined) req.write(body);
    req.end();
  });
}

/** The admission check's I/O against one API server. */
export function kubeAdmissionIO(access: KubeAccess): AdmissionIO {
  return {
    get: (apiPath) => kubeRequest(access, "GET", apiPath),
    dryRunApply: (apiPath, body, fieldManager, force) => {
      const query = `?dryRun=All&fieldManager=${encodeURIComponent(fieldManager)}&force=${force}`;
      // JSON is YAML: the apply content type takes it as it is.
      return kubeRequest(
        access,
        "PATCH",
        `${apiPath}${query}`,
        JSON.stringify(body),
        "application/apply-patch+yaml",
      );
    },
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
  };
}
