import * as pulumi from "@pulumi/pulumi";
import { revealValue } from "../../render/mockRuntime";
import { HybridExposure } from "../../components/hybrid/HybridExposure";
import { L4Exposure } from "../../components/l4/L4Exposure";
import { WsMonitor } from "../../components/monitor/WsMonitor";
import * as pkg from "../../components/package";
import { hybridArgs, l4Args } from "../helpers/fixtures";
import { settle, unwrap, useMockRuntime } from "../helpers/pulumi";
import { standInBundle } from "../helpers/tempFolders";

/**
 * At run time a package component IS the TypeScript component: same type token, children, names and
 * inputs, from the package form of the same args.
 */
const runtime = useMockRuntime();

const bundlePath = standInBundle();

/** What the engine saw: type, name, parent and inputs (secrets revealed) of every registration. */
async function registered(build: () => pulumi.ComponentResource): Promise<unknown[]> {
  runtime.reset();
  const component = build();
  await unwrap(component.urn);
  await settle();
  return runtime.resources.map((r) => [r.type, r.name, r.parent, revealValue(r.inputs)]);
}

const monitor = { enabled: true, bundlePath, prometheusOperator: { enabled: true } };
const hybrid = { ...hybridArgs(), monitor };
const wsMonitor = {
  url: "wss://ws.example.com/ws",
  namespace: "monitoring",
  expectedMinLifetimeSeconds: 600,
  bundlePath,
  prometheusOperator: { enabled: true, labels: { release: "kps" } },
};

/** An L4Exposure on an AWS NLB (PROXY protocol to HAProxy, an RSA certificate, a paced drain, secret ticket keys). */
const { addressPool: _pool, loadBalancerIP: _ip, ...cloud } = l4Args();
const ticketKeys = [1, 2, 3].map((i) => pulumi.secret(Buffer.alloc(80, i).toString("base64")));
const nlbTls = (drain: object) => ({
  mode: "terminate" as const,
  certificate: { certManager: { issuerName: "le", keyAlgorithm: "RSA" as const } },
  haproxy: { drain, sessionTickets: { keys: ticketKeys } },
});
const nlb = {
  ...cloud,
  loadBalancer: { type: "aws-nlb" as const, scheme: "internal" as const, proxyProtocol: true },
  tls: nlbTls({ windowSeconds: 40, order: "random" }),
};

// [component, the TypeScript component, the package component from the package form of its args, WsMonitors registered]
test.each([
  [
    "HybridExposure (with its two monitors)",
    () => new HybridExposure("prod", hybrid),
    () =>
      new pkg.HybridExposure("prod", {
        ...hybrid,
        l4: { ...hybrid.l4, dns: { zoneId: "zone", target: "203.0.113.7" } },
      } as pkg.HybridExposurePackageArgs),
    2,
  ],
  [
    "L4Exposure (aws-nlb)",
    () => new L4Exposure("edge", nlb),
    () =>
      new pkg.L4Exposure("edge", {
        ...nlb,
        loadBalancer: { ...nlb.loadBalancer, certificateArn: undefined },
        tls: nlbTls({ enabled: true, windowSeconds: 40, order: "random", image: null }),
      } as pkg.L4ExposurePackageArgs),
    0,
  ],
  [
    "WsMonitor",
    () => new WsMonitor("mon", wsMonitor),
    () => new pkg.WsMonitor("mon", { ...wsMonitor, connectTo: undefined }),
    1,
  ],
])(
  "the package %s registers exactly what the TypeScript one does",
  async (_component, typeScript, fromPackage, monitors) => {
    const fromTypeScript = await registered(typeScript);
    const types = fromTypeScript.map((r) => (r as string[])[0]);
    expect(types.filter((t) => t === "ws-exposure:index:WsMonitor")).toHaveLength(monitors);
    expect(types.filter((t) => t === "kubernetes:monitoring.coreos.com/v1:ServiceMonitor")).toHaveLength(
      monitors,
    );
    expect(await registered(fromPackage)).toEqual(fromTypeScript);
  },
);
