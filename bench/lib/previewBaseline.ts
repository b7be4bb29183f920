/**
 * P5's baseline: a plain TypeScript Pulumi program that declares a stack's rendered objects directly
 * (what `npm run render` wrote: `k8s/*.yaml` and the Cloudflare resources of `resources.json`), with
 * no component, no config validation and no admission check. Pure: the render in, the files out.
 */

/** What the render writes for a value the engine knows only at deploy time. */
export const UNKNOWN = "(known after deploy)";

export interface BaselineObject {
  /** Pulumi type from the file's header line (`kubernetes:core/v1:ConfigMapPatch`). */
  type: string;
  resourceName: string;
  /** A server-side apply patch of an object that already exists. */
  patch: boolean;
  object: { metadata?: { annotations?: Record<string, string> } } & Record<string, unknown>;
}

export interface BaselineResource {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
}

export interface BaselineInput {
  stack: string;
  objects: BaselineObject[];
  resources: BaselineResource[];
  /** Versions of the Pulumi packages the program imports (package.json's dependencies). */
  versions: Record<string, string>;
}

/** The token the generated code uses for a value the engine knows only at deploy time: the tunnel's id. */
const UNKNOWN_EXPR = "unknownAtPreview";
const TUNNEL_TYPE = "cloudflare:index/zeroTrustTunnelCloudflared:ZeroTrustTunnelCloudflared";

/** `cloudflare:index/dnsRecord:DnsRecord` -> `cloudflare.DnsRecord` (the SDK's top-level export). */
export function cloudflareClass(type: string): string {
  const m = /^cloudflare:index\/\w+:(\w+)$/.exec(type);
  if (!m) throw new Error(`baseline: no @pulumi/cloudflare class for resource type "${type}"`);
  return `cloudflare.${m[1]}`;
}

/**
 * The @pulumi/kubernetes class of a patch type: `kubernetes:core/v1:ConfigMapPatch` ->
 * `k8s.core.v1.ConfigMapPatch`; a custom resource's (`kubernetes:serving.knative.dev/v1:ServicePatch`)
 * -> `k8s.apiextensions.CustomResourcePatch`, which registers that same type.
 */
export function kubernetesPatchClass(type: string): string {
  const m = /^kubernetes:([\w.-]+)\/(\w+):(\w+Patch)$/.exec(type);
  if (!m) throw new Error(`baseline: "${type}" is not a Kubernetes patch type`);
  return m[1].includes(".") ? "k8s.apiextensions.CustomResourcePatch" : `k8s.${m[1]}.${m[2]}.${m[3]}`;
}

/**
 * A JSON literal with every UNKNOWN replaced by the tunnel's id (an output the engine leaves unknown
 * in a preview, as the components' values are); an unknown map (a Secret's `stringData`) becomes
 * `{ token: <id> }`.
 */
function literal(value: unknown, where: string, hasTunnel: boolean): string {
  const text = JSON.stringify(value, null, 2);
  if (!text.includes(JSON.stringify(UNKNOWN))) return text;
  if (!hasTunnel)
    throw new Error(
      `baseline: ${where} has a value known only after deploy, and the stack declares no tunnel`,
    );
  return text
    .replace(/"stringData": "\(known after deploy\)"/g, `"stringData": { "token": ${UNKNOWN_EXPR} }`)
    .replace(/"\(known after deploy\)"/g, UNKNOWN_EXPR);
}

/** The patch's object without the field-manager annotation the provider generates itself. */
function withoutGeneratedFieldManager(o: BaselineObject["object"]): BaselineObject["object"] {
  const annotations = { ...(o.metadata?.annotations ?? {}) };
  delete annotations["pulumi.com/patchFieldManager"];
  const metadata = { ...o.metadata, annotations };
  if (Object.keys(annotations).length === 0) delete (metadata as { annotations?: unknown }).annotations;
  return { ...o, metadata };
}

/** The program's files by name: Pulumi.yaml, package.json, tsconfig.json (Pulumi's template's), index.ts. */
export function baselineProgram(input: BaselineInput): Record<string, string> {
  const cloudflare = input.resources.filter((r) => r.type.startsWith("cloudflare:"));
  const tunnels = cloudflare.filter((r) => r.type === TUNNEL_TYPE);
  if (tunnels.length > 1)
    throw new Error(`baseline: ${tunnels.length} tunnels in stack ${input.stack}; the baseline handles one`);
  const hasTunnel = tunnels.length === 1;
  const ordered = [...tunnels, ...cloudflare.filter((r) => r.type !== TUNNEL_TYPE)];
  const lines = [
    'import * as k8s from "@pulumi/kubernetes";',
    ...(cloudflare.length > 0 ? ['import * as cloudflare from "@pulumi/cloudflare";'] : []),
    "",
  ];
  ordered.forEach((r, i) => {
    const v = `cf${i}`;
    lines.push(
      `const ${v} = new ${cloudflareClass(r.type)}(${JSON.stringify(r.name)}, ${literal(r.inputs, r.name, i > 0 && hasTunnel)});`,
    );
    if (i === 0 && hasTunnel) lines.push(`const ${UNKNOWN_EXPR} = ${v}.id;`);
  });
  const whole = input.objects.filter((o) => !o.patch).map((o) => o.object);
  if (whole.length > 0)
    lines.push(
      `new k8s.yaml.v2.ConfigGroup(${JSON.stringify(`${input.stack}-objects`)}, { objs: ${literal(whole, "k8s objects", hasTunnel)} });`,
    );
  for (const o of input.objects.filter((x) => x.patch)) {
    lines.push(
      `new ${kubernetesPatchClass(o.type)}(${JSON.stringify(o.resourceName)}, ${literal(withoutGeneratedFieldManager(o.object), o.resourceName, hasTunnel)});`,
    );
  }
  const dependencies = Object.fromEntries(
    ["@pulumi/pulumi", "@pulumi/kubernetes", ...(cloudflare.length > 0 ? ["@pulumi/cloudflare"] : [])].map(
      (p) => {
        if (!input.versions[p]) throw new Error(`baseline: no version of ${p} given`);
        return [p, input.versions[p]];
      },
    ),
  );
  return {
    "Pulumi.yaml": [
      "name: preview-baseline",
      "description: The rendered objects declared directly (bench P5's baseline).",
      "runtime:",
      "  name: nodejs",
      "  options:",
      "    typescript: true",
      "main: index.ts",
      "",
    ].join("\n"),
    "package.json": `${JSON.stringify({ name: "preview-baseline", main: "index.ts", dependencies }, null, 2)}\n`,
    // `pulumi new typescript`'s tsconfig.json.
    "tsconfig.json": `${JSON.stringify(
      {
        compilerOptions: {
          strict: true,
          outDir: "bin",
          target: "es2020",
          module: "commonjs",
          moduleResolution: "node",
          sourceMap: true,
          experimentalDecorators: true,
          pretty: true,
          noFallthroughCasesInSwitch: true,
          noImplicitReturns: true,
          forceConsistentCasingInFileNames: true,
        },
        files: ["index.ts"],
      },
      null,
      2,
    )}\n`,
    "index.ts": `${lines.join("\n")}\n`,
  };
}

/** The worst (largest) of the stacks' ratios program / baseline, and which stack it is. */
export function worstRatio(
  program: Record<string, number>,
  baseline: Record<string, number>,
): { stack: string; ratio: number } {
  const stacks = Object.keys(program);
  if (stacks.length === 0) throw new Error("no stack measured");
  return stacks
    .map((stack) => {
      if (!(baseline[stack] > 0)) throw new Error(`no baseline time for stack ${stack}`);
      return { stack, ratio: program[stack] / baseline[stack] };
    })
    .reduce((a, b) => (b.ratio > a.ratio ? b : a));
}
