import * as fs from "node:fs";
import * as net from "node:net";
import * as tls from "node:tls";
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
  /**
   * Dial this address ("host", "host:port", "[v6]:port") instead of the URL's host and port. The
   * TLS server name (SNI), the certificate check and the Host header stay the URL's, so the server
   * sees the same request as through the public name: e.g. a LoadBalancer address or an in-cluster
   * Service from inside the network, where the public address would need hairpin NAT. Default: the URL's.
   */
  connectTo?: string;
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

export interface ConnectTarget {
  host: string;
  /** Absent: the URL's port. */
  port?: number;
}

/** Parses a connect address: "10.0.0.5", "10.0.0.5:8443", "ws-lb.ns.svc.cluster.local:443", "fd00::1", "[fd00::1]:443". */
export function parseConnectTo(value: string): ConnectTarget {
  const bad = () =>
    new UsageError(
      `--connect-to takes "host" or "host:port" (an IPv6 address in brackets with a port), e.g. "192.168.1.241" or "ws-lb.ns.svc.cluster.local:443" (got "${value}")`,
    );
  const text = value.trim();
  let host: string;
  let portText: string | undefined;
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(text);
  if (bracketed) {
    [, host, portText] = bracketed;
    if (net.isIPv6(host) === false) throw bad();
  } else if (net.isIPv6(text)) {
    host = text;
  } else {
    const m = /^([A-Za-z0-9.-]+)(?::(\d+))?$/.exec(text);
    if (!m) throw bad();
    [, host, portText] = m;
  }
  if (portText === undefined) return { host };
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw bad();
  return { host, port };
}

type ConnectionOptions = net.NetConnectOpts &
  tls.ConnectionOptions & { host?: string; port?: number | string; path?: string | null };

/**
 * ws's own connectors with the destination swapped: the socket goes to `target`, while the TLS
 * server name (and so the certificate check) and the Host header ws and http already built from
 * the URL stay as they are.
 */
function connectVia(target: ConnectTarget, secure: boolean) {
  return (options: ConnectionOptions) => {
    const urlHost = options.host ?? "";
    // ws hands the request options over, `path` included (the URL path): for net.connect that would mean a Unix socket.
    const dial = { ...options, host: target.host, port: target.port ?? options.port, path: undefined };
    if (!secure) return net.connect(dial as net.NetConnectOpts);
    return tls.connect({
      ...dial,
      // SNI as ws sends it (none for an IP), and the certificate checked against the URL's host, not the dialed one.
      servername: options.servername ?? (net.isIP(urlHost) ? "" : urlHost),
      checkServerIdentity: (_dialed: string, cert: tls.PeerCertificate) =>
        tls.checkServerIdentity(urlHost, cert),
    } as tls.ConnectionOptions);
  };
}

/** The ws client options for `url`; the CA file is read once and shared by every connection. */
export function wsClientOptions(options: ConnectOptions & { url: string }): ClientOptions {
  const wsOptions: ClientOptions = {
    headers: options.headers,
    ca: options.caFile ? fs.readFileSync(options.caFile) : undefined,
    rejectUnauthorized: !options.insecure,
    perMessageDeflate: options.perMessageDeflate ?? false,
    handshakeTimeout: options.handshakeTimeoutMs ?? 10_000,
    maxPayload: options.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD_BYTES,
  };
  if (options.connectTo !== undefined) {
    const secure = /^(wss|https):/i.test(options.url);
    wsOptions.createConnection = connectVia(
      parseConnectTo(options.connectTo),
      secure,
    ) as unknown as ClientOptions["createConnection"];
  }
  return wsOptions;
}
