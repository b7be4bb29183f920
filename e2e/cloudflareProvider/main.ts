/**
 * A stand-in for the Cloudflare provider plugin (`pulumi-resource-cloudflare`), used by the
 * end-to-end tests only while the real plugin cannot be built here (the Go module proxy serves no
 * version of github.com/pulumi/pulumi-cloudflare/provider/v6: e2e/versions.env). It speaks the
 * real plugin protocol to the real engine (through @pulumi/pulumi's provider host) and serves
 * exactly what the stacks use: ZeroTrustTunnelCloudflared, ZeroTrustTunnelCloudflaredConfig,
 * DnsRecord and the getZeroTrustTunnelCloudflaredToken invoke, by calling the Cloudflare API v4 at
 * `cloudflare:baseUrl` (the tests point it at e2e/cloudflareApi.ts).
 *
 * What it does not prove: the real provider's schema checks, its defaults and its diff rules. The
 * input checks below are the ones the real schema makes required; the replace rules are the
 * `RequiresReplace` plan modifiers of the Terraform provider v5 resources.
 */
import * as path from "node:path";
import * as provider from "@pulumi/pulumi/provider";
import { CloudflareApi } from "./api";
import { RESOURCES, INVOKES, ResourceKind } from "./resources";

/** The version the SDK asks for (@pulumi/cloudflare in package.json), so the engine does not warn. */
// eslint-disable-next-line @typescript-eslint/no-require-imports -- a JSON file next to the SDK, read once
const VERSION: string = require("@pulumi/cloudflare/package.json").version;

/** Provider config the engine sends in Configure; @pulumi/pulumi's provider host drops it, so it is caught on the way in. */
const config: Record<string, string> = {};

function catchConfigure(): void {
  const pulumiDir = path.dirname(require.resolve("@pulumi/pulumi/package.json"));
  // The same @grpc/grpc-js instance the provider host registers its service on.
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- resolved from @pulumi/pulumi's own folder
  const grpc = require(require.resolve("@grpc/grpc-js", { paths: [pulumiDir] }));
  const addService = grpc.Server.prototype.addService;
  grpc.Server.prototype.addService = function (
    this: unknown,
    service: unknown,
    impl: { configure: (call: ConfigureCall, callback: unknown) => void },
  ) {
    const configure = impl.configure.bind(impl);
    impl.configure = (call, callback) => {
      call.request.getVariablesMap().forEach((value: string, key: string) => {
        config[key.replace(/^cloudflare:config:/, "")] = value;
      });
      configure(call, callback);
    };
    return addService.call(this, service, impl);
  };
}

interface ConfigureCall {
  request: { getVariablesMap(): { forEach(fn: (value: string, key: string) => void): void } };
}

/** `urn:pulumi:stack::project::parent$cloudflare:index/dnsRecord:DnsRecord::name` -> the type token. */
function typeOf(urn: string): string {
  return urn.split("::")[2].split("$").pop()!;
}

function kindOf(urn: string): ResourceKind {
  const kind = RESOURCES[typeOf(urn)];
  if (!kind) throw new Error(`the Cloudflare provider stand-in does not serve ${typeOf(urn)}`);
  return kind;
}

function api(): CloudflareApi {
  if (!config.baseUrl) {
    throw new Error(
      "the Cloudflare provider stand-in needs cloudflare:baseUrl (it never calls api.cloudflare.com)",
    );
  }
  return new CloudflareApi(config.baseUrl, config.apiToken);
}

/** Inputs as the engine sends them, without the bookkeeping keys it adds. */
function clean(inputs: Record<string, unknown>): Record<string, unknown> {
  const { __defaults: _defaults, ...rest } = inputs ?? {};
  return rest;
}

async function main(): Promise<void> {
  catchConfigure();
  await provider.main(
    {
      version: VERSION,
      async check(urn, _olds, news) {
        const inputs = clean(news);
        const failures = kindOf(urn)
          .required.filter((p) => inputs[p] === undefined || inputs[p] === "")
          .map((property) => ({ property, reason: `Missing required argument '${property}'` }));
        return { inputs, failures };
      },
      async diff(_id, urn, olds, news) {
        const before = clean(olds);
        const after = clean(news);
        const changed = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter(
          (k) => kindOf(urn).inputs.includes(k) && JSON.stringify(before[k]) !== JSON.stringify(after[k]),
        );
        return {
          changes: changed.length > 0,
          replaces: changed.filter((k) => kindOf(urn).replaceOn.includes(k)),
          deleteBeforeReplace: false,
        };
      },
      async create(urn, inputs) {
        return kindOf(urn).create(api(), clean(inputs));
      },
      async read(id, _urn, props) {
        return { id, props };
      },
      async update(id, urn, _olds, news) {
        return { outs: await kindOf(urn).update(api(), id, clean(news)) };
      },
      async delete(id, urn, props) {
        await kindOf(urn).delete(api(), id, props);
      },
      async invoke(token, inputs) {
        const invoke = INVOKES[token];
        if (!invoke) throw new Error(`the Cloudflare provider stand-in does not serve ${token}`);
        return { outputs: await invoke(api(), inputs) };
      },
    },
    process.argv.slice(2),
  );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
