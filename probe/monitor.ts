import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { type BackoffProfile, IOS_BACKOFF } from "./backoff";
import { ProbeClient } from "./client";
import { type ConnectOptions, wsClientOptions } from "./connectOptions";
import { DEFAULT_MAX_MISSED_HEARTBEATS } from "./drop";
import { ProbeMetrics } from "./metrics";

export interface MonitorOptions extends ConnectOptions {
  url: string;
  /** Port of /metrics and /healthz; 0 picks a free one (see the handle's `port`). Default 9464. */
  metricsPort?: number;
  /** Address to listen on. Default 0.0.0.0 (in a pod); tests use 127.0.0.1. */
  metricsHost?: string;
  heartbeatMs?: number;
  connections?: number;
  maxMissedHeartbeats?: number;
  /** Delays of the profile; a monitor never gives up, it keeps retrying at the cap. */
  backoff?: Partial<Pick<BackoffProfile, "initialMs" | "maxMs" | "jitter">>;
  /** Adds this lifetime (the one the path promises) as a histogram bucket. */
  expectedMinLifetimeSeconds?: number;
  /**
   * Adds this lifetime as a histogram bucket: an alert counts the drops at or below it as short.
   * Set it clearly below the expected lifetime: a connection cut by a cap of exactly that lifetime
   * measures it give or take the handshake (the cap starts at the request, this clock at open).
   */
  shortLifetimeSeconds?: number;
  /** Node process metrics (memory, CPU, event loop lag). Default true. */
  defaultMetrics?: boolean;
}

export interface MonitorHandle {
  readonly port: number;
  readonly metrics: ProbeMetrics;
  close(): Promise<void>;
}

/** Holds the connection(s) forever and serves Prometheus metrics until `close()`. */
export async function startMonitor(options: MonitorOptions): Promise<MonitorHandle> {
  const metrics = new ProbeMetrics({
    expectedMinLifetimeSeconds: options.expectedMinLifetimeSeconds,
    shortLifetimeSeconds: options.shortLifetimeSeconds,
    defaultMetrics: options.defaultMetrics ?? true,
  });
  const server = http.createServer((req, res) => {
    if (req.url === "/metrics") {
      metrics.registry.metrics().then(
        (body) => res.writeHead(200, { "Content-Type": metrics.registry.contentType }).end(body),
        (err) => res.writeHead(500).end(String(err)),
      );
    } else if (req.url === "/healthz") {
      // Liveness of the probe itself: an unreachable endpoint is what the metrics report, not a reason to restart.
      res.writeHead(200, { "Content-Type": "text/plain" }).end("ok\n");
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.metricsPort ?? 9464, options.metricsHost ?? "0.0.0.0", () => resolve());
  });
  const config = {
    url: options.url,
    wsOptions: wsClientOptions(options),
    heartbeatMs: options.heartbeatMs ?? 5000,
    maxMissedHeartbeats: options.maxMissedHeartbeats ?? DEFAULT_MAX_MISSED_HEARTBEATS,
    backoff: { ...IOS_BACKOFF, ...options.backoff, maxAttempts: Infinity },
    echo: false,
  };
  const clients = Array.from(
    { length: options.connections ?? 1 },
    (_, i) => new ProbeClient(i, config, metrics),
  );
  clients.forEach((c) => c.start());
  let closing: Promise<void> | undefined;
  return {
    port: (server.address() as AddressInfo).port,
    metrics,
    close: () =>
      (closing ??= (async () => {
        await Promise.all(clients.map((c) => c.stop()));
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      })()),
  };
}
