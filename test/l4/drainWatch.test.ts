/**
 * The drain driver's `--watch` loop against a stand-in master CLI (a Unix socket that answers
 * `show proc`, `@!<pid> show sess` and `shutdown session` as HAProxy's master does): which old
 * workers it drains, when it tries again, and when it leaves a worker alone.
 */
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { watch } from "../../components/l4/haproxy/drainDriver";
import { waitUntil } from "../../support/wait";

interface FakeMaster {
  socket: string;
  /** Every command line the driver sent, in order. */
  commands: string[];
  /** What `show proc` lists now. */
  workers: { current: number[]; old: number[] };
  /** Pids whose `show sess` gets no answer (the driver's CLI timeout fails it). */
  failingSess: Set<number>;
  close: () => Promise<void>;
}

function showProc(current: number[], old: number[]): string {
  return [
    "#<PID>          <type>          <reloads>       <uptime>        <version>",
    "1               master          1 [failed: 0]   0d00h01m00s     2.6.12",
    "# workers",
    ...current.map((p) => `${p}            worker          0               0d00h00m10s     2.6.12`),
    "# old workers",
    ...old.map((p) => `${p}            worker          1               0d00h01m00s     2.6.12`),
    "# programs",
    "",
  ].join("\n");
}

const session = (pid: number) =>
  `0x${pid.toString(16)}a0: proto=tcpv4 src=127.0.0.1:1 fe=websocket be=websocket srv=backend ts=00 epoch=0 age=4s calls=2\n`;

async function fakeMaster(dir: string): Promise<FakeMaster> {
  const socket = path.join(dir, "master.sock");
  const master: Omit<FakeMaster, "close"> = {
    socket,
    commands: [],
    workers: { current: [], old: [] },
    failingSess: new Set(),
  };
  const unanswered = new Set<net.Socket>();
  // allowHalfOpen: the driver ends its side once the command is sent, and reads the answer after.
  const server = net.createServer({ allowHalfOpen: true }, (conn) => {
    let line = "";
    conn.on("error", () => undefined); // the driver hangs up on an unanswered command
    conn.on("data", (d) => (line += d.toString()));
    conn.on("end", () => {
      const command = line.trim();
      master.commands.push(command);
      const sess = /^@!(\d+) show sess$/.exec(command);
      if (command === "show proc") conn.end(showProc(master.workers.current, master.workers.old));
      else if (sess && master.failingSess.has(Number(sess[1]))) unanswered.add(conn);
      else if (sess) conn.end(session(Number(sess[1])));
      // HAProxy answers each `;`-separated command: an empty line when it did its work.
      else conn.end("\n".repeat(command.split("; ").length));
    });
  });
  await new Promise<void>((resolve) => server.listen(socket, resolve));
  // The same object the server answers from: the tests change `workers` and `failingSess` on it.
  const close = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      for (const conn of unanswered) conn.destroy();
    });
  return Object.assign(master, { close });
}

const until = (what: string, ok: () => boolean) => waitUntil(what, ok, 10_000, 5);

describe("haproxy-drain --watch", () => {
  let dir: string;
  let master: FakeMaster;
  let abort: AbortController;
  let running: Promise<void>;
  const events: Record<string, unknown>[] = [];
  const showSess = (pid: number) => master.commands.filter((c) => c === `@!${pid} show sess`).length;
  const closes = (pid: number) =>
    master.commands.filter((c) => c.startsWith(`@!${pid} shutdown session`)).length;
  const polls = () => master.commands.filter((c) => c === "show proc").length;

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "drain-watch-"));
    master = await fakeMaster(dir);
    abort = new AbortController();
    events.length = 0;
    const options = {
      socket: master.socket,
      windowMs: 10,
      tickMs: 10,
      pollMs: 10,
      cliTimeoutMs: 200,
      frontend: "websocket",
    };
    running = watch(options, (e: Record<string, unknown>) => events.push(e), abort.signal);
  });

  afterEach(async () => {
    abort.abort();
    await running;
    await master.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test("an old worker beside a current one is drained once, however many looks see it", async () => {
    master.workers = { current: [200], old: [100] };
    await until("its session closed", () => closes(100) === 1);
    const seen = polls();
    await until("three more looks", () => polls() >= seen + 3);
    expect(showSess(100)).toBe(1);
    expect(closes(100)).toBe(1);
    expect(showSess(200)).toBe(0);
  });

  test("old workers without a current one (a failed reload) are left alone", async () => {
    master.workers = { current: [], old: [100] };
    await until("five looks", () => polls() >= 5);
    expect(showSess(100)).toBe(0);
    master.workers = { current: [200], old: [100] };
    await until("its session closed", () => closes(100) === 1);
  });

  test("a worker whose sessions could not be listed is tried again at the next look", async () => {
    master.failingSess.add(100);
    master.workers = { current: [200], old: [100] };
    await until("the first failure logged", () => events.some((e) => e.event === "drain-error"));
    expect(events.find((e) => e.event === "drain-error")).toEqual({
      event: "drain-error",
      pid: 100,
      error: 'no answer to "@!100 show sess"',
    });
    master.failingSess.delete(100);
    await until("its session closed", () => closes(100) === 1);
    expect(showSess(100)).toBeGreaterThanOrEqual(2);
  });

  test("a pid that left the list and comes back (a restarted container) is drained again", async () => {
    master.workers = { current: [200], old: [100] };
    await until("its session closed", () => closes(100) === 1);
    master.workers = { current: [200], old: [] };
    const seen = polls();
    await until("two looks without it", () => polls() >= seen + 2);
    master.workers = { current: [300], old: [100] };
    await until("its session closed again", () => closes(100) === 2);
    expect(showSess(100)).toBe(2);
  });
});
