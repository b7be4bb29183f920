/**
 * Graceful rollouts on the L4 path, with the real HAProxy (Debian's 2.6 and the pods' 3.2) on 127.0.0.1 running the
 * config the L4 renderer produces (loopback addresses, a throwaway certificate, hard-stop-after 5 s,
 * close-spread-time 2 s). wsprobe's soak (its library API, the iOS reconnect profile scaled down to
 * 100 ms .. 1 s) holds 1000 heartbeating wss:// connections through a reload (SIGUSR2 to the master)
 * while wsprobe checks open new connections through it; its report is the evidence.
 *
 * Skipped (with the reason printed) when haproxy or openssl is missing, except under CI=true.
 * About 15 s on an idle machine; every process is killed in afterAll.
 *
 * Timing: the test waits for events (1000 open, a new worker, every drop, every reconnect), each
 * bounded only against a hang, and asserts what HAProxy and wsprobe guarantee on any machine: counts,
 * order, and times from below (nothing closed before hard-stop-after). How soon after
 * hard-stop-after the closes come, how close together, and how fast 1000 clients are back depend
 * on the machine's load (5.8 s instead of < 5 s was seen on a loaded 2-core machine): those are
 * bench/p3.ts's goals, from the figures this test records.
 */
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import { ECHO_SERVER } from "../../support/drainScenario";
import * as path from "path";
import { renderHaproxyConfig } from "../../components/l4/haproxy";
import { haproxyParamsFor } from "../../components/l4/haproxy";
import { planL4 } from "../../components/l4/plan";
import { runCheck, runSoak, type SoakProgress, type SoakReport } from "../../probe";
import { recordFigures } from "../helpers/figures";
import { baseArgs } from "../l4/fixtures";
import {
  canConnect,
  requireHaproxies,
  freePort,
  makeCertificate,
  STARTUP_TIMEOUT_MS,
  tempDir,
  workerPids,
} from "../l4/harness";
import { settlesWithin, sleep, waitUntil, withTimeoutDetail } from "../../support/wait";

/**
 * A `ws` echo server in its own process (so its clock is not held up by the 1000 clients' TLS work):
 * prints its port, then one line per closed connection with the close code and the time (ms) it
 * saw the close. HAProxy cutting a connection is a 1006 there; a client's own close is a 1000.
 */

interface EchoProcess {
  child: ChildProcess;
  port: number;
  closes: { code: number; at: number }[];
}

async function startEchoProcess(cwd: string): Promise<EchoProcess> {
  const child = spawn(process.execPath, ["-e", ECHO_SERVER], { cwd, stdio: ["ignore", "pipe", "pipe"] });
  const closes: EchoProcess["closes"] = [];
  let buffered = "";
  let resolvePort: (port: number) => void = () => undefined;
  const port = new Promise<number>((resolve) => (resolvePort = resolve));
  child.stdout?.on("data", (d) => {
    buffered += d.toString();
    const lines = buffered.split("\n");
    buffered = lines.pop() as string;
    for (const line of lines) {
      const [word, value, at] = line.split(" ");
      if (word === "port") resolvePort(Number(value));
      else if (word === "close") closes.push({ code: Number(value), at: Number(at) });
    }
  });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error("the echo server did not start")), STARTUP_TIMEOUT_MS);
  });
  try {
    return { child, port: await Promise.race([port, timeout]), closes };
  } finally {
    clearTimeout(timer);
  }
}

const CONNECTIONS = 1000;
const HARD_STOP_AFTER_S = 5;
const IDLE_TIMEOUT_S = 60;
const CLOSE_SPREAD_S = 2;
const BACKOFF = { initialMs: 100, maxMs: 1000, maxAttempts: 10, jitter: false };
/**
 * Only stops a hang. A handshake failing on time would count as a failed attempt and a reconnect,
 * which is not what this test is about: 1000 TLS handshakes on a loaded 2-core machine queue for
 * seconds (the default 10 s limit was hit, with 805 of 1000 clients retrying after 16 s).
 */
const HANDSHAKE_TIMEOUT_MS = 60_000;
/** Longest wait for any one step (1000 open, every drop, every reconnect): a bound against a hang. */
const STEP_TIMEOUT_MS = 120_000;

for (const { haproxy, describe: describeWith } of requireHaproxies("the rollout integration test")) {
  describeWith(
    `rollout: HAProxy reload under 1000 heartbeating wss:// connections, HAProxy ${haproxy.version}`,
    () => suite(haproxy.binary),
  );
}

function suite(haproxyBin: string): void {
  let dir: string;
  let haproxy: ChildProcess | undefined;
  let masterPid = 0;
  const workersSeen = new Set<number>();
  let echo: EchoProcess | undefined;
  const abort = new AbortController();
  let soak: Promise<SoakReport> | undefined;

  afterAll(async () => {
    abort.abort();
    await soak?.catch(() => undefined);
    for (const pid of workerPids(masterPid)) workersSeen.add(pid);
    if (haproxy && haproxy.exitCode === null && haproxy.signalCode === null) {
      const exited = new Promise((r) => haproxy!.once("exit", r));
      haproxy.kill("SIGTERM");
      await settlesWithin(exited, 3000);
      if (haproxy.exitCode === null && haproxy.signalCode === null) haproxy.kill("SIGKILL");
    }
    // Workers (ours, by pid) that outlived their master.
    for (const pid of workersSeen) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
    if (echo && echo.child.exitCode === null) {
      const exited = new Promise((r) => echo!.child.once("exit", r));
      echo.child.kill("SIGKILL");
      await exited;
    }
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  test(
    "0 drops and 0 refused through the reload; after hard-stop-after every old connection is back on the first backoff step",
    async () => {
      dir = tempDir();
      const cert = makeCertificate(dir);
      echo = await startEchoProcess(path.join(__dirname, "../.."));
      const port = await freePort();

      // The component's own plan and config, with short shutdown timers.
      const plan = planL4(
        "rollout",
        baseArgs({
          websocket: { heartbeatSeconds: 1, minLifetimeSeconds: 60 },
          knative: { minScale: 1, cluster: { maxRevisionTimeoutSeconds: 600 } },
          tls: {
            mode: "terminate",
            certificate: { secretName: "rollout-tls" },
            haproxy: {
              // HAProxy's idle timer: far above the heartbeat, so that only the reload ends a
              // connection. A client busy with 1000 TLS handshakes can miss its heartbeats for
              // seconds on a loaded machine (10 s cut 261 of 1000 before the reload).
              timeouts: { tunnelSeconds: IDLE_TIMEOUT_S },
              preStopSeconds: 1,
              hardStopAfterSeconds: HARD_STOP_AFTER_S,
              closeSpreadSeconds: CLOSE_SPREAD_S,
            },
          },
        }),
      );
      const params = haproxyParamsFor(plan);
      const config = renderHaproxyConfig({
        ...params,
        bindAddress: "127.0.0.1",
        bindPort: port,
        certPath: cert.certPath,
        servers: params.servers.map((s) => ({ ...s, address: "127.0.0.1", port: echo!.port })),
        health: undefined,
        runtimeDir: dir,
        log: false,
        // Two workers x (client + server side) x 1000 plus the reconnects: well under the fd limit.
        maxconn: 5000,
      });
      expect(config).toContain(`hard-stop-after ${HARD_STOP_AFTER_S}s`);
      expect(config).toContain(`close-spread-time ${CLOSE_SPREAD_S}s`);
      const cfgPath = path.join(dir, "haproxy.cfg");
      fs.writeFileSync(cfgPath, config);

      // `exec` keeps the pid: it is the master's. The soft fd limit is raised to the hard one.
      haproxy = spawn(
        "/bin/sh",
        ["-c", `ulimit -n "$(ulimit -Hn)"; exec "$0" -W -db -f "$1"`, haproxyBin, cfgPath],
        {
          stdio: ["ignore", "pipe", "pipe"],
        },
      );
      let haproxyOut = "";
      haproxy.stdout?.on("data", (d) => (haproxyOut += d.toString()));
      haproxy.stderr?.on("data", (d) => (haproxyOut += d.toString()));
      masterPid = haproxy.pid as number;
      const listening = waitUntil(
        `haproxy to listen on ${port}`,
        () => canConnect(port),
        STARTUP_TIMEOUT_MS,
        50,
      );
      await withTimeoutDetail(listening, () => `:\n${haproxyOut}`);

      // Samples of the soak's progress, every 10 ms, timed from the test's clock.
      const samples: (SoakProgress & { at: number })[] = [];
      const url = `wss://localhost:${port}/ws`;
      soak = runSoak({
        url,
        caFile: cert.certPath,
        // Ended by the test (abort) once every connection is back; this only bounds a hang. A fixed
        // minute ended the soak before the reconnects on a machine at load average 29.
        durationMs: 8 * STEP_TIMEOUT_MS,
        connections: CONNECTIONS,
        heartbeatMs: 1000,
        // Heartbeats keep HAProxy's idle timer from cutting; declaring a connection dead is not
        // what this test is about, and a client starved by its own TLS work reads pongs late.
        maxMissedHeartbeats: IDLE_TIMEOUT_S - 1,
        backoff: BACKOFF,
        rampPerSecond: 500,
        handshakeTimeoutMs: HANDSHAKE_TIMEOUT_MS,
        signal: abort.signal,
        progressIntervalMs: 10,
        onProgress: (p) => samples.push({ ...p, at: Date.now() }),
      });
      const latest = () => samples[samples.length - 1];
      let soakEnded = false;
      void soak.then(
        () => (soakEnded = true),
        () => (soakEnded = true),
      );
      /** Waits for what the soak's progress shows; fails with the soak's latest progress. */
      const waitFor = async (what: string, ok: () => boolean) => {
        try {
          await waitUntil(
            what,
            () => {
              if (soakEnded) throw new Error(`the soak ended before ${what}`);
              return latest() !== undefined && ok();
            },
            STEP_TIMEOUT_MS,
          );
        } catch (err) {
          throw new Error(`${(err as Error).message} (soak: ${JSON.stringify(latest())})`);
        }
      };
      await waitFor("1000 open connections", () => latest().open === CONNECTIONS);
      await sleep(1000); // a heartbeat round on every connection
      if (latest().drops > 0) {
        // Say which: the report has the causes.
        abort.abort();
        throw new Error(`drops before the reload: ${JSON.stringify((await soak).drops)}`);
      }
      const oldWorkers = workerPids(masterPid);
      oldWorkers.forEach((p) => workersSeen.add(p));

      // The second client: wsprobe checks (TLS, upgrade, ping, close) through the reload, every
      // 50 ms from 0.5 s before it until the new worker shows up, and a burst of 20 at once both at
      // the signal and when the new worker shows up: at least 40, whatever the machine's pace (on a
      // loaded one, a loop turn can take seconds while 1000 clients reconnect, so "40 at a 50 ms
      // pace" could take minutes). A check that opened on the old worker and was still running at
      // hard-stop-after (a slow one, on a loaded machine) is cut there, like every connection the old
      // worker holds: that is neither a refusal nor a drop through the reload. Any other failure is.
      const checks = {
        ok: 0,
        failed: [] as string[],
        cutAtHardStop: 0,
        startedAt: [] as number[],
      };
      let reloadAt = Infinity;
      const inFlight: Promise<void>[] = [];
      const check = () => {
        checks.startedAt.push(Date.now());
        inFlight.push(
          runCheck({ url, caFile: cert.certPath, timeoutMs: HANDSHAKE_TIMEOUT_MS }).then(
            (r) => {
              const cutAtHardStop =
                (r.error?.step === "ping" || r.error?.step === "close") &&
                Date.now() >= reloadAt + HARD_STOP_AFTER_S * 1000 - 300;
              if (r.ok) checks.ok++;
              else if (cutAtHardStop) checks.cutAtHardStop++;
              else checks.failed.push(`${r.error?.step}:${r.error?.kind}: ${r.error?.message}`);
            },
            (err: Error) => void checks.failed.push(err.message),
          ),
        );
      };
      const burst = () => Array.from({ length: 20 }, check);
      let checking = true;
      const checker = (async () => {
        while (checking) {
          check();
          await sleep(50);
        }
      })();

      // The workers when a new one first shows up (the old one is still there until hard-stop-after).
      let newWorkers: number[] = [];
      try {
        await sleep(500);
        reloadAt = Date.now();
        process.kill(masterPid, "SIGUSR2");
        burst();
        await waitFor("a new worker", () => {
          const workers = workerPids(masterPid);
          workers.forEach((p) => workersSeen.add(p));
          if (workers.some((p) => !oldWorkers.includes(p))) newWorkers = workers;
          return newWorkers.length > 0;
        });
        burst();
      } finally {
        checking = false;
        await checker;
        await Promise.all(inFlight);
      }

      // hard-stop-after: the old worker closes what it still holds; wsprobe reconnects them.
      await waitFor("every old connection dropped", () => latest().drops >= CONNECTIONS);
      await waitFor("every connection back", () => latest().open === CONNECTIONS);
      const backAt = latest().at;
      await sleep(1500); // the reconnected ones heartbeat on the new worker
      await waitUntil(
        "the old worker to exit",
        () => !workerPids(masterPid).some((p) => oldWorkers.includes(p)),
        STEP_TIMEOUT_MS,
      );
      const abortAt = Date.now();
      abort.abort();
      const report = await soak;
      const workersAfter = workerPids(masterPid);

      // Seen by the test's clock (a sample is taken after what it counts happened).
      const firstDropAt = samples.find((s) => s.drops > 0)!.at;
      const allDroppedAt = samples.find((s) => s.drops >= CONNECTIONS)!.at;
      const dropsBeforeHardStop = Math.max(
        0,
        ...samples.filter((s) => s.at < reloadAt + HARD_STOP_AFTER_S * 1000 - 300).map((s) => s.drops),
      );
      // The server side of HAProxy's cuts (1006, before the soak's end; the checks close with 1000),
      // seen by a process that does nothing else.
      const serverCloses = echo.closes
        .filter((c) => c.code === 1006 && c.at < abortAt)
        .map((c) => c.at)
        .sort((a, b) => a - b);
      const serverSpreadMs = serverCloses[serverCloses.length - 1] - serverCloses[0];
      const figures = {
        connections: CONNECTIONS,
        dropsDuringReload: dropsBeforeHardStop,
        newConnectionChecks: {
          ok: checks.ok,
          failed: checks.failed.length,
          cutAtHardStop: checks.cutAtHardStop,
          total: checks.startedAt.length,
        },
        firstCloseAfterReloadMs: firstDropAt - reloadAt,
        closeSpreadMs: { server: serverSpreadMs, client: allDroppedAt - firstDropAt },
        firstServerCloseAfterReloadMs: serverCloses[0] - reloadAt,
        allBackAfterFirstCloseMs: backAt - firstDropAt,
        drops: report.drops,
        reconnects: report.reconnects,
        failedAttempts: report.connections.failedAttemptsByCause,
        lifetimesMs: report.lifetimesMs,
        handshakeMs: report.handshakeMs,
        workers: { before: oldWorkers, afterReload: newWorkers, afterHardStop: workersAfter },
      };
      recordFigures("rollout", figures);

      // Through the reload: nothing dropped (until 0.3 s before hard-stop-after), nothing refused.
      expect(dropsBeforeHardStop).toBe(0);
      expect(checks.failed).toEqual([]);
      expect(checks.ok + checks.cutAtHardStop).toBe(checks.startedAt.length);
      expect(checks.startedAt.filter((t) => t >= reloadAt).length).toBeGreaterThanOrEqual(40);
      expect(newWorkers).toEqual(expect.arrayContaining(oldWorkers));
      expect(newWorkers.length).toBe(oldWorkers.length + 1);

      // At hard-stop-after, the old worker closed exactly the old connections, none sooner...
      expect(report.drops.total).toBe(CONNECTIONS);
      expect(firstDropAt - reloadAt).toBeGreaterThanOrEqual(HARD_STOP_AFTER_S * 1000 - 300);
      // ... and none within close-spread-time: HAProxy 2.6 does not spread the closes of WebSocket
      // tunnels (it spreads idle/HTTP keep-alive closes, from the reload on); hard-stop-after cuts
      // them together. If a HAProxy version starts spreading them, this fails: update
      // docs/OPERATIONS.md. Server side (an idle process): HAProxy's own cuts, exactly the old ones.
      expect(serverCloses.length).toBe(CONNECTIONS);
      expect(serverCloses[0] - reloadAt).toBeGreaterThanOrEqual(HARD_STOP_AFTER_S * 1000 - 300);
      // Every dropped connection had lived through the reload.
      expect(report.lifetimesMs.count).toBe(CONNECTIONS);
      expect(report.lifetimesMs.min).toBeGreaterThanOrEqual(HARD_STOP_AFTER_S * 1000);
      // ... with no close frame: TCP closed under the client (1006).
      expect(Object.keys(report.drops.byCode)).toEqual(["1006"]);

      // ... and every one came back through the profile's first steps, on the new worker.
      const attempts = report.reconnects.byAttempt;
      expect(attempts[0]).toMatchObject({
        attempt: 1,
        count: CONNECTIONS,
        plannedMs: { min: 100, max: 100 },
      });
      expect(attempts.every((a) => a.attempt <= 2)).toBe(true);
      expect(report.connections.exhausted).toBe(0);
      expect(report.connections.openAtEnd).toBe(CONNECTIONS);
      expect(report.connections.opens).toBe(2 * CONNECTIONS);
      expect(workersAfter).toEqual(newWorkers.filter((p) => !oldWorkers.includes(p)));
    },
    8 * STEP_TIMEOUT_MS,
  );
}
