/**
 * The stack copies the end-to-end suites run: the project's own Pulumi.<stack>.yaml pointed at the
 * test cluster, and, while the Cloudflare provider plugin is not built (it is the toolchain's last
 * and longest build), without its Cloudflare resources where the stack can do without them.
 */
import { CONTEXT } from "./cluster";
import { Homelab } from "./fixture";
import { Workspace, WorkspaceOptions } from "./pulumi";
import { UNDER_CI } from "./requirements";
import { toolchainBinary } from "./toolchain";

/** The L4 stack's DNS-only record is its one Cloudflare resource; these keys create it. */
export const L4_DNS_KEYS = ["zoneId", "l4DnsTarget"];

/** True when the Cloudflare provider plugin can run (always required under CI=true). */
export function cloudflareAvailable(): boolean {
  return UNDER_CI || toolchainBinary("pulumi-resource-cloudflare") !== undefined;
}

/** A token shaped like a Cloudflare API token (40 of [A-Za-z0-9_-]); the provider checks the shape only. */
export const FAKE_CLOUDFLARE_TOKEN = "e2eTestToken0000000000000000000000000000";

export async function stackWorkspace(
  lab: Homelab,
  stack: string,
  extra: Omit<WorkspaceOptions, "stack" | "kubernetes"> = {},
): Promise<Workspace> {
  return Workspace.create({
    ...extra,
    stack,
    kubernetes: { kubeconfigPath: lab.cluster.kubeconfigPath, context: CONTEXT },
    secrets: { "cloudflare:apiToken": FAKE_CLOUDFLARE_TOKEN, ...extra.secrets },
  });
}
