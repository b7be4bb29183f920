/**
 * The HAProxy tier that terminates TLS for the L4 path: its configuration (rendered by a pure
 * function, so the integration tests run the very text the component ships, with loopback
 * addresses) and the shutdown timings that must line up with the pod's lifecycle.
 *
 * Valid for HAProxy 2.6 (Debian 12, the integration tests) and 3.x (the pinned image): only directives
 * both accept without a warning (test/l4/haproxyVersions.test.ts lists what 3.0-3.3 removed or renamed).
 */
import { requireWholeNumber } from "../../core/validation";
import { assertShutdownOrder } from "../../core/shutdownOrder";
import { DEFAULT_HAPROXY_MAXCONN } from "./sizing";

/**
 * The proxies' names, unique across frontends, backends and listens: HAProxy 3.2 warns when a
 * frontend and a backend share a name and 3.3 refuses to start. The drain driver's `--frontend`
 * default (drainDriver.ts) is the frontend's name.
 */
export const HAPROXY_FRONTEND = "websocket";
export const HAPROXY_BACKEND = "websocket_servers";
export const HAPROXY_HEALTH_FRONTEND = "health";

/** Official image, pinned (Debian-based; runs as the `haproxy` user, uid/gid 99; STOPSIGNAL SIGUSR1). */
export const DEFAULT_HAPROXY_IMAGE = "haproxy:3.2.4";
export const HAPROXY_UID = 99;

export interface HaproxyServer {
  name: string;
  /** IP address or DNS name (resolved once at start through libc; a ClusterIP does not move). */
  address: string;
  port: number;
}

export interface HaproxyTimeouts {
  /** `timeout connect`: TCP connect to the backend. */
  connectSeconds: number;
  /** `timeout client`: client inactivity before the connection becomes a tunnel (TLS handshake, upgrade request). */
  clientSeconds: number;
  /** `timeout server`: backend inactivity before the connection becomes a tunnel. */
  serverSeconds: number;
  /** `timeout tunnel`: the WebSocket idle timeout; supersedes client/server once the connection is a tunnel. */
  tunnelSeconds: number;
  /** `timeout client-fin`: how long a half-closed client side may linger. */
  clientFinSeconds: number;
  /** `hard-stop-after`: an old (reloaded or stopping) process closes what it still holds after this. */
  hardStopAfterSeconds: number;
  /** `close-spread-time`: window over which a soft-stop spreads closing idle/HTTP connections; < hardStopAfterSeconds. */
  closeSpreadSeconds: number;
}

export interface HaproxyConfigParams {
  /** Address the TLS listener binds; "" = every address (in the pod). Tests use 127.0.0.1. */
  bindAddress: string;
  bindPort: number;
  /**
   * PEM certificate (chain) path. When it holds no key, HAProxy (2.2+, default
   * `ssl-load-extra-files all`) loads `<certPath>.key`: a Secret projected as `tls.crt` +
   * `tls.crt.key` needs no init step. Undefined = plain TCP listener (no TLS: `tls.mode none` is
   * never run through HAProxy; kept for tests).
   */
  certPath?: string;
  servers: HaproxyServer[];
  /** When set, the tier runs `mode http` and rewrites Host to this (the Knative ingress routes on Host). */
  backendHostHeader?: string;
  timeouts: HaproxyTimeouts;
  /** The listener expects a PROXY protocol header (v1 or v2) first: the load balancer sends the client address (AWS NLB proxyProtocol). Default false. */
  acceptProxy?: boolean;
  /** Only these client CIDRs may connect (needs the client IP: externalTrafficPolicy Local, or acceptProxy's header, then checked once the PROXY and TLS handshakes are done). Empty/undefined = all. */
  sourceRanges?: string[];
  /** Health endpoint `GET /healthz` for the kubelet's probes. Undefined = none. */
  health?: { bindAddress: string; port: number };
  /** Directory for the admin socket (`expose-fd listeners`: a reload hands the listeners over). */
  runtimeDir: string;
  /** Global and per-frontend connection limit. Default DEFAULT_HAPROXY_MAXCONN (10000). */
  maxconn?: number;
  /** `nbthread`: threads of the worker. Undefined = not set (HAProxy then starts one per CPU of its affinity). */
  nbthread?: number;
  /** Log connections to stdout. Default true. */
  log?: boolean;
  /**
   * `tls-ticket-keys` file (3 base64 keys, the middle one encrypts): TLS session tickets shared by
   * every replica and surviving reloads. Undefined = `no-tls-tickets` (every reconnect is a full
   * handshake on another process).
   */
  ticketKeysPath?: string;
}

const s = (seconds: number): string => `${seconds}s`;

/**
 * `tune.ssl.lifetime` with session tickets: a ticket is valid this long after the handshake that
 * issued it (HAProxy's default, 300 s, would refuse the ticket of any connection older than 5
 * minutes at a drain: measured, a 2 s lifetime refused a 4 s old ticket). TLS 1.3's maximum, 7
 * days (RFC 8446, 4.6.1): what bounds a ticket's use is the rotation of the 3 keys.
 */
export const TICKET_LIFETIME_SECONDS = 604800;

/** Renders haproxy.cfg. Pure: same params, same text. */
export function renderHaproxyConfig(params: HaproxyConfigParams): string {
  const t = params.timeouts;
  const maxconn = params.maxconn ?? DEFAULT_HAPROXY_MAXCONN;
  const log = params.log ?? true;
  const http = params.backendHostHeader !== undefined;
  const mode = http ? "http" : "tcp";
  const lines: string[] = [];
  const add = (...l: string[]) => lines.push(...l);

  add(
    "# Generated by ws-exposure (components/l4/haproxy.ts). Do not edit: change the L4Exposure args.",
    "global",
    "    master-worker",
    `    maxconn ${maxconn}`,
  );
  // HAProxy counts CPUs from its affinity mask (the node's), not from the container's CPU quota.
  if (params.nbthread !== undefined) add(`    nbthread ${params.nbthread}`);
  if (log) add("    log stdout format raw local0 info");
  if (params.ticketKeysPath) add(`    tune.ssl.lifetime ${TICKET_LIFETIME_SECONDS}`);
  add(
    // Old processes (after a reload or on stop) keep their connections at most this long.
    `    hard-stop-after ${s(t.hardStopAfterSeconds)}`,
    `    close-spread-time ${s(t.closeSpreadSeconds)}`,
    `    stats socket ${params.runtimeDir}/admin.sock mode 600 level admin expose-fd listeners`,
    `    ssl-default-bind-options ssl-min-ver TLSv1.2${params.ticketKeysPath ? "" : " no-tls-tickets"}`,
    "    ssl-default-bind-ciphers ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305",
    "    ssl-default-bind-ciphersuites TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256",
    "",
    "defaults",
    `    mode ${mode}`,
  );
  if (log) add(`    log global`, `    option ${http ? "httplog" : "tcplog"}`);
  add(
    "    option dontlognull",
    `    timeout connect ${s(t.connectSeconds)}`,
    `    timeout client ${s(t.clientSeconds)}`,
    `    timeout server ${s(t.serverSeconds)}`,
    // The WebSocket idle timeout: once the connection is a tunnel it replaces client/server.
    `    timeout tunnel ${s(t.tunnelSeconds)}`,
    `    timeout client-fin ${s(t.clientFinSeconds)}`,
  );
  if (http) add(`    timeout http-request ${s(t.clientSeconds)}`);
  add("");

  if (params.health) {
    add(
      `frontend ${HAPROXY_HEALTH_FRONTEND}`,
      "    mode http",
      `    bind ${params.health.bindAddress}:${params.health.port}`,
      "    monitor-uri /healthz",
      "    option dontlog-normal",
      "",
    );
  }

  const tickets = params.ticketKeysPath ? ` tls-ticket-keys ${params.ticketKeysPath}` : "";
  const tls = params.certPath
    ? ` ssl crt ${params.certPath} ssl-min-ver TLSv1.2 alpn http/1.1${tickets}`
    : "";
  add(
    `frontend ${HAPROXY_FRONTEND}`,
    `    bind ${params.bindAddress}:${params.bindPort}${params.acceptProxy ? " accept-proxy" : ""}${tls}`,
    `    maxconn ${maxconn}`,
  );
  const ranges = params.sourceRanges ?? [];
  if (ranges.length > 0) {
    // With accept-proxy, `tcp-request connection` rules still see the load balancer's address (the
    // PROXY header is read after them); `tcp-request session` rules see the client's.
    add(
      `    acl allowed_src src ${ranges.join(" ")}`,
      `    tcp-request ${params.acceptProxy ? "session" : "connection"} reject unless allowed_src`,
    );
  }
  add(`    default_backend ${HAPROXY_BACKEND}`, "");

  add(`backend ${HAPROXY_BACKEND}`, "    balance leastconn", "    retries 3");
  if (http) {
    add(
      `    http-request set-header Host ${params.backendHostHeader}`,
      "    option forwardfor",
      "    http-request set-header X-Forwarded-Proto https",
    );
  }
  for (const server of params.servers) {
    add(`    server ${server.name} ${server.address}:${server.port}`);
  }
  add("");
  return lines.join("\n");
}

/** The pod's shutdown, in order: stop receiving, soft-stop, hard stop, then Kubernetes' SIGKILL. */
export interface ShutdownPlan {
  /** preStop sleeps this long first, so the endpoint leaves the LB before HAProxy unbinds. */
  preStopSeconds: number;
  hardStopAfterSeconds: number;
  closeSpreadSeconds: number;
  terminationGracePeriodSeconds: number;
  /**
   * Who sends the soft-stop (SIGUSR1 to the master, pid 1): `stopSignal` = the kubelet's stop of the
   * container, as the image's STOPSIGNAL (the official image's); `preStop` = the hook itself, for an
   * image whose stop signal is unknown (SIGTERM, the runtime's default, would be a hard stop).
   */
  softStopBy: "stopSignal" | "preStop";
  /**
   * The preStop command. `stopSignal`: only the wait; the hook ends before HAProxy does, so a stop
   * raises no Warning event. `preStop`: wait, soft-stop, then wait out hard-stop-after; HAProxy's
   * exit (when the last connection has gone) ends the container and kills this hook with it, which
   * the kubelet records as a `FailedPreStopHook` event.
   */
  preStopCommand: string[];
}

export interface ShutdownArgs {
  /** The paced drain's window (already resolved), checked against hard-stop-after. */
  drainWindowSeconds?: number;
  preStopSeconds?: number;
  hardStopAfterSeconds?: number;
  closeSpreadSeconds?: number;
  terminationGracePeriodSeconds?: number;
  /** The container image; decides `softStopBy` (isOfficialHaproxyImage). Default the pinned image. */
  image?: string;
}

/**
 * Whether `image` is from the official `haproxy` repository (Docker Hub's library/haproxy, by tag
 * or digest). Its Dockerfiles (docker-library/haproxy) declare `STOPSIGNAL SIGUSR1`, and containerd
 * and CRI-O send an image's STOPSIGNAL when the kubelet stops a container (the pod field
 * `lifecycle.stopSignal` is alpha and off by default in Kubernetes 1.33-1.36, so the pod cannot ask
 * for it). A mirror or a custom image may declare anything: not recognised, on purpose.
 */
export function isOfficialHaproxyImage(image: string): boolean {
  const repository = image.split("@")[0].replace(/:[^/:]*$/, "");
  return OFFICIAL_HAPROXY_REPOSITORIES.includes(repository);
}
const OFFICIAL_HAPROXY_REPOSITORIES = [
  "haproxy",
  "library/haproxy",
  "docker.io/haproxy",
  "docker.io/library/haproxy",
  "index.docker.io/library/haproxy",
];

export const DEFAULT_PRESTOP_SECONDS = 10;
export const DEFAULT_HARD_STOP_AFTER_SECONDS = 60;
/** Slack between hard-stop-after's end and the kubelet's SIGKILL. */
export const SHUTDOWN_MARGIN_SECONDS = 10;

/**
 * Computes and checks the shutdown order: preStop sleep < hard-stop-after, close-spread-time <
 * hard-stop-after, and preStop + hard-stop-after + margin <= terminationGracePeriodSeconds (the
 * grace period counts from the start of preStop; when it ends the kubelet kills with SIGKILL).
 * `field` prefixes argument names in errors, e.g. `tls.haproxy`.
 */
export function planShutdown(owner: string, field: string, args: ShutdownArgs = {}): ShutdownPlan {
  const preStopSeconds = requireWholeNumber(
    owner,
    `${field}.preStopSeconds`,
    args.preStopSeconds ?? DEFAULT_PRESTOP_SECONDS,
    1,
    3600,
    "of seconds",
  );
  const hardStopAfterSeconds = requireWholeNumber(
    owner,
    `${field}.hardStopAfterSeconds`,
    args.hardStopAfterSeconds ?? DEFAULT_HARD_STOP_AFTER_SECONDS,
    1,
    86400,
    "of seconds",
  );
  const closeSpreadSeconds = requireWholeNumber(
    owner,
    `${field}.closeSpreadSeconds`,
    args.closeSpreadSeconds ?? Math.max(0, hardStopAfterSeconds - SHUTDOWN_MARGIN_SECONDS),
    0,
    86400,
    "of seconds",
  );
  const needed = preStopSeconds + hardStopAfterSeconds + SHUTDOWN_MARGIN_SECONDS;
  const terminationGracePeriodSeconds = requireWholeNumber(
    owner,
    `${field}.terminationGracePeriodSeconds`,
    args.terminationGracePeriodSeconds ?? needed,
    1,
    Number.MAX_SAFE_INTEGER,
    "of seconds",
  );
  // preStop < hard-stop-after, close-spread-time < hard-stop-after, drain window < hard-stop-after,
  // preStop + hard-stop-after + margin <= grace.
  assertShutdownOrder(owner, {
    proxy: "haproxy",
    preStop: { field: `${field}.preStopSeconds`, seconds: preStopSeconds },
    drain: { field: `${field}.hardStopAfterSeconds`, seconds: hardStopAfterSeconds },
    closeSpread: { field: `${field}.closeSpreadSeconds`, seconds: closeSpreadSeconds },
    pacedDrain:
      args.drainWindowSeconds === undefined
        ? undefined
        : { field: `${field}.drain.windowSeconds`, seconds: args.drainWindowSeconds },
    terminationGracePeriod: {
      field: `${field}.terminationGracePeriodSeconds`,
      seconds: terminationGracePeriodSeconds,
    },
    marginSeconds: SHUTDOWN_MARGIN_SECONDS,
  });
  const softStopBy = isOfficialHaproxyImage(args.image ?? DEFAULT_HAPROXY_IMAGE) ? "stopSignal" : "preStop";
  return {
    preStopSeconds,
    hardStopAfterSeconds,
    closeSpreadSeconds,
    terminationGracePeriodSeconds,
    softStopBy,
    preStopCommand:
      softStopBy === "stopSignal"
        ? // The kubelet then stops the container with the image's SIGUSR1 (soft-stop: listeners close,
          // open connections stay until they end or hard-stop-after fires) and waits the rest of the
          // grace period, hard-stop-after + margin at least, before SIGKILL.
          ["sleep", String(preStopSeconds)]
        : [
            "/bin/sh",
            "-c",
            // pid 1 is the HAProxy master (the container's command is haproxy itself); SIGTERM, the
            // stop signal that follows the hook, would be a hard stop, so the hook outlasts HAProxy.
            `sleep ${preStopSeconds}; kill -USR1 1; sleep ${hardStopAfterSeconds + SHUTDOWN_MARGIN_SECONDS}`,
          ],
  };
}
