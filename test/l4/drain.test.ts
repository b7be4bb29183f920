/** The paced drain's pure parts: parsing the master CLI, the plan (who is closed when), the args. */
import {
  parseAgeSeconds,
  parseArgs,
  parseSessions,
  parseWorkers,
  planDrain,
  batchSendAtMs,
  DRAIN_CATCH_UP_RATIO,
  shutdownCommands,
  parseAnswers,
  MAX_CLI_LINE_BYTES,
} from "../../components/l4/haproxy/drainDriver";
import { defaultDrainWindowSeconds, drainCommand, resolveDrain } from "../../components/l4/haproxy";
import { drainDropEvent } from "../../components/budget/hops";
import { haproxyConfigFor } from "../../components/l4/haproxy";
import { planL4 } from "../../components/l4/plan";
import { baseArgs } from "./fixtures";

describe.each([
  ["0s", 0],
  ["4s", 4],
  ["1m2s", 62],
  ["3h4m", 3 * 3600 + 240],
  ["2d1h", 2 * 86400 + 3600],
  ["250ms", 0.25],
])("parseAgeSeconds(%s)", (text, seconds) => {
  test(`= ${seconds}`, () => expect(parseAgeSeconds(text)).toBe(seconds));
});

test("parseAgeSeconds: unreadable text is NaN", () => {
  expect(parseAgeSeconds("?")).toBeNaN();
  expect(parseAgeSeconds("4x")).toBeNaN();
});

// As HAProxy 2.6.12 printed it here (`@!<pid> show sess`), with the CLI's own stream and another frontend.
const SHOW_SESS = [
  "0x55b0c10cb8a0: proto=tcpv4 src=127.0.0.1:34694 fe=websocket be=websocket srv=backend ts=00 epoch=0 age=4s calls=2 rate=0 cpu=0 lat=0 rq[f=808000h,i=0,an=00h,rx=56s,wx=56s,ax=] rp[f=80008000h,i=0,an=00h,rx=56s,wx=56s,ax=] scf=[8,0h,fd=14] scb=[8,1h,fd=18] exp=1s rc=0 c_exp=",
  "0x55b0c11e7d30: proto=sockpair src=unix:2 fe=GLOBAL be=<NONE> srv=<none> ts=00 epoch=0 age=0s calls=2 rate=1 cpu=0 lat=0 rq[f=c0c020h,i=0,an=00h,rx=,wx=,ax=] rp[f=80008002h,i=0,an=00h,rx=,wx=,ax=] scf=[8,0h,fd=6] scb=[8,1h,fd=-1] exp=10s rc=0 c_exp=",
  "0x7f15d403a090: proto=tcpv6 src=::1:34706 fe=websocket be=websocket srv=backend ts=00 epoch=0 age=1m2s calls=2 rate=0 cpu=0 lat=0 rq[f=808000h] rp[f=80008000h] scf=[8,0h,fd=15] scb=[8,1h,fd=17] exp=1s rc=0 c_exp=",
  "0x7f15d403b000: proto=tcpv4 src=127.0.0.1:1 fe=health be=<NONE> srv=<none> ts=00 epoch=0 age=9s calls=1",
  "",
].join("\n");

test("parseSessions: the frontend's client streams only, in the order listed", () => {
  expect(parseSessions(SHOW_SESS, "websocket")).toEqual([
    { id: "0x55b0c10cb8a0", ageSeconds: 4 },
    { id: "0x7f15d403a090", ageSeconds: 62 },
  ]);
  expect(parseSessions(SHOW_SESS, "health")).toEqual([{ id: "0x7f15d403b000", ageSeconds: 9 }]);
  expect(parseSessions("", "websocket")).toEqual([]);
});

test("parseWorkers: current and old workers of `show proc`", () => {
  const showProc = [
    "#<PID>          <type>          <reloads>       <uptime>        <version>      ",
    "18819           master          1 [failed: 0]   0d00h00m03s     2.6.12-1+deb12u4",
    "# workers",
    "18872           worker          0               0d00h00m01s     2.6.12-1+deb12u4",
    "# old workers",
    "18829           worker          1               0d00h00m03s     2.6.12-1+deb12u4",
    "18801           worker          2               0d00h00m09s     2.6.12-1+deb12u4",
    "# programs",
    "",
  ].join("\n");
  expect(parseWorkers(showProc)).toEqual({ current: [18872], old: [18829, 18801] });
  expect(parseWorkers("# workers\n# programs\n")).toEqual({ current: [], old: [] });
});

test("shutdownCommands: `;`-separated commands, each with its worker prefix", () => {
  expect(shutdownCommands(42, ["0x1", "0x2"])).toEqual([
    "@!42 shutdown session 0x1; @!42 shutdown session 0x2",
  ]);
  expect(shutdownCommands(42, [])).toEqual([]);
});

test("MAX_CLI_LINE_BYTES is tune.bufsize - tune.maxrewrite (HAProxy's defaults; haproxy.cfg sets neither)", () => {
  expect(MAX_CLI_LINE_BYTES).toBe(16384 - 1024);
  expect(haproxyConfigFor(planL4("t", baseArgs()))).not.toMatch(/tune\.(bufsize|maxrewrite)/);
});

test("shutdownCommands: a batch too long for one line is split; every line fits, newline included, and none is wasted", () => {
  // 1000 sessions on pid 1234567, pointers of 10 hex digits: 39 bytes a command, 2 for each "; ",
  // so a line of n commands takes 41n - 2 + 1 bytes: at most 374 fit in 15,360.
  const ids = Array.from({ length: 1000 }, (_, i) => `0x${(0x7f00000000 + i * 4096).toString(16)}`);
  const lines = shutdownCommands(1234567, ids);
  expect(lines.map((l) => l.split("; ").length)).toEqual([374, 374, 252]);
  for (const line of lines) expect(Buffer.byteLength(line) + 1).toBeLessThanOrEqual(MAX_CLI_LINE_BYTES);
  // Each full line could not take one more command.
  for (const line of lines.slice(0, -1))
    expect(Buffer.byteLength(line) + 1 + 2 + 39).toBeGreaterThan(MAX_CLI_LINE_BYTES);
  // Every id once, in order.
  expect(lines.join("; ").split("; ")).toEqual(ids.map((id) => `@!1234567 shutdown session ${id}`));
  // The boundary: a line of exactly the cap (newline included) stays one line, a byte more splits.
  const two = ["0x1", "0x2"];
  const exact = Buffer.byteLength(shutdownCommands(9, two)[0]) + 1;
  expect(shutdownCommands(9, two, exact)).toHaveLength(1);
  expect(shutdownCommands(9, two, exact - 1)).toHaveLength(2);
  expect(() => shutdownCommands(9, two, 10)).toThrow(
    'shutdownCommands: "@!9 shutdown session 0x1" alone is longer than 10 bytes',
  );
});

test("parseAnswers: a close counts only when HAProxy answered it as done", () => {
  // As HAProxy 2.6 and 3.2 answered here: "\n" for a done close, a message and an empty line otherwise.
  expect(parseAnswers("\n\n\n", 3)).toEqual({ done: 3, failed: [] });
  expect(parseAnswers("\nNo such session (use 'show sess').\n\n\n", 3)).toEqual({
    done: 2,
    failed: ["No such session (use 'show sess')."],
  });
  // 3.2 on a line over its buffer: the help text, nothing done.
  expect(parseAnswers("The following commands are valid at this level:\n  @!<pid> ...\n\n", 400)).toEqual({
    done: 0,
    failed: ["The following commands are valid at this level:\n  @!<pid> ..."],
  });
  // Fewer answers than commands: the unanswered count in neither.
  expect(parseAnswers("\n", 5)).toEqual({ done: 1, failed: [] });
  expect(parseAnswers("", 2)).toEqual({ done: 0, failed: [] });
});

const sessions = (n: number) =>
  Array.from({ length: n }, (_, i) => ({ id: `s${i}`, ageSeconds: (i * 7919) % 1000 }));

describe("planDrain", () => {
  test("10 sessions over 1 s, 100 ms ticks: one every tick, oldest first (ties in the given order)", () => {
    const plan = planDrain(
      [
        { id: "a", ageSeconds: 5 },
        { id: "b", ageSeconds: 50 },
        { id: "c", ageSeconds: 5 },
        { id: "d", ageSeconds: 500 },
        ...Array.from({ length: 6 }, (_, i) => ({ id: `e${i}`, ageSeconds: 1 })),
      ],
      { windowMs: 1000, tickMs: 100 },
    );
    expect(plan).toEqual([
      { atMs: 0, ids: ["d"] },
      { atMs: 100, ids: ["b"] },
      { atMs: 200, ids: ["a"] },
      { atMs: 300, ids: ["c"] },
      { atMs: 400, ids: ["e0"] },
      { atMs: 500, ids: ["e1"] },
      { atMs: 600, ids: ["e2"] },
      { atMs: 700, ids: ["e3"] },
      { atMs: 800, ids: ["e4"] },
      { atMs: 900, ids: ["e5"] },
    ]);
  });

  test("4 sessions over 1 s: 250 ms apart, rounded down to the tick", () => {
    expect(planDrain(sessions(4), { windowMs: 1000, tickMs: 100 }).map((b) => b.atMs)).toEqual([
      0, 200, 500, 700,
    ]);
  });

  test("none: an empty plan", () => {
    expect(planDrain([], { windowMs: 1000 })).toEqual([]);
  });

  // The property the bench and the integration test measure: every second of the window closes
  // N/W (within one tick's rounding), everyone exactly once, the last before the window ends.
  describe.each([
    [1000, 10_000, 100],
    [10_000, 50_000, 100],
    [7, 3000, 100],
    [1000, 8_000, 250],
  ])("%i sessions over %i ms (tick %i ms)", (n, windowMs, tickMs) => {
    for (const order of ["oldest", "random"] as const) {
      test(order, () => {
        const plan = planDrain(sessions(n), { windowMs, tickMs, order, seed: 7 });
        const ids = plan.flatMap((b) => b.ids);
        expect(ids.length).toBe(n);
        expect(new Set(ids).size).toBe(n);
        expect(plan.every((b) => b.atMs % tickMs === 0 && b.atMs >= 0 && b.atMs < windowMs)).toBe(true);
        expect(plan.map((b) => b.atMs)).toEqual([...plan.map((b) => b.atMs)].sort((a, b) => a - b));
        const perSecond = new Map<number, number>();
        for (const b of plan) {
          const s = Math.floor(b.atMs / 1000);
          perSecond.set(s, (perSecond.get(s) ?? 0) + b.ids.length);
        }
        const rate = (n * 1000) / windowMs;
        for (const count of perSecond.values()) expect(count).toBeLessThanOrEqual(Math.ceil(rate) + 1);
      });
    }
  });

  test("random: the same seed, the same order; another seed, another order", () => {
    const a = planDrain(sessions(50), { windowMs: 5000, order: "random", seed: 3 });
    expect(planDrain(sessions(50), { windowMs: 5000, order: "random", seed: 3 })).toEqual(a);
    expect(planDrain(sessions(50), { windowMs: 5000, order: "random", seed: 4 })).not.toEqual(a);
  });

  test("bad options are refused by name", () => {
    expect(() => planDrain([], { windowMs: 0 })).toThrow("planDrain: windowMs must be above 0 (got 0)");
    expect(() => planDrain([], { windowMs: 1, tickMs: 0 })).toThrow(
      "planDrain: tickMs must be above 0 (got 0)",
    );
    expect(() => planDrain([], { windowMs: 1, order: "newest" as never })).toThrow(
      'planDrain: order must be "oldest" or "random" (got "newest")',
    );
  });
});

test("parseArgs: the sidecar's two command lines", () => {
  const common = ["--socket", "/run/m.sock", "--window", "50", "--order", "random"];
  expect(parseArgs([...common, "--watch"])).toEqual({
    socket: "/run/m.sock",
    windowMs: 50_000,
    order: "random",
    frontend: "websocket",
    tickMs: 100,
    waitForMasterMs: 300_000,
    watch: true,
  });
  expect(parseArgs([...common, "--all-after", "10"])).toEqual({
    socket: "/run/m.sock",
    windowMs: 50_000,
    order: "random",
    frontend: "websocket",
    tickMs: 100,
    waitForMasterMs: 300_000,
    allAfterMs: 10_000,
  });
  expect(parseArgs([...common, "--watch", "--wait-for-master", "2"]).waitForMasterMs).toBe(2000);
  expect(() => parseArgs([...common, "--watch", "--wait-for-master", "soon"])).toThrow(
    "--wait-for-master must be a number of seconds, 0 or more",
  );
  expect(() => parseArgs(common)).toThrow("give exactly one of --watch or --all-after <seconds>");
  expect(() => parseArgs(["--window", "5", "--watch"])).toThrow("--socket is required");
});

test.each([
  [["--bogus", "1"], "unknown argument --bogus"],
  [["-x"], "unknown argument -x"],
  [["stray"], "unknown argument stray"],
  [["--", "--watch"], "unknown argument --"],
  [["--socket"], "--socket needs a value"],
  [["--socket", "/s", "--window"], "--window needs a value"],
  [["--socket", "/s", "--window", "5", "--watch=yes"], '--watch takes no value (got "yes")'],
  [["--socket", "/s", "--window", "soon", "--watch"], "--window must be a number of seconds above 0"],
  [
    ["--socket", "/s", "--window", "5", "--watch", "--order", "newest"],
    '--order must be oldest or random (got "newest")',
  ],
  [
    ["--socket", "/s", "--window", "5", "--watch", "--tick-ms", "0"],
    "--tick-ms must be a number of milliseconds above 0",
  ],
  [
    ["--socket", "/s", "--window", "5", "--all-after", "soon"],
    "--all-after must be a number of seconds, 0 or more",
  ],
])("parseArgs %j: %s", (argv, message) => {
  expect(() => parseArgs(argv)).toThrow(message);
});

test("parseArgs: --name=value reads as --name value", () => {
  expect(parseArgs(["--socket=/s", "--window=5", "--all-after=0"])).toEqual({
    socket: "/s",
    windowMs: 5000,
    order: "oldest",
    frontend: "websocket",
    tickMs: 100,
    waitForMasterMs: 300_000,
    allAfterMs: 0,
  });
});

describe("resolveDrain", () => {
  test.each([
    [60, 50],
    [12, 10],
    [6, 4],
    [5, 3],
    [3, 1],
    [2, 0],
    [1, 0],
  ])("default window for hard-stop-after %i: %i", (hardStop, window) => {
    expect(defaultDrainWindowSeconds(hardStop)).toBe(window);
  });

  test("defaults, given values, off", () => {
    expect(resolveDrain("X", "d", undefined, 60)).toEqual({
      windowSeconds: 50,
      order: "oldest",
      image: "node:24.19.0-alpine3.24",
    });
    expect(resolveDrain("X", "d", { windowSeconds: 20, order: "random" }, 60)).toEqual({
      windowSeconds: 20,
      order: "random",
      image: "node:24.19.0-alpine3.24",
    });
    expect(resolveDrain("X", "d", false, 60)).toBeUndefined();
    // hard-stop-after 1 s leaves no whole second: off unless a window is given (then refused by the order check).
    expect(resolveDrain("X", "d", {}, 1)).toBeUndefined();
  });

  test("the sidecar's commands", () => {
    const drain = { windowSeconds: 12, order: "oldest" as const, image: "node:24.19.0-alpine3.24" };
    expect(drainCommand(drain, "/run/h", { watch: true })).toEqual([
      "node",
      "/etc/ws-exposure/drain/haproxy-drain.js",
      "--socket",
      "/run/h/master.sock",
      "--window",
      "12",
      "--order",
      "oldest",
      "--watch",
    ]);
    expect(drainCommand(drain, "/run/h", { allAfterSeconds: 3 }).slice(-2)).toEqual(["--all-after", "3"]);
  });
});

test("the budget's drop event names the pacing, or the stampede without it", () => {
  const timing = { preStopSeconds: 10, hardStopAfterSeconds: 60 };
  expect(drainDropEvent({ windowSeconds: 50, order: "oldest" }, timing)).toBe(
    "reload (SIGUSR2) or pod stop (rollout, drain; after a 10 s preStop): paced drain, the old process's connections are closed oldest first at N/50 per second over 50 s (N = the connections it holds), so reconnects arrive spread over the window; hard-stop-after 60 s closes whatever is left",
  );
  expect(drainDropEvent(undefined, timing)).toBe(
    "reload (SIGUSR2) or pod stop (rollout, drain; after a 10 s preStop): the old process keeps its connections for at most hard-stop-after 60 s, then closes the rest at once",
  );
  const plan = planL4("prod", baseArgs({}));
  const hop = plan.budget.hops.find((h) => h.name === "haproxy")!;
  expect(hop.dropEvents[0]).toBe(drainDropEvent({ windowSeconds: 50, order: "oldest" }, timing));
  expect(plan.budget.dropEvents).toContain(`haproxy: ${hop.dropEvents[0]}`);
});

describe("batchSendAtMs: a late drain catches up at most DRAIN_CATCH_UP_RATIO faster than planned", () => {
  it("sends each batch at its planned time while the drain keeps up", () => {
    expect(DRAIN_CATCH_UP_RATIO).toBe(1.2);
    expect(batchSendAtMs(0)).toBe(0);
    expect(batchSendAtMs(600, { atMs: 500, sentAtMs: 500 })).toBe(600);
    expect(batchSendAtMs(600, { atMs: 500, sentAtMs: 510 })).toBe(600);
  });

  it("after a batch that went out late, shortens the planned gap by the ratio instead of sending at once", () => {
    // 1200 ms late: the next batch 100 ms after it in the plan goes out 100 / 1.2 ms after it.
    expect(batchSendAtMs(600, { atMs: 500, sentAtMs: 1700 })).toBeCloseTo(1783.333, 3);
  });

  it("closes no more than 1.2 x the planned rate in any second while it catches up, and catches up", () => {
    // 100 closes a second (10 every 100 ms) over 20 s; the driver stalls 2 s at 5 s.
    const planned = Array.from({ length: 200 }, (_, i) => i * 100);
    let previous: { atMs: number; sentAtMs: number } | undefined;
    const sent: number[] = [];
    for (const atMs of planned) {
      let at = batchSendAtMs(atMs, previous);
      if (atMs === 5000) at += 2000;
      sent.push(at);
      previous = { atMs, sentAtMs: at };
    }
    const perSecond = new Map<number, number>();
    for (const at of sent)
      perSecond.set(Math.floor(at / 1000), (perSecond.get(Math.floor(at / 1000)) ?? 0) + 10);
    expect(Math.max(...perSecond.values())).toBeLessThanOrEqual(1.2 * 100 + 10);
    // Sent without the cap, the 2 s of overdue batches would have gone out at once.
    expect(sent[199]).toBeCloseTo(19900, 0);
  });
});
