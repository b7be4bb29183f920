/**
 * One suite's test cluster: control plane, stand-ins (cluster controllers, the Cloudflare API) and the
 * homelab's state, started in beforeAll
 * and stopped in afterAll (also when a test fails; `cluster.ts` kills everything on exit too).
 */
import { CloudflareStandIn, startCloudflareStandIn } from "./cloudflareApi";
import { Cluster, ClusterOptions, startCluster } from "./cluster";
import { installHomelab } from "./homelab";
import { registerNode, StandIns, startStandIns } from "./standIns";

export interface Homelab {
  cluster: Cluster;
  standIns: StandIns;
  /** The Cloudflare API the stacks' Cloudflare provider is pointed at (`cloudflare:baseUrl`). */
  cloudflare: CloudflareStandIn;
}

export interface HomelabOptions {
  /** Extra kube-apiserver flags (the Knative webhook's suite routes webhook calls to endpoints). */
  apiServerFlags?: ClusterOptions["apiServerFlags"];
}

/** Starts a test cluster with the homelab's state and the stand-ins (outside jest too: the bench). */
export async function startHomelab(options: HomelabOptions = {}): Promise<Homelab> {
  const lab = {} as Homelab;
  try {
    lab.cluster = await startCluster({ apiServerFlags: options.apiServerFlags });
    await registerNode(lab.cluster.kube);
    lab.standIns = startStandIns(lab.cluster.kube, lab.cluster.dir);
    lab.cloudflare = await startCloudflareStandIn();
    try {
      await installHomelab(lab.cluster.kube);
    } catch (err) {
      throw new Error(`${(err as Error).message}\n${lab.cluster.logs()}`);
    }
  } catch (err) {
    await stopHomelab(lab);
    throw err;
  }
  return lab;
}

/** Stops what `startHomelab` started (any part of it). */
export async function stopHomelab(lab: Partial<Homelab>): Promise<void> {
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
    5 * 60 * 1000,
  );
  afterAll(() => stopHomelab(lab), 60 * 1000);
  return lab;
}
