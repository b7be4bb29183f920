import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import * as os from "os";
import * as path from "path";
import { accessProblem, AdmissionCheckInput, admissionError, runAdmissionCheck } from "./admission";
import { ClientNode, kubeAdmissionIO, loadKubeAccess } from "./kubeClient";
import { isKubeconfigContent } from "./kubeconfig";

/** The YAML parser and Kubernetes client of this installation, loaded by absolute path inside the provider host. */
const YAML_MODULE = require.resolve("yaml");
const CLIENT_NODE_MODULE = require.resolve("@kubernetes/client-node");

/** The kubernetes provider's own stack config keys, which the check falls back on. */
interface StackAccess {
  kubeconfig?: string;
  context?: string;
}

/** Stack config the dynamic provider host hands to `configure`. */
const stackAccess: StackAccess = {};

interface GateInputs {
  check: AdmissionCheckInput;
  /** Kubeconfig path or contents; default: stack config kubernetes:kubeconfig, KUBECONFIG, ~/.kube/config. */
  kubeconfig?: string;
  /** Default: stack config kubernetes:context, else the kubeconfig's current-context. */
  context?: string;
}

async function check(inputs: GateInputs, stack: StackAccess): Promise<Record<string, unknown>> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const yaml = require(YAML_MODULE) as { parse: (text: string) => unknown };
  // An ES module: Node.js 20.19+ and 22.12+ load it with require.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const clientNode = require(CLIENT_NODE_MODULE) as ClientNode;
  let access;
  try {
    access = loadKubeAccess(clientNode, {
      kubeconfig: inputs.kubeconfig ?? stack.kubeconfig,
      kubeconfigKey:
        inputs.kubeconfig === undefined ? "kubernetes:kubeconfig" : "knative.admissionCheck.kubeconfig",
      context: inputs.context ?? stack.context,
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
 * plain functions, Node's built-in modules, and the YAML parser and client-node loaded by path.
 */
const admissionProvider: pulumi.dynamic.ResourceProvider = {
  async configure(req: pulumi.dynamic.ConfigureRequest) {
    stackAccess.kubeconfig = req.config.get("kubernetes:kubeconfig");
    stackAccess.context = req.config.get("kubernetes:context");
  },
  async create(inputs: GateInputs) {
    const outs = await check(inputs, stackAccess);
    return { id: gateId(inputs), outs };
  },
  async update(_id: string, _olds: unknown, news: GateInputs) {
    return { outs: await check(news, stackAccess) };
  },
  async delete() {
    // Nothing to undo: the check changes nothing in the cluster.
  },
};

function gateId(inputs: GateInputs): string {
  return `${inputs.check.service.namespace}/${inputs.check.service.name}`;
}

/**
 * The type under which the component package's provider (provider/index.ts) serves the check
 * itself. A YAML, Go or Python program has no node_modules, and Pulumi's dynamic provider host
 * (pulumi-resource-pulumi-nodejs) loads @pulumi/pulumi from the program's directory, so in those
 * programs the dynamic resource could never run; the package's provider has its own.
 */
export const PACKAGE_GATE_TYPE = "ws-exposure:knative:AdmissionGate";

/** The type of the gate in a TypeScript program: a dynamic resource. */
export const DYNAMIC_GATE_TYPE = "pulumi-nodejs:dynamic/knative:AdmissionGate";

let servedByPackage = false;

/**
 * The component package's provider calls this before it serves: its gates are then its own resources
 * (PACKAGE_GATE_TYPE).
 */
export function serveAdmissionGatesFromPackage(): void {
  servedByPackage = true;
}

/** The package gate's inputs beyond a dynamic gate's: the stack config its provider process is not configured with. */
interface PackageGateInputs extends GateInputs {
  stackKubeconfig?: string;
  stackContext?: string;
}

/** Values as the engine sends them to a provider: secrets wrapped (`4dabf...` signature); this unwraps them. */
function plain(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(plain);
  if (typeof value !== "object" || value === null) return value;
  if (pulumi.runtime.isRpcSecret(value)) return plain(pulumi.runtime.unwrapRpcSecret(value));
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
}

/**
 * The package's provider runs in its own directory, and the engine does not tell it the program's
 * (ConstructRequest has no directory): a relative kubeconfig path would name another file.
 */
function relativeKubeconfigPath(owner: string, key: string, value: string | undefined): void {
  if (value === undefined || value === "" || isKubeconfigContent(value)) return;
  if (path.isAbsolute(value) || value.startsWith("~/")) return;
  throw admissionError(
    `${owner}: ${key} is the relative path "${value}", which the ws-exposure package's provider cannot resolve ` +
      `(it does not run in your project's directory): give an absolute path, or the kubeconfig contents.`,
  );
}

async function packageCheck(raw: Record<string, unknown>): Promise<Record<string, unknown>> {
  const inputs = plain(raw) as PackageGateInputs;
  if (inputs.kubeconfig !== undefined) {
    relativeKubeconfigPath(inputs.check.owner, "knative.admissionCheck.kubeconfig", inputs.kubeconfig);
  } else {
    relativeKubeconfigPath(inputs.check.owner, "kubernetes:kubeconfig", inputs.stackKubeconfig);
  }
  return check(inputs, { kubeconfig: inputs.stackKubeconfig, context: inputs.stackContext });
}

/**
 * The gate's CRUD as the component package's provider serves it (provider/index.ts): the same
 * check, messages and outputs as the dynamic provider's. No diff: the provider's Diff gets the old
 * outputs, not the old inputs, so it answers "unknown" and the engine compares the inputs, as for
 * the dynamic gate (here the stack's kubernetes config is among them: another cluster, another check).
 */
export const packageGateProvider = {
  async create(inputs: Record<string, unknown>) {
    const outs = await packageCheck(inputs);
    return { id: gateId(plain(inputs) as GateInputs), outs };
  },
  async update(news: Record<string, unknown>) {
    return { outs: await packageCheck(news) };
  },
};

export interface AdmissionGateArgs {
  /**
   * What to check: the exact Service patch, its manager and force, the maximum and the ConfigMaps (see
   * admission.ts). Required.
   */
  check: pulumi.Input<AdmissionCheckInput>;
  /**
   * Kubeconfig path or contents. Default: stack config kubernetes:kubeconfig, else KUBECONFIG, else
   * ~/.kube/config. Stored as a secret.
   */
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
 * admission.ts): in a TypeScript program a Pulumi dynamic resource (`pulumi.dynamic.Resource` in
 * all but the name: under mocks the provider is not serialized); inside the component package's
 * provider a resource of its own (PACKAGE_GATE_TYPE). Its `fieldManager` output feeds the patch, so the patch
 * waits for it; in a preview it is unknown whenever the check would run, so the kubernetes provider
 * does not dry-run a patch the webhook cannot accept before the ConfigMap patches are applied.
 */
export class AdmissionGate extends pulumi.CustomResource {
  /** The field manager the Service patch applies as. */
  declare public readonly fieldManager: pulumi.Output<string>;
  /** With forceConflicts: the fields taken from other managers. */
  declare public readonly takeovers: pulumi.Output<string[]>;

  constructor(name: string, args: AdmissionGateArgs, opts?: pulumi.CustomResourceOptions) {
    const inputs = {
      check: args.check,
      kubeconfig: args.kubeconfig === undefined ? undefined : pulumi.secret(args.kubeconfig),
      context: args.context,
      fieldManager: undefined,
      takeovers: undefined,
    };
    if (servedByPackage) {
      // The provider process gets only ws-exposure's own config: the kubernetes provider's keys
      // come from the stack config construct was given.
      const stackKubeconfig = pulumi.runtime.getConfig("kubernetes:kubeconfig");
      super(
        PACKAGE_GATE_TYPE,
        name,
        {
          ...inputs,
          stackKubeconfig: stackKubeconfig === undefined ? undefined : pulumi.secret(stackKubeconfig),
          stackContext: pulumi.runtime.getConfig("kubernetes:context"),
        },
        opts,
      );
    } else {
      super(DYNAMIC_GATE_TYPE, name, { __provider: serializedAdmissionProvider(), ...inputs }, opts);
    }
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
