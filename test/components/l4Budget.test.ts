import { settle, useMockRuntime } from "../helpers/pulumi";
import { L4Exposure } from "../../components/l4/L4Exposure";
import { baseArgs } from "../l4/fixtures";

const runtime = useMockRuntime();

/** The L4 path's budget errors, each naming the hop and the setting to change; nothing registered. */
describe.each([
  [
    "heartbeat too slow for an old Kourier's stream idle timeout on the ingress route",
    baseArgs({
      route: "ingress",
      websocket: { heartbeatSeconds: 40, minLifetimeSeconds: 3600 },
      knative: {
        minScale: 2,
        cluster: { maxRevisionTimeoutSeconds: 3600, ingressStreamIdleTimeoutSeconds: 60 },
      },
    }),
    'L4Exposure "staging": websocket does not fit the l4 path\'s connection budget: websocket.heartbeatSeconds 40 is too slow for the l4 path: hop "knative-ingress" closes a connection idle for 60 s, and a connection must survive 2 heartbeat intervals (80 s); raise knative.cluster.ingressStreamIdleTimeoutSeconds (config-kourier stream-idle-timeout; 0 = none) or set websocket.heartbeatSeconds <= 30',
  ],
  [
    "Knative timeout below the lifetime wanted",
    baseArgs({ knative: { minScale: 2, timeoutSeconds: 900, cluster: { maxRevisionTimeoutSeconds: 3600 } } }),
    'L4Exposure "staging": websocket does not fit the l4 path\'s connection budget: the l4 path caps a connection\'s life at 900 s at hop "queue-proxy", below websocket.minLifetimeSeconds 3600; raise knative.timeoutSeconds to at least 3600',
  ],
])("%s", (_label, args, message) => {
  test("throws the exact message and registers nothing", async () => {
    expect(() => new L4Exposure("staging", args)).toThrow(message);
    await settle();
    expect(runtime.resources).toEqual([]);
  });
});

test("the L4 budget's reconnect costs: an L2 failover is ~10 s unreachable, back at the 3rd attempt", () => {
  const l4 = new L4Exposure("staging", baseArgs());
  expect(
    l4.budgetValue.reconnect?.events.map((e) => [
      e.event,
      e.outageSeconds,
      e.reconnectAfterSeconds,
      e.attempt,
    ]),
  ).toEqual([
    ["MetalLB L2 leader change", 10, 14, 3],
    ["HAProxy pod restart", 0, 2, 1],
    ["Knative pod termination", 0, 2, 1],
    ["Knative scale-down", 0, 2, 1],
  ]);
});
