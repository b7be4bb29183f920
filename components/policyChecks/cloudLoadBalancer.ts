/**
 * The checks the policy pack runs on any LoadBalancer Service carrying a cloud controller's
 * annotations. Each kind's annotations, ranges and checks live in its module under
 * components/l4/loadBalancers/ (with their sources); this module gathers them for the pack, which
 * compiles it on its own (the kinds are dependency-free).
 */
import { LOAD_BALANCER_KINDS, LoadBalancerRegistry } from "../l4/loadBalancers";
import { CloudIdleProblem } from "../l4/loadBalancers/kind";

export type { CloudIdleProblem } from "../l4/loadBalancers/kind";
export { OPEN_SOURCE_RANGES, restrictingRanges } from "../l4/loadBalancers/kind";
export * from "../l4/loadBalancers/awsNlb/annotations";
export {
  isAwsControllerNlb,
  nlbHasManagedSecurityGroup,
  nlbTargetsPods,
  sendsProxyProtocol,
  unenforcedSourceRanges,
} from "../l4/loadBalancers/awsNlb/policy";
export { GKE_L4_RBS, GKE_LB_TYPE } from "../l4/loadBalancers/gcp";
export {
  AZURE_IDLE_TIMEOUT_MINUTES,
  AZURE_INTERNAL,
  AZURE_TCP_IDLE_TIMEOUT,
} from "../l4/loadBalancers/azure";

/** The client heartbeat the pack assumes when its config does not say (the iOS app's). */
export const POLICY_DEFAULT_HEARTBEAT_SECONDS = 5;

/**
 * What a LoadBalancer Service's cloud annotations do to a WebSocket heartbeating every
 * `heartbeatSeconds`: every idle timeout shorter than HEARTBEATS_PER_IDLE_TIMEOUT heartbeats, and
 * every value the controller refuses, from each kind whose controller reads them. `ports` are the
 * Service's ports (AWS sets one listener each).
 */
export function cloudIdleTimeoutProblems(
  annotations: Record<string, unknown>,
  ports: number[],
  heartbeatSeconds: number,
  kinds: LoadBalancerRegistry = LOAD_BALANCER_KINDS,
): CloudIdleProblem[] {
  return kinds.flatMap((k) => k.idleProblems?.(annotations, ports, heartbeatSeconds) ?? []);
}
