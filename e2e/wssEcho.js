"use strict";
/* global setTimeout, clearTimeout, URL */
/**
 * One WebSocket round trip for the real node's tests, run inside the node's network namespace
 * (`nsenter --net=...`, see node.ts `inNetns`): dials ADDRESS:PORT with the URL's host as SNI,
 * trusting only CA_FILE, sends MESSAGE, waits for the same text back, closes with 1000.
 *   node e2e/wssEcho.js URL ADDRESS:PORT CA_FILE MESSAGE
 * Prints one JSON line: { echoed, tls: { protocol, peerFingerprint256, peerSubjectAltName }, closeCode }
 * (echoed is the text that came back), or { error } and exits 1.
 */
const WebSocket = require("ws");

const [url, connectTo, caFile, message] = process.argv.slice(2);
const fs = require("node:fs");
const [address, port] = connectTo.split(":");
const target = new URL(url);
target.hostname = address;
target.port = port;

const out = { echoed: null, tls: null, closeCode: null };
const ws = new WebSocket(target.toString(), {
  servername: new URL(url).hostname,
  headers: { host: new URL(url).host },
  ca: fs.readFileSync(caFile),
  handshakeTimeout: 10000,
});
const fail = (error) => {
  console.log(JSON.stringify({ ...out, error: String(error && error.message ? error.message : error) }));
  process.exit(1);
};
const timer = setTimeout(() => fail("no echo within 10 s"), 10000);
ws.on("upgrade", (res) => {
  const socket = res.socket;
  const peer = socket.getPeerCertificate();
  out.tls = {
    protocol: socket.getProtocol(),
    peerFingerprint256: peer.fingerprint256,
    peerSubjectAltName: peer.subjectaltname,
  };
});
ws.on("open", () => ws.send(message));
ws.on("message", (data) => {
  out.echoed = data.toString();
  ws.close(1000, "done");
});
ws.on("close", (code) => {
  clearTimeout(timer);
  out.closeCode = code;
  console.log(JSON.stringify(out));
  process.exit(out.echoed === null ? 1 : 0);
});
ws.on("error", fail);
