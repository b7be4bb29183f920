/**
 * P1's load generator, in its own process (forked with an IPC channel by bench/p1.ts), so its CPU
 * and memory stay apart from the proxy's and the echo server's. Each request is one measurement:
 * - `rtt`: open `connections` sockets, then a closed loop on each (send a message, wait for its
 *   echo, send the next) until `messages` echoes came back; RTT per message into an HDR histogram.
 * - `handshake`: `count` connections one after the other; each timed from `new WebSocket()` to
 *   `open` (TCP connect + TLS handshake + HTTP upgrade), then terminated. No TLS session reuse:
 *   `ws` connects without an agent, so every handshake is a full one.
 * - `hold` / `release`: open `count` idle connections (`concurrency` at a time) and keep them, for
 *   the proxies' memory per idle connection; release terminates them.
 */
import { performance } from "node:perf_hooks";
import WebSocket from "ws";
import { settlesWithin } from "../support/wait";
import { newHistogram, recordMs, summarize } from "./lib/stats";

export type ClientRequest =
  | {
      op: "rtt";
      url: string;
      ca?: string;
      /** The TLS server name and Host header, when the URL names an address (the bench's incluster part). */
      servername?: string;
      connections: number;
      messages: number;
      payloadBytes: number;
    }
  | { op: "handshake"; url: string; ca?: string; count: number }
  | { op: "hold"; url: string; ca?: string; count: number; concurrency: number }
  | { op: "release" }
  | { op: "exit" };

const TIMEOUT_MS = 10_000;
const held: WebSocket[] = [];

function connect(url: string, ca: string | undefined, servername?: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const named = servername === undefined ? {} : { servername, headers: { host: servername } };
    const ws = new WebSocket(url, { ca, perMessageDeflate: false, handshakeTimeout: TIMEOUT_MS, ...named });
    ws.once("open", () => resolve(ws));
    ws.once("error", reject);
  });
}

async function rtt(r: Extract<ClientRequest, { op: "rtt" }>) {
  const h = newHistogram();
  const sockets = await Promise.all(
    Array.from({ length: r.connections }, () => connect(r.url, r.ca, r.servername)),
  );
  const payload = Buffer.alloc(r.payloadBytes, 120);
  let remaining = r.messages;
  const deadline = Date.now() + 120_000;
  await Promise.all(
    sockets.map(
      (ws) =>
        new Promise<void>((resolve, reject) => {
          let sentAt = 0;
          const next = () => {
            if (remaining <= 0 || Date.now() > deadline) return resolve();
            remaining--;
            sentAt = performance.now();
            ws.send(payload);
          };
          ws.on("message", () => {
            recordMs(h, performance.now() - sentAt);
            next();
          });
          ws.once("close", () => reject(new Error("closed during the RTT loop")));
          next();
        }),
    ),
  );
  for (const ws of sockets) ws.terminate();
  return summarize(h);
}

async function handshake(r: Extract<ClientRequest, { op: "handshake" }>) {
  const h = newHistogram();
  const deadline = Date.now() + 120_000;
  for (let i = 0; i < r.count && Date.now() < deadline; i++) {
    const t0 = performance.now();
    const ws = await connect(r.url, r.ca);
    recordMs(h, performance.now() - t0);
    const closed = new Promise((resolve) => ws.once("close", resolve));
    ws.terminate();
    await closed;
  }
  return summarize(h);
}

async function hold(r: Extract<ClientRequest, { op: "hold" }>) {
  const t0 = performance.now();
  let failed = 0;
  const deadline = Date.now() + 300_000;
  for (let i = 0; i < r.count && Date.now() < deadline; i += r.concurrency) {
    const batch = Array.from({ length: Math.min(r.concurrency, r.count - i) }, () =>
      connect(r.url, r.ca).then(
        (ws) => {
          ws.on("error", () => undefined);
          held.push(ws);
        },
        () => void failed++,
      ),
    );
    await Promise.all(batch);
  }
  return { opened: held.length, failed, ms: performance.now() - t0 };
}

async function release() {
  const closing = held.map((ws) => new Promise((resolve) => ws.once("close", resolve)));
  for (const ws of held) ws.terminate();
  await settlesWithin(Promise.all(closing), 10_000);
  const n = held.length;
  held.length = 0;
  return { released: n };
}

process.on("message", (r: ClientRequest) => {
  const run = async () => {
    switch (r.op) {
      case "rtt":
        return rtt(r);
      case "handshake":
        return handshake(r);
      case "hold":
        return hold(r);
      case "release":
        return release();
      case "exit":
        process.exit(0);
    }
  };
  run().then(
    (result) => process.send?.({ ok: true, result }),
    (e: Error) => process.send?.({ ok: false, error: String(e?.message ?? e) }),
  );
});
process.on("disconnect", () => process.exit(0));
