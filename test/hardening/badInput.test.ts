/**
 * The bad-input catalogue (issue 7): malformed args of the three components. Each case asserts the
 * exact message (it names the field and the fix) and that nothing was registered under the mock
 * engine. The catalogue's stack-config cases run in badConfig.test.ts.
 */
import { settle, useMockRuntime } from "../helpers/pulumi";
import { HybridExposure } from "../../components/hybrid/HybridExposure";
import { HybridExposureArgs } from "../../components/hybrid/args";
import { L4Exposure } from "../../components/l4/L4Exposure";
import { L4ExposureArgs } from "../../components/l4/args";
import { TunnelExposure } from "../../components/tunnel/TunnelExposure";
import { TunnelExposureArgs } from "../../components/tunnel/args";
import { resetTunnelClaims } from "../../components/tunnel/tunnelOwnership";
import { componentCases, configCases, Kind } from "./cases";

const runtime = useMockRuntime();
beforeEach(() => resetTunnelClaims());

function construct(kind: Kind, args: unknown): void {
  if (kind === "tunnel") new TunnelExposure("dev", args as TunnelExposureArgs);
  else if (kind === "l4") new L4Exposure("staging", args as L4ExposureArgs);
  else new HybridExposure("prod", args as HybridExposureArgs);
}

test("the catalogue holds at least 40 cases, each label once", () => {
  const labels = [...componentCases.map((c) => c[0]), ...configCases.map((c) => `config: ${c[0]}`)];
  expect(labels.length).toBeGreaterThanOrEqual(40);
  expect(new Set(labels).size).toBe(labels.length);
});

describe.each([["TunnelExposure"], ["L4Exposure"], ["HybridExposure"]])("%s args", (component) => {
  const kind = { TunnelExposure: "tunnel", L4Exposure: "l4", HybridExposure: "hybrid" }[component] as Kind;
  const cases = componentCases
    .filter((c) => c[2] === kind)
    .map(([label, message, , args]) => ({
      label,
      message,
      args,
    }));
  test.each(cases)("$label", async ({ message, args }) => {
    let thrown: unknown;
    try {
      construct(kind, args);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(Error);
    expect((thrown as Error).message).toBe(message);
    await settle();
    expect(runtime.resources).toEqual([]);
  });
});
