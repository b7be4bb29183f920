/**
 * Where the end-to-end tests find the binaries `e2e/toolchain.sh` builds from the Go module proxy
 * (etcd, kube-apiserver, kube-controller-manager, pulumi, pulumi-language-nodejs, the provider
 * plugins). The one place that knows the cache layout:
 *   1. `WS_EXPOSURE_TOOLCHAIN_BIN`, when set;
 *   2. `bash e2e/toolchain.sh --print-bin-dir`, when the script is there;
 *   3. among `${XDG_CACHE_HOME:-~/.cache}/ws-exposure/toolchain/<hash>/bin`, the one holding the
 *      most of the binaries below (the newest on a tie): a half-built new hash does not win.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const ROOT = path.join(__dirname, "..");

/** Every binary the end-to-end tests can use, by what needs it. */
export const CONTROL_PLANE = ["etcd", "kube-apiserver", "kube-controller-manager"] as const;
export const PULUMI = [
  "pulumi",
  "pulumi-language-nodejs",
  "pulumi-resource-pulumi-nodejs",
  "pulumi-resource-kubernetes",
] as const;
export const CLOUDFLARE = ["pulumi-resource-cloudflare"] as const;
/** Knative's queue-proxy of both releases the toolchain builds (group `knative`). */
export const KNATIVE_QUEUE = ["queue-1.21", "queue-1.22"] as const;

function fromScript(): string | undefined {
  const script = path.join(ROOT, "e2e", "toolchain.sh");
  if (!fs.existsSync(script)) return undefined;
  try {
    const out = execFileSync("bash", [script, "--print-bin-dir"], { encoding: "utf8", stdio: "pipe" });
    return out.trim() || undefined;
  } catch {
    return undefined;
  }
}

function newestCached(): string | undefined {
  const cache = path.join(
    process.env.XDG_CACHE_HOME || path.join(os.homedir(), ".cache"),
    "ws-exposure",
    "toolchain",
  );
  if (!fs.existsSync(cache)) return undefined;
  const wanted = [...CONTROL_PLANE, ...PULUMI, ...CLOUDFLARE];
  const held = (dir: string) => wanted.filter((b) => fs.existsSync(path.join(dir, b))).length;
  const bins = fs
    .readdirSync(cache)
    .map((d) => path.join(cache, d, "bin"))
    .filter((d) => fs.existsSync(d))
    .sort((a, b) => held(b) - held(a) || fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs);
  return bins[0];
}

let cached: string | undefined | null = null;

/** The toolchain's bin directory (it may not exist yet, or hold only some binaries). */
export function toolchainBinDir(): string | undefined {
  if (cached === null) cached = process.env.WS_EXPOSURE_TOOLCHAIN_BIN || fromScript() || newestCached();
  return cached;
}

/** The full path of a toolchain binary, or undefined when it has not been built. */
export function toolchainBinary(name: string): string | undefined {
  const dir = toolchainBinDir();
  if (!dir) return undefined;
  const file = path.join(dir, name);
  return fs.existsSync(file) ? file : undefined;
}

/** Which of these binaries are missing, and one sentence saying so (undefined when none is). */
export function missingBinaries(names: readonly string[]): string | undefined {
  const missing = names.filter((n) => toolchainBinary(n) === undefined);
  if (missing.length === 0) return undefined;
  const where = toolchainBinDir() ?? "the toolchain cache (none found)";
  return `${missing.join(", ")} not built in ${where}: run \`npm run e2e:toolchain\` (bash e2e/toolchain.sh)`;
}
