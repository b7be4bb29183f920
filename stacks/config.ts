import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { commonShape } from "./modes/common";
import { tunnelConfigProblems, tunnelShape } from "./modes/tunnel";
import { l4ConfigProblems, l4Shape } from "./modes/l4";
import { hybridConfigProblems, hybridShape } from "./modes/hybrid";
import { CONFIG_NAMESPACE, formatIssue, StackConfigError, suggestKey } from "./configErrors";
import { MODES_OF_KEY, SECRET_SETTING_KEYS } from "./settingsSchema";

/** Every non-secret key under `ws-exposure:`, from the settings table (components/settings). */
export const configSchema = z.strictObject({ ...commonShape, ...tunnelShape, ...l4Shape, ...hybridShape });

/** Secret keys: read with getSecret, never printed. */
export const SECRET_KEYS: readonly string[] = SECRET_SETTING_KEYS;

export type ParsedConfig = z.infer<typeof configSchema>;

export interface StackConfig extends ParsedConfig {
  secrets: { tunnelToken?: pulumi.Output<string> };
}

const ALL_KEYS = [...Object.keys(configSchema.shape), ...SECRET_KEYS];

type ValueKind = "string" | "number" | "boolean" | "array";

function unwrap(schema: z.ZodType): z.ZodType {
  let s = schema;
  while (s instanceof z.ZodOptional || s instanceof z.ZodDefault) s = s.unwrap() as z.ZodType;
  return s;
}

/** What kind of value a key holds, to read Pulumi's text values back into it. */
export function valueKind(key: string): ValueKind | undefined {
  const schema = (configSchema.shape as Record<string, z.ZodType>)[key];
  if (!schema) return undefined;
  const s = unwrap(schema);
  if (s instanceof z.ZodNumber) return "number";
  if (s instanceof z.ZodBoolean) return "boolean";
  if (s instanceof z.ZodArray) return "array";
  return "string";
}

/** Pulumi hands config to programs as text: "5", "true", "[...]". Read it back as the key's kind. */
export function fromConfigText(key: string, text: string): unknown {
  switch (valueKind(key)) {
    case "number":
      return /^-?\d+(\.\d+)?$/.test(text.trim()) ? Number(text) : text;
    case "boolean":
      return text === "true" ? true : text === "false" ? false : text;
    case "array":
      try {
        return JSON.parse(text);
      } catch {
        return text;
      }
    default:
      return text;
  }
}

/**
 * Validates the stack's config (key -> value, namespace stripped, values already typed).
 * Pure: the render and the tests call it with plain objects. `secretKeysSet` names the secret keys present.
 */
export function parseStackConfig(
  raw: Record<string, unknown>,
  secretKeysSet: readonly string[] = [],
): ParsedConfig {
  const problems: string[] = [];
  const values: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    if ((SECRET_KEYS as readonly string[]).includes(key)) {
      problems.push(
        `${CONFIG_NAMESPACE}:${key} is a secret; set it with pulumi config set --secret ${CONFIG_NAMESPACE}:${key} <value>`,
      );
    } else if (!ALL_KEYS.includes(key)) {
      const suggestion = suggestKey(key, ALL_KEYS);
      problems.push(
        `${CONFIG_NAMESPACE}:${key} is not a known key; ${suggestion ? `did you mean ${CONFIG_NAMESPACE}:${suggestion}?` : "see the config reference in docs/CONFIG.md"}`,
      );
    } else {
      values[key] = value;
    }
  }
  const result = configSchema.safeParse(values, { reportInput: true });
  if (!result.success) problems.push(...result.error.issues.flatMap((issue) => formatIssue(issue)));
  if (problems.length) throw new StackConfigError(problems);
  const config = result.data!;
  problems.push(...crossKeyProblems(config, secretKeysSet));
  if (problems.length) throw new StackConfigError(problems);
  return config;
}

function crossKeyProblems(c: ParsedConfig, secretKeysSet: readonly string[]): string[] {
  const problems: string[] = [];
  if ((c.knativeService === undefined) === (c.service === undefined)) {
    problems.push(
      `${CONFIG_NAMESPACE}:knativeService (a Knative Service) or ${CONFIG_NAMESPACE}:service (a plain Service, with servicePort) must be set, exactly one of them`,
    );
  }
  if (c.knativeService !== undefined && c.knativeVersion === undefined) {
    problems.push(
      `${CONFIG_NAMESPACE}:knativeVersion is required with ${CONFIG_NAMESPACE}:knativeService: the Knative Serving version decides what the budget promises when a pod stops ` +
        `(from 1.22 the queue-proxy drains WebSockets for up to 60 s; before 1.22 it cuts them when its 30 s drain sleep ends); ` +
        `set it with pulumi config set ${CONFIG_NAMESPACE}:knativeVersion <major.minor>, e.g. 1.22, as kubectl get deploy controller -n knative-serving -o jsonpath='{.metadata.labels.app\\.kubernetes\\.io/version}' shows it`,
    );
  }
  if (c.service !== undefined && c.servicePort === undefined) {
    problems.push(
      `${CONFIG_NAMESPACE}:servicePort is required with ${CONFIG_NAMESPACE}:service (the port that serves HTTP)`,
    );
  }
  problems.push(...otherModeKeyProblems(c, secretKeysSet));
  if (c.mode === "tunnel" || c.mode === "hybrid")
    problems.push(...tunnelConfigProblems(c, secretKeysSet.includes("tunnelToken")));
  if (c.mode === "l4" || c.mode === "hybrid") problems.push(...l4ConfigProblems(c));
  if (c.mode === "hybrid") problems.push(...hybridConfigProblems(c));
  return problems;
}

function otherModeKeyProblems(c: ParsedConfig, secretKeysSet: readonly string[]): string[] {
  const set = [
    ...Object.keys(c).filter((k) => (c as Record<string, unknown>)[k] !== undefined),
    ...secretKeysSet,
  ];
  return set
    .filter((key) => MODES_OF_KEY[key] !== undefined && !MODES_OF_KEY[key].includes(c.mode))
    .map(
      (key) =>
        `${CONFIG_NAMESPACE}:${key} is only for mode ${MODES_OF_KEY[key].map((m) => `"${m}"`).join(" or ")} (mode is "${c.mode}"), which would ignore it; remove it or change ${CONFIG_NAMESPACE}:mode`,
    );
}

/** Whether Pulumi holds this config key as a secret (`pulumi config set --secret`). Not in the SDK's typings. */
function isConfigSecret(fullKey: string): boolean {
  const runtime = pulumi.runtime as unknown as { isConfigSecret?: (key: string) => boolean };
  return runtime.isConfigSecret ? runtime.isConfigSecret(fullKey) : true;
}

/** The Kubernetes provider's stack config key naming the kubeconfig context (the cluster) to deploy to. */
export const KUBERNETES_CONTEXT_KEY = "kubernetes:context";

/**
 * A stack must name its cluster: without `kubernetes:context` the Kubernetes provider deploys to the
 * kubeconfig's current context, whatever it points at when someone runs `pulumi up` of prod.
 * `allConfig` is every config key of the stack (`kubernetes:context` among them). Pure.
 */
export function clusterPinProblems(
  allConfig: Readonly<Record<string, string>>,
  allowAmbientCluster: boolean | undefined,
): string[] {
  const context = allConfig[KUBERNETES_CONTEXT_KEY];
  if ((context !== undefined && context.trim() !== "") || allowAmbientCluster === true) return [];
  return [
    `${KUBERNETES_CONTEXT_KEY} is not set: pulumi up would deploy to whatever cluster the kubeconfig's current context points at; ` +
      `pin this stack's cluster with pulumi config set ${KUBERNETES_CONTEXT_KEY} <context> (kubectl config get-contexts lists them), ` +
      `or set ${CONFIG_NAMESPACE}:allowAmbientCluster true to use the current context on purpose`,
  ];
}

/** Reads this stack's config once from Pulumi's config store; secrets stay Pulumi secrets. */
export function loadStackConfig(): StackConfig {
  const prefix = `${CONFIG_NAMESPACE}:`;
  const raw: Record<string, unknown> = {};
  const secretsSet: string[] = [];
  for (const [fullKey, text] of Object.entries(pulumi.runtime.allConfig())) {
    if (!fullKey.startsWith(prefix)) continue;
    const key = fullKey.slice(prefix.length);
    // A secret key given in plain text (committed to the stack file) goes to the parser, which refuses it.
    if ((SECRET_KEYS as readonly string[]).includes(key) && isConfigSecret(fullKey)) secretsSet.push(key);
    else raw[key] = fromConfigText(key, text);
  }
  const parsed = parseStackConfig(raw, secretsSet);
  const unpinned = clusterPinProblems(pulumi.runtime.allConfig(), parsed.allowAmbientCluster);
  if (unpinned.length) throw new StackConfigError(unpinned);
  const config = new pulumi.Config(CONFIG_NAMESPACE);
  return { ...parsed, secrets: { tunnelToken: config.getSecret("tunnelToken") } };
}
