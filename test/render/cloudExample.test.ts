/**
 * The cloud example stack (Pulumi.cloud-example.yaml) renders each load-balancer choice and prints
 * its budget: the commands its header lists, in process (the same composition index.ts runs), and
 * the file as it stands through `npm run render` as a real process.
 */
import * as fs from "fs";
import * as path from "path";
import { renderInProcess, runRender, STACK_RENDER_STDERR, stackDrainWarning } from "../helpers/render";
import { tempFolders } from "../helpers/tempFolders";

const ARN = "arn:aws:acm:eu-west-1:123456789012:certificate/example";
const AWS = "service.beta.kubernetes.io/aws-load-balancer";
const NOT_AWS = ["awsNlbProxyProtocol"];
/** The AWS Load Balancer Controller annotations the file (Pulumi.cloud-example.yaml) writes. */
const FILE_ANNOTATIONS = {
  [`${AWS}-type`]: "external",
  [`${AWS}-nlb-target-type`]: "ip",
  [`${AWS}-scheme`]: "internet-facing",
  [`${AWS}-attributes`]: "load_balancing.cross_zone.enabled=true",
  [`${AWS}-target-group-attributes`]: "deregistration_delay.timeout_seconds=300",
  [`${AWS}-listener-attributes.TCP-443`]: "tcp.idle_timeout.seconds=3600",
  [`${AWS}-proxy-protocol`]: "*",
};

describe.each<[string, Record<string, string>, string[], string, RegExp, Record<string, string>, string[]]>([
  [
    "aws-nlb (the file): HAProxy with PROXY protocol v2",
    {},
    [],
    "aws-nlb",
    /\n {2}aws-nlb +3600 s +none +target deregistration/,
    FILE_ANNOTATIONS,
    ["kubernetes:apps/v1:Deployment"],
  ],
  [
    "aws-nlb, the namespace said labelled (awsNlbPodReadinessGate): the Service says so, the hop has no readiness-gate drop",
    { awsNlbPodReadinessGate: "namespaceLabelled" },
    [],
    "aws-nlb",
    /\n {2}aws-nlb +3600 s +none +target deregistration [\s\S]*?connections end when the target goes\n +zone failure/,
    { ...FILE_ANNOTATIONS, "ws-exposure.dev/pod-readiness-gate": "namespaceLabelled" },
    ["kubernetes:apps/v1:Deployment"],
  ],
  [
    "aws-nlb with TLS at the NLB: no HAProxy",
    { tlsMode: "loadBalancer", awsNlbCertificateArn: ARN },
    [...NOT_AWS, "tlsSecretName"],
    "aws-nlb",
    /\n {2}aws-nlb +350 s +none +target deregistration/,
    {
      [`${AWS}-type`]: "external",
      [`${AWS}-nlb-target-type`]: "ip",
      [`${AWS}-scheme`]: "internet-facing",
      [`${AWS}-attributes`]: "load_balancing.cross_zone.enabled=true",
      [`${AWS}-target-group-attributes`]: "deregistration_delay.timeout_seconds=300",
      [`${AWS}-ssl-cert`]: ARN,
      [`${AWS}-ssl-ports`]: "443",
      [`${AWS}-ssl-negotiation-policy`]: "ELBSecurityPolicy-TLS13-1-2-2021-06",
    },
    [],
  ],
  [
    "gcp",
    { l4LoadBalancer: "gcp" },
    NOT_AWS,
    "gcp-external-passthrough",
    /\n {2}gcp-external-passthrough +60 s +none +backend change/,
    { "cloud.google.com/l4-rbs": "enabled" },
    ["kubernetes:apps/v1:Deployment"],
  ],
  [
    "azure",
    { l4LoadBalancer: "azure" },
    NOT_AWS,
    "azure-lb",
    /\n {2}azure-lb +3600 s +none +backend pool change/,
    { "service.beta.kubernetes.io/azure-load-balancer-tcp-idle-timeout": "60" },
    ["kubernetes:apps/v1:Deployment"],
  ],
  [
    "custom",
    {
      l4LoadBalancer: "custom",
      customLoadBalancerClass: "example.com/l4",
      l4LoadBalancerIdleTimeoutSeconds: "900",
    },
    NOT_AWS,
    "custom-lb",
    /\n {2}custom-lb +900 s +none +whatever your load balancer does/,
    {},
    ["kubernetes:apps/v1:Deployment"],
  ],
])("cloud-example, %s", (_label, set, unset, hop, row, annotations, extraTypes) => {
  let result: Awaited<ReturnType<typeof renderInProcess>>;
  beforeAll(async () => {
    result = await renderInProcess("cloud-example", set, unset);
  });

  test("prints the l4 budget with the load balancer's row; the budget holds", () => {
    expect(result.text).toContain("Connection budget: l4 path (heartbeat 5 s, lifetime wanted 3600 s)");
    expect(result.text).toMatch(row);
    expect(result.budgets.map((b) => [b.name, b.hops[1].name, b.ok])).toEqual([["l4", hop, true]]);
  });

  test("no MetalLB object; the LoadBalancer Service carries the controller's annotations", () => {
    const types = result.resources.map((r) => r.type);
    expect(types.filter((t) => t.includes("metallb.io"))).toEqual([]);
    expect(types).toEqual(expect.arrayContaining(["kubernetes:core/v1:Service", ...extraTypes]));
    const lb = result.resources.find((r) => r.name === "cloud-example-lb")!.inputs as any;
    expect(lb.metadata.annotations).toEqual(annotations);
  });
});

/** The renders' output folders, removed once the file's tests ran. */
const outputFolder = tempFolders("ws-exposure-render-");

test("npm run render -- --stack cloud-example prints the aws-nlb budget and exits 0", async () => {
  const out = outputFolder();
  const r = await runRender("cloud-example", [], out);
  expect(r.stderr).toBe(STACK_RENDER_STDERR["cloud-example"]);
  expect(r.status).toBe(0);
  expect(r.stdout).toMatch(/\n {2}aws-nlb +3600 s +none +target deregistration/);
  expect(r.stdout).toContain("effective: idle timeout 3600 s, lifetime cap 3600 s: OK");
  expect(JSON.parse(fs.readFileSync(path.join(out, "budget.json"), "utf8")).paths[0].hops[1]).toMatchObject({
    name: "aws-nlb",
    idleTimeoutSeconds: 3600,
  });
});

test("npm run render -- --stack cloud-example --set awsNlbPodReadinessGate=namespaceLabelled: no readiness-gate warning (the drain window's stays), exit 0", async () => {
  const out = outputFolder();
  const r = await runRender("cloud-example", ["--set", "awsNlbPodReadinessGate=namespaceLabelled"], out);
  expect({ status: r.status, stderr: r.stderr }).toEqual({
    status: 0,
    stderr: stackDrainWarning("cloud-example", 10000),
  });
  expect(r.stdout).not.toContain("pod readiness gate");
});

test("the stack outputs carry the L4 path's address outputs in every mode with an L4 path (issue 20, item 11)", async () => {
  const keys = async (stack: string, set: Record<string, string> = {}, unset: string[] = []) =>
    Object.keys((await renderInProcess(stack, set, unset)).outputs).sort();
  const l4 = ["budgets", "loadBalancerHostname", "loadBalancerIP", "url"];
  expect(await keys("cloud-example")).toEqual(l4);
  expect(await keys("staging")).toEqual(l4);
  expect(await keys("prod")).toEqual(["fallbackWsUrl", "httpUrl", "tunnelId", ...l4].sort());
  const prod = await renderInProcess("prod");
  expect(prod.outputs.loadBalancerHostname).toBe("(known after deploy)");
});
