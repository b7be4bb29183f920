import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ownerName } from "../core/validation";
import { planMonitor, type WsMonitorArgs } from "./args";
import { readBundle } from "./bundle";
import {
  BUNDLE_FILE,
  metricsServiceSpec,
  monitorContainerArgs,
  monitorDeploymentSpec,
  monitorLabels,
  prometheusRuleSpec,
  serviceMonitorSpec,
} from "./builders";

/**
 * A synthetic monitor in the cluster: `wsprobe monitor` against a public WebSocket URL, run from
 * the bundled script (a ConfigMap) on a pinned stock Node image, with a metrics Service and,
 * opt-in, a ServiceMonitor and a PrometheusRule. Needs `npm run build` (the bundle) first.
 *
 * @example
 * const monitor = new WsMonitor("dev-monitor", {
 *   url: exposure.url,
 *   namespace: "agents-whatsapp-rust",
 *   heartbeatSeconds: 5,
 *   expectedMinLifetimeSeconds: 3600,
 *   prometheusOperator: { enabled: true, labels: { release: "kube-prometheus-stack" } },
 * }, { provider: k8sProvider });
 */
export class WsMonitor extends pulumi.ComponentResource {
  public readonly configMap: k8s.core.v1.ConfigMap;
  public readonly deployment: k8s.apps.v1.Deployment;
  public readonly service: k8s.core.v1.Service;
  public readonly serviceMonitor?: k8s.apiextensions.CustomResource;
  public readonly prometheusRule?: k8s.apiextensions.CustomResource;
  /** In-cluster URL of the metrics, e.g. `http://<name>-metrics-abc.<namespace>.svc:9464/metrics`. */
  public readonly metricsUrl: pulumi.Output<string>;

  constructor(name: string, args: WsMonitorArgs, opts?: pulumi.ComponentResourceOptions) {
    const owner = ownerName("WsMonitor", name);
    const plan = planMonitor(owner, args);
    const bundle = readBundle(owner, args.bundlePath);
    super("ws-exposure:index:WsMonitor", name, {}, opts);

    const labels = monitorLabels(name);
    const namespace = args.namespace;
    this.configMap = new k8s.core.v1.ConfigMap(
      `${name}-script`,
      { metadata: { namespace, labels }, immutable: true, data: { [BUNDLE_FILE]: bundle.script } },
      { parent: this },
    );
    const command = pulumi
      .all([args.url, args.connectTo])
      .apply(([url, connectTo]) => monitorContainerArgs(plan, url, connectTo));
    this.deployment = new k8s.apps.v1.Deployment(
      name,
      {
        metadata: { namespace, labels },
        spec: monitorDeploymentSpec(plan, labels, this.configMap.metadata.name, command, bundle.sha256),
      },
      { parent: this },
    );
    this.service = new k8s.core.v1.Service(
      `${name}-metrics`,
      { metadata: { namespace, labels }, spec: metricsServiceSpec(plan, labels) },
      { parent: this },
    );
    const target = pulumi.all([namespace, this.service.metadata.name]);
    if (plan.prometheusOperator.enabled) {
      const crLabels = { ...labels, ...plan.prometheusOperator.labels };
      this.serviceMonitor = new k8s.apiextensions.CustomResource(
        `${name}-servicemonitor`,
        {
          apiVersion: "monitoring.coreos.com/v1",
          kind: "ServiceMonitor",
          metadata: { namespace, labels: crLabels },
          spec: pulumi.output(namespace).apply((ns) => serviceMonitorSpec(plan, labels, ns)),
        },
        { parent: this },
      );
      this.prometheusRule = new k8s.apiextensions.CustomResource(
        `${name}-rules`,
        {
          apiVersion: "monitoring.coreos.com/v1",
          kind: "PrometheusRule",
          metadata: { namespace, labels: crLabels },
          spec: target.apply(([ns, service]) => prometheusRuleSpec(plan, { namespace: ns, service })),
        },
        { parent: this },
      );
    }
    this.metricsUrl = target.apply(
      ([ns, service]) => `http://${service}.${ns}.svc:${plan.metricsPort}/metrics`,
    );
    this.registerOutputs({
      configMap: this.configMap,
      deployment: this.deployment,
      service: this.service,
      serviceMonitor: this.serviceMonitor,
      prometheusRule: this.prometheusRule,
      metricsUrl: this.metricsUrl,
    });
  }
}
