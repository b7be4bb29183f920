/**
 * What the homelab cluster already has before any stack runs, installed into the test cluster:
 * the upstream CRDs (Knative Service, MetalLB, cert-manager Certificate, prometheus-operator),
 * the namespaces, Knative's ConfigMaps as the release ships them, and the Knative Service
 * `messaging-service`, applied by its owner (Argo CD, field manager `argocd-controller`) with
 * min-scale and max-scale already set. Without a node, plus a stand-in for the revision Deployment
 * Knative's controller would have made for it (its pods are what the L4 route's Service selects); on
 * the real node Knative's controller makes it (`knativeServing.ts`).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import YAML from "yaml";
import { waitUntil } from "../support/wait";
import { Kube, KubeObject } from "./kube";

const CRDS = path.join(__dirname, "crds");

export const UPSTREAM_CRDS = [
  "knative-serving-v0.49.1/service.yaml",
  "metallb-v0.16.2/metallb.io_ipaddresspools.yaml",
  "metallb-v0.16.2/metallb.io_l2advertisements.yaml",
  "metallb-v0.16.2/metallb.io_bgpadvertisements.yaml",
  "metallb-v0.16.2/metallb.io_bgppeers.yaml",
  "cert-manager-v1.21.2/cert-manager.io_certificates.yaml",
  "prometheus-operator-v0.85.0/monitoring.coreos.com_servicemonitors.yaml",
  "prometheus-operator-v0.85.0/monitoring.coreos.com_prometheusrules.yaml",
];

/**
 * On the real node (`node.ts`) MetalLB's controller runs: it waits for all 8 CRDs of its own release
 * (v0.15.2, the newest that builds from the proxy), which replace the 4 of v0.16.2 above.
 */
export const REAL_NODE_METALLB_CRDS = [
  "bfdprofiles",
  "bgpadvertisements",
  "bgppeers",
  "communities",
  "ipaddresspools",
  "l2advertisements",
  "servicebgpstatuses",
  "servicel2statuses",
].map((name) => `metallb-v0.15.2/metallb.io_${name}.yaml`);

/** The CRDs a homelab installs: on the real node, MetalLB's at the controller's release. */
export function homelabCrds(realNode: boolean): string[] {
  if (!realNode) return UPSTREAM_CRDS;
  return [...UPSTREAM_CRDS.filter((f) => !f.startsWith("metallb-")), ...REAL_NODE_METALLB_CRDS];
}

export const KNATIVE_CONFIGMAPS = [
  "knative-serving-v0.49.1/config-defaults.yaml",
  "knative-serving-v0.49.1/config-features.yaml",
  "net-kourier-v0.48.0/config-kourier.yaml",
];

export const NAMESPACES = ["knative-serving", "metallb-system", "agents-whatsapp-rust"];

/** Who owns the Knative Service in the homelab (Argo CD's server-side apply field manager). */
export const OWNER = "argocd-controller";
export const KSVC = { name: "messaging-service", namespace: "agents-whatsapp-rust" };
export const KSVC_PATH = `/apis/serving.knative.dev/v1/namespaces/${KSVC.namespace}/services/${KSVC.name}`;

/** A YAML program's L4Exposure arguments for a MetalLB pool on the test cluster, without TLS (examples/yaml's). */
export const YAML_METALLB_AND_TLS = `      addressPool:
        create:
          addresses:
            - 192.168.1.240/29
      loadBalancerIP: 192.168.1.241
      tls:
        mode: none
        acknowledgeInsecure: true
`;

/** What an owner's commit may change: `release` adds an env var, so the template (a new revision). */
export interface OwnersChange {
  timeoutSeconds?: number;
  release?: string;
}

/** The Knative Service as its owner's repository has it. */
export function ownersKnativeService(overrides: OwnersChange = {}): KubeObject {
  return {
    apiVersion: "serving.knative.dev/v1",
    kind: "Service",
    metadata: { ...KSVC, labels: { "app.kubernetes.io/name": "messaging-service" } },
    spec: {
      template: {
        metadata: {
          annotations: {
            "autoscaling.knative.dev/min-scale": "2",
            "autoscaling.knative.dev/max-scale": "10",
          },
        },
        spec: {
          ...(overrides.timeoutSeconds === undefined ? {} : { timeoutSeconds: overrides.timeoutSeconds }),
          containers: [
            {
              name: "messaging",
              image: "ghcr.io/example/messaging-service:1.4.2",
              ports: [{ name: "http1", containerPort: 8080 }],
              env: [
                { name: "WS_PATH", value: "/ws" },
                ...(overrides.release === undefined ? [] : [{ name: "RELEASE", value: overrides.release }]),
              ],
            },
          ],
        },
      },
    },
  };
}

/**
 * A STAND-IN for the revision Deployment Knative's controller makes for the Service (labels as
 * Knative sets them), for the clusters without a node: the pod stand-in (`standIns.ts`) marks its
 * pods Running and Ready, nothing runs them. On the real node Knative's own controller makes it.
 */
function revisionDeployment(): KubeObject {
  const revision = `${KSVC.name}-00001`;
  const labels = {
    app: revision,
    "serving.knative.dev/service": KSVC.name,
    "serving.knative.dev/configuration": KSVC.name,
    "serving.knative.dev/revision": revision,
  };
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: `${revision}-deployment`, namespace: KSVC.namespace, labels },
    spec: {
      replicas: 2,
      selector: { matchLabels: { "serving.knative.dev/revision": revision } },
      template: {
        metadata: { labels },
        spec: {
          containers: [
            {
              name: "user-container",
              image: "ghcr.io/example/messaging-service:1.4.2",
              ports: [{ name: "user-port", containerPort: 8080 }],
            },
            {
              name: "queue-proxy",
              image: "gcr.io/knative-releases/knative.dev/serving/cmd/queue:v1.22.1",
              ports: [
                { name: "http-queueadm", containerPort: 8022 },
                { name: "queue-port", containerPort: 8012 },
              ],
            },
          ],
        },
      },
    },
  };
}

function documents(file: string): KubeObject[] {
  return YAML.parseAllDocuments(fs.readFileSync(path.join(CRDS, file), "utf8"))
    .map((d) => d.toJSON() as KubeObject | null)
    .filter((d): d is KubeObject => d !== null);
}

/** Installs the CRDs and waits until each is Established and served. */
export async function installCrds(kube: Kube, files: readonly string[] = UPSTREAM_CRDS): Promise<void> {
  for (const file of files) {
    for (const crd of documents(file)) {
      await kube.apply(crd, "kubectl");
      const established = async () => {
        const live = await kube.get<{ status?: { conditions?: { type: string; status: string }[] } }>(
          `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${crd.metadata.name}`,
        );
        return (live.status?.conditions ?? []).some((c) => c.type === "Established" && c.status === "True");
      };
      await waitUntil(`CRD ${crd.metadata.name} established`, established, 60_000, 200);
    }
  }
  kube.forgetDiscovery();
}

/**
 * Creates the namespaces, Knative's ConfigMaps, the owner's Knative Service and its revision's pods.
 * `realNode`: the node runs the pods and Knative's own controllers (`beforeService` starts them,
 * once the CRDs and namespaces exist), which make the revision; MetalLB's CRDs are its release's.
 * Without: the revision Deployment is the stand-in above.
 */
export async function installHomelab(
  kube: Kube,
  options: { realNode?: boolean; beforeService?: () => Promise<void> } = {},
): Promise<void> {
  const realNode = options.realNode ?? false;
  await installCrds(kube, homelabCrds(realNode));
  for (const name of NAMESPACES) {
    await kube.apply({ apiVersion: "v1", kind: "Namespace", metadata: { name } }, "kubectl");
  }
  for (const file of KNATIVE_CONFIGMAPS) {
    for (const cm of documents(file)) await kube.apply(cm, "kubectl");
  }
  await options.beforeService?.();
  await applyOwnersKnativeService(kube);
  if (!realNode) await kube.apply(revisionDeployment(), "controller");
}

/** (Re)applies the owner's Knative Service, as a `git push` picked up by Argo CD would. */
export function applyOwnersKnativeService(kube: Kube, overrides: OwnersChange = {}): Promise<KubeObject> {
  return kube.apply(ownersKnativeService(overrides), OWNER);
}
