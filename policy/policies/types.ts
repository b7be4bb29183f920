/** Resource type tokens the policies apply to (the components emit these; so do other stacks). */
export const TYPES = {
  service: "kubernetes:core/v1:Service",
  namespace: "kubernetes:core/v1:Namespace",
  namespacePatch: "kubernetes:core/v1:NamespacePatch",
  deployment: "kubernetes:apps/v1:Deployment",
  knativeService: "kubernetes:serving.knative.dev/v1:Service",
  knativeServicePatch: "kubernetes:serving.knative.dev/v1:ServicePatch",
  tunnelConfig: "cloudflare:index/zeroTrustTunnelCloudflaredConfig:ZeroTrustTunnelCloudflaredConfig",
  dnsRecord: "cloudflare:index/dnsRecord:DnsRecord",
  /** @pulumi/cloudflare v5's record, still in older stacks. */
  legacyRecord: "cloudflare:index/record:Record",
} as const;
