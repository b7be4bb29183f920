import { BACKEND, CLIENT_CONTRACT, CLOUDFLARE, CLUSTER, KNATIVE, MONITOR, WHAT_TO_BUILD } from "./common";
import { HYBRID } from "./hybrid";
import { L4 } from "./l4";
import { L4_LOAD_BALANCER } from "./loadBalancer";
import { Setting, SettingScope } from "./setting";
import { TUNNEL } from "./tunnel";

export * from "./setting";

/** Every stack key, in the order stacks/configReference.yaml and docs/CONFIG.md list them. */
export const SECTIONS = [
  WHAT_TO_BUILD,
  BACKEND,
  CLIENT_CONTRACT,
  KNATIVE,
  CLOUDFLARE,
  TUNNEL,
  L4_LOAD_BALANCER,
  L4,
  HYBRID,
  MONITOR,
  CLUSTER,
] as const;

type Sections = (typeof SECTIONS)[number];
type KeysOf<S> = S extends { keys: infer K } ? K : never;
type UnionToIntersection<U> = (U extends unknown ? (u: U) => void : never) extends (i: infer I) => void
  ? I
  : never;

/** Every stack key's setting, by key. */
export type Settings = UnionToIntersection<KeysOf<Sections>>;

export const SETTINGS = Object.assign({}, ...SECTIONS.map((s) => s.keys)) as Settings;

export type SettingKey = keyof Settings & string;

/** The keys of a scope, in table order. */
export function keysOfScope(scope: SettingScope): SettingKey[] {
  return (Object.entries(SETTINGS) as [SettingKey, Setting][])
    .filter(([, s]) => s.scope === scope)
    .map(([key]) => key);
}
