/**
 * e2e/cluster.ts's waitForRestarting: the harness restarts a process where a kubelet would restart
 * its container (the Knative webhook after its start-up timeout; the activator and the autoscaler
 * when their liveness probes fail as Knative's manifests declare them), and nothing else. Real child
 * processes (`sh`), their logs in a temporary directory.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { RestartPolicy, Running, startProcess, stopProcess, waitForRestarting } from "../../e2e/cluster";

let dir: string;
const started: Running[] = [];
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "wsx-restarting-"));
});
afterEach(async () => {
  for (const r of started.splice(0)) await stopProcess(r);
  fs.rmSync(dir, { recursive: true, force: true });
});

/** A supervised `sh -c script` (each start appends to the same log); `starts` counts them. */
function shProcess(name: string, scripts: string[], policy: RestartPolicy) {
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
      policy,
    },
    starts: () => starts,
    log: () => fs.readFileSync(current.logPath, "utf8"),
  };
}

const exited = (r: Running) => new Promise<void>((resolve) => r.child.once("exit", () => resolve()));
const curable: RestartPolicy = { maxRestarts: 3, restartOnExit: (log) => log.includes("startup timed out") };

test("an exit its log says a new start may cure is restarted, and the wait goes on to succeed", async () => {
  const ready = path.join(dir, "ready");
  const p = shProcess("webhook", ["echo 'startup timed out'; exit 1", `touch ${ready}; sleep 60`], curable);
  await exited(p.target.current());
  await waitForRestarting("the webhook ready", async () => fs.existsSync(ready), [p.target], 60_000);
  expect(p.starts()).toBe(2);
  expect(p.log()).toBe(
    "startup timed out\n--- e2e: webhook restarted (1): its exit is one a new start may cure\n",
  );
});

test("any other exit fails the wait with the process's log, without a restart", async () => {
  const p = shProcess("webhook", ["echo 'bad flag'; exit 2"], curable);
  await exited(p.target.current());
  await expect(waitForRestarting("the webhook ready", async () => false, [p.target], 60_000)).rejects.toThrow(
    new Error("webhook exited (2) before the webhook ready:\nbad flag\n"),
  );
  expect(p.starts()).toBe(1);
});

test("restarts stop at maxRestarts: the next curable exit fails the wait", async () => {
  const p = shProcess("webhook", ["echo 'startup timed out'; exit 1"], { ...curable, maxRestarts: 2 });
  await expect(waitForRestarting("the webhook ready", async () => false, [p.target], 60_000)).rejects.toThrow(
    /^webhook exited \(1\) before the webhook ready:\n/,
  );
  expect(p.starts()).toBe(3);
});

/** A liveness probe answering `answers` in turn, then the last one for good; `probes` counts them. */
function scriptedProbe(answers: boolean[]) {
  let probes = 0;
  return {
    probe: async () => answers[Math.min(probes++, answers.length - 1)],
    probes: () => probes,
  };
}

test("a process whose liveness probe fails failureThreshold times in a row is restarted, not before, and the wait goes on", async () => {
  const liveness = { probe: async () => false, initialDelayMs: 300, periodMs: 200, failureThreshold: 3 };
  const p = shProcess("activator", ["sleep 60"], { maxRestarts: 1, liveness });
  const startedAt = Date.now();
  let restartedAfterMs = 0;
  await waitForRestarting(
    "the activator ready",
    async () => {
      if (p.starts() === 2 && restartedAfterMs === 0) restartedAfterMs = Date.now() - startedAt;
      return p.starts() === 2;
    },
    [p.target],
    60_000,
  );
  // Probes at 300, 500 and 700 ms at the earliest: the third failure restarts it.
  expect(restartedAfterMs).toBeGreaterThanOrEqual(700);
  expect(p.log()).toBe(
    "--- e2e: activator restarted (1): its liveness probe failed 3 times in a row, 0.2 s apart\n",
  );
});

test("a liveness probe that passes between failures starts the count again: no restart", async () => {
  const answers = scriptedProbe([false, false, true, false, false, true]);
  const liveness = { probe: answers.probe, initialDelayMs: 0, periodMs: 50, failureThreshold: 3 };
  const p = shProcess("autoscaler", ["sleep 60"], { maxRestarts: 1, liveness });
  await waitForRestarting("six probes", async () => answers.probes() >= 6, [p.target], 60_000);
  expect(p.starts()).toBe(1);
  expect(p.log()).toBe("");
});

test("every supervised process is watched: the autoscaler is restarted by its own probe while the wait is on the activator", async () => {
  const activator = shProcess("activator", ["sleep 60"], { maxRestarts: 1 });
  const autoscalerProbe = scriptedProbe([false]);
  const autoscaler = shProcess("autoscaler", ["sleep 60", "sleep 60"], {
    maxRestarts: 1,
    liveness: {
      probe: async () => autoscaler.starts() === 2 || autoscalerProbe.probe(),
      initialDelayMs: 0,
      periodMs: 50,
      failureThreshold: 2,
    },
  });
  await waitForRestarting(
    "the activator ready",
    async () => autoscaler.starts() === 2,
    [activator.target, autoscaler.target],
    60_000,
  );
  expect(activator.starts()).toBe(1);
  expect(autoscaler.log()).toBe(
    "--- e2e: autoscaler restarted (1): its liveness probe failed 2 times in a row, 0.05 s apart\n",
  );
});

test("liveness restarts stop at maxRestarts: the wait then times out, with the logs", async () => {
  const liveness = { probe: async () => false, initialDelayMs: 0, periodMs: 50, failureThreshold: 2 };
  const p = shProcess("activator", ["echo started; sleep 60"], { maxRestarts: 1, liveness });
  await expect(waitForRestarting("the activator ready", async () => false, [p.target], 5000)).rejects.toThrow(
    new Error(
      "timed out after 5000 ms waiting for the activator ready\n--- activator\nstarted\n" +
        "--- e2e: activator restarted (1): its liveness probe failed 2 times in a row, 0.05 s apart\nstarted\n",
    ),
  );
  expect(p.starts()).toBe(2);
});

test("another process's exit fails the wait with that process's log", async () => {
  const p = shProcess("activator", ["sleep 60"], { maxRestarts: 1 });
  const controller = startProcess("controller", "sh", ["-c", "echo 'no socket'; exit 3"], dir);
  started.push(controller);
  await exited(controller);
  await expect(
    waitForRestarting("the activator ready", async () => false, [p.target], 60_000, [controller]),
  ).rejects.toThrow(new Error("controller exited (3) before the activator ready:\nno socket\n"));
});
