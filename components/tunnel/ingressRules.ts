import { fail, requireHostname } from "../core/validation";

/** cloudflared `originRequest` settings (numbers are seconds, as @pulumi/cloudflare v6 takes them). */
export interface OriginRequest {
  /** Seconds cloudflared waits to connect to the origin. Default 10 (WEBSOCKET_ORIGIN_REQUEST). */
  connectTimeout?: number;
  /** Seconds cloudflared waits for the origin's TLS handshake. Default 10. */
  tlsTimeout?: number;
  /** TCP keepalive interval to the origin, seconds, so a silently dead peer is noticed. Default 30. */
  tcpKeepAlive?: number;
  /** Seconds an idle pooled origin connection is kept. Default 90. */
  keepAliveTimeout?: number;
  /** Most idle pooled origin connections. Default 100. */
  keepAliveConnections?: number;
  /** The Host header sent to the origin; a rule's own (the backend's on the routes to the backend, a route's httpHostHeader) takes precedence. Default the request's. */
  httpHostHeader?: string;
  /** Turn off Happy Eyeballs (IPv6/IPv4 fallback) to the origin. Default cloudflared's (false). */
  noHappyEyeballs?: boolean;
  /** Speak HTTP/2 to the origin. Default cloudflared's (false). */
  http2Origin?: boolean;
}

export interface IngressRule {
  hostname?: string;
  path?: string;
  service: string;
  originRequest?: OriginRequest;
}

/** An extra HTTP route through the tunnel (for plain HTTP endpoints next to the WebSocket). */
export interface HttpRoute {
  /** Public hostname; default the exposure's hostname. Wildcards (`*.example.com`) allowed. */
  hostname?: string;
  /** Path regex as cloudflared matches it (e.g. `^/api/`); default every path. */
  path?: string;
  /** Origin URL (`http://svc.ns.svc.cluster.local:8080`); default the backend's in-cluster URL. */
  service?: string;
  /** Host header for the origin; default the backend's (Knative routes on Host). */
  httpHostHeader?: string;
}

export const CATCH_ALL_RULE: IngressRule = { service: "http_status:404" };

/**
 * Origin settings for long-lived upgraded connections: fail fast on a dead origin, keep the TCP
 * connection to the origin probed so a silently dead peer is noticed, and keep pooled origin
 * connections warm for the next upgrade.
 */
export const WEBSOCKET_ORIGIN_REQUEST: OriginRequest = {
  connectTimeout: 10,
  tlsTimeout: 10,
  tcpKeepAlive: 30,
  keepAliveTimeout: 90,
  keepAliveConnections: 100,
};

/** Anchors a WebSocket path so `/ws` matches `/ws` and `/ws/...` but not `/wsx` (cloudflared paths are regexes). */
export function websocketPathRegex(path: string): string {
  const escaped = path.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return path === "/" ? "^/" : `^${escaped}(/.*)?$`;
}

export interface IngressRulesInput {
  owner: string;
  hostname: string;
  websocketPath: string;
  /** Route the WebSocket path (false when the WebSocket goes elsewhere and the tunnel serves HTTP only). */
  routeWebSocket: boolean;
  originUrl: string;
  originHostHeader?: string;
  httpRoutes: HttpRoute[];
  originRequest?: OriginRequest;
}

/** The tunnel's ingress rules: WebSocket route first, HTTP routes, and exactly one catch-all, last. */
export function buildIngressRules(input: IngressRulesInput): IngressRule[] {
  const originRequest = { ...WEBSOCKET_ORIGIN_REQUEST, ...input.originRequest };
  const withHost = (host: string | undefined): OriginRequest =>
    host === undefined ? originRequest : { ...originRequest, httpHostHeader: host };

  const rules: IngressRule[] = [];
  if (input.routeWebSocket) {
    rules.push({
      hostname: input.hostname,
      path: websocketPathRegex(input.websocketPath),
      service: input.originUrl,
      originRequest: withHost(input.originHostHeader),
    });
  }
  input.httpRoutes.forEach((route, i) => {
    const field = `httpRoutes[${i}]`;
    const hostname =
      route.hostname === undefined
        ? input.hostname
        : requireHostname(input.owner, `${field}.hostname`, route.hostname, true);
    if (route.path !== undefined) {
      if (typeof route.path !== "string" || route.path.length === 0)
        fail(input.owner, `${field}.path`, 'must be a non-empty regex such as "^/api/"');
      try {
        new RegExp(route.path);
      } catch {
        fail(
          input.owner,
          `${field}.path`,
          `${JSON.stringify(route.path)} is not a valid regular expression; write a cloudflared path regex such as "^/api/"`,
        );
      }
    }
    if (route.service !== undefined && !/^(https?|unix|tcp|http_status):/.test(route.service)) {
      fail(
        input.owner,
        `${field}.service`,
        `${JSON.stringify(route.service)} is not an origin; use a URL such as "http://web.default.svc.cluster.local:8080"`,
      );
    }
    const earlier = rules.findIndex((r) => r.hostname === hostname && r.path === route.path);
    if (earlier >= 0) {
      const what = earlier === 0 && input.routeWebSocket ? "the WebSocket route" : `an earlier route`;
      fail(
        input.owner,
        field,
        `repeats ${what} for ${hostname}${route.path === undefined ? " (every path)" : ` path ${JSON.stringify(route.path)}`}; cloudflared uses the first match, so this one would never be reached: remove it`,
      );
    }
    const service = route.service ?? input.originUrl;
    const host = route.httpHostHeader ?? (route.service === undefined ? input.originHostHeader : undefined);
    rules.push({
      hostname,
      ...(route.path === undefined ? {} : { path: route.path }),
      service,
      originRequest: withHost(host),
    });
  });
  rules.push(CATCH_ALL_RULE);
  return rules;
}

/** True when a rule matches every request (no hostname, no path): it must be the last and only one. */
export function isCatchAll(rule: { hostname?: string | null; path?: string | null }): boolean {
  return !rule.hostname && !rule.path;
}

/** Shared with the policy pack: the last rule is the only catch-all. Returns a problem or undefined. */
export function catchAllProblem(
  rules: { hostname?: string | null; path?: string | null; service?: string }[],
): string | undefined {
  if (rules.length === 0)
    return 'has no ingress rules; the last rule must be a catch-all such as { service: "http_status:404" }';
  const catchAlls = rules.map((r, i) => (isCatchAll(r) ? i : -1)).filter((i) => i >= 0);
  if (catchAlls.length === 0 || catchAlls[catchAlls.length - 1] !== rules.length - 1) {
    return 'must end with a catch-all rule (no hostname, no path), e.g. { service: "http_status:404" }';
  }
  if (catchAlls.length > 1) {
    return `has ${catchAlls.length} catch-all rules (at ${catchAlls.join(", ")}); rules after the first are unreachable, keep only the last`;
  }
  return undefined;
}
