import * as fs from "fs";
import * as path from "path";
import YAML from "yaml";
import { z } from "zod";
import { configSchema, fromConfigText, parseStackConfig, SECRET_KEYS, valueKind } from "../../stacks/config";

const valid = {
  mode: "tunnel",
  knativeService: "messaging-service",
  namespace: "agents-whatsapp-rust",
  hostname: "messaging.example.com",
  accountId: "acc",
  zoneId: "zone",
  tunnelName: "messaging",
};

describe("parseStackConfig", () => {
  test("a valid tunnel config passes through", () => {
    expect(parseStackConfig(valid)).toEqual(valid);
  });

  test.each<[string, Record<string, unknown>, string[]]>([
    [
      "unknown mode",
      { ...valid, mode: "l7" },
      ['ws-exposure:mode must be one of "tunnel", "l4", "hybrid" (got "l7")'],
    ],
    [
      "missing namespace",
      { ...valid, namespace: undefined },
      [
        "ws-exposure:namespace is required (string); set it with pulumi config set ws-exposure:namespace <value>",
      ],
    ],
    [
      "wrong type",
      { ...valid, heartbeatSeconds: "5s" },
      ['ws-exposure:heartbeatSeconds must be a number (got "5s")'],
    ],
    [
      "typo of a real key",
      { ...valid, hearbeatSeconds: 5 },
      ["ws-exposure:hearbeatSeconds is not a known key; did you mean ws-exposure:heartbeatSeconds?"],
    ],
    [
      "unrelated unknown key",
      { ...valid, colour: "blue" },
      ["ws-exposure:colour is not a known key; see the config reference in the README"],
    ],
    [
      "secret set in clear",
      { ...valid, tunnelToken: "abc" },
      [
        "ws-exposure:tunnelToken is a secret; set it with pulumi config set --secret ws-exposure:tunnelToken <value>",
      ],
    ],
    [
      "no backend",
      { ...valid, knativeService: undefined },
      [
        "ws-exposure:knativeService (a Knative Service) or ws-exposure:service (a plain Service, with servicePort) must be set, exactly one of them",
      ],
    ],
    [
      "plain service without port",
      { ...valid, knativeService: undefined, service: "chat" },
      ["ws-exposure:servicePort is required with ws-exposure:service (the port that serves HTTP)"],
    ],
    [
      "no tunnel to create or reuse",
      { ...valid, tunnelName: undefined },
      [
        "ws-exposure:tunnelName (create a tunnel) or ws-exposure:tunnelId (reuse one) must be set, exactly one of them",
      ],
    ],
    [
      "reused tunnel without its token",
      { ...valid, tunnelName: undefined, tunnelId: "abc" },
      [
        "ws-exposure:tunnelToken is required with ws-exposure:tunnelId; set it with pulumi config set --secret ws-exposure:tunnelToken <token>",
      ],
    ],
    [
      "no zone",
      { ...valid, zoneId: undefined },
      ["ws-exposure:zoneId is required: the tunnel's CNAME is created in that zone"],
    ],
    [
      "no account",
      { ...valid, accountId: undefined },
      ['ws-exposure:accountId is required in mode "tunnel" (your Cloudflare account id)'],
    ],
  ])("%s", (_label, raw, problems) => {
    const clean = Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined));
    expect(() => parseStackConfig(clean)).toThrow(`stack config: ${problems.join("\n  ")}`);
  });

  test("a reused tunnel with its secret token is accepted", () => {
    const c = { ...valid, tunnelName: undefined, tunnelId: "abc" };
    delete c.tunnelName;
    expect(parseStackConfig(c, ["tunnelToken"]).tunnelId).toBe("abc");
  });
});

describe("config text as Pulumi hands it to the program", () => {
  test.each([
    ["heartbeatSeconds", "5", 5],
    ["heartbeatSeconds", "5s", "5s"],
    ["manageMaxRevisionTimeout", "true", true],
    ["httpPaths", '["^/api/"]', ["^/api/"]],
    ["accountId", "0123", "0123"],
  ])("%s = %j", (key, text, value) => {
    expect(fromConfigText(key, text)).toEqual(value);
  });
});

describe("Pulumi.yaml declares, typed, exactly the keys every stack must set", () => {
  const project = YAML.parse(fs.readFileSync(path.join(__dirname, "../../Pulumi.yaml"), "utf8"));
  const declared = project.config as Record<
    string,
    { type: string; description?: string; secret?: boolean; default?: unknown }
  >;
  const required = Object.entries(configSchema.shape as Record<string, z.ZodType>)
    .filter(([, schema]) => !(schema instanceof z.ZodOptional || schema instanceof z.ZodDefault))
    .map(([key]) => key)
    .sort();

  // The real CLI refuses any stack that lacks a key declared without a default ("Stack 'staging' is
  // missing configuration values ..."), and hands a declared default to the program as if set.
  test("the declared keys are the ones the program requires, none with a default", () => {
    expect(Object.keys(declared).sort()).toEqual(required);
    expect(Object.values(declared).filter((d) => d.default !== undefined)).toEqual([]);
  });

  test.each(required)("%s: type matches and is described", (key) => {
    const expected = { number: "integer", boolean: "boolean", array: "array", string: "string" }[
      valueKind(key)!
    ];
    expect(declared[key].type).toBe(expected);
    expect(declared[key].description?.length).toBeGreaterThan(10);
  });

  test("the runtime runs index.ts with TypeScript", () => {
    expect(project.runtime).toEqual({ name: "nodejs", options: { typescript: true } });
    expect(project.main).toBe("index.ts");
  });
});

describe.each(fs.readdirSync(path.join(__dirname, "../..")).filter((f) => /^Pulumi\..+\.yaml$/.test(f)))(
  "%s",
  (file) => {
    test("every key is valid config", () => {
      const stack = YAML.parse(fs.readFileSync(path.join(__dirname, "../..", file), "utf8"));
      const raw: Record<string, unknown> = {};
      const secrets: string[] = [];
      for (const [k, v] of Object.entries(stack.config ?? {})) {
        if (!k.startsWith("ws-exposure:")) continue;
        const key = k.slice("ws-exposure:".length);
        if (v !== null && typeof v === "object" && "secure" in (v as object)) secrets.push(key);
        else raw[key] = v;
      }
      expect(() => parseStackConfig(raw, secrets)).not.toThrow();
    });
  },
);

test("the README's config reference lists every key the program reads", () => {
  const readme = fs.readFileSync(path.join(__dirname, "../../README.md"), "utf8");
  const missing = [...Object.keys(configSchema.shape), ...SECRET_KEYS].filter(
    (key) => !readme.includes(`| \`${key}\` |`),
  );
  expect(missing).toEqual([]);
});
