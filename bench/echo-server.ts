/**
 * A `ws` echo server in its own process: a plain ws:// listener and, with --cert/--key, a wss://
 * listener (TLS in Node) on the same event loop. It echoes every message and answers pings (ws
 * does that itself); it never closes a connection, so every drop a client sees is a false drop.
 * It prints one JSON line `{"ws":port,"wss":port}` when listening; SIGTERM prints
 * `{"connections":n,"serverCloses":0}` and exits.
 *   npx tsx bench/echo-server.ts [--port N] [--tls-port N --cert FILE --key FILE]
 */
import * as fs from "node:fs";
import * as https from "node:https";
import * as net from "node:net";
import { WebSocketServer } from "ws";

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

let connections = 0;
const servers: WebSocketServer[] = [];

function echo(wss: WebSocketServer): WebSocketServer {
  wss.on("connection", (ws) => {
    connections++;
    ws.on("error", () => undefined);
    ws.on("message", (data, isBinary) => ws.send(data, { binary: isBinary }));
  });
  servers.push(wss);
  return wss;
}

async function main(): Promise<void> {
  const plain = echo(
    new WebSocketServer({
      host: "127.0.0.1",
      port: Number(arg("port") ?? 0),
      perMessageDeflate: false,
      backlog: 4096,
    }),
  );
  await new Promise<void>((r) => plain.once("listening", () => r()));
  const ports: { ws: number; wss?: number } = { ws: (plain.address() as net.AddressInfo).port };
  const cert = arg("cert");
  const key = arg("key");
  if (cert && key) {
    const tlsServer = https.createServer({ cert: fs.readFileSync(cert), key: fs.readFileSync(key) });
    echo(new WebSocketServer({ server: tlsServer, perMessageDeflate: false }));
    await new Promise<void>((r) => tlsServer.listen(Number(arg("tls-port") ?? 0), "127.0.0.1", 4096, r));
    ports.wss = (tlsServer.address() as net.AddressInfo).port;
  }
  console.log(JSON.stringify(ports));
}

process.on("SIGTERM", () => {
  console.log(JSON.stringify({ connections, serverCloses: 0 }));
  for (const s of servers) for (const c of s.clients) c.terminate();
  process.exit(0);
});

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
