/** What an L4 path's monitor can dial instead of the public name (see ExposureMonitorArgs.dial). */
import type { MonitorDialTargets } from "../monitor/forExposure";
import type { L4Plan } from "./planTypes";

export function l4MonitorTargets(plan: L4Plan): MonitorDialTargets {
  return {
    // loadBalancerServiceSpec names the Service `<name>-lb`; its ClusterIP reaches the same pods.
    service: `${plan.name}-lb.${plan.backend.namespace}.svc.${plan.backend.clusterDomain}`,
    loadBalancer: plan.loadBalancerIP,
  };
}
