"use strict";
/* global AbortController */
/**
 * The product's soak (`runSoak`, the code `wsprobe soak` runs) for the real node's rollout tests,
 * run inside the node's network namespace (`nsenter --net=...`, see node.ts `inNetns`):
 *   node e2e/wssSoak.js URL ADDRESS:PORT CA_FILE CONNECTIONS HEARTBEAT_MS
 * Heartbeats carry a sequence number the echo app sends back (`--echo`). Lines on stdin steer it:
 * `mark` notes the moment the disruption starts, `stop` ends the soak. It prints one JSON line per
 * progress tick ({ progress: { open, drops } }) and, at the end, { report, markMs, events }: the
 * soak report, and every drop ([ms, code]) and every reopen of a client that had been open before
 * ([ms]), timed from the soak's start like markMs.
 */
const { performance } = require("node:perf_hooks");
const readline = require("node:readline");
const { runSoak } = require("../probe/dist/index.js");

const [url, connectTo, caFile, connections, heartbeatMs] = process.argv.slice(2);
const controller = new AbortController();
const t0 = performance.now();
let markMs = null;
const drops = [];
const reopens = [];
const seen = new Set();
readline.createInterface({ input: process.stdin }).on("line", (line) => {
  if (line === "mark") markMs = performance.now() - t0;
  if (line === "stop") controller.abort();
});
runSoak({
  url,
  connectTo,
  caFile,
  connections: Number(connections),
  heartbeatMs: Number(heartbeatMs),
  durationMs: 30 * 60 * 1000,
  message: '{"type":"ping","seq":{seq},"conn":{conn}}',
  echo: true,
  signal: controller.signal,
  progressIntervalMs: 250,
  onProgress: (p) =>
    process.stdout.write(`${JSON.stringify({ progress: { open: p.open, drops: p.drops } })}\n`),
  onClientEvent: (e) => {
    const at = Math.round(e.atMs - t0);
    if (e.type === "dropped") drops.push([at, e.code]);
    if (e.type === "opened") {
      if (seen.has(e.client)) reopens.push(at);
      seen.add(e.client);
    }
  },
}).then(
  (report) => {
    process.stdout.write(`${JSON.stringify({ report, markMs, events: { drops, reopens } })}\n`);
    process.exit(0);
  },
  (err) => {
    process.stdout.write(`${JSON.stringify({ error: String((err && err.stack) || err) })}\n`);
    process.exit(1);
  },
);
