/**
 * The admission check's I/O: load the kubeconfig the kubernetes provider would use, and talk to
 * the API server (GET, server-side dry-run apply) with @kubernetes/client-node's credentials, TLS
 * and proxy. It runs inside Pulumi's dynamic provider host, which receives these functions
 * serialized: client-node and the YAML parser come in as parameters (loaded by absolute path),
 * never as imports the serializer would have to capture.
 */
import * as fs from "fs";
import * as http from "http";
import * as https from "https";
import * as path from "path";
import { setTimeout as sleep } from "node:timers/promises";
import type * as ClientNodeModule from "@kubernetes/client-node";
import type { AdmissionIO, ApiResponse } from "./admission";
import {
  forClientNode,
  isKubeconfigContent,
  Kubeconfig,
  kubeconfigPaths,
  mergeKubeconfigs,
  selectContext,
} from "./kubeconfig";

export type ClientNode = typeof ClientNodeModule;

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

/** The cluster the check talks to: client-node's config on the chosen context, and what the outputs name. */
export interface KubeAccess {
  config: ClientNodeModule.KubeConfig;
  /** `https://host:port[/prefix]` */
  server: string;
  context: string;
  /** How long an exec credential plugin may take (client-node sets no limit; kubectl's users expect one). */
  credentialsTimeoutMs?: number;
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

/** The kubeconfig (merged, paths absolute) the kubernetes provider's default resolution picks. */
function readKubeconfig(sources: KubeAccessSources): Kubeconfig {
  const expand = (p: string) => (p.startsWith("~/") ? path.join(sources.home, p.slice(2)) : p);
  const parseFile = (f: string) =>
    forClientNode(
      parseKubeconfig(sources.parseYaml, fs.readFileSync(f, "utf8"), `the kubeconfig file ${f}`),
      path.dirname(path.resolve(f)),
    );
  if (sources.kubeconfig !== undefined && sources.kubeconfig !== "") {
    if (!isKubeconfigContent(sources.kubeconfig)) return parseFile(expand(sources.kubeconfig));
    const key = sources.kubeconfigKey ?? "kubernetes:kubeconfig";
    return forClientNode(
      parseKubeconfig(sources.parseYaml, sources.kubeconfig, `the kubeconfig in ${key}`),
      process.cwd(),
    );
  }
  const files = kubeconfigPaths(sources.kubeconfigEnv, sources.home, path.delimiter).filter((f) =>
    fs.existsSync(f),
  );
  if (files.length === 0) {
    throw new Error("no kubeconfig: set kubernetes:kubeconfig or KUBECONFIG, or write ~/.kube/config");
  }
  return mergeKubeconfigs(files.map(parseFile));
}

/** The same cluster and credentials the kubernetes provider's default resolution picks. */
export function loadKubeAccess(clientNode: ClientNode, sources: KubeAccessSources): KubeAccess {
  const kubeconfig = readKubeconfig(sources);
  const { context, server } = selectContext(kubeconfig, sources.context);
  const config = new clientNode.KubeConfig();
  // JSON is YAML; an entry client-node cannot use is dropped, as kubectl ignores what the context does not name.
  config.loadFromString(JSON.stringify(kubeconfig), { onInvalidEntry: "filter" });
  config.setCurrentContext(context);
  return { config, server, context };
}

/** One request to the API server; never throws (a transport failure comes back as `error`). */
export async function kubeRequest(
  access: KubeAccess,
  method: string,
  apiPath: string,
  body?: string,
  contentType?: string,
): Promise<ApiResponse> {
  const headers: Record<string, string> = { Accept: "application/json" };
  if (body !== undefined) {
    headers["Content-Type"] = contentType ?? "application/json";
    headers["Content-Length"] = String(Buffer.byteLength(body));
  }
  const options: https.RequestOptions = { method, headers, timeout: 30000 };
  const timeoutMs = access.credentialsTimeoutMs ?? 60000;
  let timer: NodeJS.Timeout | undefined;
  try {
    // Client certificates, CA, bearer token (exec plugin, auth provider, token file) and the proxy
    // agent. A hung exec plugin would otherwise hold `pulumi preview` forever.
    await Promise.race([
      access.config.applyToHTTPSOptions(options),
      new Promise((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`no credentials within ${timeoutMs / 1000} s (a hung exec plugin?)`)),
          timeoutMs,
        );
      }),
    ]);
  } catch (err) {
    return { status: 0, body: undefined, error: `credentials: ${(err as Error).message}` };
  } finally {
    clearTimeout(timer);
  }
  const url = new URL(`${access.server}${apiPath}`);
  return new Promise((resolve) => {
    const req = (url.protocol === "https:" ? https : http).request(url, options, (res) => {
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
    sleep: (ms) => sleep(ms),
  };
}
