import * as pulumi from "@pulumi/pulumi";
import { PathBudget } from "../components/budget/model";
import type { L4AddressOutputs } from "../components/l4/L4Exposure";
import { loadStackConfig, StackConfig } from "./config";
import { buildTunnel } from "./modes/tunnel";
import { buildL4 } from "./modes/l4";
import { buildHybrid } from "./modes/hybrid";
import { inStackTerms } from "./configArgs";

/** What every stack exports, whatever its mode (absent values are undefined); the L4 path's address outputs under their component names. */
export interface StackOutputs extends Partial<L4AddressOutputs> {
  /** The WebSocket URL clients use. */
  url: pulumi.Output<string | undefined>;
  httpUrl?: pulumi.Output<string | undefined>;
  fallbackWsUrl?: pulumi.Output<string | undefined>;
  tunnelId?: pulumi.Output<string | undefined>;
  /** One connection budget per path. */
  budgets: PathBudget[];
}

/**
 * Builds the exposure the config's mode names; `name` prefixes every resource. A component's
 * refusal is rethrown naming the config key the user wrote (`ws-exposure:l4Port`), the component
 * argument in brackets.
 */
export function buildExposure(
  name: string,
  config: StackConfig,
  opts?: pulumi.ComponentResourceOptions,
): StackOutputs {
  try {
    switch (config.mode) {
      case "tunnel":
        return buildTunnel(name, config, opts);
      case "l4":
        return buildL4(name, config, opts);
      case "hybrid":
        return buildHybrid(name, config, opts);
    }
  } catch (err) {
    throw inStackTerms(err, config.mode);
  }
}

/** The whole program (index.ts runs it): this stack's config, read and validated once, names the exposure to build. */
export function stackProgram(): StackOutputs {
  return buildExposure(pulumi.getStack(), loadStackConfig());
}
