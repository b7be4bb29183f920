import { MOCK_PROVIDER_TEXT } from "../../components/knative/AdmissionGate";
import { compareRenderWithState, RenderedResource } from "../../e2e/compare";
import { ExportedResource } from "../../e2e/pulumi";

const STACK = "urn:pulumi:staging::ws-exposure::pulumi:pulumi:Stack::ws-exposure-staging";
const COMPONENT = "urn:pulumi:staging::ws-exposure::ws-exposure:index:L4Exposure::staging";
const CM =
  "urn:pulumi:staging::ws-exposure::ws-exposure:index:L4Exposure$kubernetes:core/v1:ConfigMap::staging-haproxy";

const rendered: RenderedResource[] = [
  { type: "ws-exposure:index:L4Exposure", name: "staging", parent: null, inputs: {} },
  {
    type: "kubernetes:core/v1:ConfigMap",
    name: "staging-haproxy",
    parent: "staging",
    inputs: {
      data: { "haproxy.cfg": "global\n" },
      metadata: { uid: "(known after deploy)", token: "[secret]" },
    },
  },
];

function state(cmInputs: Record<string, unknown>, cmParent = COMPONENT): ExportedResource[] {
  return [
    { urn: STACK, type: "pulumi:pulumi:Stack" },
    {
      urn: "urn:pulumi:staging::ws-exposure::pulumi:providers:kubernetes::default",
      type: "pulumi:providers:kubernetes",
    },
    { urn: COMPONENT, type: "ws-exposure:index:L4Exposure", parent: STACK, inputs: {} },
    { urn: CM, type: "kubernetes:core/v1:ConfigMap", parent: cmParent, inputs: cmInputs },
  ];
}

describe("compareRenderWithState", () => {
  test("agrees when every known input matches (unknowns and secrets are not compared; extra inputs are fine)", () => {
    expect(
      compareRenderWithState(
        rendered,
        state({ data: { "haproxy.cfg": "global\n" }, metadata: { name: "x" } }),
      ),
    ).toEqual([]);
  });

  test("does not compare a dynamic provider's code, which the render cannot know (the engine serializes it at deploy time)", () => {
    const gate =
      "urn:pulumi:staging::ws-exposure::pulumi-nodejs:dynamic/knative:AdmissionGate::staging-knative-admission";
    const renderedGate: RenderedResource = {
      type: "pulumi-nodejs:dynamic/knative:AdmissionGate",
      name: "staging-knative-admission",
      parent: null,
      inputs: { __provider: MOCK_PROVIDER_TEXT, check: { waitSeconds: 60 } },
    };
    const deployed = (waitSeconds: number): ExportedResource[] => [
      { urn: STACK, type: "pulumi:pulumi:Stack" },
      {
        urn: gate,
        type: "pulumi-nodejs:dynamic/knative:AdmissionGate",
        parent: STACK,
        inputs: { __provider: "exports.handler = __f0;", check: { waitSeconds } },
      },
    ];
    expect(compareRenderWithState([renderedGate], deployed(60))).toEqual([]);
    expect(compareRenderWithState([renderedGate], deployed(30))).toEqual([
      "pulumi-nodejs:dynamic/knative:AdmissionGate staging-knative-admission (parent stack): input check.waitSeconds rendered 60, deployed 30",
    ]);
  });

  test("an auto-name's placeholder suffix matches the engine's 8 hex digits, and only those", () => {
    const withSecretRef = (name: string) => ({ spec: { secretName: name } });
    const renderedCm: RenderedResource = {
      ...rendered[1],
      inputs: withSecretRef("dev-tunnel-token-xxxxxxxx"),
    };
    expect(
      compareRenderWithState([rendered[0], renderedCm], state(withSecretRef("dev-tunnel-token-88ce603d"))),
    ).toEqual([]);
    expect(
      compareRenderWithState([rendered[0], renderedCm], state(withSecretRef("other-token-88ce603d"))),
    ).toEqual([
      'kubernetes:core/v1:ConfigMap staging-haproxy (parent staging): input spec.secretName rendered "dev-tunnel-token-xxxxxxxx", deployed "other-token-88ce603d"',
    ]);
  });

  test.each([
    [
      "a different input",
      state({ data: { "haproxy.cfg": "defaults\n" } }),
      [
        'kubernetes:core/v1:ConfigMap staging-haproxy (parent staging): input data.haproxy.cfg rendered "global\\n", deployed "defaults\\n"',
      ],
    ],
    [
      "a missing input",
      state({}),
      [
        'kubernetes:core/v1:ConfigMap staging-haproxy (parent staging): input data.haproxy.cfg rendered "global\\n", not in the deployment',
      ],
    ],
    [
      "another parent",
      state({ data: { "haproxy.cfg": "global\n" } }, STACK),
      [
        "rendered but not deployed: kubernetes:core/v1:ConfigMap staging-haproxy (parent staging)",
        "deployed but not rendered: kubernetes:core/v1:ConfigMap staging-haproxy (parent stack)",
      ],
    ],
  ])("reports %s", (_what, deployed, problems) => {
    expect(compareRenderWithState(rendered, deployed)).toEqual(problems);
  });
});
