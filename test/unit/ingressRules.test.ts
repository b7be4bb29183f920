import fc from "fast-check";
import {
  buildIngressRules,
  CATCH_ALL_RULE,
  catchAllProblem,
  IngressRulesInput,
  websocketPathRegex,
  WEBSOCKET_ORIGIN_REQUEST,
} from "../../components/tunnel/ingressRules";

const base: IngressRulesInput = {
  owner: 'TunnelExposure "dev"',
  hostname: "ws.example.com",
  websocketPath: "/ws",
  routeWebSocket: true,
  originUrl: "http://messaging-service.agents-whatsapp-rust.svc.cluster.local",
  originHostHeader: "messaging-service.agents-whatsapp-rust.svc.cluster.local",
  httpRoutes: [],
};

describe("buildIngressRules", () => {
  test("WebSocket route to the Knative ingress with its Host header, then exactly one catch-all", () => {
    expect(buildIngressRules(base)).toEqual([
      {
        hostname: "ws.example.com",
        path: "^/ws(/.*)?$",
        service: "http://messaging-service.agents-whatsapp-rust.svc.cluster.local",
        originRequest: {
          connectTimeout: 10,
          tlsTimeout: 10,
          tcpKeepAlive: 30,
          keepAliveTimeout: 90,
          keepAliveConnections: 100,
          httpHostHeader: "messaging-service.agents-whatsapp-rust.svc.cluster.local",
        },
      },
      { service: "http_status:404" },
    ]);
  });

  test("HTTP routes come after the WebSocket route and before the catch-all; an explicit origin keeps its own Host", () => {
    const rules = buildIngressRules({
      ...base,
      httpRoutes: [
        { path: "^/api/" },
        { hostname: "*.example.com", service: "http://web.default.svc.cluster.local:8080" },
      ],
    });
    expect(rules.map((r) => [r.hostname, r.path, r.service, r.originRequest?.httpHostHeader])).toEqual([
      ["ws.example.com", "^/ws(/.*)?$", base.originUrl, base.originHostHeader],
      ["ws.example.com", "^/api/", base.originUrl, base.originHostHeader],
      ["*.example.com", undefined, "http://web.default.svc.cluster.local:8080", undefined],
      [undefined, undefined, "http_status:404", undefined],
    ]);
  });

  test("an HTTP-only tunnel (hybrid without fallback) has no WebSocket rule", () => {
    const rules = buildIngressRules({ ...base, routeWebSocket: false, httpRoutes: [{}] });
    expect(rules).toEqual([
      {
        hostname: "ws.example.com",
        service: base.originUrl,
        originRequest: { ...WEBSOCKET_ORIGIN_REQUEST, httpHostHeader: base.originHostHeader },
      },
      CATCH_ALL_RULE,
    ]);
  });

  test("originRequest overrides apply to every rule", () => {
    const rules = buildIngressRules({ ...base, originRequest: { connectTimeout: 5 } });
    expect(rules[0].originRequest?.connectTimeout).toBe(5);
    expect(rules[0].originRequest?.tcpKeepAlive).toBe(30);
  });

  test.each([
    [
      { hostname: "bad host" },
      'TunnelExposure "dev": httpRoutes[0].hostname "bad host" is not a valid DNS name; use a fully qualified name such as "ws.example.com" (a leading "*." wildcard is allowed)',
    ],
    [
      { path: "^/api/(" },
      'TunnelExposure "dev": httpRoutes[0].path "^/api/(" is not a valid regular expression',
    ],
    [
      { service: "web:8080" },
      'TunnelExposure "dev": httpRoutes[0].service "web:8080" is not an origin; use a URL such as "http://web.default.svc.cluster.local:8080"',
    ],
    [
      { path: "^/ws(/.*)?$" },
      'TunnelExposure "dev": httpRoutes[0] repeats the WebSocket route for ws.example.com path "^/ws(/.*)?$"; cloudflared uses the first match, so this one would never be reached: remove it',
    ],
  ])("refuses route %j", (route, message) => {
    expect(() => buildIngressRules({ ...base, httpRoutes: [route] })).toThrow(message);
  });

  test("property: whatever the routes, the last rule is the only catch-all", () => {
    const route = fc.record(
      {
        path: fc.constantFrom("^/api/", "^/health$", "^/"),
        hostname: fc.constantFrom("a.example.com", "*.example.com"),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      // Distinct (hostname, path) pairs: a repeated route is refused (tested above).
      fc.property(
        fc.uniqueArray(route, { maxLength: 6, selector: (r) => `${r.hostname ?? ""} ${r.path ?? ""}` }),
        fc.boolean(),
        (httpRoutes, routeWebSocket) => {
          const rules = buildIngressRules({ ...base, httpRoutes, routeWebSocket });
          expect(catchAllProblem(rules)).toBeUndefined();
          expect(rules[rules.length - 1]).toEqual(CATCH_ALL_RULE);
        },
      ),
    );
  });
});

describe("websocketPathRegex", () => {
  test.each([
    ["/ws", ["/ws", "/ws/", "/ws/room/1"], ["/wsx", "/api/ws", "/w"]],
    ["/socket.io", ["/socket.io", "/socket.io/x"], ["/socketxio"]],
    ["/", ["/", "/anything"], []],
  ])("%s", (path, matches, misses) => {
    const re = new RegExp(websocketPathRegex(path));
    for (const m of matches) expect(re.test(m)).toBe(true);
    for (const m of misses) expect(re.test(m)).toBe(false);
  });
});

describe("catchAllProblem (shared with the policy pack)", () => {
  test.each([
    [[{ hostname: "a.example.com", service: "http://x" }, { service: "http_status:404" }], undefined],
    [[], 'has no ingress rules; the last rule must be a catch-all such as { service: "http_status:404" }'],
    [
      [{ hostname: "a.example.com", service: "http://x" }],
      'must end with a catch-all rule (no hostname, no path), e.g. { service: "http_status:404" }',
    ],
    [
      [{ service: "http://x" }, { hostname: "a.example.com", service: "http://x" }],
      'must end with a catch-all rule (no hostname, no path), e.g. { service: "http_status:404" }',
    ],
    [
      [{ service: "http://x" }, { service: "http_status:404" }],
      "has 2 catch-all rules (at 0, 1); rules after the first are unreachable, keep only the last",
    ],
  ])("%#", (rules, problem) => {
    expect(catchAllProblem(rules)).toBe(problem);
  });
});
