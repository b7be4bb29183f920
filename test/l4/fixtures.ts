import { L4ExposureArgs } from "../../components/l4/args";

/** The staging-like L4 exposure of messaging-service that the tests vary. */
export function baseArgs(overrides: Partial<L4ExposureArgs> = {}): L4ExposureArgs {
  return {
    backend: { knativeService: "messaging-service", namespace: "agents-whatsapp-rust" },
    websocket: { heartbeatSeconds: 5, minLifetimeSeconds: 3600 },
    knative: { minScale: 2, cluster: { maxRevisionTimeoutSeconds: 3600 } },
    hostname: "ws.example.com",
    addressPool: { create: { addresses: ["192.168.1.240/29"] } },
    loadBalancerIP: "192.168.1.241",
    tls: { mode: "terminate", certificate: { secretName: "ws-example-com-tls" } },
    ...overrides,
  };
}
