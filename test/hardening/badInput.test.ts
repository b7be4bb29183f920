/**
 * The bad-input catalogue (issue 7): malformed args of the three components and malformed stack
 * config. Each case asserts the exact message (it names the field and the fix) and that nothing was
 * created: no resource registered under the mock engine; for the config, `npm run render` exits 1
 * with that message on stderr and writes nothing.
 */
import { rendersTimeoutMs, runBounded, runRender } from "../helpers/render";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
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

interface RenderOutcome {
  status: number | null;
  stdout: string;
  stderr: string;
  /** The --out folder exists after the run. */
  wrote: boolean;
}

async function renderAsync(stack: string, flags: string[], out: string): Promise<RenderOutcome> {
  const run = await runRender(stack, flags, out);
  return { ...run, wrote: fs.existsSync(out) };
}

describe("stack config: npm run render exits 1, prints the message, writes nothing", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ws-exposure-badinput-"));
  const outcomes = new Map<string, RenderOutcome>();

  beforeAll(async () => {
    const results = await runBounded(
      configCases.map(
        ([label, , stack, flags], i) =>
          () =>
            renderAsync(stack, flags, path.join(dir, `out-${i}`)).then((r) => [label, r] as const),
      ),
    );
    for (const [label, r] of results) outcomes.set(label, r);
  }, rendersTimeoutMs(configCases.length));

  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test.each(configCases.map(([label, message, stack, flags]) => ({ label, message, stack, flags })))(
    "$label ($stack)",
    ({ label, message }) => {
      const r = outcomes.get(label) as RenderOutcome;
      expect(r.stderr).toBe(`${message}\n`);
      expect(r.status).toBe(1);
      expect(r.stdout).toBe("");
      expect(r.wrote).toBe(false);
    },
  );

  test("every message names the key or argument it is about", () => {
    for (const [, message] of configCases) {
      expect(message).toMatch(/ws-exposure:[a-zA-Z]+|(Tunnel|L4|Hybrid)Exposure "[^"]+": [a-zA-Z.[\]0-9]+ /);
    }
  });
});
