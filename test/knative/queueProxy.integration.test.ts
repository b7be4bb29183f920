/**
 * The real queue-proxy on the data path: wsprobe -> HAProxy (wss, the L4 component's haproxy.cfg)
 * -> Knative's queue-proxy (Knative 1.21 and 1.22, built by `e2e/toolchain.sh knative`, started with
 * the environment the revision reconciler gives it) -> a `ws` echo app, all on 127.0.0.1. Each test
 * measures what the L4 path's connection budget (planL4's, for the same settings) predicts for the
 * queue-proxy hop:
 * 1. `timeoutSeconds` caps a WebSocket's life within 10%, heartbeats or not; the queue-proxy has no
 *    idle timer (a silent connection straight to it lives to the cap), HAProxy's is the path's;
 * 2. why the Service patch sets responseStartTimeoutSeconds and idleTimeoutSeconds to 0: either
 *    timer above 0 cuts a heartbeating WebSocket when it fires (it cannot see upgraded traffic);
 * 3. SIGTERM: 1.21 cuts open WebSockets when it exits after its 30 s drain sleep; 1.22 keeps them
 *    (echoing) for at most 60 s more, then cuts the rest and exits.
 *
 * Timing: every lower bound is exact (a timer cannot fire before it was started, which is after the
 * client started its clock or sent the signal); upper bounds are the issue's 10% for the cap, and for
 * the drain, the source's figure plus a slack derived from this run's own queue-proxy startup time
 * (a loaded machine starts it and reacts to its timers later alike). Needs the toolchain's queue-1.21
 * and queue-1.22 and Debian's haproxy: skipped with the reason printed when missing, failing under
 * CI=true. The queue-proxy binds 8022 and 9090 (fixed in Knative, every interface), so this file
 * runs one queue-proxy at a time; no other test file starts one.
 */
import * as fs from "node:fs";
import * as http from "node:http";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { WebSocketServer } from "ws";
import { queueProxyDrainSeconds, QUEUE_PROXY_DRAIN_SLEEP_SECONDS } from "../../components/budget/hops";
import { limitingHops } from "../../components/budget/model";
import { renderHaproxyConfig } from "../../components/l4/haproxy";
import { haproxyParamsFor } from "../../components/l4/haproxy";
import { planL4 } from "../../components/l4/plan";
import {
  QUEUE_PROXY_DRAIN_PATH,
  QUEUE_PROXY_FIXED_PORTS,
  QUEUE_PROXY_RELEASES,
  QueueProxyRelease,
  queueProxyEnv,
  revisionFromPlan,
  sigtermCutSeconds,
} from "../../e2e/queueProxy";
import { describeWith, UNDER_CI } from "../../e2e/requirements";
import { KNATIVE_QUEUE, toolchainBinary } from "../../e2e/toolchain";
import { recordFigures } from "../helpers/figures";
import { l4Args } from "../helpers/fixtures";
import {
  findHaproxy,
  freePort,
  makeCertificate,
  RunningHaproxy,
  startEchoServer,
  startHaproxy,
  tempDir,
} from "../l4/harness";
import {
  kubeletProbe,
  openProbes,
  probe,
  ProbeRecord,
  RunningQueueProxy,
  sleep,
  startQueueProxy,
  stopProbes,
  waitForDrops,
} from "./harness";

const HAPROXY = findHaproxy();
const RELEASES: QueueProxyRelease[] = ["1.21", "1.22"];

if (!HAPROXY && UNDER_CI) {
  test("haproxy is installed (required under CI=true)", () => {
    throw new Error(
      "haproxy not found on PATH or in /usr/sbin: CI must install the Debian package `haproxy`",
    );
  });
} else if (!HAPROXY) {
  console.warn("skipping the queue-proxy integration tests: no haproxy binary (apt-get install haproxy)");
}

/** The L4 path's plan for a revision with this timeoutSeconds on this release (HAProxy idle timer 3 s). */
function planFor(release: QueueProxyRelease, timeoutSeconds: number) {
  return planL4(
    "qp",
    l4Args({
      websocket: { heartbeatSeconds: 1, minLifetimeSeconds: timeoutSeconds },
      knative: {
        minScale: 1,
        timeoutSeconds,
        cluster: { maxRevisionTimeoutSeconds: 600, version: release },
      },
      tls: {
        mode: "terminate",
        certificate: { secretName: "qp-tls" },
        haproxy: { timeouts: { tunnelSeconds: 3 } },
      },
    }),
  );
}

const TITLE = "the real queue-proxy between HAProxy and a ws app";
if (HAPROXY) describeWith(KNATIVE_QUEUE, TITLE, suite);
else describe.skip(TITLE, suite);

function suite(): void {
  let dir: string;
  let cert: { certPath: string; certPem: string };
  let echo: Awaited<ReturnType<typeof startEchoServer>>;
  let haproxy: RunningHaproxy | undefined;
  let qp: RunningQueueProxy | undefined;
  let probes: ProbeRecord[] = [];

  beforeAll(async () => {
    dir = tempDir();
    cert = makeCertificate(dir);
    echo = await startEchoServer();
  });

  afterEach(async () => {
    // Whatever the test's outcome: no client, HAProxy or queue-proxy outlives it.
    await stopProbes(probes);
    probes = [];
    await qp?.kill();
    qp = undefined;
    await haproxy?.stop();
    haproxy = undefined;
  });

  afterAll(async () => {
    if (echo) await new Promise<void>((resolve) => (echo.server as WebSocketServer).close(() => resolve()));
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  /** The queue-proxy of `release` for `plan`'s revision (with `over` on its env), and HAProxy in front. */
  async function startPath(
    release: QueueProxyRelease,
    plan: ReturnType<typeof planFor>,
    over: Record<string, string> = {},
  ): Promise<{ wss: string; direct: string }> {
    const servingPort = await freePort();
    const rev = revisionFromPlan(plan.backend, plan.knativePlan!, {
      userPort: echo.port,
      servingPort,
      servingTlsPort: await freePort(),
      podIp: "127.0.0.1",
    });
    qp = await startQueueProxy(toolchainBinary(QUEUE_PROXY_RELEASES[release].binary)!, {
      ...queueProxyEnv(rev),
      ...over,
    });
    const port = await freePort();
    const params = haproxyParamsFor(plan);
    const cfg = path.join(dir, `haproxy-${port}.cfg`);
    fs.writeFileSync(
      cfg,
      renderHaproxyConfig({
        ...params,
        bindAddress: "127.0.0.1",
        bindPort: port,
        certPath: cert.certPath,
        servers: params.servers.map((s) => ({ ...s, address: "127.0.0.1", port: servingPort })),
        health: { bindAddress: "127.0.0.1", port: await freePort() },
        runtimeDir: dir,
        log: false,
        maxconn: 200,
      }),
    );
    haproxy = await startHaproxy(HAPROXY!, cfg, port);
    return { wss: `wss://localhost:${port}/ws`, direct: `ws://127.0.0.1:${servingPort}/ws` };
  }

  /** The status of a GET on 127.0.0.1 (0 when nothing answered), however long it takes. */
  const httpStatus = (port: number, urlPath: string) =>
    new Promise<number>((resolve) => {
      http
        .get({ host: "127.0.0.1", port, path: urlPath }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        })
        .on("error", () => resolve(0));
    });
  const servingPortOf = (url: string) => Number(new URL(url).port);
  const lifetime = (r: ProbeRecord) => r.drop!.lifetimeMs;
  /** Lower bound of a timer started at the queue-proxy: it started after the client's handshake began. */
  const sinceStart = (r: ProbeRecord) => r.drop!.lifetimeMs + r.handshakeMs!;

  describe.each(RELEASES)("Knative %s", (release) => {
    const CAP = 8;

    test(`timeoutSeconds ${CAP} caps a heartbeating WebSocket within 10%; no idle timer at the queue-proxy, HAProxy's 3 s is the path's`, async () => {
      const plan = planFor(release, CAP);
      const budget = plan.budget;
      const limits = limitingHops(budget);
      // What the budget predicts for these settings.
      expect([budget.lifetimeCapSeconds, limits.lifetime?.name]).toEqual([CAP, "queue-proxy"]);
      expect([budget.effectiveIdleTimeoutSeconds, limits.idle?.name]).toEqual([3, "haproxy"]);
      expect(budget.hops.find((h) => h.name === "queue-proxy")?.idleTimeoutSeconds).toBeNull();

      const urls = await startPath(release, plan);
      const ca = cert.certPem;
      const busy = await openProbes(urls.wss, 3, { heartbeatMs: 1000, ca });
      const silent = await openProbes(urls.wss, 2, { heartbeatMs: 0, ca });
      const direct = await openProbes(urls.direct, 2, { heartbeatMs: 0 });
      probes = [...busy, ...silent, ...direct];
      await waitForDrops(probes, 3 * CAP * 1000);

      recordFigures(`queue-proxy ${release} lifetime cap`, {
        capMs: CAP * 1000,
        heartbeatingMs: busy.map(lifetime),
        silentThroughHaproxyMs: silent.map(lifetime),
        silentDirectMs: direct.map(lifetime),
        handshakeMs: probes.map((r) => r.handshakeMs),
        startupMs: qp!.startupMs,
      });
      const capMs = CAP * 1000;
      for (const r of [...busy, ...direct]) {
        // Cut by the cap, not earlier, and within 10% after it; a TCP close without a close frame.
        expect(sinceStart(r)).toBeGreaterThanOrEqual(capMs);
        expect(lifetime(r)).toBeLessThanOrEqual(capMs * 1.1);
        expect([r.drop!.code, r.drop!.cause]).toEqual([1006, "connection_lost"]);
      }
      for (const r of busy) {
        // Every heartbeat was answered until the cut: 1 s beats over a life of about CAP s.
        expect(r.echoesReceived).toBeGreaterThanOrEqual(CAP - 2);
        expect(r.lost).toBeLessThanOrEqual(1);
      }
      for (const r of silent) {
        // HAProxy's tunnel timer (3 s) cut them, well before the cap.
        expect(sinceStart(r)).toBeGreaterThanOrEqual(3000);
        expect(lifetime(r)).toBeLessThan(capMs);
      }
    }, 60_000);

    test.each([
      ["idleTimeoutSeconds", "REVISION_IDLE_TIMEOUT_SECONDS"],
      ["responseStartTimeoutSeconds", "REVISION_RESPONSE_START_TIMEOUT_SECONDS"],
    ])(
      "%s 2 (not what the patch sets) cuts a heartbeating WebSocket at 2 s",
      async (_field, variable) => {
        const plan = planFor(release, CAP);
        const urls = await startPath(release, plan, { [variable]: "2" });
        probes = await openProbes(urls.direct, 2, { heartbeatMs: 250 });
        await waitForDrops(probes, 3 * CAP * 1000);
        recordFigures(`queue-proxy ${release} ${variable}=2`, { lifetimesMs: probes.map(lifetime) });
        for (const r of probes) {
          expect(sinceStart(r)).toBeGreaterThanOrEqual(2000);
          expect(lifetime(r)).toBeLessThanOrEqual(2200);
          // Busy all along: echoes came back every 250 ms until the cut.
          expect(r.echoesReceived).toBeGreaterThanOrEqual(4);
        }
      },
      60_000,
    );
  });

  describe("SIGTERM with open WebSockets (timeoutSeconds 300)", () => {
    const TIMEOUT = 300;

    test.each(RELEASES)(
      "Knative %s: what the budget predicts",
      async (release) => {
        const plan = planFor(release, TIMEOUT);
        const drain = queueProxyDrainSeconds(release);
        const urls = await startPath(release, plan);
        const keep = await openProbes(urls.wss, 2, { heartbeatMs: 1000, ca: cert.certPem });
        const leave = await openProbes(urls.wss, 2, { heartbeatMs: 1000, ca: cert.certPem });
        probes = [...keep, ...leave];
        const openedBy = performance.now();
        const sigterm = qp!.terminate();
        const slackMs = 1000 + 5 * qp!.startupMs;
        const exitAt = qp!.exited;
        // The kubelet sees the pod unready as soon as the signal is handled (the drainer answers its
        // probe 503), within the slack.
        let ready = await kubeletProbe(servingPortOf(urls.direct));
        while (ready === 200 && performance.now() - sigterm < slackMs) {
          await sleep(10);
          ready = await kubeletProbe(servingPortOf(urls.direct));
        }
        const unreadyMs = performance.now() - sigterm;
        expect(ready).toBe(503);

        let late: ProbeRecord | undefined;
        let leftAt: number | undefined;
        if (drain > 0) {
          // Past the drain sleep, the connections still carry traffic; a new one is refused.
          await sleep((QUEUE_PROXY_DRAIN_SLEEP_SECONDS + 5) * 1000 - (performance.now() - sigterm));
          const echoesBefore = leave.map((r) => r.echoesReceived);
          await sleep(2500);
          leave.forEach((r, i) => expect(r.echoesReceived).toBeGreaterThan(echoesBefore[i]));
          late = probe(urls.wss, 99, { heartbeatMs: 0, ca: cert.certPem });
          probes.push(late);
          leftAt = performance.now();
          await Promise.all(leave.map((r) => r.client.stop()));
        }
        const predictedS = sigtermCutSeconds(release, TIMEOUT, (sigterm - openedBy) / 1000);
        await waitForDrops(keep, (predictedS + 30) * 1000);
        const exited = await exitAt;

        const cutMs = keep.map((r) => r.droppedAt! - sigterm);
        recordFigures(`queue-proxy ${release} SIGTERM`, {
          predictedCutMs: predictedS * 1000,
          cutMs,
          exitMs: exited - sigterm,
          unreadyByMs: unreadyMs,
          slackMs,
          startupMs: qp!.startupMs,
          leftByClientMs: leftAt === undefined ? null : leftAt - sigterm,
        });
        expect(predictedS).toBe(QUEUE_PROXY_DRAIN_SLEEP_SECONDS + drain);
        for (const [i, r] of keep.entries()) {
          // Not before the prediction (the timers start after the signal), not long after it, and
          // together with the process's exit: the exit is what cuts them.
          expect(cutMs[i]).toBeGreaterThanOrEqual(predictedS * 1000);
          expect(cutMs[i]).toBeLessThanOrEqual(predictedS * 1000 + slackMs);
          expect(Math.abs(r.droppedAt! - exited)).toBeLessThanOrEqual(slackMs);
          expect([r.drop!.code, r.drop!.cause]).toEqual([1006, "connection_lost"]);
          // Echoes kept coming until the last second before the cut.
          expect(r.droppedAt! - r.lastEchoAt!).toBeLessThanOrEqual(1000 + slackMs);
        }
        if (late) {
          await waitForDrops([late], 30_000);
          expect(late.openedAt).toBeUndefined();
          expect(late.failure).toBeDefined();
        }
      },
      200_000,
    );

    test("Knative 1.22, the pod stop as the kubelet runs it: the app's SIGTERM comes when the drain sleep ends, and the drain keeps only what the app keeps", async () => {
      const plan = planFor("1.22", TIMEOUT);
      const urls = await startPath("1.22", plan);
      probes = await openProbes(urls.wss, 2, { heartbeatMs: 1000, ca: cert.certPem });
      const slackMs = 1000 + 5 * qp!.startupMs;
      // The kubelet runs the user container's preStop hook (GET /wait-for-drain on the queue-proxy's
      // admin port) and signals the queue-proxy, which has no hook, at the same moment.
      const preStop = httpStatus(QUEUE_PROXY_FIXED_PORTS.admin, QUEUE_PROXY_DRAIN_PATH);
      const sigterm = qp!.terminate();
      expect(await preStop).toBe(200);
      const appSigterm = performance.now();
      // The hook returned: the kubelet now signals the app, which closes its sockets ("going away"),
      // as a ws server shutting down does (Node's default on SIGTERM, exiting, cuts them instead).
      for (const socket of echo.server.clients) socket.close(1001, "going away");
      await waitForDrops(probes, 30_000);
      const exited = await qp!.exited;

      recordFigures("queue-proxy 1.22 pod stop", {
        preStopMs: appSigterm - sigterm,
        closedMs: probes.map((r) => r.droppedAt! - sigterm),
        exitMs: exited - sigterm,
        slackMs,
      });
      expect(appSigterm - sigterm).toBeGreaterThanOrEqual(QUEUE_PROXY_DRAIN_SLEEP_SECONDS * 1000);
      expect(appSigterm - sigterm).toBeLessThanOrEqual(QUEUE_PROXY_DRAIN_SLEEP_SECONDS * 1000 + slackMs);
      for (const r of probes) {
        // The app's close frame went through the queue-proxy and HAProxy: a clean 1001.
        expect([r.drop!.code, r.drop!.cause]).toEqual([1001, "server_close"]);
        expect(r.droppedAt! - appSigterm).toBeLessThanOrEqual(slackMs);
      }
      // With no upgraded connection left, 1.22 exits at its next poll (each second), not at 90 s.
      expect(exited - appSigterm).toBeLessThanOrEqual(1000 + slackMs);
    }, 120_000);
  });
}
