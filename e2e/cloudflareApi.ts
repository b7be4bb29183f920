/**
 * A local stand-in of the few Cloudflare API v4 endpoints the stacks use, for the real Cloudflare
 * provider plugin (`cloudflare:baseUrl` points it here): tunnels (`/accounts/:a/cfd_tunnel`), a
 * tunnel's remotely managed configuration (`.../cfd_tunnel/:id/configurations`), its connector token
 * (`.../cfd_tunnel/:id/token`) and DNS records (`/zones/:z/dns_records`).
 *
 * It is a store that echoes: a POST to a collection creates `{...body, id}`, GET/PUT/PATCH/DELETE
 * work on what was stored, in Cloudflare's `{ success, errors, messages, result }` envelope. The
 * provider (Terraform provider v5 underneath, generated from the same API spec) sends its model as
 * the body and reads back the fields it computes. Every request is recorded for the tests.
 */
import { randomUUID } from "node:crypto";
import * as http from "node:http";
import { AddressInfo } from "node:net";

export interface CloudflareRequest {
  method: string;
  path: string;
  body?: unknown;
}

export interface CloudflareStandIn {
  /** The provider's `baseUrl` (ends in `/client/v4/`). */
  baseUrl: string;
  /** Stored objects by path (`/accounts/A/cfd_tunnel/ID`, `/zones/Z/dns_records/ID`, ...). */
  objects: Map<string, Record<string, unknown>>;
  requests: CloudflareRequest[];
  close(): Promise<void>;
}

const PREFIX = "/client/v4";

function envelope(result: unknown, status = 200, errors: { code: number; message: string }[] = []) {
  return { status, body: { success: errors.length === 0, errors, messages: [], result } };
}

function notFound(path: string) {
  return envelope(null, 404, [{ code: 1003, message: `not found: ${path}` }]);
}

/** What a freshly created object carries besides its body (ids, timestamps, the tunnel's fields). */
function created(path: string, body: Record<string, unknown>): Record<string, unknown> {
  const now = new Date().toISOString();
  const id = randomUUID().replace(/-/g, path.endsWith("/dns_records") ? "" : "-");
  const base: Record<string, unknown> = { ...body, id, created_on: now, modified_on: now };
  if (path.endsWith("/cfd_tunnel")) {
    Object.assign(base, {
      created_at: now,
      deleted_at: null,
      account_tag: path.split("/")[2],
      tun_type: "cfd_tunnel",
      status: "inactive",
      connections: [],
      remote_config: body.config_src === "cloudflare",
    });
  }
  if (path.endsWith("/dns_records"))
    Object.assign(base, { proxiable: true, meta: {}, settings: body.settings ?? {}, tags: body.tags ?? [] });
  return base;
}

function handle(
  objects: Map<string, Record<string, unknown>>,
  method: string,
  path: string,
  body: Record<string, unknown> | undefined,
) {
  const token = /^\/accounts\/([^/]+)\/cfd_tunnel\/([^/]+)\/token$/.exec(path);
  if (token && method === "GET") {
    const tunnel = objects.get(path.replace(/\/token$/, ""));
    if (!tunnel) return notFound(path);
    const secret = Buffer.from(`secret-of-${token[2]}`).toString("base64");
    return envelope(Buffer.from(JSON.stringify({ a: token[1], t: token[2], s: secret })).toString("base64"));
  }
  if (/\/configurations$/.test(path)) {
    if (method === "PUT") {
      const previous = objects.get(path);
      const tunnelId = path.split("/")[4];
      const config = {
        account_id: path.split("/")[2],
        tunnel_id: tunnelId,
        source: "cloudflare",
        version: ((previous?.version as number | undefined) ?? 0) + 1,
        created_at: new Date().toISOString(),
        ...body,
      };
      objects.set(path, config);
      return envelope(config);
    }
    if (method === "GET") return objects.has(path) ? envelope(objects.get(path)) : notFound(path);
  }
  const stored = objects.get(path);
  switch (method) {
    case "POST": {
      const object = created(path, body ?? {});
      objects.set(`${path}/${object.id as string}`, object);
      return envelope(object);
    }
    case "GET": {
      if (stored) return envelope(stored);
      const items = [...objects.entries()].filter(
        ([p]) => p.startsWith(`${path}/`) && !p.slice(path.length + 1).includes("/"),
      );
      if (items.length > 0 || /\/(cfd_tunnel|dns_records)$/.test(path)) {
        return envelope(items.map(([, o]) => o));
      }
      return notFound(path);
    }
    case "PUT":
    case "PATCH": {
      if (!stored) return notFound(path);
      const next = {
        ...(method === "PUT" ? { id: stored.id, created_on: stored.created_on } : stored),
        ...body,
      };
      next.modified_on = new Date().toISOString();
      objects.set(path, next);
      return envelope(next);
    }
    case "DELETE": {
      if (!stored) return notFound(path);
      objects.delete(path);
      for (const p of [...objects.keys()]) if (p.startsWith(`${path}/`)) objects.delete(p);
      return envelope({ ...stored, deleted_at: new Date().toISOString() });
    }
  }
  return envelope(null, 405, [{ code: 10000, message: `${method} not supported by the stand-in` }]);
}

export async function startCloudflareStandIn(): Promise<CloudflareStandIn> {
  const objects = new Map<string, Record<string, unknown>>();
  const requests: CloudflareRequest[] = [];
  const server = http.createServer((req, res) => {
    let text = "";
    req.setEncoding("utf8");
    req.on("data", (d: string) => (text += d));
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "http://localhost");
      const path = url.pathname.startsWith(PREFIX)
        ? url.pathname.slice(PREFIX.length).replace(/\/$/, "")
        : url.pathname;
      let body: Record<string, unknown> | undefined;
      try {
        body = text ? (JSON.parse(text) as Record<string, unknown>) : undefined;
      } catch {
        body = undefined;
      }
      const method = req.method ?? "GET";
      requests.push({ method, path, body });
      const answer = handle(objects, method, path, body);
      res.writeHead(answer.status, { "content-type": "application/json" });
      res.end(JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}${PREFIX}/`,
    objects,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
