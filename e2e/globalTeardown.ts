/**
 * Jest's globalTeardown for the e2e run: a real node (`node.ts`) whose test process died before its
 * afterAll and exit handlers ran is torn down here (its pods, mounts, network namespace, cgroups).
 */
import { cleanupStaleNodes } from "./node";

export default function globalTeardown(): void {
  const cleaned = cleanupStaleNodes();
  if (cleaned.length > 0) console.warn(`e2e: tore down node run(s) left behind: ${cleaned.join(", ")}`);
}
