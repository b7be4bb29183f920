/**
 * The stack copies the end-to-end suites run: the project's own Pulumi.<stack>.yaml pointed at the
 * test cluster and at the local Cloudflare API stand-in (`cloudflare:baseUrl`), with every
 * Cloudflare resource of the stack in place.
 */
import { CONTEXT } from "./cluster";
import { Homelab } from "./fixture";
import { Workspace, WorkspaceOptions } from "./pulumi";

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
    set: { "cloudflare:baseUrl": lab.cloudflare.baseUrl, ...extra.set },
    secrets: { "cloudflare:apiToken": FAKE_CLOUDFLARE_TOKEN, ...extra.secrets },
  });
}
