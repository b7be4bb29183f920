import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import * as os from "os";
import { accessProblem, AdmissionCheckInput, admissionError, runAdmissionCheck } from "./admission";
import { kubeAdmissionIO, loadKubeAccess } from "./kubeClient";

/** The YAML parser of this installation, loaded by absolute path inside the provider host. */
const YAML_MODULE = require.resolve("yaml");

/** Stack config the provider host hands to `configure`: the kubernetes provider's own keys. */
const stackAccess: { kubeconfig?: string; context?: string } = {};

interface GateInputs {
  check: AdmissionCheckInput;
  /** Kubeconfig path or contents; default: stack config kubernetes:kubeconfig, KUBECONFIG, ~/.kube/config. */
  kubeconfig?: string;
  /** Default: stack config kubernetes:context, else the kubeconfig's current-context. */
  context?: string;
}

async function check(inputs: GateInputs): Promise<Record<string, unknown>> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const yaml = require(YAML_MODULE) as { parse: (text: string) => unknown };
  let access;
  try {
    access = loadKubeAccess({
      kubeconfig: inputs.kubeconfig ?? stackAccess.kubeconfig,
      context: inputs.context ?? stackAccess.context,
      kubeconfigEnv: process.env.KUBECONFIG,
      home: os.homedir(),
      parseYaml: yaml.parse,
    });
  } catch (err) {
    throw admissionError(accessProblem(inputs.check.owner, (err as Error).message));
  }
  const result = await runAdmissionCheck(kubeAdmissionIO(access), inputs.check);
  return { ...result, server: access.server, context: access.context };
}

/**
 * Runs in Pulumi's dynamic provider host, which receives it serialized: everything it reaches is
 * plain functions, Node's built-in modules and the YAML parser loaded by path.
 */
const admissionProvider: pulumi.dynamic.ResourceProvider = {
  async configure(req: pulumi.dynamic.ConfigureRequest) {
    stackAccess.kubeconfig = req.config.get("kubernetes:kubeconfig");
    stackAccess.context = req.config.get("kubernetes:context");
  },
  async create(inputs: GateInputs) {
    const outs = await check(inputs);
    return { id: `${inputs.check.service.namespace}/${inputs.check.service.name}`, outs };
  },
  async update(_id: string, _olds: unknown, news: GateInputs) {
    return { outs: await check(news) };
  },
  async delete() {
    // Nothing to undo: the check changes nothing in the cluster.
  },
};

export interface AdmissionGateArgs {
  /** What to check: the exact Service patch, its manager and force, the maximum and the ConfigMaps (see admission.ts). Required. */
  check: pulumi.Input<AdmissionCheckInput>;
  /** Kubeconfig path or contents. Default: stack config kubernetes:kubeconfig, else KUBECONFIG, else ~/.kube/config. Stored as a secret. */
  kubeconfig?: pulumi.Input<string>;
  /** Kubeconfig context. Default: stack config kubernetes:context, else the kubeconfig's current-context. */
  context?: pulumi.Input<string>;
}

/** Pulumi's mock monitor (unit tests, the offline render) holds the mocks; a real engine's has none. */
function underMocks(): boolean {
  const monitor = pulumi.runtime.getMonitor() as { mocks?: unknown } | undefined;
  return monitor !== undefined && monitor !== null && "mocks" in monitor;
}

/** What the offline render and the unit tests record in place of the serialized provider. */
export const MOCK_PROVIDER_TEXT = "(the admission check's provider, serialized at deploy time)";

/** The provider's text as Pulumi's dynamic provider host loads it (`exports.handler` returns the provider). */
export function serializeAdmissionProvider(): Promise<string> {
  return pulumi.runtime
    .serializeFunction(() => admissionProvider, { allowSecrets: false })
    .then((f) => f.text);
}

let serialized: pulumi.Output<string> | undefined;

/** Serialized once per program; under mocks a placeholder (the render records it, nothing runs it). */
function serializedAdmissionProvider(): pulumi.Output<string> {
  if (underMocks()) return pulumi.output(MOCK_PROVIDER_TEXT);
  serialized ??= pulumi.output(serializeAdmissionProvider());
  return serialized;
}

/**
 * A dry-run of the Knative Service patch that must pass before the patch is applied (see
 * admission.ts): a Pulumi dynamic resource (`pulumi.dynamic.Resource` in all but the name: under
 * mocks the provider is not serialized). Its `fieldManager` output feeds the patch, so the patch
 * waits for it; in a preview it is unknown whenever the check would run, so the kubernetes provider
 * does not dry-run a patch the webhook cannot accept before the ConfigMap patches are applied.
 */
export class AdmissionGate extends pulumi.CustomResource {
  /** The field manager the Service patch applies as. */
  declare public readonly fieldManager: pulumi.Output<string>;
  /** With forceConflicts: the fields taken from other managers. */
  declare public readonly takeovers: pulumi.Output<string[]>;

  constructor(name: string, args: AdmissionGateArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      "pulumi-nodejs:dynamic/knative:AdmissionGate",
      name,
      {
        __provider: serializedAdmissionProvider(),
        check: args.check,
        kubeconfig: args.kubeconfig === undefined ? undefined : pulumi.secret(args.kubeconfig),
        context: args.context,
        fieldManager: undefined,
        takeovers: undefined,
      },
      opts,
    );
  }
}

/** True when resources under these options get an explicit kubernetes provider (own or inherited). */
export function hasExplicitKubernetesProvider(opts: pulumi.ComponentResourceOptions | undefined): boolean {
  if (!opts) return false;
  const providers = opts.providers;
  if (Array.isArray(providers)) {
    if (providers.some((p) => k8s.Provider.isInstance(p))) return true;
  } else if (providers && "kubernetes" in providers) {
    return true;
  }
  if (opts.provider && k8s.Provider.isInstance(opts.provider)) return true;
  return opts.parent?.getProvider("kubernetes::Provider") !== undefined;
}
