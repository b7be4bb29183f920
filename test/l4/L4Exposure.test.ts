import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { resource, settle, unwrap, useMockRuntime } from "../helpers/pulumi";
import { L4Exposure, L4ExposureComponentArgs } from "../../components/l4/L4Exposure";
import { haproxyConfigFor } from "../../components/l4/haproxy";
import { planL4 } from "../../components/l4/plan";
import { baseArgs, haproxyLabelsOf, L4_NS, L4_TYPES } from "./fixtures";

const runtime = useMockRuntime();

const T = { ...L4_TYPES, secret: "kubernetes:core/v1:Secret" };
const NS = L4_NS;
const HAPROXY_LABELS = haproxyLabelsOf("prod");

async function build(name: string, a: L4ExposureComponentArgs): Promise<L4Exposure> {
  const exposure = new L4Exposure(name, a);
  await unwrap(exposure.urn);
  await unwrap(exposure.url);
  await settle();
  return exposure;
}

describe("L4Exposure, tls terminate, L2, pinned address, DNS to a WAN address", () => {
  const args = baseArgs({ dns: { zoneId: "zone123", target: { address: "203.0.113.7" } } });

  test("registers exactly these resources, all under the exposure", async () => {
    await build("prod", args);
    expect(runtime.resources.map((r) => [r.type, r.name, r.parent]).sort()).toEqual(
      [
        [T.exposure, "prod", null],
        [T.knative, "prod-knative", "prod"],
        [T.patch, "prod-knative-service", "prod-knative"],
        [T.gate, "prod-knative-admission", "prod-knative"],
        [T.pool, "prod-pool", "prod"],
        [T.l2, "prod-l2", "prod"],
        [T.service, "prod-backend", "prod"],
        [T.configMap, "prod-haproxy", "prod"],
        [T.deployment, "prod-haproxy", "prod"],
        [T.pdb, "prod-haproxy", "prod"],
        [T.service, "prod-lb", "prod"],
        [T.dns, "prod-dns", "prod"],
      ].sort(),
    );
  });

  test("outputs: url, budget; the budget names the L4 hops", async () => {
    const e = await build("prod", args);
    expect(await unwrap(e.url)).toBe("wss://ws.example.com/ws");
    const budget = await unwrap(e.budget);
    expect(budget.ok).toBe(true);
    expect(budget.hops.map((h) => h.name)).toEqual([
      "client",
      "metallb-l2",
      "kube-proxy-conntrack",
      "haproxy",
      "queue-proxy",
    ]);
    expect(budget.effectiveIdleTimeoutSeconds).toBe(3600);
    expect(budget.lifetimeCapSeconds).toBe(3600);
    expect(await unwrap(e.loadBalancerIP)).toBeUndefined(); // status is known after deploy
  });

  test("MetalLB pool and L2 advertisement, exactly", async () => {
    await build("prod", args);
    expect(resource(runtime.resources, T.pool, "prod-pool").inputs).toEqual({
      apiVersion: "metallb.io/v1beta1",
      kind: "IPAddressPool",
      metadata: {
        name: "prod-pool",
        namespace: "metallb-system",
        labels: { "app.kubernetes.io/instance": "prod" },
      },
      spec: { addresses: ["192.168.1.240/29"], autoAssign: false },
    });
    expect(resource(runtime.resources, T.l2, "prod-l2").inputs).toEqual({
      apiVersion: "metallb.io/v1beta1",
      kind: "L2Advertisement",
      metadata: {
        name: "prod-l2",
        namespace: "metallb-system",
        labels: { "app.kubernetes.io/instance": "prod" },
      },
      spec: { ipAddressPools: ["prod-pool"] },
    });
  });

  test("the LoadBalancer Service: MetalLB annotations (no spec.loadBalancerIP), port 443 -> HAProxy, Local", async () => {
    await build("prod", args);
    const lb = resource(runtime.resources, T.service, "prod-lb").inputs as Record<string, any>;
    expect(lb.metadata).toEqual({
      name: "prod-lb",
      namespace: NS,
      labels: { "app.kubernetes.io/instance": "prod" },
      // Both prefixes: MetalLB 0.13.0 to 0.14.8 read only metallb.universe.tf/, 0.14.9+ prefer metallb.io/.
      annotations: {
        "metallb.io/address-pool": "prod-pool",
        "metallb.io/loadBalancerIPs": "192.168.1.241",
        "metallb.universe.tf/address-pool": "prod-pool",
        "metallb.universe.tf/loadBalancerIPs": "192.168.1.241",
      },
    });
    expect(lb.spec).toEqual({
      type: "LoadBalancer",
      externalTrafficPolicy: "Local",
      selector: HAPROXY_LABELS,
      ports: [{ name: "wss", port: 443, targetPort: "wss", protocol: "TCP" }],
    });
    expect(lb.spec.loadBalancerIP).toBeUndefined();
  });

  test("the ClusterIP Service to the queue-proxy (8012) of every revision", async () => {
    await build("prod", args);
    expect(resource(runtime.resources, T.service, "prod-backend").inputs).toEqual({
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "prod-backend", namespace: NS, labels: { "app.kubernetes.io/instance": "prod" } },
      spec: {
        type: "ClusterIP",
        selector: { "serving.knative.dev/service": "messaging-service" },
        ports: [{ name: "http", port: 8012, targetPort: 8012, protocol: "TCP" }],
      },
    });
  });

  test("the HAProxy Deployment: replicas, rollout, grace, probes, mounts, preStop, security", async () => {
    await build("prod", args);
    const d = resource(runtime.resources, T.deployment, "prod-haproxy").inputs as Record<string, any>;
    expect(d.metadata).toEqual({ name: "prod-haproxy", namespace: NS, labels: HAPROXY_LABELS });
    expect(d.spec.replicas).toBe(2);
    expect(d.spec.strategy).toEqual({
      type: "RollingUpdate",
      rollingUpdate: { maxUnavailable: 0, maxSurge: 1 },
    });
    const pod = d.spec.template.spec;
    expect(pod.terminationGracePeriodSeconds).toBe(80);
    // HAProxy never calls the Kubernetes API: no ServiceAccount token mounted.
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.enableServiceLinks).toBe(false);
    expect(pod.securityContext).toEqual({
      runAsNonRoot: true,
      runAsUser: 99,
      runAsGroup: 99,
      fsGroup: 99,
      seccompProfile: { type: "RuntimeDefault" },
    });
    expect(pod.topologySpreadConstraints).toEqual([
      {
        maxSkew: 1,
        topologyKey: "kubernetes.io/hostname",
        whenUnsatisfiable: "ScheduleAnyway",
        labelSelector: { matchLabels: HAPROXY_LABELS },
      },
    ]);
    const [c, drain] = pod.containers;
    expect(pod.containers.length).toBe(2);
    expect(c.image).toBe("haproxy:3.2.4");
    expect(c.command).toEqual([
      "haproxy",
      "-W",
      "-db",
      "-S",
      "/var/run/haproxy/master.sock,mode,600",
      "-f",
      "/usr/local/etc/haproxy/haproxy.cfg",
    ]);
    // The paced drain's sidecar: stock Node image, the driver from the ConfigMap, default window 50 s.
    const driver = [
      "node",
      "/etc/ws-exposure/drain/haproxy-drain.js",
      "--socket",
      "/var/run/haproxy/master.sock",
    ];
    expect(drain).toEqual({
      name: "drain",
      image: "node:24.19.0-alpine3.24",
      command: [...driver, "--window", "50", "--order", "oldest", "--watch"],
      lifecycle: {
        preStop: {
          exec: { command: [...driver, "--window", "50", "--order", "oldest", "--all-after", "10"] },
        },
      },
      resources: { requests: { cpu: "10m", memory: "48Mi" }, limits: { memory: "96Mi" } },
      securityContext: {
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        runAsNonRoot: true,
        capabilities: { drop: ["ALL"] },
      },
      volumeMounts: [
        { name: "drain", mountPath: "/etc/ws-exposure/drain", readOnly: true },
        { name: "run", mountPath: "/var/run/haproxy" },
      ],
    });
    expect(c.ports).toEqual([
      { name: "wss", containerPort: 8443, protocol: "TCP" },
      { name: "health", containerPort: 8404, protocol: "TCP" },
    ]);
    expect(c.readinessProbe).toEqual({
      httpGet: { path: "/healthz", port: "health" },
      periodSeconds: 5,
      timeoutSeconds: 2,
      failureThreshold: 2,
    });
    expect(c.livenessProbe).toEqual({
      httpGet: { path: "/healthz", port: "health" },
      periodSeconds: 10,
      timeoutSeconds: 2,
      failureThreshold: 3,
    });
    expect(c.lifecycle).toEqual({
      // The wait for the LB only: the kubelet's stop, SIGUSR1 by the image's STOPSIGNAL, soft-stops.
      preStop: { exec: { command: ["sleep", "10"] } },
    });
    expect(c.securityContext).toEqual({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      capabilities: { drop: ["ALL"] },
    });
    expect(c.volumeMounts).toEqual([
      { name: "config", mountPath: "/usr/local/etc/haproxy", readOnly: true },
      { name: "tls", mountPath: "/etc/ws-exposure/tls", readOnly: true },
      { name: "run", mountPath: "/var/run/haproxy" },
      { name: "tmp", mountPath: "/tmp" },
    ]);
    expect(pod.volumes).toEqual([
      {
        name: "config",
        configMap: { name: "prod-haproxy", items: [{ key: "haproxy.cfg", path: "haproxy.cfg" }] },
      },
      {
        name: "tls",
        secret: {
          secretName: "ws-example-com-tls",
          items: [
            { key: "tls.crt", path: "tls.crt" },
            { key: "tls.key", path: "tls.crt.key" },
          ],
          defaultMode: 0o440,
        },
      },
      {
        name: "drain",
        configMap: { name: "prod-haproxy", items: [{ key: "haproxy-drain.js", path: "haproxy-drain.js" }] },
      },
      { name: "run", emptyDir: { medium: "Memory", sizeLimit: "1Mi" } },
      { name: "tmp", emptyDir: { sizeLimit: "16Mi" } },
    ]);
    expect(Object.keys(d.spec.template.metadata.annotations)).toEqual([
      "ws-exposure.dev/haproxy-config-sha256",
      "ws-exposure.dev/haproxy-drain-sha256",
    ]);
  });

  test("the PDB and the ConfigMap (the rendered config, pointing at the 8012 Service)", async () => {
    await build("prod", args);
    expect(resource(runtime.resources, T.pdb, "prod-haproxy").inputs).toEqual({
      apiVersion: "policy/v1",
      kind: "PodDisruptionBudget",
      metadata: { name: "prod-haproxy", namespace: NS, labels: HAPROXY_LABELS },
      spec: { maxUnavailable: 1, selector: { matchLabels: HAPROXY_LABELS } },
    });
    const cfg = (resource(runtime.resources, T.configMap, "prod-haproxy").inputs as any).data[
      "haproxy.cfg"
    ] as string;
    expect(cfg).toBe(haproxyConfigFor(planL4("prod", args)));
    // The drain driver's bundle ships as-is, next to the config.
    const data = (resource(runtime.resources, T.configMap, "prod-haproxy").inputs as any).data;
    expect(Object.keys(data).sort()).toEqual(["haproxy-drain.js", "haproxy.cfg"]);
    expect(data["haproxy-drain.js"]).toBe(
      fs.readFileSync(path.join(__dirname, "../../dist/bundle/haproxy-drain.js"), "utf8"),
    );
    expect(cfg).toContain("    server backend prod-backend.agents-whatsapp-rust.svc.cluster.local:8012\n");
    expect(cfg).toContain(
      "    bind :8443 ssl crt /etc/ws-exposure/tls/tls.crt ssl-min-ver TLSv1.2 alpn http/1.1\n",
    );
    expect(cfg).toContain("    timeout tunnel 3600s\n");
    expect(cfg).toContain("    hard-stop-after 60s\n");
    expect(cfg).toContain("    close-spread-time 50s\n");
    // maxconn and the threads the container's resources allow (50m CPU request, no limit: 1 thread).
    expect(cfg).toContain("    master-worker\n    maxconn 10000\n");
    expect(cfg).toContain("    nbthread 1\n");
    expect(cfg).toContain(
      "frontend websocket\n    bind :8443 ssl crt /etc/ws-exposure/tls/tls.crt ssl-min-ver TLSv1.2 alpn http/1.1\n    maxconn 10000\n",
    );
  });

  test("the HAProxy container's memory holds maxconn (64Mi + 64 KiB per connection, request = limit)", async () => {
    await build("prod", args);
    const d = resource(runtime.resources, T.deployment, "prod-haproxy").inputs as any;
    expect(d.spec.template.spec.containers[0].resources).toEqual({
      requests: { cpu: "50m", memory: "689Mi" },
      limits: { memory: "689Mi" },
    });
  });

  test("a custom HAProxy image (stop signal unknown): the preStop soft-stops HAProxy itself, never left to a SIGTERM hard stop", async () => {
    const image = "registry.example.com/haproxy:3.2.4";
    await build(
      "prod",
      baseArgs({ tls: { mode: "terminate", certificate: { secretName: "s" }, haproxy: { image } } }),
    );
    const d = resource(runtime.resources, T.deployment, "prod-haproxy").inputs as any;
    const c = d.spec.template.spec.containers[0];
    expect([c.image, c.lifecycle, d.spec.template.spec.terminationGracePeriodSeconds]).toEqual([
      image,
      { preStop: { exec: { command: ["/bin/sh", "-c", "sleep 10; kill -USR1 1; sleep 70"] } } },
      80,
    ]);
  });

  test("maxconn and the CPU limit decide memory and nbthread", async () => {
    const a = baseArgs({
      tls: {
        mode: "terminate",
        certificate: { secretName: "s" },
        haproxy: { maxconn: 20000, resources: { requests: { cpu: "1" }, limits: { cpu: "2" } } },
      },
    });
    await build("prod", a);
    const d = resource(runtime.resources, T.deployment, "prod-haproxy").inputs as any;
    expect(d.spec.template.spec.containers[0].resources).toEqual({
      requests: { cpu: "1", memory: "1314Mi" },
      limits: { cpu: "2", memory: "1314Mi" },
    });
    const cfg = (resource(runtime.resources, T.configMap, "prod-haproxy").inputs as any).data["haproxy.cfg"];
    expect(cfg).toContain("    maxconn 20000\n    nbthread 2\n");
  });

  test("Knative settings: min-scale kept, target-burst-capacity 0 (activator out of the path)", async () => {
    await build("prod", args);
    const patch = resource(runtime.resources, T.patch, "prod-knative-service").inputs as any;
    expect(patch.spec.template.metadata.annotations).toEqual({
      "autoscaling.knative.dev/min-scale": "2",
      "autoscaling.knative.dev/max-scale": "10",
      "autoscaling.knative.dev/target-burst-capacity": "0",
    });
  });

  test("the DNS record is DNS-only (proxied: false), A, to the given address", async () => {
    await build("prod", args);
    expect(resource(runtime.resources, T.dns, "prod-dns").inputs).toEqual({
      zoneId: "zone123",
      name: "ws.example.com",
      type: "A",
      content: "203.0.113.7",
      proxied: false,
      ttl: 1,
      comment: "ws-exposure prod: L4 (MetalLB), DNS only",
    });
  });
});

describe("L4Exposure variants", () => {
  test("BGP with a peer: BGPPeer v1beta2 and a BGPAdvertisement limited to it", async () => {
    await build(
      "prod",
      baseArgs({
        advertisement: {
          type: "bgp",
          peers: [{ name: "router", myASN: 64500, peerASN: 64501, peerAddress: "192.168.1.1" }],
        },
      }),
    );
    expect(resource(runtime.resources, T.peer, "prod-router").inputs).toEqual({
      apiVersion: "metallb.io/v1beta2",
      kind: "BGPPeer",
      metadata: {
        name: "prod-router",
        namespace: "metallb-system",
        labels: { "app.kubernetes.io/instance": "prod" },
      },
      spec: { myASN: 64500, peerASN: 64501, peerAddress: "192.168.1.1" },
    });
    expect(resource(runtime.resources, T.bgp, "prod-bgp").inputs).toEqual({
      apiVersion: "metallb.io/v1beta1",
      kind: "BGPAdvertisement",
      metadata: {
        name: "prod-bgp",
        namespace: "metallb-system",
        labels: { "app.kubernetes.io/instance": "prod" },
      },
      spec: { ipAddressPools: ["prod-pool"], peers: ["prod-router"] },
    });
    expect(runtime.resources.filter((r) => r.type === T.l2)).toEqual([]);
  });

  test("cert-manager: a Certificate for the hostname, awaited until Ready (10 min), its Secret mounted", async () => {
    await build(
      "prod",
      baseArgs({
        tls: { mode: "terminate", certificate: { certManager: { issuerName: "letsencrypt-dns01" } } },
      }),
    );
    expect(resource(runtime.resources, T.certificate, "prod-tls").inputs).toEqual({
      apiVersion: "cert-manager.io/v1",
      kind: "Certificate",
      metadata: {
        name: "prod-tls",
        namespace: NS,
        labels: { "app.kubernetes.io/instance": "prod" },
        // The Kubernetes provider waits for the Ready condition (the Secret issued), at most 600 s,
        // before the HAProxy Deployment that depends on it is created.
        annotations: { "pulumi.com/waitFor": "condition=Ready", "pulumi.com/timeoutSeconds": "600" },
      },
      spec: {
        secretName: "prod-tls",
        dnsNames: ["ws.example.com"],
        issuerRef: { name: "letsencrypt-dns01", kind: "ClusterIssuer", group: "cert-manager.io" },
        privateKey: { algorithm: "ECDSA", size: 256, rotationPolicy: "Always" },
      },
    });
    const d = resource(runtime.resources, T.deployment, "prod-haproxy").inputs as any;
    expect(d.spec.template.spec.volumes[1].secret.secretName).toBe("prod-tls");
  });

  test("cert-manager: keyAlgorithm RSA (2048) instead of the default ECDSA P-256", async () => {
    await build(
      "prod",
      baseArgs({
        tls: {
          mode: "terminate",
          certificate: { certManager: { issuerName: "letsencrypt-dns01", keyAlgorithm: "RSA" } },
        },
      }),
    );
    expect((resource(runtime.resources, T.certificate, "prod-tls").inputs as any).spec.privateKey).toEqual({
      algorithm: "RSA",
      size: 2048,
      rotationPolicy: "Always",
    });
  });

  test("session tickets from keys: a secret Secret, mounted, tls-ticket-keys on the bind line", async () => {
    const keys = [1, 2, 3].map((i) => Buffer.alloc(80, i).toString("base64"));
    await build(
      "prod",
      baseArgs({
        tls: {
          mode: "terminate",
          certificate: { secretName: "ws-example-com-tls" },
          haproxy: { sessionTickets: { keys: keys.map((k) => pulumi.secret(k)) } },
        },
      }),
    );
    const secret = resource(runtime.resources, T.secret, "prod-haproxy-tickets");
    expect(secret.type).toBe(T.secret);
    expect((secret.inputs as any).metadata).toEqual({
      name: "prod-haproxy-tickets",
      namespace: NS,
      labels: HAPROXY_LABELS,
    });
    expect((secret.inputs as any).type).toBe("Opaque");
    // The file, as HAProxy reads it: one key a line, oldest first.
    expect((secret.inputs as any).stringData).toEqual({ "tls-ticket-keys": `${keys.join("\n")}\n` });
    const d = resource(runtime.resources, T.deployment, "prod-haproxy").inputs as any;
    const pod = d.spec.template.spec;
    expect(pod.containers[0].volumeMounts).toContainEqual({
      name: "tickets",
      mountPath: "/etc/ws-exposure/tickets",
      readOnly: true,
    });
    expect(pod.volumes).toContainEqual({
      name: "tickets",
      secret: {
        secretName: "prod-haproxy-tickets",
        items: [{ key: "tls-ticket-keys", path: "tls-ticket-keys" }],
        defaultMode: 0o440,
      },
    });
    const cfg = (resource(runtime.resources, T.configMap, "prod-haproxy").inputs as any).data["haproxy.cfg"];
    expect(cfg).toContain("    ssl-default-bind-options ssl-min-ver TLSv1.2\n");
    // A ticket stays valid for 7 days (HAProxy's default 300 s would refuse any connection older than 5 min).
    expect(cfg).toContain("    tune.ssl.lifetime 604800\n");
    expect(cfg).toContain(
      "    bind :8443 ssl crt /etc/ws-exposure/tls/tls.crt ssl-min-ver TLSv1.2 alpn http/1.1 tls-ticket-keys /etc/ws-exposure/tickets/tls-ticket-keys\n",
    );
    for (const k of keys) expect(cfg).not.toContain(k);
  });

  test("session tickets from an existing Secret; drain false: no sidecar, no driver", async () => {
    await build(
      "prod",
      baseArgs({
        tls: {
          mode: "terminate",
          certificate: { secretName: "ws-example-com-tls" },
          haproxy: { sessionTickets: { secretName: "shared-tickets" }, drain: false },
        },
      }),
    );
    expect(runtime.resources.filter((r) => r.type === T.secret)).toEqual([]);
    const pod = (resource(runtime.resources, T.deployment, "prod-haproxy").inputs as any).spec.template.spec;
    expect(pod.containers.map((c: any) => c.name)).toEqual(["haproxy"]);
    expect(pod.volumes.map((v: any) => v.name)).toEqual(["config", "tls", "tickets", "run", "tmp"]);
    expect(pod.volumes[2].secret.secretName).toBe("shared-tickets");
    const data = (resource(runtime.resources, T.configMap, "prod-haproxy").inputs as any).data;
    expect(Object.keys(data)).toEqual(["haproxy.cfg"]);
  });

  test("cert-manager: readyTimeoutSeconds bounds the wait", async () => {
    await build(
      "prod",
      baseArgs({
        tls: {
          mode: "terminate",
          certificate: { certManager: { issuerName: "letsencrypt-dns01", readyTimeoutSeconds: 1800 } },
        },
      }),
    );
    expect(
      (resource(runtime.resources, T.certificate, "prod-tls").inputs as any).metadata.annotations,
    ).toEqual({
      "pulumi.com/waitFor": "condition=Ready",
      "pulumi.com/timeoutSeconds": "1800",
    });
  });

  test("existing pool, source ranges, ClientIP affinity (default 10800 s), Cluster policy", async () => {
    await build(
      "prod",
      baseArgs({
        addressPool: { existing: "lan-pool" },
        advertisement: { type: "none" },
        externalTrafficPolicy: "Cluster",
        loadBalancerSourceRanges: ["203.0.113.0/24"],
        sessionAffinity: {},
      }),
    );
    expect(runtime.resources.filter((r) => [T.pool, T.l2, T.bgp].includes(r.type))).toEqual([]);
    const lb = resource(runtime.resources, T.service, "prod-lb").inputs as any;
    expect(lb.metadata.annotations).toEqual({
      "metallb.io/address-pool": "lan-pool",
      "metallb.io/loadBalancerIPs": "192.168.1.241",
      "metallb.universe.tf/address-pool": "lan-pool",
      "metallb.universe.tf/loadBalancerIPs": "192.168.1.241",
    });
    expect(lb.spec).toEqual({
      type: "LoadBalancer",
      externalTrafficPolicy: "Cluster",
      selector: HAPROXY_LABELS,
      ports: [{ name: "wss", port: 443, targetPort: "wss", protocol: "TCP" }],
      loadBalancerSourceRanges: ["203.0.113.0/24"],
      sessionAffinity: "ClientIP",
      sessionAffinityConfig: { clientIP: { timeoutSeconds: 10800 } },
    });
    // With Cluster the client address is a node's: HAProxy must not filter on it.
    const cfg = (resource(runtime.resources, T.configMap, "prod-haproxy").inputs as any).data[
      "haproxy.cfg"
    ] as string;
    expect(cfg).not.toContain("allowed_src");
  });

  test("tls none (asked for by name): the LoadBalancer selects the pods' queue-proxy, ws:// on port 80", async () => {
    const e = await build(
      "prod",
      baseArgs({
        tls: { mode: "none", acknowledgeInsecure: true },
        dns: { zoneId: "z", target: "loadBalancerIP" },
      }),
    );
    expect(await unwrap(e.url)).toBe("ws://ws.example.com/ws");
    const lb = resource(runtime.resources, T.service, "prod-lb").inputs as any;
    expect(lb.spec.selector).toEqual({ "serving.knative.dev/service": "messaging-service" });
    expect(lb.spec.ports).toEqual([{ name: "ws", port: 80, targetPort: 8012, protocol: "TCP" }]);
    expect(runtime.resources.filter((r) => r.type === T.deployment || r.name === "prod-backend")).toEqual([]);
    expect((resource(runtime.resources, T.dns, "prod-dns").inputs as any).proxied).toBe(false);
  });

  test("legacyMetallbAnnotations false: metallb.io/ annotations only (MetalLB >= 0.14.9)", async () => {
    await build("prod", baseArgs({ legacyMetallbAnnotations: false }));
    const lb = resource(runtime.resources, T.service, "prod-lb").inputs as any;
    expect(lb.metadata.annotations).toEqual({
      "metallb.io/address-pool": "prod-pool",
      "metallb.io/loadBalancerIPs": "192.168.1.241",
    });
  });

  test("applyKnativeSettings false: no KnativeSettings child", async () => {
    await build("prod", baseArgs({ applyKnativeSettings: false }));
    expect(runtime.resources.filter((r) => r.type === T.knative)).toEqual([]);
  });
});

describe("L4Exposure validation: exact message, nothing registered", () => {
  const O = 'L4Exposure "prod": ';
  it.each<[string, Partial<L4ExposureComponentArgs>, string]>([
    [
      "pinned address outside the pool",
      { loadBalancerIP: "192.168.1.50" },
      `${O}loadBalancerIP "192.168.1.50" is not in the address pool (192.168.1.240/29); pin an address inside the pool or add it to addressPool`,
    ],
    [
      "bad CIDR",
      { addressPool: { create: { addresses: ["192.168.1.240/29", "10.0.0.300/32"] } } },
      `${O}addressPool.create.addresses[1] "10.0.0.300/32" is not a CIDR or range; write "192.168.1.240/28" (host bits zero) or "192.168.1.240-192.168.1.250"`,
    ],
    [
      "overlapping ranges",
      { addressPool: { create: { addresses: ["192.168.1.240/29", "192.168.1.244-192.168.1.250"] } } },
      `${O}addressPool.create.addresses[1] "192.168.1.244-192.168.1.250" overlaps addressPool.create.addresses[0] "192.168.1.240/29"; MetalLB refuses overlapping ranges`,
    ],
    [
      "affinity timeout 0",
      { sessionAffinity: { timeoutSeconds: 0 } },
      `${O}sessionAffinity.timeoutSeconds must be a whole number of seconds from 1 to 86400 (got 0)`,
    ],
    [
      "affinity timeout above 86400",
      { sessionAffinity: { timeoutSeconds: 86401 } },
      `${O}sessionAffinity.timeoutSeconds must be a whole number of seconds from 1 to 86400 (got 86401)`,
    ],
    [
      "port 8080 without force",
      { route: { forcePort8080: false } as never },
      `${O}route sends traffic to port 8080, which bypasses the queue-proxy: the autoscaler then sees no load and may scale away pods holding live sockets; use route "queue-proxy" (port 8012), or set route to { forcePort8080: true } if you accept that`,
    ],
    [
      "min-scale 0 on the queue-proxy route",
      { knative: { minScale: 0, cluster: { maxRevisionTimeoutSeconds: 3600 } } },
      `${O}knative.minScale 0 is below 1, which the L4 route straight to the pods (queue-proxy port 8012) needs: nothing but a running pod can answer there (the activator is only reachable through Knative's ingress); set knative.minScale >= 1`,
    ],
    [
      "tls none not asked for by name",
      { tls: { mode: "none" } as never },
      `${O}tls.acknowledgeInsecure must be true for tls.mode "none": clients would use plain ws:// and every message crosses the network unencrypted; use it on a LAN or for development only, or use tls.mode "terminate"`,
    ],
    [
      "no tls at all",
      { tls: undefined as never },
      `${O}tls is required: { mode: "terminate", certificate } (HAProxy serves wss://), { mode: "passthrough", targetPort } or { mode: "none", acknowledgeInsecure: true }`,
    ],
    [
      "maxconn above what the memory limit holds",
      {
        tls: {
          mode: "terminate",
          certificate: { secretName: "s" },
          haproxy: { maxconn: 20000, resources: { limits: { memory: "256Mi" } } },
        },
      },
      `${O}tls.haproxy.resources.limits.memory "256Mi" cannot hold tls.haproxy.maxconn 20000: HAProxy needs 1314Mi for it (64Mi + 64 KiB per connection, measured in a TLS reconnect storm; docs/L4.md), and an OOM kill drops every connection on the pod; raise tls.haproxy.resources.limits.memory to at least "1314Mi" or lower tls.haproxy.maxconn to at most 3072`,
    ],
    [
      "certificate wait below 30 s",
      {
        tls: {
          mode: "terminate",
          certificate: { certManager: { issuerName: "letsencrypt-dns01", readyTimeoutSeconds: 5 } },
        },
      },
      `${O}tls.certificate.certManager.readyTimeoutSeconds must be a whole number of seconds from 30 to 7200 (got 5)`,
    ],
    [
      "legacyMetallbAnnotations not a boolean",
      { legacyMetallbAnnotations: "yes" as never },
      `${O}legacyMetallbAnnotations must be true or false (got "yes")`,
    ],
    [
      "one HAProxy replica",
      { tls: { mode: "terminate", certificate: { secretName: "s" }, haproxy: { replicas: 1 } } },
      `${O}tls.haproxy.replicas must be a whole number from 2 to 100 (got 1)`,
    ],
    [
      "unpinned image",
      { tls: { mode: "terminate", certificate: { secretName: "s" }, haproxy: { image: "haproxy:latest" } } },
      `${O}tls.haproxy.image "haproxy:latest" is not pinned; use a tag or digest such as "haproxy:3.2.4"`,
    ],
    [
      "timeout tunnel below 3 heartbeats",
      {
        tls: {
          mode: "terminate",
          certificate: { secretName: "s" },
          haproxy: { timeouts: { tunnelSeconds: 12 } },
        },
      },
      `${O}tls.haproxy.timeouts.tunnelSeconds 12 is below 3 heartbeats (3 x websocket.heartbeatSeconds 5 = 15); HAProxy would cut connections that miss a heartbeat or two; raise it to at least 15`,
    ],
    [
      "grace period shorter than preStop + hard-stop-after",
      {
        tls: {
          mode: "terminate",
          certificate: { secretName: "s" },
          haproxy: { terminationGracePeriodSeconds: 60 },
        },
      },
      `${O}tls.haproxy.terminationGracePeriodSeconds 60 is too short: it must be at least preStopSeconds 10 + hardStopAfterSeconds 60 + 10 = 80, because the grace period counts from the start of preStop and ends in SIGKILL, which would cut the drain short`,
    ],
    [
      "bad source range",
      { loadBalancerSourceRanges: ["203.0.113.7"] },
      `${O}loadBalancerSourceRanges[0] "203.0.113.7" is not a CIDR such as "203.0.113.0/24" (host bits zero)`,
    ],
    [
      "ingress route without HAProxy",
      { route: "ingress", tls: { mode: "passthrough", targetPort: "https" } },
      `${O}route "ingress" needs tls.mode "terminate": only the HAProxy tier can reach Knative's ingress and set the Host header it routes on`,
    ],
    [
      "a lifetime cap below minLifetimeSeconds (budget)",
      { knative: { minScale: 2, timeoutSeconds: 600, cluster: { maxRevisionTimeoutSeconds: 3600 } } },
      `${O}websocket does not fit the l4 path's connection budget: the l4 path caps a connection's life at 600 s at hop "queue-proxy", below websocket.minLifetimeSeconds 3600; raise knative.timeoutSeconds to at least 3600`,
    ],
    [
      "a lifetime no hop allows: the budget names the hop before any derived timeout is range-checked",
      {
        websocket: { heartbeatSeconds: 5, minLifetimeSeconds: 100000000 },
        knative: { minScale: 2, timeoutSeconds: 3600, cluster: { maxRevisionTimeoutSeconds: 3600 } },
      },
      `${O}websocket does not fit the l4 path's connection budget: the l4 path caps a connection's life at 3600 s at hop "queue-proxy", below websocket.minLifetimeSeconds 100000000; raise knative.timeoutSeconds to at least 100000000`,
    ],
    [
      "timeout tunnel derived beyond HAProxy's limit: names minLifetimeSeconds and the limit",
      {
        websocket: { heartbeatSeconds: 5, minLifetimeSeconds: 100000000 },
        knative: {
          minScale: 2,
          timeoutSeconds: 100000000,
          cluster: { maxRevisionTimeoutSeconds: 100000000 },
        },
      },
      `${O}websocket.minLifetimeSeconds 100000000 is beyond HAProxy's longest timeout, 2147483 s (about 24.8 days): the haproxy hop's tls.haproxy.timeouts.tunnelSeconds defaults to it; lower websocket.minLifetimeSeconds to at most 2147483, or set tls.haproxy.timeouts.tunnelSeconds (an idle timeout, reset by heartbeats) to at most 2147483`,
    ],
    [
      "timeout tunnel given beyond HAProxy's limit: names it",
      {
        tls: {
          mode: "terminate",
          certificate: { secretName: "s" },
          haproxy: { timeouts: { tunnelSeconds: 100000000 } },
        },
      },
      `${O}tls.haproxy.timeouts.tunnelSeconds must be a whole number of seconds from 1 to 2147483 (got 100000000)`,
    ],
    [
      "Knative timeout derived beyond the cluster maximum: names minLifetimeSeconds and the limit",
      {
        websocket: { heartbeatSeconds: 5, minLifetimeSeconds: 7200 },
        knative: {
          minScale: 2,
          cluster: { maxRevisionTimeoutSeconds: 3600, manageMaxRevisionTimeout: true },
        },
      },
      `${O}websocket.minLifetimeSeconds 7200 is above the cluster's max-revision-timeout-seconds 3600: knative.timeoutSeconds (the revision's hard cap on a connection's life) defaults to it, and Knative would reject the revision; lower websocket.minLifetimeSeconds, or raise knative.cluster.maxRevisionTimeoutSeconds to at least 7200`,
    ],
  ])("%s", async (_label, overrides, message) => {
    expect(() => new L4Exposure("prod", baseArgs(overrides))).toThrow(message);
    await settle();
    expect(runtime.resources).toEqual([]);
  });
});
