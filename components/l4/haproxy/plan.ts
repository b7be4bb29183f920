/**
 * The HAProxy tier's plan (tls.mode "terminate"): timeouts, shutdown, sizing, the paced drain and
 * session tickets, checked and defaulted. Pure.
 */
import { ResolvedWebSocket } from "../../core/backend";
import {
  arg,
  fail,
  msg,
  requireDnsLabel,
  requirePinnedImage,
  requireWholeNumber,
} from "../../core/validation";
import { HaproxyArgs, L4TlsArgs, SessionTicketArgs, TerminateTlsArgs } from "../args";
import { resolveDrain } from "./drain";
import { DEFAULT_HAPROXY_IMAGE, planShutdown } from "./config";
import { planHaproxySizing } from "./sizing";
import { ResolvedHaproxy, ResolvedTls } from "../planTypes";

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
      msg`${websocket.minLifetimeSeconds} is beyond HAProxy's longest timeout, ${max} s (about 24.8 days): the haproxy hop's ${arg("tls.haproxy.timeouts.tunnelSeconds")} defaults to it; lower ${arg("websocket.minLifetimeSeconds")} to at most ${max}, or set ${arg("tls.haproxy.timeouts.tunnelSeconds")} (an idle timeout, reset by heartbeats) to at most ${max}`,
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
      msg`${tunnelSeconds} is below 3 heartbeats (3 x ${arg("websocket.heartbeatSeconds")} ${websocket.heartbeatSeconds} = ${minTunnel}); HAProxy would cut connections that miss a heartbeat or two; raise it to at least ${minTunnel}`,
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
