#!/usr/bin/env node
import * as fs from "node:fs";
import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import { parseBackoff } from "./backoff";
import { ChartPackagesMissingError, renderSvg } from "./chart";
import { runCheck } from "./check";
import { type ConnectOptions, parseConnectTo, parseHeaders } from "./connectOptions";
import { parseDuration } from "./durations";
import { startMonitor } from "./monitor";
import { ttyProgress } from "./progress";
import { runSoak } from "./soak";
import { checkSummary, soakSummary } from "./summary";
import { UsageError } from "./usage";

/** Exit codes: 0 the endpoint did what was asked, 1 it failed, 2 the command line is wrong. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

const duration = (value: string) => wrap(() => parseDuration(value));
const backoff = (value: string) => wrap(() => parseBackoff(value));
const count = (min: number) => (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`expected a whole number >= ${min}`);
  return n;
};
const collect = (value: string, previous: string[]) => [...previous, value];

function wrap<T>(parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
}

function url(value: string): string {
  if (!/^(wss?|https?):\/\/[^/]/.test(value))
    throw new InvalidArgumentError(`"${value}" is not a ws:// or wss:// URL`);
  return value;
}

function connectTo(value: string): string {
  wrap(() => parseConnectTo(value));
  return value;
}

function withConnectOptions(cmd: Command): Command {
  return cmd
    .option("--header <name:value>", "request header (repeatable)", collect, [] as string[])
    .option("--ca <file>", "PEM file of the CA(s) to trust for wss://")
    .option("--insecure", "accept any server certificate")
    .option(
      "--connect-to <host[:port]>",
      "dial this address instead of the URL's host (SNI, certificate check and Host header stay the URL's)",
      connectTo,
    )
    .option("--deflate", "offer permessage-deflate (off by default: ~185 KB per connection)")
    .addOption(new Option("--max-payload <bytes>", "largest message accepted").argParser(count(1)));
}

/** Options of every command that holds connections (soak, monitor); the help texts differ only where the behaviour does. */
function withHoldOptions(cmd: Command, help: { heartbeat: string; backoff: string }): Command {
  return cmd
    .option("--connections <n>", "connections to hold", count(1), 1)
    .option("--heartbeat <duration>", help.heartbeat, duration, 5000)
    .option("--max-missed <n>", "unanswered heartbeats in a row before a connection is dead", count(1), 2)
    .option("--backoff <initial,cap>", help.backoff, backoff)
    .option("--jitter", "draw each reconnect delay from [d/2, d]")
    .option("--timeout <duration>", "opening handshake timeout", duration, 10_000);
}

interface ConnectFlags {
  header: string[];
  ca?: string;
  insecure?: boolean;
  connectTo?: string;
  deflate?: boolean;
  maxPayload?: number;
}

function connectOptions(flags: ConnectFlags): ConnectOptions {
  if (flags.ca && !fs.existsSync(flags.ca)) throw new UsageError(`--ca ${flags.ca}: no such file`);
  return {
    headers: parseHeaders(flags.header),
    caFile: flags.ca,
    insecure: flags.insecure,
    connectTo: flags.connectTo,
    perMessageDeflate: flags.deflate,
    maxPayloadBytes: flags.maxPayload,
  };
}

export function buildProgram(
  io: { stdout: NodeJS.WriteStream; stderr: NodeJS.WriteStream },
  exit: (code: number) => void,
) {
  const program = new Command("wsprobe")
    .description("Verify, soak and monitor a WebSocket endpoint")
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) });

  withConnectOptions(program.command("check").argument("<url>", "ws:// or wss:// URL", url))
    .description("connect once: timings, TLS, one heartbeat, clean close")
    .option("--timeout <duration>", "limit for the handshake, the heartbeat and the close", duration, 5000)
    .option("--message <template>", "app heartbeat to send instead of a ping ({seq}, {conn}, {ts})")
    .option("--json", "print one JSON object instead of text")
    .action(
      async (target: string, flags: ConnectFlags & { timeout: number; message?: string; json?: boolean }) => {
        const result = await runCheck({
          ...connectOptions(flags),
          url: target,
          timeoutMs: flags.timeout,
          message: flags.message,
        });
        io.stdout.write((flags.json ? JSON.stringify(result) : checkSummary(result)) + "\n");
        exit(result.ok ? EXIT.ok : EXIT.failed);
      },
    );

  withHoldOptions(withConnectOptions(program.command("soak").argument("<url>", "ws:// or wss:// URL", url)), {
    heartbeat: "heartbeat interval (0 = none)",
    backoff: "reconnect delays, doubling from initial up to cap",
  })
    .description("hold N connections for a duration and report drops, RTT, lifetimes, reconnects")
    .requiredOption("--duration <duration>", "how long, e.g. 10m", duration)
    .option("--max-attempts <n>", "reconnect attempts before a client gives up", count(0), 10)
    .option("--ramp <per-second>", "new connections per second while ramping up", count(1), 1000)
    .option("--message <template>", "app heartbeat message ({seq}, {conn}, {ts})")
    .option("--echo", "the server echoes --message: count sequence gaps")
    .option("--json <file>", "write the full report as JSON ('-' for stdout)")
    .option("--svg <file>", "write a chart of RTT over time and of connection lifetimes")
    .option(
      "--no-tls-reuse",
      "full TLS handshake on every reconnect (default: resume the session, like a real client)",
    )
    .action(async (target: string, flags: SoakFlags) => {
      const controller = new AbortController();
      const onSigint = () => (controller.signal.aborted ? process.exit(130) : controller.abort());
      process.on("SIGINT", onSigint);
      const tty = io.stderr.isTTY === true;
      try {
        const report = await runSoak({
          ...connectOptions(flags),
          url: target,
          durationMs: flags.duration,
          connections: flags.connections,
          heartbeatMs: flags.heartbeat,
          maxMissedHeartbeats: flags.maxMissed,
          backoff: { ...flags.backoff, maxAttempts: flags.maxAttempts, jitter: flags.jitter ?? false },
          rampPerSecond: flags.ramp,
          handshakeTimeoutMs: flags.timeout,
          message: flags.message,
          echo: flags.echo,
          reuseTlsSessions: flags.tlsReuse,
          signal: controller.signal,
          onProgress: tty ? ttyProgress(io.stderr, flags.duration) : undefined,
          progressIntervalMs: 500,
        });
        if (tty) io.stderr.write("\n");
        const summary = soakSummary(report) + "\n";
        if (flags.json === "-") {
          io.stderr.write(summary);
          io.stdout.write(JSON.stringify(report, null, 2) + "\n");
        } else {
          io.stdout.write(summary);
          if (flags.json) fs.writeFileSync(flags.json, JSON.stringify(report, null, 2) + "\n");
        }
        if (flags.svg) {
          try {
            fs.writeFileSync(flags.svg, await renderSvg(report));
          } catch (err) {
            io.stderr.write(
              err instanceof ChartPackagesMissingError
                ? `wsprobe: ${err.message}\n`
                : `wsprobe: --svg failed: ${(err as Error).message}\n`,
            );
            return exit(EXIT.failed);
          }
        }
        exit(report.connections.opens === 0 ? EXIT.failed : EXIT.ok);
      } finally {
        process.off("SIGINT", onSigint);
      }
    });

  withHoldOptions(
    withConnectOptions(program.command("monitor").argument("<url>", "ws:// or wss:// URL", url)),
    {
      heartbeat: "heartbeat interval",
      backoff: "reconnect delays, doubling from initial up to cap (retries forever)",
    },
  )
    .description("hold the connection(s) forever and serve Prometheus metrics on /metrics (and /healthz)")
    .option("--metrics-port <port>", "port for /metrics and /healthz", count(0), 9464)
    .option("--metrics-host <address>", "address to listen on", "0.0.0.0")
    .option(
      "--expected-lifetime <duration>",
      "adds this lifetime (the one the path promises) as a histogram bucket",
      duration,
    )
    .option(
      "--short-lifetime <duration>",
      "adds this lifetime as a histogram bucket: drops at or below it are short (alerting)",
      duration,
    )
    .action(async (target: string, flags: MonitorFlags) => {
      const handle = await startMonitor({
        ...connectOptions(flags),
        url: target,
        metricsPort: flags.metricsPort,
        metricsHost: flags.metricsHost,
        heartbeatMs: flags.heartbeat,
        connections: flags.connections,
        maxMissedHeartbeats: flags.maxMissed,
        backoff: { ...flags.backoff, jitter: flags.jitter ?? false },
        handshakeTimeoutMs: flags.timeout,
        expectedMinLifetimeSeconds:
          flags.expectedLifetime === undefined ? undefined : flags.expectedLifetime / 1000,
        shortLifetimeSeconds: flags.shortLifetime === undefined ? undefined : flags.shortLifetime / 1000,
      });
      io.stderr.write(
        `wsprobe monitor ${target}: metrics on http://${flags.metricsHost}:${handle.port}/metrics\n`,
      );
      await new Promise<void>((resolve) => {
        const stop = () => void handle.close().then(resolve);
        process.once("SIGTERM", stop);
        process.once("SIGINT", stop);
      });
      exit(EXIT.ok);
    });
  return program;
}

interface SoakFlags extends ConnectFlags {
  duration: number;
  connections: number;
  heartbeat: number;
  maxMissed: number;
  backoff?: { initialMs: number; maxMs: number };
  maxAttempts: number;
  jitter?: boolean;
  ramp: number;
  timeout: number;
  message?: string;
  echo?: boolean;
  json?: string;
  svg?: string;
  /** commander's --no-tls-reuse: true unless given. */
  tlsReuse: boolean;
}

interface MonitorFlags extends ConnectFlags {
  metricsPort: number;
  metricsHost: string;
  heartbeat: number;
  connections: number;
  maxMissed: number;
  backoff?: { initialMs: number; maxMs: number };
  jitter?: boolean;
  timeout: number;
  expectedLifetime?: number;
  shortLifetime?: number;
}

/** Runs the CLI; resolves with the exit code instead of exiting, so it can be driven in-process. */
export async function main(
  argv: string[],
  io = { stdout: process.stdout, stderr: process.stderr },
): Promise<number> {
  let code: number = EXIT.ok;
  const program = buildProgram(io, (c) => (code = c));
  try {
    await program.parseAsync(argv);
    return code;
  } catch (err) {
    if (err instanceof CommanderError) {
      return err.code === "commander.helpDisplayed" || err.code === "commander.version" || err.exitCode === 0
        ? EXIT.ok
        : EXIT.usage;
    }
    if (err instanceof UsageError) {
      io.stderr.write(`wsprobe: ${(err as Error).message}\n`);
      return EXIT.usage;
    }
    throw err;
  }
}

if (require.main === module) {
  main(process.argv).then(
    (code) => {
      // Let stdout drain (a JSON report on a pipe); exit anyway if something still holds the loop.
      process.exitCode = code;
      setTimeout(() => process.exit(code), 1000).unref();
    },
    (err) => {
      process.stderr.write(`wsprobe: ${(err as Error).stack ?? err}\n`);
      process.exit(EXIT.failed);
    },
  );
}
