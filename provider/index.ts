/**
 * The component package's provider: @pulumi/pulumi's component provider (the schema inferred from
 * the constructors' args interfaces in components/package), plus the Knative admission check as a
 * resource of its own (components/knative/AdmissionGate.ts, PACKAGE_GATE_TYPE): a YAML, Go or
 * Python program has no node_modules for Pulumi's dynamic provider host to run it from.
 *
 * The Node.js language host starts it through index.js (PulumiPlugin.yaml, runtime nodejs);
 * pulumi-resource-ws-exposure runs this file directly.
 */
import * as pulumi from "@pulumi/pulumi";
import { main } from "@pulumi/pulumi/provider";
import { ComponentProvider } from "@pulumi/pulumi/provider/experimental";
import {
  HybridExposure,
  KnativeSettings,
  L4Exposure,
  TunnelExposure,
  WsMonitor,
} from "../components/package";
import {
  PACKAGE_GATE_TYPE,
  packageGateProvider,
  serveAdmissionGatesFromPackage,
} from "../components/knative/AdmissionGate";

export { HybridExposure, KnativeSettings, L4Exposure, TunnelExposure, WsMonitor };

/** `urn:pulumi:<stack>::<project>::<parent types>$<type>::<name>` -> `<type>`. */
export function urnType(urn: string): string {
  return urn.split("::")[2]?.split("$").pop() ?? "";
}

function requireGate(urn: string): void {
  if (urnType(urn) !== PACKAGE_GATE_TYPE) throw new Error(`unknown resource type ${urnType(urn)}`);
}

/** The package's provider: components through ComponentProvider, the admission gate itself. */
export function wsExposureProvider(): pulumi.provider.Provider {
  const components = new ComponentProvider({
    name: "ws-exposure",
    dirname: __dirname,
    components: [L4Exposure, TunnelExposure, KnativeSettings, HybridExposure, WsMonitor],
  });
  return {
    version: components.version,
    getSchema: () => components.getSchema(),
    construct: (name, type, inputs, options) => components.construct(name, type, inputs, options),
    async create(urn, inputs) {
      requireGate(urn);
      return packageGateProvider.create(inputs);
    },
    async update(_id, urn, _olds, news) {
      requireGate(urn);
      return packageGateProvider.update(news);
    },
    async delete(_id, urn) {
      // Nothing to undo: the check only dry-runs, and the creator annotation's keeper must stay
      // (components/knative/ownership.ts, CREATOR_KEEPER_MANAGER).
      requireGate(urn);
    },
  };
}

/** Serves the provider to the engine (`args`: the plugin's command line). */
export function serve(args: string[]): Promise<void> {
  serveAdmissionGatesFromPackage();
  return main(wsExposureProvider(), args);
}

if (require.main === module || process.env.PULUMI_WS_EXPOSURE_HOST === "1") {
  void serve(process.argv.slice(2));
}
