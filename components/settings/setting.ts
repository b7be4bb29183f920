/**
 * One stack setting (`ws-exposure:<key>` in Pulumi.<stack>.yaml), described once: its type, the
 * component arguments it becomes and where it applies. The stack program's validation
 * (stacks/settingsSchema.ts), stacks/configReference.yaml, docs/CONFIG.md and the table that names a
 * refused argument by the key the user wrote (stacks/configArgs.ts) are derived from these tables;
 * tests hold the components' argument types and the package schema equal to them. A key's prose is
 * its argument's TypeScript doc, which stacks/configDocs.ts prints with argument names as stack keys,
 * so TypeScript users, the package schema and the stack reference read one text.
 */

/** The value a key holds, as Pulumi.yaml types it (`string[]`: an array of strings). */
export type SettingType = "string" | "integer" | "boolean" | "string[]";

/**
 * Which exposures read a key: `common` every mode; `tunnel` the tunnel and hybrid modes; `l4` the
 * l4 and hybrid modes; `hybrid` the hybrid mode alone.
 */
export type SettingScope = "common" | "tunnel" | "l4" | "hybrid";

/**
 * Where a key's value goes, as argument paths (`[]` for any index):
 * - `common`: the same path in every exposure's args and in KnativeSettings' (`knative.minScale`);
 * - `tunnel`: TunnelExposureArgs, and `tunnel.<path>` in HybridExposureArgs;
 * - `l4`: L4ExposureArgs, and `l4.<path>` in HybridExposureArgs;
 * - `hybrid`: HybridExposureArgs alone;
 * - `tunnelInHybrid`: the tunnel child a HybridExposure builds (its `hostname` is httpHostname);
 * - `monitor`: the WsMonitor an exposure builds.
 */
export type ArgPart = "common" | "tunnel" | "l4" | "hybrid" | "tunnelInHybrid" | "monitor";

/**
 * What the component does when the key is unset: a value, or a value derived from another key's
 * (by the component's own function, so the rule is written once). The docs print it after the prose
 * unless the prose already states it;
 * test/settings/defaults.test.ts holds it equal to what the component plans.
 */
export type SettingDefault =
  | { readonly value: string | number | boolean; readonly note?: string }
  | { readonly from: string; readonly says: string; readonly derive: (from: number) => number };

export interface Setting {
  readonly type: SettingType;
  /** The closed set of values a string key takes. */
  readonly values?: readonly [string, ...string[]];
  /** Every stack must set it (Pulumi.yaml declares it). */
  readonly required?: true;
  /** Set with `pulumi config set --secret`; read as a Pulumi secret, never printed. */
  readonly secret?: true;
  readonly scope: SettingScope;
  readonly args?: Readonly<Partial<Record<ArgPart, readonly string[]>>>;
  /** Names a component's message uses for this key that are not argument paths of it. */
  readonly aliases?: Readonly<Partial<Record<ArgPart, readonly string[]>>>;
  /** The l4LoadBalancer choices that read the key (another choice refuses it). */
  readonly loadBalancers?: readonly string[];
  /** The tlsModes that read the key (another tlsMode refuses it). */
  readonly tlsModes?: readonly string[];
  /**
   * What it means, only for a key whose prose has no other source: a stack-only key (no `args`), or
   * one whose argument has no doc comment of its own (an entry of a Record such as
   * `resources.requests.cpu`). Every other key's prose is its argument's TypeScript doc.
   */
  readonly doc?: string;
  /**
   * What the flat key adds to its argument's doc (a value the argument spells differently, such as 0
   * for `drain: false`), printed after it; never a repeat of the argument's prose.
   */
  readonly stackNote?: string;
  readonly default?: SettingDefault;
  /**
   * The whole numbers the component takes, lowest and highest; the docs print it and
   * test/settings/ranges.test.ts holds it equal to what the component refuses.
   */
  readonly range?: readonly [number, number];
}

/** A group of keys, titled as stacks/configReference.yaml and docs/CONFIG.md head it. */
export interface SettingSection<K extends string = string> {
  readonly title: string;
  readonly keys: Readonly<Record<K, Setting>>;
}
