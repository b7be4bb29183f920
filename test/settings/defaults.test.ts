/**
 * The defaults the settings table documents (components/settings, printed in
 * stacks/configReference.yaml and docs/CONFIG.md) are what L4Exposure plans when the argument is
 * unset, and a derived default follows the key it is derived from.
 */
import { Setting, SETTINGS } from "../../components/settings";
import { planL4 } from "../../components/l4/plan";
import { L4Plan } from "../../components/l4/planTypes";
import { l4Args } from "../helpers/fixtures";

function haproxy(plan: L4Plan) {
  if (plan.tls.mode !== "terminate") throw new Error(`tls mode ${plan.tls.mode}`);
  return plan.tls.haproxy;
}

/** Where the plan holds each key's value. */
const PLANNED: Record<string, (plan: L4Plan) => unknown> = {
  l4Port: (plan) => plan.port,
  haproxyReplicas: (plan) => haproxy(plan).replicas,
  haproxyImage: (plan) => haproxy(plan).image,
  haproxyMaxconn: (plan) => haproxy(plan).maxconn,
  haproxyCpuRequest: (plan) => haproxy(plan).resources.requests.cpu,
  haproxyPreStopSeconds: (plan) => haproxy(plan).shutdown.preStopSeconds,
  haproxyHardStopAfterSeconds: (plan) => haproxy(plan).shutdown.hardStopAfterSeconds,
  haproxyDrainWindowSeconds: (plan) => haproxy(plan).drain?.windowSeconds,
};

const withDefault = (Object.entries(SETTINGS) as [string, Setting][]).filter(
  ([, s]) => s.default !== undefined,
);

test("every key the table gives a default is checked against the plan here", () => {
  expect(withDefault.map(([key]) => key).sort()).toEqual(Object.keys(PLANNED).sort());
});

const unset = planL4("staging", l4Args());

test.each(withDefault.filter(([, s]) => s.default !== undefined && "value" in s.default))(
  "ws-exposure:%s unset: the plan has the table's default",
  (key, setting) => {
    expect(PLANNED[key](unset)).toBe((setting.default as { value: unknown }).value);
  },
);

test("haproxyDrainWindowSeconds unset: derived from haproxyHardStopAfterSeconds by the table's rule", () => {
  const rule = SETTINGS.haproxyDrainWindowSeconds.default;
  expect(rule.from).toBe("haproxyHardStopAfterSeconds");
  expect(PLANNED.haproxyDrainWindowSeconds(unset)).toBe(
    rule.derive(SETTINGS.haproxyHardStopAfterSeconds.default.value),
  );
  const longer = planL4(
    "staging",
    l4Args({
      tls: {
        mode: "terminate",
        certificate: { secretName: "ws-example-com-tls" },
        haproxy: { hardStopAfterSeconds: 90 },
      },
    }),
  );
  expect(PLANNED.haproxyDrainWindowSeconds(longer)).toBe(75);
  expect(rule.derive(90)).toBe(75);
});
