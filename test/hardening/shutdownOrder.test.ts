/**
 * The order of the shutdown timers, per path: preStop (the LB stops sending) < the proxy's drain
 * (HAProxy hard-stop-after / cloudflared --grace-period) < terminationGracePeriodSeconds.
 */
import { planShutdown, SHUTDOWN_MARGIN_SECONDS } from "../../components/l4/haproxy";
import {
  assertShutdownOrder,
  shutdownOrderProblems,
  ShutdownTimers,
} from "../../components/core/shutdownOrder";
import { planConnector } from "../../components/tunnel/connector";
import { queueProxyHop } from "../../components/budget/hops";

const haproxy = (preStop: number, hardStop: number, spread: number, grace: number): ShutdownTimers => ({
  proxy: "haproxy",
  preStop: { field: "tls.haproxy.preStopSeconds", seconds: preStop },
  drain: { field: "tls.haproxy.hardStopAfterSeconds", seconds: hardStop },
  closeSpread: { field: "tls.haproxy.closeSpreadSeconds", seconds: spread },
  terminationGracePeriod: { field: "tls.haproxy.terminationGracePeriodSeconds", seconds: grace },
  marginSeconds: SHUTDOWN_MARGIN_SECONDS,
});

const cloudflared = (gracePeriod: number, podGrace: number): ShutdownTimers => ({
  proxy: "cloudflared",
  drain: { field: "connector.gracePeriodSeconds", seconds: gracePeriod },
  terminationGracePeriod: { field: "connector.terminationGracePeriodSeconds", seconds: podGrace },
  marginSeconds: 1,
});

describe("shutdownOrderProblems", () => {
  test.each<[string, ShutdownTimers]>([
    ["haproxy defaults (10 < 60, 50 < 60, 80 >= 10 + 60 + 10)", haproxy(10, 60, 50, 80)],
    ["haproxy short (1 < 5, 2 < 5, 16)", haproxy(1, 5, 2, 16)],
    ["haproxy no spread", haproxy(1, 2, 0, 13)],
    ["haproxy generous grace", haproxy(10, 60, 50, 3600)],
    ["cloudflared defaults (30 < 45)", cloudflared(30, 45)],
    ["cloudflared tight (30 < 31)", cloudflared(30, 31)],
  ])("in order: %s", (_label, timers) => {
    expect(shutdownOrderProblems(timers)).toEqual([]);
    expect(() => assertShutdownOrder("X", timers)).not.toThrow();
  });

  test.each<[string, ShutdownTimers, { field: string; problem: string }[]]>([
    [
      "preStop equal to hard-stop-after",
      haproxy(60, 60, 50, 130),
      [
        {
          field: "tls.haproxy.preStopSeconds",
          problem:
            "60 must be below tls.haproxy.hardStopAfterSeconds 60: the preStop sleep only lets the load balancer stop sending new connections; the drain of open ones is hard-stop-after's window",
        },
      ],
    ],
    [
      "close-spread-time not inside hard-stop-after",
      haproxy(10, 60, 60, 80),
      [
        {
          field: "tls.haproxy.closeSpreadSeconds",
          problem:
            "60 must be below tls.haproxy.hardStopAfterSeconds 60, so connections get the chance to close gracefully before the old process is stopped",
        },
      ],
    ],
    [
      "pod grace shorter than preStop + hard-stop-after + margin",
      haproxy(10, 60, 50, 79),
      [
        {
          field: "tls.haproxy.terminationGracePeriodSeconds",
          problem:
            "79 is too short: it must be at least preStopSeconds 10 + hardStopAfterSeconds 60 + 10 = 80, because the grace period counts from the start of preStop and ends in SIGKILL, which would cut the drain short",
        },
      ],
    ],
    [
      "everything out of order: every problem, in shutdown order",
      haproxy(70, 60, 65, 30),
      [
        {
          field: "tls.haproxy.preStopSeconds",
          problem:
            "70 must be below tls.haproxy.hardStopAfterSeconds 60: the preStop sleep only lets the load balancer stop sending new connections; the drain of open ones is hard-stop-after's window",
        },
        {
          field: "tls.haproxy.closeSpreadSeconds",
          problem:
            "65 must be below tls.haproxy.hardStopAfterSeconds 60, so connections get the chance to close gracefully before the old process is stopped",
        },
        {
          field: "tls.haproxy.terminationGracePeriodSeconds",
          problem:
            "30 is too short: it must be at least preStopSeconds 70 + hardStopAfterSeconds 60 + 10 = 140, because the grace period counts from the start of preStop and ends in SIGKILL, which would cut the drain short",
        },
      ],
    ],
    [
      "cloudflared pod grace equal to --grace-period",
      cloudflared(30, 30),
      [
        {
          field: "connector.terminationGracePeriodSeconds",
          problem:
            "30 must exceed connector.gracePeriodSeconds 30, or Kubernetes kills cloudflared before its in-flight requests finish; set it to at least 31",
        },
      ],
    ],
    [
      "cloudflared pod grace below --grace-period",
      cloudflared(60, 45),
      [
        {
          field: "connector.terminationGracePeriodSeconds",
          problem:
            "45 must exceed connector.gracePeriodSeconds 60, or Kubernetes kills cloudflared before its in-flight requests finish; set it to at least 61",
        },
      ],
    ],
    [
      "a proxy with a preStop and a --grace-period (generic wording)",
      {
        proxy: "cloudflared",
        preStop: { field: "connector.preStopSeconds", seconds: 5 },
        drain: { field: "connector.gracePeriodSeconds", seconds: 30 },
        terminationGracePeriod: { field: "connector.terminationGracePeriodSeconds", seconds: 30 },
        marginSeconds: 1,
      },
      [
        {
          field: "connector.terminationGracePeriodSeconds",
          problem:
            "30 is too short: it must be at least preStopSeconds 5 + gracePeriodSeconds 30 + 1 = 36, because the grace period counts from the start of preStop and ends in SIGKILL, which would cut the drain short",
        },
      ],
    ],
  ])("out of order: %s", (_label, timers, problems) => {
    expect(shutdownOrderProblems(timers)).toEqual(problems);
    expect(() => assertShutdownOrder('L4Exposure "p"', timers)).toThrow(
      `L4Exposure "p": ${problems[0].field} ${problems[0].problem}`,
    );
  });

  test("property: for any timers, no problem iff preStop < drain, spread < drain and preStop + drain + margin <= grace", () => {
    for (let pre = 1; pre <= 6; pre++)
      for (let drain = 1; drain <= 6; drain++)
        for (let spread = 0; spread <= 6; spread++)
          for (let grace = 1; grace <= 25; grace += 2) {
            const ok = pre < drain && spread < drain && pre + drain + SHUTDOWN_MARGIN_SECONDS <= grace;
            expect(shutdownOrderProblems(haproxy(pre, drain, spread, grace)).length === 0).toBe(ok);
          }
  });
});

describe("the paced drain's window (HAProxy)", () => {
  const paced = (window: number, hardStop = 60): ShutdownTimers => ({
    ...haproxy(10, hardStop, 50, 80),
    pacedDrain: { field: "tls.haproxy.drain.windowSeconds", seconds: window },
  });

  test("the default 50 s inside hard-stop-after 60 s: in order", () => {
    expect(shutdownOrderProblems(paced(50))).toEqual([]);
  });

  test("58 s, hard-stop-after less the driver's 2 s start slack: in order", () => {
    expect(shutdownOrderProblems(paced(58))).toEqual([]);
  });

  test.each([59, 60, 61])(
    "a window of %i s leaves hard-stop-after 60 s less than the 2 s slack",
    (window) => {
      expect(shutdownOrderProblems(paced(window))).toEqual([
        {
          field: "tls.haproxy.drain.windowSeconds",
          problem: `${window} must be at most tls.haproxy.hardStopAfterSeconds 60 - 2 = 58: hard-stop-after counts from the soft-stop (or the reload), the window from when the drain's driver sees the old process (up to 2 s later), and hard-stop-after closes at once every connection the paced drain has not closed yet; lower it or raise hardStopAfterSeconds`,
        },
      ]);
    },
  );

  test("property: no problem iff the window ends 2 s before hard-stop-after (other timers in order)", () => {
    for (let hardStop = 11; hardStop <= 70; hardStop += 3)
      for (let window = 1; window <= 80; window += 2) {
        const timers = {
          ...paced(window, hardStop),
          closeSpread: undefined,
          terminationGracePeriod: { field: "g", seconds: 1000 },
        };
        expect(shutdownOrderProblems(timers).length === 0).toBe(window <= hardStop - 2);
      }
  });

  test("planShutdown checks it with the other timers", () => {
    expect(() =>
      planShutdown('L4Exposure "p"', "tls.haproxy", { hardStopAfterSeconds: 30, drainWindowSeconds: 30 }),
    ).toThrow(
      `L4Exposure "p": tls.haproxy.drain.windowSeconds 30 must be at most tls.haproxy.hardStopAfterSeconds 30 - 2 = 28: hard-stop-after counts from the soft-stop (or the reload), the window from when the drain's driver sees the old process (up to 2 s later), and hard-stop-after closes at once every connection the paced drain has not closed yet; lower it or raise hardStopAfterSeconds`,
    );
  });
});

describe("the plans use it", () => {
  test("planShutdown (the L4 plan's HAProxy tier) throws its first problem", () => {
    expect(() =>
      planShutdown('L4Exposure "p"', "tls.haproxy", { preStopSeconds: 5, hardStopAfterSeconds: 5 }),
    ).toThrow(
      `L4Exposure "p": tls.haproxy.preStopSeconds 5 must be below tls.haproxy.hardStopAfterSeconds 5: the preStop sleep only lets the load balancer stop sending new connections; the drain of open ones is hard-stop-after's window`,
    );
    expect(planShutdown('L4Exposure "p"', "tls.haproxy", {})).toMatchObject({
      preStopSeconds: 10,
      hardStopAfterSeconds: 60,
      closeSpreadSeconds: 50,
      terminationGracePeriodSeconds: 80,
    });
  });

  test("planConnector (the tunnel plan's cloudflared) throws its first problem", () => {
    expect(() =>
      planConnector('TunnelExposure "dev"', { gracePeriodSeconds: 30, terminationGracePeriodSeconds: 30 }),
    ).toThrow(
      'TunnelExposure "dev": connector.terminationGracePeriodSeconds 30 must exceed connector.gracePeriodSeconds 30, or Kubernetes kills cloudflared before its in-flight requests finish; set it to at least 31',
    );
    expect(planConnector('TunnelExposure "dev"', {})).toMatchObject({
      gracePeriodSeconds: 30,
      terminationGracePeriodSeconds: 45,
    });
  });
});

describe("the Knative end of the shutdown is in the budget", () => {
  const knative = (version: string, versionDeclared = true) => ({
    timeoutSeconds: 3600,
    minScale: 2,
    maxScale: 2,
    cluster: { version, versionDeclared },
  });
  test.each([
    [
      "1.22",
      "pod termination (rollout, scale-down, node drain; pod grace terminationGracePeriodSeconds = timeoutSeconds 3600 s): Knative 1.22 keeps upgraded connections through the queue-proxy's 30 s drain sleep (30 s without a new request; the user container gets its SIGTERM when it ends), then for at most 60 s more, then cuts them; only the sockets the app keeps open after its own SIGTERM last past the sleep",
    ],
    [
      "1.21",
      "pod termination (rollout, scale-down, node drain; pod grace terminationGracePeriodSeconds = timeoutSeconds 3600 s): Knative 1.21 cuts upgraded connections when the queue-proxy exits at the end of its 30 s drain sleep (30 s without a new request; the user container gets its SIGTERM when it ends) (the drain of up to 60 s exists from 1.22)",
    ],
  ])("Knative %s: pod grace and queue-proxy drain", (version, event) => {
    expect(queueProxyHop(knative(version)).dropEvents).toEqual([event]);
  });
});
