import { revealValue } from "../../render/mockRuntime";
import { HybridExposure } from "../../components/hybrid/HybridExposure";
import { HybridExposure as PackageHybridExposure, HybridExposurePackageArgs } from "../../components/package";
import { hybridArgs } from "../helpers/fixtures";
import { settle, unwrap, useMockRuntime } from "../helpers/pulumi";

/**
 * At run time a package component IS the TypeScript component: same type token, children, names and
 * inputs, from the package form of the same args.
 */
const runtime = useMockRuntime();

/** What the engine saw: type, name, parent and inputs (secrets revealed) of every registration. */
async function registered(build: () => { urn: unknown; wsUrl: unknown }): Promise<unknown[]> {
  runtime.reset();
  const component = build();
  await unwrap(component.wsUrl as never);
  await settle();
  return runtime.resources.map((r) => [r.type, r.name, r.parent, revealValue(r.inputs)]);
}

test("the package HybridExposure registers exactly what the TypeScript HybridExposure does", async () => {
  const ts = hybridArgs();
  const pkg = {
    ...ts,
    l4: { ...ts.l4, dns: { zoneId: "zone", target: "203.0.113.7" } },
  } as HybridExposurePackageArgs;
  const fromTypeScript = await registered(() => new HybridExposure("prod", ts));
  const fromPackage = await registered(() => new PackageHybridExposure("prod", pkg));
  expect(fromTypeScript.length).toBeGreaterThan(10);
  expect(fromPackage).toEqual(fromTypeScript);
});
