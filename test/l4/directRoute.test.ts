/** The route straight to the queue-proxy: which port serves the app, and what the route cannot honour. */
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { unwrap, useMockRuntime } from "../helpers/pulumi";
import { L4Exposure } from "../../components/l4/L4Exposure";
import { planL4 } from "../../components/l4/plan";
import { buildL4, l4StackSchema } from "../../stacks/modes/l4";
import { baseArgs } from "./fixtures";
import { sleep } from "../../support/wait";

const runtime = useMockRuntime();
const OWNER = 'L4Exposure "prod"';
const plan = (over: Parameters<typeof baseArgs>[0] = {}) => planL4("prod", baseArgs(over));
const queueProxyNote = (p: ReturnType<typeof planL4>) =>
  p.budget.hops.find((h) => h.name === "queue-proxy")?.note ?? "";

describe("revision.portName: an h2c app is served by the queue-proxy on 8013 only", () => {
  test.each([
    ["default (http1)", 8012, {}],
    ["http1", 8012, { revision: { portName: "http1" } }],
    ["h2c", 8013, { revision: { portName: "h2c" } }],
  ] as const)("%s: HAProxy forwards to the pods' port %s", (_label, port, over) => {
    const p = plan(over as Parameters<typeof baseArgs>[0]);
    expect(p.podService?.port).toBe(port);
    expect(p.upstream).toEqual({ address: "prod-backend.agents-whatsapp-rust.svc.cluster.local", port });
    expect(queueProxyNote(p)).toContain(`Route straight to the queue-proxy (port ${port}`);
  });

  test("h2c with tls none: the LoadBalancer targets 8013 on the pods", () => {
    const p = plan({
      revision: { portName: "h2c" },
      tls: { mode: "none", acknowledgeInsecure: true },
    });
    expect(p.lbTargetPort).toBe(8013);
  });

  test("h2c with min-scale 0: the error names the port the route uses", () => {
    expect(() =>
      plan({
        revision: { portName: "h2c" },
        knative: { minScale: 0, cluster: { maxRevisionTimeoutSeconds: 3600 } },
      }),
    ).toThrow(
      `${OWNER}: knative.minScale 0 is below 1, which the L4 route straight to the pods (queue-proxy port 8013) needs`,
    );
  });
});

describe("what the route straight to the queue-proxy bypasses is in the budget", () => {
  test("the queue-proxy hop's note: kube-proxy's random pick; Route splits, tags and the activator's balancing do not apply", () => {
    expect(queueProxyNote(plan())).toContain(
      "Route straight to the queue-proxy (port 8012): kube-proxy picks a pod per connection among every revision's ready pods; Route traffic splits and tags, and the activator's balancing by free capacity, do not apply.",
    );
  });

  test("the ingress route has no such note", () => {
    expect(queueProxyNote(plan({ route: "ingress" }))).not.toContain("Route straight to the queue-proxy");
  });

  test("a scale-down is one of the queue-proxy hop's drop events", () => {
    expect(plan().budget.dropEvents).toContain(
      "queue-proxy: scale-down (the load falls, between knative.minScale 2 and knative.maxScale 10): open WebSockets count as requests, so they keep the number of pods up, but the pods removed are picked without regard to the sockets they hold: every socket on a removed pod ends as on pod termination; knative.minScale = knative.maxScale rules scale-down out",
    );
  });
});

describe("revision.containerConcurrency > 0 on the route straight to the queue-proxy", () => {
  const refused =
    `${OWNER}: revision.containerConcurrency 10 caps each pod at 10 open WebSockets, and on the route straight to the queue-proxy kube-proxy picks a pod per connection at random, whatever its load: ` +
    `an upgrade that lands on a full pod waits in its queue-proxy's queue (up to 100) or is refused with 503; ` +
    `use route "ingress" (the activator, when in the path, sends requests to pods with free capacity), set containerConcurrency 0 on the Knative Service (the autoscaling target still sizes the pods), or set revision.acceptFullPods: true`;

  test("is refused by default, and nothing is registered", async () => {
    expect(() => new L4Exposure("prod", baseArgs({ revision: { containerConcurrency: 10 } }))).toThrow(
      refused,
    );
    await sleep(10);
    expect(runtime.resources).toEqual([]);
  });

  test("is refused with tls none too (the LoadBalancer selects the pods just as randomly)", () => {
    expect(() =>
      plan({ revision: { containerConcurrency: 10 }, tls: { mode: "none", acknowledgeInsecure: true } }),
    ).toThrow(refused);
  });

  test("acceptFullPods: planned, and the budget says what it costs", () => {
    const p = plan({ revision: { containerConcurrency: 10, acceptFullPods: true } });
    expect(queueProxyNote(p)).toContain(
      "containerConcurrency 10 (accepted): an upgrade that lands on a full pod waits in its queue-proxy's queue or gets 503.",
    );
  });

  test("the ingress route is fine", () => {
    expect(plan({ route: "ingress", revision: { containerConcurrency: 10 } }).route).toBe("ingress");
  });

  test("containerConcurrency 0 (unlimited) is the default", () => {
    expect(plan().revision).toEqual({
      portName: "http1",
      containerConcurrency: 0,
      acceptFullPods: false,
      queueProxyPort: 8012,
    });
  });
});

test.each([
  [
    "an unknown port name",
    { revision: { portName: "http2" } },
    `${OWNER}: revision.portName must be one of "http1", "h2c" (got "http2")`,
  ],
  [
    "a negative containerConcurrency",
    { revision: { containerConcurrency: -1 } },
    `${OWNER}: revision.containerConcurrency must be a whole number >= 0 (got -1)`,
  ],
  [
    "revision with a plain Service backend",
    {
      backend: { service: "chat", namespace: "apps", port: 8081 },
      knative: undefined,
      revision: { portName: "h2c" },
    },
    `${OWNER}: revision is only for a Knative backend (backend.knativeService)`,
  ],
])("%s: a clear error", (_label, over, message) => {
  expect(() => plan(over as never)).toThrow(message);
});

test("stack keys knativePortName and knativeContainerConcurrency reach the component", async () => {
  const doc = parse(fs.readFileSync(path.join(__dirname, "../../Pulumi.staging.yaml"), "utf8")) as {
    config: Record<string, unknown>;
  };
  const raw = Object.fromEntries(
    Object.entries(doc.config).map(([k, v]) => [k.replace(/^ws-exposure:/, ""), v]),
  );
  const h2c = l4StackSchema.parse({ ...raw, knativePortName: "h2c" });
  const out = buildL4("staging", h2c);
  await unwrap(out.url);
  expect(out.budgets[0].hops.find((h) => h.name === "queue-proxy")?.note).toContain(
    "(port 8013, the app's port is h2c)",
  );
  runtime.reset();
  const full = l4StackSchema.parse({ ...raw, knativeContainerConcurrency: 4 });
  expect(() => buildL4("staging", full)).toThrow(
    'L4Exposure "staging": revision.containerConcurrency 4 caps each pod',
  );
});
