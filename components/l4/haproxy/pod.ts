/**
 * The HAProxy tier's pod, as plain data (no Pulumi): the paths it mounts, the renderer's parameters
 * exactly as the pod uses them, the ConfigMap, the PodDisruptionBudget and the session-ticket Secret.
 */
import { createHash } from "crypto";
import { HaproxyConfigParams, renderHaproxyConfig } from "./config";
import { HAPROXY_HEALTH_PORT, HAPROXY_TLS_PORT, haproxyLabels, L4Plan, ResolvedTls } from "../planTypes";
import { keepsClientAddress, sendsProxyHeader } from "../planLoadBalancer";
import { DRAIN_SCRIPT_KEY, MASTER_SOCKET_NAME } from "./drain";

type Terminate = Extract<ResolvedTls, { mode: "terminate" }>;

/** Where the pod mounts things (the tests render the same config with their own paths). */
export const HAPROXY_CONFIG_DIR = "/usr/local/etc/haproxy";
export const HAPROXY_CERT_DIR = "/etc/ws-exposure/tls";
/** The Secret's tls.crt is projected here, its tls.key beside it as `<crt>.key`, which HAProxy loads by itself. */
export const HAPROXY_CERT_PATH = `${HAPROXY_CERT_DIR}/tls.crt`;
export const HAPROXY_RUNTIME_DIR = "/var/run/haproxy";
/** The session-ticket Secret's `tls-ticket-keys` is projected here. */
export const HAPROXY_TICKETS_DIR = "/etc/ws-exposure/tickets";
export const TICKET_KEYS_KEY = "tls-ticket-keys";
export const HAPROXY_TICKET_KEYS_PATH = `${HAPROXY_TICKETS_DIR}/${TICKET_KEYS_KEY}`;
/**
 * The container's command: haproxy itself is pid 1 (the master; the kubelet's stop signal, or
 * the preStop for an image not known to stop with SIGUSR1, reaches it), with the
 * master CLI on a socket in the runtime directory (the drain sidecar reaches every worker through it).
 */
export const HAPROXY_COMMAND = [
  "haproxy",
  "-W",
  "-db",
  "-S",
  `${HAPROXY_RUNTIME_DIR}/${MASTER_SOCKET_NAME},mode,600`,
  "-f",
  `${HAPROXY_CONFIG_DIR}/haproxy.cfg`,
];

export function requireTerminate(plan: L4Plan): Terminate {
  if (plan.tls.mode !== "terminate")
    throw new Error(`L4 plan ${plan.name} has no HAProxy tier (tls.mode ${plan.tls.mode})`);
  return plan.tls;
}

/** The renderer's parameters exactly as the pod uses them (tests override addresses and paths only). */
export function haproxyParamsFor(plan: L4Plan): HaproxyConfigParams {
  const tls = requireTerminate(plan);
  const upstream = plan.upstream as NonNullable<L4Plan["upstream"]>;
  const lb = plan.loadBalancer;
  const proxyProtocol = sendsProxyHeader(lb);
  // HAProxy sees the client address when the load balancer sends it in a PROXY header, or with
  // externalTrafficPolicy Local (Cluster SNATs it to a node IP) where the load balancer keeps it
  // (an NLB, for one, only with "instance" targets).
  const seesClient = proxyProtocol || (plan.externalTrafficPolicy === "Local" && keepsClientAddress(lb));
  return {
    bindAddress: "",
    bindPort: HAPROXY_TLS_PORT,
    certPath: HAPROXY_CERT_PATH,
    servers: [{ name: "backend", address: upstream.address, port: upstream.port }],
    backendHostHeader: upstream.hostHeader,
    timeouts: tls.haproxy.timeouts,
    acceptProxy: proxyProtocol || undefined,
    sourceRanges: seesClient ? plan.sourceRanges : [],
    health: { bindAddress: "", port: HAPROXY_HEALTH_PORT },
    runtimeDir: HAPROXY_RUNTIME_DIR,
    maxconn: tls.haproxy.maxconn,
    nbthread: tls.haproxy.nbthread,
    ticketKeysPath: tls.haproxy.sessionTickets ? HAPROXY_TICKET_KEYS_PATH : undefined,
  };
}

/** haproxy.cfg exactly as the pod runs it. */
export function haproxyConfigFor(plan: L4Plan): string {
  return renderHaproxyConfig(haproxyParamsFor(plan));
}

export function configHash(config: string): string {
  return createHash("sha256").update(config).digest("hex").slice(0, 16);
}

/** The ConfigMap: haproxy.cfg, and the drain driver when the paced drain is on (`drainScript`). */
export function haproxyConfigMapSpec(plan: L4Plan, config: string, drainScript?: string) {
  const tls = requireTerminate(plan);
  if (tls.haproxy.drain && drainScript === undefined)
    throw new Error(`L4 plan ${plan.name}: the paced drain is on but no driver script was given`);
  return {
    metadata: {
      name: `${plan.name}-haproxy`,
      namespace: plan.backend.namespace,
      labels: haproxyLabels(plan.name),
    },
    data: {
      "haproxy.cfg": config,
      ...(tls.haproxy.drain ? { [DRAIN_SCRIPT_KEY]: drainScript as string } : {}),
    },
  };
}

export function haproxyPdbSpec(plan: L4Plan) {
  const labels = haproxyLabels(plan.name);
  return {
    metadata: { name: `${plan.name}-haproxy`, namespace: plan.backend.namespace, labels },
    spec: { maxUnavailable: 1, selector: { matchLabels: labels } },
  };
}

/**
 * The session-ticket Secret the component writes from `tls.haproxy.sessionTickets.keys`: one key a
 * line, oldest first. `keysFile` is a Pulumi secret (the caller wraps it); never rendered in clear.
 */
export function ticketSecretSpec<T>(plan: L4Plan, keysFile: T) {
  const tickets = requireTerminate(plan).haproxy.sessionTickets;
  if (!tickets?.create) throw new Error(`L4 plan ${plan.name} writes no session-ticket Secret`);
  return {
    metadata: {
      name: tickets.secretName,
      namespace: plan.backend.namespace,
      labels: haproxyLabels(plan.name),
    },
    type: "Opaque",
    stringData: { [TICKET_KEYS_KEY]: keysFile },
  };
}
