/**
 * The settings table (components/settings) against the components' TypeScript args: every argument
 * path the table names exists in the args type it names it in. Checked by the compiler when
 * `npm run typecheck` (tsc over test/, as .ci/run runs it) compiles this file; jest's swc transform
 * does not type-check. A path that is not an argument makes `Missing...` a non-never type and the
 * assignment below fails to compile.
 */
import * as pulumi from "@pulumi/pulumi";
import { ArgPart, Setting, Settings, SETTINGS } from "../../components/settings";
import { L4ExposureArgs } from "../../components/l4/args";
import { TunnelExposureArgs } from "../../components/tunnel/args";
import { HybridExposureArgs } from "../../components/hybrid/args";
import { WsMonitorArgs } from "../../components/monitor/args";

/** Every dotted argument path of T (`[]` for an array's items), to a depth of six. */
type ArgPaths<T, Depth extends unknown[] = []> = Depth["length"] extends 6
  ? never
  : T extends object
    ? { [K in keyof T & string]-?: K | `${K}${Below<NonNullable<T[K]>, [...Depth, unknown]>}` }[keyof T &
        string]
    : never;

type Below<V, Depth extends unknown[]> = V extends
  pulumi.OutputInstance<unknown> | Promise<unknown> | ((...args: never[]) => unknown)
  ? never
  : V extends readonly (infer Item)[]
    ? "[]" | `[]${Below<Item, Depth>}`
    : V extends object
      ? `.${ArgPaths<V, Depth>}`
      : never;

/** The paths the table gives for one part. */
type TablePaths<Part extends ArgPart> = {
  [K in keyof Settings]: Settings[K] extends { args: { [P in Part]: readonly (infer Path)[] } }
    ? Path
    : never;
}[keyof Settings];

type MissingCommon = Exclude<TablePaths<"common">, ArgPaths<TunnelExposureArgs> & ArgPaths<L4ExposureArgs>>;
type MissingTunnel = Exclude<
  TablePaths<"tunnel"> | TablePaths<"tunnelInHybrid">,
  ArgPaths<TunnelExposureArgs>
>;
type MissingL4 = Exclude<TablePaths<"l4">, ArgPaths<L4ExposureArgs>>;
type MissingHybrid = Exclude<TablePaths<"hybrid">, ArgPaths<HybridExposureArgs>>;
type MissingMonitor = Exclude<TablePaths<"monitor">, ArgPaths<WsMonitorArgs>>;

/** `true` only when nothing is missing; otherwise the missing paths, which `true` does not fit. */
type NoneMissing<M> = [M] extends [never] ? true : { missing: M };

const checks: [
  NoneMissing<MissingCommon>,
  NoneMissing<MissingTunnel>,
  NoneMissing<MissingL4>,
  NoneMissing<MissingHybrid>,
  NoneMissing<MissingMonitor>,
] = [true, true, true, true, true];

test("every argument path of the settings table is an argument of its component (checked at compile time)", () => {
  expect(checks).toEqual([true, true, true, true, true]);
  // The table is not empty for any part the compile-time check covers.
  for (const part of ["common", "tunnel", "l4", "hybrid", "monitor"] as const)
    expect((Object.values(SETTINGS) as Setting[]).some((s) => s.args?.[part] !== undefined)).toBe(true);
});
