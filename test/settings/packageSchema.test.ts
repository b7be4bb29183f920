/**
 * The settings table (components/settings) against the component package's schema
 * (provider/schema.json, what non-TypeScript consumers get): every argument path the table names is
 * an input property of that component, of the type the stack key has.
 */
import * as fs from "fs";
import * as path from "path";
import { ArgPart, Setting, SETTINGS } from "../../components/settings";

interface Property {
  type?: string;
  $ref?: string;
  items?: Property;
  additionalProperties?: Property;
}
interface Schema {
  resources: Record<string, { inputProperties: Record<string, Property> }>;
  types: Record<string, { properties: Record<string, Property> }>;
}

const schema = JSON.parse(
  fs.readFileSync(path.join(__dirname, "../../provider/schema.json"), "utf8"),
) as Schema;

/** The schema property at a dotted argument path (`[]` steps into an array's items). */
function propertyAt(resource: string, argPath: string): Property | undefined {
  let properties: Record<string, Property> | undefined =
    schema.resources[`ws-exposure:index:${resource}`].inputProperties;
  let property: Property | undefined;
  for (const step of argPath.split(".")) {
    const [name, ...arrays] = step.split("[]");
    property = properties?.[name];
    for (let i = 0; i < arrays.length && property; i++) property = property.items;
    // A map (`labels.release`): the next step is any key of it.
    const map = property?.additionalProperties;
    properties = property?.$ref
      ? schema.types[property.$ref.replace("#/types/", "")]?.properties
      : map
        ? new Proxy({}, { get: () => map })
        : undefined;
  }
  return property;
}

function typeOf(property: Property | undefined): string | undefined {
  if (property?.type === "array") return `${property.items?.type}[]`;
  return property?.type;
}

/** Where each part's paths live in the package: the resource and the prefix there. */
const PLACES: Record<Exclude<ArgPart, "tunnelInHybrid">, [string, string][]> = {
  common: [
    ["TunnelExposure", ""],
    ["L4Exposure", ""],
    ["HybridExposure", ""],
  ],
  tunnel: [
    ["TunnelExposure", ""],
    ["HybridExposure", "tunnel."],
  ],
  l4: [
    ["L4Exposure", ""],
    ["HybridExposure", "l4."],
  ],
  hybrid: [["HybridExposure", ""]],
  monitor: [["WsMonitor", ""]],
};

/** The key's value as the package takes it: the stack's text list of `name=value` is a map there. */
const PACKAGE_TYPE: Record<string, string> = { customLoadBalancerAnnotations: "object" };

/**
 * The schema type a key's argument has: the package schema spells a whole number "number" (it is
 * inferred from the TypeScript `number`), and a path into an array's items (`httpRoutes[].path`)
 * holds one item of the key's list.
 */
function expectedType(key: string, setting: Setting, argPath: string): string {
  if (PACKAGE_TYPE[key]) return PACKAGE_TYPE[key];
  if (setting.type === "integer") return "number";
  if (setting.type === "string[]" && argPath.includes("[]")) return "string";
  return setting.type;
}

const cases = (Object.entries(SETTINGS) as [string, Setting][]).flatMap(([key, setting]) =>
  (Object.keys(PLACES) as (keyof typeof PLACES)[]).flatMap((part) =>
    (setting.args?.[part] ?? [])
      // The hybrid sets each child's hostname itself (wsHostname, httpHostname).
      .filter((arg) => !(arg === "hostname" && part !== "hybrid"))
      .flatMap((arg) =>
        PLACES[part].map(([resource, prefix]) => [key, resource, `${prefix}${arg}`, setting] as const),
      ),
  ),
);

test.each(cases)("ws-exposure:%s is %s's input %s, of the same type", (key, resource, argPath, setting) => {
  expect(typeOf(propertyAt(resource, argPath))).toBe(expectedType(key, setting, argPath));
});
