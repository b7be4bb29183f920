import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { fail } from "../core/validation";

/** ConfigMaps hold at most 1 MiB. */
export const CONFIGMAP_LIMIT_BYTES = 1024 * 1024;

/**
 * Where `npm run build` puts the bundle, seen from this module: from source
 * (`components/monitor/` -> `dist/bundle/`) and from the build (`dist/components/monitor/` -> `dist/bundle/`).
 */
export function bundleCandidates(moduleDir: string): string[] {
  return [
    path.resolve(moduleDir, "../../dist/bundle/wsprobe.js"),
    path.resolve(moduleDir, "../../bundle/wsprobe.js"),
  ];
}

export interface Bundle {
  path: string;
  script: string;
  sha256: string;
}

/** Reads the bundled probe at construction time; a clear error when it has not been built. */
export function readBundle(
  owner: string,
  explicitPath: string | undefined,
  moduleDir: string = __dirname,
): Bundle {
  const candidates = explicitPath ? [path.resolve(explicitPath)] : bundleCandidates(moduleDir);
  const found = candidates.find((p) => fs.existsSync(p));
  if (!found)
    fail(
      owner,
      "bundlePath",
      `${JSON.stringify(candidates[0])} does not exist; run \`npm run build\` to bundle wsprobe into one file (the monitor ships it in a ConfigMap)`,
    );
  const script = fs.readFileSync(found, "utf8");
  const size = Buffer.byteLength(script);
  if (size >= CONFIGMAP_LIMIT_BYTES)
    fail(owner, "bundlePath", `${JSON.stringify(found)} is ${size} bytes; a ConfigMap holds less than 1 MiB`);
  return { path: found, script, sha256: createHash("sha256").update(script).digest("hex") };
}
