import * as pulumi from "@pulumi/pulumi";
import { PathBudget } from "../components/budget/model";
import { StackConfig } from "./config";
import { buildTunnel } from "./modes/tunnel";

/** What every stack exports, whatever its mode (absent values are undefined). */
export interface StackOutputs {
  /** The WebSocket URL clients use. */
  url: pulumi.Output<string | undefined>;
  httpUrl?: pulumi.Output<string | undefined>;
  fallbackWsUrl?: pulumi.Output<string | undefined>;
  tunnelId?: pulumi.Output<string | undefined>;
  loadBalancerIP?: pulumi.Output<string | undefined>;
  /** One connection budget per path. */
  budgets: PathBudget[];
}

/** Builds the exposure the config's mode names; `name` prefixes every resource. */
export function buildExposure(
  name: string,
  config: StackConfig,
  opts?: pulumi.ComponentResourceOptions,
): StackOutputs {
  switch (config.mode) {
    case "tunnel":
      return buildTunnel(name, config, opts);
    default:
      throw new Error(`stack config: ws-exposure:mode "${config.mode}" is not built yet`);
  }
}
