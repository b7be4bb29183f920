import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { resource, settle, unwrap, useMockRuntime } from "../helpers/pulumi";
import { buildL4, l4ConfigProblems, l4StackSchema } from "../../stacks/modes/l4";

const runtime = useMockRuntime();

/** Pulumi.staging.yaml's values, namespace stripped, read by the l4 mode's own schema. */
function stagingConfig() {
  const doc = parse(fs.readFileSync(path.join(__dirname, "../../Pulumi.staging.yaml"), "utf8")) as {
    config: Record<string, unknown>;
  };
  const raw = Object.fromEntries(
    Object.entries(doc.config).map(([k, v]) => [k.replace(/^ws-exposure:/, ""), v]),
  );
  return l4StackSchema.parse(raw);
}

test("the staging stack: terminate with a cert-manager issuer, a pinned address, a DNS-only record", async () => {
  const c = stagingConfig();
  expect(l4ConfigProblems(c)).toEqual([]);
  const out = buildL4("staging", c);
  expect(await unwrap(out.url)).toBe("wss://messaging-staging.example.com/ws");
  await settle();
  expect(
    resource(runtime.resources, "kubernetes:cert-manager.io/v1:Certificate", "staging-tls").inputs,
  ).toMatchObject({
    spec: {
      dnsNames: ["messaging-staging.example.com"],
      issuerRef: { name: "letsencrypt-dns01", kind: "ClusterIssuer" },
    },
  });
  expect(
    (resource(runtime.resources, "kubernetes:core/v1:Service", "staging-lb").inputs as any).metadata
      .annotations,
  ).toEqual({
    "metallb.io/address-pool": "staging-pool",
    "metallb.io/loadBalancerIPs": "192.168.1.241",
    "metallb.universe.tf/address-pool": "staging-pool",
    "metallb.universe.tf/loadBalancerIPs": "192.168.1.241",
  });
  expect(
    resource(runtime.resources, "cloudflare:index/dnsRecord:DnsRecord", "staging-dns").inputs,
  ).toMatchObject({
    type: "A",
    content: "203.0.113.7",
    proxied: false,
  });
  expect(out.budgets[0].ok).toBe(true);
});

test.each([
  [
    { l4PoolName: "lan" },
    "ws-exposure:l4Addresses (create a dedicated MetalLB pool) or ws-exposure:l4PoolName (use an existing one) must be set, exactly one of them",
  ],
  [
    { tlsSecretName: "s" },
    'ws-exposure:tlsSecretName (an existing kubernetes.io/tls Secret) or ws-exposure:certManagerIssuer must be set with tlsMode "terminate", exactly one of them',
  ],
  [
    { zoneId: undefined },
    "ws-exposure:zoneId is required with ws-exposure:l4DnsTarget (the DNS-only record is created in that zone)",
  ],
])("config problem for %j", (over, problem) => {
  expect(l4ConfigProblems({ ...stagingConfig(), ...over })).toEqual([problem]);
});
