import type {
  PolicyResource as EnginePolicyResource,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidationPolicy,
} from "@pulumi/policy";
import { policies, stackPolicies } from "../../policy/policies";

export interface PolicyResource {
  type: string;
  name: string;
  props: Record<string, unknown>;
}

export interface Violation {
  policy: string;
  message: string;
}

const urnOf = (r: PolicyResource) => `urn:pulumi:test::project::${r.type}::${r.name}`;
const OPTS = {
  protect: false,
  ignoreChanges: [],
  aliases: [],
  customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
  additionalSecretOutputs: [],
};

export interface StackViolation extends Violation {
  urn?: string;
}

/** Runs each stack policy's validateStack offline over `resources`, as the engine would; collects every violation. */
export async function stackViolations(
  resources: PolicyResource[],
  pack: StackValidationPolicy[] = stackPolicies,
): Promise<StackViolation[]> {
  const found: StackViolation[] = [];
  const engineResources = resources.map((r): EnginePolicyResource => ({
    ...r,
    urn: urnOf(r),
    opts: OPTS,
    dependencies: [],
    propertyDependencies: {},
    isType: () => false,
    asType: () => undefined,
  }));
  for (const policy of pack) {
    await policy.validateStack(
      {
        resources: engineResources,
        stackTags: new Map(),
        getConfig: <T extends object>() => ({}) as T,
        notApplicable: (reason?: string) => {
          throw new Error(`notApplicable is not expected here (${reason})`);
        },
      },
      (message, urn) => found.push({ policy: policy.name, message, urn }),
    );
  }
  return found;
}

/** Runs each policy's validateResource offline, as the engine would call it; collects every violation. */
export async function violations(
  resource: PolicyResource,
  pack: ResourceValidationPolicy[] = policies,
): Promise<Violation[]> {
  const found: Violation[] = [];
  const args: ResourceValidationArgs = {
    type: resource.type,
    props: resource.props,
    urn: urnOf(resource),
    name: resource.name,
    opts: OPTS,
    stackTags: new Map(),
    isType: () => false,
    asType: () => undefined,
    getConfig: <T extends object>() => ({}) as T,
    notApplicable: (reason?: string) => {
      throw new Error(`notApplicable is not expected here (${reason})`);
    },
  };
  for (const policy of pack) {
    const validations = Array.isArray(policy.validateResource)
      ? policy.validateResource
      : policy.validateResource
        ? [policy.validateResource]
        : [];
    for (const validate of validations) {
      await validate(args, (message) => found.push({ policy: policy.name, message }));
    }
  }
  return found;
}

/** A deep copy with `path` set to `value` (undefined deletes the key). */
export function withField<T>(base: T, path: (string | number)[], value: unknown): T {
  const copy = structuredClone(base) as unknown as Record<string | number, unknown>;
  let current = copy;
  for (const key of path.slice(0, -1)) current = current[key] as Record<string | number, unknown>;
  const last = path[path.length - 1];
  if (value === undefined) delete current[last];
  else current[last] = value;
  return copy as unknown as T;
}
