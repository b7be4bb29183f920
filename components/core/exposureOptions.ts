import * as pulumi from "@pulumi/pulumi";
import type { ArgNamer } from "./message";

/** The resource options of L4Exposure and HybridExposure, and how their warnings name arguments. */
export interface ExposureResourceOptions extends pulumi.ComponentResourceOptions {
  /**
   * How the preview's warnings name the arguments they reference; default their paths
   * (`tls.haproxy.drain.windowSeconds`). The stack program passes the config keys the user wrote, as
   * its refusals name them.
   */
  argNames?: ArgNamer;
}

/** The options without `argNames`, for the engine, and the naming function. */
export function splitExposureOptions(opts: ExposureResourceOptions | undefined): {
  resourceOpts: pulumi.ComponentResourceOptions | undefined;
  argNames: ArgNamer | undefined;
} {
  if (opts === undefined) return { resourceOpts: undefined, argNames: undefined };
  const { argNames, ...resourceOpts } = opts;
  return { resourceOpts, argNames };
}
