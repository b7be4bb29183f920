/**
 * Each path's budget is logged once, as an info diagnostic of the component that owns the path:
 * what `pulumi preview`/`up` list under "Diagnostics:" (e2e/preview.e2e.test.ts shows it on the real
 * CLI). Under Pulumi's mocks there is no engine, so these tests stand one in for `getEngine`.
 */
import * as pulumi from "@pulumi/pulumi";
import { unwrap, settle, useMockRuntime } from "../helpers/pulumi";
import { HybridExposure } from "../../components/hybrid/HybridExposure";
import { HybridExposureArgs } from "../../components/hybrid/args";
import { hybridArgs } from "../helpers/fixtures";
import { resetTunnelClaims } from "../../components/tunnel/tunnelOwnership";
import { budgetMessage } from "../../components/core/announceBudget";

useMockRuntime();
let logged: { message: string; owner: string }[];
beforeEach(() => {
  resetTunnelClaims();
  logged = [];
  jest.spyOn(pulumi.runtime, "getEngine").mockReturnValue({} as ReturnType<typeof pulumi.runtime.getEngine>);
  jest.spyOn(pulumi.log, "info").mockImplementation(async (message, resource) => {
    logged.push({ message, owner: await unwrap(resource!.urn) });
  });
});
afterEach(() => jest.restoreAllMocks());

async function build(a: HybridExposureArgs): Promise<HybridExposure> {
  const h = new HybridExposure("prod", a);
  await unwrap(h.urn);
  await settle();
  return h;
}

const owner = (urn: string) => urn.slice(urn.lastIndexOf("::") + 2);

test("a HybridExposure with the tunnel fallback: one table per path, under the child that owns it", async () => {
  const h = await build(hybridArgs({ fallback: true }));
  expect(logged.map((l) => [owner(l.owner), l.message])).toEqual([
    ["prod-tunnel", budgetMessage(h.budgetValues[0])],
    ["prod-l4", budgetMessage(h.budgetValues[1])],
  ]);
  expect(h.budgetValues.map((b) => b.name)).toEqual(["tunnel", "l4"]);
});

test("without the fallback the tunnel carries no WebSocket: only the L4 path's table", async () => {
  const h = await build(hybridArgs({ fallback: false }));
  expect(logged.map((l) => [owner(l.owner), l.message])).toEqual([
    ["prod-l4", budgetMessage(h.budgetValues[0])],
  ]);
});

test("nothing is logged without an engine (mocks, the offline render, which prints the table itself)", async () => {
  jest.restoreAllMocks();
  jest.spyOn(pulumi.log, "info").mockImplementation(async (message) => {
    logged.push({ message, owner: "" });
  });
  await build(hybridArgs({ fallback: true }));
  expect(logged).toEqual([]);
});
