import {
  backoffDelayMs,
  backoffSchedule,
  chartSpec,
  classifyError,
  compileTemplate,
  formatDuration,
  IOS_BACKOFF,
  lifetimeBuckets,
  parseBackoff,
  parseDuration,
  type SoakReport,
} from "../../probe";
import { dropCause } from "../../probe/drop";
import { parseHeaders } from "../../probe/connectOptions";

describe("parseDuration", () => {
  it.each([
    ["250ms", 250],
    ["5s", 5000],
    ["1.5s", 1500],
    ["10m", 600_000],
    ["2h", 7_200_000],
    ["3", 3000],
    ["0", 0],
  ])("%s is %d ms", (text, ms) => expect(parseDuration(text)).toBe(ms));

  it.each(["", "5x", "-1s", "s", "1e3s"])("rejects %j", (text) =>
    expect(() => parseDuration(text)).toThrow(`"${text}" is not a duration (use e.g. 250ms, 5s, 10m, 1h)`),
  );
});

describe("formatDuration", () => {
  it.each([
    [0.5, "0.5ms"],
    [850, "850ms"],
    [1500, "1.5s"],
    [600_000, "10m"],
    [630_000, "10m30s"],
    [7_380_000, "2h3m"],
  ])("%d ms is %s", (ms, text) => expect(formatDuration(ms)).toBe(text));
});

describe("backoff", () => {
  it("is the iOS client's schedule by default: 2, 4, 8, 16, 32, then 60 s, 10 attempts", () => {
    expect(backoffSchedule(IOS_BACKOFF)).toEqual([
      2000, 4000, 8000, 16000, 32000, 60000, 60000, 60000, 60000, 60000,
    ]);
  });

  it("scales: 100 ms .. 1 s", () => {
    const profile = { initialMs: 100, maxMs: 1000, maxAttempts: 6, jitter: false };
    expect(backoffSchedule(profile)).toEqual([100, 200, 400, 800, 1000, 1000]);
  });

  it("stays at the cap for any attempt number (no overflow)", () => {
    expect(backoffDelayMs(IOS_BACKOFF, 5000)).toBe(60000);
  });

  it.each([
    [0, 1000],
    [0.5, 1500],
    [1, 2000],
  ])("with jitter, random %d gives %d ms for a 2 s delay (equal jitter: [d/2, d])", (r, ms) => {
    expect(backoffDelayMs({ ...IOS_BACKOFF, jitter: true }, 1, () => r)).toBe(ms);
  });

  it("the nominal schedule ignores jitter", () => {
    expect(backoffSchedule({ ...IOS_BACKOFF, jitter: true, maxAttempts: 3 })).toEqual([2000, 4000, 8000]);
  });

  it("rejects attempt 0", () => {
    expect(() => backoffDelayMs(IOS_BACKOFF, 0)).toThrow("attempt must be an integer >= 1 (got 0)");
  });

  it.each([
    ["2s,60s", { initialMs: 2000, maxMs: 60000 }],
    ["100ms,1s", { initialMs: 100, maxMs: 1000 }],
  ])("parses --backoff %s", (text, expected) => expect(parseBackoff(text)).toEqual(expected));

  it.each([
    ["2s", '--backoff takes "initial,cap", e.g. 2s,60s (got "2s")'],
    ["60s,2s", '--backoff cap must be >= the initial delay (got "60s,2s")'],
    ["0s,1s", '--backoff initial delay must be at least 1ms (got "0s")'],
  ])("rejects --backoff %s", (text, message) => expect(() => parseBackoff(text)).toThrow(message));
});

describe("message template", () => {
  const t = compileTemplate('{"type":"ping","seq":{seq},"conn":{conn},"ts":{ts}}');

  it("renders the placeholders", () => {
    expect(t.render(7, 3)).toMatch(/^\{"type":"ping","seq":7,"conn":3,"ts":\d+\}$/);
  });

  it("reads the sequence number back from an echo", () => {
    expect(t.parseSeq(t.render(42, 1))).toBe(42);
    expect(t.parseSeq('{"type":"other"}')).toBeUndefined();
  });

  it("escapes regex characters of the literal parts", () => {
    const dots = compileTemplate("a.b*{seq}");
    expect(dots.parseSeq("a.b*5")).toBe(5);
    expect(dots.parseSeq("axb*5")).toBeUndefined();
  });

  it("has no sequence without {seq}", () => {
    expect(compileTemplate("hello").hasSeq).toBe(false);
    expect(compileTemplate("hello").parseSeq("hello")).toBeUndefined();
  });
});

describe("classifyError", () => {
  const err = (code: string, message: string) => Object.assign(new Error(message), { code });
  it.each([
    [new Error("Unexpected server response: 403"), "http", "http_403"],
    [err("ECONNREFUSED", "connect ECONNREFUSED 127.0.0.1:1"), "refused", "refused"],
    [err("ENOTFOUND", "getaddrinfo ENOTFOUND x.invalid"), "dns", "dns"],
    [err("DEPTH_ZERO_SELF_SIGNED_CERT", "self-signed certificate"), "tls", "tls"],
    [err("ERR_TLS_CERT_ALTNAME_INVALID", "Hostname/IP does not match"), "tls", "tls"],
    [err("ECONNRESET", "read ECONNRESET"), "reset", "reset"],
    [new Error("Opening handshake has timed out"), "timeout", "timeout"],
    [err("WS_ERR_UNSUPPORTED_MESSAGE_LENGTH", "Max payload size exceeded"), "protocol", "protocol"],
    [new Error("something else"), "error", "error"],
  ])("%s", (e, kind, label) => {
    expect(classifyError(e)).toMatchObject({ kind, label });
  });

  it("keeps the HTTP status", () =>
    expect(classifyError(new Error("Unexpected server response: 503")).status).toBe(503));
});

describe("dropCause", () => {
  it.each([
    [1006, true, false, "pong_timeout"],
    [1006, false, true, "socket_error"],
    [1006, false, false, "connection_lost"],
    [1001, false, false, "server_close"],
    [1005, false, false, "server_close"],
  ] as const)("code %d, pong timeout %s, socket error %s -> %s", (code, pong, error, cause) =>
    expect(dropCause(code, pong, error ? new Error("read ECONNRESET") : undefined)).toBe(cause),
  );
});

describe("parseHeaders", () => {
  it("splits on the first colon", () =>
    expect(parseHeaders(["Authorization: Bearer a:b", "X-Env:dev"])).toEqual({
      Authorization: "Bearer a:b",
      "X-Env": "dev",
    }));
  it("rejects a header without a name", () =>
    expect(() => parseHeaders([":x"])).toThrow('--header takes "Name: value" (got ":x")'));
});

describe("lifetimeBuckets", () => {
  it("adds the expected lifetime as a bucket boundary, once", () => {
    expect(lifetimeBuckets(2700)).toContain(2700);
    expect(lifetimeBuckets(3600).filter((b) => b === 3600)).toHaveLength(1);
  });

  it("adds the short-lifetime boundary too, in order", () => {
    expect(lifetimeBuckets(3600, 3540)).toEqual([
      1, 5, 15, 30, 60, 120, 300, 600, 1800, 3540, 3600, 7200, 14400, 43200, 86400,
    ]);
  });
});

describe("chartSpec", () => {
  it("plots p50/p99/max per window, open connections and the lifetime histogram", () => {
    const report = {
      url: "ws://x/ws",
      timeline: [
        { tMs: 1000, open: 2, drops: 0, rttCount: 4, rttP50Ms: 1, rttP99Ms: 2, rttMaxMs: 3 },
        { tMs: 2000, open: 1, drops: 1, rttCount: 0, rttP50Ms: 0, rttP99Ms: 0, rttMaxMs: 0 },
      ],
      lifetimeSamplesMs: [1500],
      lifetimesMs: { count: 1 },
    } as unknown as SoakReport;
    const spec = chartSpec(report) as { vconcat: Array<{ data: { values: unknown[] } }> };
    expect(spec.vconcat[0].data.values).toEqual([
      { t: 1, series: "p50", ms: 1 },
      { t: 1, series: "p99", ms: 2 },
      { t: 1, series: "max", ms: 3 },
    ]);
    expect(spec.vconcat[1].data.values).toEqual([
      { t: 1, open: 2, drops: 0 },
      { t: 2, open: 1, drops: 1 },
    ]);
    expect(spec.vconcat[2].data.values).toEqual([{ s: 1.5 }]);
  });
});
