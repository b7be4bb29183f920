import * as pulumi from "@pulumi/pulumi";
import { BackendArgs, WebSocketArgs } from "../core/backend";
import { KnativeSettingsArgs } from "../knative/plan";
import { BgpPeerSpec, LabelSelector } from "./metallb";
import { ExposureMonitorArgs } from "../monitor/forExposure";
import { LoadBalancerArgs } from "./loadBalancers";
import { ResourcesArgs } from "../core/quantity";

/** A new MetalLB IPAddressPool. */
export interface NewPoolArgs {
  /** CIDRs (`192.168.1.240/28`) or inclusive ranges (`192.168.1.240-192.168.1.250`), v4 or v6; must not overlap. */
  addresses: string[];
  /** Let MetalLB hand these addresses to any LoadBalancer Service. Default false: a dedicated pool, used only by Services that ask for it by name (this one does). */
  autoAssign?: boolean;
  /** Never hand out `.0` / `.255` addresses (old routers drop them). Default unset (MetalLB: false). A pinned loadBalancerIP ending in .0/.255 is refused when true. */
  avoidBuggyIPs?: boolean;
}

/** A MetalLB pool this exposure creates (dedicated to it) ... */
export interface CreatePoolArgs {
  /** Create a dedicated pool. Conflicts with existing. */
  create: NewPoolArgs;
}

/** ... or an existing pool, by name. */
export interface ExistingPoolArgs {
  /**
   * Name of an existing `IPAddressPool` in metallbNamespace. Conflicts with create (a new pool of
   * create.addresses).
   */
  existing: string;
  /** The pool's addresses, if you want a pinned loadBalancerIP checked against them. Default: not checked. */
  addresses?: string[];
}

export type AddressPoolArgs = CreatePoolArgs | ExistingPoolArgs;

export interface L2AdvertisementArgs {
  /** The default: the elected leader node answers ARP/NDP for the address (layer 2). */
  type: "l2";
  /** Announce only from these node interfaces. Default: all. */
  interfaces?: string[];
  /** Only these nodes may become the L2 leader for the address. Default: all. */
  nodeSelectors?: LabelSelector[];
}

export interface BgpPeerArgs extends BgpPeerSpec {
  /** Peer name; the BGPPeer is created as `<exposure>-<name>` in metallbNamespace. */
  name: string;
}

export interface BgpAdvertisementArgs {
  /** The nodes announce the address to BGP routers. */
  type: "bgp";
  /**
   * BGPPeers (`metallb.io/v1beta2`) to create; the advertisement is limited to them (plus existingPeers).
   * Default none.
   */
  peers?: BgpPeerArgs[];
  /** Names of existing BGPPeers to announce to. Default none: with no peers at all, every configured peer. */
  existingPeers?: string[];
  /** Roll /32s up into a larger prefix. Default 32 (MetalLB). */
  aggregationLength?: number;
  /** The LOCAL_PREF attribute. Default MetalLB's. */
  localPref?: number;
  /** BGP communities to attach. Default none. */
  communities?: string[];
  /** The nodes that announce the address. Default: all. */
  nodeSelectors?: LabelSelector[];
}

/** The pool is already advertised (an L2Advertisement / BGPAdvertisement that selects it exists). */
export interface NoAdvertisementArgs {
  /** The pool is already advertised: nothing is created. */
  type: "none";
}

export type AdvertisementArgs = L2AdvertisementArgs | BgpAdvertisementArgs | NoAdvertisementArgs;

export interface HaproxyTimeoutArgs {
  /** `timeout connect` to the backend. Default 5. */
  connectSeconds?: number;
  /** `timeout client` (TLS handshake and anything before the tunnel). Default 30. */
  clientSeconds?: number;
  /** `timeout server` (before the tunnel). Default 30. */
  serverSeconds?: number;
  /**
   * `timeout tunnel`: the WebSocket IDLE timeout (heartbeats reset it). Default
   * max(websocket.minLifetimeSeconds, 3 heartbeats); at least 3 heartbeats, at most 2147483 (HAProxy's
   * longest timeout; a derived default above it is refused naming minLifetimeSeconds); a lower value than the
   * lifetime is taken as on purpose.
   */
  tunnelSeconds?: number;
  /** `timeout client-fin`: a half-closed client side. Default 10. */
  clientFinSeconds?: number;
}

/** The paced drain of an old HAProxy process (docs/OPERATIONS.md, "Rollouts"). */
export interface HaproxyDrainArgs {
  /**
   * Seconds over which the old process's connections are closed, at N/window per second, from the
   * soft-stop (pod stop, after preStopSeconds) or the reload. Default five sixths of
   * hardStopAfterSeconds (50 of 60), whole seconds; 1..86400 and at most hardStopAfterSeconds - 2
   * (which closes what is left; the driver starts up to 2 s after the soft-stop).
   */
  windowSeconds?: number;
  /** Who goes first: "oldest" (default: the longest-lived connections) or "random". */
  order?: "oldest" | "random";
  /**
   * The sidecar's pinned stock Node image (runs the bundled driver, no image to build). Default the
   * monitor's, `node:24.19.0-alpine3.24`.
   */
  image?: string;
}

/** ClientIP session affinity on the LoadBalancer Service. */
export interface SessionAffinityArgs {
  /** Seconds, 1..86400. Default 10800. */
  timeoutSeconds?: number;
}

/**
 * Shared TLS session-ticket keys (HAProxy `tls-ticket-keys`), so a client resumes its TLS session on
 * another replica or after a reload: exactly 3 keys, base64 of 80 random bytes each (`openssl rand
 * 80 | openssl base64 -A`), oldest first; HAProxy encrypts with the middle one and decrypts with all
 * three. Rotate by dropping the first and appending a new one (docs/OPERATIONS.md). Either the keys
 * (Pulumi secrets: the component writes the Secret `<name>-haproxy-tickets`) or an existing Secret
 * with the file under key `tls-ticket-keys`.
 */
export type SessionTicketArgs =
  | {
      /**
       * Exactly 3 keys, oldest first, each the base64 of 80 random bytes (`openssl rand 80 | openssl base64 -A`);
       * give them as Pulumi secrets (they stay secrets). Conflicts with secretName.
       */
      keys: pulumi.Input<string>[];
    }
  | {
      /**
       * An existing Secret in the backend's namespace holding the keys file (3 base64 keys of 80 bytes, oldest
       * first) under key `tls-ticket-keys`. Conflicts with keys.
       */
      secretName: string;
    };

/**
 * The HAProxy Deployment but timeouts, resources, drain and sessionTickets: the fields the
 * component package takes as they are (components/package/args.ts, Haproxy).
 */
export interface HaproxyFields {
  /** Replicas, at least 2 (a PodDisruptionBudget keeps all but one). Default 2. */
  replicas?: number;
  /**
   * Image, pinned (a tag other than `latest`, or a digest). Default `haproxy:3.2.4` (official image,
   * whose STOPSIGNAL SIGUSR1 soft-stops it). Any other repository: the preStop sends the soft-stop
   * itself, with a FailedPreStopHook event on each stop (docs/L4.md, "Pod stop").
   */
  image?: string;
  /** preStop sleep before the soft-stop, so the endpoint leaves the LB first. Default 10; below hardStopAfterSeconds. */
  preStopSeconds?: number;
  /** `hard-stop-after`: an old process (reload or stop) cuts what it still holds after this. Default 60. */
  hardStopAfterSeconds?: number;
  /**
   * `close-spread-time` (< hardStopAfterSeconds). Default hardStopAfterSeconds - 10. Spreads idle/HTTP
   * closes; see docs/L4.md for tunnels.
   */
  closeSpreadSeconds?: number;
  /** Pod grace period; at least preStop + hardStopAfter + 10. Default exactly that. */
  terminationGracePeriodSeconds?: number;
  /**
   * Connection limit per pod (global and frontend `maxconn`). Default: as many as `resources.limits.memory`
   * holds when that is set, else 10000. Refused when it does not fit `resources.limits.memory` (64Mi + 64 KiB
   * per connection). HAProxy needs a hard open-files limit of 2 x maxconn + 40 on the node (it exits at start
   * otherwise).
   */
  maxconn?: number;
}

export interface HaproxyArgs extends HaproxyFields {
  /** HAProxy's timeouts. */
  timeouts?: HaproxyTimeoutArgs;
  /**
   * Container resources, merged over the defaults. Default memory limit and request: 64Mi + 64 KiB per
   * `maxconn` connection (689Mi for 10000), so the pod is never OOM-killed below maxconn; a lower
   * request is taken as on purpose, a lower limit is refused. Default CPU request 50m, no CPU limit.
   * HAProxy's `nbthread` is `limits.cpu` (else `requests.cpu`) rounded up, at most 64.
   */
  resources?: ResourcesArgs;
  /**
   * The paced drain (a sidecar closing the old process's connections gradually instead of all at
   * hard-stop-after). Default on, `{}`: the window is five sixths of hardStopAfterSeconds (at most
   * hardStopAfterSeconds - 2), oldest first (off by itself when that is under a second); `false` turns it off.
   */
  drain?: HaproxyDrainArgs | false;
  /**
   * TLS session resumption across replicas and reloads (see SessionTicketArgs). Default none: the
   * listener sets `no-tls-tickets`, and every reconnect is a full handshake.
   */
  sessionTickets?: SessionTicketArgs;
}

export interface TerminateTlsArgs {
  /**
   * The default: HAProxy pods terminate TLS and forward plain TCP to the backend; the LoadBalancer
   * selects them.
   */
  mode: "terminate";
  /**
   * An existing `kubernetes.io/tls` Secret in the backend's namespace, or a cert-manager Certificate this
   * component creates for `hostname` (Secret `<name>-tls`).
   */
  certificate:
    | {
        /**
         * An existing `kubernetes.io/tls` Secret in the backend's namespace. Conflicts with certManager
         * (certManager.issuerName).
         */
        secretName: string;
      }
    | {
        /** Have cert-manager issue it. Conflicts with secretName. */
        certManager: {
          /** The Issuer's or ClusterIssuer's name. */
          issuerName: string;
          /** "Issuer" or "ClusterIssuer". Default "ClusterIssuer". */
          issuerKind?: "Issuer" | "ClusterIssuer";
          /** Certificate duration, Go duration. Default cert-manager's (2160h). */
          duration?: string;
          /** Renew this long before expiry. Default cert-manager's (1/3 of duration). */
          renewBefore?: string;
          /**
           * How long `pulumi up` waits for the Certificate's Ready condition (the Secret issued)
           * before it fails; the HAProxy Deployment is only created after it. Default 600 (DNS-01
           * issuance takes minutes); 30..7200.
           */
          readyTimeoutSeconds?: number;
          /**
           * The private key: "ECDSA" (default, P-256: a full handshake costs the server a fraction of
           * an RSA one) or "RSA" (2048 bits, for clients without ECDSA support).
           */
          keyAlgorithm?: "ECDSA" | "RSA";
        };
      };
  /** HAProxy's settings. */
  haproxy?: HaproxyArgs;
}

export interface PassthroughTlsArgs {
  /** The backend pods serve TLS themselves on `targetPort`; the LoadBalancer selects them; no HAProxy. */
  mode: "passthrough";
  /** Named container port on the backend pods that serves TLS. */
  targetPort: string;
}

export interface NoTlsArgs {
  /** Plain `ws://`: messages cross the network unencrypted. LAN or development only. */
  mode: "none";
  /** Must be true: plain ws is only built when asked for by name. */
  acknowledgeInsecure: boolean;
  /** Pod port for a plain Service backend (its pods are selected directly). Knative: from `route`. */
  targetPort?: string | number;
}

export interface LoadBalancerTlsArgs {
  /**
   * TLS ends at the cloud load balancer (loadBalancer.type "aws-nlb" with loadBalancer.certificateArn: an
   * NLB TLS listener), which forwards plain TCP to the pods; no HAProxy. Refused with any other load balancer.
   */
  mode: "loadBalancer";
  /** Pod port for a plain Service backend (its pods are selected directly). Knative: from `route`. */
  targetPort?: string | number;
}

export type L4TlsArgs = TerminateTlsArgs | PassthroughTlsArgs | NoTlsArgs | LoadBalancerTlsArgs;

/** How traffic reaches a Knative backend. */
export type L4RouteArgs = "queue-proxy" | "ingress" | { forcePort8080: true };

/**
 * The Knative Service's revision template but portName: the fields the component package takes as
 * they are (components/package/args.ts, L4Revision).
 */
export interface L4RevisionFields {
  /**
   * `spec.template.spec.containerConcurrency`: the most requests (open WebSockets) one pod takes.
   * Default 0 (unlimited). Above 0, the route straight to the queue-proxy is refused unless
   * acceptFullPods: kube-proxy picks a pod per connection at random, whatever its load, and an
   * upgrade that lands on a full pod waits in the queue-proxy's queue (10 × containerConcurrency
   * deep) or is refused with 503.
   */
  containerConcurrency?: number;
  /** Accept a full pod's queueing or 503 on the route straight to the queue-proxy (containerConcurrency above 0). Default false. */
  acceptFullPods?: boolean;
}

/**
 * What the Knative Service's revision template declares, as its owner set it (this component does
 * not change either): the route straight to the queue-proxy depends on both.
 */
export interface L4RevisionArgs extends L4RevisionFields {
  /**
   * Name of the app's container port: "http1" (unset or `http1`) or "h2c". The queue-proxy serves
   * an h2c app only on port 8013 (nothing answers on 8012), so the route straight to the pods
   * targets 8013. Default "http1".
   */
  portName?: "http1" | "h2c";
}

export interface L4DnsArgs {
  /** Cloudflare zone id. */
  zoneId: pulumi.Input<string>;
  /** "loadBalancerIP": the Service's address; `{ address }`: a public address forwarded to it (a homelab's WAN IP). */
  target: "loadBalancerIP" | { address: string };
  /** TTL seconds; 1 = automatic. Default 1. */
  ttl?: number;
}

/**
 * The L4 path's fields the component package takes as they are (components/package/args.ts, HybridL4):
 * written once, here.
 */
export interface L4PathFields {
  /**
   * MetalLB's namespace (pools, advertisements, peers live there). Default `metallb-system`. MetalLB only:
   * conflicts with another loadBalancer.type.
   */
  metallbNamespace?: string;
  /**
   * Also write the LoadBalancer Service's MetalLB annotations under the deprecated
   * `metallb.universe.tf/` prefix. Default true: MetalLB 0.13.0 to 0.14.8 read only that prefix (the
   * pool and the pinned address would be ignored), 0.14.9 and later read both and prefer `metallb.io/`.
   * false: `metallb.io/` only, for MetalLB >= 0.14.9 (no "deprecatedAnnotation" warning event).
   * MetalLB only: conflicts with another loadBalancer.type.
   */
  legacyMetallbAnnotations?: boolean;
  /**
   * Pin the Service's address (annotation `metallb.io/loadBalancerIPs`, and
   * `metallb.universe.tf/loadBalancerIPs` unless legacyMetallbAnnotations is false); must lie in the pool.
   * Default: MetalLB picks one. MetalLB only: conflicts with another loadBalancer.type (its controller
   * assigns the address).
   */
  loadBalancerIP?: string;
  /** Port on the load balancer. Default 443 (terminate, passthrough, loadBalancer), 80 (none). */
  port?: number;
  /**
   * Client CIDR allowlist for the LoadBalancer (also enforced by HAProxy with externalTrafficPolicy Local, or
   * behind an NLB's PROXY header). Default: everyone. Conflicts with an aws-nlb of loadBalancer.targetType "ip"
   * without loadBalancer.proxyProtocol (nothing there sees the client address), unless it is only 0.0.0.0/0
   * or ::/0.
   */
  loadBalancerSourceRanges?: string[];
  /**
   * Pod labels of a plain Service backend, needed when the LoadBalancer selects its pods (passthrough, none,
   * loadBalancer).
   */
  podSelector?: Record<string, string>;
  /** kube-proxy's conntrack established timeout, for the budget. Default 86400 (kube-proxy's 24h). */
  conntrackEstablishedTimeoutSeconds?: number;
}

export interface L4ExposureArgs extends L4PathFields {
  /** The WebSocket backend: a Knative Service (usual) or a plain Service. Helpers go into its namespace. */
  backend: BackendArgs;
  /** Heartbeat (default 5 s) and the lifetime a connection must be allowed (default 3600 s). */
  websocket?: WebSocketArgs;
  /** Knative settings (Knative backends only; ignored for a plain Service); see KnativeSettingsArgs. */
  knative?: KnativeSettingsArgs;
  /** Create the KnativeSettings child `<name>-knative`. Default true; a HybridExposure passes false and applies them once itself. */
  applyKnativeSettings?: boolean;
  /** Public DNS name clients connect to, e.g. `ws.example.com`. */
  hostname: string;
  /**
   * Which load balancer gives the address: `{ type: "metallb" }` (default), "aws-nlb", "gcp",
   * "azure" or "custom" (see docs/L4-CLOUD.md). Every other choice than MetalLB conflicts with
   * addressPool, advertisement, metallbNamespace, legacyMetallbAnnotations and loadBalancerIP.
   */
  loadBalancer?: LoadBalancerArgs;
  /** The MetalLB pool: created (dedicated, autoAssign false) or existing by name. Required with loadBalancer "metallb" (the default); conflicts with every other. */
  addressPool?: AddressPoolArgs;
  /**
   * How MetalLB announces the address. Default `{ type: "l2" }`. MetalLB only: conflicts with another
   * loadBalancer.type.
   */
  advertisement?: AdvertisementArgs;
  /**
   * "Local" (default) keeps the client IP, but traffic only enters nodes with a ready pod and moving the pods
   * can move the L2 leader; "Cluster" hides the client IP.
   */
  externalTrafficPolicy?: "Local" | "Cluster";
  /**
   * ClientIP session affinity on the LoadBalancer Service (timeout 1..86400, default 10800). With tls
   * terminate it pins a client IP to one HAProxy pod, NOT to a backend pod (HAProxy's own connections
   * to the backend share the HAProxy pod's IP). Default: none.
   */
  sessionAffinity?: SessionAffinityArgs;
  /** TLS: terminate (HAProxy), passthrough, none (explicit), or loadBalancer (at an AWS NLB). Required. */
  tls: L4TlsArgs;
  /**
   * Knative route: "queue-proxy" (default: the pods' queue-proxy, port 8012, or 8013 for an h2c app;
   * min-scale >= 1), "ingress" (Knative's ingress, tls terminate only), or `{ forcePort8080: true }`.
   * Not for plain Services. Straight to the queue-proxy, kube-proxy picks a pod per connection among
   * every revision's ready pods: Route traffic splits and tags, and the activator's balancing by free
   * capacity, do not apply (see docs/L4.md).
   */
  route?: L4RouteArgs;
  /**
   * The Knative Service's port name and containerConcurrency, as declared by its owner (Knative backends
   * only). Default http1, 0.
   */
  revision?: L4RevisionArgs;
  /**
   * Optional DNS-only record (A/AAAA, `proxied: false` always) for `hostname`. Needs the `cloudflare`
   * provider. target "loadBalancerIP" conflicts with loadBalancer.type "aws-nlb" (an NLB's address is a DNS
   * name).
   */
  dns?: L4DnsArgs;
  /** A synthetic wsprobe monitor against `url`, in the backend's namespace. Default off. */
  monitor?: ExposureMonitorArgs;
}
