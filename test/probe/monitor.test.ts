import { startMonitor, type MonitorHandle } from "../../probe";
import { LIFETIME_BUCKETS_SECONDS } from "../../probe/metrics";
import { startTestServer, type TestServer } from "./servers/echoServer";
import { trackUnhandledRejections } from "./helpers";
import { waitUntil } from "../../support/wait";

trackUnhandledRejections();

function metric(text: string, series: string): number {
  const line = text.split("\n").find((l) => l.startsWith(series + " "));
  return line === undefined ? NaN : Number(line.slice(series.length + 1));
}

/** Polls `check` every 50 ms; the bound only stops a hang (a loaded machine is slow, not wrong). */
const waitFor = (what: string, check: () => Promise<boolean>) => waitUntil(what, check, 20_000, 50);

describe("7. monitor: metrics move as the server misbehaves", () => {
  let server: TestServer;
  let monitor: MonitorHandle;
  let startedAt = 0;
  const scrape = async () => (await fetch(`http://127.0.0.1:${monitor.port}/metrics`)).text();

  beforeAll(async () => {
    server = await startTestServer({ closeAfterMs: 200, closeCode: 1001 });
    startedAt = Date.now();
    monitor = await startMonitor({
      url: server.url,
      metricsPort: 0,
      metricsHost: "127.0.0.1",
      heartbeatMs: 50,
      backoff: { initialMs: 100, maxMs: 200 },
      expectedMinLifetimeSeconds: 2700,
      shortLifetimeSeconds: 2640,
      defaultMetrics: false,
    });
  });
  afterAll(async () => {
    await monitor.close();
    await server.close();
  });

  it("/healthz answers 200 ok", async () => {
    const res = await fetch(`http://127.0.0.1:${monitor.port}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("ok\n");
  });

  it("counts drops by code and cause, reconnects, lifetimes and RTT", async () => {
    // Three drops, and a heartbeat answered on one of the short-lived connections.
    await waitFor("three drops and an RTT sample", async () => {
      const text = await scrape();
      return (
        metric(text, 'wsprobe_drops_total{code="1001",cause="server_close"}') >= 3 &&
        metric(text, "wsprobe_rtt_seconds_count") > 0
      );
    });
    const text = await scrape();
    const drops = metric(text, 'wsprobe_drops_total{code="1001",cause="server_close"}');
    expect(metric(text, "wsprobe_reconnects_total")).toBeGreaterThanOrEqual(drops - 1);
    expect(metric(text, "wsprobe_connection_duration_seconds_count")).toBe(drops);
    // Every lifetime is ~0.2 s, and none can be longer than the monitor has been running: all fall in
    // the first bucket at or above that (a stalled loop on a loaded machine stretches both alike). A
    // lifetime recorded in milliseconds (~200) would not, while the run stays under 120 s.
    const runningSeconds = (Date.now() - startedAt) / 1000;
    const bound = LIFETIME_BUCKETS_SECONDS.find((b) => b >= runningSeconds)!;
    expect(bound).toBeLessThan(200);
    expect(metric(text, `wsprobe_connection_duration_seconds_bucket{le="${bound}"}`)).toBe(drops);
    expect(text).toContain('wsprobe_connection_duration_seconds_bucket{le="2700"}');
    expect(text).toContain('wsprobe_connection_duration_seconds_bucket{le="2640"}');
    expect(metric(text, "wsprobe_rtt_seconds_count")).toBeGreaterThan(0);
  });

  it("reports the endpoint down and counts failed attempts while it refuses upgrades", async () => {
    server.pause();
    await waitFor(
      "two refused attempts",
      async () => metric(await scrape(), 'wsprobe_connect_failures_total{cause="http_503"}') >= 2,
    );
    expect(metric(await scrape(), "wsprobe_up")).toBe(0);
  });

  it("close() is idempotent and stops serving", async () => {
    const other = await startMonitor({
      url: server.url,
      metricsPort: 0,
      metricsHost: "127.0.0.1",
      defaultMetrics: false,
    });
    await Promise.all([other.close(), other.close()]);
    await expect(fetch(`http://127.0.0.1:${other.port}/metrics`)).rejects.toThrow();
  });
});
