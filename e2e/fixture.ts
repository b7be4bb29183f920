/**
 * One suite's test cluster: control plane, stand-ins and the homelab's state, started in beforeAll
 * and stopped in afterAll (also when a test fails; `cluster.ts` kills everything on exit too).
 */
import { Cluster, startCluster } from "./cluster";
import { installHomelab } from "./homelab";
import { StandIns, startStandIns } from "./standIns";

export interface Homelab {
  cluster: Cluster;
  standIns: StandIns;
}

/** Registers beforeAll/afterAll; the returned object is filled in once beforeAll has run. */
export function useHomelab(): Homelab {
  const lab = {} as Homelab;
  beforeAll(
    async () => {
      lab.cluster = await startCluster();
      lab.standIns = startStandIns(lab.cluster.kube, lab.cluster.dir);
      try {
        await installHomelab(lab.cluster.kube);
      } catch (err) {
        throw new Error(`${(err as Error).message}\n${lab.cluster.logs()}`);
      }
    },
    5 * 60 * 1000,
  );
  afterAll(async () => {
    await lab.standIns?.stop();
    await lab.cluster?.stop();
  }, 60 * 1000);
  return lab;
}
