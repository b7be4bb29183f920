/**
 * The stack key `l4LoadBalancer` offers exactly the kinds of the load-balancer registry, in its
 * order: a kind added to the registry (components/l4/loadBalancers/index.ts) and not to the key's
 * choices, or the other way round, fails here.
 */
import { LOAD_BALANCER_KINDS } from "../../components/l4/loadBalancers";
import { SETTINGS } from "../../components/settings";

test("l4LoadBalancer's choices are the registry's kinds", () => {
  expect(SETTINGS.l4LoadBalancer.values).toEqual(LOAD_BALANCER_KINDS.map((k) => k.type));
  expect(SETTINGS.l4LoadBalancer.values).toEqual(["metallb", "aws-nlb", "gcp", "azure", "custom"]);
});

test("every kind-specific key names only kinds of the registry", () => {
  const kinds = new Set<string>(LOAD_BALANCER_KINDS.map((k) => k.type));
  const unknown = Object.entries(SETTINGS).flatMap(([key, s]) =>
    ("loadBalancers" in s && s.loadBalancers ? s.loadBalancers : [])
      .filter((kind: string) => !kinds.has(kind))
      .map((kind: string) => `${key}: ${kind}`),
  );
  expect(unknown).toEqual([]);
});
