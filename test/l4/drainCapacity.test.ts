/**
 * The paced drain's shortest window from a pod's measured handshake capacity (docs/L4.md), and the
 * preview's warning when the window is below what the pods' CPU request absorbs.
 */
import { drainWindowMinSeconds } from "../../components/l4/haproxy/drain";
import { drainCapacityWarning } from "../../components/l4/haproxy/drainCapacity";
import type { L4ExposureArgs } from "../../components/l4/args";
import { planL4 } from "../../components/l4/plan";
import { baseArgs } from "./fixtures";

describe("drainWindowMinSeconds: W >= arrivalRatio x N / (handshakeShare x C x receivingPods), whole seconds up", () => {
  test.each([
    // N = staging's maxconn; 1.25 x 9000 / (0.5 x 1000) = 22.5
    [{ connectionsPerPod: 9000, handshakesPerSecondPerPod: 1000 }, 23],
    // 1.25 x 9000 / (0.5 x 450) = 50: staging's default window is exactly the bound at 450 a second.
    [{ connectionsPerPod: 9000, handshakesPerSecondPerPod: 450 }, 50],
    [{ connectionsPerPod: 9000, handshakesPerSecondPerPod: 449 }, 51],
    // Two receiving pods share the reconnects: 1.25 x 10000 / (0.5 x 500 x 2) = 25.
    [{ connectionsPerPod: 10000, handshakesPerSecondPerPod: 500, receivingPods: 2 }, 25],
    [
      {
        connectionsPerPod: 9000,
        handshakesPerSecondPerPod: 1000,
        arrivalRatio: 1,
        handshakeShare: 1,
      },
      9,
    ],
    // 1.25 x 7 / (0.7 x 0.1) is 125.00000000000001 in floating point: still 125.
    [{ connectionsPerPod: 7, handshakesPerSecondPerPod: 0.1, handshakeShare: 0.7 }, 125],
  ])("%o -> %i s", (args, seconds) => {
    expect(drainWindowMinSeconds(args)).toBe(seconds);
  });

  test.each([
    [
      { connectionsPerPod: 0, handshakesPerSecondPerPod: 1000 },
      "connectionsPerPod must be a number above 0 (got 0)",
    ],
    [
      { connectionsPerPod: 9000, handshakesPerSecondPerPod: NaN },
      "handshakesPerSecondPerPod must be a number above 0 (got NaN)",
    ],
    [
      { connectionsPerPod: 9000, handshakesPerSecondPerPod: 1000, receivingPods: -1 },
      "receivingPods must be a number above 0 (got -1)",
    ],
    [
      { connectionsPerPod: 9000, handshakesPerSecondPerPod: 1000, handshakeShare: 1.5 },
      "handshakeShare must be above 0 and at most 1 (got 1.5)",
    ],
  ])("%o is refused", (args, message) => {
    expect(() => drainWindowMinSeconds(args)).toThrow(`drainWindowMinSeconds: ${message}`);
  });
});

describe("drainCapacityWarning: the window against what the HAProxy pods' CPU request absorbs", () => {
  const staging = {
    field: "tls.haproxy",
    windowSeconds: 50,
    maxconn: 9000,
    cpuRequest: "50m",
    sessionTickets: false,
  };

  test("staging's default window at the default 50m request: the numbers and both fixes", () => {
    expect(drainCapacityWarning('L4Exposure "staging"', staging)?.render()).toBe(
      `L4Exposure "staging": tls.haproxy.drain.windowSeconds 50 is below the 297 s the HAProxy pods' CPU request absorbs (drainWindowMinSeconds, docs/L4.md): ` +
        `a drained pod's tls.haproxy.maxconn 9000 connections reconnect at up to 1.25 x 9000 / 50 = 225 a second, each a full TLS handshake on a pod that stays, ` +
        `and at its tls.haproxy.resources.requests.cpu "50m" (what a node with contended CPU guarantees) a pod takes 76 a second (0.659 ms of CPU each), of which the drain may take 50%; ` +
        `beyond that the handshakes queue on its CPU and its own clients' slow too. ` +
        `Raise tls.haproxy.drain.windowSeconds to at least 297 (and tls.haproxy.hardStopAfterSeconds to at least 299), or tls.haproxy.resources.requests.cpu to at least "297m"`,
    );
  });

  test("it names the arguments as references: the stack program's reader sees the config keys instead", () => {
    const warning = drainCapacityWarning('L4Exposure "staging"', staging);
    const named: string[] = [];
    const text = warning?.render((argPath) => {
      named.push(argPath);
      return `<${argPath}>`;
    });
    expect([...new Set(named)]).toEqual([
      "tls.haproxy.drain.windowSeconds",
      "tls.haproxy.maxconn",
      "tls.haproxy.resources.requests.cpu",
      "tls.haproxy.hardStopAfterSeconds",
    ]);
    expect(text).toMatch(
      /^L4Exposure "staging": <tls\.haproxy\.drain\.windowSeconds> 50 is below .* Raise <tls\.haproxy\.drain\.windowSeconds> to at least 297 \(and <tls\.haproxy\.hardStopAfterSeconds> to at least 299\), or <tls\.haproxy\.resources\.requests\.cpu> to at least "297m"$/,
    );
  });

  test("each fix it names is exactly enough: the window or the request it gives, and one less warns", () => {
    expect(drainCapacityWarning("o", { ...staging, windowSeconds: 297 })).toBeUndefined();
    expect(String(drainCapacityWarning("o", { ...staging, windowSeconds: 296 }))).toContain(
      "windowSeconds 296 is below the 297 s",
    );
    expect(drainCapacityWarning("o", { ...staging, cpuRequest: "297m" })).toBeUndefined();
    expect(String(drainCapacityWarning("o", { ...staging, cpuRequest: "296m" }))).toMatch(
      /windowSeconds 50 is below the 51 s .*\.requests\.cpu "296m" .* a pod takes 449 a second .*\.requests\.cpu to at least "297m"$/,
    );
    expect(drainCapacityWarning("o", { ...staging, cpuRequest: "2" })).toBeUndefined();
  });

  test("with shared session tickets the receiving pod resumes: the resumed handshake's CPU", () => {
    const warning = String(drainCapacityWarning("o", { ...staging, sessionTickets: true }));
    expect(warning).toContain(
      'each a resumed TLS handshake (shared session tickets) on a pod that stays, and at its tls.haproxy.resources.requests.cpu "50m" (what a node with contended CPU guarantees) a pod takes 75 a second (0.668 ms of CPU each)',
    );
    expect(warning).toMatch(
      /below the 301 s .* at least 301 \(and tls\.haproxy\.hardStopAfterSeconds to at least 303\), or .* at least "301m"$/,
    );
  });
});

describe("planL4's warnings: the drain window's, only with a paced drain it does not fit", () => {
  const haproxy = (h: object): Partial<L4ExposureArgs> => ({
    tls: { mode: "terminate", certificate: { secretName: "ws-example-com-tls" }, haproxy: h },
  });

  test("the defaults (maxconn 10000, window 50 s, request 50m): one warning, naming 330 s and 330m", () => {
    expect(planL4("t", baseArgs()).warnings).toEqual([
      drainCapacityWarning('L4Exposure "t"', { ...DEFAULTS, windowSeconds: 50 }),
    ]);
    expect(String(planL4("t", baseArgs()).warnings[0])).toMatch(/below the 330 s .* at least "330m"$/);
  });

  test.each<[string, object]>([
    ["the paced drain off", { drain: false }],
    ["a CPU request that absorbs the window", { resources: { requests: { cpu: "330m" } } }],
    ["a window that the request absorbs", { hardStopAfterSeconds: 332, drain: { windowSeconds: 330 } }],
  ])("%s: no warning", (_what, h) => {
    expect(planL4("t", baseArgs(haproxy(h))).warnings).toEqual([]);
  });

  test("a CPU limit does not count: the request is what a contended node guarantees", () => {
    const plan = planL4(
      "t",
      baseArgs(haproxy({ resources: { requests: { cpu: "50m" }, limits: { cpu: "2" } } })),
    );
    expect(plan.warnings).toHaveLength(1);
    expect(String(plan.warnings[0])).toContain('tls.haproxy.resources.requests.cpu "50m"');
  });
});

const DEFAULTS = { field: "tls.haproxy", maxconn: 10000, cpuRequest: "50m", sessionTickets: false };
