import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";

/** The pack as Pulumi loads it: its project file, its pinned dependencies, and what its code pulls in. */
const ROOT = path.join(__dirname, "../..");
const PACK = path.join(ROOT, "policy");
const json = (file: string) => JSON.parse(fs.readFileSync(file, "utf8"));

test("PulumiPolicy.yaml: a nodejs pack; package.json has a version (PolicyPack requires one)", () => {
  const project = parse(fs.readFileSync(path.join(PACK, "PulumiPolicy.yaml"), "utf8"));
  expect(project.runtime).toBe("nodejs");
  expect(json(path.join(PACK, "package.json")).version).toMatch(/^\d+\.\d+\.\d+$/);
});

test("its @pulumi/policy and @pulumi/pulumi are exactly the versions the root lockfile holds, and its own lockfile agrees", () => {
  const rootLock = json(path.join(ROOT, "package-lock.json")).packages;
  const packLock = json(path.join(PACK, "package-lock.json")).packages;
  const deps = json(path.join(PACK, "package.json")).dependencies;
  for (const name of ["@pulumi/policy", "@pulumi/pulumi"]) {
    expect(deps[name]).toBe(rootLock[`node_modules/${name}`].version);
    expect(packLock[`node_modules/${name}`].version).toBe(deps[name]);
  }
});

/** Every module index.ts reaches through relative imports, with the packages each one imports. */
function importGraph(
  entry: string,
): Map<string, { relative: string[]; packages: string[]; typeOnly: string[] }> {
  const graph = new Map<string, { relative: string[]; packages: string[]; typeOnly: string[] }>();
  const visit = (file: string) => {
    if (graph.has(file)) return;
    const source = fs.readFileSync(file, "utf8");
    const node = { relative: [] as string[], packages: [] as string[], typeOnly: [] as string[] };
    graph.set(file, node);
    for (const m of source.matchAll(/^(?:import|export)\s+(type\s+)?[^;]*?from\s+"([^"]+)"/gms)) {
      const [, typeOnly, spec] = m;
      if (spec.startsWith(".")) {
        const target = path.resolve(path.dirname(file), spec);
        const resolved = [`${target}.ts`, path.join(target, "index.ts")].find((f) => fs.existsSync(f))!;
        node.relative.push(resolved);
        visit(resolved);
      } else (typeOnly ? node.typeOnly : node.packages).push(spec);
    }
  };
  visit(entry);
  return graph;
}

test("the pack loads no package but @pulumi/policy at runtime: the library modules it reuses are dependency-free", () => {
  const graph = importGraph(path.join(PACK, "index.ts"));
  const runtimePackages = [...graph.entries()].flatMap(([file, n]) =>
    n.packages.map((p) => `${path.relative(ROOT, file)} -> ${p}`),
  );
  expect(runtimePackages).toEqual(["policy/index.ts -> @pulumi/policy"]);
  const reused = [...graph.keys()]
    .map((f) => path.relative(ROOT, f))
    .filter((f) => f.startsWith("components/"));
  expect(reused).toEqual(
    expect.arrayContaining(["components/tunnel/ingressRules.ts", "components/tunnel/connector.ts"]),
  );
});

test("the pack type-checks with its own tsconfig (what Pulumi's ts-node does)", () => {
  const tsc = spawnSync(
    path.join(ROOT, "node_modules/.bin/tsc"),
    ["-p", path.join(PACK, "tsconfig.json"), "--noEmit"],
    {
      encoding: "utf8",
    },
  );
  expect(tsc.stdout + tsc.stderr).toBe("");
  expect(tsc.status).toBe(0);
});
