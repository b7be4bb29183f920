import fc from "fast-check";
import { evaluateBudget, Hop, limitingHops } from "../../components/budget/model";
import { queueProxyDrainSeconds, queueProxyHop } from "../../components/budget/hops";
import { tunnelBudget, tunnelPathHops } from "../../components/tunnel/budget";
import { planKnativeSettings } from "../../components/knative/plan";

const hop = (name: string, idle: number | null, lifetime: number | null): Hop => ({
  name,
  idleTimeoutSeconds: idle,
  lifetimeCapSeconds: lifetime,
  dropEvents: [],
});

describe("evaluateBudget", () => {
  test.each([
    [[hop("a", 100, null), hop("b", 60, 3600)], 60, 3600],
    [[hop("a", null, null)], null, null],
    [[hop("a", null, 7200), hop("b", null, 3600), hop("c", 300, null)], 300, 3600],
  ])("%#: effective limits are the minima", (hops, idle, lifetime) => {
    const b = evaluateBudget("p", hops, { heartbeatSeconds: 5, minLifetimeSeconds: 60 });
    expect(b.effectiveIdleTimeoutSeconds).toBe(idle);
    expect(b.lifetimeCapSeconds).toBe(lifetime);
  });

  test("a heartbeat must fit twice into every idle timer: the message names the hop and both fixes", () => {
    const b = evaluateBudget(
      "tunnel",
      [{ ...hop("cloudflare-edge", 100, null), idleSetting: "tunnel.edgeIdleTimeoutSeconds" }],
      {
        heartbeatSeconds: 60,
        minLifetimeSeconds: 60,
      },
    );
    expect(b.ok).toBe(false);
    expect(b.problems).toEqual([
      'websocket.heartbeatSeconds 60 is too slow for the tunnel path: hop "cloudflare-edge" closes a connection idle for 100 s, and a connection must survive 2 heartbeat intervals (120 s); raise tunnel.edgeIdleTimeoutSeconds or set websocket.heartbeatSeconds <= 50',
    ]);
  });

  test("exactly two heartbeats per idle timer is allowed", () => {
    expect(evaluateBudget("p", [hop("x", 10, null)], { heartbeatSeconds: 5, minLifetimeSeconds: 1 }).ok).toBe(
      true,
    );
    expect(evaluateBudget("p", [hop("x", 9, null)], { heartbeatSeconds: 5, minLifetimeSeconds: 1 }).ok).toBe(
      false,
    );
  });

  test("a lifetime cap below the lifetime wanted names the hop and the setting", () => {
    const knative = {
      timeoutSeconds: 600,
      minScale: 2,
      maxScale: 2,
      cluster: { version: "1.22", versionDeclared: true },
    };
    const b = evaluateBudget("tunnel", [queueProxyHop(knative)], {
      heartbeatSeconds: 5,
      minLifetimeSeconds: 3600,
    });
    expect(b.problems).toEqual([
      'the tunnel path caps a connection\'s life at 600 s at hop "queue-proxy", below websocket.minLifetimeSeconds 3600; raise knative.timeoutSeconds to at least 3600',
    ]);
    expect(limitingHops(b).lifetime?.name).toBe("queue-proxy");
  });

  const hopArb = fc.record({
    name: fc.string({ minLength: 1, maxLength: 8 }),
    idleTimeoutSeconds: fc.option(fc.integer({ min: 1, max: 100000 }), { nil: null }),
    lifetimeCapSeconds: fc.option(fc.integer({ min: 1, max: 100000 }), { nil: null }),
    dropEvents: fc.constant([] as string[]),
  });
  const wsArb = fc.record({
    heartbeatSeconds: fc.integer({ min: 1, max: 600 }),
    minLifetimeSeconds: fc.integer({ min: 1, max: 100000 }),
  });

  test("property: the effective values are the minima of the hops' limits", () => {
    fc.assert(
      fc.property(fc.array(hopArb, { maxLength: 8 }), wsArb, (hops, ws) => {
        const b = evaluateBudget("p", hops, ws);
        const idles = hops.map((h) => h.idleTimeoutSeconds).filter((v): v is number => v !== null);
        const caps = hops.map((h) => h.lifetimeCapSeconds).filter((v): v is number => v !== null);
        expect(b.effectiveIdleTimeoutSeconds).toBe(idles.length ? Math.min(...idles) : null);
        expect(b.lifetimeCapSeconds).toBe(caps.length ? Math.min(...caps) : null);
        expect(b.ok).toBe(b.problems.length === 0);
      }),
    );
  });

  test("property: adding a hop never raises the effective limits and never turns a failing path ok", () => {
    const atMost = (after: number | null, before: number | null) =>
      before === null || (after !== null && after <= before);
    fc.assert(
      fc.property(fc.array(hopArb, { maxLength: 6 }), hopArb, wsArb, (hops, extra, ws) => {
        const before = evaluateBudget("p", hops, ws);
        const after = evaluateBudget("p", [...hops, extra], ws);
        expect(atMost(after.effectiveIdleTimeoutSeconds, before.effectiveIdleTimeoutSeconds)).toBe(true);
        expect(atMost(after.lifetimeCapSeconds, before.lifetimeCapSeconds)).toBe(true);
        if (!before.ok) expect(after.ok).toBe(false);
      }),
    );
  });
});

describe("tunnel path", () => {
  const websocket = { heartbeatSeconds: 5, minLifetimeSeconds: 3600 };
  const knative = planKnativeSettings("t", websocket, { cluster: { maxRevisionTimeoutSeconds: 3600 } });

  test("hops in order, with the activator in the path unless target-burst-capacity is 0", () => {
    const hops = tunnelPathHops({
      websocket,
      edgeIdleTimeoutSeconds: 100,
      connectorGracePeriodSeconds: 30,
      connectorReplicas: 2,
      knative,
    });
    expect(hops.map((h) => [h.name, h.idleTimeoutSeconds, h.lifetimeCapSeconds])).toEqual([
      ["client", null, null],
      ["cloudflare-edge", 100, null],
      ["cloudflared", null, null],
      ["knative-ingress", null, null],
      ["activator", null, 3600],
      ["queue-proxy", null, 3600],
    ]);
    expect(hops[2].dropEvents[0]).toBe(
      "connector pod stop (rollout, node drain): its WebSockets get --grace-period 30 s, then close",
    );
  });

  test("an old Kourier's 300 s stream idle timeout becomes the idle limit it is", () => {
    const old = planKnativeSettings("t", websocket, {
      cluster: { maxRevisionTimeoutSeconds: 3600, ingressStreamIdleTimeoutSeconds: 300 },
    });
    const b = tunnelBudget({
      websocket,
      edgeIdleTimeoutSeconds: 100,
      connectorGracePeriodSeconds: 30,
      connectorReplicas: 2,
      knative: old,
    });
    expect(b.hops.find((h) => h.name === "knative-ingress")?.idleTimeoutSeconds).toBe(300);
    expect(b.effectiveIdleTimeoutSeconds).toBe(100);
  });

  test("a plain Service backend has no Knative hops", () => {
    const b = tunnelBudget({
      websocket,
      edgeIdleTimeoutSeconds: 100,
      connectorGracePeriodSeconds: 30,
      connectorReplicas: 2,
      knative: null,
    });
    expect(b.hops.map((h) => h.name)).toEqual(["client", "cloudflare-edge", "cloudflared"]);
    expect(b.lifetimeCapSeconds).toBeNull();
  });

  test.each([
    ["1.21", 0],
    ["1.22", 60],
    ["1.23", 60],
    ["2.0", 60],
  ])("queue-proxy drain for Knative %s is %d s", (version, seconds) => {
    expect(queueProxyDrainSeconds(version)).toBe(seconds);
  });
});

describe("the queue-proxy hop says what the Knative version does on a pod stop", () => {
  const hopFor = (version: string, versionDeclared: boolean, minScale = 2, maxScale = 2) =>
    queueProxyHop({ timeoutSeconds: 3600, minScale, maxScale, cluster: { version, versionDeclared } });
  const both =
    "on SIGTERM the queue-proxy keeps WebSockets through its 30 s drain sleep (30 s without a new request; the user container gets its SIGTERM when it ends), then from Knative 1.22 for at most 60 s more, only those the app keeps open after its SIGTERM; before 1.22 it cuts them when the sleep ends";
  const grace =
    "pod termination (rollout, scale-down, node drain; pod grace terminationGracePeriodSeconds = timeoutSeconds 3600 s)";
  const capNote =
    "timeoutSeconds is a hard cap on a WebSocket's life; idleTimeoutSeconds and responseStartTimeoutSeconds are 0.";

  test.each([
    [
      "1.7",
      false,
      `${grace}: Knative 1.7 cuts upgraded connections when the queue-proxy exits at the end of its 30 s drain sleep (30 s without a new request; the user container gets its SIGTERM when it ends) (the drain of up to 60 s exists from 1.22)`,
      `${capNote} Knative 1.7 assumed: knative.cluster.version is not set, so the budget takes the oldest supported release; declare your cluster's; ${both}`,
    ],
    [
      "1.21",
      true,
      `${grace}: Knative 1.21 cuts upgraded connections when the queue-proxy exits at the end of its 30 s drain sleep (30 s without a new request; the user container gets its SIGTERM when it ends) (the drain of up to 60 s exists from 1.22)`,
      `${capNote} Knative 1.21 (knative.cluster.version); ${both}`,
    ],
    [
      "1.22",
      true,
      `${grace}: Knative 1.22 keeps upgraded connections through the queue-proxy's 30 s drain sleep (30 s without a new request; the user container gets its SIGTERM when it ends), then for at most 60 s more, then cuts them; only the sockets the app keeps open after its own SIGTERM last past the sleep`,
      `${capNote} Knative 1.22 (knative.cluster.version); ${both}`,
    ],
  ])("Knative %s (declared %s)", (version, declared, termination, note) => {
    const hop = hopFor(version, declared);
    expect(hop.dropEvents).toEqual([termination]);
    expect(hop.note).toBe(note);
  });

  test("a scale-down is a drop event whenever max-scale is above min-scale", () => {
    expect(hopFor("1.22", true, 2, 10).dropEvents[1]).toBe(
      "scale-down (the load falls, between knative.minScale 2 and knative.maxScale 10): open WebSockets count as requests, so they keep the number of pods up, but the pods removed are picked without regard to the sockets they hold: every socket on a removed pod ends as on pod termination; knative.minScale = knative.maxScale rules scale-down out",
    );
    expect(hopFor("1.22", true, 3, 3).dropEvents).toHaveLength(1);
  });
});
