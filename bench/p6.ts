/**
 * P6: the paced drain at full size (issue 22 item 2), measured by a client that is not the
 * bottleneck. P4's one client process ran seconds late at 9,400 connections, so its arrival figure
 * measured the client. Here the soak is split over forked processes (bench/p6-client.ts), each with
 * its own event loop measured by monitorEventLoopDelay; the rest is P4's set-up
 * (support/drainScenario.ts): the rendered HAProxy config on 127.0.0.1 with shared ticket keys, the
 * `ws` echo server in its own process, and the drain driver (components/l4/haproxy/drainDriver.js --watch).
 * One reload, paced (P4 has the baseline without pacing). See bench/README.md.
 */
import { ChildProcess, fork } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { makeCertificate } from "../support/certs";
import {
  DRAIN_HEADROOM,
  drainMaxconn,
  driverEndOf,
  killHaproxies,
  startDriver,
  type DriverEnd,
  ECHO_SERVER,
  echoClosesIn,
  loopbackHaproxyConfig,
  perSecond,
  startHaproxy,
  startProcess,
  workersOf,
  stop,
  ticketKeysFile,
  type LoopDelay,
  type Started,
} from "../support/drainScenario";
import { fleetArrivals, splitConnections, worstLoopDelay, type FleetArrivals } from "./lib/clientFleet";
import { freePort, tempDir } from "./lib/proc";
import { sleep, waitUntil } from "../support/wait";
import type { FleetMessage, FleetRequest, FleetSoak } from "./p6-client";

export const P6_GOALS = {
  arrivalRatio: 1.25,
  /** The condition under which the arrival figure is the drain's, not the client's. */
  clientLoopP99Ms: 50,
};

/** How often a long wait says how far it got. */
const PROGRESS_LOG_MS = 15_000;

export interface P6Options {
  haproxyBin: string;
  connections: number;
  processes: number;
  windowSeconds: number;
  hardStopAfterSeconds: number;
  heartbeatMs: number;
  /** How long the connections are held with nothing else going on, for the at-rest loop delay. */
  restMs: number;
  /** New connections a second over every process. */
  rampPerSecond: number;
  fdLimit: number;
  stepTimeoutMs: number;
  log: (line: string) => void;
}

export interface P6Result {
  connections: number;
  processes: number;
  windowSeconds: number;
  /** The worst process's event-loop delay at rest and during the drain (its index among them). */
  clientLoopDelayMs: { rest: LoopDelay & { process: number }; drain: LoopDelay & { process: number } };
  /** Every process's p99 at rest and during the drain, ms. */
  clientLoopP99PerProcessMs: { rest: number[]; drain: number[] };
  arrivals: FleetArrivals;
  serverClosesPerSecond: number[];
  /** HAProxy's busiest second of closes (the echo server's view) / (N/W): the drain's own pacing. */
  serverCloseRatio: number;
  allBackAfterReloadMs: number;
  reconnects: number;
  resumed: number;
  drops: number;
  allBack: boolean;
  lostMessages: number;
  driver: DriverEnd | undefined;
}

export interface P6Goal {
  measured: string;
  goal: string;
  met: boolean;
}

/** The goals of issue 22 item 2, judged from one run's figures. Pure. */
export function judgeP6(r: P6Result): P6Goal[] {
  const rest = r.clientLoopDelayMs.rest;
  const drain = r.clientLoopDelayMs.drain;
  return [
    {
      measured: `client event-loop delay at rest, worst of ${r.processes} processes (#${rest.process}): p99 ${rest.p99.toFixed(1)} ms (max ${rest.max.toFixed(0)} ms; during the drain p99 ${drain.p99.toFixed(1)} ms, #${drain.process})`,
      goal: `< ${P6_GOALS.clientLoopP99Ms} ms p99 (the client is not the bottleneck)`,
      met: rest.p99 < P6_GOALS.clientLoopP99Ms,
    },
    {
      measured: `drain of ${r.connections} over ${r.windowSeconds} s: busiest second ${r.arrivals.busiestSecond} reconnect arrivals = ${r.arrivals.arrivalRatio.toFixed(2)} x N/W (HAProxy's closes: busiest ${r.serverCloseRatio.toFixed(2)} x)`,
      goal: `<= ${P6_GOALS.arrivalRatio} x N/W`,
      met: r.arrivals.arrivalRatio <= P6_GOALS.arrivalRatio,
    },
    {
      measured: `drops ${r.drops}, every client back ${r.allBack}, lost acknowledged messages ${r.lostMessages}`,
      goal: `${r.connections} drops, all back, 0 lost`,
      met: r.drops === r.connections && r.allBack && r.lostMessages === 0,
    },
  ];
}

/** One forked client process and what it last said. */
class ClientProcess {
  readonly child: ChildProcess;
  progress = { open: 0, drops: 0, exhausted: 0 };
  private waiting: { type: FleetMessage["type"]; resolve: (m: FleetMessage) => void } | undefined;
  private failure: string | undefined;
  private stopped = false;

  constructor() {
    this.child = fork(path.join(__dirname, "p6-client.ts"), [], {
      execArgv: ["--import", "tsx"],
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    this.child.on("message", (m: FleetMessage) => {
      if (m.type === "progress") this.progress = m;
      else if (m.type === "error") this.failure = m.message;
      else if (this.waiting?.type === m.type) this.waiting.resolve(m);
    });
    this.child.on("exit", (code, signal) => {
      if (!this.stopped) this.failure ??= `client process exited (${code ?? signal}) before it was stopped`;
    });
  }

  get failed(): string | undefined {
    return this.failure;
  }

  tell(request: FleetRequest): void {
    if (request.op === "stop") this.stopped = true;
    this.child.send(request);
  }

  /** Sends `request` and waits for the answer of type `type`. */
  async ask<T extends FleetMessage["type"]>(
    request: FleetRequest,
    type: T,
    timeoutMs: number,
  ): Promise<Extract<FleetMessage, { type: T }>> {
    let reply: FleetMessage | undefined;
    this.waiting = { type, resolve: (m) => (reply = m) };
    this.tell(request);
    await waitUntil(
      `client process ${this.child.pid}'s ${type}`,
      () => {
        if (this.failure) throw new Error(`client process ${this.child.pid}: ${this.failure}`);
        return reply !== undefined;
      },
      timeoutMs,
    );
    this.waiting = undefined;
    return reply as Extract<FleetMessage, { type: T }>;
  }
}

export async function runP6(o: P6Options): Promise<P6Result> {
  const N = o.connections;
  const maxconn = Math.min(Math.max(5000, N + DRAIN_HEADROOM), drainMaxconn(o.fdLimit));
  if (N + DRAIN_HEADROOM > maxconn)
    throw new Error(
      `P6: ${N} connections do not fit HAProxy's maxconn ${maxconn} (${o.fdLimit} open files) with ${DRAIN_HEADROOM} to spare: ` +
        `use at most ${maxconn - DRAIN_HEADROOM}, or raise the open-files limit`,
    );
  const shares = splitConnections(N, o.processes);
  o.log(
    `P6: drain of ${N} wss:// connections over ${o.processes} client processes (${shares[0]} each at most), ` +
      `window ${o.windowSeconds} s, heartbeat ${o.heartbeatMs} ms, ${o.haproxyBin}`,
  );
  const dir = tempDir("p6");
  const processes: Started[] = [];
  const haproxyPids: number[] = [];
  const clients: ClientProcess[] = [];
  try {
    const cert = makeCertificate(dir);
    const ticketsPath = path.join(dir, "tls-ticket-keys");
    fs.writeFileSync(ticketsPath, ticketKeysFile(), { mode: 0o600 });
    const echo = startProcess(process.execPath, ["-e", ECHO_SERVER]);
    processes.push(echo);
    await waitUntil("the echo server", () => /port \d+/.test(echo.output()), o.stepTimeoutMs);
    const echoPort = Number(/port (\d+)/.exec(echo.output())![1]);

    const port = await freePort();
    const cfgPath = path.join(dir, "haproxy.cfg");
    fs.writeFileSync(
      cfgPath,
      loopbackHaproxyConfig(o, {
        port,
        echoPort,
        certPath: cert.certPath,
        ticketKeysPath: ticketsPath,
        runtimeDir: dir,
        maxconn,
      }),
    );
    const socket = path.join(dir, "master.sock");
    const haproxy = await startHaproxy(o.haproxyBin, cfgPath, socket, port, o.stepTimeoutMs);
    processes.push(haproxy);
    const master = haproxy.child.pid as number;
    haproxyPids.push(master);
    const workers = workersOf(master, haproxyPids);

    const soak: Omit<FleetSoak, "connections"> = {
      url: `wss://localhost:${port}/ws`,
      caFile: cert.certPath,
      heartbeatMs: o.heartbeatMs,
      rampPerSecond: Math.max(1, Math.round(o.rampPerSecond / o.processes)),
    };
    for (const share of shares) {
      const c = new ClientProcess();
      clients.push(c);
      c.tell({ op: "soak", soak: { ...soak, connections: share } });
    }
    const sum = (f: (c: ClientProcess) => number) => clients.reduce((n, c) => n + f(c), 0);
    const open = () => sum((c) => c.progress.open);
    const drops = () => sum((c) => c.progress.drops);
    let loggedAt = Date.now();
    const waitFor = (what: string, ok: () => boolean) =>
      waitUntil(
        what,
        () => {
          const failed = clients.find((c) => c.failed);
          if (failed) throw new Error(`client process ${failed.child.pid}: ${failed.failed}`);
          if (Date.now() - loggedAt >= PROGRESS_LOG_MS) {
            loggedAt = Date.now();
            o.log(`P6: waiting for ${what}: open ${open()}, drops ${drops()}`);
          }
          return ok();
        },
        o.stepTimeoutMs,
      ).catch((e: Error) => {
        throw new Error(`${e.message} (open ${open()}, drops ${drops()})`);
      });
    const askAll = <T extends FleetMessage["type"]>(request: FleetRequest, type: T) =>
      Promise.all(clients.map((c) => c.ask(request, type, o.stepTimeoutMs)));
    const markAll = () => clients.forEach((c) => c.tell({ op: "mark" }));

    await waitFor(`${N} open`, () => open() === N);
    await sleep(o.heartbeatMs + 500); // a heartbeat round on every connection
    if (drops() > 0) throw new Error(`${drops()} drops before the reload`);

    o.log(`P6: ${N} open; ${o.restMs / 1000} s at rest`);
    markAll();
    await sleep(o.restMs);
    const rest = await askAll({ op: "phase" }, "phase");

    const driver = await startDriver(socket, o.windowSeconds);
    processes.push(driver);
    const before = workers();
    const closesBefore = echoClosesIn(echo.output()).length;
    markAll();
    const reloadAt = Date.now();
    process.kill(master, "SIGUSR2");
    o.log("P6: reload (paced drain)");
    await waitFor("every old connection dropped", () => drops() >= N);
    await waitFor("every connection back", () => open() === N);
    const allBackAfterReloadMs = Date.now() - reloadAt;
    await waitFor("the old worker to exit", () => !workers().some((p) => before.includes(p)));
    const cuts = () =>
      echoClosesIn(echo.output())
        .slice(closesBefore)
        .filter((c) => c.code === 1006);
    await waitFor(`the echo server to log the ${N} cuts`, () => cuts().length >= N);
    const drain = await askAll({ op: "phase" }, "phase");
    const driverEnd = driverEndOf(driver.output());

    await sleep(o.heartbeatMs + 500); // a heartbeat round on the reconnected ones
    const reports = await askAll({ op: "stop" }, "report");

    const serverCloses = cuts().map((c) => c.atMs);
    const serverClosesPerSecond = perSecond(serverCloses, Math.min(...serverCloses));
    return {
      connections: N,
      processes: o.processes,
      windowSeconds: o.windowSeconds,
      clientLoopDelayMs: {
        rest: worstLoopDelay(rest.map((p) => p.loopDelayMs)),
        drain: worstLoopDelay(drain.map((p) => p.loopDelayMs)),
      },
      clientLoopP99PerProcessMs: {
        rest: rest.map((p) => p.loopDelayMs.p99),
        drain: drain.map((p) => p.loopDelayMs.p99),
      },
      arrivals: fleetArrivals(drain, N, o.windowSeconds),
      serverClosesPerSecond,
      serverCloseRatio: Math.max(...serverClosesPerSecond) / (N / o.windowSeconds),
      allBackAfterReloadMs,
      reconnects: drain.reduce((n, p) => n + p.reconnects, 0),
      resumed: drain.reduce((n, p) => n + p.resumed, 0),
      drops: reports.reduce((n, r) => n + r.drops, 0),
      allBack: reports.reduce((n, r) => n + r.openAtEnd, 0) === N && reports.every((r) => r.exhausted === 0),
      lostMessages: reports.reduce((n, r) => n + r.lostMessages, 0),
      driver: driverEnd,
    };
  } finally {
    for (const c of clients) if (c.child.connected) c.child.disconnect();
    for (const c of clients)
      if (c.child.exitCode === null && c.child.signalCode === null)
        await new Promise((r) => {
          const timer = setTimeout(() => c.child.kill("SIGKILL"), 10_000);
          c.child.once("exit", () => r(clearTimeout(timer)));
        });
    for (const p of processes.reverse()) await stop(p);
    killHaproxies(haproxyPids);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** P6's keys in the bench's JSON line. Pure. */
export function p6Keys(r: P6Result): Record<string, unknown> {
  const round = (v: number, digits = 1) => Number(v.toFixed(digits));
  return {
    drain_full_connections: r.connections,
    drain_full_client_processes: r.processes,
    drain_full_window_s: r.windowSeconds,
    drain_full_arrival_ratio: round(r.arrivals.arrivalRatio, 2),
    // The condition of the measurement: the worst client process's p99 with the N held and nothing draining.
    drain_full_client_loop_p99_ms: round(r.clientLoopDelayMs.rest.p99),
    drain_full_client_loop_p99_ms_during_drain: round(r.clientLoopDelayMs.drain.p99),
    drain_full_lost_messages: r.lostMessages,
    drain_full_all_back: r.allBack,
    p6_figures: {
      arrivals_per_second: r.arrivals.arrivalsPerSecond,
      server_closes_per_second: r.serverClosesPerSecond,
      server_close_ratio: round(r.serverCloseRatio, 2),
      drop_spread_ms: Math.round(r.arrivals.dropSpreadMs),
      all_back_after_reload_ms: r.allBackAfterReloadMs,
      drops: r.drops,
      reconnects: r.reconnects,
      resumed: r.resumed,
      client_loop_max_ms: {
        rest: round(r.clientLoopDelayMs.rest.max, 0),
        drain: round(r.clientLoopDelayMs.drain.max, 0),
      },
      client_loop_p99_ms_per_process: {
        rest: r.clientLoopP99PerProcessMs.rest.map((v) => round(v)),
        drain: r.clientLoopP99PerProcessMs.drain.map((v) => round(v)),
      },
      driver: r.driver ?? null,
    },
  };
}
