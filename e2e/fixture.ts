/**
 * One suite's test cluster: control plane, stand-ins (cluster controllers, the Cloudflare API) or a
 * real node (`node.ts`) and the homelab's state, started in beforeAll and stopped in afterAll (also
 * when a test fails; `cluster.ts` and `node.ts` tear everything down on exit too).
 */
import { CloudflareStandIn, startCloudflareStandIn } from "./cloudflareApi";
import { Cluster, ClusterOptions, startCluster } from "./cluster";
import { installHomelab } from "./homelab";
import { KnativeServing, startKnativeServing } from "./knativeServing";
import { KNATIVE_WEBHOOK_API_SERVER_FLAGS, KnativeWebhook, startKnativeWebhook } from "./knativeWebhook";
import { RealNode, startNode } from "./node";
import { registerNode, StandIns, startStandIns } from "./standIns";

export interface Homelab {
  cluster: Cluster;
  standIns: StandIns;
  /** The Cloudflare API the stacks' Cloudflare provider is pointed at (`cloudflare:baseUrl`). */
  cloudflare: CloudflareStandIn;
  /** The real node (`realNode: true`), else undefined (the stand-ins play the node and MetalLB). */
  node?: RealNode;
  /** On the real node: Knative's webhook, controller, autoscaler and activator. */
  knative?: { webhook: KnativeWebhook; serving: KnativeServing };
}

export interface HomelabOptions {
  /** Extra kube-apiserver flags (the Knative webhook's suite routes webhook calls to endpoints). */
  apiServerFlags?: ClusterOptions["apiServerFlags"];
  /**
   * Run a real node (`node.ts`: kubelet, kube-proxy, CoreDNS, scheduler, MetalLB's controller) and
   * Knative Serving's webhook, controller, autoscaler and activator (`knativeServing.ts`) instead of
   * the pod, address and revision stand-ins; the certificate stand-in still runs. Its value lists
   * the load-balancer ranges routed inside the node's namespace.
   */
  realNode?: { loadBalancerRanges: string[] };
}

/** Starts a test cluster with the homelab's state and the stand-ins (outside jest too: the bench). */
export async function startHomelab(options: HomelabOptions = {}): Promise<Homelab> {
  const lab = {} as Homelab;
  try {
    lab.cluster = await startCluster({
      // The Knative webhook is called at its Endpoints (knativeWebhook.ts).
      apiServerFlags: options.realNode
        ? [...(options.apiServerFlags ?? []), ...KNATIVE_WEBHOOK_API_SERVER_FLAGS]
        : options.apiServerFlags,
      realNode: options.realNode !== undefined,
    });
    if (options.realNode) {
      lab.node = await startNode(lab.cluster, options.realNode);
      lab.standIns = startStandIns(lab.cluster.kube, lab.cluster.dir, {
        pods: false,
        addresses: false,
        ingresses: true,
      });
    } else {
      await registerNode(lab.cluster.kube);
      lab.standIns = startStandIns(lab.cluster.kube, lab.cluster.dir);
    }
    lab.cloudflare = await startCloudflareStandIn();
    try {
      await installHomelab(lab.cluster.kube, {
        realNode: options.realNode !== undefined,
        beforeService: lab.node
          ? async () => {
              // Kept at once: stopHomelab stops the webhook if the controllers fail to start.
              lab.knative = { webhook: await startKnativeWebhook(lab.cluster) } as Homelab["knative"];
              lab.knative!.serving = await startKnativeServing(lab.cluster, lab.node!);
            }
          : undefined,
      });
    } catch (err) {
      throw new Error(
        `${(err as Error).message}\n${lab.cluster.logs()}\n${lab.node?.logs() ?? ""}\n${lab.knative?.webhook.log().slice(-3000) ?? ""}`,
      );
    }
  } catch (err) {
    await stopHomelab(lab);
    throw err;
  }
  return lab;
}

/** Stops what `startHomelab` started (any part of it). */
export async function stopHomelab(lab: Partial<Homelab>): Promise<void> {
  await lab.knative?.webhook.stop();
  await lab.node?.stop();
  await lab.standIns?.stop();
  await lab.cloudflare?.close();
  await lab.cluster?.stop();
}

/** Registers beforeAll/afterAll; the returned object is filled in once beforeAll has run. */
export function useHomelab(options: HomelabOptions = {}): Homelab {
  const lab = {} as Homelab;
  beforeAll(
    async () => {
      Object.assign(lab, await startHomelab(options));
    },
    8 * 60 * 1000,
  );
  afterAll(() => stopHomelab(lab), 3 * 60 * 1000);
  return lab;
}
