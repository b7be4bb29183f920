import {
  creatorKeeperBody,
  configMapProblem,
  conflictMessage,
  describeManager,
  LiveObject,
  ManagedFieldsEntry,
  namedRevisionProblem,
  operatorOwner,
  ownershipConflicts,
  ownsPath,
  takeoverWarnings,
} from "../../components/knative/ownership";
import {
  knativeServicePatchObject,
  managedConfigMaps,
  planKnativeSettings,
} from "../../components/knative/plan";
import { BACKEND, devPlan, OWNER, PATCH, SERVICE } from "../helpers/knativeCheck";

/** The fields a manifest of the Service sets, as each tool records them (fieldsV1). */
const MANIFEST_FIELDS = {
  "f:spec": {
    ".": {},
    "f:template": {
      ".": {},
      "f:metadata": { ".": {}, "f:annotations": { ".": {}, "f:autoscaling.knative.dev/min-scale": {} } },
      "f:spec": { ".": {}, "f:containers": {}, "f:timeoutSeconds": {} },
    },
  },
};

/** What kubectl, Argo CD, Flux and Helm write into managedFields when they apply that manifest. */
const OWNERS: [string, string, string][] = [
  ["kubectl-client-side-apply", "Update", "kubectl apply (client-side)"],
  ["kubectl", "Apply", "kubectl apply --server-side"],
  ["argocd-controller", "Apply", "Argo CD"],
  ["kustomize-controller", "Apply", "Flux (kustomize-controller)"],
  ["helm-controller", "Update", "Flux (helm-controller)"],
];

function liveService(
  managedFields: ManagedFieldsEntry[],
  template: Record<string, unknown> = {},
): LiveObject {
  return {
    apiVersion: "serving.knative.dev/v1",
    kind: "Service",
    metadata: { ...SERVICE, managedFields },
    spec: {
      template: {
        metadata: { annotations: { "autoscaling.knative.dev/min-scale": "1" } },
        spec: { containers: [{ image: "app:1" }], timeoutSeconds: 300 },
        ...template,
      },
    },
  };
}

/** The Knative controller writes status through the status subresource: never a conflict. */
const KNATIVE_CONTROLLER: ManagedFieldsEntry = {
  manager: "controller",
  operation: "Update",
  subresource: "status",
  fieldsV1: { "f:status": { ".": {}, "f:conditions": {} } },
};

describe.each(OWNERS)("a Service applied by %s (%s)", (manager, operation, tool) => {
  const live = liveService([
    {
      manager,
      operation,
      apiVersion: "serving.knative.dev/v1",
      fieldsType: "FieldsV1",
      fieldsV1: MANIFEST_FIELDS,
    },
    KNATIVE_CONTROLLER,
  ]);

  test("the patch conflicts on exactly the fields that manifest sets to other values", () => {
    expect(ownershipConflicts(live, PATCH)).toEqual([
      {
        field: ".spec.template.metadata.annotations.autoscaling.knative.dev/min-scale",
        manager,
        operation,
        liveValue: "1",
        ourValue: "2",
      },
      { field: ".spec.template.spec.timeoutSeconds", manager, operation, liveValue: 300, ourValue: 3600 },
    ]);
  });

  test("the error names the field, the manager and the ways out, forceConflicts with its tug of war among them", () => {
    const message = conflictMessage(OWNER, SERVICE, ownershipConflicts(live, PATCH));
    expect(message).toContain(
      `.spec.template.spec.timeoutSeconds is owned by "${manager}" (${tool}, ${operation}) with 300; this stack sets 3600`,
    );
    expect(message).toContain(`for "${manager}": ${describeManager(manager).wayOut}`);
    expect(message).toContain(
      "or set knative.forceConflicts: true (stack: pulumi config set ws-exposure:forceConflicts true) to take the fields over, " +
        "after which each side's next deploy sets its own value back and Knative creates a new revision every time (a tug of war)",
    );
  });
});

describe("ownershipConflicts", () => {
  const kubectl: ManagedFieldsEntry = {
    manager: "kubectl-client-side-apply",
    operation: "Update",
    fieldsV1: MANIFEST_FIELDS,
  };

  test("the whole message for a Service kubectl applied", () => {
    expect(conflictMessage(OWNER, SERVICE, ownershipConflicts(liveService([kubectl]), PATCH))).toBe(
      'KnativeSettings "dev-knative": server-side apply conflict on Knative Service agents-whatsapp-rust/messaging-service: ' +
        '.spec.template.metadata.annotations.autoscaling.knative.dev/min-scale is owned by "kubectl-client-side-apply" (kubectl apply (client-side), Update) with "1"; this stack sets "2"; ' +
        '.spec.template.spec.timeoutSeconds is owned by "kubectl-client-side-apply" (kubectl apply (client-side), Update) with 300; this stack sets 3600. ' +
        'Ways out: for "kubectl-client-side-apply": remove the fields from the manifest you kubectl apply (kubectl sets back every field its manifest has); ' +
        "or set knative.forceConflicts: true (stack: pulumi config set ws-exposure:forceConflicts true) to take the fields over, " +
        "after which each side's next deploy sets its own value back and Knative creates a new revision every time (a tug of war) " +
        "until the other side stops setting them. See docs/KNATIVE.md.",
    );
  });

  test("a field the other manager set to the value this stack sets is shared, not a conflict", () => {
    const live = liveService([kubectl], {
      metadata: { annotations: { "autoscaling.knative.dev/min-scale": "2" } },
      spec: { containers: [{ image: "app:1" }], timeoutSeconds: 3600 },
    });
    expect(ownershipConflicts(live, PATCH)).toEqual([]);
  });

  test("fields this stack's own manager owns, and status written by Knative, are no conflict", () => {
    const ours: ManagedFieldsEntry = {
      manager: "ws-exposure",
      operation: "Apply",
      fieldsV1: MANIFEST_FIELDS,
    };
    expect(ownershipConflicts(liveService([ours, KNATIVE_CONTROLLER]), PATCH)).toEqual([]);
  });

  test("an atomic list another manager owns as a whole conflicts when this stack sets it", () => {
    const affinityPlan = planKnativeSettings(
      OWNER,
      { heartbeatSeconds: 5, minLifetimeSeconds: 3600 },
      { antiAffinity: true, cluster: { maxRevisionTimeoutSeconds: 3600, podspecAffinity: "enabled" } },
    );
    const fields = {
      "f:spec": {
        "f:template": {
          "f:spec": {
            "f:affinity": {
              "f:podAntiAffinity": { "f:preferredDuringSchedulingIgnoredDuringExecution": {} },
            },
          },
        },
      },
    };
    const live = liveService([{ manager: "argocd-controller", operation: "Apply", fieldsV1: fields }]);
    expect(
      ownershipConflicts(live, knativeServicePatchObject(BACKEND, affinityPlan)).map((c) => [
        c.field,
        c.manager,
      ]),
    ).toEqual([
      [
        ".spec.template.spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution",
        "argocd-controller",
      ],
    ]);
  });

  test("kubectl created the Service without timeoutSeconds: Knative's default is recorded under kubectl, but kubectl will not set it back", () => {
    const live = liveService([kubectl]);
    live.metadata!.annotations = {
      "kubectl.kubernetes.io/last-applied-configuration": JSON.stringify({
        apiVersion: "serving.knative.dev/v1",
        kind: "Service",
        spec: {
          template: {
            metadata: { annotations: { "autoscaling.knative.dev/min-scale": "1" } },
            spec: { containers: [{ image: "app:1" }] },
          },
        },
      }),
    };
    const conflicts = ownershipConflicts(live, PATCH);
    expect(conflicts.map((c) => [c.field, c.notInManifest ?? false])).toEqual([
      [".spec.template.metadata.annotations.autoscaling.knative.dev/min-scale", false],
      [".spec.template.spec.timeoutSeconds", true],
    ]);
    expect(conflictMessage(OWNER, SERVICE, conflicts.slice(1))).toContain(
      '.spec.template.spec.timeoutSeconds is owned by "kubectl-client-side-apply" (kubectl apply (client-side), Update) with 300 ' +
        "(a default Knative filled in: its last-applied manifest does not set it); this stack sets 3600. " +
        'Ways out: for "kubectl-client-side-apply": its manifest sets none of these fields, so forceConflicts takes them over once and it will not set them back;',
    );
  });

  test("takeover warnings (forceConflicts) say which field moved from whom", () => {
    expect(takeoverWarnings(ownershipConflicts(liveService([kubectl]), PATCH))).toEqual([
      '.spec.template.metadata.annotations.autoscaling.knative.dev/min-scale: taken from "kubectl-client-side-apply" (kubectl apply (client-side)), "1" -> "2"',
      '.spec.template.spec.timeoutSeconds: taken from "kubectl-client-side-apply" (kubectl apply (client-side)), 300 -> 3600',
    ]);
  });
});

describe("ownsPath", () => {
  test.each([
    ["a leaf", { "f:a": { "f:b": {} } }, ["a", "b"], true],
    ["a field below an atomic leaf", { "f:a": {} }, ["a", "b"], true],
    ["a sibling", { "f:a": { "f:c": {} } }, ["a", "b"], false],
    ["a key of a map whose node alone is owned", { "f:a": { ".": {} } }, ["a", "b"], false],
    ["nothing", undefined, ["a"], false],
  ])("%s", (_what, fields, path, owned) => {
    expect(ownsPath(fields as Record<string, unknown> | undefined, path as string[])).toBe(owned);
  });
});

describe("describeManager", () => {
  test.each([
    ["kubectl-edit", "a one-off kubectl edit"],
    [
      "pulumi-kubernetes-9a2b3c4d",
      "another Pulumi program, or this stack before ws-exposure named its field manager",
    ],
    ["before-first-apply", "whoever created the Service before server-side apply tracked owners"],
    ["helm", "Helm"],
    ["some-operator", "an unknown manager"],
  ])("%s: %s", (manager, tool) => {
    expect(describeManager(manager).tool).toBe(tool);
  });

  test("Argo CD's way out names ws-exposure as a trusted manager", () => {
    expect(describeManager("argocd-controller").wayOut).toBe(
      "remove the fields from the Application's manifests, or add ignoreDifferences { group: serving.knative.dev, kind: Service, managedFieldsManagers: [ws-exposure] } " +
        "to the Application with the sync option RespectIgnoreDifferences=true, so that Argo CD leaves this stack's fields alone",
    );
  });
});

describe("namedRevisionProblem", () => {
  const argoName: ManagedFieldsEntry = {
    manager: "argocd-controller",
    operation: "Apply",
    fieldsV1: {
      "f:spec": { "f:template": { "f:metadata": { "f:name": {} }, "f:spec": { "f:containers": {} } } },
    },
  };

  test("a named revision whose template this stack would change: the error says why and what to do", () => {
    const live = liveService([argoName], {
      metadata: { name: "messaging-service-v3", annotations: {} },
    });
    expect(namedRevisionProblem(OWNER, live, PATCH)).toBe(
      'KnativeSettings "dev-knative": Knative Service agents-whatsapp-rust/messaging-service names its revisions ' +
        '(spec.template.metadata.name "messaging-service-v3" set by "argocd-controller"), and Knative refuses a template change that keeps the name; ' +
        'this stack would change .spec.template.metadata.annotations.autoscaling.knative.dev/min-scale (unset) -> "2", ' +
        '.spec.template.metadata.annotations.autoscaling.knative.dev/max-scale (unset) -> "10", .spec.template.spec.timeoutSeconds 300 -> 3600, ' +
        ".spec.template.spec.responseStartTimeoutSeconds (unset) -> 0, .spec.template.spec.idleTimeoutSeconds (unset) -> 0. " +
        "Either remove spec.template.metadata.name from the Service's manifest so Knative names revisions itself, " +
        "or set these values in that manifest together with a new revision name (this stack's patch then changes nothing). " +
        "forceConflicts does not help: the name is not this stack's to change.",
    );
  });

  test("a named revision that already has this stack's values: the patch changes nothing, no problem", () => {
    const live = liveService([argoName], {
      metadata: {
        name: "messaging-service-v3",
        annotations: { "autoscaling.knative.dev/min-scale": "2", "autoscaling.knative.dev/max-scale": "10" },
      },
      spec: { timeoutSeconds: 3600, responseStartTimeoutSeconds: 0, idleTimeoutSeconds: 0 },
    });
    expect(namedRevisionProblem(OWNER, live, PATCH)).toBeUndefined();
  });

  test("generated revision names: no problem", () => {
    expect(namedRevisionProblem(OWNER, liveService([argoName]), PATCH)).toBeUndefined();
  });
});

describe("ConfigMaps the Knative Operator (or another manager) puts back", () => {
  const [defaults] = managedConfigMaps(devPlan());
  const plainInstall: LiveObject = {
    metadata: {
      name: "config-defaults",
      namespace: "knative-serving",
      labels: { "app.kubernetes.io/name": "knative-serving" },
    },
    data: { "max-revision-timeout-seconds": "3600" },
  };

  test("a plain install holding this stack's value: no problem", () => {
    expect(configMapProblem(OWNER, defaults, plainInstall)).toBeUndefined();
  });

  test("owned by a KnativeServing: the error says what to set in it and how to stop managing it here", () => {
    const operatorOwned: LiveObject = {
      ...plainInstall,
      metadata: {
        ...plainInstall.metadata,
        ownerReferences: [
          {
            apiVersion: "operator.knative.dev/v1beta1",
            kind: "KnativeServing",
            name: "knative-serving",
            controller: true,
          },
        ],
      },
    };
    expect(operatorOwner(operatorOwned)).toBe("KnativeServing knative-serving/knative-serving");
    expect(configMapProblem(OWNER, defaults, operatorOwned)).toBe(
      'KnativeSettings "dev-knative": ConfigMap knative-serving/config-defaults is managed by the Knative Operator (KnativeServing knative-serving/knative-serving), ' +
        "which overwrites this stack's patch. Set it in that KnativeServing resource instead " +
        '(spec.config.defaults["max-revision-timeout-seconds"]: "3600"), then stop managing it here: ' +
        "set knative.cluster.manageMaxRevisionTimeout false (stack: ws-exposure:manageMaxRevisionTimeout false) and keep declaring maxRevisionTimeoutSeconds.",
    );
  });

  test("put back by another manager: the error names it", () => {
    const reverted: LiveObject = {
      metadata: {
        name: "config-defaults",
        namespace: "knative-serving",
        managedFields: [
          {
            manager: "argocd-controller",
            operation: "Apply",
            fieldsV1: { "f:data": { "f:max-revision-timeout-seconds": {} } },
          },
        ],
      },
      data: { "max-revision-timeout-seconds": "600" },
    };
    expect(configMapProblem(OWNER, defaults, reverted)).toBe(
      'KnativeSettings "dev-knative": ConfigMap knative-serving/config-defaults does not hold what this stack applied: ' +
        'max-revision-timeout-seconds is "600", not "3600" (also set by "argocd-controller"). Something else writes it back ' +
        "(a Knative Operator in another namespace, a GitOps tool); set the value there, then stop managing it here: " +
        "set knative.cluster.manageMaxRevisionTimeout false (stack: ws-exposure:manageMaxRevisionTimeout false) and keep declaring maxRevisionTimeoutSeconds.",
    );
  });
});

describe("creatorKeeperBody", () => {
  const created = {
    apiVersion: "serving.knative.dev/v1",
    kind: "Service",
    metadata: {
      ...SERVICE,
      annotations: {
        "serving.knative.dev/creator": "system:serviceaccount:argocd:argocd-application-controller",
        "serving.knative.dev/lastModifier": "jane@example.com",
        "pulumi.com/patchFieldManager": "ws-exposure",
      },
      managedFields: [
        {
          manager: "ws-exposure",
          operation: "Apply",
          fieldsV1: { "f:metadata": { "f:annotations": { "f:pulumi.com/patchFieldManager": {} } } },
        },
      ],
    },
  };

  test("a Service Knative's webhook created: the creator annotation alone, with its live value", () => {
    expect(creatorKeeperBody(created)).toEqual({
      apiVersion: "serving.knative.dev/v1",
      kind: "Service",
      metadata: {
        name: "messaging-service",
        namespace: "agents-whatsapp-rust",
        annotations: {
          "serving.knative.dev/creator": "system:serviceaccount:argocd:argocd-application-controller",
        },
      },
    });
  });

  test("already kept by ws-exposure-keep-creator: nothing to apply; no creator annotation: nothing either", () => {
    const kept = {
      ...created,
      metadata: {
        ...created.metadata,
        managedFields: [
          ...created.metadata.managedFields,
          {
            manager: "ws-exposure-keep-creator",
            operation: "Apply",
            fieldsV1: { "f:metadata": { "f:annotations": { "f:serving.knative.dev/creator": {} } } },
          },
        ],
      },
    };
    expect(creatorKeeperBody(kept)).toBeUndefined();
    expect(creatorKeeperBody({ metadata: { ...SERVICE, annotations: { a: "b" } } })).toBeUndefined();
    expect(creatorKeeperBody({ metadata: { ...SERVICE } })).toBeUndefined();
  });
});
