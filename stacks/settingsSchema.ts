/**
 * The stack config's validation, derived from the settings table (components/settings): each
 * key's zod schema from its type, values and whether every stack must set it; the modes, load
 * balancers and tlsModes that read it.
 */
import { z } from "zod";
import { Setting, SettingKey, Settings, SettingScope, SETTINGS } from "../components/settings";

type ValueOf<S> = S extends { values: readonly (infer V)[] }
  ? V
  : S extends { type: "integer" }
    ? number
    : S extends { type: "boolean" }
      ? boolean
      : S extends { type: "string[]" }
        ? string[]
        : string;

type ZodOf<S> = S extends { required: true } ? z.ZodType<ValueOf<S>> : z.ZodOptional<z.ZodType<ValueOf<S>>>;

/** The zod shape of a scope's keys (secret keys are read apart, with getSecret). */
export type ShapeOf<Scope extends SettingScope> = {
  -readonly [
    K in keyof Settings as Settings[K] extends { scope: Scope; secret?: undefined } ? K : never
  ]: ZodOf<Settings[K]>;
};

/** What a stack config holds for a key, as its type says. */
function schemaOf(setting: Setting): z.ZodType {
  const base =
    setting.values !== undefined
      ? z.enum(setting.values)
      : setting.type === "integer"
        ? z.number().int()
        : setting.type === "boolean"
          ? z.boolean()
          : setting.type === "string[]"
            ? z.array(z.string())
            : z.string();
  return setting.required ? base : base.optional();
}

const ENTRIES = Object.entries(SETTINGS) as [SettingKey, Setting][];

export function shapeOf<Scope extends SettingScope>(scope: Scope): ShapeOf<Scope> {
  return Object.fromEntries(
    ENTRIES.filter(([, s]) => s.scope === scope && !s.secret).map(([key, s]) => [key, schemaOf(s)]),
  ) as ShapeOf<Scope>;
}

/** Keys read with getSecret, never printed. */
export const SECRET_SETTING_KEYS = ENTRIES.filter(([, s]) => s.secret).map(([key]) => key);

export type StackMode = "tunnel" | "l4" | "hybrid";

const MODES_OF_SCOPE: Record<SettingScope, readonly StackMode[]> = {
  common: ["tunnel", "l4", "hybrid"],
  tunnel: ["tunnel", "hybrid"],
  l4: ["l4", "hybrid"],
  hybrid: ["hybrid"],
};

/** The modes that read each mode-specific key (a key every mode reads is absent). */
export const MODES_OF_KEY: Readonly<Record<string, readonly StackMode[]>> = Object.fromEntries(
  ENTRIES.filter(([, s]) => s.scope !== "common").map(([key, s]) => [key, MODES_OF_SCOPE[s.scope]]),
);

/** The keys that only some values of `choiceOf` read (l4LoadBalancer's choices, tlsModes), by value. */
export function keysOfChoice(
  values: readonly string[],
  choiceOf: (s: Setting) => readonly string[] | undefined,
): Record<string, SettingKey[]> {
  return Object.fromEntries(
    values.map((value) => [
      value,
      ENTRIES.filter(([, s]) => choiceOf(s)?.includes(value)).map(([key]) => key),
    ]),
  );
}

/** The keys read only with some tlsModes, each with those modes. */
export const TLS_MODES_OF_KEY: readonly [SettingKey, readonly string[]][] = ENTRIES.filter(
  ([, s]) => s.tlsModes !== undefined,
).map(([key, s]) => [key, s.tlsModes as readonly string[]]);
