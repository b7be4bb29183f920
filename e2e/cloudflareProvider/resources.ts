/**
 * The resources and invokes the Cloudflare provider stand-in serves, each mapped to the Cloudflare
 * API v4 calls the real provider makes for it. Properties are the Pulumi SDK's (camelCase, as in
 * @pulumi/cloudflare 6.x); bodies are the API's.
 */
import { CloudflareApi } from "./api";

type Props = Record<string, unknown>;

export interface ResourceKind {
  /** Inputs the real schema requires. */
  required: string[];
  /** Every input the resource takes (a change to another key is not a diff). */
  inputs: string[];
  /** Inputs whose change replaces the resource (RequiresReplace in the Terraform provider v5). */
  replaceOn: string[];
  create(api: CloudflareApi, inputs: Props): Promise<{ id: string; outs: Props }>;
  update(api: CloudflareApi, id: string, inputs: Props): Promise<Props>;
  delete(api: CloudflareApi, id: string, props: Props): Promise<void>;
}

const tunnelPath = (p: Props) => `accounts/${p.accountId as string}/cfd_tunnel`;

const tunnelOuts = (inputs: Props, t: Props): Props => ({
  ...inputs,
  accountTag: t.account_tag,
  createdAt: t.created_at,
  status: t.status,
  tunType: t.tun_type,
  remoteConfig: t.remote_config,
});

const tunnel: ResourceKind = {
  required: ["accountId", "name"],
  inputs: ["accountId", "name", "configSrc", "tunnelSecret"],
  replaceOn: ["accountId", "configSrc", "tunnelSecret"],
  async create(api, inputs) {
    const t = await api.call("POST", tunnelPath(inputs), {
      name: inputs.name,
      config_src: inputs.configSrc ?? "local",
      ...(inputs.tunnelSecret ? { tunnel_secret: inputs.tunnelSecret } : {}),
    });
    return { id: t.id as string, outs: tunnelOuts(inputs, t) };
  },
  async update(api, id, inputs) {
    return tunnelOuts(inputs, await api.call("PATCH", `${tunnelPath(inputs)}/${id}`, { name: inputs.name }));
  },
  async delete(api, id, props) {
    await api.call("DELETE", `${tunnelPath(props)}/${id}`);
  },
};

/** The API calls the rule list `ingress`; the SDK pluralises it to `ingresses`. */
function configBody(config: Props | undefined): Props {
  const { ingresses, ...rest } = config ?? {};
  return { ...rest, ...(ingresses === undefined ? {} : { ingress: ingresses }) };
}

const tunnelConfig: ResourceKind = {
  required: ["accountId", "tunnelId"],
  inputs: ["accountId", "tunnelId", "source", "config"],
  replaceOn: ["accountId", "tunnelId"],
  async create(api, inputs) {
    const c = await tunnelConfig.update(api, inputs.tunnelId as string, inputs);
    return { id: inputs.tunnelId as string, outs: c };
  },
  async update(api, _id, inputs) {
    const path = `${tunnelPath(inputs)}/${inputs.tunnelId as string}/configurations`;
    const c = await api.call("PUT", path, { config: configBody(inputs.config as Props) });
    return { ...inputs, version: c.version, createdAt: c.created_at };
  },
  // The Terraform provider v5 removes only its state: the configuration goes with its tunnel.
  async delete() {},
};

const dnsBody = (p: Props): Props => ({
  name: p.name,
  type: p.type,
  content: p.content,
  proxied: p.proxied,
  ttl: p.ttl,
  ...(p.comment === undefined ? {} : { comment: p.comment }),
});

const dnsOuts = (inputs: Props, r: Props): Props => ({
  ...inputs,
  createdOn: r.created_on,
  modifiedOn: r.modified_on,
  proxiable: r.proxiable,
});

const dnsRecord: ResourceKind = {
  required: ["zoneId", "name", "type", "ttl"],
  inputs: [
    "zoneId",
    "name",
    "type",
    "content",
    "proxied",
    "ttl",
    "comment",
    "data",
    "priority",
    "settings",
    "tags",
  ],
  replaceOn: ["zoneId"],
  async create(api, inputs) {
    const r = await api.call("POST", `zones/${inputs.zoneId as string}/dns_records`, dnsBody(inputs));
    return { id: r.id as string, outs: dnsOuts(inputs, r) };
  },
  async update(api, id, inputs) {
    return dnsOuts(
      inputs,
      await api.call("PUT", `zones/${inputs.zoneId as string}/dns_records/${id}`, dnsBody(inputs)),
    );
  },
  async delete(api, id, props) {
    await api.call("DELETE", `zones/${props.zoneId as string}/dns_records/${id}`);
  },
};

export const RESOURCES: Record<string, ResourceKind> = {
  "cloudflare:index/zeroTrustTunnelCloudflared:ZeroTrustTunnelCloudflared": tunnel,
  "cloudflare:index/zeroTrustTunnelCloudflaredConfig:ZeroTrustTunnelCloudflaredConfig": tunnelConfig,
  "cloudflare:index/dnsRecord:DnsRecord": dnsRecord,
};

export const INVOKES: Record<string, (api: CloudflareApi, inputs: Props) => Promise<Props>> = {
  "cloudflare:index/getZeroTrustTunnelCloudflaredToken:getZeroTrustTunnelCloudflaredToken": async (
    api,
    inputs,
  ) => {
    const token = await api.call<string>("GET", `${tunnelPath(inputs)}/${inputs.tunnelId as string}/token`);
    return { ...inputs, id: inputs.tunnelId, token };
  },
};
