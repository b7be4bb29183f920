/**
 * Issue 20, item 11: HybridExposure re-exports its L4 path's address outputs as L4Exposure has them
 * (L4_ADDRESS_OUTPUTS), so a hybrid on an AWS NLB gives the NLB's DNS name, not only an empty
 * address. The mock provider answers a LoadBalancer Service with the status the AWS Load Balancer
 * Controller writes (a hostname, no ip) or MetalLB's (an ip).
 */
import * as fs from "fs";
import * as path from "path";
import { resource, settle, unwrap, useMockRuntime } from "../helpers/pulumi";
import { HybridExposure } from "../../components/hybrid/HybridExposure";
import { L4_ADDRESS_OUTPUTS, L4Exposure } from "../../components/l4/L4Exposure";
import { HybridExposure as PackageHybridExposure } from "../../components/package";
import { hybridArgs } from "../helpers/fixtures";

const NLB_HOSTNAME = "k8s-agentsw-prodl4lb-0123456789.elb.eu-west-1.amazonaws.com";
const runtime = useMockRuntime({
  providerState: (type, inputs) => {
    const spec = inputs.spec as { type?: string } | undefined;
    if (type !== "kubernetes:core/v1:Service" || spec?.type !== "LoadBalancer") return undefined;
    const annotations = (inputs.metadata as { annotations?: Record<string, string> }).annotations ?? {};
    const nlb = annotations["service.beta.kubernetes.io/aws-load-balancer-type"] === "external";
    return {
      status: { loadBalancer: { ingress: [nlb ? { hostname: NLB_HOSTNAME } : { ip: "192.168.1.241" }] } },
    };
  },
});

const onNlb = () => {
  const args = hybridArgs();
  const { addressPool: _pool, loadBalancerIP: _ip, dns: _dns, ...l4 } = args.l4 as Record<string, unknown>;
  return { ...args, l4: { ...l4, loadBalancer: { type: "aws-nlb" } } } as typeof args;
};

async function addresses(component: object): Promise<Record<string, unknown>> {
  const c = component as Record<string, unknown>;
  const entries = await Promise.all(L4_ADDRESS_OUTPUTS.map(async (k) => [k, await unwrap(c[k] as never)]));
  return Object.fromEntries(entries);
}

test("the address outputs are the L4 path's: loadBalancerIP and loadBalancerHostname", () => {
  expect(L4_ADDRESS_OUTPUTS).toEqual(["loadBalancerIP", "loadBalancerHostname"]);
});

test("a hybrid on an AWS NLB (stand-in: the mock provider writes the controller's status): loadBalancerHostname is the NLB's DNS name, loadBalancerIP empty, as on L4Exposure", async () => {
  const hybrid = new HybridExposure("prod", onNlb());
  await unwrap(hybrid.urn);
  await settle();
  expect(resource(runtime.resources, "kubernetes:core/v1:Service", "prod-l4-lb").parent).toBe("prod-l4");
  expect(await addresses(hybrid)).toEqual({ loadBalancerIP: undefined, loadBalancerHostname: NLB_HOSTNAME });

  const l4 = new L4Exposure("alone", hybrid.plan.l4Args);
  await unwrap(l4.urn);
  await settle();
  expect(await addresses(l4)).toEqual(await addresses(hybrid));
});

test("a hybrid on MetalLB: loadBalancerIP the address, no hostname", async () => {
  const hybrid = new HybridExposure("prod", hybridArgs());
  await unwrap(hybrid.urn);
  await settle();
  expect(await addresses(hybrid)).toEqual({
    loadBalancerIP: "192.168.1.241",
    loadBalancerHostname: undefined,
  });
});

test("the package's HybridExposure (every language) gives the same hostname", async () => {
  const args = onNlb();
  const hybrid = new PackageHybridExposure("pkg", {
    ...args,
    l4: { ...args.l4, tls: { mode: "terminate", certificate: { secretName: "ws-tls" } } },
  } as never);
  await unwrap(hybrid.urn);
  await settle();
  expect(await addresses(hybrid)).toEqual({ loadBalancerIP: undefined, loadBalancerHostname: NLB_HOSTNAME });
});

test("the package schema gives L4Exposure and HybridExposure the same address outputs (provider/schema.json)", () => {
  const schema = JSON.parse(
    fs.readFileSync(path.join(__dirname, "..", "..", "provider", "schema.json"), "utf8"),
  ) as { resources: Record<string, { properties: Record<string, unknown> }> };
  const outputs = (name: string) => {
    const props = schema.resources[`ws-exposure:index:${name}`].properties;
    return Object.fromEntries(L4_ADDRESS_OUTPUTS.map((k) => [k, props[k]]));
  };
  expect(outputs("HybridExposure")).toEqual(outputs("L4Exposure"));
  expect(Object.values(outputs("L4Exposure")).every((p) => p !== undefined)).toBe(true);
});
