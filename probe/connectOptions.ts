import * as fs from "node:fs";
import type { ClientOptions } from "ws";
import { UsageError } from "./usage";

/** What every command needs to open a connection the way a real client would. */
export interface ConnectOptions {
  /** Extra request headers, e.g. { Authorization: "Bearer ..." }. */
  headers?: Record<string, string>;
  /** PEM file of the certificate authorities to trust (like Node's `ca`, it replaces the system store). */
  caFile?: string;
  /** Accept any server certificate (testing only). */
  insecure?: boolean;
  /** Offer permessage-deflate. Off by default: it costs ~185 KB per connection against a server that accepts it. */
  perMessageDeflate?: boolean;
  /** Opening handshake timeout (TCP + TLS + HTTP upgrade). */
  handshakeTimeoutMs?: number;
  /** Largest message accepted from the server; bigger frames fail the connection (ws closes it with 1009). */
  maxPayloadBytes?: number;
}

export const DEFAULT_MAX_PAYLOAD_BYTES = 1024 * 1024;

/** Parses repeated "--header K:V" values. */
export function parseHeaders(values: string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const value of values) {
    const colon = value.indexOf(":");
    if (colon < 1) throw new UsageError(`--header takes "Name: value" (got "${value}")`);
    headers[value.slice(0, colon).trim()] = value.slice(colon + 1).trim();
  }
  return headers;
}

/** The ws client options; the CA file is read once and shared by every connection. */
export function wsClientOptions(options: ConnectOptions): ClientOptions {
  return {
    headers: options.headers,
    ca: options.caFile ? fs.readFileSync(options.caFile) : undefined,
    rejectUnauthorized: !options.insecure,
    perMessageDeflate: options.perMessageDeflate ?? false,
    handshakeTimeout: options.handshakeTimeoutMs ?? 10_000,
    maxPayload: options.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD_BYTES,
  };
}
