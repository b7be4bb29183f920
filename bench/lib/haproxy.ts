/**
 * The HAProxy that P1 runs: the exact text `renderHaproxyConfig` produces for a staging-like
 * L4Exposure (through `planL4` and `haproxyParamsFor`, as the component does), with only the
 * pod-specific values replaced for loopback: addresses and ports, the certificate and runtime
 * paths, and `maxconn` when the open-files limit is below what the pod's maxconn needs.
 */
import { L4ExposureArgs } from "../../components/l4/args";
import { HaproxyConfigParams, renderHaproxyConfig } from "../../components/l4/haproxy";
import { DEFAULT_HAPROXY_MAXCONN } from "../../components/l4/haproxy";
import { haproxyParamsFor } from "../../components/l4/haproxy";
import { planL4 } from "../../components/l4/plan";

/** The exposure the bench renders (the staging stack's shape: queue-proxy route, 5 s heartbeat). */
export const BENCH_L4_ARGS: L4ExposureArgs = {
  backend: { knativeService: "messaging-service", namespace: "bench" },
  websocket: { heartbeatSeconds: 5, minLifetimeSeconds: 3600 },
  knative: { minScale: 2, cluster: { maxRevisionTimeoutSeconds: 3600 } },
  hostname: "ws.example.com",
  addressPool: { create: { addresses: ["192.168.1.240/29"] } },
  loadBalancerIP: "192.168.1.241",
  tls: { mode: "terminate", certificate: { secretName: "ws-example-com-tls" } },
};

export interface LoopbackHaproxy {
  port: number;
  healthPort: number;
  certPath: string;
  runtimeDir: string;
  upstreamPort: number;
  /** Open-files limit HAProxy will get: maxconn is lowered to fit (two fds per proxied connection). */
  fdLimit: number;
  /** Tuning experiments only: lines appended to the `global` section. */
  extraGlobal?: string[];
}

export function benchHaproxyParams(l: LoopbackHaproxy): HaproxyConfigParams {
  const params = haproxyParamsFor(planL4("bench", BENCH_L4_ARGS));
  const podMaxconn = params.maxconn ?? DEFAULT_HAPROXY_MAXCONN;
  return {
    ...params,
    bindAddress: "127.0.0.1",
    bindPort: l.port,
    certPath: l.certPath,
    servers: params.servers.map((s) => ({ ...s, address: "127.0.0.1", port: l.upstreamPort })),
    health: { bindAddress: "127.0.0.1", port: l.healthPort },
    runtimeDir: l.runtimeDir,
    maxconn: Math.min(podMaxconn, Math.floor((l.fdLimit - 200) / 2)),
  };
}

export function benchHaproxyConfig(l: LoopbackHaproxy): string {
  const cfg = renderHaproxyConfig(benchHaproxyParams(l));
  const extra = l.extraGlobal ?? [];
  if (extra.length === 0) return cfg;
  return cfg.replace("\nglobal\n", `\nglobal\n${extra.map((line) => `    ${line}\n`).join("")}`);
}
