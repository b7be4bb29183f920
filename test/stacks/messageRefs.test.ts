/**
 * A component's message names the other arguments it mentions as references: an importing program
 * reads each as its argument path, the stack program as the config key the user wrote.
 */
import * as fs from "fs";
import * as path from "path";
import YAML from "yaml";
import { arg, join, msg } from "../../components/core/message";
import { planL4 } from "../../components/l4/plan";
import { planTunnel } from "../../components/tunnel/plan";
import { parseStackConfig, StackConfig } from "../../stacks/config";
import { inStackTerms, StackMode } from "../../stacks/configArgs";
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
