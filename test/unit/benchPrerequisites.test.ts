/**
 * What `npm run bench` says before its first part when the machine lacks a program or the e2e
 * toolchain (bench/lib/prerequisites.ts, pure): the exact message, per part selection.
 */
import { BENCH_PARTS, benchHaproxy, missingPrerequisites } from "../../bench/lib/prerequisites";

const all = (): boolean => true;
const without =
  (...files: string[]) =>
  (file: string): boolean =>
    !files.includes(file);

describe("missingPrerequisites", () => {
  it("says nothing when every program is found and no toolchain problem is reported", () => {
    expect(missingPrerequisites(BENCH_PARTS, all)).toBeUndefined();
  });

  it("names nginx, the part that needs it and its Debian package when the full run lacks it", () => {
    expect(missingPrerequisites(BENCH_PARTS, without("/usr/sbin/nginx"))).toBe(
      [
        "npm run bench: cannot start p1, p2, p3, p4, p5, p6, incluster; missing:",
        "- nginx (/usr/sbin/nginx), for p1: not found",
        "  install: apt-get install -y --no-install-recommends nginx   (Debian 12)",
        "Install them, or run only what this machine has: --only p2, --only p3, --only p4, --only p5, --only p6, --only incluster",
      ].join("\n"),
    );
  });

  it("lists each program once with every part that needs it, one install line, then the toolchain's problems", () => {
    const message = missingPrerequisites(
      BENCH_PARTS,
      without("/usr/sbin/haproxy", "/usr/sbin/nginx", "openssl"),
      {
        p5: "pulumi not built in /cache/bin: run `npm run e2e:toolchain` (bash e2e/toolchain.sh)",
        incluster: "the node needs root (network namespace, cgroups, containerd)",
      },
    );
    expect(message).toBe(
      [
        "npm run bench: cannot start p1, p2, p3, p4, p5, p6, incluster; missing:",
        "- haproxy (/usr/sbin/haproxy), for p1, p3, p4, p6: not found",
        "- nginx (/usr/sbin/nginx), for p1: not found",
        "- openssl (openssl on PATH), for p1, p3, p4, p6: not found",
        "  install: apt-get install -y --no-install-recommends haproxy nginx openssl   (Debian 12)",
        "- p5: pulumi not built in /cache/bin: run `npm run e2e:toolchain` (bash e2e/toolchain.sh)",
        "- incluster: the node needs root (network namespace, cgroups, containerd)",
        "Install them, or run only what this machine has: --only p2",
      ].join("\n"),
    );
  });

  it("checks only the parts selected: --only p2 needs nothing, --only p1 needs nginx", () => {
    const noNginx = without("/usr/sbin/nginx");
    expect(missingPrerequisites(["p2"], noNginx)).toBeUndefined();
    expect(missingPrerequisites(["p4"], noNginx)).toBeUndefined();
    expect(missingPrerequisites(["p1"], noNginx)).toBe(
      [
        "npm run bench: cannot start p1; missing:",
        "- nginx (/usr/sbin/nginx), for p1: not found",
        "  install: apt-get install -y --no-install-recommends nginx   (Debian 12)",
        "Install them, then run the bench again.",
      ].join("\n"),
    );
  });
});

describe("benchHaproxy: which HAProxy P1, P4 and P6 run", () => {
  it("is the pods' 3.2 when it is built, Debian's 2.6 when not, and a path the user names over both", () => {
    const built = "/cache/haproxy-3.2/bin/haproxy";
    expect(benchHaproxy({}, built).file).toBe(built);
    expect(benchHaproxy({}, undefined).file).toBe("/usr/sbin/haproxy");
    expect(benchHaproxy({ WS_EXPOSURE_BENCH_HAPROXY: "/opt/haproxy" }, built).file).toBe("/opt/haproxy");
  });
});
