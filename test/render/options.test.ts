/**
 * `npm run render` with any documented option, on any stack, writes its output or refuses with a
 * message that names what the user set: never a crash. Every value of every boolean and enum key of
 * the config reference is rendered on each mode's stack (dev: tunnel, staging: l4, prod: hybrid),
 * and every switch that the mode reads is turned on at once. In this process (the program index.ts
 * runs, under the render's mock engine): ~130 renders would take minutes as processes.
 */
import * as fs from "fs";
import * as path from "path";
import YAML from "yaml";
import { ValidationError } from "../../components/core/validation";
import { RecordedResource } from "../../render/mockRuntime";
import { budgetJson } from "../../render/report";
import { kubernetesManifests, RenderResult, resourcesJson } from "../../render/render";
import { StackConfigError } from "../../stacks/configErrors";
import { closedChoiceOptions, renderInProcess, ROOT } from "../helpers/render";
import { KEYS_OF_CHOICE } from "../../stacks/modes/l4LoadBalancer";

const STACK_OF_MODE = { tunnel: "dev", l4: "staging", hybrid: "prod" } as const;
const OPTIONS = closedChoiceOptions();
const declared = YAML.parse(fs.readFileSync(path.join(ROOT, "stacks/configReference.yaml"), "utf8"))
  .config as Record<string, { type: string; description: string }>;

describe("the options under test are the config reference's closed choices", () => {
  test("every boolean key of the config reference", () => {
    const booleans = Object.keys(declared).filter((k) => declared[k].type === "boolean");
    const tested = OPTIONS.filter(([, values]) => values.join() === "true,false").map(([k]) => k);
    expect(tested.sort()).toEqual(booleans.sort());
  });

  test.each(OPTIONS.filter(([, values]) => values.join() !== "true,false"))(
    "enum %s: the config reference documents every value it accepts",
    (key, values) => {
      for (const value of values) expect(declared[key].description).toContain(`"${value}"`);
    },
  );
});

/** Rendered output, checked the way the render writes it: tree, resources.json, k8s/, budget.json. */
function expectComplete(result: RenderResult): void {
  const urns = result.resources.map((r) => r.urn);
  expect(new Set(urns).size).toBe(urns.length);
  for (const r of result.resources) if (r.parentUrn !== null) expect(urns).toContain(r.parentUrn);
  // One tree line per resource, each under its own parent.
  const tree = result.text.split("\n").filter((l) => /[├└]─ /.test(l));
  expect(tree).toHaveLength(result.resources.length);
  expect(resourcesJson(result.resources)).toHaveLength(result.resources.length);
  expect(kubernetesManifests(result.resources)).toHaveLength(
    result.resources.filter((r) => r.type.startsWith("kubernetes:") && !r.component).length,
  );
  expect(JSON.stringify(budgetJson(result.budgets))).toContain('"paths"');
}

/** A refusal is a user-facing error whose message names what was set; no stack trace. */
function expectRefusal(err: unknown, names: RegExp): void {
  expect(err).toEqual(expect.any(Error));
  const error = err as Error;
  if (!(error instanceof StackConfigError || error instanceof ValidationError)) throw error;
  const lines = error.message.split("\n");
  expect(lines[0]).toMatch(/^(stack config: |(Tunnel|L4|Hybrid)Exposure "[^"]+": )/);
  for (const line of lines.slice(1)) expect(line).toMatch(/^ {2}ws-exposure:/);
  expect(error.message).toMatch(names);
}

/** The entries printed under a tree line, at any depth. */
function treeChildren(text: string, entry: string): string[] {
  const lines = text.split("\n");
  const at = lines.findIndex((l) => l.endsWith(`─ ${entry}`));
  expect(at).toBeGreaterThanOrEqual(0);
  const depth = lines[at].indexOf("─");
  const children: string[] = [];
  for (const line of lines.slice(at + 1)) {
    const d = line.indexOf("─");
    if (d <= depth) break;
    children.push(line.slice(d + 2));
  }
  return children;
}

const byType = (r: RenderResult, type: string): RecordedResource[] =>
  r.resources.filter((x) => x.type === type);

/** What some values must visibly do when they render. */
const EFFECTS: Record<string, (r: RenderResult) => void> = {
  "monitorEnabled=true": (r) => {
    const monitors = byType(r, "ws-exposure:index:WsMonitor");
    expect(monitors.length).toBeGreaterThan(0);
    for (const m of monitors) {
      // The monitor's Deployment shares its component's name: the case that crashed the report.
      const deployment = r.resources.find(
        (x) => x.type === "kubernetes:apps/v1:Deployment" && x.name === m.name,
      );
      expect(deployment?.parentUrn).toBe(m.urn);
      expect(treeChildren(r.text, `ws-exposure:index:WsMonitor  ${m.name}`)).toContain(
        `kubernetes:apps/v1:Deployment  ${m.name}`,
      );
    }
  },
  "routeProvider=tunnel-ingress-crd": (r) =>
    expect(r.resources.map((x) => x.type)).toContain(
      "kubernetes:tunnel.cloudflare.io/v1alpha1:CloudflareTunnelIngress",
    ),
  "l4Advertisement=bgp": (r) =>
    expect(r.resources.map((x) => x.type)).toContain("kubernetes:metallb.io/v1beta1:BGPAdvertisement"),
  "podspecAffinity=manage": (r) =>
    expect(r.resources.map((x) => x.name)).toContain(`${r.resources[0].name}-knative-config-features`),
};

/**
 * The cases refused, by stack and value: a key of another mode, a value that needs another key
 * (antiAffinity needs podspecAffinity; passthrough and none drop the HAProxy keys), or a mode the
 * stack file is not written for. Everything else renders.
 */
/** The L4 load-balancer choice: a cloud choice, its keys and TLS at the load balancer, on a MetalLB stack. */
const CLOUD_CHOICES = OPTIONS.filter(([key]) =>
  Object.entries(KEYS_OF_CHOICE).some(
    ([choice, keys]) => choice !== "metallb" && keys.includes(key as never),
  ),
)
  .flatMap(([key, values]) => values.map((v) => `${key}=${v}`))
  .concat(["l4LoadBalancer=aws-nlb", "l4LoadBalancer=gcp", "l4LoadBalancer=azure", "l4LoadBalancer=custom"])
  .concat(["tlsMode=loadBalancer"]);

const REFUSED: Record<keyof typeof STACK_OF_MODE, string[]> = {
  tunnel: [
    ...CLOUD_CHOICES,
    "l4LoadBalancer=metallb",
    "mode=l4",
    "mode=hybrid",
    "antiAffinity=true",
    "l4AutoAssign=true",
    "l4AutoAssign=false",
    "legacyMetallbAnnotations=true",
    "legacyMetallbAnnotations=false",
    "l4Advertisement=l2",
    "l4Advertisement=bgp",
    "l4Advertisement=none",
    "externalTrafficPolicy=Local",
    "externalTrafficPolicy=Cluster",
    "tlsMode=terminate",
    "tlsMode=passthrough",
    "tlsMode=none",
    "certManagerIssuerKind=Issuer",
    "certManagerIssuerKind=ClusterIssuer",
    "acknowledgeInsecure=true",
    "acknowledgeInsecure=false",
    "l4Route=queue-proxy",
    "l4Route=ingress",
    "l4Route=force-port-8080",
    "fallback=true",
    "fallback=false",
    "knativePortName=http1",
    "knativePortName=h2c",
    "haproxyDrainOrder=oldest",
    "haproxyDrainOrder=random",
    "certManagerKeyAlgorithm=ECDSA",
    "certManagerKeyAlgorithm=RSA",
  ],
  l4: [
    ...CLOUD_CHOICES,
    "mode=tunnel",
    "mode=hybrid",
    "antiAffinity=true",
    "routeProvider=cloudflare-api",
    "routeProvider=tunnel-ingress-crd",
    "connectorSpread=preferred",
    "connectorSpread=required",
    "tlsMode=passthrough",
    "tlsMode=none",
    "acknowledgeInsecure=true",
    "acknowledgeInsecure=false",
    "fallback=true",
    "fallback=false",
    "connectorRollout=surge",
    "connectorRollout=replace",
  ],
  hybrid: [
    ...CLOUD_CHOICES,
    "mode=tunnel",
    "mode=l4",
    "antiAffinity=true",
    "tlsMode=passthrough",
    "tlsMode=none",
    "acknowledgeInsecure=true",
    "acknowledgeInsecure=false",
  ],
};

describe.each(Object.entries(STACK_OF_MODE) as [keyof typeof STACK_OF_MODE, string][])(
  "mode %s (stack %s)",
  (mode, stack) => {
    const cases = OPTIONS.flatMap(([key, values]) => values.map((value) => ({ key, value })));

    test.each(cases)("$key=$value", async ({ key, value }) => {
      const label = `${key}=${value}`;
      let result: RenderResult | undefined;
      let error: unknown;
      try {
        result = await renderInProcess(stack, { [key]: value });
      } catch (err) {
        error = err;
      }
      if (REFUSED[mode].includes(label)) {
        expect(result).toBeUndefined();
        // A mode the stack is not written for: the keys it conflicts with or lacks, naming the mode.
        expectRefusal(
          error,
          key === "mode"
            ? new RegExp(`ws-exposure:mode|mode "${value}"`)
            : new RegExp(`ws-exposure:${key}\\b`),
        );
      } else {
        if (error) throw error;
        expectComplete(result!);
        EFFECTS[label]?.(result!);
      }
    });

    test("every switch the mode reads, on at once", async () => {
      const on: Record<string, string> = {
        monitorEnabled: "true",
        monitorPrometheusOperator: "true",
        monitorPrometheusRelease: "kube-prometheus-stack",
        podspecAffinity: "manage",
        antiAffinity: "true",
        forceConflicts: "true",
        manageMaxRevisionTimeout: "true",
        manageIngressStreamIdleTimeout: "true",
      };
      if (mode !== "l4") Object.assign(on, { connectorSpread: "required", httpPaths: '["^/api/"]' });
      if (mode !== "tunnel")
        Object.assign(on, {
          l4AutoAssign: "true",
          l4Advertisement: "bgp",
          externalTrafficPolicy: "Cluster",
          l4Route: "ingress",
          certManagerIssuerKind: "Issuer",
          sessionAffinityTimeoutSeconds: "600",
        });
      if (mode === "hybrid") on.fallback = "true";
      const result = await renderInProcess(stack, on);
      expectComplete(result);
      for (const label of ["monitorEnabled=true", "l4Advertisement=bgp", "podspecAffinity=manage"])
        if (on[label.split("=")[0]] === label.split("=")[1]) EFFECTS[label](result);
      expect(byType(result, "kubernetes:monitoring.coreos.com/v1:PrometheusRule").length).toBeGreaterThan(0);
    });
  },
);
