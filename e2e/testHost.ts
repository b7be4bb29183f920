/**
 * A test host for a process the API server must reach at a non-loopback address (the API server
 * refuses Endpoints in 127.0.0.0/8): a network namespace of this run's own, joined to this machine
 * by a veth pair on a /30. Traffic between the two ends never leaves the machine. Needs root and
 * iproute2's `ip` (Debian's iproute2; CI runs as root).
 */
import { execFileSync } from "node:child_process";

export interface TestHost {
  /** The namespace's name, for `ip netns exec`. */
  namespace: string;
  /** This machine's end of the veth pair (where the host side listens for the guest). */
  hostAddress: string;
  /** The namespace's end (where the API server reaches the guest). */
  guestAddress: string;
  /** `ip netns exec <namespace>` + the command. */
  exec(command: string, args: string[]): [string, string[]];
  /** Deletes the namespace and the veth pair; idempotent. */
  remove(): void;
}

function ip(args: string[]): void {
  execFileSync("ip", args, { stdio: "pipe" });
}

/** Why a test host cannot be made here, or undefined when it can. */
export function testHostProblem(): string | undefined {
  if (process.getuid?.() !== 0) return "a network namespace needs root";
  try {
    execFileSync("ip", ["-V"], { stdio: "pipe" });
  } catch {
    return "iproute2's `ip` is not installed (apt-get install iproute2)";
  }
  return undefined;
}

/** Creates the namespace `wsx-<tag>-<pid>` on 10.203.<n>.0/30 (n from the pid, so parallel runs differ). */
export function createTestHost(tag: string): TestHost {
  const id = `${tag}${process.pid % 10000}`;
  const namespace = `wsx-${id}`;
  const [hostLink, guestLink] = [`wsx${id}h`, `wsx${id}g`].map((n) => n.slice(0, 15));
  const subnet = `10.203.${process.pid % 250}`;
  const host: TestHost = {
    namespace,
    hostAddress: `${subnet}.1`,
    guestAddress: `${subnet}.2`,
    exec: (command, args) => ["ip", ["netns", "exec", namespace, command, ...args]],
    remove: () => {
      for (const args of [
        ["netns", "del", namespace],
        ["link", "del", hostLink],
      ]) {
        try {
          ip(args);
        } catch {
          // already gone
        }
      }
    },
  };
  host.remove(); // a namespace left by a killed run of the same pid
  try {
    ip(["netns", "add", namespace]);
    ip(["link", "add", hostLink, "type", "veth", "peer", "name", guestLink]);
    ip(["link", "set", guestLink, "netns", namespace]);
    ip(["addr", "add", `${host.hostAddress}/30`, "dev", hostLink]);
    ip(["link", "set", hostLink, "up"]);
    ip(["netns", "exec", namespace, "ip", "addr", "add", `${host.guestAddress}/30`, "dev", guestLink]);
    ip(["netns", "exec", namespace, "ip", "link", "set", guestLink, "up"]);
    ip(["netns", "exec", namespace, "ip", "link", "set", "lo", "up"]);
  } catch (err) {
    host.remove();
    throw new Error(`cannot make the test host ${namespace}: ${(err as Error).message}`);
  }
  process.once("exit", () => host.remove());
  return host;
}
