import type { ResolvedDrain } from "./haproxy/drain";
/** The decisions an L4Exposure plan holds, and the constants they rest on. */
import { KNATIVE_QUEUE_PROXY_PORT, KNATIVE_USER_PORT } from "../policyChecks/knativePods";
import { PathBudget } from "../budget/model";
import type { Problem } from "../core/message";
import { KnativePlan, KnativeRequirements } from "../knative/plan";
import { ResolvedBackend, ResolvedWebSocket } from "../core/backend";
import { AddressRange, IpFamily } from "./address";
import { HaproxyTimeouts, ShutdownPlan } from "./haproxy/config";
import { BgpPeerSpec, LabelSelector } from "./metallb";
import type { ResolvedLoadBalancer } from "./loadBalancers";

/** The queue-proxy's HTTP/1 port in every Knative pod. */
export const QUEUE_PROXY_PORT = KNATIVE_QUEUE_PROXY_PORT;
/** The queue-proxy's port for an app whose container port is named h2c (it then does not serve 8012). */
export const QUEUE_PROXY_H2C_PORT = 8013;
/** The user container's port: traffic there skips the queue-proxy. */
export const USER_PORT = KNATIVE_USER_PORT;
/** HAProxy's TLS listener and health ports in its pod (unprivileged). */
export const HAPROXY_TLS_PORT = 8443;
export const HAPROXY_HEALTH_PORT = 8404;
/** kube-proxy's --conntrack-tcp-timeout-established default (24h). */
export const DEFAULT_CONNTRACK_ESTABLISHED_SECONDS = 86400;
export const DEFAULT_AFFINITY_TIMEOUT_SECONDS = 10800;
/** How long `pulumi up` waits for a cert-manager Certificate to be Ready (DNS-01 takes minutes). */
export const DEFAULT_CERTIFICATE_READY_TIMEOUT_SECONDS = 600;

/** What the L4 route straight to the pods needs of the Knative Service. */
export const L4_QUEUE_PROXY_REQUIREMENTS: KnativeRequirements = {
  minScaleAtLeast: 1,
  activatorOutOfPath: true,
  reason: "the L4 route straight to the pods (queue-proxy port 8012)",
};
export const L4_USER_PORT_REQUIREMENTS: KnativeRequirements = {
  minScaleAtLeast: 1,
  activatorOutOfPath: true,
  reason: "the L4 route straight to the pods (port 8080)",
};

export type L4Route = "queue-proxy" | "ingress" | "port-8080" | "service";

/** The Knative revision as its owner declared it (L4RevisionArgs, defaults applied). */
export interface ResolvedRevision {
  portName: "http1" | "h2c";
  containerConcurrency: number;
  acceptFullPods: boolean;
  /** The queue-proxy port that serves this app: 8012, or 8013 for h2c. */
  queueProxyPort: number;
}

export interface ResolvedHaproxy {
  replicas: number;
  image: string;
  timeouts: HaproxyTimeouts;
  shutdown: ShutdownPlan;
  /** Connection limit per pod (global and frontend `maxconn`). */
  maxconn: number;
  /** HAProxy threads: the CPU limit (or request), rounded up. */
  nbthread: number;
  /** Memory the pod needs for maxconn, MiB (see haproxy/sizing.ts). */
  memoryMiB: number;
  resources: { requests: Record<string, string>; limits: Record<string, string> };
  /** The paced drain's sidecar; undefined when off (tls.haproxy.drain false). */
  drain?: ResolvedDrain;
  /**
   * Shared session-ticket keys: the Secret holding `tls-ticket-keys` (created from keys, or existing).
   * Undefined: none.
   */
  sessionTickets?: { secretName: string; create: boolean };
}

export type ResolvedTls =
  | {
      mode: "terminate";
      /** The Secret HAProxy mounts. */
      secretName: string;
      certManager?: {
        issuerName: string;
        issuerKind: "Issuer" | "ClusterIssuer";
        duration?: string;
        renewBefore?: string;
        /** `pulumi up` waits this long for the Certificate's Ready condition. */
        readyTimeoutSeconds: number;
        /** The private key: ECDSA P-256 or RSA 2048. */
        keyAlgorithm: "ECDSA" | "RSA";
      };
      haproxy: ResolvedHaproxy;
    }
  | { mode: "passthrough"; targetPort: string }
  | { mode: "none"; targetPort: string | number }
  /** TLS ends at the cloud load balancer (aws-nlb with certificateArn); plain TCP to the pods. */
  | { mode: "loadBalancer"; targetPort: string | number };

/** The load balancer giving the address, defaults applied: one of the kinds in loadBalancers/. */
export type { ResolvedLoadBalancer };

export type ResolvedAdvertisement =
  | { type: "l2"; interfaces?: string[]; nodeSelectors?: LabelSelector[] }
  | {
      type: "bgp";
      peers: { name: string; spec: BgpPeerSpec }[];
      /** Every peer name the advertisement is limited to (created + existing); empty = all. */
      peerNames: string[];
      aggregationLength?: number;
      localPref?: number;
      communities?: string[];
      nodeSelectors?: LabelSelector[];
    }
  | { type: "none" };

export interface L4Plan {
  owner: string;
  name: string;
  backend: ResolvedBackend;
  websocket: ResolvedWebSocket;
  hostname: string;
  url: string;
  metallbNamespace: string;
  /** Write the MetalLB Service annotations under the deprecated `metallb.universe.tf/` prefix too. */
  legacyMetallbAnnotations: boolean;
  /** The MetalLB pool (loadBalancer.type "metallb" only). */
  pool?: {
    name: string;
    create?: { addresses: string[]; autoAssign: boolean; avoidBuggyIPs?: boolean };
    ranges?: AddressRange[];
  };
  /** How MetalLB announces the address (loadBalancer.type "metallb" only). */
  advertisement?: ResolvedAdvertisement;
  /** Which load balancer gives the address: MetalLB (pool and advertisement above) or a cloud's. */
  loadBalancer: ResolvedLoadBalancer;
  loadBalancerIP?: string;
  /** Address family of the Service address (decides A or AAAA). */
  family: IpFamily;
  port: number;
  externalTrafficPolicy: "Local" | "Cluster";
  sourceRanges: string[];
  sessionAffinity?: { timeoutSeconds: number };
  tls: ResolvedTls;
  route: L4Route;
  /** The Knative revision's port name and containerConcurrency (Knative backends). */
  revision?: ResolvedRevision;
  /** HAProxy's server (tls terminate): where the tier forwards to. */
  upstream?: { address: string; port: number; hostHeader?: string };
  /** The ClusterIP Service to the Knative pods the tier forwards to (queue-proxy or forced 8080 route). */
  podService?: { name: string; port: number; selector: Record<string, string> };
  /** What the LoadBalancer Service selects, and its target port. */
  lbSelector: Record<string, string>;
  lbTargetPort: string | number;
  knativeRequirements: KnativeRequirements;
  knativePlan?: KnativePlan;
  applyKnativeSettings: boolean;
  dns?: { type: "A" | "AAAA"; target: "loadBalancerIP" | { address: string }; ttl: number };
  conntrackEstablishedTimeoutSeconds: number;
  budget: PathBudget;
  /**
   * What the user must do that the plan cannot check; L4Exposure prints each as a warning, naming the
   * arguments a Message references as its reader does (argument paths, or the stack's config keys).
   */
  warnings: Problem[];
}

/** Labels on every HAProxy pod; the LoadBalancer (terminate) selects them. */
export function haproxyLabels(name: string): Record<string, string> {
  return { "app.kubernetes.io/name": "ws-exposure-haproxy", "app.kubernetes.io/instance": name };
}
