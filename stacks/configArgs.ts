/**
 * Which component argument each stack config key becomes, so that a component's ValidationError
 * reads in the vocabulary of the stack file: `ws-exposure:l4Port`, not `port`. The components keep
 * their own messages (an importing program sees its own argument names); the stack program rewords
 * them when it rethrows (buildExposure).
 */
import { ValidationError } from "../components/core/validation";
import { CONFIG_NAMESPACE, StackConfigError } from "./configErrors";

export type StackMode = "tunnel" | "l4" | "hybrid";

/** Argument path -> config key. `[]` stands for any index and carries over to the key (`httpRoutes[].path` -> `httpPaths[]`). */
export type ArgKeys = Readonly<Record<string, string>>;

/** What every exposure reads the same way: backend, websocket, Knative settings, the monitor switch. */
const COMMON: ArgKeys = {
  "backend.knativeService": "knativeService",
  "backend.service": "service",
  "backend.port": "servicePort",
  "backend.namespace": "namespace",
  "backend.path": "path",
  "backend.clusterDomain": "clusterDomain",
  "websocket.heartbeatSeconds": "heartbeatSeconds",
  "websocket.minLifetimeSeconds": "minLifetimeSeconds",
  "knative.minScale": "minScale",
  "knative.maxScale": "maxScale",
  "knative.timeoutSeconds": "timeoutSeconds",
  "knative.targetConcurrency": "targetConcurrency",
  "knative.antiAffinity": "antiAffinity",
  "knative.forceConflicts": "forceConflicts",
  "knative.cluster.namespace": "knativeNamespace",
  "knative.cluster.maxRevisionTimeoutSeconds": "maxRevisionTimeoutSeconds",
  "knative.cluster.manageMaxRevisionTimeout": "manageMaxRevisionTimeout",
  "knative.cluster.podspecAffinity": "podspecAffinity",
  "knative.cluster.ingressStreamIdleTimeoutSeconds": "ingressStreamIdleTimeoutSeconds",
  "knative.cluster.manageIngressStreamIdleTimeout": "manageIngressStreamIdleTimeout",
  "knative.cluster.version": "knativeVersion",
  "knative.admissionCheck.enabled": "knativeAdmissionCheck",
  "knative.admissionCheck.waitSeconds": "knativeAdmissionWaitSeconds",
  monitor: "monitorEnabled",
  "monitor.enabled": "monitorEnabled",
  "monitor.connections": "monitorConnections",
  "monitor.prometheusOperator.enabled": "monitorPrometheusOperator",
  "monitor.prometheusOperator.labels.release": "monitorPrometheusRelease",
  "monitor.dial": "monitorDial",
};

/** A WsMonitor an exposure builds (owner `<Exposure> "<name>" monitor`): its args come from these keys. */
const MONITOR: ArgKeys = {
  heartbeatSeconds: "heartbeatSeconds",
  expectedMinLifetimeSeconds: "minLifetimeSeconds",
  connections: "monitorConnections",
  "prometheusOperator.enabled": "monitorPrometheusOperator",
  "prometheusOperator.labels.release": "monitorPrometheusRelease",
};

/** TunnelExposure's own args (stacks/modes/tunnel.ts), without the hostname (it depends on the mode). */
const TUNNEL: ArgKeys = {
  accountId: "accountId",
  zoneId: "zoneId",
  "tunnel.create.name": "tunnelName",
  "tunnel.existingId": "tunnelId",
  "tunnel.token": "tunnelToken",
  routeProvider: "routeProvider",
  edgeIdleTimeoutSeconds: "edgeIdleTimeoutSeconds",
  "httpRoutes[].path": "httpPaths[]",
  "connector.replicas": "connectorReplicas",
  "connector.image": "connectorImage",
  "connector.gracePeriodSeconds": "connectorGracePeriodSeconds",
  "connector.terminationGracePeriodSeconds": "connectorTerminationGracePeriodSeconds",
  "connector.spreadAcrossNodes": "connectorSpread",
  "connector.rollout": "connectorRollout",
};

/** L4Exposure's own args (stacks/modes/l4.ts), without the hostname. */
const L4: ArgKeys = {
  "loadBalancer.type": "l4LoadBalancer",
  "loadBalancer.scheme": "l4LoadBalancerScheme",
  "loadBalancer.idleTimeoutSeconds": "l4LoadBalancerIdleTimeoutSeconds",
  "loadBalancer.targetType": "awsNlbTargetType",
  "loadBalancer.crossZone": "awsNlbCrossZone",
  "loadBalancer.certificateArn": "awsNlbCertificateArn",
  "loadBalancer.proxyProtocol": "awsNlbProxyProtocol",
  "loadBalancer.deregistrationDelaySeconds": "awsNlbDeregistrationDelaySeconds",
  "loadBalancer.sslNegotiationPolicy": "awsNlbSslNegotiationPolicy",
  "loadBalancer.managedSecurityGroup": "awsNlbManagedSecurityGroup",
  "loadBalancer.podReadinessGate": "awsNlbPodReadinessGate",
  "loadBalancer.internal": "azureInternal",
  "loadBalancer.idleTimeoutMinutes": "azureIdleTimeoutMinutes",
  "loadBalancer.loadBalancerClass": "customLoadBalancerClass",
  "loadBalancer.annotations": "customLoadBalancerAnnotations",
  "addressPool.create.addresses": "l4Addresses",
  "addressPool.create.autoAssign": "l4AutoAssign",
  "addressPool.existing": "l4PoolName",
  metallbNamespace: "metallbNamespace",
  legacyMetallbAnnotations: "legacyMetallbAnnotations",
  "advertisement.type": "l4Advertisement",
  "advertisement.interfaces": "l4Interfaces",
  loadBalancerIP: "loadBalancerIP",
  port: "l4Port",
  externalTrafficPolicy: "externalTrafficPolicy",
  loadBalancerSourceRanges: "loadBalancerSourceRanges",
  "sessionAffinity.timeoutSeconds": "sessionAffinityTimeoutSeconds",
  "tls.mode": "tlsMode",
  "tls.certificate.secretName": "tlsSecretName",
  "tls.certificate.certManager.issuerName": "certManagerIssuer",
  "tls.certificate.certManager.issuerKind": "certManagerIssuerKind",
  "tls.targetPort": "tlsTargetPort",
  "tls.acknowledgeInsecure": "acknowledgeInsecure",
  "tls.haproxy.replicas": "haproxyReplicas",
  "tls.haproxy.image": "haproxyImage",
  "tls.haproxy.maxconn": "haproxyMaxconn",
  "tls.haproxy.timeouts.tunnelSeconds": "haproxyTunnelTimeoutSeconds",
  "tls.haproxy.preStopSeconds": "haproxyPreStopSeconds",
  "tls.haproxy.hardStopAfterSeconds": "haproxyHardStopAfterSeconds",
  "tls.haproxy.drain.windowSeconds": "haproxyDrainWindowSeconds",
  "tls.haproxy.drain.order": "haproxyDrainOrder",
  "tls.haproxy.sessionTickets.secretName": "haproxySessionTicketsSecret",
  "tls.certificate.certManager.keyAlgorithm": "certManagerKeyAlgorithm",
  route: "l4Route",
  "revision.portName": "knativePortName",
  "revision.containerConcurrency": "knativeContainerConcurrency",
  "dns.target": "l4DnsTarget",
  "dns.zoneId": "zoneId",
};

function prefixed(prefix: string, keys: ArgKeys): ArgKeys {
  return Object.fromEntries(Object.entries(keys).map(([arg, key]) => [`${prefix}${arg}`, key]));
}

/** The components a mode builds, by kind, each with the config key behind every argument it validates. */
export function argKeysFor(mode: StackMode): Readonly<Record<string, ArgKeys>> {
  const tunnelHostname = mode === "hybrid" ? "httpHostname" : "hostname";
  return {
    TunnelExposure: {
      ...COMMON,
      ...TUNNEL,
      hostname: tunnelHostname,
      // The tunnel budget's fix names it as a HybridExposure would (components/budget/hops.ts).
      "tunnel.edgeIdleTimeoutSeconds": "edgeIdleTimeoutSeconds",
    },
    L4Exposure: { ...COMMON, ...L4, hostname: "hostname" },
    HybridExposure: {
      ...COMMON,
      httpHostname: "httpHostname",
      wsHostname: "hostname",
      fallback: "fallback",
      ...prefixed("tunnel.", TUNNEL),
      ...prefixed("l4.", L4),
    },
    KnativeSettings: COMMON,
    WsMonitor: MONITOR,
  };
}

/**
 * The config key an argument path comes from: an exact entry, or an entry the path indexes into
 * (`addressPool.create.addresses[1]` -> `ws-exposure:l4Addresses[1]`). Undefined when no key sets it.
 */
export function configKeyOf(argPath: string, keys: ArgKeys): string | undefined {
  const indices = [...argPath.matchAll(/\[(\d+)\]/g)].map((m) => m[1]);
  const pattern = argPath.replace(/\[\d+\]/g, "[]");
  let best: string | undefined;
  for (const entry of Object.keys(keys)) {
    const matches = pattern === entry || pattern.startsWith(`${entry}[`);
    if (matches && (best === undefined || entry.length > best.length)) best = entry;
  }
  if (best === undefined) return undefined;
  const used = (best.match(/\[\]/g) ?? []).length;
  let i = 0;
  const key = keys[best].replace(/\[\]/g, () => `[${indices[i++]}]`);
  // What the path adds beyond the entry, with its own indices.
  let rest = pattern.slice(best.length);
  i = used;
  rest = rest.replace(/\[\]/g, () => `[${indices[i++]}]`);
  return `${CONFIG_NAMESPACE}:${key}${rest}`;
}

/** Identifiers in a message: dotted/indexed paths or camelCase names (never a plain English word). */
const IDENTIFIER = /(?<![\w.:[\]"-])([a-zA-Z]\w*(?:\.[a-zA-Z]\w*|\[\d+\])+|[a-z]+[A-Z]\w*)(?![\w"])/g;

/** Rewrites every argument path a message names into the config key it comes from. */
export function inConfigVocabulary(text: string, keys: ArgKeys): string {
  return text.replace(IDENTIFIER, (token: string) => configKeyOf(token, keys) ?? token);
}

const OWNER = /^(\w+) "[^"]*"( monitor)?$/;

/**
 * A component's ValidationError, reworded for the stack file: the config key the user wrote, then
 * the component argument in brackets (`stack config: ws-exposure:l4Port must be ... [L4Exposure
 * "staging": port]`). When no single key sets the argument (the path's budget, `websocket`), the
 * component's message stays, with every argument it names rewritten. Anything else is returned as is.
 */
export function inStackTerms(err: unknown, mode: StackMode): unknown {
  if (!(err instanceof ValidationError)) return err;
  const owner = OWNER.exec(err.owner);
  if (!owner) return err;
  const tables = argKeysFor(mode);
  const keys = owner[2] ? tables.WsMonitor : tables[owner[1]];
  if (!keys) return err;
  const problem = inConfigVocabulary(err.problem, keys);
  const key = configKeyOf(err.field, keys);
  if (key === undefined) return new ValidationError(err.owner, err.field, problem);
  return new StackConfigError([`${key} ${problem} [${err.owner}: ${err.field}]`]);
}
