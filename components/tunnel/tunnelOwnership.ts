import * as pulumi from "@pulumi/pulumi";
import { fail } from "../core/validation";

/**
 * A tunnel's configuration resource holds ALL its ingress rules: two exposures writing one tunnel
 * overwrite each other on every `pulumi up`. Within one program, refuse the second writer.
 * (Across stacks no program can see the other; the README says so.)
 */
const owners = new Map<string, string>();

export function claimTunnel(owner: string, tunnelId: pulumi.Input<string>): void {
  if (typeof tunnelId !== "string") {
    // An id known only at deploy time: checked then, when it resolves.
    pulumi.output(tunnelId).apply((id) => {
      if (id) claimTunnel(owner, id);
    });
    return;
  }
  const previous = owners.get(tunnelId);
  if (previous !== undefined && previous !== owner) {
    fail(
      owner,
      "tunnel.existingId",
      `${tunnelId} is already configured by ${previous} in this program; a tunnel's ingress configuration has one owner, so route this hostname through ${previous}'s httpRoutes instead`,
    );
  }
  owners.set(tunnelId, owner);
}

/** For tests: forget every claim. */
export function resetTunnelClaims(): void {
  owners.clear();
}
