/**
 * Which component argument each stack config key becomes, so that a component's ValidationError
 * reads in the vocabulary of the stack file: `ws-exposure:l4Port`, not `port`. The components keep
 * their own messages (an importing program sees its own argument names); the stack program rewords
 * them when it rethrows (buildExposure). The key behind each argument comes from the settings table
 * (components/settings); a message names other arguments as references (components/core/message.ts),
 * each rendered here as its key, and so do the warnings the components log (stackArgNames).
 */
import type { ArgNamer } from "../components/core/message";
import { ValidationError } from "../components/core/validation";
import { ArgPart, Setting, SettingKey, SETTINGS } from "../components/settings";
import { CONFIG_NAMESPACE, StackConfigError } from "./configErrors";
import type { StackMode } from "./settingsSchema";

export type { StackMode };

/** Argument path -> config key. `[]` stands for any index and carries over to the key (`httpRoutes[].path` -> `httpPaths[]`). */
export type ArgKeys = Readonly<Record<string, string>>;

const ENTRIES = Object.entries(SETTINGS) as [SettingKey, Setting][];

/** Every argument path of `part` (and its message aliases) with the key behind it, from the settings table. */
function argKeysOf(part: ArgPart): ArgKeys {
  return Object.fromEntries(
    ENTRIES.flatMap(([key, s]) =>
      [...(s.args?.[part] ?? []), ...(s.aliases?.[part] ?? [])].map((arg) => [
        arg,
        arg.includes("[]") ? `${key}[]` : key,
      ]),
    ),
  );
}

/**
 * A path's args inside HybridExposureArgs (`tunnel.`, `l4.`): without the aliases, and without
 * `hostname`, which the hybrid sets for each child itself (wsHostname, httpHostname).
 */
function childArgKeysOf(part: "tunnel" | "l4"): ArgKeys {
  return Object.fromEntries(
    ENTRIES.flatMap(([key, s]) =>
      (s.args?.[part] ?? [])
        .filter((arg) => arg !== "hostname")
        .map((arg) => [`${part}.${arg}`, arg.includes("[]") ? `${key}[]` : key]),
    ),
  );
}

/** The components a mode builds, by kind, each with the config key behind every argument it validates. */
export function argKeysFor(mode: StackMode): Readonly<Record<string, ArgKeys>> {
  const common = argKeysOf("common");
  const tunnel = argKeysOf("tunnel");
  const l4 = argKeysOf("l4");
  return {
    // In hybrid mode the tunnel child's hostname is httpHostname.
    TunnelExposure: { ...common, ...tunnel, ...(mode === "hybrid" ? argKeysOf("tunnelInHybrid") : {}) },
    L4Exposure: { ...common, ...l4 },
    HybridExposure: {
      ...common,
      ...argKeysOf("hybrid"),
      ...childArgKeysOf("tunnel"),
      ...childArgKeysOf("l4"),
    },
    KnativeSettings: common,
    WsMonitor: argKeysOf("monitor"),
  };
}

/**
 * The config key an argument path comes from: an exact entry, or an entry the path indexes into
 * (`addressPool.create.addresses[1]` -> `ws-exposure:l4Addresses[1]`). Undefined when no key sets it.
 */
export function configKeyOf(argPath: string, keys: ArgKeys): string | undefined {
  const indices = [...argPath.matchAll(/\[(\d+)\]/g)].map((m) => m[1]);
  const pattern = argPath.replace(/\[\d+\]/g, "[]");
  let best: string | undefined;
  for (const entry of Object.keys(keys)) {
    const matches = pattern === entry || pattern.startsWith(`${entry}[`);
    if (matches && (best === undefined || entry.length > best.length)) best = entry;
  }
  if (best === undefined) return undefined;
  const used = (best.match(/\[\]/g) ?? []).length;
  let i = 0;
  const key = keys[best].replace(/\[\]/g, () => `[${indices[i++]}]`);
  // What the path adds beyond the entry, with its own indices.
  let rest = pattern.slice(best.length);
  i = used;
  rest = rest.replace(/\[\]/g, () => `[${indices[i++]}]`);
  return `${CONFIG_NAMESPACE}:${key}${rest}`;
}

const OWNER = /^(\w+) "[^"]*"( monitor)?$/;

/** The key table of the component an owner names (`L4Exposure "x"`, `HybridExposure "x" monitor`). */
function keysOfOwner(ownerName: string, tables: Readonly<Record<string, ArgKeys>>): ArgKeys | undefined {
  const owner = OWNER.exec(ownerName);
  if (!owner) return undefined;
  return owner[2] ? tables.WsMonitor : tables[owner[1]];
}

/**
 * How the stack program's components name the arguments their warnings reference: the config key
 * the user writes, or the argument path when no key sets it.
 */
export function stackArgNames(mode: StackMode): ArgNamer {
  const tables = argKeysFor(mode);
  return (owner, argPath) => {
    const keys = keysOfOwner(owner, tables);
    return (keys && configKeyOf(argPath, keys)) ?? argPath;
  };
}

/**
 * A component's ValidationError, reworded for the stack file: the config key the user wrote, then
 * the component argument in brackets (`stack config: ws-exposure:l4Port must be ... [L4Exposure
 * "staging": port]`). When no single key sets the argument (the path's budget, `websocket`), the
 * component's message stays, with every argument it references named by its key. Anything else is
 * returned as is.
 */
export function inStackTerms(err: unknown, mode: StackMode): unknown {
  if (!(err instanceof ValidationError)) return err;
  const keys = keysOfOwner(err.owner, argKeysFor(mode));
  if (!keys) return err;
  const problem = err.problemMessage.render((argPath) => configKeyOf(argPath, keys) ?? argPath);
  const key = configKeyOf(err.field, keys);
  if (key === undefined) return new ValidationError(err.owner, err.field, problem);
  return new StackConfigError([`${key} ${problem} [${err.owner}: ${err.field}]`]);
}
