/**
 * What each part of `npm run bench` needs on the machine, checked before the first part starts: a
 * full run takes half an hour, and a program missing at its part (P1's nginx) used to end it there
 * with a bare `spawn ... ENOENT`. Pure; bench/index.ts gives it the machine's answers.
 */

export const BENCH_PARTS = ["p1", "p2", "p3", "p4", "p5", "p6", "incluster"] as const;
export type BenchPart = (typeof BENCH_PARTS)[number];

/** A program a part runs, where it runs it from, and the Debian 12 package that installs it there. */
export interface SystemProgram {
  name: string;
  /** An absolute path (spawned as such), or a bare name looked up on PATH. */
  file: string;
  debianPackage: string;
}

/** Debian 12's HAProxy (2.6), the bench's HAProxy when the pods' 3.2 is not built. */
export const HOST_HAPROXY: SystemProgram = {
  name: "haproxy",
  file: "/usr/sbin/haproxy",
  debianPackage: "haproxy",
};

/**
 * The HAProxy P1, P4 and P6 run: `WS_EXPOSURE_BENCH_HAPROXY` when set (a path), else the 3.2 the
 * pods run when scripts/haproxy32.sh has built it (`built32`; the figures are then the product's),
 * else Debian's 2.6. The first line of the bench's output names the version it ran.
 */
export function benchHaproxy(env: NodeJS.ProcessEnv, built32: string | undefined): SystemProgram {
  const chosen = env.WS_EXPOSURE_BENCH_HAPROXY ?? built32;
  return chosen === undefined ? HOST_HAPROXY : { ...HOST_HAPROXY, file: chosen };
}

export const HAPROXY = HOST_HAPROXY;
export const NGINX: SystemProgram = { name: "nginx", file: "/usr/sbin/nginx", debianPackage: "nginx" };
/** The throwaway certificates (support/certs.ts), run from PATH. */
export const OPENSSL: SystemProgram = { name: "openssl", file: "openssl", debianPackage: "openssl" };

/**
 * The machine's programs each part runs. P3 runs the timing tests, HAProxy's among them (they
 * would skip without it and leave P3's figures empty). P5 and incluster need the e2e toolchain
 * instead, which they report themselves (`toolchain` below).
 */
export const PART_PROGRAMS: Record<BenchPart, readonly SystemProgram[]> = {
  p1: [HAPROXY, NGINX, OPENSSL],
  p2: [],
  p3: [HAPROXY, OPENSSL],
  p4: [HAPROXY, OPENSSL],
  p5: [],
  p6: [HAPROXY, OPENSSL],
  incluster: [],
};

/**
 * Everything the parts to run lack, as one message naming each missing program (with the parts
 * that need it) and the command that installs them all, then each toolchain problem (`toolchain`:
 * a part's own check, e.g. P5's "pulumi not built ... run `npm run e2e:toolchain`"); undefined
 * when nothing is missing. `found` answers for a SystemProgram's `file`.
 */
export function missingPrerequisites(
  parts: readonly BenchPart[],
  found: (file: string) => boolean,
  toolchain: Partial<Record<BenchPart, string | undefined>> = {},
): string | undefined {
  const missing = new Map<SystemProgram, BenchPart[]>();
  for (const part of parts) {
    for (const program of PART_PROGRAMS[part]) {
      if (found(program.file)) continue;
      missing.set(program, [...(missing.get(program) ?? []), part]);
    }
  }
  const lines: string[] = [];
  for (const [program, needers] of missing) {
    const where = program.file.startsWith("/") ? program.file : `${program.file} on PATH`;
    lines.push(`- ${program.name} (${where}), for ${needers.join(", ")}: not found`);
  }
  if (missing.size > 0) {
    const packages = [...missing.keys()].map((p) => p.debianPackage).join(" ");
    lines.push(`  install: apt-get install -y --no-install-recommends ${packages}   (Debian 12)`);
  }
  for (const part of parts) {
    const problem = toolchain[part];
    if (problem !== undefined) lines.push(`- ${part}: ${problem}`);
  }
  if (lines.length === 0) return undefined;
  const runnable = parts.filter(
    (p) => toolchain[p] === undefined && PART_PROGRAMS[p].every((program) => !missing.has(program)),
  );
  return [
    `npm run bench: cannot start ${parts.join(", ")}; missing:`,
    ...lines,
    runnable.length > 0
      ? `Install them, or run only what this machine has: ${runnable.map((p) => `--only ${p}`).join(", ")}`
      : "Install them, then run the bench again.",
  ].join("\n");
}
