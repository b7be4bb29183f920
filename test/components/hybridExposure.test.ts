import { resource, settle, unwrap, useMockRuntime } from "../helpers/pulumi";
import { HybridExposure } from "../../components/hybrid/HybridExposure";
import { HybridExposureArgs } from "../../components/hybrid/args";
import { hybridArgs } from "../helpers/fixtures";
import { resetTunnelClaims } from "../../components/tunnel/tunnelOwnership";
import { standInBundle } from "../helpers/tempFolders";

const runtime = useMockRuntime();
beforeEach(() => resetTunnelClaims());

const args = (overrides: Partial<HybridExposureArgs> = {}): HybridExposureArgs => hybridArgs(overrides);

async function build(name: string, a: HybridExposureArgs): Promise<HybridExposure> {
  const h = new HybridExposure(name, a);
  await unwrap(h.urn);
  await unwrap(h.tunnelId);
  await settle();
  return h;
}

describe("HybridExposure", () => {
  test("composes the two paths as children and applies the Knative settings exactly once", async () => {
    await build("prod", args());
    const components = runtime.resources.filter((r) => r.component).map((r) => [r.type, r.name, r.parent]);
    expect(components).toEqual(
      expect.arrayContaining([
        ["ws-exposure:index:HybridExposure", "prod", null],
        ["ws-exposure:index:KnativeSettings", "prod-knative", "prod"],
        ["ws-exposure:index:TunnelExposure", "prod-tunnel", "prod"],
        ["ws-exposure:index:L4Exposure", "prod-l4", "prod"],
      ]),
    );
    expect(runtime.resources.filter((r) => r.type === "ws-exposure:index:KnativeSettings")).toHaveLength(1);
    expect(
      runtime.resources.filter((r) => r.type === "kubernetes:serving.knative.dev/v1:ServicePatch"),
    ).toHaveLength(1);
  });

  test("the one Knative patch carries the stricter needs: target-burst-capacity 0 for L4 straight to the pods", async () => {
    await build("prod", args());
    const patch = resource(
      runtime.resources,
      "kubernetes:serving.knative.dev/v1:ServicePatch",
      "prod-knative-service",
    ).inputs as any;
    expect(patch.spec.template.metadata.annotations).toEqual({
      "autoscaling.knative.dev/min-scale": "2",
      "autoscaling.knative.dev/max-scale": "10",
      "autoscaling.knative.dev/target-burst-capacity": "0",
    });
  });

  test("one DNS record per hostname: proxied CNAME for HTTP, DNS-only A for the WebSocket", async () => {
    await build("prod", args());
    const records = runtime.resources
      .filter((r) => r.type === "cloudflare:index/dnsRecord:DnsRecord")
      .map((r) => [r.inputs.name, r.inputs.type, r.inputs.proxied]);
    expect(records.sort()).toEqual(
      [
        ["messaging.example.com", "CNAME", true],
        ["ws.messaging.example.com", "A", false],
      ].sort(),
    );
  });

  test("the tunnel: WebSocket fallback on the HTTP hostname first, then every HTTP path, then the catch-all", async () => {
    await build("prod", args());
    const config = resource(
      runtime.resources,
      "cloudflare:index/zeroTrustTunnelCloudflaredConfig:ZeroTrustTunnelCloudflaredConfig",
      "prod-tunnel-tunnel-config",
    ).inputs as any;
    expect(config.config.ingresses.map((r: any) => [r.hostname, r.path, r.service])).toEqual([
      [
        "messaging.example.com",
        "^/ws(/.*)?$",
        "http://messaging-service.agents-whatsapp-rust.svc.cluster.local",
      ],
      ["messaging.example.com", undefined, "http://messaging-service.agents-whatsapp-rust.svc.cluster.local"],
      [undefined, undefined, "http_status:404"],
    ]);
  });

  test("without fallback the tunnel carries HTTP only, and only the L4 budget is kept", async () => {
    const h = await build("prod", args({ fallback: false }));
    const config = resource(
      runtime.resources,
      "cloudflare:index/zeroTrustTunnelCloudflaredConfig:ZeroTrustTunnelCloudflaredConfig",
      "prod-tunnel-tunnel-config",
    ).inputs as any;
    expect(config.config.ingresses.map((r: any) => r.path)).toEqual([undefined, undefined]);
    expect(await unwrap(h.fallbackWsUrl)).toBeUndefined();
    expect((await unwrap(h.budgets)).map((b) => b.name)).toEqual(["l4"]);
  });

  test("outputs: httpUrl, wsUrl, fallbackWsUrl, one budget per path", async () => {
    const h = await build("prod", args());
    expect(await unwrap(h.httpUrl)).toBe("https://messaging.example.com");
    expect(await unwrap(h.wsUrl)).toBe("wss://ws.messaging.example.com/ws");
    expect(await unwrap(h.fallbackWsUrl)).toBe("wss://messaging.example.com/ws");
    const budgets = await unwrap(h.budgets);
    expect(budgets.map((b) => [b.name, b.ok])).toEqual([
      ["tunnel", true],
      ["l4", true],
    ]);
    // With target-burst-capacity 0 the activator is out of the tunnel's path too.
    expect(budgets[0].hops.map((x) => x.name)).not.toContain("activator");
  });

  describe("validation: exact message, nothing registered", () => {
    test.each<[string, Partial<HybridExposureArgs>, string]>([
      [
        "the same hostname on both paths",
        { wsHostname: "messaging.example.com" },
        'HybridExposure "prod": wsHostname "messaging.example.com" is also httpHostname; one name cannot point at the tunnel (proxied CNAME) and at the L4 address (DNS-only record): give the WebSocket its own hostname',
      ],
      [
        "bad HTTP hostname",
        { httpHostname: "messaging" },
        'HybridExposure "prod": httpHostname "messaging" is not a valid DNS name; use a fully qualified name such as "ws.example.com"',
      ],
      [
        "heartbeat too slow for the tunnel fallback",
        { websocket: { heartbeatSeconds: 60, minLifetimeSeconds: 3600 } },
        'TunnelExposure "prod-tunnel": websocket does not fit the tunnel path\'s connection budget: websocket.heartbeatSeconds 60 is too slow for the tunnel path: hop "cloudflare-edge" closes a connection idle for 100 s, and a connection must survive 2 heartbeat intervals (120 s); raise tunnel.edgeIdleTimeoutSeconds (only if you measured a longer timer) or set websocket.heartbeatSeconds <= 50',
      ],
      [
        "Knative timeout too short for the lifetime wanted",
        { knative: { timeoutSeconds: 600, cluster: { maxRevisionTimeoutSeconds: 3600 } } },
        'L4Exposure "prod-l4": websocket does not fit the l4 path\'s connection budget: the l4 path caps a connection\'s life at 600 s at hop "queue-proxy", below websocket.minLifetimeSeconds 3600; raise knative.timeoutSeconds to at least 3600',
      ],
      [
        "min-scale 0 with the L4 route straight to the pods",
        { knative: { minScale: 0, cluster: { maxRevisionTimeoutSeconds: 3600 } } },
        'L4Exposure "prod-l4": knative.minScale 0 is below 1, which the L4 route straight to the pods (queue-proxy port 8012) needs',
      ],
    ])("%s", async (_label, overrides, message) => {
      expect(() => new HybridExposure("prod", args(overrides))).toThrow(message);
      await settle();
      expect(runtime.resources).toEqual([]);
    });
  });
});

const bundlePath = standInBundle();

test("monitors: one for the L4 WebSocket URL and one for the tunnel fallback", async () => {
  await build("prod", args({ monitor: { enabled: true, bundlePath } }));
  const monitors = runtime.resources
    .filter((r) => r.type === "ws-exposure:index:WsMonitor")
    .map((r) => [r.name, r.parent]);
  expect(monitors).toEqual([
    ["prod-monitor", "prod"],
    ["prod-fallback-monitor", "prod"],
  ]);
  const args0 = (name: string) =>
    JSON.stringify(
      (resource(runtime.resources, "kubernetes:apps/v1:Deployment", name).inputs as any).spec.template.spec
        .containers[0],
    );
  expect(args0("prod-monitor")).toContain("wss://ws.messaging.example.com/ws");
  expect(args0("prod-fallback-monitor")).toContain("wss://messaging.example.com/ws");
});
