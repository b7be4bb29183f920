/**
 * Which Cloudflare provider plugin the end-to-end stacks run with: the real one when the toolchain
 * could build it, else the stand-in in e2e/cloudflareProvider (the Go module proxy serves no
 * version of github.com/pulumi/pulumi-cloudflare/provider/v6; e2e/versions.env says what was tried).
 */
import * as path from "node:path";
import { toolchainBinary } from "./toolchain";

export interface CloudflarePlugin {
  kind: "real" | "stand-in";
  /** The folder to put on PATH after the toolchain's (the stand-in's launcher), if any. */
  pathDir?: string;
}

export function cloudflarePlugin(): CloudflarePlugin {
  return toolchainBinary("pulumi-resource-cloudflare") !== undefined
    ? { kind: "real" }
    : { kind: "stand-in", pathDir: path.join(__dirname, "cloudflareProvider", "bin") };
}
