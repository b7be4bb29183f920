import fc from "fast-check";
import {
  attemptTimes,
  backoffDelays,
  IOS_CLIENT_BACKOFF,
  podRestartOutage,
  reconnectBudget,
  reconnectCost,
} from "../../components/budget/reconnect";
import { tunnelBudget } from "../../components/tunnel/budget";
import { planKnativeSettings } from "../../components/knative/plan";

describe("the iOS client's reconnect profile", () => {
  test("delays 2, 4, 8, 16, 32, then 60 s capped, 10 attempts", () => {
    expect(backoffDelays(IOS_CLIENT_BACKOFF)).toEqual([2, 4, 8, 16, 32, 60, 60, 60, 60, 60]);
    expect(attemptTimes(IOS_CLIENT_BACKOFF)).toEqual([2, 6, 14, 30, 62, 122, 182, 242, 302, 362]);
    expect(reconnectBudget([]).windowSeconds).toBe(362);
  });

  test.each([
    [0, 2, 1, true],
    [2, 2, 1, true],
    [45, 62, 5, true],
    [362, 362, 10, true],
    [363, null, null, false],
  ])("an outage of %d s: back after %j s, at attempt %j", (outage, after, attempt, survives) => {
    expect(reconnectCost({ event: "e", outageSeconds: outage, basis: "b" }, IOS_CLIENT_BACKOFF)).toEqual({
      event: "e",
      outageSeconds: outage,
      basis: "b",
      reconnectAfterSeconds: after,
      attempt,
      survives,
    });
  });

  test("property: the reconnect comes at the first attempt at or after the outage ends", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1000 }), (outage) => {
        const cost = reconnectCost({ event: "e", outageSeconds: outage, basis: "b" }, IOS_CLIENT_BACKOFF);
        const times = attemptTimes(IOS_CLIENT_BACKOFF);
        if (cost.reconnectAfterSeconds === null) expect(outage).toBeGreaterThan(times[times.length - 1]);
        else {
          expect(cost.reconnectAfterSeconds).toBeGreaterThanOrEqual(outage);
          expect(times.filter((t) => t >= outage && t < cost.reconnectAfterSeconds!)).toEqual([]);
        }
      }),
    );
  });
});

describe("pod restarts", () => {
  test("two replicas: no outage", () => {
    expect(podRestartOutage("cloudflared pod restart", 2, 30).outageSeconds).toBe(0);
  });
  test("one replica: its drain plus a pod start", () => {
    expect(podRestartOutage("cloudflared pod restart", 1, 30)).toEqual({
      event: "cloudflared pod restart",
      outageSeconds: 45,
      basis: "1 replica: unreachable for its 30 s drain plus ~15 s to start a new pod",
    });
  });
});

test("the tunnel path's reconnect budget: one connector means a 62 s gap for the client", () => {
  const websocket = { heartbeatSeconds: 5, minLifetimeSeconds: 3600 };
  const knative = planKnativeSettings("t", websocket, { cluster: { maxRevisionTimeoutSeconds: 3600 } });
  const input = { websocket, edgeIdleTimeoutSeconds: 100, connectorGracePeriodSeconds: 30, knative };
  const two = tunnelBudget({ ...input, connectorReplicas: 2 }).reconnect!;
  expect(two.events.map((e) => [e.event, e.outageSeconds, e.reconnectAfterSeconds, e.survives])).toEqual([
    ["Cloudflare edge restart", 0, 2, true],
    ["cloudflared pod restart", 0, 2, true],
    ["Knative pod termination", 0, 2, true],
    ["Knative scale-down", 0, 2, true],
  ]);
  const one = tunnelBudget({ ...input, connectorReplicas: 1 }).reconnect!;
  expect(one.events[1]).toMatchObject({
    outageSeconds: 45,
    reconnectAfterSeconds: 62,
    attempt: 5,
    survives: true,
  });
});
