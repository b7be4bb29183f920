import type { ReportViolation, ResourceValidationArgs, ResourceValidationPolicy } from "@pulumi/policy";
import {
  CLOUDFLARED_DEFAULT_GRACE_PERIOD_SECONDS,
  findFlag,
  isCloudflaredContainer,
  KUBERNETES_DEFAULT_TERMINATION_GRACE_SECONDS,
  minimumPodGraceSeconds,
  parseGoDurationSeconds,
} from "../../components/policyChecks/cloudflared";
import { CLOUDFLARED_TOKEN_KEY } from "../../components/tunnel/connector";
import { asArray, asObject, at, describe, isUnknown, Props } from "./props";
import { TYPES } from "./types";

/** Cloudflare's own minimum for an available tunnel: two connectors. */
export const MIN_CLOUDFLARED_REPLICAS = 2;

interface Container {
  index: number;
  field: string;
  props: Props;
  args: unknown[];
}

/** The cloudflared containers of a Deployment (none: the policies do not apply). */
function cloudflaredContainers(props: Props): Container[] {
  return asArray(at(props, "spec", "template", "spec", "containers"))
    .map((raw, index) => ({ index, raw: asObject(raw) }))
    .filter((c): c is { index: number; raw: Props } => c.raw !== undefined && isCloudflaredContainer(c.raw))
    .map(({ index, raw }) => ({
      index,
      field: `spec.template.spec.containers[${index}]`,
      props: raw,
      args: asArray(raw.args),
    }));
}

/** Runs `check` for each cloudflared Deployment; `who` names it in messages. */
function forCloudflared(
  check: (props: Props, containers: Container[], who: string, report: ReportViolation) => void,
): (args: ResourceValidationArgs, reportViolation: ReportViolation) => void {
  return (args, reportViolation) => {
    if (args.type !== TYPES.deployment) return;
    const containers = cloudflaredContainers(args.props);
    if (containers.length === 0) return;
    check(args.props, containers, describe("cloudflared Deployment", args.props, args.name), reportViolation);
  };
}

export const cloudflaredReplicas: ResourceValidationPolicy = {
  name: "cloudflared-replicas",
  description: `A cloudflared Deployment runs at least ${MIN_CLOUDFLARED_REPLICAS} replicas: one connector is a single point of failure for the whole tunnel.`,
  enforcementLevel: "mandatory",
  validateResource: forCloudflared((props, _containers, who, report) => {
    const replicas = at(props, "spec", "replicas");
    if (isUnknown(replicas)) return;
    if (typeof replicas === "number" && replicas >= MIN_CLOUDFLARED_REPLICAS) return;
    const found = replicas === undefined ? "is unset (Kubernetes runs 1)" : `is ${JSON.stringify(replicas)}`;
    report(
      `${who}: spec.replicas ${found}: a single connector drops every tunnel connection and WebSocket on each rollout, node drain or crash; ` +
        `set spec.replicas to at least ${MIN_CLOUDFLARED_REPLICAS} (replicas give availability; a tunnel takes at most 25 connectors, counting those a rolling update adds)`,
    );
  }),
};

export const cloudflaredNoAutoupdate: ResourceValidationPolicy = {
  name: "cloudflared-no-autoupdate",
  description:
    "cloudflared runs with --no-autoupdate: a self-update restarts the process (dropping its WebSockets) and drifts from the pinned image.",
  enforcementLevel: "mandatory",
  validateResource: forCloudflared((_props, containers, who, report) => {
    for (const c of containers) {
      const flag = c.args.some((a) => a === "--no-autoupdate" || a === "--no-autoupdate=true");
      const env = asArray(c.props.env).some((e) => {
        const o = asObject(e);
        return o?.name === "NO_AUTOUPDATE" && String(o.value) === "true";
      });
      if (flag || env) continue;
      report(
        `${who}: ${c.field}.args lacks --no-autoupdate: cloudflared then updates itself and restarts, dropping every WebSocket it carries, ` +
          `and runs a version other than the pinned image; add "--no-autoupdate" after "tunnel" in ${c.field}.args`,
      );
    }
  }),
};

export const cloudflaredTokenFromSecret: ResourceValidationPolicy = {
  name: "cloudflared-token-from-secret",
  description:
    "The tunnel token reaches cloudflared from a Secret (env TUNNEL_TOKEN valueFrom.secretKeyRef), never as a literal in args or env.",
  enforcementLevel: "mandatory",
  validateResource: forCloudflared((_props, containers, who, report) => {
    const fix = `set env TUNNEL_TOKEN with valueFrom.secretKeyRef { name: <Secret>, key: "${CLOUDFLARED_TOKEN_KEY}" }`;
    const risk = "anyone who can read the Deployment (or the stack state) can run your tunnel";
    for (const c of containers) {
      const token = findFlag(c.args, "--token");
      if (token) {
        report(
          `${who}: ${c.field}.args[${token.index}] passes the tunnel token literally (--token): ${risk}; remove it from ${c.field}.args and ${fix}`,
        );
      }
      asArray(c.props.env).forEach((raw, i) => {
        const env = asObject(raw);
        if (env?.name !== "TUNNEL_TOKEN" || env.value === undefined) return;
        report(
          `${who}: ${c.field}.env[${i}] (TUNNEL_TOKEN) holds the token as a literal value: ${risk}; replace value with valueFrom.secretKeyRef { name: <Secret>, key: "${CLOUDFLARED_TOKEN_KEY}" }`,
        );
      });
    }
  }),
};

export const cloudflaredGracePeriod: ResourceValidationPolicy = {
  name: "cloudflared-grace-period",
  description:
    "The pod's terminationGracePeriodSeconds exceeds cloudflared's --grace-period (both default to 30 s), or Kubernetes kills cloudflared before in-flight requests finish.",
  enforcementLevel: "mandatory",
  validateResource: forCloudflared((props, containers, who, report) => {
    const field = "spec.template.spec.terminationGracePeriodSeconds";
    const rawPodGrace = at(props, "spec", "template", "spec", "terminationGracePeriodSeconds");
    if (isUnknown(rawPodGrace)) return;
    const podGrace =
      typeof rawPodGrace === "number" ? rawPodGrace : KUBERNETES_DEFAULT_TERMINATION_GRACE_SECONDS;
    for (const c of containers) {
      const flag = findFlag(c.args, "--grace-period");
      let graceSeconds = CLOUDFLARED_DEFAULT_GRACE_PERIOD_SECONDS;
      if (flag) {
        if (isUnknown(flag.value)) continue;
        const parsed = flag.value === undefined ? undefined : parseGoDurationSeconds(flag.value);
        if (parsed === undefined) {
          report(
            `${who}: ${c.field}.args[${flag.index}] --grace-period ${JSON.stringify(flag.value ?? null)} is not a duration; cloudflared refuses to start; write it as "30s"`,
          );
          continue;
        }
        graceSeconds = parsed;
      }
      const minimum = minimumPodGraceSeconds(podGrace, graceSeconds);
      if (minimum === undefined) continue;
      const podText =
        typeof rawPodGrace === "number" ? `${podGrace}` : `${podGrace} (unset: Kubernetes default)`;
      const graceText = flag
        ? `${graceSeconds} s (${c.field}.args[${flag.index}] --grace-period ${flag.value})`
        : `${graceSeconds} s (--grace-period unset in ${c.field}.args: cloudflared default)`;
      report(
        `${who}: ${field} ${podText} does not exceed cloudflared's grace period ${graceText}: Kubernetes kills cloudflared before its in-flight requests and WebSockets finish; ` +
          `set ${field} to at least ${minimum} (e.g. ${Math.ceil(graceSeconds) + 15})`,
      );
    }
  }),
};

export const cloudflaredPolicies: ResourceValidationPolicy[] = [
  cloudflaredReplicas,
  cloudflaredNoAutoupdate,
  cloudflaredTokenFromSecret,
  cloudflaredGracePeriod,
];
