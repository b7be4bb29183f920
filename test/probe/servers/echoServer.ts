import * as http from "node:http";
import * as https from "node:https";
import type { AddressInfo } from "node:net";
import { WebSocket, WebSocketServer, type ServerOptions } from "ws";

/** A ws server on 127.0.0.1 that misbehaves as asked. Every test closes it in afterAll. */
export interface TestServerOptions {
  /** Close each connection after this many ms with `closeCode`. */
  closeAfterMs?: number;
  closeCode?: number;
  /** Accept only this many upgrades; refuse the rest with HTTP 503. */
  acceptOnly?: number;
  /** Refuse every upgrade with this HTTP status. */
  refuseStatus?: number;
  /** Do not echo every k-th message (by the seq in the message, so the test knows which). */
  dropEveryKth?: number;
  /** Send one message of this size on connect (to trip the client's maxPayload). */
  sendOnConnectBytes?: number;
  /** Destroy the TCP socket (no close frame) this many ms after the upgrade. */
  resetAfterMs?: number;
  /** Passed to the ws server, e.g. { autoPong: false } to stop answering pings. */
  ws?: Partial<ServerOptions>;
  tls?: { key: string | Buffer; cert: string | Buffer };
}

export interface TestServer {
  url: string;
  port: number;
  /** Upgrades accepted so far. */
  accepted: number;
  /** Echoes withheld on purpose. */
  droppedEchoes: number;
  /** Pings received on each accepted connection, in the order of acceptance (each one answered unless `ws.autoPong` is false). */
  pingsByConnection: number[];
  pause(): void;
  close(): Promise<void>;
}

export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const server = options.tls ? https.createServer(options.tls) : http.createServer();
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, ...options.ws });
  const state: TestServer = {
    url: "",
    port: 0,
    accepted: 0,
    droppedEchoes: 0,
    pingsByConnection: [],
    pause: () => (paused = true),
    close: async () => {
      for (const client of wss.clients) client.terminate();
      server.closeAllConnections();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  let paused = false;
  server.on("upgrade", (req, socket, head) => {
    const status =
      options.refuseStatus ??
      (paused || (options.acceptOnly !== undefined && state.accepted >= options.acceptOnly) ? 503 : 0);
    if (status) {
      socket.end(
        `HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`,
      );
      return;
    }
    state.accepted++;
    wss.handleUpgrade(req, socket, head, (ws) => serve(ws, options, state));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  state.port = (server.address() as AddressInfo).port;
  state.url = `${options.tls ? "wss" : "ws"}://127.0.0.1:${state.port}/ws`;
  return state;
}

function serve(ws: WebSocket, options: TestServerOptions, state: TestServer): void {
  ws.on("error", () => undefined);
  const index = state.pingsByConnection.push(0) - 1;
  ws.on("ping", () => state.pingsByConnection[index]++);
  ws.on("message", (data, isBinary) => {
    const seq = /"seq":(\d+)/.exec(data.toString());
    if (options.dropEveryKth && seq && Number(seq[1]) % options.dropEveryKth === 0) {
      state.droppedEchoes++;
      return;
    }
    ws.send(data, { binary: isBinary });
  });
  if (options.sendOnConnectBytes) ws.send(Buffer.alloc(options.sendOnConnectBytes, 120));
  const timers: NodeJS.Timeout[] = [];
  if (options.closeAfterMs !== undefined)
    timers.push(setTimeout(() => ws.close(options.closeCode ?? 1001, "bye"), options.closeAfterMs));
  if (options.resetAfterMs !== undefined)
    timers.push(
      setTimeout(
        () => (ws as unknown as { _socket: import("node:net").Socket })._socket.resetAndDestroy(),
        options.resetAfterMs,
      ),
    );
  ws.on("close", () => timers.forEach(clearTimeout));
}
