/**
 * Stand-ins for what a real cluster's node agents and MetalLB would do, limited to what the Pulumi
 * Kubernetes provider's readiness checks read (its Deployment awaiter wants ready Pods behind the
 * new ReplicaSet; its Service awaiter wants Endpoints and, for a LoadBalancer, an address):
 * - "scheduler" and "kubelet": one Node (`NODE_NAME`) is registered; every Pod that is not running
 *   yet is bound to it and reported Running and Ready with a pod IP, and a Pod being deleted is
 *   confirmed gone at once, as a kubelet does once its containers stop (nothing runs; the ReplicaSet,
 *   Deployment and EndpointSlice controllers of kube-controller-manager then do their real work:
 *   they skip a Pod without a node, and a Node that does not exist);
 * - "MetalLB": a LoadBalancer Service pinned to an address (`metallb.io/loadBalancerIPs`, the
 *   deprecated `metallb.universe.tf/loadBalancerIPs`, or `spec.loadBalancerIP`) gets that address
 *   in `status.loadBalancer.ingress`. Unpinned Services stay pending.
 * - "cert-manager": a Certificate gets its Secret (`spec.secretName`, kubernetes.io/tls, signed by
 *   a throwaway issuer CA for `spec.dnsNames`) and the condition Ready=True.
 * - "Kourier" (only on the real node, where Knative's controller runs): a Knative Ingress (KIngress,
 *   `networking.internal.knative.dev`) is reported ready as a networking layer reports it once its
 *   proxies serve the Route (Ready, LoadBalancerReady, NetworkConfigured; Kourier's load-balancer
 *   names). Nothing routes through it: the L4 path goes to the pods. Without it the Route never
 *   turns Ready, so Knative never retires a revision the Route left (it stays `routingState: active`
 *   and min-scale keeps its pods).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { Certificate, issueCertificate, makeCertificateAuthority } from "../support/certs";
import { sleep } from "../support/wait";
import { Kube, KubeError, KubeObject } from "./kube";

export interface StandIns {
  /** Services given an address, `namespace/name -> ip`. */
  assigned: Map<string, string>;
  stop(): Promise<void>;
}

interface KnativeIngress extends KubeObject {
  status?: { observedGeneration?: number };
}

const KINGRESSES = "/apis/networking.internal.knative.dev/v1alpha1";

/** What Kourier (net-kourier) writes into a KIngress's status once its gateways serve it. */
export function readyIngressStatus(generation: number, now: string): Record<string, unknown> {
  const condition = (type: string) => ({ type, status: "True", lastTransitionTime: now });
  const balancer = (service: string) => ({
    ingress: [{ domainInternal: `${service}.kourier-system.svc.cluster.local` }],
  });
  return {
    observedGeneration: generation,
    conditions: ["LoadBalancerReady", "NetworkConfigured", "Ready"].map(condition),
    publicLoadBalancer: balancer("kourier"),
    privateLoadBalancer: balancer("kourier-internal"),
  };
}

async function markIngressesReady(kube: Kube): Promise<void> {
  for (const ingress of (await kube.list(`${KINGRESSES}/ingresses`)) as KnativeIngress[]) {
    const generation = ingress.metadata.generation ?? 0;
    if (ingress.status?.observedGeneration === generation) continue;
    await kube.request(
      "PATCH",
      `${KINGRESSES}/namespaces/${ingress.metadata.namespace}/ingresses/${ingress.metadata.name}/status`,
      { status: readyIngressStatus(generation, new Date().toISOString()) },
      MERGE,
    );
  }
}

/** The one Node the stand-in kubelet runs everything on. */
export const NODE_NAME = "e2e-node";

interface Pod extends KubeObject {
  spec: { nodeName?: string; containers: { name: string; image: string }[] };
  status?: { phase?: string; conditions?: { type: string; status: string }[] };
}

interface Service extends KubeObject {
  spec: { type?: string; loadBalancerIP?: string };
  status?: { loadBalancer?: { ingress?: unknown[] } };
}

const MERGE = "application/merge-patch+json";

function isReady(pod: Pod): boolean {
  return (pod.status?.conditions ?? []).some((c) => c.type === "Ready" && c.status === "True");
}

/** The address a LoadBalancer Service asks for, as MetalLB reads it. */
export function pinnedAddress(service: Service): string | undefined {
  const a = service.metadata.annotations ?? {};
  const list = a["metallb.io/loadBalancerIPs"] ?? a["metallb.universe.tf/loadBalancerIPs"];
  if (list) return list.split(",")[0].trim();
  return service.spec.loadBalancerIP || undefined;
}

async function markPodsReady(kube: Kube, nextIp: () => string): Promise<void> {
  const pods = (await kube.list("/api/v1/pods")) as Pod[];
  for (const pod of pods) {
    if (pod.metadata.deletionTimestamp) {
      // A bound Pod is deleted gracefully: the API server keeps it until its kubelet confirms.
      await kube
        .request(
          "DELETE",
          `/api/v1/namespaces/${pod.metadata.namespace}/pods/${pod.metadata.name}?gracePeriodSeconds=0`,
        )
        .catch(() => undefined);
      continue;
    }
    if (isReady(pod)) continue;
    if (!pod.spec.nodeName) {
      const binding = {
        apiVersion: "v1",
        kind: "Binding",
        metadata: { name: pod.metadata.name },
        target: { apiVersion: "v1", kind: "Node", name: NODE_NAME },
      };
      const bound = await kube
        .request(
          "POST",
          `/api/v1/namespaces/${pod.metadata.namespace}/pods/${pod.metadata.name}/binding`,
          binding,
        )
        .then(() => true)
        .catch(() => false);
      if (!bound) continue; // deleted meanwhile, or bound by another round: the next round sees the truth
    }
    const now = new Date().toISOString();
    const ip = nextIp();
    const condition = (type: string) => ({ type, status: "True", lastTransitionTime: now });
    await kube
      .request(
        "PATCH",
        `/api/v1/namespaces/${pod.metadata.namespace}/pods/${pod.metadata.name}/status`,
        {
          status: {
            phase: "Running",
            podIP: ip,
            podIPs: [{ ip }],
            startTime: now,
            conditions: ["PodScheduled", "Initialized", "ContainersReady", "Ready"].map(condition),
            containerStatuses: pod.spec.containers.map((c) => ({
              name: c.name,
              image: c.image,
              imageID: "",
              ready: true,
              started: true,
              restartCount: 0,
              state: { running: { startedAt: now } },
            })),
          },
        },
        MERGE,
      )
      .catch(() => undefined); // deleted meanwhile: the next round sees the truth
  }
}

async function assignAddresses(kube: Kube, assigned: Map<string, string>): Promise<void> {
  const services = (await kube.list("/api/v1/services")) as Service[];
  for (const svc of services) {
    if (svc.spec.type !== "LoadBalancer" || (svc.status?.loadBalancer?.ingress ?? []).length > 0) continue;
    const ip = pinnedAddress(svc);
    if (!ip) continue;
    await kube
      .request(
        "PATCH",
        `/api/v1/namespaces/${svc.metadata.namespace}/services/${svc.metadata.name}/status`,
        { status: { loadBalancer: { ingress: [{ ip, ipMode: "VIP" }] } } },
        MERGE,
      )
      .then(() => assigned.set(`${svc.metadata.namespace}/${svc.metadata.name}`, ip))
      .catch(() => undefined);
  }
}

interface CertManagerCertificate extends KubeObject {
  spec: { secretName: string; dnsNames?: string[]; commonName?: string };
  status?: { conditions?: { type: string; status: string }[] };
}

async function issueCertificates(kube: Kube, dir: string, issuer: Certificate): Promise<void> {
  let certificates: CertManagerCertificate[];
  try {
    certificates = (await kube.list("/apis/cert-manager.io/v1/certificates")) as CertManagerCertificate[];
  } catch (err) {
    if (err instanceof KubeError && err.status === 404) return; // CRD not installed
    throw err;
  }
  for (const c of certificates) {
    if ((c.status?.conditions ?? []).some((x) => x.type === "Ready" && x.status === "True")) continue;
    const { namespace, name } = c.metadata;
    const names = c.spec.dnsNames ?? (c.spec.commonName ? [c.spec.commonName] : ["example.invalid"]);
    const issued = issueCertificate(issuer, dir, `${namespace}-${name}`, {
      commonName: names[0],
      dnsNames: names,
    });
    const b64 = (file: string) => fs.readFileSync(file).toString("base64");
    await kube.apply(
      {
        apiVersion: "v1",
        kind: "Secret",
        type: "kubernetes.io/tls",
        metadata: {
          name: c.spec.secretName,
          namespace,
          annotations: { "cert-manager.io/certificate-name": name },
        },
        data: {
          "tls.crt": b64(issued.certPath),
          "tls.key": b64(issued.keyPath),
          "ca.crt": b64(issuer.certPath),
        },
      },
      "cert-manager-certificates-issuing",
      true,
    );
    const now = new Date().toISOString();
    await kube
      .request(
        "PATCH",
        `/apis/cert-manager.io/v1/namespaces/${namespace}/certificates/${name}/status`,
        {
          status: {
            conditions: [
              {
                type: "Ready",
                status: "True",
                reason: "Ready",
                message: "Certificate is up to date and has not expired",
                lastTransitionTime: now,
                observedGeneration: c.metadata.generation,
              },
            ],
            notBefore: now,
          },
        },
        MERGE,
      )
      .catch(() => undefined);
  }
}

/** Registers the stand-in kubelet's Node, Ready (kube-controller-manager runs without its node lifecycle controller, so nothing marks it otherwise). */
export async function registerNode(kube: Kube): Promise<void> {
  await kube.create({
    apiVersion: "v1",
    kind: "Node",
    metadata: {
      name: NODE_NAME,
      labels: { "kubernetes.io/hostname": NODE_NAME, "kubernetes.io/os": "linux" },
    },
  } as KubeObject);
  const now = new Date().toISOString();
  await kube.request(
    "PATCH",
    `/api/v1/nodes/${NODE_NAME}/status`,
    {
      status: {
        conditions: [
          {
            type: "Ready",
            status: "True",
            reason: "KubeletReady",
            lastHeartbeatTime: now,
            lastTransitionTime: now,
          },
        ],
        addresses: [{ type: "InternalIP", address: "10.0.0.10" }],
      },
    },
    MERGE,
  );
}

/**
 * Which stand-ins run (all but the KIngress one by default); on the real node (`node.ts`) only the
 * certificates' one and the KIngress one do.
 */
export interface StandInParts {
  pods?: boolean;
  addresses?: boolean;
  certificates?: boolean;
  ingresses?: boolean;
}

/** Starts the stand-ins' loop (every 250 ms) against the cluster; `dir` holds the issuer's files. */
export function startStandIns(kube: Kube, dir: string, parts: StandInParts = {}): StandIns {
  const { pods = true, addresses = true, certificates = true, ingresses = false } = parts;
  const pki = fs.mkdtempSync(path.join(dir, "stand-in-issuer-"));
  const issuer = makeCertificateAuthority(pki, "issuer");
  let n = 0;
  const nextIp = () => {
    n += 1;
    return `10.244.${Math.floor(n / 250)}.${(n % 250) + 2}`;
  };
  const assigned = new Map<string, string>();
  let running = true;
  const loop = (async () => {
    while (running) {
      try {
        if (pods) await markPodsReady(kube, nextIp);
        if (addresses) await assignAddresses(kube, assigned);
        if (certificates) await issueCertificates(kube, pki, issuer);
        // Last: its list fails until Knative's CRDs are installed.
        if (ingresses) await markIngressesReady(kube);
      } catch {
        // the API server is stopping, or a list failed: try again next round
      }
      await sleep(250);
    }
  })();
  return {
    assigned,
    stop: async () => {
      running = false;
      await loop;
    },
  };
}
