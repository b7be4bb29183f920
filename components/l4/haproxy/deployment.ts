/** The HAProxy tier's Deployment, as plain data (no Pulumi): HAProxy, and the paced drain's sidecar when on. */
import { HAPROXY_UID } from "./config";
import { HAPROXY_HEALTH_PORT, HAPROXY_TLS_PORT, haproxyLabels, L4Plan } from "../planTypes";
import {
  DRAIN_SCRIPT_DIR,
  DRAIN_SCRIPT_KEY,
  DRAIN_SIDECAR_RESOURCES,
  drainCommand,
  drainScriptHash,
} from "./drain";
import {
  configHash,
  HAPROXY_CERT_DIR,
  HAPROXY_COMMAND,
  HAPROXY_CONFIG_DIR,
  HAPROXY_RUNTIME_DIR,
  HAPROXY_TICKETS_DIR,
  requireTerminate,
  TICKET_KEYS_KEY,
} from "./pod";

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
