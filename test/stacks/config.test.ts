import * as fs from "fs";
import * as path from "path";
import YAML from "yaml";
import * as pulumi from "@pulumi/pulumi";
import {
  clusterPinProblems,
  configSchema,
  fromConfigText,
  parseStackConfig,
  SECRET_KEYS,
  valueKind,
} from "../../stacks/config";
import { StackConfigError } from "../../stacks/configErrors";
import { tunnelArgs } from "../../stacks/modes/tunnel";
import { missingDeclaredKeys } from "../../render/stackConfig";
import { knativeArgs } from "../../stacks/modes/common";
import { configMarkdown, configReferenceYaml } from "../../stacks/configDocs";

const valid = {
  mode: "tunnel",
  knativeService: "messaging-service",
  knativeVersion: "1.22",
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
      ["ws-exposure:colour is not a known key; see the config reference in docs/CONFIG.md"],
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
      "Knative backend without its version",
      { ...valid, knativeVersion: undefined },
      [
        "ws-exposure:knativeVersion is required with ws-exposure:knativeService: the Knative Serving version decides what the budget promises when a pod stops (from 1.22 the queue-proxy drains WebSockets for up to 60 s; before 1.22 it cuts them when its 30 s drain sleep ends); set it with pulumi config set ws-exposure:knativeVersion <major.minor>, e.g. 1.22, as kubectl get deploy controller -n knative-serving -o jsonpath='{.metadata.labels.app\\.kubernetes\\.io/version}' shows it",
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
      "a key the mode does not read is refused, not ignored",
      { ...valid, tlsMode: "terminate", fallback: true },
      [
        'ws-exposure:tlsMode is only for mode "l4" or "hybrid" (mode is "tunnel"), which would ignore it; remove it or change ws-exposure:mode',
        'ws-exposure:fallback is only for mode "hybrid" (mode is "tunnel"), which would ignore it; remove it or change ws-exposure:mode',
      ],
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

  test("a refused config is a pulumi.RunError: pulumi preview prints its message alone, no stack trace", () => {
    let thrown: unknown;
    try {
      parseStackConfig({ ...valid, hearbeatSeconds: 5 });
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(StackConfigError);
    expect(pulumi.RunError.isInstance(thrown)).toBe(true);
  });

  test("a reused tunnel with its secret token is accepted", () => {
    const c = { ...valid, tunnelName: undefined, tunnelId: "abc" };
    delete c.tunnelName;
    expect(parseStackConfig(c, ["tunnelToken"]).tunnelId).toBe("abc");
  });
});

describe("connectorRollout reaches the connector", () => {
  test.each([
    [
      { connectorReplicas: 25, connectorRollout: "replace" },
      { replicas: 25, rollout: "replace" },
    ],
    [{ connectorReplicas: 24 }, { replicas: 24, rollout: undefined }],
  ])("%j", (keys, expected) => {
    const c = { ...parseStackConfig({ ...valid, ...keys }), secrets: {} };
    expect(tunnelArgs(c as never, "messaging.example.com").connector).toMatchObject(expected);
  });

  test("an unknown rollout is refused in config vocabulary", () =>
    expect(() => parseStackConfig({ ...valid, connectorRollout: "recreate" })).toThrow(
      'ws-exposure:connectorRollout must be one of "surge", "replace" (got "recreate")',
    ));
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

describe("stacks/configReference.yaml declares exactly the keys the program reads, with their types", () => {
  const project = YAML.parse(fs.readFileSync(path.join(__dirname, "../../Pulumi.yaml"), "utf8"));
  const reference = YAML.parse(
    fs.readFileSync(path.join(__dirname, "../../stacks/configReference.yaml"), "utf8"),
  );
  const declared = reference.config as Record<
    string,
    { type: string; description?: string; secret?: boolean }
  >;
  const read = [...Object.keys(configSchema.shape), ...SECRET_KEYS].sort();

  test("same keys", () => expect(Object.keys(declared).sort()).toEqual(read));

  test.each(Object.keys(configSchema.shape))("%s: type matches and is described", (key) => {
    const expected = { number: "integer", boolean: "boolean", array: "array", string: "string" }[
      valueKind(key)!
    ];
    expect(declared[key].type).toBe(expected);
    expect(declared[key].description?.length).toBeGreaterThan(10);
  });

  test("secret keys are declared secret", () => {
    for (const key of SECRET_KEYS) expect(declared[key].secret).toBe(true);
  });

  // The Pulumi CLI refuses a stack that lacks any key Pulumi.yaml declares without a default, so
  // Pulumi.yaml declares only what every mode requires, exactly as the reference does.
  test("Pulumi.yaml declares only the keys every mode requires, as the reference declares them", () => {
    const required = Object.keys(configSchema.shape).filter(
      (key) => !(configSchema.shape as Record<string, { isOptional(): boolean }>)[key].isOptional(),
    );
    expect(Object.keys(project.config).sort()).toEqual(required.sort());
    expect(required.sort()).toEqual(["hostname", "mode", "namespace"]);
    for (const key of required) expect(project.config[key]).toEqual(declared[key]);
  });

  test("the runtime runs index.ts with TypeScript, type-checked: no tsconfig or setting makes it transpile only", () => {
    expect(project.runtime).toEqual({ name: "nodejs", options: { typescript: true } });
    expect(project.main).toBe("index.ts");
    // @pulumi/pulumi's cmd/run transpiles only when PULUMI_NODEJS_TRANSPILE_ONLY=true or the
    // tsconfig it reads (the runtime's `tsconfig` option, else ./tsconfig.json) sets noCheck.
    const raw = fs.readFileSync(path.join(__dirname, "../../Pulumi.yaml"), "utf8").replace(/#.*$/gm, "");
    expect(raw).not.toMatch(/noCheck|transpile|TRANSPILE_ONLY|tsconfig/i);
    const tsconfig = JSON.parse(fs.readFileSync(path.join(__dirname, "../../tsconfig.json"), "utf8"));
    expect(tsconfig.compilerOptions.noCheck).toBeUndefined();
  });
});

describe.each(fs.readdirSync(path.join(__dirname, "../..")).filter((f) => /^Pulumi\..+\.yaml$/.test(f)))(
  "%s",
  (file) => {
    test("sets every key Pulumi.yaml declares without a default (the CLI refuses the stack otherwise)", () => {
      const project = YAML.parse(fs.readFileSync(path.join(__dirname, "../..", "Pulumi.yaml"), "utf8"));
      const stack = YAML.parse(fs.readFileSync(path.join(__dirname, "../..", file), "utf8"));
      const values = Object.fromEntries(Object.keys(stack.config ?? {}).map((k) => [k, "set"]));
      expect(missingDeclaredKeys("ws-exposure", project.config, values)).toEqual([]);
    });

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

describe("the generated config references are up to date with components/settings (npm run gen:config)", () => {
  test.each<[string, () => string]>([
    ["stacks/configReference.yaml", configReferenceYaml],
    ["docs/CONFIG.md", configMarkdown],
  ])("%s", (file, generate) => {
    expect(fs.readFileSync(path.join(__dirname, "../..", file), "utf8")).toBe(generate());
  });

  test("docs/CONFIG.md lists every key stacks/configReference.yaml declares", () => {
    const docs = fs.readFileSync(path.join(__dirname, "../../docs/CONFIG.md"), "utf8");
    const reference = YAML.parse(
      fs.readFileSync(path.join(__dirname, "../../stacks/configReference.yaml"), "utf8"),
    );
    const missing = Object.keys(reference.config).filter((key) => !docs.includes(`| \`${key}\` |`));
    expect(missing).toEqual([]);
  });
});

describe("every stack pins its cluster (kubernetes:context), or says it means the current one", () => {
  const MESSAGE =
    "kubernetes:context is not set: pulumi up would deploy to whatever cluster the kubeconfig's current context points at; pin this stack's cluster with pulumi config set kubernetes:context <context> (kubectl config get-contexts lists them), or set ws-exposure:allowAmbientCluster true to use the current context on purpose";

  test.each<[string, Record<string, string>, boolean | undefined, string[]]>([
    ["a context", { "kubernetes:context": "homelab" }, undefined, []],
    ["no context", { "ws-exposure:mode": "tunnel" }, undefined, [MESSAGE]],
    ["an empty context", { "kubernetes:context": " " }, undefined, [MESSAGE]],
    [
      "a kubeconfig but no context (it would follow the file's current context)",
      { "kubernetes:kubeconfig": "/k" },
      undefined,
      [MESSAGE],
    ],
    ["allowAmbientCluster false", {}, false, [MESSAGE]],
    ["allowAmbientCluster true: the current context, on purpose", {}, true, []],
  ])("%s", (_label, allConfig, allow, problems) => {
    expect(clusterPinProblems(allConfig, allow)).toEqual(problems);
  });

  test.each(fs.readdirSync(path.join(__dirname, "../..")).filter((f) => /^Pulumi\..+\.yaml$/.test(f)))(
    "%s sets kubernetes:context and does not opt out",
    (file) => {
      const stack = YAML.parse(fs.readFileSync(path.join(__dirname, "../..", file), "utf8"));
      expect(stack.config["kubernetes:context"]).toEqual(expect.stringMatching(/^\S+$/));
      expect(stack.config["ws-exposure:allowAmbientCluster"]).toBeUndefined();
    },
  );
});

describe("the Knative admission check's stack keys", () => {
  test("knativeAdmissionCheck and knativeAdmissionWaitSeconds reach knative.admissionCheck", () => {
    const config = parseStackConfig({
      ...valid,
      knativeAdmissionCheck: false,
      knativeAdmissionWaitSeconds: 30,
    });
    expect(knativeArgs(config).admissionCheck).toEqual({ enabled: false, waitSeconds: 30 });
  });
  test("unset: the component's defaults apply (enabled, 120 s)", () => {
    expect(knativeArgs(parseStackConfig(valid)).admissionCheck).toEqual({
      enabled: undefined,
      waitSeconds: undefined,
    });
  });
});
