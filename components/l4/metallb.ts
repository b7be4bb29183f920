/**
 * MetalLB objects (checked against MetalLB 0.16's CRD schemas): `IPAddressPool`,
 * `L2Advertisement` and `BGPAdvertisement` are `metallb.io/v1beta1`; `BGPPeer` is
 * `metallb.io/v1beta2` (v1beta1 is deprecated). Pure builders: metadata + spec, no Pulumi.
 */

export const METALLB_V1BETA1 = "metallb.io/v1beta1";
export const METALLB_V1BETA2 = "metallb.io/v1beta2";
/**
 * Service annotations. MetalLB reads `metallb.io/*` only from 0.14.9; 0.13.0 to 0.14.8 read only
 * `metallb.universe.tf/*`; 0.14.9 and later read both, the `metallb.io/` value first, and log a
 * "deprecatedAnnotation" warning event for the old prefix (controller/service.go).
 */
export const ANNOTATION_ADDRESS_POOL = "metallb.io/address-pool";
export const ANNOTATION_LOADBALANCER_IPS = "metallb.io/loadBalancerIPs";
export const LEGACY_ANNOTATION_ADDRESS_POOL = "metallb.universe.tf/address-pool";
export const LEGACY_ANNOTATION_LOADBALANCER_IPS = "metallb.universe.tf/loadBalancerIPs";

/** A Kubernetes label selector, as MetalLB's nodeSelectors take it. */
export interface LabelSelector {
  /** Labels a node must carry, all of them. Default none. */
  matchLabels?: Record<string, string>;
  /** Requirements a node must meet, all of them. Default none. */
  matchExpressions?: {
    /** The label key. */
    key: string;
    /** In, NotIn, Exists or DoesNotExist. */
    operator: "In" | "NotIn" | "Exists" | "DoesNotExist";
    /** The values (In, NotIn); none for Exists and DoesNotExist. */
    values?: string[];
  }[];
}

export interface MetalObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace: string; labels?: Record<string, string> };
  spec: Record<string, unknown>;
}

export function ipAddressPool(
  name: string,
  namespace: string,
  spec: { addresses: string[]; autoAssign: boolean; avoidBuggyIPs?: boolean },
  labels?: Record<string, string>,
): MetalObject {
  const body: Record<string, unknown> = { addresses: [...spec.addresses], autoAssign: spec.autoAssign };
  if (spec.avoidBuggyIPs !== undefined) body.avoidBuggyIPs = spec.avoidBuggyIPs;
  return {
    apiVersion: METALLB_V1BETA1,
    kind: "IPAddressPool",
    metadata: { name, namespace, labels },
    spec: body,
  };
}

export function l2Advertisement(
  name: string,
  namespace: string,
  spec: { pool: string; interfaces?: string[]; nodeSelectors?: LabelSelector[] },
  labels?: Record<string, string>,
): MetalObject {
  const body: Record<string, unknown> = { ipAddressPools: [spec.pool] };
  if (spec.interfaces?.length) body.interfaces = [...spec.interfaces];
  if (spec.nodeSelectors?.length) body.nodeSelectors = spec.nodeSelectors;
  return {
    apiVersion: METALLB_V1BETA1,
    kind: "L2Advertisement",
    metadata: { name, namespace, labels },
    spec: body,
  };
}

export interface BgpAdvertisementSpec {
  pool: string;
  /** BGPPeer names to announce to; empty = every peer. */
  peers?: string[];
  aggregationLength?: number;
  localPref?: number;
  communities?: string[];
  nodeSelectors?: LabelSelector[];
}

export function bgpAdvertisement(
  name: string,
  namespace: string,
  spec: BgpAdvertisementSpec,
  labels?: Record<string, string>,
): MetalObject {
  const body: Record<string, unknown> = { ipAddressPools: [spec.pool] };
  if (spec.peers?.length) body.peers = [...spec.peers];
  if (spec.aggregationLength !== undefined) body.aggregationLength = spec.aggregationLength;
  if (spec.localPref !== undefined) body.localPref = spec.localPref;
  if (spec.communities?.length) body.communities = [...spec.communities];
  if (spec.nodeSelectors?.length) body.nodeSelectors = spec.nodeSelectors;
  return {
    apiVersion: METALLB_V1BETA1,
    kind: "BGPAdvertisement",
    metadata: { name, namespace, labels },
    spec: body,
  };
}

/** A BGP session with one router: a BGPPeer's spec but its nodeSelectors. */
export interface BgpSessionSpec {
  /** The cluster's AS number. */
  myASN: number;
  /** The router's AS number. */
  peerASN: number;
  /** The router's address. */
  peerAddress: string;
  /** The router's BGP port. Default MetalLB's (179). */
  peerPort?: number;
  /** BGP hold time, Go duration. Default MetalLB's. */
  holdTime?: string;
  /** BGP keepalive time, Go duration. Default MetalLB's. */
  keepaliveTime?: string;
  /** The router is more than one hop away (eBGP multi-hop). Default false. */
  ebgpMultiHop?: boolean;
  /** The address the session is opened from. Default MetalLB's choice. */
  sourceAddress?: string;
  /** Name of a `kubernetes.io/basic-auth` Secret in MetalLB's namespace holding the MD5 password. Default none. */
  passwordSecret?: string;
  /** A MetalLB BFDProfile's name. Default none. */
  bfdProfile?: string;
}

export interface BgpPeerSpec extends BgpSessionSpec {
  /** The nodes that peer with this router. Default all. */
  nodeSelectors?: LabelSelector[];
}

export function bgpPeer(
  name: string,
  namespace: string,
  spec: BgpPeerSpec,
  labels?: Record<string, string>,
): MetalObject {
  const body: Record<string, unknown> = {
    myASN: spec.myASN,
    peerASN: spec.peerASN,
    peerAddress: spec.peerAddress,
  };
  if (spec.peerPort !== undefined) body.peerPort = spec.peerPort;
  if (spec.holdTime !== undefined) body.holdTime = spec.holdTime;
  if (spec.keepaliveTime !== undefined) body.keepaliveTime = spec.keepaliveTime;
  if (spec.ebgpMultiHop !== undefined) body.ebgpMultiHop = spec.ebgpMultiHop;
  if (spec.sourceAddress !== undefined) body.sourceAddress = spec.sourceAddress;
  // MetalLB reads the Secret by name in its own namespace (type kubernetes.io/basic-auth).
  if (spec.passwordSecret !== undefined) body.passwordSecret = { name: spec.passwordSecret, namespace };
  if (spec.bfdProfile !== undefined) body.bfdProfile = spec.bfdProfile;
  if (spec.nodeSelectors?.length) body.nodeSelectors = spec.nodeSelectors;
  return { apiVersion: METALLB_V1BETA2, kind: "BGPPeer", metadata: { name, namespace, labels }, spec: body };
}

/**
 * The LoadBalancer Service's MetalLB annotations: pool always, pinned address when given. With
 * `legacy` (the default) each under both prefixes, so that every MetalLB from 0.13.0 reads them.
 */
export function serviceAnnotations(
  pool: string,
  loadBalancerIPs?: string[],
  legacy = true,
): Record<string, string> {
  const annotations: Record<string, string> = { [ANNOTATION_ADDRESS_POOL]: pool };
  if (legacy) annotations[LEGACY_ANNOTATION_ADDRESS_POOL] = pool;
  if (loadBalancerIPs?.length) {
    annotations[ANNOTATION_LOADBALANCER_IPS] = loadBalancerIPs.join(",");
    if (legacy) annotations[LEGACY_ANNOTATION_LOADBALANCER_IPS] = loadBalancerIPs.join(",");
  }
  return annotations;
}
