/**
 * Schema-friendly argument types for the component package (PulumiPlugin.yaml in provider/).
 *
 * Pulumi's component provider host infers the package schema from the constructor's args interface
 * and cannot express TypeScript unions, string-literal unions, inline object types or functions. These
 * types flatten each union into one object whose variants' fields are all optional, and spell each
 * string-literal union as `string`. The conversion to the TypeScript args (toL4ExposureArgs,
 * toTunnelExposureArgs, toHybridExposureArgs, ...) only drops absent fields and maps the non-object
 * variants back (the L4 path's route, none- and loadBalancer-mode targetPort, dns target and
 * `tls.haproxy.drain.enabled`, also under a hybrid's l4), so the same validation functions judge the
 * value and their messages reach a consumer of any language.
 * Where a TypeScript args interface is already schema-friendly, the package type extends it and adds
 * nothing: its fields and their doc comments are written once, there. The package type keeps its own
 * name because the schema names each type after the interface that declares it. A copy's doc comments
 * are the TypeScript fields' (test/package/typescriptParity.test.ts holds them equal).
 * TypeScript consumers keep using L4ExposureArgs, TunnelExposureArgs, HybridExposureArgs: nothing here
 * replaces them.
 */
import * as pulumi from "@pulumi/pulumi";
import { WebSocketArgs } from "../core/backend";
import { ResourcesArgs } from "../core/quantity";
import {
  KnativeAdmissionCheckArgs,
  KnativeClusterFields,
  KnativeRequirements,
  KnativeSettingsFields,
} from "../knative/plan";
import {
  HaproxyFields,
  HaproxyTimeoutArgs,
  L4PathFields,
  L4RevisionFields,
  NewPoolArgs,
  SessionAffinityArgs,
} from "../l4/args";
import { BgpSessionSpec } from "../l4/metallb";
import { WsMonitorPrometheusOperatorArgs, WsMonitorSettingsFields } from "../monitor/args";
import { NewTunnelArgs, SecretKeyArgs, TunnelPathFields } from "../tunnel/args";
import { ConnectorFields } from "../tunnel/connector";

/** Heartbeat and the lifetime a connection must be allowed. */
export interface WebSocket extends WebSocketArgs {}

/** The admission check against Knative's webhook. */
export interface KnativeAdmissionCheck extends KnativeAdmissionCheckArgs {}

/** HAProxy's timeouts. */
export interface HaproxyTimeouts extends HaproxyTimeoutArgs {}

/** The WebSocket backend: give knativeService (a Knative Service) or service and port (a plain Service). */
export interface Backend {
  /** Name of the existing Knative Service (`serving.knative.dev/v1`). Conflicts with `service`. */
  knativeService?: string;
  /** Name of the existing Service; needs `port`. Conflicts with `knativeService`. */
  service?: string;
  /** The backend's namespace. The connector and any in-cluster helpers are created here too. */
  namespace: string;
  /** The Service port that serves HTTP (and the upgrade). */
  port?: number;
  /** WebSocket path. Default `/ws`. */
  path?: string;
  /** Cluster DNS domain. Default `cluster.local`. */
  clusterDomain?: string;
}

/** Knative's cluster-wide settings as the component should assume or manage them. */
export interface KnativeCluster extends KnativeClusterFields {
  /** `kubernetes.podspec-affinity` in config-features: "disabled" (Knative's default), "enabled" (declared: already on), "manage" (patch it on; it cannot safely be turned off again). Default "disabled". */
  podspecAffinity?: string;
}

/** Knative settings (Knative backends only); see KnativeSettingsArgs for each default. */
export interface KnativeOptions extends KnativeSettingsFields {
  /** The dry-run check before the Service patch. Default: enabled, 120 s wait. */
  admissionCheck?: KnativeAdmissionCheck;
  /** Knative's cluster-wide settings, as the component should assume or manage them. */
  cluster?: KnativeCluster;
}

/** A new MetalLB IPAddressPool. */
export interface CreatePool extends NewPoolArgs {}

/** The MetalLB pool: give create (a dedicated pool) or existing (a pool's name). */
export interface AddressPool {
  /** Create a dedicated pool. Conflicts with existing. */
  create?: CreatePool;
  /**
   * Name of an existing `IPAddressPool` in metallbNamespace. Conflicts with create (a new pool of
   * create.addresses).
   */
  existing?: string;
  /** The pool's addresses, if you want a pinned loadBalancerIP checked against them. Default: not checked. */
  addresses?: string[];
}

/** One label selector requirement. */
export interface LabelSelectorRequirement {
  /** The label key. */
  key: string;
  /** In, NotIn, Exists or DoesNotExist. */
  operator: string;
  /** The values (In, NotIn); none for Exists and DoesNotExist. */
  values?: string[];
}

/** A Kubernetes label selector. */
export interface LabelSelector {
  /** Labels a node must carry, all of them. Default none. */
  matchLabels?: Record<string, string>;
  /** Requirements a node must meet, all of them. Default none. */
  matchExpressions?: LabelSelectorRequirement[];
}

/** A BGP peer created with the advertisement. */
export interface BgpPeer extends BgpSessionSpec {
  /** Peer name; the BGPPeer is created as `<exposure>-<name>` in metallbNamespace. */
  name: string;
  /** The nodes that peer with this router. Default all. */
  nodeSelectors?: LabelSelector[];
}

/** How the address is announced: type `l2`, `bgp` or `none`, with that type's fields. */
export interface Advertisement {
  /**
   * l2: The default: the elected leader node answers ARP/NDP for the address (layer 2).
   * bgp: The nodes announce the address to BGP routers.
   * none: The pool is already advertised: nothing is created.
   */
  type: string;
  /** l2: Announce only from these node interfaces. Default: all. */
  interfaces?: string[];
  /**
   * l2: Only these nodes may become the L2 leader for the address. Default: all.
   * bgp: The nodes that announce the address. Default: all.
   */
  nodeSelectors?: LabelSelector[];
  /**
   * bgp:
   * BGPPeers (`metallb.io/v1beta2`) to create; the advertisement is limited to them (plus existingPeers).
   * Default none.
   */
  peers?: BgpPeer[];
  /** bgp: Names of existing BGPPeers to announce to. Default none: with no peers at all, every configured peer. */
  existingPeers?: string[];
  /** bgp: Roll /32s up into a larger prefix. Default 32 (MetalLB). */
  aggregationLength?: number;
  /** bgp: The LOCAL_PREF attribute. Default MetalLB's. */
  localPref?: number;
  /** bgp: BGP communities to attach. Default none. */
  communities?: string[];
}

/** ClientIP session affinity on the LoadBalancer Service. */
export interface SessionAffinity extends SessionAffinityArgs {}

/** A cert-manager Certificate for the hostname. */
export interface CertManager {
  /** The Issuer's or ClusterIssuer's name. */
  issuerName: string;
  /** "Issuer" or "ClusterIssuer". Default "ClusterIssuer". */
  issuerKind?: string;
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
  keyAlgorithm?: string;
}

/** The certificate HAProxy serves: give secretName or certManager. */
export interface Certificate {
  /**
   * An existing `kubernetes.io/tls` Secret in the backend's namespace. Conflicts with certManager
   * (certManager.issuerName).
   */
  secretName?: string;
  /** Have cert-manager issue it. Conflicts with secretName. */
  certManager?: CertManager;
}

/** CPU and memory for a Deployment's container. */
export interface Resources extends ResourcesArgs {}

/** Opt-in prometheus-operator objects of a monitor: a ServiceMonitor and a PrometheusRule. */
export interface MonitorPrometheusOperator extends WsMonitorPrometheusOperatorArgs {}

/** What a WsMonitor and an exposure's `monitor` share (see WsMonitorArgs for each field). */
export interface MonitorSettings extends WsMonitorSettingsFields {
  /** Container resources. Default requests 10m CPU / 48Mi, limit 128Mi memory (no CPU limit: throttling would show up as RTT). */
  resources?: Resources;
  /** ServiceMonitor and PrometheusRule. Default disabled. */
  prometheusOperator?: MonitorPrometheusOperator;
}

/**
 * An exposure's synthetic wsprobe monitor against its own URL (ExposureMonitorArgs); heartbeat and
 * the promised lifetime come from the exposure's `websocket`.
 */
export interface ExposureMonitor extends MonitorSettings {
  /** Deploy the monitor. Plain value: it decides whether the resources exist. */
  enabled: boolean;
  /** Namespace of the monitor. Default the backend's namespace. */
  namespace?: string;
  /**
   * Where the monitor of an L4 path dials (the TLS server name and the Host header stay the public
   * hostname, `wsprobe --connect-to`):
   * - "service" (default on L4): the LoadBalancer Service's in-cluster name
   *   `<exposure>-lb.<namespace>.svc.<clusterDomain>`; works wherever the monitor runs in the cluster.
   * - "loadBalancer": the pinned `loadBalancerIP` (refused when it is not pinned).
   * - "public": the hostname as DNS resolves it, the path a client takes. When it resolves to the
   *   router's WAN address (`dns.target: { address }`), a monitor inside the LAN needs hairpin NAT.
   * From inside the cluster kube-proxy delivers traffic for the LoadBalancer address itself, so
   * "service" and "loadBalancer" do not pass MetalLB's announcing node: only "public" sees an L2
   * leader change. The tunnel path is always dialed at its public name ("public", the only value).
   * With `loadBalancerSourceRanges` and `externalTrafficPolicy: Local`, HAProxy refuses sources
   * outside the ranges: include the cluster's pod CIDR, or dial "public".
   */
  dial?: string;
}

/**
 * The paced drain of an old HAProxy process (HaproxyDrainArgs): a sidecar closes its connections
 * gradually instead of all at hard-stop-after. On by default with every field defaulted; `enabled:
 * false` turns it off (TypeScript's `drain: false`) and conflicts with the other fields.
 */
export interface HaproxyDrain {
  /** Run the paced drain. Default true; false (TypeScript's `drain: false`) conflicts with windowSeconds, order and image. */
  enabled?: boolean;
  /**
   * Seconds over which the old process's connections are closed, at N/window per second, from the
   * soft-stop (pod stop, after preStopSeconds) or the reload. Default five sixths of
   * hardStopAfterSeconds (50 of 60), whole seconds; 1..86400 and at most hardStopAfterSeconds - 2
   * (which closes what is left; the driver starts up to 2 s after the soft-stop).
   */
  windowSeconds?: number;
  /** Who goes first: "oldest" (default: the longest-lived connections) or "random". */
  order?: string;
  /**
   * The sidecar's pinned stock Node image (runs the bundled driver, no image to build). Default the
   * monitor's, `node:24.19.0-alpine3.24`.
   */
  image?: string;
}

/**
 * Shared TLS session-ticket keys (SessionTicketArgs): give keys (the component writes the Secret
 * `<name>-haproxy-tickets`) or secretName (an existing Secret with key `tls-ticket-keys`), not both.
 */
export interface SessionTickets {
  /**
   * Exactly 3 keys, oldest first, each the base64 of 80 random bytes (`openssl rand 80 | openssl base64 -A`);
   * give them as Pulumi secrets (they stay secrets). Conflicts with secretName.
   */
  keys?: pulumi.Input<string>[];
  /**
   * An existing Secret in the backend's namespace holding the keys file (3 base64 keys of 80 bytes, oldest
   * first) under key `tls-ticket-keys`. Conflicts with keys.
   */
  secretName?: string;
}

/** The HAProxy Deployment that terminates TLS. */
export interface Haproxy extends HaproxyFields {
  /** HAProxy's timeouts. */
  timeouts?: HaproxyTimeouts;
  /**
   * Container resources, merged over the defaults. Default memory limit and request: 64Mi + 64 KiB per
   * `maxconn` connection (689Mi for 10000), so the pod is never OOM-killed below maxconn; a lower
   * request is taken as on purpose, a lower limit is refused. Default CPU request 50m, no CPU limit.
   * HAProxy's `nbthread` is `limits.cpu` (else `requests.cpu`) rounded up, at most 64.
   */
  resources?: Resources;
  /**
   * The paced drain (a sidecar closing the old process's connections gradually instead of all at
   * hard-stop-after). Default on, `{}`: the window is five sixths of hardStopAfterSeconds (at most
   * hardStopAfterSeconds - 2), oldest first (off by itself when that is under a second); `false` turns it off.
   * Here `false` is spelled `{ enabled: false }`.
   */
  drain?: HaproxyDrain;
  /**
   * TLS session resumption across replicas and reloads (see SessionTicketArgs). Default none: the
   * listener sets `no-tls-tickets`, and every reconnect is a full handshake.
   */
  sessionTickets?: SessionTickets;
}

/** TLS: mode `terminate` (HAProxy), `passthrough`, `none` or `loadBalancer`, with that mode's fields. */
export interface L4Tls {
  /**
   * terminate:
   * The default: HAProxy pods terminate TLS and forward plain TCP to the backend; the LoadBalancer
   * selects them.
   * passthrough: The backend pods serve TLS themselves on `targetPort`; the LoadBalancer selects them; no HAProxy.
   * none: Plain `ws://`: messages cross the network unencrypted. LAN or development only.
   * loadBalancer:
   * TLS ends at the cloud load balancer (loadBalancer.type "aws-nlb" with loadBalancer.certificateArn: an
   * NLB TLS listener), which forwards plain TCP to the pods; no HAProxy. Refused with any other load balancer.
   */
  mode: string;
  /**
   * terminate:
   * An existing `kubernetes.io/tls` Secret in the backend's namespace, or a cert-manager Certificate this
   * component creates for `hostname` (Secret `<name>-tls`).
   */
  certificate?: Certificate;
  /** terminate: HAProxy's settings. */
  haproxy?: Haproxy;
  /**
   * passthrough: Named container port on the backend pods that serves TLS.
   * none, loadBalancer: Pod port for a plain Service backend (its pods are selected directly). Knative: from `route`.
   * Here a port number is written as digits.
   */
  targetPort?: string;
  /** none: Must be true: plain ws is only built when asked for by name. */
  acknowledgeInsecure?: boolean;
}

/** The Knative Service's port name and containerConcurrency, as declared by its owner. */
export interface L4Revision extends L4RevisionFields {
  /**
   * Name of the app's container port: "http1" (unset or `http1`) or "h2c". The queue-proxy serves
   * an h2c app only on port 8013 (nothing answers on 8012), so the route straight to the pods
   * targets 8013. Default "http1".
   */
  portName?: string;
}

/** A DNS-only record for the hostname. */
export interface L4Dns {
  /** Cloudflare zone id. */
  zoneId: pulumi.Input<string>;
  /**
   * "loadBalancerIP": the Service's address; `{ address }`: a public address forwarded to it (a homelab's WAN IP).
   * Here `{ address }` is spelled as the address itself.
   */
  target: string;
  /** TTL seconds; 1 = automatic. Default 1. */
  ttl?: number;
}

/**
 * Which load balancer gives the address (LoadBalancerArgs): type `metallb` (default), `aws-nlb`,
 * `gcp`, `azure` or `custom`, with that type's fields; a field of another type is refused, naming it.
 * Every type but `metallb` conflicts with addressPool, advertisement, metallbNamespace,
 * legacyMetallbAnnotations and loadBalancerIP.
 */
export interface LoadBalancer {
  /**
   * metallb: The default: an address from a MetalLB pool, announced by MetalLB.
   * aws-nlb: An AWS NLB from the AWS Load Balancer Controller v2.3.0+ (v2.9.0+ for its idle timeout).
   * gcp: A passthrough NLB created by GKE.
   * azure: A load balancer created by cloud-provider-azure.
   * custom: Any other implementation: the annotations and loadBalancerClass given, nothing else.
   */
  type: string;
  /**
   * aws-nlb: "internet-facing" (default) or "internal" (the controller's own default is internal).
   * gcp:
   * "external" (default: a backend service-based external passthrough NLB, `cloud.google.com/l4-rbs`,
   * GKE 1.25.5+) or "internal" (an internal passthrough NLB, `networking.gke.io/load-balancer-type`).
   */
  scheme?: string;
  /** aws-nlb: "ip" (default: the pods are the targets; needs the Amazon VPC CNI) or "instance" (the nodes' NodePort). */
  targetType?: string;
  /**
   * aws-nlb:
   * Cross-zone load balancing (`load_balancing.cross_zone.enabled`). Default true: a zone without a ready
   * target still serves.
   */
  crossZone?: boolean;
  /**
   * aws-nlb:
   * The TCP listener's idle timeout, 60..6000 s. Default max(websocket.minLifetimeSeconds, 3
   * heartbeats), within 60..6000. Conflicts with certificateArn (a TLS listener's idle timeout is
   * fixed at 350 s).
   * custom:
   * The load balancer's idle timeout in seconds, as its documentation states, for the budget.
   * Default none: the budget then assumes no idle timer at this hop (declare it if it has one).
   */
  idleTimeoutSeconds?: number;
  /**
   * aws-nlb:
   * ACM certificate ARN: TLS ends at the NLB (a TLS listener), which forwards plain TCP. Needs
   * tls.mode "loadBalancer". Default none: a TCP listener passes TLS through.
   */
  certificateArn?: string;
  /**
   * aws-nlb:
   * Send a PROXY protocol v2 header to the targets so HAProxy sees the client address (and enforces
   * loadBalancerSourceRanges) whatever the target type. Needs tls.mode "terminate" (only the HAProxy
   * tier reads the header). Default false.
   */
  proxyProtocol?: boolean;
  /** aws-nlb: Target group `deregistration_delay.timeout_seconds`, 0..3600. Default 300 (AWS's). */
  deregistrationDelaySeconds?: number;
  /**
   * aws-nlb:
   * The TLS listener's security policy (`aws-load-balancer-ssl-negotiation-policy`), with
   * certificateArn only. Default "ELBSecurityPolicy-TLS13-1-2-2021-06" (TLS 1.2 and 1.3); only a
   * policy limited to TLS 1.2 and later is taken (ELBSecurityPolicy-TLS13-1-2-*, -TLS13-1-3-*,
   * -TLS-1-2-*, -FS-1-2-*): without the annotation the controller leaves ELBSecurityPolicy-2016-08,
   * which accepts TLS 1.0 and 1.1.
   */
  sslNegotiationPolicy?: string;
  /**
   * aws-nlb:
   * Whether the controller gives the NLB its own frontend security group and enforces
   * loadBalancerSourceRanges in it, for "ip" targets too. Default true: AWS Load Balancer Controller
   * v2.6.0 and later do so (feature gate NLBSecurityGroup, on by default). Set false for an older
   * controller or one with the gate off; false writes `aws-load-balancer-disable-nlb-sg: "true"`.
   * AWS cannot add a security group to an NLB created without one, or remove it: changing this
   * replaces the NLB (a new DNS name).
   */
  managedSecurityGroup?: boolean;
  /**
   * aws-nlb:
   * What you know of the pods' namespace, for "ip" targets only: "namespaceLabelled" when it carries
   * `elbv2.k8s.aws/pod-readiness-gate-inject: enabled`, so the AWS Load Balancer Controller's pod
   * readiness gate holds each new pod unready until the NLB sees it healthy. Default "unverified":
   * every preview and up warns that the label is needed, and the budget lists a rollout without
   * the gate as a drop event. This component does not read the namespace; "namespaceLabelled" is
   * your word for it (written on the Service as `ws-exposure.dev/pod-readiness-gate`, which the
   * policy pack checks against a Namespace in the same stack).
   */
  podReadinessGate?: string;
  /** azure: An internal load balancer (private address in the VNet). Default false: public. */
  internal?: boolean;
  /**
   * azure:
   * The rule's TCP idle timeout in minutes, 4..100 (cloud-provider-azure v1.28.0 and later; older
   * releases refuse more than 30). Default max(websocket.minLifetimeSeconds, 3 heartbeats) in whole
   * minutes, within 4..100: 60 for the default hour.
   */
  idleTimeoutMinutes?: number;
  /** custom: `spec.loadBalancerClass`. Default none (the cluster's default implementation). */
  loadBalancerClass?: string;
  /** custom: Annotations written on the LoadBalancer Service as given. Default none. */
  annotations?: Record<string, string>;
}

/**
 * The L4 path's own args: every L4Exposure arg but the ones a HybridExposure decides for both paths
 * (backend, websocket, knative, applyKnativeSettings, hostname). HybridExposure's `l4`.
 */
export interface HybridL4 extends L4PathFields {
  /**
   * Which load balancer gives the address: `{ type: "metallb" }` (default), "aws-nlb", "gcp",
   * "azure" or "custom" (see docs/L4-CLOUD.md). Every other choice than MetalLB conflicts with
   * addressPool, advertisement, metallbNamespace, legacyMetallbAnnotations and loadBalancerIP.
   */
  loadBalancer?: LoadBalancer;
  /** The MetalLB pool: created (dedicated, autoAssign false) or existing by name. Required with loadBalancer "metallb" (the default); conflicts with every other. */
  addressPool?: AddressPool;
  /**
   * How MetalLB announces the address. Default `{ type: "l2" }`. MetalLB only: conflicts with another
   * loadBalancer.type.
   */
  advertisement?: Advertisement;
  /**
   * "Local" (default) keeps the client IP, but traffic only enters nodes with a ready pod and moving the pods
   * can move the L2 leader; "Cluster" hides the client IP.
   */
  externalTrafficPolicy?: string;
  /**
   * ClientIP session affinity on the LoadBalancer Service (timeout 1..86400, default 10800). With tls
   * terminate it pins a client IP to one HAProxy pod, NOT to a backend pod (HAProxy's own connections
   * to the backend share the HAProxy pod's IP). Default: none.
   */
  sessionAffinity?: SessionAffinity;
  /** TLS: terminate (HAProxy), passthrough, none (explicit), or loadBalancer (at an AWS NLB). Required. */
  tls: L4Tls;
  /**
   * Knative route: "queue-proxy" (default: the pods' queue-proxy, port 8012, or 8013 for an h2c app;
   * min-scale >= 1), "ingress" (Knative's ingress, tls terminate only), or `{ forcePort8080: true }`.
   * Not for plain Services. Straight to the queue-proxy, kube-proxy picks a pod per connection among
   * every revision's ready pods: Route traffic splits and tags, and the activator's balancing by free
   * capacity, do not apply (see docs/L4.md).
   * Here `{ forcePort8080: true }` is spelled "forcePort8080".
   */
  route?: string;
  /**
   * The Knative Service's port name and containerConcurrency, as declared by its owner (Knative backends
   * only). Default http1, 0.
   */
  revision?: L4Revision;
  /**
   * Optional DNS-only record (A/AAAA, `proxied: false` always) for `hostname`. Needs the `cloudflare`
   * provider. target "loadBalancerIP" conflicts with loadBalancer.type "aws-nlb" (an NLB's address is a DNS
   * name).
   */
  dns?: L4Dns;
}

/** The backend and its Knative settings, as L4Exposure and TunnelExposure take them. */
export interface ExposureBackendArgs {
  /** The WebSocket backend: a Knative Service (usual) or a plain Service. Helpers go into its namespace. */
  backend: Backend;
  /** Heartbeat (default 5 s) and the lifetime a connection must be allowed (default 3600 s). */
  websocket?: WebSocket;
  /** Knative settings (Knative backends only; ignored for a plain Service); see KnativeSettingsArgs. */
  knative?: KnativeOptions;
  /** Create the KnativeSettings child `<name>-knative`. Default true; a HybridExposure passes false and applies them once itself. */
  applyKnativeSettings?: boolean;
}

/** L4ExposureArgs in a form every Pulumi language can give; see L4ExposureArgs for each field. */
export interface L4ExposurePackageArgs extends ExposureBackendArgs, HybridL4 {
  /**
   * What another path sharing this backend needs of Knative (set by HybridExposure); merged with this path's.
   * Default none.
   */
  knativeRequirements?: KnativeRequirements;
  /** Public DNS name clients connect to, e.g. `ws.example.com`. */
  hostname: string;
  /** A synthetic wsprobe monitor against `url`, in the backend's namespace. Default off. */
  monitor?: ExposureMonitor;
}

/** The tunnel: give create (a new named tunnel) or existingId. */
export interface Tunnel {
  /** Create a new tunnel. Conflicts with existingId. */
  create?: CreateTunnel;
  /** The existing tunnel's id (UUID). */
  existingId?: pulumi.Input<string>;
  /**
   * The tunnel's connector token (a secret). Conflicts with tokenSecret; one of the two is required when the
   * connector is deployed.
   */
  token?: pulumi.Input<string>;
  /** A Kubernetes Secret in the backend's namespace that already holds the token. Conflicts with token. */
  tokenSecret?: SecretKey;
}

/** A new tunnel. */
export interface CreateTunnel extends NewTunnelArgs {}

/** A key of a Secret. */
export interface SecretKey extends SecretKeyArgs {}

/** The cloudflared Deployment. */
export interface Connector extends ConnectorFields {
  /**
   * How a rolling update replaces connectors. "surge" (default): maxSurge 1, maxUnavailable 0, a new
   * connector is ready before an old one stops (never fewer than `replicas`), so at most 24 replicas.
   * "replace": maxSurge 0, maxUnavailable 1, an old connector stops before its replacement starts
   * (one fewer during the rollout), which allows 25.
   */
  rollout?: string;
  /** "preferred" spreads replicas across nodes when it can (a one-node homelab still schedules); "required" refuses to co-locate. Default "preferred". */
  spreadAcrossNodes?: string;
  /** Container resources. Default requests 50m CPU / 64Mi, limit 256Mi memory. */
  resources?: Resources;
}

/**
 * The tunnel path's own args: every TunnelExposure arg but the ones a HybridExposure decides for both
 * paths (backend, websocket, knative, applyKnativeSettings, knativeRequirements, hostname,
 * routeWebSocket). HybridExposure's `tunnel`.
 */
export interface HybridTunnel extends TunnelPathFields {
  /** Cloudflare account id. */
  accountId: pulumi.Input<string>;
  /** Tunnel to create or reuse. */
  tunnel: Tunnel;
  /**
   * "cloudflare-api" (default): this stack writes the tunnel's ingress configuration and a proxied CNAME.
   * "tunnel-ingress-crd": emits a `tunnel.cloudflare.io/v1alpha1` CloudflareTunnelIngress for an in-cluster
   * controller that owns the tunnel, connector and DNS (tunnel, zoneId and connector are then not used).
   */
  routeProvider?: string;
  /** The cloudflared connector Deployment. */
  connector?: Connector;
}

/** TunnelExposureArgs in a form every Pulumi language can give; see TunnelExposureArgs for each field. */
export interface TunnelExposurePackageArgs extends ExposureBackendArgs, HybridTunnel {
  /** What another path sharing this backend needs of Knative (set by HybridExposure). Default none. */
  knativeRequirements?: KnativeRequirements;
  /**
   * Public hostname clients connect to for the WebSocket (`wss://<hostname><path>`), e.g. `ws.example.com`.
   * Plain: validated before anything is created.
   */
  hostname: string;
  /** Route the WebSocket path through the tunnel. Default true (false: HTTP routes only). */
  routeWebSocket?: boolean;
  /** A synthetic wsprobe monitor against `url` (needs the WebSocket routed through the tunnel). Default off. */
  monitor?: ExposureMonitor;
}

/** KnativeSettingsComponentArgs in a form every Pulumi language can give. */
export interface KnativeSettingsPackageArgs {
  /** The existing Knative Service to patch. */
  backend: Backend;
  /** Heartbeat and lifetime the connection needs; timeoutSeconds defaults to minLifetimeSeconds. */
  websocket?: WebSocket;
  /** The settings; see KnativeSettingsArgs for each default. */
  knative?: KnativeOptions;
  /** What the exposing path needs beyond the defaults (set by the exposures). Default none. */
  requirements?: KnativeRequirements;
}

/** HybridExposureArgs in a form every Pulumi language can give; see HybridExposureArgs for each field. */
export interface HybridExposurePackageArgs {
  /** The service to expose, on both paths. */
  backend: Backend;
  /**
   * Client heartbeat and the lifetime a connection must be allowed. Defaults 5 s and 3600 s. Both paths are
   * held to it.
   */
  websocket?: WebSocket;
  /** Knative settings, applied once for both paths (the stricter of what each needs). */
  knative?: KnativeOptions;
  /** Hostname for HTTP, through the tunnel (every path). Must differ from wsHostname. */
  httpHostname: string;
  /** Hostname for the WebSocket, through L4 (a DNS-only record when `l4.dns` is set). Must differ from httpHostname. */
  wsHostname: string;
  /** Also route the WebSocket path through the tunnel, on httpHostname, for clients that cannot reach the L4 address. Default false. */
  fallback?: boolean;
  /** The tunnel path (see TunnelExposureArgs); routeWebSocket follows `fallback`. */
  tunnel: HybridTunnel;
  /** The L4 path (see L4ExposureArgs), on MetalLB by default or on a cloud load balancer (`l4.loadBalancer`). */
  l4: HybridL4;
  /**
   * Synthetic wsprobe monitors: one against wsUrl (`<name>-monitor`), and one against fallbackWsUrl
   * (`<name>-fallback-monitor`, always dialed at its public name) when `fallback` is on. Default off.
   */
  monitor?: ExposureMonitor;
}

/** WsMonitorArgs in a form every Pulumi language can give; see WsMonitorArgs for each field. */
export interface WsMonitorPackageArgs extends MonitorSettings {
  /** The public URL to probe, e.g. an exposure's `url` output (`wss://ws.example.com/ws`). Required. */
  url: pulumi.Input<string>;
  /**
   * Dial this address (`host` or `host:port`) instead of the URL's host; the TLS server name, the
   * certificate check and the Host header stay the URL's hostname (`wsprobe --connect-to`). For a
   * monitor inside the network of a public address that would need hairpin NAT: the LoadBalancer
   * address or the in-cluster Service. Default: the URL's host (the public path).
   */
  connectTo?: pulumi.Input<string>;
  /** Namespace of the monitor's Deployment, ConfigMap and Service. Required. */
  namespace: pulumi.Input<string>;
  /** Heartbeat (ping) interval in seconds, like the client's. Default 5 (the iOS client). */
  heartbeatSeconds?: number;
  /**
   * The lifetime the path's budget promises (seconds), usually the backend's `minLifetimeSeconds`:
   * `WsProbeShortLifetimes` counts the drops clearly younger than it (see shortLifetimeMarginSeconds).
   * Default 3600.
   */
  expectedMinLifetimeSeconds?: number;
}
