/**
 * One handshake load process of the bench's `incluster` part, run inside the node's network
 * namespace (several at once, so the client is not what limits the count):
 *   node --import tsx bench/incluster-handshakes.ts '<HandshakeLoad JSON>'
 * `concurrency` loops each open a TLS connection to host:port (SNI `servername`, trusting `caFile`),
 * wait for the handshake and for the session HAProxy hands over after it (TLS 1.3: a
 * NewSessionTicket, up to a second), and close it, until `endAt`; only handshakes finished within
 * [startAt, endAt) (epoch ms) count. Both kinds take the session, so HAProxy does the same work for
 * each but the resumption: `full` never offers it, `resumed` offers each loop's previous one, which
 * HAProxy resumes from its session cache. Prints one JSON line, a HandshakeCount.
 */
import * as fs from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import * as tls from "node:tls";

export interface HandshakeLoad {
  host: string;
  port: number;
  servername: string;
  caFile: string;
  mode: "full" | "resumed";
  concurrency: number;
  startAt: number;
  endAt: number;
}

export interface HandshakeCount {
  handshakes: number;
  resumed: number;
  errors: number;
  firstError?: string;
  /** This process's CPU seconds (user + system) within the counted interval. */
  cpuSeconds: number;
}

const SESSION_WAIT_MS = 1000;

function handshakeOnce(load: HandshakeLoad, ca: Buffer, session: Buffer | undefined) {
  return new Promise<{ reused: boolean; session?: Buffer }>((resolve, reject) => {
    const socket = tls.connect({
      host: load.host,
      port: load.port,
      servername: load.servername,
      ca,
      session,
      ALPNProtocols: ["http/1.1"],
    });
    let next: Buffer | undefined;
    let timer: NodeJS.Timeout | undefined;
    const done = () => {
      clearTimeout(timer);
      const reused = socket.isSessionReused();
      socket.destroy();
      resolve({ reused, session: next });
    };
    socket.once("error", (e) => {
      clearTimeout(timer);
      socket.destroy();
      reject(e);
    });
    socket.once("secureConnect", () => {
      if (next) return done();
      socket.once("session", (s: Buffer) => {
        next = s;
        done();
      });
      timer = setTimeout(done, SESSION_WAIT_MS);
    });
    socket.once("session", (s: Buffer) => (next = s));
  });
}

async function main(): Promise<void> {
  const load = JSON.parse(process.argv[2]) as HandshakeLoad;
  const ca = fs.readFileSync(load.caFile);
  const count: HandshakeCount = { handshakes: 0, resumed: 0, errors: 0, cpuSeconds: 0 };
  let cpuAtStart: NodeJS.CpuUsage | undefined;
  const startTimer = setTimeout(
    () => (cpuAtStart = process.cpuUsage()),
    Math.max(0, load.startAt - Date.now()),
  );
  const loop = async () => {
    let session: Buffer | undefined;
    while (Date.now() < load.endAt) {
      try {
        const r = await handshakeOnce(load, ca, session);
        if (load.mode === "resumed" && r.session) session = r.session;
        const now = Date.now();
        if (now >= load.startAt && now < load.endAt) {
          count.handshakes += 1;
          if (r.reused) count.resumed += 1;
        }
      } catch (e) {
        count.errors += 1;
        count.firstError ??= String((e as Error).message ?? e);
        await sleep(50);
      }
    }
  };
  await Promise.all(Array.from({ length: load.concurrency }, loop));
  clearTimeout(startTimer);
  const used = process.cpuUsage(cpuAtStart);
  count.cpuSeconds = (used.user + used.system) / 1e6;
  process.stdout.write(`${JSON.stringify(count)}\n`);
}

main().catch((e) => {
  process.stdout.write(`${JSON.stringify({ error: String((e as Error).stack ?? e) })}\n`);
  process.exit(1);
});
