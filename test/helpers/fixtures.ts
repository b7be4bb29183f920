/** Valid args for each component (the dev, staging and prod stacks' shapes); tests change one thing. */
import { HybridExposureArgs } from "../../components/hybrid/args";
import { L4ExposureArgs } from "../../components/l4/args";
import { TunnelExposureArgs } from "../../components/tunnel/args";

const backend = { knativeService: "messaging-service", namespace: "agents-whatsapp-rust" };
const websocket = { heartbeatSeconds: 5, minLifetimeSeconds: 3600 };

export function tunnelArgs(
  over: Partial<Record<keyof TunnelExposureArgs, unknown>> = {},
): TunnelExposureArgs {
  return {
    backend,
    knative: { cluster: { maxRevisionTimeoutSeconds: 3600, manageMaxRevisionTimeout: true } },
    accountId: "acc123",
    zoneId: "zone123",
    hostname: "messaging.example.com",
    tunnel: { create: { name: "messaging" } },
    ...over,
  } as TunnelExposureArgs;
}

export function l4Args(over: Partial<Record<keyof L4ExposureArgs, unknown>> = {}): L4ExposureArgs {
  return {
    backend,
    websocket,
    knative: { minScale: 2, cluster: { maxRevisionTimeoutSeconds: 3600 } },
    hostname: "ws.example.com",
    addressPool: { create: { addresses: ["192.168.1.240/29"] } },
    loadBalancerIP: "192.168.1.241",
    tls: { mode: "terminate", certificate: { secretName: "ws-example-com-tls" } },
    ...over,
  } as L4ExposureArgs;
}

export function hybridArgs(
  over: Partial<Record<keyof HybridExposureArgs, unknown>> = {},
): HybridExposureArgs {
  return {
    backend,
    websocket,
    knative: { cluster: { maxRevisionTimeoutSeconds: 3600, manageMaxRevisionTimeout: true } },
    httpHostname: "messaging.example.com",
    wsHostname: "ws.messaging.example.com",
    fallback: true,
    tunnel: { accountId: "acc", zoneId: "zone", tunnel: { create: { name: "messaging" } } },
    l4: {
      addressPool: { create: { addresses: ["192.168.1.240/29"] } },
      loadBalancerIP: "192.168.1.241",
      tls: { mode: "terminate", certificate: { secretName: "ws-tls" } },
      dns: { zoneId: "zone", target: { address: "203.0.113.7" } },
    },
    ...over,
  } as HybridExposureArgs;
}
