/**
 * test/l4/harness.ts's workerCrashes: the master's report of a worker that died of a fatal signal,
 * as HAProxy 2.6.12 and 3.2.26 print it (lines taken from their soft-stop runs).
 */
import { workerCrashes } from "./harness";

test("a worker's segmentation fault is a crash; a clean exit and a stop's SIGTERM are not", () => {
  const output = [
    "[WARNING]  (27183) : Proxy websocket hard-stopped (20 remaining conns will be closed).",
    "[ALERT]    (27181) : Current worker (27183) exited with code 139 (Segmentation fault)",
    "[ALERT]    (27181) : exit-on-failure: killing every processes with SIGTERM",
    "[WARNING]  (27181) : All workers exited. Exiting... (139)",
    "[WARNING]  (27186) : Current worker (27188) exited with code 0 (Exit)",
    "[NOTICE]   (27190) : haproxy version is 2.6.12-1+deb12u4",
    "[WARNING]  (27190) : Former worker (27192) exited with code 143 (Terminated)",
    "[ALERT]    (27190) : Former worker #1 (27193) exited with code 134 (Aborted)",
  ].join("\n");
  expect(workerCrashes(output)).toEqual([
    "[ALERT]    (27181) : Current worker (27183) exited with code 139 (Segmentation fault)",
    "[ALERT]    (27190) : Former worker #1 (27193) exited with code 134 (Aborted)",
  ]);
});
