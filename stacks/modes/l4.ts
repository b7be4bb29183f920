import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { l4AddressOutputs, L4Exposure } from "../../components/l4/L4Exposure";
import { L4ExposureArgs, L4RouteArgs, L4TlsArgs } from "../../components/l4/args";
import { backendArgs, commonShape, knativeArgs, monitorArgs, websocketArgs } from "./common";
import { shapeOf, TLS_MODES_OF_KEY } from "../settingsSchema";
import { loadBalancerArgs, loadBalancerConfigProblems } from "./l4LoadBalancer";
import { stackArgNames } from "../configArgs";

/** The l4 mode's keys, the load-balancer choice among them (components/settings/l4.ts, loadBalancer.ts). */
export const l4Shape = shapeOf("l4");

export const l4StackSchema = z.object({ ...commonShape, ...l4Shape });
export type L4StackConfig = z.infer<typeof l4StackSchema>;

function tlsArgs(c: L4StackConfig): L4TlsArgs {
  const mode = c.tlsMode ?? "terminate";
  if (mode === "none")
    return { mode, acknowledgeInsecure: c.acknowledgeInsecure ?? false, targetPort: c.tlsTargetPort };
  if (mode === "passthrough") return { mode, targetPort: c.tlsTargetPort as string };
  if (mode === "loadBalancer") return { mode, targetPort: c.tlsTargetPort };
  return {
    mode,
    certificate:
      c.certManagerIssuer !== undefined
        ? {
            certManager: {
              issuerName: c.certManagerIssuer,
              issuerKind: c.certManagerIssuerKind,
              keyAlgorithm: c.certManagerKeyAlgorithm,
            },
          }
        : { secretName: c.tlsSecretName as string },
    haproxy: {
      replicas: c.haproxyReplicas,
      image: c.haproxyImage,
      maxconn: c.haproxyMaxconn,
      timeouts: { tunnelSeconds: c.haproxyTunnelTimeoutSeconds },
      preStopSeconds: c.haproxyPreStopSeconds,
      hardStopAfterSeconds: c.haproxyHardStopAfterSeconds,
      resources: c.haproxyCpuRequest === undefined ? undefined : { requests: { cpu: c.haproxyCpuRequest } },
      drain:
        c.haproxyDrainWindowSeconds === 0
          ? false
          : c.haproxyDrainWindowSeconds === undefined && c.haproxyDrainOrder === undefined
            ? undefined
            : { windowSeconds: c.haproxyDrainWindowSeconds, order: c.haproxyDrainOrder },
      sessionTickets:
        c.haproxySessionTicketsSecret === undefined
          ? undefined
          : { secretName: c.haproxySessionTicketsSecret },
    },
  };
}

/** The L4Exposure args a stack's config describes (the l4 and hybrid modes share them). */
export function l4Args(c: L4StackConfig, hostname: string): L4ExposureArgs {
  const route: L4RouteArgs | undefined =
    c.l4Route === "force-port-8080" ? { forcePort8080: true } : c.l4Route;
  const advertisement =
    c.l4Advertisement === "l2" || c.l4Advertisement === undefined
      ? { type: "l2" as const, interfaces: c.l4Interfaces }
      : { type: c.l4Advertisement };
  const loadBalancer = loadBalancerArgs(c);
  return {
    backend: backendArgs(c),
    websocket: websocketArgs(c),
    knative: c.service === undefined ? knativeArgs(c) : undefined,
    hostname,
    loadBalancer,
    addressPool:
      loadBalancer !== undefined
        ? undefined
        : c.l4PoolName !== undefined
          ? { existing: c.l4PoolName }
          : { create: { addresses: c.l4Addresses ?? [], autoAssign: c.l4AutoAssign } },
    metallbNamespace: c.metallbNamespace,
    legacyMetallbAnnotations: c.legacyMetallbAnnotations,
    advertisement: loadBalancer !== undefined ? undefined : advertisement,
    loadBalancerIP: c.loadBalancerIP,
    port: c.l4Port,
    externalTrafficPolicy: c.externalTrafficPolicy,
    loadBalancerSourceRanges: c.loadBalancerSourceRanges,
    sessionAffinity:
      c.sessionAffinityTimeoutSeconds === undefined
        ? undefined
        : { timeoutSeconds: c.sessionAffinityTimeoutSeconds },
    tls: tlsArgs(c),
    monitor: monitorArgs(c),
    route: c.service === undefined ? route : undefined,
    revision:
      c.knativePortName === undefined && c.knativeContainerConcurrency === undefined
        ? undefined
        : { portName: c.knativePortName, containerConcurrency: c.knativeContainerConcurrency },
    dns:
      c.l4DnsTarget === undefined || c.zoneId === undefined
        ? undefined
        : {
            zoneId: c.zoneId,
            target: c.l4DnsTarget === "loadBalancerIP" ? "loadBalancerIP" : { address: c.l4DnsTarget },
          },
  };
}

/** Cross-key rules of the l4 keys; returns problems in config vocabulary. */
export function l4ConfigProblems(c: L4StackConfig): string[] {
  const problems: string[] = loadBalancerConfigProblems(c);
  const metallb = (c.l4LoadBalancer ?? "metallb") === "metallb";
  if (metallb && (c.l4Addresses === undefined) === (c.l4PoolName === undefined)) {
    problems.push(
      "ws-exposure:l4Addresses (create a dedicated MetalLB pool) or ws-exposure:l4PoolName (use an existing one) must be set, exactly one of them",
    );
  }
  const mode = c.tlsMode ?? "terminate";
  if (mode === "terminate" && (c.tlsSecretName === undefined) === (c.certManagerIssuer === undefined)) {
    problems.push(
      'ws-exposure:tlsSecretName (an existing kubernetes.io/tls Secret) or ws-exposure:certManagerIssuer must be set with tlsMode "terminate", exactly one of them',
    );
  }
  for (const [key, modes] of TLS_MODES_OF_KEY) {
    if ((c as Record<string, unknown>)[key] !== undefined && !modes.includes(mode)) {
      problems.push(
        `ws-exposure:${key} is only for tlsMode ${modes.map((m) => `"${m}"`).join(" or ")} (tlsMode is "${mode}"); remove it or change ws-exposure:tlsMode`,
      );
    }
  }
  if (c.certManagerIssuerKind !== undefined && c.certManagerIssuer === undefined && mode === "terminate") {
    problems.push(
      "ws-exposure:certManagerIssuerKind needs ws-exposure:certManagerIssuer (the issuer of that kind); set it or remove certManagerIssuerKind",
    );
  }
  if (mode === "passthrough" && c.tlsTargetPort === undefined) {
    problems.push(
      'ws-exposure:tlsTargetPort is required with tlsMode "passthrough" (the named port serving TLS)',
    );
  }
  if (c.l4DnsTarget !== undefined && c.zoneId === undefined) {
    problems.push(
      "ws-exposure:zoneId is required with ws-exposure:l4DnsTarget (the DNS-only record is created in that zone)",
    );
  }
  return problems;
}

export function buildL4(name: string, c: L4StackConfig, opts?: pulumi.ComponentResourceOptions) {
  const exposure = new L4Exposure(name, l4Args(c, c.hostname), { ...opts, argNames: stackArgNames("l4") });
  return { url: exposure.url, ...l4AddressOutputs(exposure), budgets: [exposure.budgetValue] };
}
