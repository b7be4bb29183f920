"use strict";
/* global setTimeout, URL */
/**
 * The stand-in for messaging-service's app in the e2e node's revision pods: a WebSocket echo server
 * on `ws` (the project's own pinned dependency, copied into the image). It listens on $PORT (Knative
 * gives the user container PORT=8080), echoes every message on the path $WS_PATH (default /ws) and
 * answers any plain HTTP request 200, which is what queue-proxy's default readiness check asks.
 */
const http = require("node:http");
const { WebSocketServer } = require("ws");

const port = Number(process.env.PORT || 8080);
const wsPath = process.env.WS_PATH || "/ws";

const server = http.createServer((req, res) => {
  res.writeHead(200, { "content-type": "text/plain" });
  res.end(`${process.env.HOSTNAME || "echo"}\n`);
});
const wss = new WebSocketServer({ noServer: true });
server.on("upgrade", (req, socket, head) => {
  if (new URL(req.url, "http://x").pathname !== wsPath) {
    socket.end("HTTP/1.1 404 Not Found\r\n\r\n");
    return;
  }
  wss.handleUpgrade(req, socket, head, (ws) => {
    ws.on("message", (data, isBinary) => ws.send(data, { binary: isBinary }));
  });
});
// Knative stops the user container with SIGTERM after queue-proxy's drain; close what is left.
process.on("SIGTERM", () => {
  for (const ws of wss.clients) ws.close(1001, "going away");
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 2000).unref();
});
server.listen(port, () => console.log(JSON.stringify({ listening: port, path: wsPath })));
