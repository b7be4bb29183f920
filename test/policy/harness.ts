import type { ResourceValidationArgs, ResourceValidationPolicy } from "@pulumi/policy";
import { policies } from "../../policy/policies";

export interface PolicyResource {
  type: string;
  name: string;
  props: Record<string, unknown>;
}

export interface Violation {
  policy: string;
  message: string;
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
    urn: `urn:pulumi:test::project::${resource.type}::${resource.name}`,
    name: resource.name,
    opts: {
      protect: false,
      ignoreChanges: [],
      aliases: [],
      customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
      additionalSecretOutputs: [],
    },
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
