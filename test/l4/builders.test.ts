import {
  isOfficialHaproxyImage,
  planShutdown,
  renderHaproxyConfig,
  HaproxyConfigParams,
} from "../../components/l4/haproxy";
import { bgpPeer, ipAddressPool, l2Advertisement, serviceAnnotations } from "../../components/l4/metallb";
import { planL4 } from "../../components/l4/plan";
import { haproxyKnown } from "./knownKeys";
import { baseArgs } from "./fixtures";

const params = (over: Partial<HaproxyConfigParams> = {}): HaproxyConfigParams => ({
  bindAddress: "",
  bindPort: 8443,
  certPath: "/etc/ws-exposure/tls/tls.crt",
  servers: [{ name: "backend", address: "b.ns.svc.cluster.local", port: 8012 }],
  timeouts: {
    connectSeconds: 5,
    clientSeconds: 30,
    serverSeconds: 30,
    tunnelSeconds: 3600,
    clientFinSeconds: 10,
    hardStopAfterSeconds: 60,
    closeSpreadSeconds: 50,
  },
  runtimeDir: "/var/run/haproxy",
  ...over,
});

describe("renderHaproxyConfig", () => {
  it("renders master-worker, mode tcp, TLS >= 1.2, the timeouts, leastconn, hard-stop-after and close-spread-time", () => {
    const cfg = renderHaproxyConfig(params());
    for (const line of [
      "    master-worker",
      "    hard-stop-after 60s",
      "    close-spread-time 50s",
      "    stats socket /var/run/haproxy/admin.sock mode 600 level admin expose-fd listeners",
      "    ssl-default-bind-options ssl-min-ver TLSv1.2 no-tls-tickets",
      "    mode tcp",
      "    timeout connect 5s",
      "    timeout client 30s",
      "    timeout server 30s",
      "    timeout tunnel 3600s",
      "    timeout client-fin 10s",
      "    bind :8443 ssl crt /etc/ws-exposure/tls/tls.crt ssl-min-ver TLSv1.2 alpn http/1.1",
      "    balance leastconn",
      "    server backend b.ns.svc.cluster.local:8012",
    ]) {
      expect(cfg.split("\n")).toContain(line);
    }
    expect(cfg).not.toContain("tcp-request connection reject");
    expect(cfg).not.toContain("mode http\n    bind :8443");
  });

  it.each([
    [undefined, false],
    [1, true],
    [4, true],
  ])("nbthread %j: rendered only when given", (nbthread, rendered) => {
    const cfg = renderHaproxyConfig(params({ nbthread }));
    expect(cfg.includes(`    nbthread ${nbthread}\n`)).toBe(rendered);
    expect(cfg).toContain(
      rendered ? `    maxconn 10000\n    nbthread ${nbthread}\n` : "    maxconn 10000\n    log",
    );
  });

  it("is deterministic", () => expect(renderHaproxyConfig(params())).toBe(renderHaproxyConfig(params())));

  it("filters on source ranges when given", () => {
    const cfg = renderHaproxyConfig(params({ sourceRanges: ["203.0.113.0/24", "2001:db8::/32"] }));
    expect(cfg).toContain(
      "    acl allowed_src src 203.0.113.0/24 2001:db8::/32\n    tcp-request connection reject unless allowed_src\n",
    );
  });

  it("runs mode http with a Host rewrite for the ingress route", () => {
    const cfg = renderHaproxyConfig(params({ backendHostHeader: "m.ns.svc.cluster.local" }));
    expect(cfg).toContain("    mode http\n");
    expect(cfg).toContain("    http-request set-header Host m.ns.svc.cluster.local\n");
    expect(cfg).toContain("    timeout http-request 30s\n");
  });

  it("uses only directives HAProxy 2.6 and 3.x both know", () => {
    const used = renderHaproxyConfig(
      params({
        health: { bindAddress: "", port: 8404 },
        sourceRanges: ["10.0.0.0/8"],
        backendHostHeader: "h",
        nbthread: 2,
      }),
    )
      .split("\n")
      .filter((l) => l.startsWith("    "))
      .map((l) => l.trim().split(" ")[0]);
    expect(used.filter((k) => !haproxyKnown.includes(k))).toEqual([]);
  });
});

describe("planShutdown: preStop < hard-stop-after < grace", () => {
  it.each([
    [{}, [10, 60, 50, 80]],
    [{ preStopSeconds: 5, hardStopAfterSeconds: 300 }, [5, 300, 290, 315]],
    [{ hardStopAfterSeconds: 5, preStopSeconds: 1, closeSpreadSeconds: 0 }, [1, 5, 0, 16]],
    [{ terminationGracePeriodSeconds: 600 }, [10, 60, 50, 600]],
  ])("%j -> preStop, hard-stop-after, close-spread, grace = %j", (args, expected) => {
    const p = planShutdown("X", "h", args);
    expect([
      p.preStopSeconds,
      p.hardStopAfterSeconds,
      p.closeSpreadSeconds,
      p.terminationGracePeriodSeconds,
    ]).toEqual(expected);
    // The pinned official image stops with SIGUSR1: the hook only waits for the LB.
    expect([p.softStopBy, p.preStopCommand]).toEqual(["stopSignal", ["sleep", String(expected[0])]]);
    // An image not known to stop with SIGUSR1: the hook soft-stops and outlasts HAProxy.
    const custom = planShutdown("X", "h", { ...args, image: "registry.example.com/haproxy:3.2.4" });
    expect([custom.softStopBy, custom.preStopCommand]).toEqual([
      "preStop",
      ["/bin/sh", "-c", `sleep ${expected[0]}; kill -USR1 1; sleep ${expected[1] + 10}`],
    ]);
  });

  it.each([
    ["haproxy:3.2.4", true],
    ["haproxy:3.3-alpine", true],
    ["haproxy@sha256:" + "a".repeat(64), true],
    ["docker.io/library/haproxy:3.2.4", true],
    ["library/haproxy:3.2.4", true],
    ["index.docker.io/library/haproxy:3.2.4@sha256:" + "b".repeat(64), true],
    ["docker.io/haproxy:3.2", true],
    ["haproxytech/haproxy-debian:3.2", false],
    ["mirror.gcr.io/library/haproxy:3.2.4", false],
    ["registry.example.com:5000/haproxy:3.2.4", false],
    ["registry.example.com/haproxy", false],
    ["my-haproxy:3.2.4", false],
  ])("isOfficialHaproxyImage(%s) = %s (its STOPSIGNAL SIGUSR1 soft-stops)", (image, official) =>
    expect(isOfficialHaproxyImage(image)).toBe(official),
  );

  it.each([
    [
      { preStopSeconds: 60 },
      "X: h.preStopSeconds 60 must be below h.hardStopAfterSeconds 60: the preStop sleep only lets the load balancer stop sending new connections; the drain of open ones is hard-stop-after's window",
    ],
    [
      { closeSpreadSeconds: 60 },
      "X: h.closeSpreadSeconds 60 must be below h.hardStopAfterSeconds 60, so connections get the chance to close gracefully before the old process is stopped",
    ],
    [
      { terminationGracePeriodSeconds: 79 },
      "X: h.terminationGracePeriodSeconds 79 is too short: it must be at least preStopSeconds 10 + hardStopAfterSeconds 60 + 10 = 80, because the grace period counts from the start of preStop and ends in SIGKILL, which would cut the drain short",
    ],
    [{ preStopSeconds: 0 }, "X: h.preStopSeconds must be a whole number of seconds from 1 to 3600 (got 0)"],
  ])("%j is refused", (args, message) => expect(() => planShutdown("X", "h", args)).toThrow(message));
});

describe("MetalLB builders (fields as in MetalLB 0.16's CRDs)", () => {
  it("IPAddressPool keeps avoidBuggyIPs only when set", () => {
    expect(
      ipAddressPool("p", "metallb-system", {
        addresses: ["10.0.0.0/30"],
        autoAssign: false,
        avoidBuggyIPs: true,
      }).spec,
    ).toEqual({
      addresses: ["10.0.0.0/30"],
      autoAssign: false,
      avoidBuggyIPs: true,
    });
  });

  it("L2Advertisement with interfaces and node selectors", () => {
    const adv = l2Advertisement("a", "m", {
      pool: "p",
      interfaces: ["eth0"],
      nodeSelectors: [{ matchLabels: { edge: "true" } }],
    });
    expect(adv).toEqual({
      apiVersion: "metallb.io/v1beta1",
      kind: "L2Advertisement",
      metadata: { name: "a", namespace: "m", labels: undefined },
      spec: {
        ipAddressPools: ["p"],
        interfaces: ["eth0"],
        nodeSelectors: [{ matchLabels: { edge: "true" } }],
      },
    });
  });

  it("BGPPeer is v1beta2; the password Secret is referenced in MetalLB's namespace", () => {
    const peer = bgpPeer("r", "metallb-system", {
      myASN: 1,
      peerASN: 2,
      peerAddress: "10.0.0.1",
      holdTime: "90s",
      keepaliveTime: "30s",
      passwordSecret: "bgp-auth",
    });
    expect(peer.apiVersion).toBe("metallb.io/v1beta2");
    expect(peer.spec).toEqual({
      myASN: 1,
      peerASN: 2,
      peerAddress: "10.0.0.1",
      holdTime: "90s",
      keepaliveTime: "30s",
      passwordSecret: { name: "bgp-auth", namespace: "metallb-system" },
    });
  });

  describe.each([
    [
      "both prefixes (default: MetalLB 0.13.0 to 0.14.8 read only metallb.universe.tf/)",
      true,
      [
        [undefined, { "metallb.io/address-pool": "p", "metallb.universe.tf/address-pool": "p" }],
        [
          ["10.0.0.1"],
          {
            "metallb.io/address-pool": "p",
            "metallb.universe.tf/address-pool": "p",
            "metallb.io/loadBalancerIPs": "10.0.0.1",
            "metallb.universe.tf/loadBalancerIPs": "10.0.0.1",
          },
        ],
        [
          ["10.0.0.1", "2001:db8::1"],
          {
            "metallb.io/address-pool": "p",
            "metallb.universe.tf/address-pool": "p",
            "metallb.io/loadBalancerIPs": "10.0.0.1,2001:db8::1",
            "metallb.universe.tf/loadBalancerIPs": "10.0.0.1,2001:db8::1",
          },
        ],
      ],
    ],
    [
      "metallb.io/ only (legacy false: MetalLB >= 0.14.9)",
      false,
      [
        [undefined, { "metallb.io/address-pool": "p" }],
        [["10.0.0.1"], { "metallb.io/address-pool": "p", "metallb.io/loadBalancerIPs": "10.0.0.1" }],
      ],
    ],
  ] as [string, boolean, [string[] | undefined, Record<string, string>][]][])(
    "service annotations, %s",
    (_label, legacy, cases) => {
      it.each(cases)("for %j", (ips, expected) =>
        expect(serviceAnnotations("p", ips, legacy)).toEqual(expected),
      );
    },
  );
  it("service annotations default to both prefixes", () =>
    expect(Object.keys(serviceAnnotations("p", ["10.0.0.1"])).sort()).toEqual([
      "metallb.io/address-pool",
      "metallb.io/loadBalancerIPs",
      "metallb.universe.tf/address-pool",
      "metallb.universe.tf/loadBalancerIPs",
    ]));
});

describe("planL4 decisions", () => {
  it.each([
    [
      "queue-proxy (default)",
      baseArgs(),
      "prod-backend.agents-whatsapp-rust.svc.cluster.local",
      8012,
      undefined,
    ],
    [
      "forced 8080",
      baseArgs({ route: { forcePort8080: true } }),
      "prod-backend.agents-whatsapp-rust.svc.cluster.local",
      8080,
      undefined,
    ],
    [
      "ingress",
      baseArgs({ route: "ingress" }),
      "messaging-service.agents-whatsapp-rust.svc.cluster.local",
      80,
      "messaging-service.agents-whatsapp-rust.svc.cluster.local",
    ],
    [
      "plain Service",
      baseArgs({ backend: { service: "echo", namespace: "default", port: 9000 }, knative: undefined }),
      "echo.default.svc.cluster.local",
      9000,
      undefined,
    ],
  ])("route %s: HAProxy forwards to %s:%d", (_l, args, address, port, host) => {
    expect(planL4("prod", args).upstream).toEqual({ address, port, hostHeader: host });
  });

  it("the ingress route keeps the activator in the budget when the pods may scale to zero", () => {
    const plan = planL4(
      "prod",
      baseArgs({ route: "ingress", knative: { minScale: 0, cluster: { maxRevisionTimeoutSeconds: 3600 } } }),
    );
    expect(plan.budget.hops.map((h) => h.name)).toEqual([
      "client",
      "metallb-l2",
      "kube-proxy-conntrack",
      "haproxy",
      "knative-ingress",
      "activator",
      "queue-proxy",
    ]);
  });

  it.each([
    [{ tls: { mode: "passthrough" as const, targetPort: "https" } }, "wss://ws.example.com/ws"],
    [{ port: 8443 }, "wss://ws.example.com:8443/ws"],
    [
      { tls: { mode: "none" as const, acknowledgeInsecure: true }, port: 8080 },
      "ws://ws.example.com:8080/ws",
    ],
  ])("url for %j is %s", (over, url) => expect(planL4("prod", baseArgs(over)).url).toBe(url));

  it("AAAA for a v6 address", () => {
    const plan = planL4(
      "prod",
      baseArgs({
        addressPool: { create: { addresses: ["2001:db8::/126"] } },
        loadBalancerIP: "2001:db8::1",
        dns: { zoneId: "z", target: "loadBalancerIP" },
      }),
    );
    expect(plan.dns?.type).toBe("AAAA");
  });
});
