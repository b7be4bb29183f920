/**
 * The minimal reference client for P2: a bare `ws` loop doing what `wsprobe soak` does on the wire
 * and nothing else. It opens N connections at `ramp` per second; each pings every heartbeat from
 * its own timer and records ping->pong times (performance.now(), as wsprobe does) in an HDR
 * histogram. No reconnects, no statistics beyond that. Prints one JSON line when done.
 *   npx tsx bench/p2-reference.ts <url> <connections> <durationMs> [heartbeatMs=5000] [ramp=1000]
 */
import { performance } from "node:perf_hooks";
import WebSocket from "ws";
import { newHistogram, recordMs, summarize } from "./lib/stats";

const [url, n, duration, heartbeat, ramp] = process.argv.slice(2);
const connections = Number(n);
const durationMs = Number(duration);
const heartbeatMs = Number(heartbeat ?? 5000);
const rampPerSecond = Number(ramp ?? 1000);

const h = newHistogram();
const sockets: WebSocket[] = [];
const timers: NodeJS.Timeout[] = [];
let opened = 0;
let failed = 0;
let drops = 0;
let stopping = false;

function open(): void {
  const ws = new WebSocket(url, { perMessageDeflate: false });
  let sentAt = 0;
  ws.on("open", () => {
    opened++;
    timers.push(
      setInterval(() => {
        if (sentAt === 0) sentAt = performance.now();
        ws.ping();
      }, heartbeatMs),
    );
  });
  ws.on("pong", () => {
    if (sentAt !== 0) recordMs(h, performance.now() - sentAt);
    sentAt = 0;
  });
  ws.on("error", () => {
    if (ws.readyState !== WebSocket.OPEN) failed++;
  });
  ws.on("close", () => {
    if (!stopping) drops++;
  });
  sockets.push(ws);
}

const started = Date.now();
let made = 0;
const perTick = Math.max(1, Math.round(rampPerSecond / 100));
const ramper = setInterval(() => {
  for (let i = 0; i < perTick && made < connections; i++, made++) open();
  if (made >= connections) clearInterval(ramper);
}, 10);

setTimeout(() => {
  stopping = true;
  clearInterval(ramper);
  for (const t of timers) clearInterval(t);
  const openAtEnd = sockets.filter((s) => s.readyState === WebSocket.OPEN).length;
  for (const s of sockets) s.terminate();
  const rtt = summarize(h);
  console.log(
    JSON.stringify({ connections, opened, openAtEnd, failed, drops, elapsedMs: Date.now() - started, rtt }),
  );
  setTimeout(() => process.exit(0), 200);
}, durationMs);
