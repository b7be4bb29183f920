/**
 * HAProxy's open-files need, with the real HAProxy (once per branch: Debian's 2.6 and the pods' 3.2)
 * and the config the L4 component renders (its master CLI and health frontend as in the pod): it
 * raises its soft limit to 2 x maxconn + a few at start and, `strict-limits` being on by default,
 * exits when the hard limit is lower. `prlimit` sets the limit each run gets: the exact figure
 * HAProxy asks for, one below it, and the 20,000 of a node where the default maxconn 10000 failed.
 * haproxyOpenFilesNeed (the budget's and the docs' figure) must cover what HAProxy asks for.
 * prlimit cannot raise a limit above the hard limit this test runs under (/proc/self/limits): a
 * case that needs more is skipped on a developer machine, saying why, and fails under CI=true.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { haproxyOpenFilesNeed } from "../../components/l4/haproxy";
import { baseArgs } from "./fixtures";
import {
  freePort,
  requireHaproxies,
  startHaproxy,
  tempDir,
  RunningHaproxy,
  writeLoopbackConfig,
} from "./harness";

const PRLIMIT = "/usr/bin/prlimit";

/** The hard "Max open files" limit of this process (what prlimit may set for its children), from /proc/self/limits. */
function hardOpenFilesLimit(): number {
  const line = /^Max open files\s+(\S+)\s+(\S+)/m.exec(fs.readFileSync("/proc/self/limits", "utf8"));
  if (!line) throw new Error('/proc/self/limits has no "Max open files" line');
  return line[2] === "unlimited" ? Infinity : Number(line[2]);
}
const HARD_LIMIT = hardOpenFilesLimit();

/** `test`, or, when the hard limit is below `needs`, a skip saying why (a failure under CI=true). */
function testWithLimit(needs: number, title: string, fn: () => Promise<void>, timeout: number): void {
  if (HARD_LIMIT >= needs) return test(title, fn, timeout);
  const reason = `needs a hard open-files limit of at least ${needs}, and this process's is ${HARD_LIMIT} (/proc/self/limits; raise it with ulimit -Hn or the service's LimitNOFILE)`;
  if (process.env.CI === "true")
    return test(title, () => {
      throw new Error(`${reason}: CI must provide it`);
    });
  console.warn(`skipping "${title}": ${reason}`);
  test.skip(title, fn);
}

for (const { haproxy, describe: describeWith } of requireHaproxies("the open-files limit tests")) {
  describeWith(`HAProxy ${haproxy.version}'s open-files need for the rendered config`, () =>
    suite(haproxy.binary),
  );
}

function suite(haproxyBin: string): void {
  let dir: string;
  const running: RunningHaproxy[] = [];

  beforeAll(() => (dir = tempDir()));
  afterAll(async () => {
    for (const h of running) await h.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** The rendered config for `maxconn` on loopback, with a health frontend; its path and port. */
  async function config(maxconn: number): Promise<{ cfgPath: string; port: number; socket: string }> {
    const port = await freePort();
    const runtimeDir = fs.mkdtempSync(path.join(dir, `m${maxconn}-`));
    const cfgPath = writeLoopbackConfig(
      baseArgs({ tls: { mode: "terminate", certificate: { secretName: "fd-tls" }, haproxy: { maxconn } } }),
      { port, backendPort: 9, runtimeDir, health: { bindAddress: "127.0.0.1", port: await freePort() } },
    );
    expect(fs.readFileSync(cfgPath, "utf8")).toContain(`    maxconn ${maxconn}\n`);
    return { cfgPath, port, socket: path.join(runtimeDir, "master.sock") };
  }

  /** Runs HAProxy as the pod does (master-worker, master CLI) under a hard and soft limit of `limit`. */
  function runLimited(c: { cfgPath: string; socket: string }, limit: number) {
    return spawnSync(
      PRLIMIT,
      [
        `--nofile=${limit}:${limit}`,
        "--",
        haproxyBin,
        "-W",
        "-db",
        "-S",
        `${c.socket},mode,600`,
        "-f",
        c.cfgPath,
      ],
      { encoding: "utf8", timeout: 20_000 },
    );
  }

  /** The largest "Cannot raise FD limit to N" HAProxy printed (the worker's need; the master asks less). */
  function asked(output: string): number | undefined {
    const figures = [...output.matchAll(/Cannot raise FD limit to (\d+), limit is (\d+)/g)].map((m) =>
      Number(m[1]),
    );
    return figures.length ? Math.max(...figures) : undefined;
  }

  // A node's 20,000 is the case below; these stay under it.
  for (const maxconn of [1000, 9000])
    testWithLimit(
      Math.max(1000, haproxyOpenFilesNeed(maxconn)),
      `maxconn ${maxconn}: HAProxy asks for more than 2 x maxconn and at most haproxyOpenFilesNeed; one below its figure it exits, at its figure it starts`,
      async () => {
        const c = await config(maxconn);
        const low = runLimited(c, 1000);
        const need = asked(low.stdout + low.stderr);
        expect(need).toBeGreaterThan(2 * maxconn);
        expect(need).toBeLessThanOrEqual(haproxyOpenFilesNeed(maxconn));
        console.log(`maxconn ${maxconn}: HAProxy asks for ${need} open files`);

        const below = runLimited(c, need! - 1);
        expect(below.status).not.toBe(0);
        expect(below.stdout + below.stderr).toContain(
          `Cannot raise FD limit to ${need}, limit is ${need! - 1}.`,
        );

        // At its figure it starts and listens (a wrapper script: startHaproxy runs one binary).
        const wrapper = path.join(dir, `limited-${maxconn}.sh`);
        fs.writeFileSync(
          wrapper,
          `#!/bin/sh\nexec ${PRLIMIT} --nofile=${need}:${need} -- ${haproxyBin} "$@"\n`,
          {
            mode: 0o755,
          },
        );
        const h = await startHaproxy(wrapper, c.cfgPath, c.port, ["-S", `${c.socket},mode,600`]);
        running.push(h);
        expect(h.output()).not.toContain("Cannot raise FD limit");
        await h.stop();
      },
      60_000,
    );

  testWithLimit(
    20_000,
    "a node's 20,000: maxconn 10000 (the default) makes HAProxy exit, maxconn 9000 (the staging stack's) starts",
    async () => {
      const tooMany = runLimited(await config(10000), 20_000);
      expect(tooMany.status).not.toBe(0);
      expect(tooMany.stdout + tooMany.stderr).toMatch(/Cannot raise FD limit to 200\d\d, limit is 20000\./);
      const fits = await config(9000);
      const wrapper = path.join(dir, "limited-20000.sh");
      fs.writeFileSync(wrapper, `#!/bin/sh\nexec ${PRLIMIT} --nofile=20000:20000 -- ${haproxyBin} "$@"\n`, {
        mode: 0o755,
      });
      const h = await startHaproxy(wrapper, fits.cfgPath, fits.port, ["-S", `${fits.socket},mode,600`]);
      running.push(h);
      expect(h.output()).not.toContain("Cannot raise FD limit");
      expect(haproxyOpenFilesNeed(9000)).toBeLessThanOrEqual(20_000);
    },
    60_000,
  );
}
