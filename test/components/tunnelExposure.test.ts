import * as pulumi from "@pulumi/pulumi";
import { FAKE_TUNNEL_TOKEN, resource, settle, unwrap, useMockRuntime } from "../helpers/pulumi";
import { TunnelExposure } from "../../components/tunnel/TunnelExposure";
import { TunnelExposureArgs } from "../../components/tunnel/args";
import { tunnelArgs } from "../helpers/fixtures";
import { resetTunnelClaims } from "../../components/tunnel/tunnelOwnership";
import { displayValue, isSecretValue } from "../../render/mockRuntime";
import { standInBundle } from "../helpers/tempFolders";

const runtime = useMockRuntime();
beforeEach(() => resetTunnelClaims());

const T = {
  exposure: "ws-exposure:index:TunnelExposure",
  knative: "ws-exposure:index:KnativeSettings",
  tunnel: "cloudflare:index/zeroTrustTunnelCloudflared:ZeroTrustTunnelCloudflared",
  config: "cloudflare:index/zeroTrustTunnelCloudflaredConfig:ZeroTrustTunnelCloudflaredConfig",
  dns: "cloudflare:index/dnsRecord:DnsRecord",
  secret: "kubernetes:core/v1:Secret",
  deployment: "kubernetes:apps/v1:Deployment",
  pdb: "kubernetes:policy/v1:PodDisruptionBudget",
  patch: "kubernetes:serving.knative.dev/v1:ServicePatch",
  gate: "pulumi-nodejs:dynamic/knative:AdmissionGate",
  configMapPatch: "kubernetes:core/v1:ConfigMapPatch",
  crd: "kubernetes:tunnel.cloudflare.io/v1alpha1:CloudflareTunnelIngress",
};

const args = (overrides: Partial<TunnelExposureArgs> = {}): TunnelExposureArgs => tunnelArgs(overrides);

async function build(name: string, a: TunnelExposureArgs): Promise<TunnelExposure> {
  const exposure = new TunnelExposure(name, a);
  await unwrap(exposure.urn);
  await unwrap(exposure.tunnelId);
  await settle();
  return exposure;
}

describe("TunnelExposure creating a tunnel", () => {
  test("registers exactly these resources, all under the exposure", async () => {
    await build("dev", args());
    expect(runtime.resources.map((r) => [r.type, r.name, r.parent]).sort()).toEqual(
      [
        [T.exposure, "dev", null],
        [T.knative, "dev-knative", "dev"],
        [T.configMapPatch, "dev-knative-config-defaults", "dev-knative"],
        [T.patch, "dev-knative-service", "dev-knative"],
        [T.gate, "dev-knative-admission", "dev-knative"],
        [T.tunnel, "dev-tunnel", "dev"],
        [T.config, "dev-tunnel-config", "dev"],
        [T.dns, "dev-dns", "dev"],
        [T.secret, "dev-tunnel-token", "dev"],
        [T.deployment, "dev-cloudflared", "dev"],
        [T.pdb, "dev-cloudflared", "dev"],
      ].sort(),
    );
  });

  test("the tunnel is remotely managed", async () => {
    await build("dev", args());
    expect(resource(runtime.resources, T.tunnel, "dev-tunnel").inputs).toEqual({
      accountId: "acc123",
      name: "messaging",
      configSrc: "cloudflare",
    });
  });

  test("ingress: the WebSocket route to the Knative ingress with its Host header, catch-all last and only once", async () => {
    await build("dev", args({ httpRoutes: [{ path: "^/api/" }] }));
    const config = resource(runtime.resources, T.config, "dev-tunnel-config").inputs as {
      tunnelId: string;
      source: string;
      config: {
        ingresses: {
          hostname?: string;
          path?: string;
          service: string;
          originRequest?: Record<string, unknown>;
        }[];
      };
    };
    expect(config.tunnelId).toBe("dev-tunnel-id");
    expect(config.source).toBe("cloudflare");
    const rules = config.config.ingresses;
    expect(rules[0]).toEqual({
      hostname: "messaging.example.com",
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
    });
    expect(rules[1].path).toBe("^/api/");
    expect(rules[rules.length - 1]).toEqual({ service: "http_status:404" });
    expect(rules.filter((r) => !r.hostname && !r.path)).toHaveLength(1);
  });

  test("a proxied CNAME to <tunnel id>.cfargotunnel.com, ttl auto", async () => {
    await build("dev", args());
    expect(resource(runtime.resources, T.dns, "dev-dns").inputs).toEqual({
      zoneId: "zone123",
      name: "messaging.example.com",
      type: "CNAME",
      content: "dev-tunnel-id.cfargotunnel.com",
      proxied: true,
      ttl: 1,
      comment: "ws-exposure dev: Cloudflare Tunnel",
    });
  });

  test("the connector: 2 replicas, pinned image, graceful flags, token only through a secretKeyRef", async () => {
    await build("dev", args());
    const deployment = resource(runtime.resources, T.deployment, "dev-cloudflared").inputs as any;
    const spec = deployment.spec;
    const pod = spec.template.spec;
    const container = pod.containers[0];
    expect(deployment.metadata.namespace).toBe("agents-whatsapp-rust");
    expect(spec.replicas).toBe(2);
    expect(spec.strategy).toEqual({
      type: "RollingUpdate",
      rollingUpdate: { maxUnavailable: 0, maxSurge: 1 },
    });
    expect(container.image).toBe("cloudflare/cloudflared:2025.7.0");
    expect(container.args).toEqual([
      "tunnel",
      "--no-autoupdate",
      "--metrics",
      "0.0.0.0:2000",
      "--grace-period",
      "30s",
      "run",
    ]);
    expect(container.env).toEqual([
      {
        name: "TUNNEL_TOKEN",
        valueFrom: { secretKeyRef: { name: "dev-tunnel-token-xxxxxxxx", key: "token" } },
      },
    ]);
    expect(JSON.stringify(deployment)).not.toContain(FAKE_TUNNEL_TOKEN);
    expect(container.readinessProbe.httpGet).toEqual({ path: "/ready", port: 2000 });
    expect(pod.terminationGracePeriodSeconds).toBe(45);
    expect(pod.terminationGracePeriodSeconds).toBeGreaterThan(30);
    // cloudflared never calls the Kubernetes API: no ServiceAccount token mounted.
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.topologySpreadConstraints[0]).toMatchObject({
      topologyKey: "kubernetes.io/hostname",
      maxSkew: 1,
    });
    expect(container.securityContext).toEqual({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ["ALL"] },
    });
  });

  test("the token Secret holds the tunnel's token as a Pulumi secret", async () => {
    await build("dev", args());
    const raw = runtime.resources.find((r) => r.type === T.secret)!;
    const stringData = raw.inputs.stringData as Record<string, unknown>;
    expect(isSecretValue(stringData) || isSecretValue(stringData.token)).toBe(true);
    expect(resource(runtime.resources, T.secret, "dev-tunnel-token").inputs.stringData).toEqual({
      token: FAKE_TUNNEL_TOKEN,
    });
  });

  describe.each([
    [24, undefined, { maxUnavailable: 0, maxSurge: 1 }, "24 + 1 surging = the tunnel's 25"],
    [25, "replace" as const, { maxUnavailable: 1, maxSurge: 0 }, "one stops before its replacement starts"],
    [2, "replace" as const, { maxUnavailable: 1, maxSurge: 0 }, "replace at any size"],
  ])("connector.replicas %i with rollout %j", (replicas, rollout, rollingUpdate, why) => {
    test(`rolls with ${JSON.stringify(rollingUpdate)} (${why})`, async () => {
      await build("dev", args({ connector: { replicas, rollout } }));
      const spec = (resource(runtime.resources, T.deployment, "dev-cloudflared").inputs as any).spec;
      expect(spec.replicas).toBe(replicas);
      expect(spec.strategy).toEqual({ type: "RollingUpdate", rollingUpdate });
      expect(spec.replicas + rollingUpdate.maxSurge).toBeLessThanOrEqual(25);
    });
  });

  test("a PodDisruptionBudget lets drains take one connector at a time", async () => {
    await build("dev", args());
    expect((resource(runtime.resources, T.pdb, "dev-cloudflared").inputs as any).spec).toEqual({
      maxUnavailable: 1,
      selector: {
        matchLabels: { "app.kubernetes.io/name": "cloudflared", "app.kubernetes.io/instance": "dev" },
      },
    });
  });

  test("the Knative patch: scale bounds, timeout, the two zeros; config-defaults raised first", async () => {
    await build("dev", args());
    expect(resource(runtime.resources, T.patch, "dev-knative-service").inputs).toEqual({
      apiVersion: "serving.knative.dev/v1",
      kind: "Service",
      metadata: {
        name: "messaging-service",
        namespace: "agents-whatsapp-rust",
        annotations: { "pulumi.com/patchFieldManager": "ws-exposure" },
      },
      spec: {
        template: {
          metadata: {
            annotations: {
              "autoscaling.knative.dev/min-scale": "2",
              "autoscaling.knative.dev/max-scale": "10",
            },
          },
          spec: { timeoutSeconds: 3600, responseStartTimeoutSeconds: 0, idleTimeoutSeconds: 0 },
        },
      },
    });
    expect(resource(runtime.resources, T.configMapPatch, "dev-knative-config-defaults").inputs).toEqual({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: {
        name: "config-defaults",
        namespace: "knative-serving",
        annotations: { "pulumi.com/patchFieldManager": "ws-exposure" },
      },
      data: { "max-revision-timeout-seconds": "3600" },
    });
  });

  test("outputs: url, tunnel id, budget", async () => {
    const exposure = await build("dev", args());
    expect(await unwrap(exposure.url)).toBe("wss://messaging.example.com/ws");
    expect(await unwrap(exposure.tunnelId)).toBe("dev-tunnel-id");
    const budget = await unwrap(exposure.budget);
    expect(budget.name).toBe("tunnel");
    expect(budget.effectiveIdleTimeoutSeconds).toBe(100);
    expect(budget.lifetimeCapSeconds).toBe(3600);
    expect(budget.ok).toBe(true);
  });
});

describe("TunnelExposure reusing a tunnel", () => {
  test("creates no tunnel; the token from config stays a secret", async () => {
    await build(
      "dev",
      args({
        tunnel: {
          existingId: "3f2a0c1e-0000-4000-8000-000000000001",
          token: pulumi.secret("config-token-value"),
        },
      }),
    );
    expect(runtime.resources.filter((r) => r.type === T.tunnel)).toEqual([]);
    expect((resource(runtime.resources, T.config, "dev-tunnel-config").inputs as any).tunnelId).toBe(
      "3f2a0c1e-0000-4000-8000-000000000001",
    );
    expect((resource(runtime.resources, T.dns, "dev-dns").inputs as any).content).toBe(
      "3f2a0c1e-0000-4000-8000-000000000001.cfargotunnel.com",
    );
    const raw = runtime.resources.find((r) => r.type === T.secret)!;
    expect(isSecretValue(raw.inputs.stringData)).toBe(true);
    expect(JSON.stringify(displayValue(raw.inputs))).not.toContain("config-token-value");
  });

  test("an existing token Secret is referenced, not copied", async () => {
    await build(
      "dev",
      args({
        tunnel: {
          existingId: "3f2a0c1e-0000-4000-8000-000000000001",
          tokenSecret: { name: "cf-token", key: "t" },
        },
      }),
    );
    expect(runtime.resources.filter((r) => r.type === T.secret)).toEqual([]);
    const container = (resource(runtime.resources, T.deployment, "dev-cloudflared").inputs as any).spec
      .template.spec.containers[0];
    expect(container.env).toEqual([
      { name: "TUNNEL_TOKEN", valueFrom: { secretKeyRef: { name: "cf-token", key: "t" } } },
    ]);
  });

  test("a second exposure writing the same tunnel in one program is refused", async () => {
    const shared = { existingId: "3f2a0c1e-0000-4000-8000-000000000001", token: pulumi.secret("t") };
    await build("a", args({ tunnel: shared }));
    const before = runtime.resources.length;
    expect(() => new TunnelExposure("b", args({ hostname: "other.example.com", tunnel: shared }))).toThrow(
      'TunnelExposure "b": tunnel.existingId 3f2a0c1e-0000-4000-8000-000000000001 is already configured by TunnelExposure "a" in this program; a tunnel\'s ingress configuration has one owner, so route this hostname through TunnelExposure "a"\'s httpRoutes instead',
    );
    expect(runtime.resources.length).toBe(before);
  });
});

test("the tunnel-ingress-crd route provider emits the homelab's CloudflareTunnelIngress instead of config and DNS", async () => {
  await build("dev", args({ routeProvider: "tunnel-ingress-crd" }));
  expect(runtime.resources.filter((r) => r.type.startsWith("cloudflare:"))).toEqual([]);
  expect(runtime.resources.filter((r) => r.type === T.deployment)).toEqual([]);
  expect(resource(runtime.resources, T.crd, "dev-tunnel-ingress").inputs).toEqual({
    apiVersion: "tunnel.cloudflare.io/v1alpha1",
    kind: "CloudflareTunnelIngress",
    metadata: { name: "messaging-service-ws", namespace: "agents-whatsapp-rust" },
    spec: {
      hostname: "messaging.example.com",
      service: { name: "messaging-service", namespace: "agents-whatsapp-rust", port: 80, protocol: "http" },
      enabled: true,
    },
  });
});

describe("validation: exact message, nothing registered", () => {
  test.each<[string, Partial<TunnelExposureArgs>, string]>([
    [
      "empty hostname",
      { hostname: "" },
      'TunnelExposure "dev": hostname "" is not a valid DNS name; use a fully qualified name such as "ws.example.com"',
    ],
    [
      "invalid hostname",
      { hostname: "ws_example.com" },
      'TunnelExposure "dev": hostname "ws_example.com" is not a valid DNS name; use a fully qualified name such as "ws.example.com"',
    ],
    [
      "path without /",
      { backend: { knativeService: "messaging-service", namespace: "agents-whatsapp-rust", path: "ws" } },
      'TunnelExposure "dev": backend.path "ws" is not a path; it must start with "/" and hold no spaces, "?" or "#" (e.g. "/ws")',
    ],
    [
      "heartbeat too slow for the edge idle timer",
      { websocket: { heartbeatSeconds: 100 } },
      'TunnelExposure "dev": websocket does not fit the tunnel path\'s connection budget: websocket.heartbeatSeconds 100 is too slow for the tunnel path: hop "cloudflare-edge" closes a connection idle for 100 s, and a connection must survive 2 heartbeat intervals (200 s); raise tunnel.edgeIdleTimeoutSeconds (only if you measured a longer timer) or set websocket.heartbeatSeconds <= 50',
    ],
    [
      "replicas < 1",
      { connector: { replicas: 0 } },
      'TunnelExposure "dev": connector.replicas must be a whole number from 1 to 25 (got 0)',
    ],
    [
      "25 replicas with the default surge rollout (a 26th connector during the rollout)",
      { connector: { replicas: 25 } },
      'TunnelExposure "dev": connector.replicas 25 leaves no room for a rollout: a tunnel takes at most 25 connectors (100 connections, 4 each), and connector.rollout "surge" (maxSurge 1) starts connector 26 before it stops an old one, so the rollout stalls; use at most 24 replicas, or set connector.rollout to "replace" (maxSurge 0, maxUnavailable 1: one connector fewer while it rolls)',
    ],
    [
      "26 replicas even with rollout replace",
      { connector: { replicas: 26, rollout: "replace" } },
      'TunnelExposure "dev": connector.replicas must be a whole number from 1 to 25 (got 26)',
    ],
    [
      "unknown rollout",
      { connector: { rollout: "recreate" as never } },
      'TunnelExposure "dev": connector.rollout must be "surge" or "replace" (got "recreate")',
    ],
    [
      "pod grace not above cloudflared's",
      { connector: { gracePeriodSeconds: 60, terminationGracePeriodSeconds: 60 } },
      'TunnelExposure "dev": connector.terminationGracePeriodSeconds 60 must exceed connector.gracePeriodSeconds 60, or Kubernetes kills cloudflared before its in-flight requests finish; set it to at least 61',
    ],
    [
      "unpinned image",
      { connector: { image: "cloudflare/cloudflared:latest" } },
      'TunnelExposure "dev": connector.image "cloudflare/cloudflared:latest" is not pinned; use a tag or digest such as "cloudflare/cloudflared:2025.7.0"',
    ],
    [
      "min-scale > max-scale",
      { knative: { minScale: 4, maxScale: 2, cluster: { maxRevisionTimeoutSeconds: 3600 } } },
      'TunnelExposure "dev": knative.minScale 4 is above knative.maxScale 2; lower minScale or raise maxScale',
    ],
    [
      "timeoutSeconds above the declared cluster maximum",
      { knative: {} },
      // knative.timeoutSeconds is not given: its default, websocket.minLifetimeSeconds, is what the limit refuses.
      "TunnelExposure \"dev\": websocket.minLifetimeSeconds 3600 is above the cluster's max-revision-timeout-seconds 600: knative.timeoutSeconds (the revision's hard cap on a connection's life) defaults to it, and Knative would reject the revision; lower websocket.minLifetimeSeconds, or raise max-revision-timeout-seconds in ConfigMap config-defaults (knative-serving) to at least 3600, then declare it in knative.cluster.maxRevisionTimeoutSeconds, or let this stack manage it with knative.cluster.manageMaxRevisionTimeout: true",
    ],
    [
      "lifetime cap below the lifetime wanted",
      { knative: { timeoutSeconds: 600 } },
      'TunnelExposure "dev": websocket does not fit the tunnel path\'s connection budget: the tunnel path caps a connection\'s life at 600 s at hop "activator", below websocket.minLifetimeSeconds 3600; raise knative.timeoutSeconds to at least 3600; also: the tunnel path caps a connection\'s life at 600 s at hop "queue-proxy", below websocket.minLifetimeSeconds 3600; raise knative.timeoutSeconds to at least 3600',
    ],
    [
      "no zone for the CNAME",
      { zoneId: undefined },
      'TunnelExposure "dev": zoneId is required with routeProvider "cloudflare-api" (the CNAME for messaging.example.com)',
    ],
    [
      "reused tunnel without a token",
      { tunnel: { existingId: "abc" } },
      'TunnelExposure "dev": tunnel reuses a tunnel: give its connector token as exactly one of token (a Pulumi secret) or tokenSecret { name, key }',
    ],
    [
      "unknown route provider",
      { routeProvider: "ingress" as never },
      'TunnelExposure "dev": routeProvider must be one of "cloudflare-api", "tunnel-ingress-crd" (got "ingress")',
    ],
  ])("%s", async (_label, overrides, message) => {
    expect(() => new TunnelExposure("dev", args(overrides))).toThrow(message);
    await settle();
    expect(runtime.resources).toEqual([]);
  });
});

describe("monitor", () => {
  const bundlePath = standInBundle();

  test("monitor.enabled deploys a WsMonitor against the exposure's own URL, heartbeat and promised lifetime", async () => {
    await build("dev", args({ monitor: { enabled: true, bundlePath } }));
    const monitor = resource(runtime.resources, "ws-exposure:index:WsMonitor", "dev-monitor");
    expect(monitor.parent).toBe("dev");
    const deployment = resource(runtime.resources, T.deployment, "dev-monitor").inputs as any;
    const container = deployment.spec.template.spec.containers[0];
    expect(JSON.stringify(container)).toContain("wss://messaging.example.com/ws");
    expect(JSON.stringify(container)).toContain("5s");
    expect(deployment.metadata.namespace).toBe("agents-whatsapp-rust");
  });

  test("off by default", async () => {
    await build("dev", args());
    expect(runtime.resources.filter((r) => r.type === "ws-exposure:index:WsMonitor")).toEqual([]);
  });

  test("a bad monitor arg registers nothing", async () => {
    expect(
      () => new TunnelExposure("dev", args({ monitor: { enabled: true, bundlePath, connections: 0 } })),
    ).toThrow('TunnelExposure "dev" monitor: connections must be a whole number from 1 to 100 (got 0)');
    await settle();
    expect(runtime.resources).toEqual([]);
  });
});
