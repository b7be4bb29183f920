/**
 * The end-to-end tests' Kubernetes API client: @kubernetes/client-node's KubeConfig for the test
 * cluster's CA and client certificate, the admission check's request function (the same transport
 * as the product), JSON in and out, server-side apply, and discovery of a kind's resource path.
 * Objects stay the API server's JSON as it is (client-node's typed APIs would turn timestamps into
 * Dates and drop fields their models do not know, which these tests assert on).
 */
import { KubeConfig } from "@kubernetes/client-node";
import { KubeAccess, kubeRequest } from "../components/knative/kubeClient";

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
  private readonly access: KubeAccess;
  private readonly discovery = new Map<string, ApiResource[]>();

  constructor(readonly credentials: KubeCredentials) {
    const config = new KubeConfig();
    config.loadFromOptions({
      clusters: [
        { name: "e2e", server: credentials.server, caFile: credentials.caPath, skipTLSVerify: false },
      ],
      users: [{ name: "admin", certFile: credentials.certPath, keyFile: credentials.keyPath }],
      contexts: [{ name: "e2e", cluster: "e2e", user: "admin" }],
      currentContext: "e2e",
    });
    this.access = { config, server: credentials.server, context: "e2e" };
  }

  /** One request; resolves the parsed JSON body (or text), rejects with KubeError on HTTP >= 400. */
  async request<T = unknown>(
    method: string,
    path: string,
    body?: unknown,
    contentType = "application/json",
  ): Promise<T> {
    const payload = body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body);
    const res = await kubeRequest(this.access, method, path, payload, contentType);
    if (res.error !== undefined) throw new Error(`${method} ${path}: ${res.error}`);
    if (res.status >= 400) {
      const text = typeof res.body === "string" ? res.body : JSON.stringify(res.body);
      throw new KubeError(res.status, text, `${method} ${path}`);
    }
    return (res.body === "" ? undefined : res.body) as T;
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
