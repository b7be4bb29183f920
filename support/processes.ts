import { execFileSync } from "node:child_process";
import * as fs from "node:fs";

/**
 * Direct children of a process (HAProxy's and nginx's workers under their master), by pid.
 * On Linux this reads /proc (each thread's `children` file): tests poll it every few milliseconds,
 * and spawning `ps` each time blocked a busy test process's event loop for long stretches on a
 * loaded machine. Elsewhere, or without those files, it asks `ps`.
 */
export function childPids(pid: number): number[] {
  return procChildPids(pid) ?? psChildPids(pid);
}

/** The children from /proc; undefined when /proc cannot tell (no /proc, no `children` files). */
function procChildPids(pid: number): number[] | undefined {
  let tasks: string[];
  try {
    tasks = fs.readdirSync(`/proc/${pid}/task`);
  } catch {
    // The process is gone (no children), or there is no /proc to ask.
    return fs.existsSync("/proc/self/task") ? [] : undefined;
  }
  try {
    return tasks
      .flatMap((task) => fs.readFileSync(`/proc/${pid}/task/${task}/children`, "utf8").split(/\s+/))
      .filter((word) => word !== "")
      .map(Number)
      .sort((a, b) => a - b);
  } catch {
    // A kernel without CONFIG_PROC_CHILDREN, or a thread that just exited: ask ps.
    return undefined;
  }
}

function psChildPids(pid: number): number[] {
  try {
    return execFileSync("ps", ["-o", "pid=", "--ppid", String(pid)], { encoding: "utf8" })
      .split("\n")
      .map((l) => Number(l.trim()))
      .filter((n) => n > 0)
      .sort((a, b) => a - b);
  } catch {
    return [];
  }
}

const SETPRIV = "/usr/bin/setpriv";

/**
 * The command line that starts `file args` so that it gets SIGKILL when the process that spawned
 * it dies (a killed test runner skips its cleanup): util-linux's `setpriv --pdeathsig KILL`, which
 * execs the program (same pid, so signals sent to the child reach it). As given where there is no
 * setpriv.
 */
export function dyingWithParent(file: string, args: string[]): [string, string[]] {
  return fs.existsSync(SETPRIV) ? [SETPRIV, ["--pdeathsig", "KILL", "--", file, ...args]] : [file, args];
}
