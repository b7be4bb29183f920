/**
 * A component's refusal, rethrown by the stack program, names the config key the user wrote in
 * Pulumi.<stack>.yaml (the component argument in brackets); the key <-> argument table is complete
 * and right (each entry checked against the builders that turn config into args).
 */
import * as fs from "fs";
import * as path from "path";
import YAML from "yaml";
import * as pulumi from "@pulumi/pulumi";
import { arg, msg, Problem, ValidationError } from "../../components/core/validation";
import { argKeysFor, configKeyOf, inStackTerms, StackMode } from "../../stacks/configArgs";
import { StackConfigError } from "../../stacks/configErrors";
import { configSchema, StackConfig, valueKind } from "../../stacks/config";
import { commonShape } from "../../stacks/modes/common";
import { hybridArgs, hybridShape } from "../../stacks/modes/hybrid";
import { l4Args, l4Shape } from "../../stacks/modes/l4";
import { tunnelArgs, tunnelShape } from "../../stacks/modes/tunnel";
import { KEYS_OF_CHOICE } from "../../stacks/modes/l4LoadBalancer";

describe("inStackTerms: the config key first, the component argument in brackets", () => {
  test.each<[StackMode, string, string, Problem, string]>([
    [
      "l4",
      'L4Exposure "staging"',
      "port",
      "must be a whole number from 1 to 65535 (got 70000)",
      'stack config: ws-exposure:l4Port must be a whole number from 1 to 65535 (got 70000) [L4Exposure "staging": port]',
    ],
    [
      "tunnel",
      'TunnelExposure "dev"',
      "connector.replicas",
      "must be a whole number from 1 to 25 (got 0)",
      'stack config: ws-exposure:connectorReplicas must be a whole number from 1 to 25 (got 0) [TunnelExposure "dev": connector.replicas]',
    ],
    [
      "tunnel",
      'TunnelExposure "dev"',
      "knative.minScale",
      msg`12 is above ${arg("knative.maxScale")} 10; lower minScale or raise maxScale`,
      'stack config: ws-exposure:minScale 12 is above ws-exposure:maxScale 10; lower minScale or raise maxScale [TunnelExposure "dev": knative.minScale]',
    ],
    [
      "l4",
      'L4Exposure "staging"',
      "addressPool.create.addresses[1]",
      msg`"192.168.1.244-192.168.1.250" overlaps ${arg("addressPool.create.addresses[0]")} "192.168.1.240/29"; MetalLB refuses overlapping ranges`,
      'stack config: ws-exposure:l4Addresses[1] "192.168.1.244-192.168.1.250" overlaps ws-exposure:l4Addresses[0] "192.168.1.240/29"; MetalLB refuses overlapping ranges [L4Exposure "staging": addressPool.create.addresses[1]]',
    ],
    [
      "tunnel",
      'TunnelExposure "dev"',
      "httpRoutes[2].path",
      '"^/api/(" is not a valid regular expression',
      'stack config: ws-exposure:httpPaths[2] "^/api/(" is not a valid regular expression [TunnelExposure "dev": httpRoutes[2].path]',
    ],
    // In hybrid mode the tunnel child's hostname is httpHostname; the L4 child's is hostname.
    [
      "hybrid",
      'TunnelExposure "prod-tunnel"',
      "hostname",
      '"a_b.example.com" is not a valid DNS name',
      'stack config: ws-exposure:httpHostname "a_b.example.com" is not a valid DNS name [TunnelExposure "prod-tunnel": hostname]',
    ],
    [
      "hybrid",
      'HybridExposure "prod"',
      "wsHostname",
      msg`"x.example.com" is also ${arg("httpHostname")}`,
      'stack config: ws-exposure:hostname "x.example.com" is also ws-exposure:httpHostname [HybridExposure "prod": wsHostname]',
    ],
    [
      "hybrid",
      'HybridExposure "prod" monitor',
      "connections",
      "must be a whole number from 1 to 100 (got 500)",
      'stack config: ws-exposure:monitorConnections must be a whole number from 1 to 100 (got 500) [HybridExposure "prod" monitor: connections]',
    ],
    // No single key sets the argument (the path's budget): the component's sentence, the arguments it references reworded.
    [
      "tunnel",
      'TunnelExposure "dev"',
      "websocket",
      msg`does not fit: ${arg("websocket.heartbeatSeconds")} 60 is too slow; raise ${arg("tunnel.edgeIdleTimeoutSeconds")} or set ${arg("websocket.heartbeatSeconds")} <= 50`,
      'TunnelExposure "dev": websocket does not fit: ws-exposure:heartbeatSeconds 60 is too slow; raise ws-exposure:edgeIdleTimeoutSeconds or set ws-exposure:heartbeatSeconds <= 50',
    ],
    // Plain text stays as it is, whatever it holds: only references are reworded.
    [
      "l4",
      'L4Exposure "staging"',
      "route",
      'sends traffic to port 8080; kubernetes.podspec-affinity in config-features; "tls.mode"',
      'stack config: ws-exposure:l4Route sends traffic to port 8080; kubernetes.podspec-affinity in config-features; "tls.mode" [L4Exposure "staging": route]',
    ],
  ])("%s: %s %s", (mode, owner, field, problem, message) => {
    const err = inStackTerms(new ValidationError(owner, field, problem), mode) as Error;
    expect(err.message).toBe(message);
    expect(err).toBeInstanceOf(message.startsWith("stack config:") ? StackConfigError : ValidationError);
    // What the Node.js language host checks to print the message alone, without a stack trace.
    expect(pulumi.RunError.isInstance(err)).toBe(true);
  });

  test("anything but a component's ValidationError passes through unchanged", () => {
    const bug = new TypeError("x is undefined");
    expect(inStackTerms(bug, "tunnel")).toBe(bug);
    const foreign = new ValidationError("Something", "port", "is bad");
    expect(inStackTerms(foreign, "l4")).toBe(foreign);
  });

  test("an argument no key sets keeps its name", () => {
    expect(configKeyOf("httpRoutes[0].hostname", argKeysFor("tunnel").TunnelExposure)).toBeUndefined();
  });
});

/** The keys each mode reads (the others are refused by parseStackConfig). */
const KEYS_OF_MODE: Record<StackMode, string[]> = {
  tunnel: [...Object.keys(commonShape), ...Object.keys(tunnelShape), "tunnelToken"],
  l4: [...Object.keys(commonShape), ...Object.keys(l4Shape)],
  hybrid: [
    ...Object.keys(commonShape),
    ...Object.keys(tunnelShape),
    "tunnelToken",
    ...Object.keys(l4Shape),
    ...Object.keys(hybridShape),
  ],
};
/** Keys that choose what is built, or where, rather than become an argument. */
const NOT_ARGUMENTS = ["mode", "allowAmbientCluster"];

test.each<StackMode>(["tunnel", "l4", "hybrid"])(
  "%s: every key the mode reads is behind some component argument",
  (mode) => {
    const mapped = new Set(
      Object.values(argKeysFor(mode)).flatMap((keys) => Object.values(keys).map((k) => k.replace("[]", ""))),
    );
    const missing = KEYS_OF_MODE[mode].filter(
      (k) => !NOT_ARGUMENTS.includes(k) && k in configSchema.shape && !mapped.has(k),
    );
    expect(missing).toEqual([]);
  },
);

/** Each committed stack's config, as the builders receive it. */
function stackConfig(stack: string): StackConfig {
  const file = YAML.parse(fs.readFileSync(path.join(__dirname, `../../Pulumi.${stack}.yaml`), "utf8"));
  const config: Record<string, unknown> = { secrets: {} };
  for (const [k, v] of Object.entries(file.config as Record<string, unknown>))
    if (k.startsWith("ws-exposure:")) config[k.slice("ws-exposure:".length)] = v;
  return config as unknown as StackConfig;
}

/** What a key needs set beside it for the builder to read it. */
const CONTEXT: Record<string, Record<string, unknown>> = {
  servicePort: { service: "svc" },
  tlsSecretName: { certManagerIssuer: undefined, certManagerIssuerKind: undefined },
  tlsTargetPort: { tlsMode: "passthrough" },
  acknowledgeInsecure: { tlsMode: "none" },
  monitorConnections: { monitorEnabled: true },
  monitorDial: { monitorEnabled: true },
  monitorPrometheusOperator: { monitorEnabled: true },
  monitorPrometheusRelease: { monitorEnabled: true, monitorPrometheusOperator: true },
  l4Interfaces: { l4Advertisement: "l2" },
  // The load-balancer choice's keys are read only with their choice.
  ...Object.fromEntries(
    (Object.entries(KEYS_OF_CHOICE) as [string, readonly string[]][])
      .filter(([choice]) => choice !== "metallb")
      .flatMap(([choice, keys]) => keys.map((k) => [k, { l4LoadBalancer: choice }])),
  ),
};
/** Values the builder passes through only in this form. */
const VALUE: Record<string, unknown> = {
  l4DnsTarget: "loadBalancerIP",
  l4LoadBalancer: "gcp",
  customLoadBalancerAnnotations: ["example.com/tier=premium"],
};
/** What the builder makes of a VALUE that is not passed through as is. */
const READ_AS: Record<string, unknown> = {
  customLoadBalancerAnnotations: { "example.com/tier": "premium" },
};
/** Aliases: names a component's message uses for a key, not a path of its args. */
const ALIASES = ["monitor", "tunnel.edgeIdleTimeoutSeconds"];

function sentinel(key: string, current: unknown): unknown {
  if (key in VALUE) return VALUE[key];
  const kind = valueKind(key.replace("[]", ""));
  if (kind === "number") return 4242;
  if (kind === "boolean") return current !== true;
  if (kind === "array") return [`x-${key}`];
  return `x-${key}`;
}

function at(value: unknown, argPath: string): unknown {
  return argPath
    .replace(/\[\]/g, ".0")
    .split(".")
    .reduce<unknown>((v, part) => (v as Record<string, unknown> | undefined)?.[part], value);
}

const BUILDERS: [StackMode, string, string, (c: StackConfig) => unknown][] = [
  ["tunnel", "dev", "TunnelExposure", (c) => tunnelArgs(c, c.hostname)],
  ["l4", "staging", "L4Exposure", (c) => l4Args(c, c.hostname)],
  ["hybrid", "prod", "HybridExposure", (c) => hybridArgs(c)],
  ["hybrid", "prod", "TunnelExposure", (c) => tunnelArgs(c, c.httpHostname ?? "")],
  ["hybrid", "prod", "L4Exposure", (c) => l4Args(c, c.hostname)],
];

describe.each(BUILDERS)("%s mode (%s): %s", (mode, stack, component, build) => {
  const entries = Object.entries(argKeysFor(mode)[component]).filter(
    ([arg, key]) => !ALIASES.includes(arg) && key !== "tunnelToken",
  );
  test.each(entries)("%s comes from ws-exposure:%s", (arg, key) => {
    const base = stackConfig(stack);
    const plainKey = key.replace("[]", "");
    const config = { ...base, ...CONTEXT[plainKey] } as Record<string, unknown>;
    const value = sentinel(plainKey, config[plainKey]);
    config[plainKey] = value;
    const expected =
      plainKey in READ_AS ? READ_AS[plainKey] : key.endsWith("[]") ? (value as unknown[])[0] : value;
    expect(at(build(config as unknown as StackConfig), arg)).toEqual(expected);
  });
});
