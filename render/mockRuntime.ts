import * as pulumi from "@pulumi/pulumi";
import { MockMonitor } from "@pulumi/pulumi/runtime/mocks";
import * as rpc from "@pulumi/pulumi/runtime/rpc";
import * as settings from "@pulumi/pulumi/runtime/settings";

/** One resource as the mock engine saw it: what `pulumi up` would ask a provider to create. */
export interface RecordedResource {
  /** Pulumi type token, e.g. `kubernetes:apps/v1:Deployment`. */
  type: string;
  name: string;
  /** The resource's URN as the engine forms it: type (qualified by its parents' types) and name identify it. */
  urn: string;
  /** Name of the parent resource, or null for children of the stack. */
  parent: string | null;
  /** Type token of the parent resource, or null: a child may share its parent's name, not its type and name. */
  parentType: string | null;
  /** URN of the parent resource, or null for children of the stack. */
  parentUrn: string | null;
  /** Inputs as the engine received them; secrets keep Pulumi's secret envelope, unknowns are `pulumi.Output` unknowns. */
  inputs: Record<string, unknown>;
  /** True for component resources. */
  component: boolean;
}

/** Results for provider functions (invokes), keyed by the function's token. Any other invoke throws. */
export type InvokeHandlers = Record<string, (args: Record<string, unknown>) => Record<string, unknown>>;

export interface MockRuntimeOptions {
  project?: string;
  stack?: string;
  /** true: run as `pulumi preview` (ids and provider-computed outputs unknown). Default false. */
  preview?: boolean;
  invokes?: InvokeHandlers;
  /** What a provider would add to a resource's state after create (e.g. a Service's status); default nothing. */
  providerState?: (type: string, inputs: Record<string, unknown>) => Record<string, unknown> | undefined;
}

export interface MockRuntime {
  /** Every resource registered since the last `reset()`, in registration order. */
  resources: RecordedResource[];
  /** Resolves once the engine's features (secrets among them) are known: await it before registering. */
  ready: Promise<void>;
  reset(): void;
}

const STACK_TYPE = "pulumi:pulumi:Stack";

/** The URN the engine gives a resource: its parent's type chain, its own type, its name (as MockMonitor forms it). */
function childUrn(parentUrn: string | null, type: string, name: string): string {
  const parentType = parentUrn ? (parentUrn.split("::")[2] ?? "").split("$").pop() : undefined;
  const qualified = parentType ? `${parentType}$${type}` : type;
  return `urn:pulumi:${settings.getStack()}::${settings.getProject()}::${qualified}::${name}`;
}

/** The type and name a URN identifies (`urn:pulumi:<stack>::<project>::<parent types$>type::name`); null for the stack. */
export function parseUrn(urn: string): { type: string; name: string } | null {
  if (!urn) return null;
  const parts = urn.split("::");
  const qualifiedType = parts[2] ?? "";
  if (qualifiedType.endsWith(STACK_TYPE)) return null;
  return { type: qualifiedType.split("$").pop() ?? "", name: parts.slice(3).join("::") };
}

/**
 * The Kubernetes provider names an object without metadata.name `<resource name>-<8 random chars>`,
 * already at preview. The mock does the same with a visible stand-in suffix.
 */
function withAutoName(type: string, name: string, inputs: Record<string, unknown>): Record<string, unknown> {
  if (!type.startsWith("kubernetes:") || type.endsWith("Patch")) return inputs;
  const metadata = (inputs.metadata ?? {}) as Record<string, unknown>;
  if (metadata.name !== undefined) return inputs;
  return { ...inputs, metadata: { ...metadata, name: `${name}-${AUTONAME_SUFFIX}` } };
}

export const AUTONAME_SUFFIX = "xxxxxxxx";

/**
 * Installs Pulumi's mock engine and records every resource it sees, with its parent.
 * Mock state echoes the inputs; in preview mode ids are left unknown, as a real preview has them.
 */
export function installMockRuntime(options: MockRuntimeOptions = {}): MockRuntime {
  const resources: RecordedResource[] = [];
  // Where the registration the mock is about to see sits: set by the monitor just before it calls the mock.
  let registering: { urn: string; parentUrn: string | null } | undefined;
  const preview = options.preview ?? false;
  const invokes = options.invokes ?? {};

  const mocks: pulumi.runtime.Mocks = {
    newResource(args) {
      const where = registering;
      registering = undefined;
      if (args.type !== STACK_TYPE) {
        const parent = where?.parentUrn ? parseUrn(where.parentUrn) : null;
        resources.push({
          type: args.type,
          name: args.name,
          urn: where?.urn ?? "",
          parent: parent?.name ?? null,
          parentType: parent?.type ?? null,
          parentUrn: parent ? where!.parentUrn : null,
          inputs: args.inputs,
          component: !args.custom,
        });
      }
      const id = args.custom ? (preview ? "" : `${args.name}-id`) : undefined;
      const added = preview ? undefined : options.providerState?.(args.type, args.inputs);
      return { id, state: { ...withAutoName(args.type, args.name, args.inputs), ...added } };
    },
    call(args) {
      const handler = invokes[args.token];
      if (!handler) {
        throw new Error(`unexpected invoke ${args.token}: add a handler for it to the mock runtime`);
      }
      return handler(args.inputs);
    },
  };

  class RecordingMonitor extends MockMonitor {
    // The mock callback gets no parent; the request does. MockMonitor calls the mock synchronously
    // at the start of registerResource, so what is noted here is read by that very call.
    async registerResource(
      req: { getType(): string; getName(): string; getParent(): string },
      callback: (err: unknown, response: unknown) => void,
    ): Promise<void> {
      const parentUrn = req.getParent() || null;
      registering = { urn: childUrn(parentUrn, req.getType(), req.getName()), parentUrn };
      return super.registerResource(req, callback);
    }
  }

  settings.setMockOptions(
    new RecordingMonitor(mocks),
    options.project ?? "ws-exposure",
    options.stack ?? "test",
    preview,
  );
  // Without this the SDK believes the monitor cannot carry secrets and sends them in clear.
  const ready = (settings as unknown as { awaitFeatureSupport(): Promise<void> }).awaitFeatureSupport();
  return {
    resources,
    ready,
    reset() {
      resources.length = 0;
      registering = undefined;
    },
  };
}

/** True when a recorded input value is a Pulumi secret envelope. */
export function isSecretValue(value: unknown): value is { value: unknown } {
  return (
    typeof value === "object" &&
    value !== null &&
    (value as Record<string, unknown>)[rpc.specialSigKey] === rpc.specialSecretSig
  );
}

/** True when a recorded input value is unknown until deploy. */
export function isUnknownValue(value: unknown): boolean {
  return pulumi.isUnknown(value);
}

/** Replaces secrets and unknowns so a recorded value can be shown: the form the render writes. */
export function displayValue(value: unknown): unknown {
  if (isUnknownValue(value)) return "(known after deploy)";
  if (isSecretValue(value)) return "[secret]";
  if (Array.isArray(value)) return value.map(displayValue);
  if (value !== null && typeof value === "object") {
    if (pulumi.asset.Asset.isInstance(value) || pulumi.asset.Archive.isInstance(value)) return "(asset)";
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, displayValue(v)]));
  }
  return value;
}

/** Strips secret envelopes (keeping their values) so tests can compare inputs exactly. */
export function revealValue(value: unknown): unknown {
  if (isSecretValue(value)) return revealValue(value.value);
  if (Array.isArray(value)) return value.map(revealValue);
  if (value !== null && typeof value === "object" && !isUnknownValue(value)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, revealValue(v)]));
  }
  return value;
}
