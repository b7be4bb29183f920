/**
 * A small Kubernetes API client for the end-to-end tests: plain HTTPS with the test cluster's CA
 * and client certificate, JSON in and out, server-side apply, and discovery of a kind's resource path.
 */
import * as fs from "node:fs";
import * as https from "node:https";

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    generation?: number;
    resourceVersion?: string;
    uid?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    managedFields?: ManagedFieldsEntry[];
    deletionTimestamp?: string;
    ownerReferences?: { kind: string; name: string; uid: string; controller?: boolean }[];
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

export interface ManagedFieldsEntry {
  manager: string;
  operation: "Apply" | "Update";
  apiVersion: string;
  subresource?: string;
  fieldsV1?: Record<string, unknown>;
}

export interface KubeCredentials {
  server: string;
  caPath: string;
  certPath: string;
  keyPath: string;
}

export class KubeError extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
    what: string,
  ) {
    super(`${what}: HTTP ${status}: ${body}`);
  }
}

interface ApiResource {
  name: string;
  kind: string;
  namespaced: boolean;
}

export class Kube {
  private readonly agent: https.Agent;
  private readonly discovery = new Map<string, ApiResource[]>();

  constructor(readonly credentials: KubeCredentials) {
    this.agent = new https.Agent({
      ca: fs.readFileSync(credentials.caPath),
      cert: fs.readFileSync(credentials.certPath),
      key: fs.readFileSync(credentials.keyPath),
      keepAlive: true,
    });
  }

  close(): void {
    this.agent.destroy();
  }

  /** One request; resolves the parsed JSON body (or text), rejects with KubeError on HTTP >= 400. */
  request<T = unknown>(
    method: string,
    path: string,
    body?: unknown,
    contentType = "application/json",
  ): Promise<T> {
    const url = new URL(path, this.credentials.server);
    const payload = body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = https.request(
        url,
        {
          method,
          agent: this.agent,
          headers: {
            accept: "application/json",
            ...(payload === undefined
              ? {}
              : { "content-type": contentType, "content-length": Buffer.byteLength(payload) }),
          },
          timeout: 30000,
        },
        (res) => {
          let text = "";
          res.setEncoding("utf8");
          res.on("data", (d: string) => (text += d));
          res.on("end", () => {
            const status = res.statusCode ?? 0;
            if (status >= 400) return reject(new KubeError(status, text, `${method} ${path}`));
            try {
              resolve((text ? JSON.parse(text) : undefined) as T);
            } catch {
              resolve(text as T);
            }
          });
        },
      );
      req.on("timeout", () => req.destroy(new Error(`${method} ${path}: timed out`)));
      req.on("error", reject);
      if (payload !== undefined) req.write(payload);
      req.end();
    });
  }

  get<T = KubeObject>(path: string): Promise<T> {
    return this.request<T>("GET", path);
  }

  /** The object at path, or undefined when the API server answers 404. */
  async find<T = KubeObject>(path: string): Promise<T | undefined> {
    try {
      return await this.get<T>(path);
    } catch (err) {
      if (err instanceof KubeError && err.status === 404) return undefined;
      throw err;
    }
  }

  async list(path: string): Promise<KubeObject[]> {
    const list = await this.get<{ items: KubeObject[] }>(path);
    return list.items;
  }

  /** POST an object to its collection. */
  async create(object: KubeObject): Promise<KubeObject> {
    const collection = await this.collectionPath(object.apiVersion, object.kind, object.metadata.namespace);
    return this.request<KubeObject>("POST", collection, object);
  }

  /** Server-side apply of `object` as `fieldManager` (what `kubectl apply --server-side` does). */
  async apply(object: KubeObject, fieldManager: string, force = false): Promise<KubeObject> {
    const path = await this.objectPath(object);
    const query = `?fieldManager=${encodeURIComponent(fieldManager)}${force ? "&force=true" : ""}`;
    return this.request<KubeObject>("PATCH", path + query, object, "application/apply-patch+yaml");
  }

  async delete(path: string): Promise<void> {
    try {
      await this.request("DELETE", path);
    } catch (err) {
      if (!(err instanceof KubeError && err.status === 404)) throw err;
    }
  }

  /** The resources an apiVersion serves (discovery, cached). */
  private async resources(apiVersion: string): Promise<ApiResource[]> {
    let known = this.discovery.get(apiVersion);
    if (!known) {
      const base = apiVersion.includes("/") ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
      const list = await this.get<{ resources: ApiResource[] }>(base);
      known = list.resources.filter((r) => !r.name.includes("/"));
      this.discovery.set(apiVersion, known);
    }
    return known;
  }

  /** Forget discovery (after CRDs are installed). */
  forgetDiscovery(): void {
    this.discovery.clear();
  }

  async collectionPath(apiVersion: string, kind: string, namespace?: string): Promise<string> {
    const resource = (await this.resources(apiVersion)).find((r) => r.kind === kind);
    if (!resource) throw new Error(`the API server serves no kind ${kind} in ${apiVersion}`);
    const base = apiVersion.includes("/") ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
    if (!resource.namespaced) return `${base}/${resource.name}`;
    if (!namespace) throw new Error(`${kind} is namespaced: give a namespace`);
    return `${base}/namespaces/${namespace}/${resource.name}`;
  }

  async objectPath(o: { apiVersion: string; kind: string; metadata: { name: string; namespace?: string } }) {
    return `${await this.collectionPath(o.apiVersion, o.kind, o.metadata.namespace)}/${o.metadata.name}`;
  }
}

/** The field paths (`spec.template.spec.timeoutSeconds`) a managedFields entry owns (leaves only). */
export function ownedFieldPaths(fields: Record<string, unknown> | undefined, prefix = ""): string[] {
  if (!fields) return [];
  const out: string[] = [];
  for (const [key, value] of Object.entries(fields)) {
    if (key === ".") continue;
    const name = key.startsWith("f:") ? key.slice(2) : key;
    const here = prefix ? `${prefix}.${name}` : name;
    const children = ownedFieldPaths(value as Record<string, unknown>, here);
    if (children.length === 0) out.push(here);
    else out.push(...children);
  }
  return out;
}
