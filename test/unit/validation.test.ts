import * as pulumi from "@pulumi/pulumi";
import {
  isHostname,
  isQualifiedName,
  requireDnsLabel,
  requireHostname,
  requirePath,
  requirePort,
  requireWholeNumber,
  ValidationError,
} from "../../components/core/validation";
import { requireNotKnativeReserved, resolveBackend, resolveWebSocket } from "../../components/core/backend";

const OWNER = 'TunnelExposure "dev"';

describe.each([
  ["ws.example.com", false, true],
  ["WS.Example.COM", false, true],
  ["a.b", false, true],
  ["localhost", false, false],
  ["", false, false],
  ["-bad.example.com", false, false],
  ["bad-.example.com", false, false],
  ["under_score.example.com", false, false],
  ["*.example.com", false, false],
  ["*.example.com", true, true],
  ["ws.*.example.com", true, false],
  [`${"a".repeat(64)}.example.com`, false, false],
])("isHostname(%j, wildcard=%j)", (host, wildcard, expected) => {
  test(`is ${expected}`, () => expect(isHostname(host, wildcard)).toBe(expected));
});

// Kubernetes' IsQualifiedName (k8s.io/apimachinery validation), which the API server applies to a
// Service's loadBalancerClass.
describe.each([
  ["internal-vip", true],
  ["example.com/l4", true],
  ["service.k8s.aws/nlb", true],
  ["io.cilium/bgp-control-plane", true],
  ["a", true],
  ["Upper_Case.v2", true],
  ["example.com/-l4", false],
  ["example.com/l4_", false],
  ["Example.com/l4", false],
  ["/l4", false],
  ["example.com/", false],
  ["a/b/c", false],
  ["", false],
  [`${"a".repeat(63)}`, true],
  [`${"a".repeat(64)}`, false],
  [`${"a".repeat(253)}/l4`, true],
  [`${"a".repeat(254)}/l4`, false],
])("isQualifiedName(%j)", (name, expected) => {
  test(`is ${expected}`, () => expect(isQualifiedName(name)).toBe(expected));
});

test("a ValidationError is a pulumi.RunError (the language host prints its message alone), named and shaped as before", () => {
  const err = new ValidationError(OWNER, "hostname", "is bad");
  expect(pulumi.RunError.isInstance(err)).toBe(true);
  expect(err).toBeInstanceOf(Error);
  expect([err.name, err.message, err.owner, err.field, err.problem]).toEqual([
    "ValidationError",
    'TunnelExposure "dev": hostname is bad',
    OWNER,
    "hostname",
    "is bad",
  ]);
});

describe("messages name the owner, the argument and the fix", () => {
  test.each([
    [
      () => requireHostname(OWNER, "hostname", ""),
      'TunnelExposure "dev": hostname "" is not a valid DNS name; use a fully qualified name such as "ws.example.com"',
    ],
    [
      () => requirePath(OWNER, "backend.path", "ws"),
      'TunnelExposure "dev": backend.path "ws" is not a path; it must start with "/" and hold no spaces, "?" or "#" (e.g. "/ws")',
    ],
    [
      () => requireWholeNumber(OWNER, "connector.replicas", 0, 1, 25),
      'TunnelExposure "dev": connector.replicas must be a whole number from 1 to 25 (got 0)',
    ],
    [
      () => requireWholeNumber(OWNER, "websocket.heartbeatSeconds", 2.5, 1, 3600, "of seconds"),
      'TunnelExposure "dev": websocket.heartbeatSeconds must be a whole number of seconds from 1 to 3600 (got 2.5)',
    ],
    [
      () => requirePort(OWNER, "port", 70000),
      'TunnelExposure "dev": port must be a whole number from 1 to 65535 (got 70000)',
    ],
    [
      () => requireDnsLabel(OWNER, "backend.namespace", "Agents"),
      'TunnelExposure "dev": backend.namespace "Agents" is not a valid Kubernetes name; use lower-case letters, digits and "-", at most 63 characters',
    ],
    [
      () => requireNotKnativeReserved(OWNER, "port", 8013),
      'TunnelExposure "dev": port 8013 is reserved by Knative\'s queue-proxy (8012, 8013, 8022, 9090, 9091); choose another port',
    ],
  ])("%#", (call, message) => {
    expect(call).toThrow(ValidationError);
    expect(call).toThrow(message);
  });
});

describe("resolveBackend", () => {
  test("a Knative Service is reached through its ingress with the Host header it routes on", () => {
    expect(
      resolveBackend(OWNER, { knativeService: "messaging-service", namespace: "agents-whatsapp-rust" }),
    ).toEqual({
      kind: "knative",
      name: "messaging-service",
      namespace: "agents-whatsapp-rust",
      path: "/ws",
      inClusterUrl: "http://messaging-service.agents-whatsapp-rust.svc.cluster.local",
      hostHeader: "messaging-service.agents-whatsapp-rust.svc.cluster.local",
      podSelector: { "serving.knative.dev/service": "messaging-service" },
      clusterDomain: "cluster.local",
    });
  });

  test("a plain Service is reached on its port, any Host", () => {
    expect(
      resolveBackend(OWNER, { service: "chat", namespace: "apps", port: 8081, path: "/socket" }),
    ).toEqual({
      kind: "service",
      name: "chat",
      namespace: "apps",
      path: "/socket",
      port: 8081,
      inClusterUrl: "http://chat.apps.svc.cluster.local:8081",
      clusterDomain: "cluster.local",
    });
  });

  test.each([
    [
      undefined,
      'TunnelExposure "dev": backend is required: give { knativeService, namespace } or { service, namespace, port }',
    ],
    [
      { namespace: "apps" },
      'TunnelExposure "dev": backend names no service: give knativeService (a Knative Service) or service + port (a plain Service)',
    ],
    [
      { knativeService: "a", service: "b", namespace: "apps", port: 80 },
      'TunnelExposure "dev": backend sets both knativeService and service; give exactly one',
    ],
    [
      { knativeService: "a", namespace: "apps", port: 8080 },
      'TunnelExposure "dev": backend.port is only for a plain Service; a Knative Service is reached through its ingress on port 80',
    ],
  ])("refuses %j", (backend, message) => {
    expect(() => resolveBackend(OWNER, backend as never)).toThrow(message);
  });

  test("websocket defaults are the iOS client's heartbeat and an hour of life", () => {
    expect(resolveWebSocket(OWNER, undefined)).toEqual({ heartbeatSeconds: 5, minLifetimeSeconds: 3600 });
  });
});
