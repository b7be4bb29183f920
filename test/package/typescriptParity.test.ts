/**
 * The component package's args (components/package/args.ts, what provider/schema.json is inferred
 * from) against the TypeScript args they stand for, read by the TypeScript compiler: every field of
 * the TypeScript args (all variants of a union) is a field of the package type and back, optional
 * exactly where some variant leaves it out, of the type the TypeScript field has as the schema spells
 * it (a string-literal union is a string, an inline or named object an object, recursively), so a
 * field added to one side and not the other fails here, naming it. Its doc comment (the schema's
 * description) is the TypeScript field's, tagged by variant where a union is flattened (docFor), so the
 * package's copies of union-typed args cannot drift from the TypeScript docs.
 * The outputs likewise: each package class declares the outputs its TypeScript component has, of the
 * same type and with the same doc comment (the schema's description), and HybridExposure's outputs
 * that re-export a path's (its address outputs, tunnelId) say what that path's say.
 */
import ts from "typescript";
import { ArgDocReader } from "../../stacks/argDocs";
import { L4_ADDRESS_OUTPUTS } from "../../components/l4/L4Exposure";

/**
 * Where the two sides differ on purpose: the package's spelling of a TypeScript variant that is not
 * an object (convert.ts maps it back), or a field only one side has.
 */
const PACKAGE_ONLY: Record<string, string> = {
  // `drain: false` in TypeScript; `{ enabled: false }` in the package.
  "L4Exposure.tls.haproxy.drain.enabled": "the package's spelling of `drain: false`",
  "HybridExposure.l4.tls.haproxy.drain.enabled": "the package's spelling of `drain: false`",
  // KnativeSettings takes a Knative backend only; the package shares one Backend type.
  "KnativeSettings.backend.service": "refused by KnativeSettings, as in TypeScript",
  "KnativeSettings.backend.port": "refused by KnativeSettings, as in TypeScript",
};

/** Required in TypeScript, optional in the package's shared type (the component refuses its absence). */
const OPTIONAL_IN_PACKAGE: Record<string, string> = {
  "KnativeSettings.backend.knativeService": "the package's Backend is shared with the exposures",
};

/** The package's component args and the TypeScript args each stands for (file, interface). */
const COMPONENTS: [string, string, [string, string]][] = [
  ["L4Exposure", "L4ExposurePackageArgs", ["components/l4/L4Exposure.ts", "L4ExposureComponentArgs"]],
  ["TunnelExposure", "TunnelExposurePackageArgs", ["components/tunnel/args.ts", "TunnelExposureArgs"]],
  [
    "KnativeSettings",
    "KnativeSettingsPackageArgs",
    ["components/knative/KnativeSettings.ts", "KnativeSettingsComponentArgs"],
  ],
  ["HybridExposure", "HybridExposurePackageArgs", ["components/hybrid/args.ts", "HybridExposureArgs"]],
  ["WsMonitor", "WsMonitorPackageArgs", ["components/monitor/args.ts", "WsMonitorArgs"]],
];

const reader = new ArgDocReader(["components/package/index.ts", ...COMPONENTS.map(([, , [file]]) => file)]);
const { program, checker } = reader;
const interfaceType = (file: string, name: string) => reader.interfaceType(file, name);
const parts = (type: ts.Type) => reader.parts(type);
const isObject = (type: ts.Type) => reader.isObject(type);
const isInputWrapper = (type: ts.Type) => reader.isInputWrapper(type);
const objectParts = (types: ts.Type[]) => reader.objectParts(types);
const doc = (symbol: ts.Symbol) => reader.doc(symbol);
/**
 * The doc a package field must have: its TypeScript field's (ArgDocReader.docFor), tagged by variant
 * where a discriminated union is flattened.
 */
const docFor = (name: string, variants: ts.Type[]) => reader.docFor(name, variants);

/** How the schema spells one part of a field's type: `string`, `number[]`, `Record<string, string>`, `object`. */
function spelling(type: ts.Type): string {
  if (type.aliasSymbol?.name === "Record") return checker.typeToString(type);
  if (type.flags & (ts.TypeFlags.StringLike | ts.TypeFlags.NumberLike | ts.TypeFlags.BooleanLike)) {
    return checker.typeToString(checker.getBaseTypeOfLiteralType(type));
  }
  if (checker.isArrayType(type)) {
    const [item] = checker.getTypeArguments(type as ts.TypeReference);
    return spellings(item).join(" | ") + "[]";
  }
  return isObject(type) ? "object" : checker.typeToString(type);
}

/** The field's spellings, one per distinct part (`true | false` is one boolean), sorted; `Input<T>` is one. */
function spellings(type: ts.Type): string[] {
  const all = parts(type);
  const distinct = (types: ts.Type[]) => [...new Set(types.map(spelling))].sort();
  if (all.some(isInputWrapper))
    return [`Input<${distinct(all.filter((t) => !isInputWrapper(t))).join(" | ")}>`];
  return distinct(all);
}

interface Field {
  path: string;
  packageSpelling: string[];
  typescriptSpelling: string[];
  packageOptional: boolean;
  typescriptOptional: boolean;
  packageDoc: string;
  /** The doc comment the package field must have, from its TypeScript fields' (docFor). */
  typescriptDoc: string;
}

/** Every field of the package type against the TypeScript variants' fields, recursively. */
function compare(
  at: string,
  packageType: ts.Type,
  variants: ts.Type[],
  out: Field[],
  missing: string[],
): void {
  const packageFields = new Map(checker.getPropertiesOfType(packageType).map((p) => [p.name, p]));
  const names = new Set(variants.flatMap((v) => checker.getPropertiesOfType(v).map((p) => p.name)));
  for (const name of names) if (!packageFields.has(name)) missing.push(`${at}.${name} (TypeScript only)`);
  for (const [name, field] of packageFields) {
    const where = `${at}.${name}`;
    if (PACKAGE_ONLY[where]) continue;
    const counterparts = variants.map((v) => checker.getPropertyOfType(v, name));
    const present = counterparts.filter((c): c is ts.Symbol => c !== undefined);
    if (present.length === 0) {
      missing.push(`${where} (package only)`);
      continue;
    }
    const tsTypes = present.map((c) => checker.getTypeOfSymbol(c));
    const packageFieldType = checker.getTypeOfSymbol(field);
    out.push({
      path: where,
      packageSpelling: spellings(packageFieldType),
      typescriptSpelling: [...new Set(tsTypes.flatMap(spellings))].sort(),
      packageOptional: !!(field.flags & ts.SymbolFlags.Optional),
      typescriptOptional:
        present.length < variants.length || present.some((c) => !!(c.flags & ts.SymbolFlags.Optional)),
      packageDoc: doc(field),
      typescriptDoc: docFor(name, variants),
    });
    const packageObject = objectParts([packageFieldType]);
    if (packageObject.length === 1) compare(where, packageObject[0], objectParts(tsTypes), out, missing);
  }
}

const fields: Field[] = [];
const missing: string[] = [];
for (const [component, packageArgs, [file, tsArgs]] of COMPONENTS) {
  compare(
    component,
    interfaceType("components/package/args.ts", packageArgs),
    [interfaceType(file, tsArgs)],
    fields,
    missing,
  );
}

test("the compiler reads both sides (no type errors in what it compares)", () => {
  const errors = ts
    .getPreEmitDiagnostics(program)
    .map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"));
  expect(errors).toEqual([]);
  expect(fields.length).toBeGreaterThan(200);
  // Type-checking the components and @pulumi/pulumi's types: a whole-program check, slow on a loaded machine.
}, 180_000);

test("every TypeScript field is a package field and back, but the package's own spellings", () => {
  expect(missing).toEqual([]);
});

/**
 * A field of one part is spelled exactly so; a string-literal union, or a union of an object and
 * literals (`route`, `dns.target`, `tls.targetPort`, `haproxy.drain`), is spelled by one of its parts.
 */
function sameType(f: Field): boolean {
  const oneOfItsParts = f.packageSpelling.every((s) => f.typescriptSpelling.includes(s));
  return f.typescriptSpelling.length === 1
    ? f.packageSpelling.join() === f.typescriptSpelling.join()
    : oneOfItsParts;
}

test("every package field has a type its TypeScript field takes", () => {
  const differ = fields
    .filter((f) => !sameType(f))
    .map(
      (f) =>
        `${f.path}: package ${f.packageSpelling.join(" | ")}, TypeScript ${f.typescriptSpelling.join(" | ")}`,
    );
  expect(differ).toEqual([]);
});

test("every package field is optional exactly where some TypeScript variant may leave it out", () => {
  const differ = fields
    .filter((f) => f.packageOptional !== (f.typescriptOptional || f.path in OPTIONAL_IN_PACKAGE))
    .map((f) => `${f.path}: ${f.packageOptional ? "optional" : "required"} in the package`);
  expect(differ).toEqual([]);
});

/**
 * Where a package field's doc comment may say more than its TypeScript field's (docFor): it starts
 * with it and adds what the package's spelling of the value needs. Each with why.
 */
const DOC_SAYS_MORE: Record<string, string> = {
  "L4Exposure.tls.haproxy.drain": "the package's spelling of `drain: false` (`{ enabled: false }`)",
  "HybridExposure.l4.tls.haproxy.drain": "the package's spelling of `drain: false` (`{ enabled: false }`)",
  "L4Exposure.tls.targetPort": "the package's targetPort is a string: a port number is written as digits",
  "HybridExposure.l4.tls.targetPort":
    "the package's targetPort is a string: a port number is written as digits",
  "L4Exposure.dns.target": "the package's spelling of `{ address }` (the address itself)",
  "HybridExposure.l4.dns.target": "the package's spelling of `{ address }` (the address itself)",
  "L4Exposure.route": "the package's spelling of `{ forcePort8080: true }` (`forcePort8080`)",
  "HybridExposure.l4.route": "the package's spelling of `{ forcePort8080: true }` (`forcePort8080`)",
};

test("every package field's doc comment is its TypeScript field's (the schema's description)", () => {
  const differ = fields
    .filter((f) =>
      f.path in DOC_SAYS_MORE
        ? !f.packageDoc.startsWith(f.typescriptDoc) || f.packageDoc === f.typescriptDoc
        : f.packageDoc !== f.typescriptDoc,
    )
    .map((f) => {
      const rule = f.path in DOC_SAYS_MORE ? "must start with, and say more than" : "must equal";
      return `${f.path}: the package doc ${rule} TypeScript's\n  package:    ${JSON.stringify(f.packageDoc)}\n  TypeScript: ${JSON.stringify(f.typescriptDoc)}`;
    });
  expect(differ).toEqual([]);
});

test("every path DOC_SAYS_MORE names is a compared field", () => {
  const paths = new Set(fields.map((f) => f.path));
  expect(Object.keys(DOC_SAYS_MORE).filter((p) => !paths.has(p))).toEqual([]);
});

/** The component classes, in components/package/index.ts and where the TypeScript component is. */
const CLASSES: [string, string][] = [
  ["L4Exposure", "components/l4/L4Exposure.ts"],
  ["TunnelExposure", "components/tunnel/TunnelExposure.ts"],
  ["KnativeSettings", "components/knative/KnativeSettings.ts"],
  ["HybridExposure", "components/hybrid/HybridExposure.ts"],
  ["WsMonitor", "components/monitor/WsMonitor.ts"],
];

/** What the schema says of an output it cannot type (a PathBudget), after what it holds. */
const UNTYPED = "; untyped in the schema, whose types cannot say `number | null`.";

interface Output {
  type: string;
  doc: string;
}

/** The class's own `pulumi.Output` members (not ComponentResource's urn), by name. */
function outputs(file: string, name: string): Record<string, Output> {
  const type = interfaceType(file, name);
  const own = checker.getPropertiesOfType(type).filter((p) => {
    const parent = p.valueDeclaration?.parent;
    return parent && ts.isClassDeclaration(parent) && parent.name?.text === name;
  });
  const entries = own
    .map((p) => [p, checker.typeToString(checker.getTypeOfSymbol(p))] as const)
    .filter(([, t]) => t.startsWith("Output<"))
    .map(([p, t]) => [p.name, { type: t, doc: ts.displayPartsToString(p.getDocumentationComment(checker)) }]);
  return Object.fromEntries(entries);
}

/** The TypeScript component's output as the package class declares it: untyped where it cannot be typed. */
function asPackageDeclares(output: Output, packageType: string): Output {
  if (packageType !== "Output<any>") return output;
  return { type: packageType, doc: output.doc.replace(/\.$/, UNTYPED) };
}

test.each(CLASSES)(
  "the package's %s declares its TypeScript component's outputs, types and docs",
  (name, file) => {
    const own = outputs("components/package/index.ts", name);
    const typescript = outputs(file, name);
    const expected = Object.fromEntries(
      Object.entries(typescript).map(([k, o]) => [k, asPackageDeclares(o, own[k]?.type ?? "")]),
    );
    expect(own).toEqual(expected);
  },
);

test("HybridExposure's re-exported outputs (the L4 path's address, the tunnel's id) say what the path's say", () => {
  const hybrid = outputs("components/hybrid/HybridExposure.ts", "HybridExposure");
  const l4 = outputs("components/l4/L4Exposure.ts", "L4Exposure");
  const tunnel = outputs("components/tunnel/TunnelExposure.ts", "TunnelExposure");
  const reExported = {
    ...Object.fromEntries(L4_ADDRESS_OUTPUTS.map((k) => [k, l4[k]])),
    tunnelId: tunnel.tunnelId,
  };
  expect(Object.values(reExported).every((o) => o?.doc)).toBe(true);
  expect(Object.fromEntries(Object.keys(reExported).map((k) => [k, hybrid[k]]))).toEqual(reExported);
});
