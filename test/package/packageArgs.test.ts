import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { planL4 } from "../../components/l4/plan";
import { cloudServiceFields } from "../../components/l4/planLoadBalancer";
import { planTunnel } from "../../components/tunnel/plan";
import { planHybrid } from "../../components/hybrid/plan";
import { HybridExposure } from "../../components/hybrid/HybridExposure";
import { L4Exposure } from "../../components/l4/L4Exposure";
import { TunnelExposure } from "../../components/tunnel/TunnelExposure";
import { WsMonitor } from "../../components/monitor/WsMonitor";
import * as pkg from "../../components/package";
import {
  HybridExposure as PackageHybridExposure,
  HybridExposurePackageArgs,
  toHybridExposureArgs,
  toL4ExposureArgs,
  toTunnelExposureArgs,
  toWsMonitorArgs,
} from "../../components/package";
import { dropAbsent } from "../../components/package/convert";
import { hybridArgs, l4Args, tunnelArgs } from "../helpers/fixtures";

/** The message `f` throws, or "accepted". */
function message(f: () => unknown): string {
  try {
    f();
  } catch (err) {
    return (err as Error).message;
  }
  return "accepted";
}

/**
 * The component package's schema-friendly args (components/package) become the TypeScript args
 * unchanged but for absent fields and the two non-object variants, so the same validation judges them.
 */
describe("component package args", () => {
  const l4 = {
    backend: { knativeService: "messaging-service", namespace: "agents-whatsapp-rust" },
    websocket: { minLifetimeSeconds: 600 },
    hostname: "ws.example.com",
    addressPool: { create: { addresses: ["192.168.1.240/29"] } },
    tls: { mode: "none", acknowledgeInsecure: true },
  };

  test("absent fields (undefined or null, as other languages send them) are dropped, recursively", () => {
    expect(
      dropAbsent({ a: 1, b: undefined, c: null, d: { e: null, f: [{ g: undefined, h: "x" }] } }),
    ).toEqual({
      a: 1,
      d: { f: [{ h: "x" }] },
    });
  });

  test("route forcePort8080, a numeric none-mode targetPort and a dns address map to the TypeScript variants", () => {
    expect(
      toL4ExposureArgs({
        ...l4,
        route: "forcePort8080",
        tls: { mode: "none", acknowledgeInsecure: true, targetPort: "8080" },
        dns: { zoneId: "z", target: "203.0.113.7" },
      }),
    ).toEqual({
      ...l4,
      route: { forcePort8080: true },
      tls: { mode: "none", acknowledgeInsecure: true, targetPort: 8080 },
      dns: { zoneId: "z", target: { address: "203.0.113.7" } },
    });
    expect(
      toL4ExposureArgs({ ...l4, route: "ingress", dns: { zoneId: "z", target: "loadBalancerIP" } }),
    ).toEqual({
      ...l4,
      route: "ingress",
      dns: { zoneId: "z", target: "loadBalancerIP" },
    });
  });

  test("a pool given both ways fails with the TypeScript message (null variant fields are not 'given')", () => {
    const both = { ...l4, addressPool: { create: { addresses: ["192.168.1.240/29"] }, existing: "pool" } };
    const typeScript = message(() => planL4("m", both as never));
    expect(typeScript).not.toBe("accepted");
    expect(message(() => planL4("m", toL4ExposureArgs(both)))).toBe(typeScript);
    const withNull = { ...l4, addressPool: { create: { addresses: ["192.168.1.240/29"] }, existing: null } };
    expect(message(() => planL4("m", toL4ExposureArgs(withNull as never)))).toBe("accepted");
  });

  test("tunnel args pass through without their absent fields", () => {
    const args = {
      backend: { knativeService: "messaging-service", namespace: "agents-whatsapp-rust", port: undefined },
      websocket: { minLifetimeSeconds: 600 },
      accountId: "acc",
      zoneId: "zone",
      hostname: "ws.example.com",
      tunnel: { create: { name: "t" }, existingId: undefined },
    };
    const converted = toTunnelExposureArgs(args);
    expect(converted).toEqual({
      backend: { knativeService: "messaging-service", namespace: "agents-whatsapp-rust" },
      websocket: { minLifetimeSeconds: 600 },
      accountId: "acc",
      zoneId: "zone",
      hostname: "ws.example.com",
      tunnel: { create: { name: "t" } },
    });
    expect(planTunnel("m", converted).hostname).toBe("ws.example.com");
  });
});

/**
 * HybridExposure's package form: the shared fields and the two paths' own args (HybridTunnel,
 * HybridL4) become HybridExposureArgs, with the L4 path's variants mapped as for L4Exposure, so
 * planHybrid judges them and throws the same messages.
 */
/** An aws-nlb loadBalancer with every field of its type (but the TLS listener's: certificateArn, sslNegotiationPolicy). */
const awsNlb = {
  type: "aws-nlb",
  scheme: "internal",
  targetType: "instance",
  crossZone: false,
  idleTimeoutSeconds: 3600,
  proxyProtocol: true,
  deregistrationDelaySeconds: 30,
  managedSecurityGroup: false,
};
const customLb = {
  type: "custom",
  loadBalancerClass: "example.com/lb",
  annotations: { "example.com/idle": "3600" },
  idleTimeoutSeconds: 3600,
};
/** Three session ticket keys (base64 of 80 bytes each). */
const ticketKeys = [1, 2, 3].map((i) => Buffer.alloc(80, i).toString("base64"));
/** A terminate-mode tls with these haproxy fields (and certManager, when given). */
const terminate = (haproxy: Record<string, unknown>, certManager?: Record<string, unknown>) => ({
  mode: "terminate",
  certificate: certManager ? { certManager } : { secretName: "ws-tls" },
  haproxy: { replicas: 2, ...haproxy },
});

describe("component package args: HybridExposure", () => {
  /** test/helpers/fixtures.ts's hybridArgs in the package form (dns.target an address string). */
  const hybrid = (): HybridExposurePackageArgs => {
    const ts = hybridArgs();
    return {
      ...ts,
      l4: {
        addressPool: { create: { addresses: ["192.168.1.240/29"] } },
        loadBalancerIP: "192.168.1.241",
        tls: { mode: "terminate", certificate: { secretName: "ws-tls" } },
        dns: { zoneId: "zone", target: "203.0.113.7" },
      },
    } as HybridExposurePackageArgs;
  };
  /** A package-form arg changed at one place (objects merged one level deep). */
  const withArgs = (over: Record<string, unknown>): HybridExposurePackageArgs => {
    const base = hybrid() as unknown as Record<string, unknown>;
    const out: Record<string, unknown> = { ...base };
    for (const [k, v] of Object.entries(over)) {
      const b = base[k];
      out[k] =
        typeof v === "object" && v !== null && !Array.isArray(v) && typeof b === "object"
          ? { ...(b as object), ...v }
          : v;
    }
    return out as unknown as HybridExposurePackageArgs;
  };

  test("the fixture's package form converts to exactly the TypeScript fixture", () => {
    expect(toHybridExposureArgs(hybrid())).toEqual(hybridArgs());
    expect(planHybrid("prod", toHybridExposureArgs(hybrid())).budgets).toEqual(
      planHybrid("prod", hybridArgs()).budgets,
    );
  });

  test("absent fields (undefined or null) are dropped at every level, the rest passes unchanged", () => {
    const args = withArgs({
      fallback: null,
      websocket: { heartbeatSeconds: undefined },
      tunnel: { existingId: undefined, connector: { replicas: 3, image: null } },
      l4: { port: null, revision: { portName: undefined, containerConcurrency: 0 } },
    });
    const { fallback: _fallback, ...ts } = hybridArgs();
    expect(toHybridExposureArgs(args)).toStrictEqual({
      ...ts,
      websocket: { minLifetimeSeconds: 3600 },
      tunnel: { ...ts.tunnel, connector: { replicas: 3 } },
      l4: { ...ts.l4, revision: { containerConcurrency: 0 } },
    });
  });

  // [what, the package form's l4 fields, the TypeScript form's l4 fields]
  describe.each([
    ["route forcePort8080", { route: "forcePort8080" }, { route: { forcePort8080: true } }],
    ["route ingress", { route: "ingress" }, { route: "ingress" }],
    ["route queue-proxy", { route: "queue-proxy" }, { route: "queue-proxy" }],
    [
      "a none-mode targetPort of digits",
      { tls: { mode: "none", acknowledgeInsecure: true, targetPort: "8080" } },
      { tls: { mode: "none", acknowledgeInsecure: true, targetPort: 8080 } },
    ],
    [
      "a none-mode targetPort name",
      { tls: { mode: "none", acknowledgeInsecure: true, targetPort: "http" } },
      { tls: { mode: "none", acknowledgeInsecure: true, targetPort: "http" } },
    ],
    [
      "a passthrough targetPort of digits (a port name there)",
      { tls: { mode: "passthrough", targetPort: "8443" } },
      { tls: { mode: "passthrough", targetPort: "8443" } },
    ],
    [
      "a dns target address",
      { dns: { zoneId: "zone", target: "203.0.113.7" } },
      { dns: { zoneId: "zone", target: { address: "203.0.113.7" } } },
    ],
    [
      "a dns target loadBalancerIP",
      { dns: { zoneId: "zone", target: "loadBalancerIP", ttl: 60 } },
      { dns: { zoneId: "zone", target: "loadBalancerIP", ttl: 60 } },
    ],
    ["loadBalancer metallb", { loadBalancer: { type: "metallb" } }, { loadBalancer: { type: "metallb" } }],
    [
      "loadBalancer aws-nlb with every field (absent ones dropped)",
      { loadBalancer: { ...awsNlb, internal: null, annotations: undefined } },
      { loadBalancer: awsNlb },
    ],
    [
      "loadBalancer gcp",
      { loadBalancer: { type: "gcp", scheme: "internal" } },
      { loadBalancer: { type: "gcp", scheme: "internal" } },
    ],
    [
      "loadBalancer azure",
      { loadBalancer: { type: "azure", internal: true, idleTimeoutMinutes: 30 } },
      { loadBalancer: { type: "azure", internal: true, idleTimeoutMinutes: 30 } },
    ],
    ["loadBalancer custom", { loadBalancer: customLb }, { loadBalancer: customLb }],
    [
      "tls loadBalancer with a targetPort of digits",
      { tls: { mode: "loadBalancer", targetPort: "8080" } },
      { tls: { mode: "loadBalancer", targetPort: 8080 } },
    ],
    [
      "tls loadBalancer with a targetPort name",
      { tls: { mode: "loadBalancer", targetPort: "http" } },
      { tls: { mode: "loadBalancer", targetPort: "http" } },
    ],
    [
      "certManager keyAlgorithm RSA",
      { tls: terminate({}, { issuerName: "le", keyAlgorithm: "RSA" }) },
      { tls: terminate({}, { issuerName: "le", keyAlgorithm: "RSA" }) },
    ],
    [
      "haproxy drain with every field",
      { tls: terminate({ drain: { windowSeconds: 40, order: "random", image: "node:24.19.0-alpine3.24" } }) },
      { tls: terminate({ drain: { windowSeconds: 40, order: "random", image: "node:24.19.0-alpine3.24" } }) },
    ],
    ["haproxy drain {} (the defaults)", { tls: terminate({ drain: {} }) }, { tls: terminate({ drain: {} }) }],
    [
      "haproxy drain enabled false (off)",
      { tls: terminate({ drain: { enabled: false, order: null } }) },
      { tls: terminate({ drain: false }) },
    ],
    [
      "haproxy drain enabled true (on: enabled dropped)",
      { tls: terminate({ drain: { enabled: true, windowSeconds: 30 } }) },
      { tls: terminate({ drain: { windowSeconds: 30 } }) },
    ],
    [
      "haproxy drain enabled false with a window (kept for resolveDrain to refuse)",
      { tls: terminate({ drain: { enabled: false, windowSeconds: 30 } }) },
      { tls: terminate({ drain: { enabled: false, windowSeconds: 30 } }) },
    ],
    [
      "haproxy sessionTickets keys",
      { tls: terminate({ sessionTickets: { keys: ticketKeys, secretName: null } }) },
      { tls: terminate({ sessionTickets: { keys: ticketKeys } }) },
    ],
    [
      "haproxy sessionTickets secretName",
      { tls: terminate({ sessionTickets: { secretName: "tickets" } }) },
      { tls: terminate({ sessionTickets: { secretName: "tickets" } }) },
    ],
  ])("l4: %s", (_what, given, expected) => {
    test("maps under HybridExposure's l4 as it does for L4Exposure", () => {
      const l4 = { ...hybrid().l4, ...given } as HybridExposurePackageArgs["l4"];
      const tsL4 = { ...hybridArgs().l4, ...expected };
      expect(toHybridExposureArgs({ ...hybrid(), l4 }).l4).toEqual(tsL4);
      const single = { backend: hybrid().backend, hostname: "ws.example.com", ...l4 };
      const { backend: _b, hostname: _h, ...singleL4 } = toL4ExposureArgs(single);
      expect(singleL4).toEqual(tsL4);
    });
  });

  // [what, the package form, the same bad argument in TypeScript, whom the message names]
  test.each([
    [
      "httpHostname equal to wsHostname",
      withArgs({ wsHostname: "messaging.example.com" }),
      hybridArgs({ wsHostname: "messaging.example.com" }),
      'HybridExposure "messaging"',
    ],
    [
      "l4.addressPool both created and existing (the flattened union)",
      withArgs({ l4: { addressPool: { create: { addresses: ["192.168.1.240/29"] }, existing: "pool" } } }),
      hybridArgs({
        l4: {
          ...hybridArgs().l4,
          addressPool: { create: { addresses: ["192.168.1.240/29"] }, existing: "pool" },
        },
      }),
      'L4Exposure "messaging-l4"',
    ],
    [
      "l4.loadBalancerIP outside the pool",
      withArgs({ l4: { loadBalancerIP: "10.0.0.9" } }),
      hybridArgs({ l4: { ...hybridArgs().l4, loadBalancerIP: "10.0.0.9" } }),
      'L4Exposure "messaging-l4"',
    ],
    [
      "l4.tls mode none without acknowledgeInsecure",
      withArgs({ l4: { tls: { mode: "none", targetPort: "8080" } } }),
      hybridArgs({ l4: { ...hybridArgs().l4, tls: { mode: "none", targetPort: 8080 } } }),
      'L4Exposure "messaging-l4"',
    ],
    [
      "l4.loadBalancer aws-nlb with the MetalLB pool",
      withArgs({ l4: { loadBalancer: { type: "aws-nlb" } } }),
      hybridArgs({ l4: { ...hybridArgs().l4, loadBalancer: { type: "aws-nlb" } } }),
      'L4Exposure "messaging-l4"',
    ],
    [
      "l4.tls.haproxy.sessionTickets with two keys",
      withArgs({ l4: { tls: terminate({ sessionTickets: { keys: ticketKeys.slice(1) } }) } }),
      hybridArgs({
        l4: { ...hybridArgs().l4, tls: terminate({ sessionTickets: { keys: ticketKeys.slice(1) } }) },
      }),
      'L4Exposure "messaging-l4"',
    ],
    [
      "tunnel given both ways",
      withArgs({ tunnel: { tunnel: { create: { name: "messaging" }, existingId: "abc" } } }),
      hybridArgs({
        tunnel: { ...hybridArgs().tunnel, tunnel: { create: { name: "messaging" }, existingId: "abc" } },
      }),
      'TunnelExposure "messaging-tunnel"',
    ],
    [
      "a tunnel httpRoute on wsHostname",
      withArgs({ tunnel: { httpRoutes: [{ hostname: "ws.messaging.example.com" }] } }),
      hybridArgs({
        tunnel: { ...hybridArgs().tunnel, httpRoutes: [{ hostname: "ws.messaging.example.com" }] },
      }),
      'HybridExposure "messaging"',
    ],
  ])("%s: the package component throws the TypeScript component's message", (_what, given, ts, owner) => {
    const typeScript = message(() => new HybridExposure("messaging", ts));
    expect(typeScript.startsWith(`${owner}: `)).toBe(true);
    expect(message(() => new PackageHybridExposure("messaging", given))).toBe(typeScript);
  });

  test("null variant fields are not 'given': a pool with existing null is the created pool", () => {
    const args = withArgs({
      l4: { addressPool: { create: { addresses: ["192.168.1.240/29"] }, existing: null } },
    });
    expect(message(() => planHybrid("messaging", toHybridExposureArgs(args)))).toBe("accepted");
  });
});

/**
 * WsMonitor and the exposures' `monitor`: the package form is the TypeScript form without its absent
 * fields (`dial` a string), so planMonitor and monitorArgsFor judge it and throw the same messages.
 */
describe("component package args: WsMonitor and the exposures' monitor", () => {
  const monitor = {
    enabled: true,
    namespace: "monitoring",
    dial: "public",
    connections: 2,
    shortLifetimeMarginSeconds: 30,
    replicas: 1,
    image: "node:24.19.0-alpine3.24",
    metricsPort: 9464,
    resources: { limits: { memory: "96Mi" } },
    bundlePath: "/opt/wsprobe.js",
    prometheusOperator: { enabled: true, labels: { release: "kps" }, scrapeInterval: "1m" },
  };
  const wsMonitor = {
    url: "wss://ws.example.com/ws",
    connectTo: "192.168.1.241:443",
    namespace: "monitoring",
    heartbeatSeconds: 5,
    expectedMinLifetimeSeconds: 600,
    connections: 2,
    prometheusOperator: { enabled: false, dropRateThreshold: 0.05, lifetimeWindowSeconds: 3600 },
  };

  test("WsMonitor's args pass through exactly, absent fields dropped", () => {
    expect(toWsMonitorArgs(wsMonitor)).toStrictEqual(wsMonitor);
    const { connectTo: _connectTo, ...given } = wsMonitor;
    expect(
      toWsMonitorArgs({
        ...wsMonitor,
        connectTo: undefined,
        replicas: null as never,
        prometheusOperator: { enabled: true, labels: undefined },
      }),
    ).toStrictEqual({ ...given, prometheusOperator: { enabled: true } });
  });

  // [component, its package-form conversion applied to args with `monitor`, that conversion's `monitor`]
  describe.each([
    ["L4Exposure", (m: object) => toL4ExposureArgs({ ...l4, monitor: m } as never).monitor],
    ["TunnelExposure", (m: object) => toTunnelExposureArgs({ ...tunnel, monitor: m } as never).monitor],
    [
      "HybridExposure",
      (m: object) => toHybridExposureArgs({ ...hybridPackage(), monitor: m } as never).monitor,
    ],
  ])("%s", (_component, converted) => {
    test("monitor passes through exactly", () => {
      expect(converted(monitor)).toStrictEqual(monitor);
    });
    test("monitor's absent fields are dropped, at every level", () => {
      const { dial: _dial, bundlePath: _bundlePath, ...given } = monitor;
      expect(
        converted({
          ...monitor,
          dial: null,
          bundlePath: undefined,
          prometheusOperator: { enabled: false, labels: null },
        }),
      ).toStrictEqual({ ...given, prometheusOperator: { enabled: false } });
    });
  });

  const l4 = { ...(l4Args() as object), loadBalancerIP: undefined } as Record<string, unknown>;
  const tunnel = tunnelArgs() as unknown as Record<string, unknown>;
  const hybridPackage = () => ({
    ...hybridArgs(),
    l4: { ...hybridArgs().l4, dns: { zoneId: "zone", target: "203.0.113.7" } },
  });

  /** Each component's TypeScript class and package class. */
  type Construct = (name: string, args: never) => unknown;
  const classes: Record<string, [Construct, Construct]> = {
    WsMonitor: [(n, a) => new WsMonitor(n, a), (n, a) => new pkg.WsMonitor(n, a)],
    L4Exposure: [(n, a) => new L4Exposure(n, a), (n, a) => new pkg.L4Exposure(n, a)],
    TunnelExposure: [(n, a) => new TunnelExposure(n, a), (n, a) => new pkg.TunnelExposure(n, a)],
    HybridExposure: [(n, a) => new HybridExposure(n, a), (n, a) => new pkg.HybridExposure(n, a)],
  };
  /** A hybrid whose args read the same in both forms (no dns target to map). */
  const { dns: _dns, ...hybridL4 } = hybridArgs().l4;
  const hybrid = { ...hybridArgs(), l4: hybridL4 };

  // [what, component, args (the same in both forms), whom the message names]
  test.each([
    [
      "url not ws:// or wss://",
      "WsMonitor",
      { ...wsMonitor, url: "https://ws.example.com" },
      'WsMonitor "m"',
    ],
    ["connections 0", "WsMonitor", { ...wsMonitor, connections: 0 }, 'WsMonitor "m"'],
    ["connectTo not host[:port]", "WsMonitor", { ...wsMonitor, connectTo: "a b" }, 'WsMonitor "m"'],
    [
      "monitor dial loadBalancer without a pinned loadBalancerIP",
      "L4Exposure",
      { ...l4, monitor: { enabled: true, dial: "loadBalancer" } },
      'L4Exposure "m"',
    ],
    [
      "monitor dial not one of the three",
      "L4Exposure",
      { ...l4, monitor: { enabled: true, dial: "sideways" } },
      'L4Exposure "m"',
    ],
    [
      "monitor dial service",
      "TunnelExposure",
      { ...tunnel, monitor: { enabled: true, dial: "service" } },
      'TunnelExposure "m"',
    ],
    [
      "monitor without the WebSocket routed",
      "TunnelExposure",
      { ...tunnel, routeWebSocket: false, httpRoutes: [{}], monitor: { enabled: true } },
      'TunnelExposure "m"',
    ],
    [
      "monitor connections 101",
      "HybridExposure",
      { ...hybrid, monitor: { enabled: true, connections: 101 } },
      'HybridExposure "m" monitor',
    ],
  ])("%s: the package %s throws the TypeScript component's message", (_what, component, args, owner) => {
    const [typeScript, fromPackage] = classes[component];
    const expected = message(() => typeScript("m", args as never));
    expect(expected.startsWith(`${owner}: `)).toBe(true);
    expect(message(() => fromPackage("m", args as never))).toBe(expected);
  });
});

/**
 * L4Exposure's load balancer, cloud TLS, paced drain, session tickets and key algorithm in the
 * package form: converted exactly, judged by planL4, so one bad argument per field group gives the
 * TypeScript component's message.
 */
describe("component package args: L4Exposure's loadBalancer, tls loadBalancer, drain, sessionTickets, keyAlgorithm", () => {
  /** l4Args without the MetalLB fields, on an AWS NLB. */
  const {
    addressPool: _pool,
    loadBalancerIP: _ip,
    ...cloud
  } = l4Args() as unknown as Record<string, unknown>;
  const nlb = (lb: Record<string, unknown>, tls: Record<string, unknown>) => ({
    ...cloud,
    loadBalancer: { type: "aws-nlb", ...lb },
    tls,
  });
  const arn = "arn:aws:acm:eu-west-1:123456789012:certificate/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b";

  test("an aws-nlb with tls loadBalancer converts exactly and plans as in TypeScript", () => {
    const given = nlb({ certificateArn: arn, scheme: null }, { mode: "loadBalancer", targetPort: null });
    const ts = nlb({ certificateArn: arn }, { mode: "loadBalancer" });
    expect(toL4ExposureArgs(given as never)).toStrictEqual(ts);
    expect(planL4("m", toL4ExposureArgs(given as never))).toEqual(planL4("m", ts as never));
  });

  test("an aws-nlb with ip targets and podReadinessGate namespaceLabelled: converted as given, no readiness-gate warning, the Service says so", () => {
    const given = nlb(
      { podReadinessGate: "namespaceLabelled", certificateArn: null },
      { mode: "terminate", certificate: { secretName: "ws-tls" } },
    );
    const ts = nlb(
      { podReadinessGate: "namespaceLabelled" },
      { mode: "terminate", certificate: { secretName: "ws-tls" } },
    );
    expect(toL4ExposureArgs(given as never)).toStrictEqual(ts);
    const plan = planL4("m", toL4ExposureArgs(given as never));
    // Only the drain window's (drainCapacity.test.ts): the default window at the default CPU request.
    expect(plan.warnings.map(String)).toEqual([
      expect.stringMatching(/^L4Exposure "m": tls\.haproxy\.drain\.windowSeconds 50 is below/),
    ]);
    expect(plan.loadBalancer).toMatchObject({ targetType: "ip", podReadinessGate: "namespaceLabelled" });
    expect(plan.budget.hops[1].dropEvents.join("\n")).not.toContain("pod readiness gate");
    expect(cloudServiceFields(plan.loadBalancer, plan.port).annotations).toMatchObject({
      "ws-exposure.dev/pod-readiness-gate": "namespaceLabelled",
    });
  });

  test("the package schema (provider/schema.json, held to the real get-schema by e2e/packageSchema) declares loadBalancer.podReadinessGate", () => {
    const schema = JSON.parse(fs.readFileSync(path.join(__dirname, "../../provider/schema.json"), "utf8"));
    const prop = schema.types["ws-exposure:index:LoadBalancer"].properties.podReadinessGate;
    expect({ type: prop.type, plain: prop.plain }).toEqual({ type: "string", plain: true });
    expect(prop.description).toContain('"namespaceLabelled" when it carries');
    expect(prop.description).toContain('Default "unverified"');
  });

  test("session ticket keys given as secrets stay the same secret Outputs", async () => {
    const keys = ticketKeys.map((k) => pulumi.secret(k));
    const converted = toL4ExposureArgs(l4Args({ tls: terminate({ sessionTickets: { keys } }) }) as never);
    const tickets = (converted.tls as { haproxy: { sessionTickets: { keys: unknown[] } } }).haproxy
      .sessionTickets;
    expect(tickets.keys).toHaveLength(3);
    tickets.keys.forEach((k, i) => expect(k).toBe(keys[i]));
    for (const k of tickets.keys) expect(await pulumi.isSecret(k as pulumi.Output<string>)).toBe(true);
  });

  // [what, package-form args, the same bad argument in TypeScript (undefined: the same object)]
  test.each([
    [
      "loadBalancer aws-nlb with a gcp-only field set (the flattened union)",
      nlb({ internal: true }, { mode: "terminate", certificate: { secretName: "ws-tls" } }),
      undefined,
    ],
    ["loadBalancer aws-nlb with the MetalLB pool", l4Args({ loadBalancer: { type: "aws-nlb" } }), undefined],
    ["loadBalancer type not one of the five", l4Args({ loadBalancer: { type: "f5" } }), undefined],
    [
      "loadBalancer azure idleTimeoutMinutes 101",
      { ...cloud, loadBalancer: { type: "azure", idleTimeoutMinutes: 101 } },
      undefined,
    ],
    [
      "tls loadBalancer without certificateArn",
      nlb({}, { mode: "loadBalancer", targetPort: "8080" }),
      nlb({}, { mode: "loadBalancer", targetPort: 8080 }),
    ],
    ["tls loadBalancer on MetalLB", l4Args({ tls: { mode: "loadBalancer" } }), undefined],
    ["haproxy drain windowSeconds 0", l4Args({ tls: terminate({ drain: { windowSeconds: 0 } }) }), undefined],
    [
      "haproxy drain window not below hardStopAfterSeconds",
      l4Args({ tls: terminate({ hardStopAfterSeconds: 30, drain: { windowSeconds: 30 } }) }),
      undefined,
    ],
    ["haproxy drain order newest", l4Args({ tls: terminate({ drain: { order: "newest" } }) }), undefined],
    [
      "haproxy sessionTickets keys and secretName",
      l4Args({ tls: terminate({ sessionTickets: { keys: ticketKeys, secretName: "tickets" } }) }),
      undefined,
    ],
    [
      "haproxy sessionTickets key not base64 of 80 bytes",
      l4Args({ tls: terminate({ sessionTickets: { keys: ["a", ...ticketKeys.slice(1)] } }) }),
      undefined,
    ],
    [
      "certManager keyAlgorithm DSA",
      l4Args({ tls: terminate({}, { issuerName: "le", keyAlgorithm: "DSA" }) }),
      undefined,
    ],
  ])("%s: the package L4Exposure throws the TypeScript component's message", (_what, given, ts) => {
    const typeScript = message(() => new L4Exposure("m", (ts ?? given) as never));
    expect(typeScript.startsWith('L4Exposure "m": ')).toBe(true);
    expect(message(() => new pkg.L4Exposure("m", given as never))).toBe(typeScript);
  });

  test("drain enabled false with other fields (the package form only) is refused by resolveDrain, naming them", () => {
    const given = l4Args({
      tls: terminate({ drain: { enabled: false, windowSeconds: 30, order: "random" } }),
    });
    expect(message(() => new pkg.L4Exposure("m", given as never))).toBe(
      'L4Exposure "m": tls.haproxy.drain.enabled is false (the paced drain off), which conflicts with windowSeconds, order; remove them or enabled',
    );
    const off = l4Args({ tls: terminate({ drain: { enabled: false } }) });
    expect(planL4("m", toL4ExposureArgs(off as never)).tls).toEqual(
      planL4("m", l4Args({ tls: terminate({ drain: false }) })).tls,
    );
  });
});
