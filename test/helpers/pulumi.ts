import * as pulumi from "@pulumi/pulumi";
import {
  installMockRuntime,
  InvokeHandlers,
  MockRuntime,
  MockRuntimeOptions,
  RecordedResource,
  revealValue,
} from "../../render/mockRuntime";

export const FAKE_TUNNEL_TOKEN = "fake-tunnel-token-for-tests";

/** Invokes every test may need; any other invoke throws. */
export const defaultInvokes: InvokeHandlers = {
  "cloudflare:index/getZeroTrustTunnelCloudflaredToken:getZeroTrustTunnelCloudflaredToken": () => ({
    token: FAKE_TUNNEL_TOKEN,
  }),
};

/** Installs the recording mock engine for this test file. Call at module level. */
export function useMockRuntime(
  options: Pick<MockRuntimeOptions, "preview" | "invokes" | "providerState"> = {},
): MockRuntime {
  const runtime = installMockRuntime({
    ...options,
    invokes: { ...defaultInvokes, ...options.invokes },
  });
  beforeAll(() => runtime.ready);
  beforeEach(() => runtime.reset());
  return runtime;
}

/** Resolves an Output (or plain value) to its value; unknown outputs resolve to undefined. */
export function unwrap<T>(value: pulumi.Input<T>): Promise<T> {
  return new Promise((resolve) => pulumi.output(value).apply((v) => resolve(v as T)));
}

/**
 * Waits until every resource registration started so far has reached the mock engine: Pulumi's own
 * queue of RPCs in flight, not a sleep (a timer can fire first on a busy machine).
 */
export async function settle(): Promise<void> {
  await (pulumi.runtime as unknown as { waitForRPCs(): Promise<void> }).waitForRPCs();
}

/** The recorded resources of one type, inputs with secret envelopes removed. */
export function ofType(resources: RecordedResource[], type: string): RecordedResource[] {
  return resources
    .filter((r) => r.type === type)
    .map((r) => ({ ...r, inputs: revealValue(r.inputs) as Record<string, unknown> }));
}

/** The one recorded resource of that type and name (fails the test when absent). */
export function resource(resources: RecordedResource[], type: string, name: string): RecordedResource {
  const found = ofType(resources, type).find((r) => r.name === name);
  if (!found) {
    const seen = resources.map((r) => `${r.type} ${r.name}`).join("\n  ");
    throw new Error(`no ${type} named ${name}; recorded:\n  ${seen}`);
  }
  return found;
}
