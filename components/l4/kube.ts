/**
 * Kubernetes object specs of the L4 path, as plain data (no Pulumi): the HAProxy ConfigMap,
 * Deployment and PodDisruptionBudget, the ClusterIP Service to the Knative pods, the LoadBalancer
 * Service, and the cert-manager Certificate. The component wraps each in a Pulumi resource.
 */
import { createHash } from "crypto";
import { HAPROXY_UID, HaproxyConfigParams, renderHaproxyConfig } from "./haproxy";
import { HAPROXY_HEALTH_PORT, HAPROXY_TLS_PORT, haproxyLabels, L4Plan, ResolvedTls } from "./plan";
import { serviceAnnotations } from "./metallb";
import { cloudServiceFields } from "./cloudAnnotations";
import { nlbSeesClientAddress } from "../policyChecks/cloudLoadBalancer";
import {
  DRAIN_SCRIPT_DIR,
  DRAIN_SCRIPT_KEY,
  DRAIN_SIDECAR_RESOURCES,
  drainCommand,
  drainScriptHash,
  MASTER_SOCKET_NAME,
} from "./drain";

type Terminate = Extract<ResolvedTls, { mode: "terminate" }>;

/** Where the pod mounts things (the tests render the same config with their own paths). */
export const HAPROXY_CONFIG_DIR = "/usr/local/etc/haproxy";
export const HAPROXY_CERT_DIR = "/etc/ws-exposure/tls";
/** The Secret's tls.crt is projected here, its tls.key beside it as `<crt>.key`, which HAProxy loads by itself. */
export const HAPROXY_CERT_PATH = `${HAPROXY_CERT_DIR}/tls.crt`;
export const HAPROXY_RUNTIME_DIR = "/var/run/haproxy";
/** The session-ticket Secret's `tls-ticket-keys` is projected here. */
export const HAPROXY_TICKETS_DIR = "/etc/ws-exposure/tickets";
export const TICKET_KEYS_KEY = "tls-ticket-keys";
export const HAPROXY_TICKET_KEYS_PATH = `${HAPROXY_TICKETS_DIR}/${TICKET_KEYS_KEY}`;
/**
 * The container's command: haproxy itself is pid 1 (the master; the kubelet's stop signal, or
 * the preStop for an image not known to stop with SIGUSR1, reaches it), with the
 * master CLI on a socket in the runtime directory (the drain sidecar reaches every worker through it).
 */
export const HAPROXY_COMMAND = [
  "haproxy",
  "-W",
  "-db",
  "-S",
  `${HAPROXY_RUNTIME_DIR}/${MASTER_SOCKET_NAME},mode,600`,
  "-f",
  `${HAPROXY_CONFIG_DIR}/haproxy.cfg`,
];

export function requireTerminate(plan: L4Plan): Terminate {
  if (plan.tls.mode !== "terminate")
    throw new Error(`L4 plan ${plan.name} has no HAProxy tier (tls.mode ${plan.tls.mode})`);
  return plan.tls;
}

/** The renderer's parameters exactly as the pod uses them (tests override addresses and paths only). */
export function haproxyParamsFor(plan: L4Plan): HaproxyConfigParams {
  const tls = requireTerminate(plan);
  const upstream = plan.upstream as NonNullable<L4Plan["upstream"]>;
  const lb = plan.loadBalancer;
  const proxyProtocol = lb.type === "aws-nlb" && lb.proxyProtocol;
  // HAProxy sees the client address when the load balancer sends it in a PROXY header, or with
  // externalTrafficPolicy Local (Cluster SNATs it to a node IP) where the load balancer keeps it
  // (an NLB only with "instance" targets).
  const seesClient =
    proxyProtocol ||
    (plan.externalTrafficPolicy === "Local" && (lb.type !== "aws-nlb" || nlbSeesClientAddress(lb)));
  return {
    bindAddress: "",
    bindPort: HAPROXY_TLS_PORT,
    certPath: HAPROXY_CERT_PATH,
    servers: [{ name: "backend", address: upstream.address, port: upstream.port }],
    backendHostHeader: upstream.hostHeader,
    timeouts: tls.haproxy.timeouts,
    acceptProxy: proxyProtocol || undefined,
    sourceRanges: seesClient ? plan.sourceRanges : [],
    health: { bindAddress: "", port: HAPROXY_HEALTH_PORT },
    runtimeDir: HAPROXY_RUNTIME_DIR,
    maxconn: tls.haproxy.maxconn,
    nbthread: tls.haproxy.nbthread,
    ticketKeysPath: tls.haproxy.sessionTickets ? HAPROXY_TICKET_KEYS_PATH : undefined,
  };
}

/** haproxy.cfg exactly as the pod runs it. */
export function haproxyConfigFor(plan: L4Plan): string {
  return renderHaproxyConfig(haproxyParamsFor(plan));
}

export function configHash(config: string): string {
  return createHash("sha256").update(config).digest("hex").slice(0, 16);
}

/** The ConfigMap: haproxy.cfg, and the drain driver when the paced drain is on (`drainScript`). */
export function haproxyConfigMapSpec(plan: L4Plan, config: string, drainScript?: string) {
  const tls = requireTerminate(plan);
  if (tls.haproxy.drain && drainScript === undefined)
    throw new Error(`L4 plan ${plan.name}: the paced drain is on but no driver script was given`);
  return {
    metadata: {
      name: `${plan.name}-haproxy`,
      namespace: plan.backend.namespace,
      labels: haproxyLabels(plan.name),
    },
    data: {
      "haproxy.cfg": config,
      ...(tls.haproxy.drain ? { [DRAIN_SCRIPT_KEY]: drainScript as string } : {}),
    },
  };
}

export function haproxyDeploymentSpec(plan: L4Plan, config: string, drainScript?: string) {
  const tls = requireTerminate(plan);
  const h = tls.haproxy;
  const drain = h.drain;
  const containerSecurity = {
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    runAsNonRoot: true,
    capabilities: { drop: ["ALL"] },
  };
  // The paced drain: a stock Node image running the driver from the ConfigMap, as the pod's uid (99)
  // so it may use the master socket (mode 600). Its main process drains old workers after a reload;
  // its preStop drains every worker after the same sleep as haproxy's preStop (then soft-stopped).
  const drainContainers = drain
    ? [
        {
          name: "drain",
          image: drain.image,
          command: drainCommand(drain, HAPROXY_RUNTIME_DIR, { watch: true }),
          lifecycle: {
            preStop: {
              exec: {
                command: drainCommand(drain, HAPROXY_RUNTIME_DIR, {
                  allAfterSeconds: h.shutdown.preStopSeconds,
                }),
              },
            },
          },
          resources: DRAIN_SIDECAR_RESOURCES,
          securityContext: containerSecurity,
          volumeMounts: [
            { name: "drain", mountPath: DRAIN_SCRIPT_DIR, readOnly: true },
            { name: "run", mountPath: HAPROXY_RUNTIME_DIR },
          ],
        },
      ]
    : [];
  const annotations: Record<string, string> = {
    "ws-exposure.dev/haproxy-config-sha256": configHash(config),
  };
  if (drain) annotations["ws-exposure.dev/haproxy-drain-sha256"] = drainScriptHash(drainScript ?? "");
  const labels = haproxyLabels(plan.name);
  const probe = (periodSeconds: number, failureThreshold: number) => ({
    httpGet: { path: "/healthz", port: "health" },
    periodSeconds,
    timeoutSeconds: 2,
    failureThreshold,
  });
  return {
    metadata: { name: `${plan.name}-haproxy`, namespace: plan.backend.namespace, labels },
    spec: {
      replicas: h.replicas,
      selector: { matchLabels: labels },
      // Never below the replica count during a rollout: a new pod is ready before an old one drains.
      strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
      minReadySeconds: 5,
      template: {
        metadata: {
          labels,
          // A config (or driver) change rolls the pods (each old pod drains through preStop + hard-stop-after).
          annotations,
        },
        spec: {
          terminationGracePeriodSeconds: h.shutdown.terminationGracePeriodSeconds,
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          securityContext: {
            runAsNonRoot: true,
            runAsUser: HAPROXY_UID,
            runAsGroup: HAPROXY_UID,
            fsGroup: HAPROXY_UID,
            seccompProfile: { type: "RuntimeDefault" },
          },
          topologySpreadConstraints: [
            {
              maxSkew: 1,
              topologyKey: "kubernetes.io/hostname",
              whenUnsatisfiable: "ScheduleAnyway",
              labelSelector: { matchLabels: labels },
            },
          ],
          affinity: {
            podAntiAffinity: {
              preferredDuringSchedulingIgnoredDuringExecution: [
                {
                  weight: 100,
                  podAffinityTerm: {
                    topologyKey: "kubernetes.io/hostname",
                    labelSelector: { matchLabels: labels },
                  },
                },
              ],
            },
          },
          containers: [
            {
              name: "haproxy",
              image: h.image,
              // haproxy itself is pid 1 (the master): the stop signal reaches it directly.
              command: HAPROXY_COMMAND,
              ports: [
                { name: "wss", containerPort: HAPROXY_TLS_PORT, protocol: "TCP" },
                { name: "health", containerPort: HAPROXY_HEALTH_PORT, protocol: "TCP" },
              ],
              readinessProbe: probe(5, 2),
              livenessProbe: probe(10, 3),
              lifecycle: { preStop: { exec: { command: h.shutdown.preStopCommand } } },
              resources: h.resources,
              securityContext: containerSecurity,
              volumeMounts: [
                { name: "config", mountPath: HAPROXY_CONFIG_DIR, readOnly: true },
                { name: "tls", mountPath: HAPROXY_CERT_DIR, readOnly: true },
                ...(h.sessionTickets
                  ? [{ name: "tickets", mountPath: HAPROXY_TICKETS_DIR, readOnly: true }]
                  : []),
                { name: "run", mountPath: HAPROXY_RUNTIME_DIR },
                { name: "tmp", mountPath: "/tmp" },
              ],
            },
            ...drainContainers,
          ],
          volumes: [
            {
              name: "config",
              configMap: {
                name: `${plan.name}-haproxy`,
                items: [{ key: "haproxy.cfg", path: "haproxy.cfg" }],
              },
            },
            {
              name: "tls",
              secret: {
                secretName: tls.secretName,
                // tls.key as `tls.crt.key`: HAProxy finds a key file named after the certificate (no init step).
                items: [
                  { key: "tls.crt", path: "tls.crt" },
                  { key: "tls.key", path: "tls.crt.key" },
                ],
                defaultMode: 0o440,
              },
            },
            ...(h.sessionTickets
              ? [
                  {
                    name: "tickets",
                    secret: {
                      secretName: h.sessionTickets.secretName,
                      items: [{ key: TICKET_KEYS_KEY, path: TICKET_KEYS_KEY }],
                      defaultMode: 0o440,
                    },
                  },
                ]
              : []),
            ...(drain
              ? [
                  {
                    name: "drain",
                    configMap: {
                      name: `${plan.name}-haproxy`,
                      items: [{ key: DRAIN_SCRIPT_KEY, path: DRAIN_SCRIPT_KEY }],
                    },
                  },
                ]
              : []),
            { name: "run", emptyDir: { medium: "Memory", sizeLimit: "1Mi" } },
            { name: "tmp", emptyDir: { sizeLimit: "16Mi" } },
          ],
        },
      },
    },
  };
}

export function haproxyPdbSpec(plan: L4Plan) {
  const labels = haproxyLabels(plan.name);
  return {
    metadata: { name: `${plan.name}-haproxy`, namespace: plan.backend.namespace, labels },
    spec: { maxUnavailable: 1, selector: { matchLabels: labels } },
  };
}

/** ClusterIP Service to the Knative pods' queue-proxy (or the forced 8080). Spans all revisions. */
export function podServiceSpec(plan: L4Plan) {
  const svc = plan.podService;
  if (!svc) throw new Error(`L4 plan ${plan.name} has no pod Service (route ${plan.route})`);
  return {
    metadata: {
      name: svc.name,
      namespace: plan.backend.namespace,
      labels: { "app.kubernetes.io/instance": plan.name },
    },
    spec: {
      type: "ClusterIP",
      selector: svc.selector,
      ports: [{ name: "http", port: svc.port, targetPort: svc.port, protocol: "TCP" }],
    },
  };
}

export function loadBalancerServiceSpec(plan: L4Plan) {
  const spec: Record<string, unknown> = {
    type: "LoadBalancer",
    externalTrafficPolicy: plan.externalTrafficPolicy,
    selector: plan.lbSelector,
    ports: [
      {
        name: plan.tls.mode === "none" ? "ws" : "wss",
        port: plan.port,
        targetPort: plan.lbTargetPort,
        protocol: "TCP",
      },
    ],
  };
  if (plan.sourceRanges.length > 0) spec.loadBalancerSourceRanges = plan.sourceRanges;
  if (plan.sessionAffinity) {
    spec.sessionAffinity = "ClientIP";
    spec.sessionAffinityConfig = { clientIP: { timeoutSeconds: plan.sessionAffinity.timeoutSeconds } };
  }
  const cloud = cloudServiceFields(plan.loadBalancer, plan.port);
  if (cloud.loadBalancerClass) spec.loadBalancerClass = cloud.loadBalancerClass;
  return {
    metadata: {
      name: `${plan.name}-lb`,
      namespace: plan.backend.namespace,
      labels: { "app.kubernetes.io/instance": plan.name },
      annotations: plan.pool
        ? serviceAnnotations(
            plan.pool.name,
            plan.loadBalancerIP ? [plan.loadBalancerIP] : undefined,
            plan.legacyMetallbAnnotations,
          )
        : cloud.annotations,
    },
    spec,
  };
}

/**
 * The session-ticket Secret the component writes from `tls.haproxy.sessionTickets.keys`: one key a
 * line, oldest first. `keysFile` is a Pulumi secret (the caller wraps it); never rendered in clear.
 */
export function ticketSecretSpec<T>(plan: L4Plan, keysFile: T) {
  const tickets = requireTerminate(plan).haproxy.sessionTickets;
  if (!tickets?.create) throw new Error(`L4 plan ${plan.name} writes no session-ticket Secret`);
  return {
    metadata: {
      name: tickets.secretName,
      namespace: plan.backend.namespace,
      labels: haproxyLabels(plan.name),
    },
    type: "Opaque",
    stringData: { [TICKET_KEYS_KEY]: keysFile },
  };
}

/**
 * Annotations the Kubernetes provider (@pulumi/kubernetes 4.18+) reads to await a custom resource:
 * without them a Certificate counts as ready once created, and the HAProxy Deployment that depends
 * on it is created before its Secret exists (its pods cannot mount it, and its own await times out).
 */
export const PULUMI_WAIT_FOR = "pulumi.com/waitFor";
export const PULUMI_TIMEOUT_SECONDS = "pulumi.com/timeoutSeconds";

/**
 * cert-manager `Certificate` for the hostname; the Secret is what HAProxy mounts. `pulumi up` waits
 * (bounded) for its Ready condition, i.e. the Secret issued, before it creates the Deployment.
 */
export function certificateObject(plan: L4Plan) {
  const tls = requireTerminate(plan);
  const cm = tls.certManager;
  if (!cm) throw new Error(`L4 plan ${plan.name} uses an existing Secret`);
  const spec: Record<string, unknown> = {
    secretName: tls.secretName,
    dnsNames: [plan.hostname],
    issuerRef: { name: cm.issuerName, kind: cm.issuerKind, group: "cert-manager.io" },
    // ECDSA P-256 by default: a full handshake costs the server a fraction of an RSA-2048 one.
    privateKey:
      cm.keyAlgorithm === "RSA"
        ? { algorithm: "RSA", size: 2048, rotationPolicy: "Always" }
        : { algorithm: "ECDSA", size: 256, rotationPolicy: "Always" },
  };
  if (cm.duration) spec.duration = cm.duration;
  if (cm.renewBefore) spec.renewBefore = cm.renewBefore;
  return {
    apiVersion: "cert-manager.io/v1",
    kind: "Certificate",
    metadata: {
      name: `${plan.name}-tls`,
      namespace: plan.backend.namespace,
      labels: { "app.kubernetes.io/instance": plan.name },
      annotations: {
        [PULUMI_WAIT_FOR]: "condition=Ready",
        [PULUMI_TIMEOUT_SECONDS]: String(cm.readyTimeoutSeconds),
      },
    },
    spec,
  };
}
