import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";

/**
 * An outside consumer of the package, laid out the way npm would: the package as `npm pack` ships
 * it, unpacked into `node_modules/ws-exposure` of a fresh project, and every other dependency
 * symlinked to this checkout's node_modules, so exactly one copy of @pulumi/pulumi is loaded.
 */
export const ROOT = path.join(__dirname, "../..");

/** Entries `npm pack` needs to build the package (`prepare` runs the build). */
const PACKAGE_SOURCES = [
  "package.json",
  "tsconfig.json",
  "tsconfig.build.json",
  "README.md",
  "LICENSE",
  "components",
  "probe",
  "scripts",
];

/**
 * Packs a copy of the sources into `work` (so `prepare` builds there and never rewrites this
 * checkout's dist/ under other tests). Returns the tarball's path and the list of files it ships.
 */
export function packPackage(work: string): { tarball: string; files: string[] } {
  const source = path.join(work, "source");
  fs.mkdirSync(source, { recursive: true });
  for (const entry of PACKAGE_SOURCES) {
    if (fs.existsSync(path.join(ROOT, entry)))
      fs.cpSync(path.join(ROOT, entry), path.join(source, entry), { recursive: true });
  }
  fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(source, "node_modules"));
  const name = execFileSync("npm", ["pack", "--silent", "--pack-destination", work], {
    cwd: source,
    encoding: "utf8",
  })
    .trim()
    .split("\n")
    .pop()!;
  const tarball = path.join(work, name);
  const files = execFileSync("tar", ["-tzf", tarball], { encoding: "utf8" }).trim().split("\n");
  return { tarball, files };
}

/** Unpacks the tarball as `node_modules/ws-exposure` of `project`; symlinks every other root dependency. */
export function installPackage(project: string, tarball: string): void {
  const modules = path.join(project, "node_modules");
  fs.mkdirSync(path.join(modules, "ws-exposure"), { recursive: true });
  execFileSync("tar", ["-xzf", tarball, "-C", path.join(modules, "ws-exposure"), "--strip-components=1"]);
  for (const entry of fs.readdirSync(path.join(ROOT, "node_modules"))) {
    if (entry === ".bin" || entry === "ws-exposure" || entry.startsWith(".")) continue;
    fs.symlinkSync(path.join(ROOT, "node_modules", entry), path.join(modules, entry));
  }
}

/** Runs this checkout's tsc on the project's tsconfig; returns its combined output and status. */
export function compile(
  project: string,
  extraArgs: string[] = [],
): { output: string; status: number | null } {
  const tsc = spawnSync(path.join(ROOT, "node_modules/.bin/tsc"), ["-p", ".", ...extraArgs], {
    cwd: project,
    encoding: "utf8",
  });
  return { output: tsc.stdout + tsc.stderr, status: tsc.status };
}

/** One resource as the mock engine saw it. */
export interface MockedResource {
  type: string;
  name: string;
  /** Name of the provider resource it was registered with, if any. */
  provider?: string;
  inputs: Record<string, unknown>;
}

/**
 * Writes a runner that installs Pulumi mocks (recording every resource and the provider each came
 * with), requires the compiled program, waits for the named outputs and prints one JSON line.
 */
export function runUnderMocks(
  project: string,
  main: string,
  outputs: string[],
  options: { project?: string; stack?: string; timeoutMs?: number } = {},
): {
  stdout: string;
  stderr: string;
  status: number | null;
  result?: { outputs: Record<string, unknown>; resources: MockedResource[] };
} {
  const runner = `
const pulumi = require("@pulumi/pulumi");
const resources = [];
pulumi.runtime.setMocks({
  newResource: (a) => {
    resources.push({ type: a.type, name: a.name, provider: a.provider ? a.provider.split("::")[3] : undefined, inputs: a.inputs });
    return { id: a.name + "-id", state: a.inputs };
  },
  call: (a) => {
    if (a.token.endsWith("getZeroTrustTunnelCloudflaredToken")) return { token: "fake-tunnel-token" };
    throw new Error("unexpected invoke " + a.token);
  },
}, ${JSON.stringify(options.project ?? "consumer")}, ${JSON.stringify(options.stack ?? "test")}, false);
const program = require(${JSON.stringify(main)});
const names = ${JSON.stringify(outputs)};
pulumi.all(names.map((n) => program[n])).apply((values) => {
  // Every registration reached the mocks (Pulumi's queue of RPCs in flight, not a sleep).
  pulumi.runtime.waitForRPCs().then(() => {
    const outputs = {};
    names.forEach((n, i) => (outputs[n] = values[i]));
    console.log(JSON.stringify({ outputs, resources }));
  });
});
`;
  const file = path.join(project, "run-under-mocks.js");
  fs.writeFileSync(file, runner);
  const run = spawnSync(process.execPath, [file], {
    cwd: project,
    encoding: "utf8",
    // Only stops a hang: the run loads the Pulumi SDK and providers, seconds of CPU, many more
    // seconds of wall time on a loaded machine.
    timeout: options.timeoutMs ?? 180_000,
  });
  const last = run.stdout.trim().split("\n").pop();
  let result;
  try {
    result = last ? JSON.parse(last) : undefined;
  } catch {
    result = undefined;
  }
  return { stdout: run.stdout, stderr: run.stderr, status: run.status, result };
}
