// A plain ws echo server in its own process, for measuring the probe alone:
//   npx tsx test/probe/bench/echo-server.ts 18080
import { WebSocketServer } from "ws";

const port = Number(process.argv[2] ?? 18080);
const wss = new WebSocketServer({ host: "127.0.0.1", port, perMessageDeflate: false, backlog: 4096 });
wss.on("connection", (ws) => {
  ws.on("error", () => undefined);
  ws.on("message", (data, isBinary) => ws.send(data, { binary: isBinary }));
});
wss.on("listening", () => console.log(`echo server on ws://127.0.0.1:${port}/ws`));
process.on("SIGTERM", () => wss.close(() => process.exit(0)));
