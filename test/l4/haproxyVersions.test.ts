/**
 * The rendered haproxy.cfg must load on Debian's HAProxy 2.6 (the integration tests run it with
 * `haproxy -c`) and on the 3.2 image the pods run, without warnings: no directive 3.x removed,
 * renamed or deprecated, every time with a unit, no name shared by two proxies of any kinds. Pure: no binary needed.
 */
import { HAPROXY_BACKEND, HAPROXY_FRONTEND } from "../../components/l4/haproxy";
import { parseArgs } from "../../components/l4/haproxy/drainDriver";
import { haproxyConfigFor } from "../../components/l4/haproxy";
import { planL4 } from "../../components/l4/plan";
import { haproxyConfigMatrix } from "./fixtures";
import { haproxyKnown, haproxyRemovedIn3x, haproxyTimeDirectives } from "./knownKeys";

const SECTIONS = /^(global|defaults|frontend|backend|listen|program|mailers|peers|resolvers)\b/;

/** Trimmed lines of a config, without comments and blanks. */
function directives(cfg: string): string[] {
  return cfg
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "" && !l.startsWith("#"));
}

/** What 3.x refuses or warns about in these lines. */
function removedIn3x(lines: string[]): string[] {
  return lines.flatMap((line) =>
    haproxyRemovedIn3x
      .filter((r) => r.pattern.test(line))
      .map((r) => `${JSON.stringify(line)}: ${r.what}, ${r.since}; use ${r.instead}`),
  );
}

describe.each(haproxyConfigMatrix)("haproxy.cfg, %s: valid for HAProxy 2.6 and 3.x", (_label, args) => {
  const lines = directives(haproxyConfigFor(planL4("t", args)));

  it("holds no directive 3.0-3.3 removed, renamed or deprecated", () =>
    expect(removedIn3x(lines)).toEqual([]));

  it("uses only keywords HAProxy 2.6 and 3.x both know", () => {
    const keywords = lines.filter((l) => !SECTIONS.test(l)).map((l) => l.split(/\s+/)[0]);
    expect(keywords.filter((k) => !haproxyKnown.includes(k))).toEqual([]);
  });

  it("writes every time with a unit (3.1+ warns on a unitless value below 100: milliseconds)", () => {
    const times = lines.map((l) => haproxyTimeDirectives.exec(l)).filter((m) => m !== null);
    // timeout connect/client/server/tunnel/client-fin, hard-stop-after, close-spread-time at least.
    expect(times.length).toBeGreaterThanOrEqual(7);
    expect(times.filter((m) => !/^\d+(us|ms|s|m|h|d)$/.test(m[2])).map((m) => m[0])).toEqual([]);
  });

  it("names each proxy once across frontends, backends and listens, and each server once", () => {
    // 3.2 warns when a frontend and a backend share a name ("will not be supported anymore in
    // version 3.3"), 3.3 refuses it; two proxies of one kind, or two servers, are refused already.
    const named = (kinds: string[]) =>
      lines.filter((l) => kinds.includes(l.split(/\s+/)[0])).map((l) => l.split(/\s+/)[1]);
    const proxies = named(["frontend", "backend", "listen"]);
    expect(proxies).toContain(HAPROXY_FRONTEND);
    expect(proxies).toContain(HAPROXY_BACKEND);
    expect(proxies.filter((name, i) => proxies.indexOf(name) !== i)).toEqual([]);
    const servers = named(["server"]);
    expect(servers.length).toBeGreaterThan(0);
    expect(servers.filter((name, i) => servers.indexOf(name) !== i)).toEqual([]);
  });
});

it("the drain driver closes the streams of the rendered frontend by default", () => {
  expect(parseArgs(["--socket", "/s", "--window", "1", "--watch"]).frontend).toBe(HAPROXY_FRONTEND);
});

describe("the 3.x removal list catches what it names", () => {
  it.each([
    ["bind-process 1", "bind-process"],
    ["bind :8443 ssl crt /x process 1", "process on bind lines"],
    ["option accept-invalid-http-request", "option accept-invalid-http-request/-response"],
    ["no option accept-invalid-http-response", "option accept-invalid-http-request/-response"],
    ["tcp-request connection set-mark 0x1", "set-mark / set-tos actions"],
    ["http-request set-tos 8", "set-mark / set-tos actions"],
    ["tune.ssl.ocsp-update.mode on", "tune.ssl.ocsp-update.*"],
    ["tune.ssl.capture-cipherlist-size 64", "tune.ssl.capture-cipherlist-size"],
    ["tune.lua.preserve-smp-bool on", "tune.lua.preserve-smp-bool"],
    ["transparent", "transparent"],
    ["program dataplane", "a program section"],
    ["mailers alerts", "a mailers section (legacy C mailers)"],
  ])("%j", (line, what) => expect(removedIn3x([line])).toEqual([expect.stringContaining(`: ${what}, `)]));

  it.each([
    "tcp-request connection set-fc-mark 0x1",
    "option accept-unsafe-violations-in-http-request",
    "bind :8443 ssl crt /x thread 1",
  ])("%j is fine", (line) => expect(removedIn3x([line])).toEqual([]));

  it.each([
    ["timeout client 30", "30"],
    ["hard-stop-after 60s", "60s"],
    ["close-spread-time 50s", "50s"],
  ])("%j is a time directive", (line, value) => expect(haproxyTimeDirectives.exec(line)?.[2]).toBe(value));
});
