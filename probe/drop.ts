/**
 * Why an open connection ended:
 * - server_close: the server sent a close frame (the code is the server's: 1000, 1001, 1011, ...);
 * - pong_timeout: the probe gave up after `maxMissedHeartbeats` unanswered heartbeats (code 1006);
 * - socket_error: the socket or the WebSocket protocol failed (reset, oversize frame, bad frame);
 * - connection_lost: TCP closed without a close frame and without an error (code 1006), e.g. an
 *   idle timeout on a proxy, a NAT or a load balancer between the client and the server.
 */
export type DropCause = "server_close" | "pong_timeout" | "socket_error" | "connection_lost";

export const DROP_CAUSES: readonly DropCause[] = [
  "server_close",
  "pong_timeout",
  "socket_error",
  "connection_lost",
];

export interface Drop {
  code: number;
  cause: DropCause;
  /** Error code or close reason, when there is one. */
  detail: string;
  lifetimeMs: number;
}

/** A connection is declared dead when this many heartbeats in a row got no answer before the next one. */
export const DEFAULT_MAX_MISSED_HEARTBEATS = 2;

export function dropCause(code: number, pongTimedOut: boolean, error: Error | undefined): DropCause {
  if (pongTimedOut) return "pong_timeout";
  if (error) return "socket_error";
  return code === 1006 ? "connection_lost" : "server_close";
}
