import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startTestServer, type TestServer } from "./servers/echoServer";
import { CLI_TIMEOUT_MS, closedPort, runCli, selfSignedCert } from "./helpers";
import { sleep } from "../../support/wait";

// Each test spawns the CLI at least once: its bound is the CLI's, with room for the test's own work.
jest.setTimeout(CLI_TIMEOUT_MS + 30_000);

/** Resolves once `ready()` holds, checked every 20 ms (no deadline: runCli's bound ends a hang). */
async function until(ready: () => boolean | Promise<boolean>): Promise<void> {
  while (!(await ready())) await sleep(20);
}

describe("wsprobe CLI (spawned from source)", () => {
  let echo: TestServer;
  let refusing: TestServer;
  let tlsServer: TestServer;
  let tls: ReturnType<typeof selfSignedCert>;
  let tmp: string;

  beforeAll(async () => {
    tls = selfSignedCert();
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "wsprobe-cli-"));
    [echo, refusing, tlsServer] = await Promise.all([
      startTestServer(),
      startTestServer({ refuseStatus: 403 }),
      startTestServer({ tls: { key: tls.key, cert: tls.cert } }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([echo.close(), refusing.close(), tlsServer.close()]);
    fs.rmSync(tls.dir, { recursive: true, force: true });
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it("check --json: exit 0 and exactly one object with the documented fields", async () => {
    const r = await runCli(["check", echo.url, "--json"]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(Object.keys(out)).toEqual(["ok", "url", "steps", "rttMs", "tls", "closeCode", "error"]);
    expect(out).toMatchObject({ ok: true, url: echo.url, tls: null, closeCode: 1000, error: null });
    expect(out.rttMs).toBeGreaterThan(0);
  });

  it("check (text): the steps and OK", async () => {
    const r = await runCli(["check", echo.url, "--message", '{"seq":{seq}}']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^wsprobe check ws:\/\/127\.0\.0\.1:\d+\/ws\n {2}tcp .*\n {2}upgrade .*\n {2}ping .*\n {2}close .* code 1000\nOK in /,
    );
  });

  it("upgrade refused with HTTP 403: exit 1, step upgrade, status 403", async () => {
    const r = await runCli(["check", refusing.url, "--json"]);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).error).toEqual({
      step: "upgrade",
      kind: "http_403",
      message: "the server refused the upgrade with HTTP 403",
      status: 403,
    });
  });

  it("connection refused: exit 1, step tcp", async () => {
    const port = await closedPort();
    const r = await runCli(["check", `ws://127.0.0.1:${port}/ws`]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      `FAILED at tcp: ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:${port} (refused)`,
    );
  });

  it("untrusted certificate: exit 1 at the tls step without --ca", async () => {
    const r = await runCli(["check", tlsServer.url, "--json"]);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).error).toMatchObject({ step: "tls", kind: "tls" });
    expect(JSON.parse(r.stdout).error.message).toMatch(/^DEPTH_ZERO_SELF_SIGNED_CERT/);
  });

  it("the same certificate passes with --ca, and the TLS details are reported", async () => {
    const r = await runCli(["check", tlsServer.url, "--ca", tls.certFile, "--json"]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.tls).toMatchObject({ protocol: "TLSv1.3", subject: "wsprobe-test", issuer: "wsprobe-test" });
    expect([1, 2]).toContain(out.tls.daysLeft);
    expect(Object.keys(out.steps).sort()).toEqual(["close", "ping", "tcp", "tls", "total", "upgrade"]);
  });

  it.each([
    [["check", "not-a-url"], "is not a ws:// or wss:// URL"],
    [["soak", "ws://127.0.0.1:1/ws"], "required option '--duration <duration>' not specified"],
    [["soak", "ws://127.0.0.1:1/ws", "--duration", "5x"], '"5x" is not a duration'],
    [
      ["soak", "ws://127.0.0.1:1/ws", "--duration", "1s", "--echo"],
      "--echo needs a --message template carrying {seq}",
    ],
    [["check", "ws://127.0.0.1:1/ws", "--ca", "/nonexistent.pem"], "--ca /nonexistent.pem: no such file"],
    [["frobnicate"], "unknown command 'frobnicate'"],
  ])("usage error %j: exit 2", async (args, message) => {
    const r = await runCli(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
  });

  it("soak --json FILE --svg FILE: the summary on stdout, the report and the chart on disk", async () => {
    const json = path.join(tmp, "report.json");
    const svg = path.join(tmp, "chart.svg");
    // 2 s with 5 loopback connections (each opens in milliseconds; 0.15 s stalls were seen under
    // load); 5 misses in a row, a second of silence, before a connection counts as dead.
    const r = await runCli(
      ["soak", echo.url, "--duration", "2s", "--connections", "5", "--heartbeat", "200ms"].concat([
        "--max-missed",
        "5",
        "--json",
        json,
        "--svg",
        svg,
      ]),
    );
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^wsprobe soak ws:\/\/.* \(ended by duration\), 5 connections, heartbeat 200ms\n/,
    );
    expect(r.stdout).toContain("open at end   5/5");
    const report = JSON.parse(fs.readFileSync(json, "utf8"));
    expect(report.drops.total).toBe(0);
    expect(report.connections.openAtEnd).toBe(5);
    const chart = fs.readFileSync(svg, "utf8");
    expect(chart.startsWith("<svg")).toBe(true);
    expect(chart).toContain("RTT per window");
  });

  it("Ctrl-C ends a soak early with the report so far", async () => {
    // Ctrl-C once the soak holds its 3 connections (the server saw them): not after a fixed time,
    // which a slow start (tsx compiling the CLI) can outlast, so that Node's default SIGINT kills it.
    const before = echo.accepted;
    const r = await runCli(
      ["soak", echo.url, "--duration", "30s", "--connections", "3", "--heartbeat", "100ms"],
      {
        onSpawn: (child) => void until(() => echo.accepted >= before + 3).then(() => child.kill("SIGINT")),
      },
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("(ended by signal), 3 connections");
  });

  it("monitor serves /metrics with the lifetime buckets asked for, and exits 0 on SIGTERM", async () => {
    let scraped = "";
    const r = await runCli(
      [
        "monitor",
        echo.url,
        "--metrics-port",
        "0",
        "--metrics-host",
        "127.0.0.1",
        "--heartbeat",
        "100ms",
        "--expected-lifetime",
        "3600s",
        "--short-lifetime",
        "3540s",
      ],
      {
        onSpawn: (child) => {
          let err = "";
          child.stderr?.on("data", async (d) => {
            err += d;
            const port = /127\.0\.0\.1:(\d+)\/metrics/.exec(err)?.[1];
            if (!port || scraped) return;
            scraped = "pending";
            // Until the connection is up and one heartbeat was answered, however long that takes.
            await until(async () => {
              scraped = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
              return /^wsprobe_up 1$/m.test(scraped) && /^wsprobe_rtt_seconds_count [1-9]/m.test(scraped);
            });
            child.kill("SIGTERM");
          });
        },
      },
    );
    expect(r.code).toBe(0);
    expect(scraped).toMatch(/^wsprobe_up 1$/m);
    expect(scraped).toMatch(/^wsprobe_rtt_seconds_count [1-9]\d*$/m);
    expect(scraped).toMatch(/^wsprobe_connection_duration_seconds_bucket\{le="3540"\} 0$/m);
    expect(scraped).toMatch(/^wsprobe_connection_duration_seconds_bucket\{le="3600"\} 0$/m);
  });
});
