/**
 * The staging stack (L4) on the real node (`node.ts`), as e2e/node.e2e.test.ts deploys it, for code
 * outside jest too (the bench's `incluster` part): the node's names and addresses, the stack's
 * settings that fit the node, its pods and its served certificate.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { haproxyOpenFilesNeed } from "../components/l4/haproxy";
import { Homelab, startHomelab, stopHomelab } from "./fixture";
import { KSVC } from "./homelab";
import { KubeObject } from "./kube";
import { Workspace } from "./pulumi";
import { stackWorkspace } from "./stackSetup";

export const NAMESPACE = KSVC.namespace;
export const HOSTNAME = "messaging-staging.example.com";
export const LB_ADDRESS = "192.168.1.241";
export const POOL = "192.168.1.240/29";
export const HAPROXY_SELECTOR =
  "app.kubernetes.io/instance=staging,app.kubernetes.io/name=ws-exposure-haproxy";
export const REVISION_SELECTOR = `serving.knative.dev/service=${KSVC.name}`;

/** The hard open-files limit the node's containers inherit (containerd runs with this process's). */
export function hardOpenFilesLimit(): number {
  const line = fs
    .readFileSync("/proc/self/limits", "utf8")
    .split("\n")
    .find((l) => l.startsWith("Max open files"))!;
  const hard = line.split(/\s{2,}/)[2];
  return hard === "unlimited" ? Infinity : Number(hard);
}

/**
 * HAProxy exits at start when the container's hard open-files limit is below its need
 * (haproxyOpenFilesNeed: 20,000 on the project machine, where the default maxconn 10000 needs
 * more): the stack sets what fits, in whole thousands.
 */
export function maxconnThatFits(limit: number): number | undefined {
  if (limit >= haproxyOpenFilesNeed(10000)) return undefined;
  let maxconn = 1000;
  while (haproxyOpenFilesNeed(maxconn + 1000) <= limit) maxconn += 1000;
  return maxconn;
}

/** The stack settings the node needs: MetalLB's current annotations, a maxconn the node's limit holds. */
export function nodeStackSettings(): Record<string, unknown> {
  const maxconn = maxconnThatFits(hardOpenFilesLimit());
  return {
    // The node's MetalLB (0.15.2) reads metallb.io/ and warns about the deprecated prefix.
    legacyMetallbAnnotations: false,
    ...(maxconn === undefined ? {} : { haproxyMaxconn: maxconn }),
  };
}

export interface Pod extends KubeObject {
  spec: {
    nodeName?: string;
    containers: {
      name: string;
      image: string;
      ports?: { containerPort: number; name?: string }[];
      resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
    }[];
  };
  status?: {
    phase?: string;
    podIP?: string;
    containerStatuses?: {
      name: string;
      image: string;
      containerID?: string;
      ready: boolean;
      restartCount: number;
      state?: { running?: object };
    }[];
  };
}

export async function listPods(lab: Homelab, selector: string): Promise<Pod[]> {
  return (await lab.cluster.kube.list(
    `/api/v1/namespaces/${NAMESPACE}/pods?labelSelector=${encodeURIComponent(selector)}`,
  )) as Pod[];
}

/** The Certificate's Secret (issued by the certificate stand-in), its CA written to `dir`/staging-ca.crt. */
export async function servedTls(
  lab: Homelab,
  dir: string,
): Promise<{ secret: KubeObject & { data: Record<string, string> }; caFile: string }> {
  const secret = await lab.cluster.kube.get<KubeObject & { data: Record<string, string> }>(
    `/api/v1/namespaces/${NAMESPACE}/secrets/staging-tls`,
  );
  const caFile = path.join(dir, "staging-ca.crt");
  fs.writeFileSync(caFile, Buffer.from(secret.data["ca.crt"], "base64"));
  return { secret, caFile };
}

export interface StagingOnNode {
  lab: Homelab;
  ws: Workspace;
  /**
   * Removes the workspace and stops the node (its teardown kills the pods: no `pulumi destroy`) and
   * the control plane.
   */
  stop(): Promise<void>;
}

/**
 * Starts the control plane and the real node, and `pulumi up`s the staging stack with the node's
 * settings (`nodeStackSettings`) and `set` over them. Tears everything down when a step fails.
 */
export async function startStagingOnNode(set: Record<string, unknown> = {}): Promise<StagingOnNode> {
  const lab = await startHomelab({ realNode: { loadBalancerRanges: [POOL] } });
  let ws: Workspace | undefined;
  const stop = async () => {
    ws?.cleanup();
    await stopHomelab(lab);
  };
  try {
    ws = await stackWorkspace(lab, "staging", { set: { ...nodeStackSettings(), ...set } });
    const up = await ws.up();
    if (up.code !== 0) {
      throw new Error(
        `pulumi up of staging exited ${up.code}:\n${up.output.slice(-4000)}\n${lab.node!.logs(15)}`,
      );
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return { lab, ws, stop };
}
