import { planL4 } from "../../components/l4/plan";
import { planTunnel } from "../../components/tunnel/plan";
import { toL4ExposureArgs, toTunnelExposureArgs } from "../../components/package";
import { dropAbsent } from "../../components/package/convert";

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
    const message = (f: () => unknown) => {
      try {
        f();
      } catch (err) {
        return (err as Error).message;
      }
      return "accepted";
    };
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
