import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { revealValue } from "../../render/mockRuntime";
import { HybridExposure } from "../../components/hybrid/HybridExposure";
import { WsMonitor } from "../../components/monitor/WsMonitor";
import * as pkg from "../../components/package";
import { hybridArgs } from "../helpers/fixtures";
import { settle, unwrap, useMockRuntime } from "../helpers/pulumi";

/**
 * At run time a package component IS the TypeScript component: same type token, children, names and
 * inputs, from the package form of the same args.
 */
const runtime = useMockRuntime();

/** A stand-in for the wsprobe bundle (`npm run build` is not run for unit tests). */
const bundlePath = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "ws-exposure-pkg-")), "wsprobe.js");
fs.writeFileSync(bundlePath, "console.log('wsprobe');\n");

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
