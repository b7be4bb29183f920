/**
 * e2e/cluster.ts's waitForRestarting: the harness restarts a process where a kubelet would restart
 * its container (the Knative webhook after its start-up timeout, the activator not ready half-way),
 * and nothing else. Real child processes (`sh`), their logs in a temporary directory.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Running, startProcess, stopProcess, waitForRestarting } from "../../e2e/cluster";

let dir: string;
const started: Running[] = [];
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "wsx-restarting-"));
});
afterEach(async () => {
  for (const r of started.splice(0)) await stopProcess(r);
  fs.rmSync(dir, { recursive: true, force: true });
});

/** A restartable `sh -c script` (each start appends to the same log); `starts` counts them. */
function shProcess(name: string, scripts: string[]) {
  let starts = 0;
  const launch = () => {
    const r = startProcess(name, "sh", ["-c", scripts[Math.min(starts, scripts.length - 1)]], dir);
    starts++;
    started.push(r);
    return r;
  };
  let current = launch();
  return {
    target: {
      name,
      current: () => current,
      restart: async () => {
        await stopProcess(current);
        current = launch();
      },
    },
    starts: () => starts,
    log: () => fs.readFileSync(current.logPath, "utf8"),
  };
}

const exited = (r: Running) => new Promise<void>((resolve) => r.child.once("exit", () => resolve()));

test("an exit its log says a new start may cure is restarted, and the wait goes on to succeed", async () => {
  const ready = path.join(dir, "ready");
  const p = shProcess("webhook", ["echo 'startup timed out'; exit 1", `touch ${ready}; sleep 60`]);
  await exited(p.target.current());
  await waitForRestarting(
    "the webhook ready",
    async () => fs.existsSync(ready),
    p.target,
    { maxRestarts: 3, restartOnExit: (log) => log.includes("startup timed out") },
    60_000,
  );
  expect(p.starts()).toBe(2);
  expect(p.log()).toBe(
    "startup timed out\n--- e2e: webhook restarted (1): its exit is one a new start may cure\n",
  );
});

test("any other exit fails the wait with the process's log, without a restart", async () => {
  const p = shProcess("webhook", ["echo 'bad flag'; exit 2"]);
  await exited(p.target.current());
  await expect(
    waitForRestarting(
      "the webhook ready",
      async () => false,
      p.target,
      { maxRestarts: 3, restartOnExit: (log) => log.includes("startup timed out") },
      60_000,
    ),
  ).rejects.toThrow(new Error("webhook exited (2) before the webhook ready:\nbad flag\n"));
  expect(p.starts()).toBe(1);
});

test("restarts stop at maxRestarts: the next curable exit fails the wait", async () => {
  const p = shProcess("webhook", ["echo 'startup timed out'; exit 1"]);
  await expect(
    waitForRestarting(
      "the webhook ready",
      async () => false,
      p.target,
      { maxRestarts: 2, restartOnExit: (log) => log.includes("startup timed out") },
      60_000,
    ),
  ).rejects.toThrow(/^webhook exited \(1\) before the webhook ready:\n/);
  expect(p.starts()).toBe(3);
});

test("a process not ready half-way through the wait is restarted once, and the wait goes on", async () => {
  const p = shProcess("activator", ["sleep 60", "sleep 60"]);
  const startedAt = Date.now();
  // Ready only as its second start: the first never gets there.
  await waitForRestarting(
    "the activator ready",
    async () => p.starts() === 2,
    p.target,
    { maxRestarts: 1, restartWhenNotReadyHalfWay: true },
    8000,
  );
  expect(Date.now() - startedAt).toBeGreaterThanOrEqual(4000);
  expect(p.log()).toBe("--- e2e: activator restarted (1): not ready within 4 s\n");
});

test("another process's exit fails the wait with that process's log", async () => {
  const p = shProcess("activator", ["sleep 60"]);
  const autoscaler = startProcess("autoscaler", "sh", ["-c", "echo 'no socket'; exit 3"], dir);
  started.push(autoscaler);
  await exited(autoscaler);
  await expect(
    waitForRestarting(
      "the activator ready",
      async () => false,
      p.target,
      { maxRestarts: 1, restartWhenNotReadyHalfWay: true },
      60_000,
      [autoscaler],
    ),
  ).rejects.toThrow(new Error("autoscaler exited (3) before the activator ready:\nno socket\n"));
});
