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
 * name because the schema names each type after the interface that declares it.
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
  L4RevisionFields,
  NewPoolArgs,
  SessionAffinityArgs,
} from "../l4/args";
import { BgpSessionSpec } from "../l4/metallb";
import { WsMonitorPrometheusOperatorArgs, WsMonitorSettingsFields } from "../monitor/args";
import { NewTunnelArgs, SecretKeyArgs } from "../tunnel/args";
import { ConnectorFields } from "../tunnel/connector";
import { HttpRoute, OriginRequest } from "../tunnel/ingressRules";

/** Heartbeat and the lifetime a connection must be allowed. */
export interface WebSocket extends WebSocketArgs {}

/** The admission check against Knative's webhook. */
export interface KnativeAdmissionCheck extends KnativeAdmissionCheckArgs {}

/** HAProxy's timeouts. */
export interface HaproxyTimeouts extends HaproxyTimeoutArgs {}

/** The WebSocket backend: give knativeService (a Knative Service) or service and port (a plain Service). */
export interface Backend {
  /** The Knative Service's name. */
  knativeService?: string;
  /** A plain Service's name (then port is required). */
  service?: string;
  /** The backend's namespace; helpers go there. */
  namespace: string;
  /** The plain Service's port. */
  port?: number;
  /** The WebSocket path. Default `/ws`. */
  path?: string;
  /** The cluster's DNS domain. Default `cluster.local`. */
  clusterDomain?: string;
}

/** Knative's cluster-wide settings as the component should assume or manage them. */
export interface KnativeCluster extends KnativeClusterFields {
  /** kubernetes.podspec-affinity: `disabled`, `enabled` or `manage`. */
  podspecAffinity?: string;
}

/** Knative settings (Knative backends only); see KnativeSettingsArgs for each default. */
export interface KnativeOptions extends KnativeSettingsFields {
  /** The admission check against Knative's webhook. */
  admissionCheck?: KnativeAdmissionCheck;
  /** Knative's cluster-wide settings. */
  cluster?: KnativeCluster;
}

/** A new MetalLB IPAddressPool. */
export interface CreatePool extends NewPoolArgs {}

/** The MetalLB pool: give create (a dedicated pool) or existing (a pool's name). */
export interface AddressPool {
  /** Create a dedicated pool. Conflicts with existing. */
  create?: CreatePool;
  /** Use this existing pool, by name. Conflicts with create. */
  existing?: string;
  /** With existing: the pool's addresses, to check loadBalancerIP against. Default not checked. */
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
  /** `l2`, `bgp` or `none`. */
  type: string;
  /** l2: announce only from these node interfaces. Default all. */
  interfaces?: string[];
  /** l2, bgp: the nodes that announce. Default all. */
  nodeSelectors?: LabelSelector[];
  /** bgp: BGPPeers to create; the advertisement is limited to them (plus existingPeers). Default none. */
  peers?: BgpPeer[];
  /** bgp: existing BGPPeers by name. Default none: with no peers at all, every configured peer. */
  existingPeers?: string[];
  /** bgp: roll /32s up into a larger prefix. Default 32 (MetalLB). */
  aggregationLength?: number;
  /** bgp: the LOCAL_PREF attribute. Default MetalLB's. */
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
  /** `Issuer` or `ClusterIssuer`. Default `ClusterIssuer`. */
  issuerKind?: string;
  /** Certificate duration, Go duration. Default cert-manager's (2160h). */
  duration?: string;
  /** Renew this long before expiry. Default cert-manager's (1/3 of duration). */
  renewBefore?: string;
  /** How long `pulumi up` waits for the Certificate's Ready condition, 30..7200. Default 600. */
  readyTimeoutSeconds?: number;
  /** The private key: `ECDSA` (default, P-256) or `RSA` (2048 bits, for clients without ECDSA support). */
  keyAlgorithm?: string;
}

/** The certificate HAProxy serves: give secretName or certManager. */
export interface Certificate {
  /** An existing kubernetes.io/tls Secret in the backend's namespace. */
  secretName?: string;
  /** Have cert-manager issue it. */
  certManager?: CertManager;
}

/** CPU and memory for a Deployment's container. */
export interface Resources extends ResourcesArgs {}

/** Opt-in prometheus-operator objects of a monitor: a ServiceMonitor and a PrometheusRule. */
export interface MonitorPrometheusOperator extends WsMonitorPrometheusOperatorArgs {}

/** What a WsMonitor and an exposure's `monitor` share (see WsMonitorArgs for each field). */
export interface MonitorSettings extends WsMonitorSettingsFields {
  /** Container resources. Default requests 10m CPU / 48Mi, limit 128Mi memory, no CPU limit. */
  resources?: Resources;
  /** ServiceMonitor and PrometheusRule. Default disabled. */
  prometheusOperator?: MonitorPrometheusOperator;
}

/**
 * An exposure's synthetic wsprobe monitor against its own URL (ExposureMonitorArgs); heartbeat and
 * the promised lifetime come from the exposure's `websocket`.
 */
export interface ExposureMonitor extends MonitorSettings {
  /** Deploy the monitor. */
  enabled: boolean;
  /** Namespace of the monitor. Default the backend's namespace. */
  namespace?: string;
  /**
   * Where an L4 path's monitor dials (SNI and Host stay the public hostname): `service` (default on
   * L4: the LoadBalancer Service's in-cluster name), `loadBalancer` (the pinned loadBalancerIP;
   * refused when it is not pinned) or `public`. The tunnel path takes only `public` (leave it unset).
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
  /** Seconds over which the old process's connections are closed; 1..86400 and at most hardStopAfterSeconds - 2. Default five sixths of hardStopAfterSeconds (50 of 60), whole seconds, at most hardStopAfterSeconds - 2. */
  windowSeconds?: number;
  /** Who goes first: `oldest` (default: the longest-lived connections) or `random`. */
  order?: string;
  /** The sidecar's pinned stock Node image (never `latest`). Default `node:24.19.0-alpine3.24`. */
  image?: string;
}

/**
 * Shared TLS session-ticket keys (SessionTicketArgs): give keys (the component writes the Secret
 * `<name>-haproxy-tickets`) or secretName (an existing Secret with key `tls-ticket-keys`), not both.
 */
export interface SessionTickets {
  /** Exactly 3 keys, oldest first, each the base64 of 80 random bytes (`openssl rand 80 | openssl base64 -A`); give them as Pulumi secrets (they stay secrets). Conflicts with secretName. */
  keys?: pulumi.Input<string>[];
  /** An existing Secret in the backend's namespace holding the keys file under key `tls-ticket-keys`. Conflicts with keys. */
  secretName?: string;
}

/** The HAProxy Deployment that terminates TLS. */
export interface Haproxy extends HaproxyFields {
  /** HAProxy's timeouts. */
  timeouts?: HaproxyTimeouts;
  /** Container resources, merged over the defaults (memory 64Mi + 64 KiB per maxconn connection; CPU request 50m). */
  resources?: Resources;
  /** The paced drain of an old process's connections. Default on (`{}`): five sixths of hardStopAfterSeconds, oldest first; `{ enabled: false }` turns it off. */
  drain?: HaproxyDrain;
  /** TLS session resumption across replicas and reloads. Default none: `no-tls-tickets`, every reconnect a full handshake. */
  sessionTickets?: SessionTickets;
}

/** TLS: mode `terminate` (HAProxy), `passthrough`, `none` or `loadBalancer`, with that mode's fields. */
export interface L4Tls {
  /** `terminate`, `passthrough`, `none` or `loadBalancer` (TLS ends at an AWS NLB: needs loadBalancer.type `aws-nlb` with certificateArn; refused with any other load balancer). */
  mode: string;
  /** terminate: the certificate. */
  certificate?: Certificate;
  /** terminate: HAProxy's settings. */
  haproxy?: Haproxy;
  /** passthrough: the pods' named TLS port; none, loadBalancer: the pods' port of a plain Service backend (a name, or a number written as digits). */
  targetPort?: string;
  /** none: must be true. */
  acknowledgeInsecure?: boolean;
}

/** The Knative Service's port name and containerConcurrency, as declared by its owner. */
export interface L4Revision extends L4RevisionFields {
  /** `http1` (default) or `h2c`. */
  portName?: string;
}

/** A DNS-only record for the hostname. */
export interface L4Dns {
  /** Cloudflare zone id. */
  zoneId: pulumi.Input<string>;
  /** `loadBalancerIP` (the Service's address) or an IP address. */
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
  /** `metallb` (default), `aws-nlb` (AWS Load Balancer Controller v2.3.0+; v2.9.0+ for its idle timeout), `gcp` (GKE), `azure` (cloud-provider-azure) or `custom`. */
  type: string;
  /** aws-nlb: `internet-facing` (default) or `internal`; gcp: `external` (default, backend service-based, GKE 1.25.5+) or `internal`. */
  scheme?: string;
  /** aws-nlb: `ip` (default: the pods are the targets; needs the Amazon VPC CNI) or `instance` (the nodes' NodePort). */
  targetType?: string;
  /** aws-nlb: cross-zone load balancing. Default true. */
  crossZone?: boolean;
  /** aws-nlb: the TCP listener's idle timeout, 60..6000; conflicts with certificateArn (a TLS listener's is fixed at 350 s). custom: the load balancer's documented idle timeout, for the budget. Default aws-nlb: max(websocket.minLifetimeSeconds, 3 heartbeats) within 60..6000; custom: none (no idle timer assumed). */
  idleTimeoutSeconds?: number;
  /** aws-nlb: ACM certificate ARN; TLS ends at the NLB (a TLS listener). Needs tls.mode `loadBalancer`. Default none: a TCP listener passes TLS through. */
  certificateArn?: string;
  /** aws-nlb: send a PROXY protocol v2 header so HAProxy sees the client address; needs tls.mode `terminate`. Default false. */
  proxyProtocol?: boolean;
  /** aws-nlb: target group deregistration delay, 0..3600. Default 300 (AWS's). */
  deregistrationDelaySeconds?: number;
  /** aws-nlb: the TLS listener's security policy (with certificateArn only). Default `ELBSecurityPolicy-TLS13-1-2-2021-06` (TLS 1.2 and 1.3); only a policy limited to TLS 1.2 and later is taken (`ELBSecurityPolicy-TLS13-1-2-*`, `-TLS13-1-3-*`, `-TLS-1-2-*`, `-FS-1-2-*`). */
  sslNegotiationPolicy?: string;
  /** aws-nlb: whether the AWS Load Balancer Controller gives the NLB its own frontend security group and enforces loadBalancerSourceRanges in it, for `ip` targets too. Default true (controller v2.6.0+, feature gate NLBSecurityGroup on by default); false for an older controller or the gate off, and writes `aws-load-balancer-disable-nlb-sg: "true"`. Changing it replaces the NLB. */
  managedSecurityGroup?: boolean;
  /** aws-nlb, `ip` targets only: `namespaceLabelled` says the pods' namespace carries `elbv2.k8s.aws/pod-readiness-gate-inject: enabled` (the AWS Load Balancer Controller's pod readiness gate): no readiness-gate warning at preview and up, no such drop event in the budget, and the Service carries `ws-exposure.dev/pod-readiness-gate: namespaceLabelled` for the policy pack to check. Default `unverified`: the warning. */
  podReadinessGate?: string;
  /** azure: an internal load balancer (a private address in the VNet). Default false: public. */
  internal?: boolean;
  /** azure: the rule's TCP idle timeout in minutes, 4..100 (cloud-provider-azure v1.28.0 and later). Default max(websocket.minLifetimeSeconds, 3 heartbeats) in whole minutes, within 4..100. */
  idleTimeoutMinutes?: number;
  /** custom: `spec.loadBalancerClass`. Default none (the cluster's default implementation). */
  loadBalancerClass?: string;
  /** custom: annotations written on the LoadBalancer Service as given. Default none. */
  annotations?: Record<string, string>;
}

/**
 * The L4 path's own args: every L4Exposure arg but the ones a HybridExposure decides for both paths
 * (backend, websocket, knative, applyKnativeSettings, hostname). HybridExposure's `l4`.
 */
export interface HybridL4 {
  /** Which load balancer gives the address. Default `{ type: "metallb" }`; any other type conflicts with addressPool, advertisement, metallbNamespace, legacyMetallbAnnotations and loadBalancerIP. */
  loadBalancer?: LoadBalancer;
  /** The MetalLB pool: created (dedicated, autoAssign false) or existing by name. Required with loadBalancer.type `metallb` (the default); conflicts with every other type. */
  addressPool?: AddressPool;
  /** MetalLB's namespace. Default `metallb-system`. MetalLB only. */
  metallbNamespace?: string;
  /** Also write the MetalLB annotations under the deprecated `metallb.universe.tf/` prefix. Default true. MetalLB only. */
  legacyMetallbAnnotations?: boolean;
  /** How the address is announced. Default `{ type: "l2" }`. MetalLB only. */
  advertisement?: Advertisement;
  /** Pin the Service's address; must lie in the pool. Default: MetalLB picks one. MetalLB only. */
  loadBalancerIP?: string;
  /** Port on the load balancer. Default 443 (terminate, passthrough, loadBalancer), 80 (none). */
  port?: number;
  /** `Local` (default) or `Cluster`. */
  externalTrafficPolicy?: string;
  /** Client CIDR allowlist for the LoadBalancer. Default: everyone. */
  loadBalancerSourceRanges?: string[];
  /** ClientIP session affinity on the LoadBalancer Service. Default: none. */
  sessionAffinity?: SessionAffinity;
  /** TLS: terminate (HAProxy), passthrough, none (explicit), or loadBalancer (at an AWS NLB). Required. */
  tls: L4Tls;
  /** Knative route: `queue-proxy` (default), `ingress` or `forcePort8080`. */
  route?: string;
  /** The Knative Service's port name and containerConcurrency. */
  revision?: L4Revision;
  /** Pod labels of a plain Service backend. */
  podSelector?: Record<string, string>;
  /** Optional DNS-only record for `hostname` (a HybridExposure's wsHostname). Needs the `cloudflare` provider. target `loadBalancerIP` conflicts with loadBalancer.type `aws-nlb` (an NLB's address is a DNS name). */
  dns?: L4Dns;
  /** kube-proxy's conntrack established timeout, for the budget. Default 86400. */
  conntrackEstablishedTimeoutSeconds?: number;
}

/** The backend and its Knative settings, as L4Exposure and TunnelExposure take them. */
export interface ExposureBackendArgs {
  /** The WebSocket backend: a Knative Service (usual) or a plain Service. */
  backend: Backend;
  /** Heartbeat (default 5 s) and the lifetime a connection must be allowed (default 3600 s). */
  websocket?: WebSocket;
  /** Knative settings (Knative backends only). */
  knative?: KnativeOptions;
  /** Create the KnativeSettings child `<name>-knative`. Default true. */
  applyKnativeSettings?: boolean;
}

/** L4ExposureArgs in a form every Pulumi language can give; see L4ExposureArgs for each field. */
export interface L4ExposurePackageArgs extends ExposureBackendArgs, HybridL4 {
  /** What another path sharing this backend needs of Knative (a HybridExposure sets it); merged with this path's. Default none. */
  knativeRequirements?: KnativeRequirements;
  /** Public DNS name clients connect to, e.g. `ws.example.com`. */
  hostname: string;
  /** A synthetic wsprobe monitor against `url`, in the backend's namespace. Default off. */
  monitor?: ExposureMonitor;
}

/** The tunnel: give create (a new named tunnel) or existingId. */
export interface Tunnel {
  /** Create a tunnel with this name. */
  create?: CreateTunnel;
  /** An existing tunnel's id. */
  existingId?: pulumi.Input<string>;
  /** The existing tunnel's token. */
  token?: pulumi.Input<string>;
  /** A Secret holding the existing tunnel's token. */
  tokenSecret?: SecretKey;
}

/** A new tunnel. */
export interface CreateTunnel extends NewTunnelArgs {}

/** A key of a Secret. */
export interface SecretKey extends SecretKeyArgs {}

/** The cloudflared Deployment. */
export interface Connector extends ConnectorFields {
  /** `surge` or `replace`. */
  rollout?: string;
  /** `preferred` or `required`. */
  spreadAcrossNodes?: string;
  /** Container resources. Default requests 50m CPU / 64Mi, limit 256Mi memory. */
  resources?: Resources;
}

/**
 * The tunnel path's own args: every TunnelExposure arg but the ones a HybridExposure decides for both
 * paths (backend, websocket, knative, applyKnativeSettings, knativeRequirements, hostname,
 * routeWebSocket). HybridExposure's `tunnel`.
 */
export interface HybridTunnel {
  /** The Cloudflare account. */
  accountId: pulumi.Input<string>;
  /** The zone of hostname (cloudflare-api routes: the DNS record). */
  zoneId?: pulumi.Input<string>;
  /** The tunnel: created or existing. */
  tunnel: Tunnel;
  /** `cloudflare-api` (default) or `tunnel-ingress-crd`. */
  routeProvider?: string;
  /** Extra HTTP routes on the same hostname. */
  httpRoutes?: HttpRoute[];
  /** cloudflared's origin request settings. */
  originRequest?: OriginRequest;
  /** Cloudflare's edge idle timeout, for the budget. */
  edgeIdleTimeoutSeconds?: number;
  /** The cloudflared Deployment. */
  connector?: Connector;
}

/** TunnelExposureArgs in a form every Pulumi language can give; see TunnelExposureArgs for each field. */
export interface TunnelExposurePackageArgs extends ExposureBackendArgs, HybridTunnel {
  /** What the path needs of Knative beyond the defaults. */
  knativeRequirements?: KnativeRequirements;
  /** Public DNS name clients connect to. */
  hostname: string;
  /** Route the WebSocket path (default true). */
  routeWebSocket?: boolean;
  /** A synthetic wsprobe monitor against `url`; needs routeWebSocket true. Default off. */
  monitor?: ExposureMonitor;
}

/** KnativeSettingsComponentArgs in a form every Pulumi language can give. */
export interface KnativeSettingsPackageArgs {
  /** The existing Knative Service to patch (knativeService and namespace). */
  backend: Backend;
  /** Heartbeat and lifetime the connection needs; timeoutSeconds defaults to minLifetimeSeconds. */
  websocket?: WebSocket;
  /** The settings; see KnativeSettingsArgs for each default. */
  knative?: KnativeOptions;
  /** What the exposing path needs beyond the defaults. Default none. */
  requirements?: KnativeRequirements;
}

/** HybridExposureArgs in a form every Pulumi language can give; see HybridExposureArgs for each field. */
export interface HybridExposurePackageArgs {
  /** The service to expose, on both paths: a Knative Service (usual) or a plain Service. */
  backend: Backend;
  /** Heartbeat (default 5 s) and the lifetime a connection must be allowed (default 3600 s); both paths are held to it. */
  websocket?: WebSocket;
  /** Knative settings (Knative backends only), applied once for both paths (the stricter of what each needs). */
  knative?: KnativeOptions;
  /** Hostname for HTTP, through the tunnel. Must differ from wsHostname. */
  httpHostname: string;
  /** Hostname for the WebSocket, through L4 (a DNS-only record when `l4.dns` is set). Must differ from httpHostname. */
  wsHostname: string;
  /** Also route the WebSocket path through the tunnel, on httpHostname, for clients that cannot reach the L4 address. Default false. */
  fallback?: boolean;
  /** The tunnel path (TunnelExposure's args but the shared ones and routeWebSocket, which follows `fallback`). */
  tunnel: HybridTunnel;
  /** The L4 path (L4Exposure's args but the shared ones and hostname, which is wsHostname). */
  l4: HybridL4;
  /** Synthetic wsprobe monitors: one against wsUrl (`<name>-monitor`), and one against fallbackWsUrl (`<name>-fallback-monitor`, always dialed at its public name) when `fallback` is on. Default off. */
  monitor?: ExposureMonitor;
}

/** WsMonitorArgs in a form every Pulumi language can give; see WsMonitorArgs for each field. */
export interface WsMonitorPackageArgs extends MonitorSettings {
  /** The public `ws://` or `wss://` URL to probe, e.g. an exposure's `url` output. Required. */
  url: pulumi.Input<string>;
  /** Dial this `host` or `host:port` instead of the URL's host (`wsprobe --connect-to`); TLS server name, certificate check and Host stay the URL's. Default the URL's host. */
  connectTo?: pulumi.Input<string>;
  /** Namespace of the monitor's Deployment, ConfigMap and Service. Required. */
  namespace: pulumi.Input<string>;
  /** Heartbeat (ping) interval in seconds, like the client's. Default 5. */
  heartbeatSeconds?: number;
  /** The lifetime the path's budget promises, seconds (usually the backend's minLifetimeSeconds). Default 3600. */
  expectedMinLifetimeSeconds?: number;
}
