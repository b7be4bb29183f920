/**
 * A component's message names the other arguments it mentions as references: an importing program
 * reads each as its argument path, the stack program as the config key the user wrote.
 */
import * as fs from "fs";
import * as path from "path";
import YAML from "yaml";
import { arg, join, msg, renderProblem } from "../../components/core/message";
import { planHybrid } from "../../components/hybrid/plan";
import { planL4 } from "../../components/l4/plan";
import { planTunnel } from "../../components/tunnel/plan";
import { parseStackConfig, StackConfig } from "../../stacks/config";
import { inStackTerms, stackArgNames, StackMode } from "../../stacks/configArgs";
import { drainWarning } from "../helpers/render";
import { hybridArgs } from "../../stacks/modes/hybrid";
import { l4Args } from "../../stacks/modes/l4";
import { tunnelArgs } from "../../stacks/modes/tunnel";

test("a Message renders its references by path, or by whatever name the reader gives", () => {
  const m = msg`is above ${arg("knative.maxScale")} ${10}; ${join([msg`raise ${arg("a.b")}`, "wait"], " or ")}`;
  expect(m.render()).toBe("is above knative.maxScale 10; raise a.b or wait");
  expect(String(m)).toBe("is above knative.maxScale 10; raise a.b or wait");
  expect(m.render((p) => `<${p}>`)).toBe("is above <knative.maxScale> 10; raise <a.b> or wait");
});

function stack(name: string): Record<string, unknown> {
  const file = YAML.parse(fs.readFileSync(path.join(__dirname, `../../Pulumi.${name}.yaml`), "utf8"));
  return Object.fromEntries(
    Object.entries(file.config as Record<string, unknown>)
      .filter(([k]) => k.startsWith("ws-exposure:"))
      .map(([k, v]) => [k.slice("ws-exposure:".length), v]),
  );
}

/** The component's refusal of a committed stack with `over` set: its own message, and the stack program's. */
function refusal(mode: StackMode, name: string, over: Record<string, unknown>): [string, string] {
  const config = { ...parseStackConfig({ ...stack(name), ...over }), secrets: {} } as StackConfig;
  try {
    if (mode === "l4") planL4(name, l4Args(config, config.hostname));
    else planTunnel(name, tunnelArgs(config, config.hostname));
  } catch (err) {
    return [(err as Error).message, (inStackTerms(err, mode) as Error).message];
  }
  throw new Error("not refused");
}

test.each<[StackMode, string, Record<string, unknown>, string, string]>([
  [
    "l4",
    "staging",
    { l4Addresses: ["192.168.1.240/29", "192.168.1.244-192.168.1.250"] },
    'L4Exposure "staging": addressPool.create.addresses[1] "192.168.1.244-192.168.1.250" overlaps addressPool.create.addresses[0] "192.168.1.240/29"; MetalLB refuses overlapping ranges',
    'stack config: ws-exposure:l4Addresses[1] "192.168.1.244-192.168.1.250" overlaps ws-exposure:l4Addresses[0] "192.168.1.240/29"; MetalLB refuses overlapping ranges [L4Exposure "staging": addressPool.create.addresses[1]]',
  ],
  [
    "l4",
    "staging",
    { haproxyPreStopSeconds: 70 },
    `L4Exposure "staging": tls.haproxy.preStopSeconds 70 must be below tls.haproxy.hardStopAfterSeconds 60: the preStop sleep only lets the load balancer stop sending new connections; the drain of open ones is hard-stop-after's window`,
    `stack config: ws-exposure:haproxyPreStopSeconds 70 must be below ws-exposure:haproxyHardStopAfterSeconds 60: the preStop sleep only lets the load balancer stop sending new connections; the drain of open ones is hard-stop-after's window [L4Exposure "staging": tls.haproxy.preStopSeconds]`,
  ],
  // ws-exposure:haproxyCpuRequest is the component's tls.haproxy.resources.requests.cpu: a CPU quantity above 0.
  [
    "l4",
    "staging",
    { haproxyCpuRequest: "abc" },
    'L4Exposure "staging": tls.haproxy.resources.requests.cpu "abc" is not a Kubernetes CPU quantity above 0 such as "500m" or "2"',
    'stack config: ws-exposure:haproxyCpuRequest "abc" is not a Kubernetes CPU quantity above 0 such as "500m" or "2" [L4Exposure "staging": tls.haproxy.resources.requests.cpu]',
  ],
  [
    "l4",
    "staging",
    { haproxyCpuRequest: "0" },
    'L4Exposure "staging": tls.haproxy.resources.requests.cpu "0" is not a Kubernetes CPU quantity above 0 such as "500m" or "2"',
    'stack config: ws-exposure:haproxyCpuRequest "0" is not a Kubernetes CPU quantity above 0 such as "500m" or "2" [L4Exposure "staging": tls.haproxy.resources.requests.cpu]',
  ],
  [
    "tunnel",
    "dev",
    { heartbeatSeconds: 60 },
    `TunnelExposure "dev": websocket does not fit the tunnel path's connection budget: websocket.heartbeatSeconds 60 is too slow for the tunnel path: hop "cloudflare-edge" closes a connection idle for 100 s, and a connection must survive 2 heartbeat intervals (120 s); raise tunnel.edgeIdleTimeoutSeconds (only if you measured a longer timer) or set websocket.heartbeatSeconds <= 50`,
    `TunnelExposure "dev": websocket does not fit the tunnel path's connection budget: ws-exposure:heartbeatSeconds 60 is too slow for the tunnel path: hop "cloudflare-edge" closes a connection idle for 100 s, and a connection must survive 2 heartbeat intervals (120 s); raise ws-exposure:edgeIdleTimeoutSeconds (only if you measured a longer timer) or set ws-exposure:heartbeatSeconds <= 50`,
  ],
])(
  "%s stack %s with %j: argument paths for a program, config keys for the stack",
  (mode, name, over, own, inStack) => {
    expect(refusal(mode, name, over)).toEqual([own, inStack]);
  },
);

/** A warning as `pulumi.log.warn` prints it in a render, from the text L4Exposure logs. */
const printed = (text: string) => `warning: [runtime] ${text}\n`;

describe("the drain window's warning: argument paths for a program, config keys for the stack", () => {
  test.each<[StackMode, string, string, 9000 | 10000]>([
    ["l4", "staging", "staging", 9000],
    ["hybrid", "prod", "prod-l4", 10000],
  ])("%s stack %s (its L4Exposure %s)", (mode, name, l4Name, maxconn) => {
    const config = { ...parseStackConfig(stack(name)), secrets: {} } as StackConfig;
    const plan =
      mode === "hybrid"
        ? planHybrid(name, hybridArgs(config)).l4
        : planL4(l4Name, l4Args(config, config.hostname));
    expect(plan.owner).toBe(`L4Exposure "${l4Name}"`);
    expect(plan.warnings).toHaveLength(1);
    const [warning] = plan.warnings;
    expect(printed(renderProblem(warning, plan.owner))).toBe(drainWarning(l4Name, maxconn, "program"));
    expect(printed(renderProblem(warning, plan.owner, stackArgNames(mode)))).toBe(
      drainWarning(l4Name, maxconn, "stack"),
    );
  });

  test("ws-exposure:haproxyCpuRequest at the request it names: no warning, and the container requests it", () => {
    const over = { ...stack("staging"), haproxyCpuRequest: "297m" };
    const plan = planL4(
      "staging",
      l4Args({ ...parseStackConfig(over), secrets: {} } as StackConfig, "x.example.com"),
    );
    expect(plan.warnings).toEqual([]);
    expect(plan.tls.mode === "terminate" && plan.tls.haproxy.resources.requests).toEqual({
      cpu: "297m",
      memory: "627Mi",
    });
    const below = { ...stack("staging"), haproxyCpuRequest: "296m" };
    const warned = planL4(
      "staging",
      l4Args({ ...parseStackConfig(below), secrets: {} } as StackConfig, "x.example.com"),
    );
    expect(renderProblem(warned.warnings[0], warned.owner, stackArgNames("l4"))).toMatch(
      /ws-exposure:haproxyCpuRequest "296m" .* or ws-exposure:haproxyCpuRequest to at least "297m"$/,
    );
  });
});

test("stackArgNames: the key behind an argument of the component the owner names, else the path", () => {
  const names = stackArgNames("hybrid");
  expect(names('L4Exposure "prod-l4"', "tls.haproxy.resources.requests.cpu")).toBe(
    "ws-exposure:haproxyCpuRequest",
  );
  expect(names('HybridExposure "prod"', "l4.tls.haproxy.maxconn")).toBe("ws-exposure:haproxyMaxconn");
  expect(names('L4Exposure "prod-l4"', "tls.haproxy.resources.limits.cpu")).toBe(
    "tls.haproxy.resources.limits.cpu",
  );
  expect(names("something else", "tls.haproxy.maxconn")).toBe("tls.haproxy.maxconn");
});
