/** Where the L4 path's monitor dials: the public name needs hairpin NAT from inside the LAN. */
import { resource, unwrap, useMockRuntime } from "../helpers/pulumi";
import { L4Exposure } from "../../components/l4/L4Exposure";
import { HybridExposure } from "../../components/hybrid/HybridExposure";
import { monitorConnectTo, type ExposureMonitorArgs } from "../../components/monitor";
import { hybridArgs } from "../helpers/fixtures";
import { baseArgs } from "./fixtures";
import { sleep } from "../../support/wait";
import { standInBundle } from "../helpers/tempFolders";

const runtime = useMockRuntime();
const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const bundlePath = standInBundle();

const monitor = (over: Partial<ExposureMonitorArgs> = {}): ExposureMonitorArgs => ({
  enabled: true,
  bundlePath,
  ...over,
});

async function command(deployment: string): Promise<string[]> {
  const spec = resource(runtime.resources, DEPLOYMENT, deployment).inputs.spec as any;
  return spec.template.spec.containers[0].command as string[];
}

/** The flags after the URL that say where to dial; [] = the URL's host. */
function dialFlags(cmd: string[]): string[] {
  const i = cmd.indexOf("--connect-to");
  return i < 0 ? [] : cmd.slice(i, i + 2);
}

describe("L4Exposure monitor.dial", () => {
  test.each([
    [
      "default: the LoadBalancer Service's in-cluster name",
      undefined,
      {},
      ["--connect-to", "prod-lb.agents-whatsapp-rust.svc.cluster.local"],
    ],
    ["service", "service", {}, ["--connect-to", "prod-lb.agents-whatsapp-rust.svc.cluster.local"]],
    [
      "service, with a cluster domain of its own",
      "service",
      {
        backend: {
          knativeService: "messaging-service",
          namespace: "agents-whatsapp-rust",
          clusterDomain: "homelab.internal",
        },
      },
      ["--connect-to", "prod-lb.agents-whatsapp-rust.svc.homelab.internal"],
    ],
    ["loadBalancer: the pinned address", "loadBalancer", {}, ["--connect-to", "192.168.1.241"]],
    ["public: the hostname as DNS resolves it", "public", {}, []],
  ] as const)("%s", async (_label, dial, over, flags) => {
    const e = new L4Exposure("prod", baseArgs({ ...over, monitor: monitor(dial ? { dial } : {}) }));
    await unwrap(e.urn);
    await sleep(20);
    const cmd = await command("prod-monitor");
    // The URL (so SNI and Host) is the public one in every case.
    expect(cmd[3]).toBe("wss://ws.example.com/ws");
    expect(dialFlags(cmd)).toEqual(flags);
  });

  test.each([
    [
      "loadBalancer without a pinned address",
      { loadBalancerIP: undefined, monitor: monitor({ dial: "loadBalancer" }) },
      'L4Exposure "prod": monitor.dial "loadBalancer" needs a pinned loadBalancerIP (MetalLB\'s pick is known only after deploy); pin loadBalancerIP, or set monitor.dial to "service"',
    ],
    [
      "an unknown dial",
      { monitor: monitor({ dial: "lan" as never }) },
      'L4Exposure "prod": monitor.dial must be "service", "loadBalancer" or "public" (got "lan")',
    ],
  ])("%s: a clear error and nothing registered", async (_label, over, message) => {
    expect(() => new L4Exposure("prod", baseArgs(over))).toThrow(message);
    await sleep(10);
    expect(runtime.resources).toEqual([]);
  });
});

test("HybridExposure: the WebSocket monitor dials the L4 Service, the fallback monitor the tunnel's public name", async () => {
  const e = new HybridExposure("prod", hybridArgs({ monitor: monitor() }));
  await unwrap(e.urn);
  await sleep(20);
  expect(dialFlags(await command("prod-monitor"))).toEqual([
    "--connect-to",
    "prod-l4-lb.agents-whatsapp-rust.svc.cluster.local",
  ]);
  const fallback = await command("prod-fallback-monitor");
  expect(fallback[3]).toBe("wss://messaging.example.com/ws");
  expect(dialFlags(fallback)).toEqual([]);
});

describe("monitorConnectTo without L4 targets (the tunnel path)", () => {
  test.each([undefined, "public"])("%j: the public name", (dial) => {
    expect(monitorConnectTo('TunnelExposure "dev"', dial, undefined)).toBeUndefined();
  });
  test("service is refused, naming the arg", () => {
    expect(() => monitorConnectTo('TunnelExposure "dev"', "service", undefined)).toThrow(
      'TunnelExposure "dev": monitor.dial "service" is only for an L4 path; the tunnel path is monitored at its public name (leave monitor.dial unset)',
    );
  });
});
