/** The TLS side of an L4 plan: terminate (the HAProxy tier), passthrough, or none. */
import { ResolvedWebSocket } from "../core/backend";
import {
  fail,
  KNATIVE_RESERVED_PORTS,
  requireDnsLabel,
  requireOneOf,
  requirePinnedImage,
  requirePort,
  requireWholeNumber,
} from "../core/validation";
import { HaproxyArgs, L4TlsArgs, SessionTicketArgs, TerminateTlsArgs } from "./args";
import { resolveDrain } from "./drain";
import { DEFAULT_HAPROXY_IMAGE, planShutdown } from "./haproxy";
import { planHaproxySizing } from "./haproxySizing";
import {
  DEFAULT_CERTIFICATE_READY_TIMEOUT_SECONDS,
  QUEUE_PROXY_PORT,
  ResolvedHaproxy,
  ResolvedTls,
} from "./planTypes";

const str = JSON.stringify;

/** HAProxy holds a timeout in milliseconds in a signed 32-bit integer: 2147483 s (about 24.8 days) at most. */
export const HAPROXY_MAX_TIMEOUT_SECONDS = 2147483;

/** `timeout tunnel` when not given: the lifetime the connection must be allowed, and never under 3 heartbeats. */
export function defaultTunnelSeconds(websocket: ResolvedWebSocket): number {
  return Math.max(websocket.minLifetimeSeconds, 3 * websocket.heartbeatSeconds);
}

/**
 * Range checks of HAProxy settings derived from other inputs, run after the path's budget has had
 * its say: the message names the input the value came from and the limit that refuses it.
 */
export function assertDerivedHaproxy(
  owner: string,
  tls: L4TlsArgs | undefined,
  resolved: ResolvedTls,
  websocket: ResolvedWebSocket,
): void {
  if (resolved.mode !== "terminate") return;
  const given = (tls as TerminateTlsArgs).haproxy?.timeouts?.tunnelSeconds;
  const max = HAPROXY_MAX_TIMEOUT_SECONDS;
  if (given === undefined && resolved.haproxy.timeouts.tunnelSeconds > max) {
    fail(
      owner,
      "websocket.minLifetimeSeconds",
      `${websocket.minLifetimeSeconds} is beyond HAProxy's longest timeout, ${max} s (about 24.8 days): the haproxy hop's tls.haproxy.timeouts.tunnelSeconds defaults to it; ` +
        `lower websocket.minLifetimeSeconds to at most ${max}, or set tls.haproxy.timeouts.tunnelSeconds (an idle timeout, reset by heartbeats) to at most ${max}`,
    );
  }
}

export function resolveHaproxy(
  owner: string,
  h: HaproxyArgs | undefined,
  websocket: ResolvedWebSocket,
  name: string,
): ResolvedHaproxy {
  const f = "tls.haproxy";
  const replicas = requireWholeNumber(owner, `${f}.replicas`, h?.replicas ?? 2, 2, 100);
  const image = requirePinnedImage(
    owner,
    `${f}.image`,
    h?.image ?? DEFAULT_HAPROXY_IMAGE,
    DEFAULT_HAPROXY_IMAGE,
  );
  const t = h?.timeouts ?? {};
  const secs = (field: string, v: number | undefined, dflt: number) =>
    requireWholeNumber(
      owner,
      `${f}.timeouts.${field}`,
      v ?? dflt,
      1,
      HAPROXY_MAX_TIMEOUT_SECONDS,
      "of seconds",
    );
  const minTunnel = 3 * websocket.heartbeatSeconds;
  // The default follows websocket.minLifetimeSeconds; its range is checked after the path's budget
  // (assertDerivedHaproxy), so a lifetime no hop allows is reported as that, not as this timeout.
  const tunnelSeconds =
    t.tunnelSeconds === undefined
      ? defaultTunnelSeconds(websocket)
      : secs("tunnelSeconds", t.tunnelSeconds, 0);
  if (tunnelSeconds < minTunnel) {
    fail(
      owner,
      `${f}.timeouts.tunnelSeconds`,
      `${tunnelSeconds} is below 3 heartbeats (3 x websocket.heartbeatSeconds ${websocket.heartbeatSeconds} = ${minTunnel}); HAProxy would cut connections that miss a heartbeat or two; raise it to at least ${minTunnel}`,
    );
  }
  const shutdownArgs = {
    preStopSeconds: h?.preStopSeconds,
    hardStopAfterSeconds: h?.hardStopAfterSeconds,
    closeSpreadSeconds: h?.closeSpreadSeconds,
    terminationGracePeriodSeconds: h?.terminationGracePeriodSeconds,
    image,
  };
  // The timers first (their own messages), then the drain window against them.
  const hardStopAfterSeconds = planShutdown(owner, f, shutdownArgs).hardStopAfterSeconds;
  const drain = resolveDrain(owner, `${f}.drain`, h?.drain, hardStopAfterSeconds);
  const shutdown = planShutdown(owner, f, { ...shutdownArgs, drainWindowSeconds: drain?.windowSeconds });
  return {
    replicas,
    image,
    timeouts: {
      connectSeconds: secs("connectSeconds", t.connectSeconds, 5),
      clientSeconds: secs("clientSeconds", t.clientSeconds, 30),
      serverSeconds: secs("serverSeconds", t.serverSeconds, 30),
      tunnelSeconds,
      clientFinSeconds: secs("clientFinSeconds", t.clientFinSeconds, 10),
      hardStopAfterSeconds: shutdown.hardStopAfterSeconds,
      closeSpreadSeconds: shutdown.closeSpreadSeconds,
    },
    shutdown,
    ...planHaproxySizing(owner, f, { maxconn: h?.maxconn, resources: h?.resources }),
    drain,
    sessionTickets: resolveSessionTickets(owner, `${f}.sessionTickets`, h?.sessionTickets, name),
  };
}

/** A `tls-ticket-keys` key: base64 of 48 (AES-128) or 80 (AES-256) bytes. */
const TICKET_KEY_BYTES = [48, 80];
/** HAProxy's TLS_TICKETS_NO: it decrypts with the last 3 keys of the file and encrypts with the middle one. */
export const TICKET_KEYS = 3;

/**
 * `tls.haproxy.sessionTickets`: the Secret HAProxy reads `tls-ticket-keys` from. Keys given as
 * plain strings are checked here; keys given as Outputs (secrets from config) are written as they are.
 */
export function resolveSessionTickets(
  owner: string,
  field: string,
  args: SessionTicketArgs | undefined,
  name: string,
): { secretName: string; create: boolean } | undefined {
  if (args === undefined) return undefined;
  const given = args as { keys?: unknown; secretName?: unknown };
  if (
    typeof args !== "object" ||
    args === null ||
    (given.keys === undefined) === (given.secretName === undefined)
  ) {
    fail(
      owner,
      field,
      `needs exactly one of { keys: [3 keys] } (Pulumi secrets; the component writes the Secret) or { secretName } (an existing Secret with key "tls-ticket-keys")`,
    );
  }
  if (given.secretName !== undefined) {
    return { secretName: requireDnsLabel(owner, `${field}.secretName`, given.secretName), create: false };
  }
  const keys = given.keys;
  if (!Array.isArray(keys) || keys.length !== TICKET_KEYS) {
    fail(
      owner,
      `${field}.keys`,
      `must hold exactly ${TICKET_KEYS} keys, oldest first (HAProxy encrypts with the middle one and decrypts with all three); generate one with \`openssl rand 80 | openssl base64 -A\``,
    );
  }
  const lengths = new Set<number>();
  keys.forEach((key, i) => {
    if (typeof key !== "string") return; // an Output: a secret, checked by HAProxy when it loads the file
    const bytes = /^[A-Za-z0-9+/]+={0,2}$/.test(key) ? Buffer.from(key, "base64").length : -1;
    if (!TICKET_KEY_BYTES.includes(bytes)) {
      fail(
        owner,
        `${field}.keys[${i}]`,
        `is not the base64 of 48 or 80 bytes (HAProxy refuses to start); generate one with \`openssl rand 80 | openssl base64 -A\``,
      );
    }
    lengths.add(bytes);
  });
  if (lengths.size > 1) {
    fail(
      owner,
      `${field}.keys`,
      "mixes 48-byte and 80-byte keys; HAProxy takes the first key's length for all of them: use 80-byte keys throughout",
    );
  }
  return { secretName: `${name}-haproxy-tickets`, create: true };
}

export function resolveTls(
  owner: string,
  name: string,
  tls: L4TlsArgs | undefined,
  websocket: ResolvedWebSocket,
): ResolvedTls {
  if (!tls || typeof tls !== "object") {
    fail(
      owner,
      "tls",
      'is required: { mode: "terminate", certificate } (HAProxy serves wss://), { mode: "passthrough", targetPort } or { mode: "none", acknowledgeInsecure: true }',
    );
  }
  const mode = requireOneOf(owner, "tls.mode", (tls as { mode?: unknown }).mode, [
    "terminate",
    "passthrough",
    "none",
    "loadBalancer",
  ] as const);
  const given = tls as unknown as Record<string, unknown>;
  const onlyFor: [string, readonly (typeof mode)[]][] = [
    ["certificate", ["terminate"]],
    ["haproxy", ["terminate"]],
    ["targetPort", ["passthrough", "none", "loadBalancer"]],
    ["acknowledgeInsecure", ["none"]],
  ];
  for (const [key, modes] of onlyFor) {
    if (given[key] !== undefined && !modes.includes(mode)) {
      const named = modes.map((m) => str(m));
      const list =
        named.length > 1 ? `${named.slice(0, -1).join(", ")} or ${named[named.length - 1]}` : named[0];
      fail(
        owner,
        `tls.${key}`,
        `is only for tls.mode ${list} (tls.mode is ${str(mode)}); remove it or change tls.mode`,
      );
    }
  }
  if (mode === "loadBalancer") {
    // TLS ends at the load balancer (checked against loadBalancer in planLoadBalancer.ts); the pods
    // are reached in plain TCP exactly as with "none": the route decides the port of a Knative backend.
    const lb = tls as { targetPort?: string | number };
    if (typeof lb.targetPort === "number") requirePort(owner, "tls.targetPort", lb.targetPort);
    return { mode, targetPort: lb.targetPort ?? "" };
  }
  if (mode === "none") {
    const none = tls as { acknowledgeInsecure?: unknown; targetPort?: string | number };
    if (typeof none.targetPort === "number" && none.targetPort !== QUEUE_PROXY_PORT) {
      requirePort(owner, "tls.targetPort", none.targetPort);
      if (KNATIVE_RESERVED_PORTS.includes(none.targetPort)) {
        fail(
          owner,
          "tls.targetPort",
          `${none.targetPort} is a port Knative's queue-proxy reserves for h2c, admin or metrics (${KNATIVE_RESERVED_PORTS.filter((p) => p !== QUEUE_PROXY_PORT).join(", ")}), not a WebSocket listener: a LoadBalancer on it would publish Knative's internals; target the backend's own HTTP port (or 8012 for the queue-proxy)`,
        );
      }
    }
    if (none.acknowledgeInsecure !== true) {
      fail(
        owner,
        "tls.acknowledgeInsecure",
        'must be true for tls.mode "none": clients would use plain ws:// and every message crosses the network unencrypted; use it on a LAN or for development only, or use tls.mode "terminate"',
      );
    }
    return { mode, targetPort: none.targetPort ?? "" };
  }
  if (mode === "passthrough") {
    const pt = tls as { targetPort?: unknown };
    if (typeof pt.targetPort !== "string" || !/^[a-z0-9]([a-z0-9-]{0,13}[a-z0-9])?$/.test(pt.targetPort)) {
      fail(
        owner,
        "tls.targetPort",
        `${str(pt.targetPort)} is not a named container port (lower-case letters, digits and "-", at most 15 characters)`,
      );
    }
    return { mode, targetPort: pt.targetPort };
  }
  const term = tls as TerminateTlsArgs;
  const cert = term.certificate as unknown as
    { secretName?: unknown; certManager?: Record<string, unknown> } | undefined;
  if (
    !cert ||
    typeof cert !== "object" ||
    (cert.secretName === undefined) === (cert.certManager === undefined)
  ) {
    fail(
      owner,
      "tls.certificate",
      "needs exactly one of { secretName } (an existing kubernetes.io/tls Secret) or { certManager: { issuerName } }",
    );
  }
  const haproxy = resolveHaproxy(owner, term.haproxy, websocket, name);
  if (cert.secretName !== undefined) {
    return {
      mode,
      secretName: requireDnsLabel(owner, "tls.certificate.secretName", cert.secretName),
      haproxy,
    };
  }
  const cm = cert.certManager as {
    issuerName?: unknown;
    issuerKind?: unknown;
    duration?: string;
    renewBefore?: string;
    readyTimeoutSeconds?: unknown;
    keyAlgorithm?: unknown;
  };
  const issuerName = requireDnsLabel(owner, "tls.certificate.certManager.issuerName", cm.issuerName);
  const issuerKind = requireOneOf(
    owner,
    "tls.certificate.certManager.issuerKind",
    cm.issuerKind ?? "ClusterIssuer",
    ["Issuer", "ClusterIssuer"] as const,
  );
  const readyTimeoutSeconds = requireWholeNumber(
    owner,
    "tls.certificate.certManager.readyTimeoutSeconds",
    cm.readyTimeoutSeconds ?? DEFAULT_CERTIFICATE_READY_TIMEOUT_SECONDS,
    30,
    7200,
    "of seconds",
  );
  return {
    mode,
    secretName: `${name}-tls`,
    certManager: {
      issuerName,
      issuerKind,
      duration: cm.duration,
      renewBefore: cm.renewBefore,
      readyTimeoutSeconds,
      keyAlgorithm: requireOneOf(
        owner,
        "tls.certificate.certManager.keyAlgorithm",
        cm.keyAlgorithm ?? "ECDSA",
        ["ECDSA", "RSA"] as const,
      ),
    },
    haproxy,
  };
}
