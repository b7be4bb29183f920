/**
 * deploy/rbac.yaml, the ServiceAccount CI deploys with: it covers every Kubernetes object the render
 * of each stack produces (in the namespace it lands in, with the verbs server-side apply and the
 * provider's await logic need) and grants nothing beyond that.
 */
import * as fs from "fs";
import * as path from "path";
import YAML from "yaml";
import { RecordedResource } from "../../render/mockRuntime";
import { renderInProcess, ROOT } from "../helpers/render";

interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
  resourceNames?: string[];
}
interface Doc {
  kind: string;
  metadata: { name: string; namespace?: string };
  rules?: Rule[];
  roleRef?: { kind: string; name: string };
  subjects?: { kind: string; name: string; namespace: string }[];
}

const docs = YAML.parseAllDocuments(fs.readFileSync(path.join(ROOT, "deploy/rbac.yaml"), "utf8")).map(
  (d) => d.toJS() as Doc,
);
const account = docs.find((d) => d.kind === "ServiceAccount")!;
const roles = new Map(
  docs.filter((d) => d.kind === "ClusterRole" || d.kind === "Role").map((d) => [d.metadata.name, d]),
);
const bindings = docs.filter((d) => d.kind === "RoleBinding" || d.kind === "ClusterRoleBinding");

/** The rules the ServiceAccount holds in a namespace (RoleBindings there, and ClusterRoleBindings). */
function rulesIn(namespace: string): Rule[] {
  return bindings
    .filter((b) => b.kind === "ClusterRoleBinding" || b.metadata.namespace === namespace)
    .flatMap((b) => roles.get(b.roleRef!.name)?.rules ?? []);
}

function allowed(namespace: string, group: string, resource: string, verb: string, name?: string): boolean {
  return rulesIn(namespace).some(
    (r) =>
      r.apiGroups.includes(group) &&
      r.resources.includes(resource) &&
      r.verbs.includes(verb) &&
      (r.resourceNames === undefined || (name !== undefined && r.resourceNames.includes(name))),
  );
}

/** `kubernetes:apps/v1:Deployment` -> group `apps`, resource `deployments`; a `...Patch` type patches that kind. */
function apiResource(type: string): { group: string; resource: string; patch: boolean } {
  const [, apiVersion, kind] = type.split(":");
  const group = apiVersion.includes("/") ? apiVersion.split("/")[0] : "";
  const patch = kind.endsWith("Patch");
  const plain = (patch ? kind.slice(0, -"Patch".length) : kind).toLowerCase();
  return {
    group: group === "core" ? "" : group,
    resource: plain.endsWith("s") ? `${plain}es` : `${plain}s`,
    patch,
  };
}

/**
 * What the provider needs per object: server-side apply (get, create, patch) and delete of what it
 * owns, with list + watch because it waits for a deleted object to be gone through an informer on
 * its kind (provider/pkg/await/condition/deleted.go); get and patch of what it patches.
 */
const OWN = ["get", "list", "watch", "create", "patch", "delete"];
const PATCH = ["get", "patch"];
/** Kinds the provider waits to be ready, and what else it watches while it waits (await/deployment.go, service.go). */
const AWAITED: Record<string, [string, string][]> = {
  "apps/deployments": [
    ["apps", "replicasets"],
    ["", "pods"],
    ["", "persistentvolumeclaims"],
  ],
  "/services": [["", "endpoints"]],
};

/** Every stack, as committed and with every switch that adds objects of another kind. */
const RENDERS: [string, Record<string, string>][] = [
  ["dev", {}],
  [
    "dev",
    {
      monitorEnabled: "true",
      monitorPrometheusOperator: "true",
      podspecAffinity: "manage",
      manageIngressStreamIdleTimeout: "true",
    },
  ],
  ["dev", { routeProvider: "tunnel-ingress-crd" }],
  ["staging", {}],
  ["staging", { monitorEnabled: "true", monitorPrometheusOperator: "true", l4Advertisement: "bgp" }],
  ["prod", {}],
  ["prod", { routeProvider: "tunnel-ingress-crd", podspecAffinity: "manage" }],
];

interface Need {
  namespace: string;
  group: string;
  resource: string;
  verb: string;
  name?: string;
  why: string;
}

let needs: Need[] = [];
beforeAll(async () => {
  const objects: RecordedResource[] = [];
  for (const [stack, set] of RENDERS) {
    const r = await renderInProcess(stack, set);
    objects.push(...r.resources.filter((x) => x.type.startsWith("kubernetes:") && !x.component));
  }
  needs = objects.flatMap((o) => {
    const { group, resource, patch } = apiResource(o.type);
    const metadata = (o.inputs.metadata ?? {}) as { namespace?: string; name?: string };
    const namespace = String(metadata.namespace);
    const why = `${o.type} ${o.name}`;
    const verbs = patch ? PATCH : OWN;
    const own = verbs.map((verb) => ({
      namespace,
      group,
      resource,
      verb,
      name: patch ? metadata.name : undefined,
      why,
    }));
    const watched = (AWAITED[`${group}/${resource}`] ?? []).flatMap(([g, res]) =>
      ["list", "watch"].map((verb) => ({ namespace, group: g, resource: res, verb, why: `await of ${why}` })),
    );
    return [...own, ...watched];
  });
}, 300000);

test("the renders produce the kinds this file is about (the test is not vacuous)", () => {
  const kinds = new Set(needs.map((n) => `${n.group}/${n.resource} ${n.namespace}`));
  expect([...kinds].sort()).toEqual(
    [
      "/configmaps agents-whatsapp-rust",
      "/configmaps knative-serving",
      "/endpoints agents-whatsapp-rust",
      "/persistentvolumeclaims agents-whatsapp-rust",
      "/pods agents-whatsapp-rust",
      "/secrets agents-whatsapp-rust",
      "/services agents-whatsapp-rust",
      "apps/deployments agents-whatsapp-rust",
      "apps/replicasets agents-whatsapp-rust",
      "cert-manager.io/certificates agents-whatsapp-rust",
      "metallb.io/bgpadvertisements metallb-system",
      "metallb.io/ipaddresspools metallb-system",
      "metallb.io/l2advertisements metallb-system",
      "monitoring.coreos.com/prometheusrules agents-whatsapp-rust",
      "monitoring.coreos.com/servicemonitors agents-whatsapp-rust",
      "policy/poddisruptionbudgets agents-whatsapp-rust",
      "serving.knative.dev/services agents-whatsapp-rust",
      "tunnel.cloudflare.io/cloudflaretunnelingresses agents-whatsapp-rust",
    ].sort(),
  );
});

test("covers every object of every stack's render: the verbs server-side apply and the await logic need, in its namespace", () => {
  const missing = needs
    .filter((n) => !allowed(n.namespace, n.group, n.resource, n.verb, n.name))
    .map(
      (n) => `${n.verb} ${n.group}/${n.resource}${n.name ? `/${n.name}` : ""} in ${n.namespace} (${n.why})`,
    );
  expect([...new Set(missing)]).toEqual([]);
});

/** Read-only extras the provider uses beyond the objects themselves: events and logs explain a failed rollout; CRDs. */
const READ_ONLY_EXTRAS = ["/events", "/pods/log", "apiextensions.k8s.io/customresourcedefinitions"];

test("grants nothing the stacks do not need: no wildcards, no update/escalate/bind/impersonate", () => {
  const granted = bindings.flatMap((b) =>
    (roles.get(b.roleRef!.name)?.rules ?? []).flatMap((r) =>
      r.apiGroups.flatMap((g) =>
        r.resources.flatMap((res) =>
          r.verbs.map((verb) => ({ binding: b, group: g, resource: res, verb, rule: r })),
        ),
      ),
    ),
  );
  const beyond = granted.filter(({ binding, group, resource, verb, rule }) => {
    if ([group, resource, verb].includes("*")) return true;
    if (READ_ONLY_EXTRAS.includes(`${group}/${resource}`)) return !["get", "list", "watch"].includes(verb);
    if (binding.kind === "ClusterRoleBinding") return true;
    const ns = binding.metadata.namespace;
    return !needs.some(
      (n) =>
        n.namespace === ns &&
        n.group === group &&
        n.resource === resource &&
        n.verb === verb &&
        (rule.resourceNames === undefined || rule.resourceNames.includes(n.name ?? "")),
    );
  });
  // list/watch of objects patched by name (a watch of one object) are what a get-then-watch needs.
  const tolerated = beyond.filter(
    (g) => !(g.rule.resourceNames !== undefined && ["list", "watch"].includes(g.verb)),
  );
  expect(
    tolerated.map((g) => `${g.binding.metadata.namespace ?? "cluster"}: ${g.verb} ${g.group}/${g.resource}`),
  ).toEqual([]);
  expect(
    granted
      .map((g) => g.verb)
      .filter((v) => ["update", "escalate", "bind", "impersonate", "deletecollection"].includes(v)),
  ).toEqual([]);
});

test("binds one ServiceAccount, and only roles the file defines", () => {
  expect(account.metadata).toEqual({ name: "ws-exposure-deployer", namespace: "agents-whatsapp-rust" });
  for (const b of bindings) {
    expect(b.subjects).toEqual([
      { kind: "ServiceAccount", name: "ws-exposure-deployer", namespace: "agents-whatsapp-rust" },
    ]);
    expect(roles.has(b.roleRef!.name)).toBe(true);
  }
});
