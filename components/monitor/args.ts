import { isIP } from "node:net";
import type * as pulumi from "@pulumi/pulumi";
import { arg, fail, msg, requirePinnedImage, requirePort, requireWholeNumber } from "../core/validation";
import { ResourcesArgs } from "../core/quantity";

/** Opt-in prometheus-operator objects: a ServiceMonitor and a PrometheusRule. */
export interface WsMonitorPrometheusOperatorArgs {
  /**
   * Create the ServiceMonitor and the PrometheusRule. Needs the monitoring.coreos.com/v1 CRDs. Plain value:
   * it decides which resources exist.
   */
  enabled: boolean;
  /** Labels your Prometheus selects rules and monitors by, e.g. `release: kube-prometheus-stack`. Default none. */
  labels?: Record<string, string>;
  /** Scrape interval of the ServiceMonitor, `<n>s` or `<n>m`. Default `30s`. */
  scrapeInterval?: string;
  /** `WsProbeDrops` fires when `sum(rate(wsprobe_drops_total[5m]))` stays above this many drops per second for 5 minutes; above 0. Default 0.01 (3 drops in 5 minutes). */
  dropRateThreshold?: number;
  /** `WsProbeShortLifetimes` looks at the drops of this window (seconds), at least expectedMinLifetimeSeconds. Default max(3600, 2 × expectedMinLifetimeSeconds): a healthy connection drops about once per expected lifetime, so the window must hold a few. */
  lifetimeWindowSeconds?: number;
}

/**
 * What a monitor runs as, but resources and prometheusOperator: the fields the component package
 * takes as they are (components/package/args.ts, MonitorSettings).
 */
export interface WsMonitorSettingsFields {
  /** Connections the monitor holds. Default 1; 1..100 (it is a monitor, not a load test: use `wsprobe soak` for that). */
  connections?: number;
  /**
   * `WsProbeShortLifetimes` counts drops at or below expectedMinLifetimeSeconds minus this margin
   * (a bucket boundary the probe exports, `--short-lifetime`). A connection cut by a lifetime cap of
   * exactly the expected lifetime (Knative's timeoutSeconds = minLifetimeSeconds) measures it give or
   * take the handshake, since the cap starts at the request and the probe's clock at open, so without
   * a margin half of the healthy drops would count as short. Default min(60, expected / 2 rounded
   * down): six times the probe's 10 s handshake timeout. Whole seconds from 0 to expected - 1.
   */
  shortLifetimeMarginSeconds?: number;
  /** Deployment replicas; each replica probes on its own. Default 1. */
  replicas?: number;
  /**
   * Pinned stock Node image (Node 24 or later: the bundle's target) that runs the bundled script. Default
   * `node:24.19.0-alpine3.24`; never `latest`.
   */
  image?: string;
  /** Port of `/metrics` and `/healthz` (Service port name `metrics`). Default 9464. */
  metricsPort?: number;
  /** Path of the bundled probe, as the process running the component (a Pulumi program, or the package's provider) resolves it: an absolute path is safest. Default `dist/bundle/wsprobe.js` of this package (built by `npm run build`). */
  bundlePath?: string;
}

export interface WsMonitorArgs extends WsMonitorSettingsFields {
  /** The public URL to probe, e.g. an exposure's `url` output (`wss://ws.example.com/ws`). Required. */
  url: pulumi.Input<string>;
  /**
   * Dial this address (`host` or `host:port`) instead of the URL's host; the TLS server name, the
   * certificate check and the Host header stay the URL's hostname (`wsprobe --connect-to`). For a
   * monitor inside the network of a public address that would need hairpin NAT: the LoadBalancer
   * address or the in-cluster Service. Default: the URL's host (the public path).
   */
  connectTo?: pulumi.Input<string>;
  /** Namespace of the monitor's Deployment, ConfigMap and Service. Required. */
  namespace: pulumi.Input<string>;
  /** Heartbeat (ping) interval in seconds, like the client's. Default 5 (the iOS client). */
  heartbeatSeconds?: number;
  /**
   * The lifetime the path's budget promises (seconds), usually the backend's `minLifetimeSeconds`:
   * `WsProbeShortLifetimes` counts the drops clearly younger than it (see shortLifetimeMarginSeconds).
   * Default 3600.
   */
  expectedMinLifetimeSeconds?: number;
  /** Container resources. Default requests 10m CPU / 48Mi, limit 128Mi memory (no CPU limit: throttling would show up as RTT). */
  resources?: ResourcesArgs;
  /** ServiceMonitor and PrometheusRule. Default disabled. */
  prometheusOperator?: WsMonitorPrometheusOperatorArgs;
}

export interface MonitorPlan {
  heartbeatSeconds: number;
  connections: number;
  expectedMinLifetimeSeconds: number;
  /** Drops at or below this lifetime count as short: expectedMinLifetimeSeconds - shortLifetimeMarginSeconds. */
  shortLifetimeSeconds: number;
  replicas: number;
  image: string;
  metricsPort: number;
  resources: { requests: Record<string, string>; limits: Record<string, string> };
  prometheusOperator: {
    enabled: boolean;
    labels: Record<string, string>;
    scrapeInterval: string;
    dropRateThreshold: number;
    lifetimeWindowSeconds: number;
  };
}

/** Node 24 (Active LTS, supported to April 2028), exact patch and Alpine release. */
export const DEFAULT_MONITOR_IMAGE = "node:24.19.0-alpine3.24";
/** The default margin below the expected lifetime before a drop counts as short. */
export const DEFAULT_SHORT_LIFETIME_MARGIN_SECONDS = 60;
export const DEFAULT_METRICS_PORT = 9464;
export const MAX_MONITOR_CONNECTIONS = 100;

/** Validates and defaults every plain arg; throws a ValidationError naming the arg before anything is registered. */
export function planMonitor(owner: string, args: WsMonitorArgs): MonitorPlan {
  if (args.url === undefined || args.url === null || args.url === "")
    fail(owner, "url", 'is required: the public WebSocket URL to probe, e.g. "wss://ws.example.com/ws"');
  if (typeof args.url === "string" && !/^wss?:\/\/[^/\s]+/.test(args.url))
    fail(
      owner,
      "url",
      `${JSON.stringify(args.url)} is not a ws:// or wss:// URL (e.g. "wss://ws.example.com/ws")`,
    );
  if (typeof args.connectTo === "string" && !isConnectAddress(args.connectTo))
    fail(
      owner,
      "connectTo",
      `${JSON.stringify(args.connectTo)} is not "host" or "host:port" (an IPv6 address in brackets with a port), e.g. "192.168.1.241" or "ws-lb.ns.svc.cluster.local:443"`,
    );
  if (args.namespace === undefined || args.namespace === null || args.namespace === "")
    fail(owner, "namespace", "is required: the namespace to run the monitor in");
  const heartbeatSeconds = requireWholeNumber(
    owner,
    "heartbeatSeconds",
    args.heartbeatSeconds ?? 5,
    1,
    undefined,
    "of seconds",
  );
  const connections = requireWholeNumber(
    owner,
    "connections",
    args.connections ?? 1,
    1,
    MAX_MONITOR_CONNECTIONS,
  );
  const expectedMinLifetimeSeconds = requireWholeNumber(
    owner,
    "expectedMinLifetimeSeconds",
    args.expectedMinLifetimeSeconds ?? 3600,
    1,
    undefined,
    "of seconds",
  );
  const shortLifetimeMarginSeconds = requireWholeNumber(
    owner,
    "shortLifetimeMarginSeconds",
    args.shortLifetimeMarginSeconds ??
      Math.min(DEFAULT_SHORT_LIFETIME_MARGIN_SECONDS, Math.floor(expectedMinLifetimeSeconds / 2)),
    0,
    expectedMinLifetimeSeconds - 1,
    msg`of seconds (below ${arg("expectedMinLifetimeSeconds")})`,
  );
  const replicas = requireWholeNumber(owner, "replicas", args.replicas ?? 1, 1);
  const image = requirePinnedImage(
    owner,
    "image",
    args.image ?? DEFAULT_MONITOR_IMAGE,
    DEFAULT_MONITOR_IMAGE,
  );
  const metricsPort = requirePort(owner, "metricsPort", args.metricsPort ?? DEFAULT_METRICS_PORT);
  const po = args.prometheusOperator;
  const scrapeInterval = po?.scrapeInterval ?? "30s";
  if (!/^\d+(s|m)$/.test(scrapeInterval))
    fail(
      owner,
      "prometheusOperator.scrapeInterval",
      `${JSON.stringify(scrapeInterval)} is not a Prometheus duration such as "30s" or "1m"`,
    );
  const dropRateThreshold = po?.dropRateThreshold ?? 0.01;
  if (
    typeof dropRateThreshold !== "number" ||
    !(dropRateThreshold > 0) ||
    !Number.isFinite(dropRateThreshold)
  )
    fail(
      owner,
      "prometheusOperator.dropRateThreshold",
      `must be a number of drops per second > 0 (got ${JSON.stringify(dropRateThreshold)})`,
    );
  const lifetimeWindowSeconds = requireWholeNumber(
    owner,
    "prometheusOperator.lifetimeWindowSeconds",
    po?.lifetimeWindowSeconds ?? Math.max(3600, 2 * expectedMinLifetimeSeconds),
    expectedMinLifetimeSeconds,
    undefined,
    msg`of seconds (at least ${arg("expectedMinLifetimeSeconds")})`,
  );
  return {
    heartbeatSeconds,
    connections,
    expectedMinLifetimeSeconds,
    shortLifetimeSeconds: expectedMinLifetimeSeconds - shortLifetimeMarginSeconds,
    replicas,
    image,
    metricsPort,
    resources: {
      requests: { cpu: "10m", memory: "48Mi", ...args.resources?.requests },
      limits: { memory: "128Mi", ...args.resources?.limits },
    },
    prometheusOperator: {
      enabled: po?.enabled === true,
      labels: { ...po?.labels },
      scrapeInterval,
      dropRateThreshold,
      lifetimeWindowSeconds,
    },
  };
}

/** A DNS name of one or more labels ("ws-lb" reaches a Service of the same namespace). */
const DNS_NAME = /^(?!-)[A-Za-z0-9-]{1,63}(?<!-)(\.(?!-)[A-Za-z0-9-]{1,63}(?<!-))*$/;

/** "host", "host:port", a bare IPv6 address or "[v6]:port": what `wsprobe --connect-to` takes. */
export function isConnectAddress(value: string): boolean {
  if (isIP(value) === 6) return true;
  const m = /^(?:\[([^\]]+)\]|([^:[\]]+))(?::(\d{1,5}))?$/.exec(value);
  if (!m) return false;
  const host = m[1] ?? m[2];
  const hostOk = m[1] !== undefined ? isIP(host) === 6 : isIP(host) === 4 || DNS_NAME.test(host);
  const port = m[3] === undefined ? 1 : Number(m[3]);
  return hostOk && port >= 1 && port <= 65535;
}
