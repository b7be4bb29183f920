/** The TLS side of an L4 plan: terminate (the HAProxy tier, haproxy/plan.ts), passthrough, or none. */
import { ResolvedWebSocket } from "../core/backend";
import {
  arg,
  fail,
  KNATIVE_RESERVED_PORTS,
  msg,
  requireDnsLabel,
  requireOneOf,
  requirePort,
  requireWholeNumber,
} from "../core/validation";
import { L4TlsArgs, TerminateTlsArgs } from "./args";
import { resolveHaproxy } from "./haproxy/plan";
import { DEFAULT_CERTIFICATE_READY_TIMEOUT_SECONDS, QUEUE_PROXY_PORT, ResolvedTls } from "./planTypes";

const str = JSON.stringify;

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
        msg`is only for ${arg("tls.mode")} ${list} (${arg("tls.mode")} is ${str(mode)}); remove it or change ${arg("tls.mode")}`,
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
        msg`must be true for ${arg("tls.mode")} "none": clients would use plain ws:// and every message crosses the network unencrypted; use it on a LAN or for development only, or use ${arg("tls.mode")} "terminate"`,
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
