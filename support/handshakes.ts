/**
 * TLS handshakes against a local HAProxy, for the drain scenario's two references: the handshake
 * time at rest (paced wss:// handshakes that resume a session, as a reconnecting client's do) and
 * HAProxy's CPU time per handshake (bare TLS, full or resumed).
 */
import * as net from "node:net";
import * as tls from "node:tls";
import { performance } from "node:perf_hooks";
import WebSocket from "ws";
import { sleep, waitUntil } from "./wait";

/**
 * A TLS session of the server at `url`: one wss:// connection, closed once both its ticket and its
 * upgrade are there (one cut before its upgrade would never reach the echo server, whose closes the
 * drain scenario counts).
 */
function sessionOf(url: string, ca: Buffer, timeoutMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no TLS session ticket from ${url} in ${timeoutMs} ms`)),
      timeoutMs,
    );
    let session: Buffer | undefined;
    let open = false;
    const done = () => {
      if (!session || !open) return;
      clearTimeout(timer);
      ws.terminate();
      resolve(session);
    };
    const ws = new WebSocket(url, {
      ca,
      createConnection: ((o: tls.ConnectionOptions) => {
        const socket = tls.connect(o);
        // TLS 1.3 sends its tickets after the handshake.
        socket.once("session", (s: Buffer) => {
          session = s;
          done();
        });
        return socket;
      }) as unknown as WebSocket.ClientOptions["createConnection"],
    });
    ws.once("open", () => {
      open = true;
      done();
    });
    ws.once("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

export interface PacedHandshakes {
  /** Each handshake's time to open (TCP + TLS + upgrade), ms, in start order. */
  ms: number[];
  /** How many resumed the offered session. */
  resumed: number;
}

/**
 * `count` fresh wss:// handshakes started `perSecond` a second (not waiting for each other), each
 * offering one session of the server, as a reconnecting client offers its own; each is closed once
 * open. Started at the rate a paced drain's reconnects arrive, while nothing drains, they give the
 * handshake time "at rest" under the same load as the drain's reconnects.
 */
export async function pacedResumedHandshakes(
  url: string,
  ca: Buffer,
  count: number,
  perSecond: number,
  timeoutMs: number,
): Promise<PacedHandshakes> {
  const session = await sessionOf(url, ca, timeoutMs);
  const ms: number[] = new Array<number>(count);
  let resumed = 0;
  const one = (i: number) =>
    new Promise<void>((resolve, reject) => {
      const t0 = performance.now();
      const ws = new WebSocket(url, { ca, session, handshakeTimeout: timeoutMs } as WebSocket.ClientOptions);
      ws.once("upgrade", (res) => {
        if (res.socket instanceof tls.TLSSocket && res.socket.isSessionReused()) resumed++;
      });
      ws.once("open", () => {
        ms[i] = performance.now() - t0;
        ws.terminate();
        resolve();
      });
      ws.once("error", reject);
    });
  const started: Promise<void>[] = [];
  let failure: unknown;
  const t0 = performance.now();
  for (let i = 0; i < count && failure === undefined; i++) {
    const due = t0 + (i * 1000) / perSecond;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    // Caught at once: a failed handshake while the loop still paces must not be an unhandled rejection.
    started.push(one(i).catch((err) => void (failure ??= err)));
  }
  await Promise.all(started);
  if (failure !== undefined) throw failure;
  return { ms, resumed };
}

/** `count` bare TLS handshakes, 20 at a time; with `resume`, each offers the session of the first. Returns how many resumed. */
export async function tlsHandshakes(
  port: number,
  ca: Buffer,
  count: number,
  resume: boolean,
): Promise<number> {
  let session: Buffer | undefined;
  const one = () =>
    new Promise<boolean>((resolve, reject) => {
      const socket = tls.connect({ host: "127.0.0.1", port, servername: "localhost", ca, session });
      socket.on("session", (s: Buffer) => {
        if (resume && !session) session = s;
      });
      socket.once("secureConnect", () => {
        const reused = socket.isSessionReused();
        // TLS 1.3 tickets come after the handshake: wait a moment for one before closing.
        setTimeout(() => socket.destroy(), session || !resume ? 0 : 50);
        resolve(reused);
      });
      socket.once("error", reject);
    });
  if (resume) {
    await one();
    await waitUntil("a TLS session ticket", () => session !== undefined, 5000);
  }
  let resumed = 0;
  for (let done = 0; done < count; done += 20) {
    const batch = await Promise.all(Array.from({ length: Math.min(20, count - done) }, one));
    resumed += batch.filter(Boolean).length;
  }
  return resumed;
}

/** `count` TCP connections to `port`, 20 at a time, each closed as soon as it is open (no TLS handshake). */
export async function tcpConnects(port: number, count: number): Promise<void> {
  const one = () =>
    new Promise<void>((resolve, reject) => {
      const socket = net.connect(port, "127.0.0.1", () => {
        socket.destroy();
        resolve();
      });
      socket.once("error", reject);
    });
  for (let done = 0; done < count; done += 20) {
    await Promise.all(Array.from({ length: Math.min(20, count - done) }, one));
  }
}
