/**
 * The components' argument docs, read from their TypeScript sources by the compiler: the one source of
 * a stack key's prose (stacks/configDocs.ts renders it in stack keys). Only `npm run gen:config` and
 * the tests import this: the stack program and the components must not, since the compiled package
 * ships no TypeScript sources to read and typescript is a devDependency.
 */
import * as path from "node:path";
import ts from "typescript";

const ROOT = path.join(__dirname, "..");

/** A TypeScript program over some files, with what reads their declared types and docs. */
/** How a doc writes the tags of the union variants that say one thing (see docFor). */
export type Tagged = (tags: string[], discriminant?: string) => string;

export class ArgDocReader {
  readonly program: ts.Program;
  readonly checker: ts.TypeChecker;

  constructor(files: readonly string[]) {
    this.program = ts.createProgram(
      files.map((f) => path.join(ROOT, f)),
      { strict: true, skipLibCheck: true, noEmit: true, module: ts.ModuleKind.NodeNext },
    );
    this.checker = this.program.getTypeChecker();
  }

  /** The type an exported interface or type alias of a file declares. */
  interfaceType(file: string, name: string): ts.Type {
    const source = this.program.getSourceFile(path.join(ROOT, file));
    const symbol =
      source && this.checker.getSymbolAtLocation(source)?.exports?.get(ts.escapeLeadingUnderscores(name));
    if (!symbol) throw new Error(`${file} exports no ${name}`);
    return this.checker.getDeclaredTypeOfSymbol(symbol);
  }

  /** The type's parts, undefined and null left out. */
  parts(type: ts.Type): ts.Type[] {
    const all = type.isUnion() ? type.types : [type];
    return all.filter((t) => !(t.flags & (ts.TypeFlags.Undefined | ts.TypeFlags.Null)));
  }

  /** The Promise and Output parts of a `pulumi.Input<T>` (T | Promise<T> | OutputInstance<T>). */
  isInputWrapper(type: ts.Type): boolean {
    const name = type.getSymbol()?.name;
    return name === "Promise" || name === "OutputInstance";
  }

  /** A plain object type (an interface, an inline type, an Omit<...>), to compare field by field. */
  isObject(type: ts.Type): boolean {
    return (
      !!(type.flags & ts.TypeFlags.Object) &&
      !this.checker.isArrayType(type) &&
      !this.isInputWrapper(type) &&
      this.checker.getIndexInfosOfType(type).length === 0
    );
  }

  /** A symbol's doc comment as the checker reads it (its tags left out). */
  doc(symbol: ts.Symbol): string {
    return ts.displayPartsToString(symbol.getDocumentationComment(this.checker));
  }

  /**
   * The field every variant of a union declares as one string literal of its own (`type`, `mode`), which
   * names the variant in a flattened type's docs; none for a single type or an undiscriminated union.
   */
  discriminant(variants: ts.Type[]): string | undefined {
    if (variants.length < 2) return undefined;
    const literal = (v: ts.Type, name: string) => {
      const field = this.checker.getPropertyOfType(v, name);
      const type = field && this.checker.getTypeOfSymbol(field);
      return type?.isStringLiteral() ? type.value : undefined;
    };
    return this.checker.getPropertiesOfType(variants[0]).find((p) => {
      const values = variants.map((v) => literal(v, p.name));
      return values.every((v) => v !== undefined) && new Set(values).size === variants.length;
    })?.name;
  }

  /**
   * A field's doc across the variants of the object it is in: the one doc, when every variant that
   * declares it says the same; in a discriminated union, each variant's doc after the tags of the
   * variants that say it (`aws-nlb: ...`, the tags on a line of their own before a doc of several
   * lines), undocumented variants left out. An undiscriminated union's differing docs are joined, one a
   * line, so its variants should say the same. `tagged` writes the tags, given the discriminant's name
   * unless the field is the discriminant itself (the stack's docs name the key that chooses them).
   */
  docFor(name: string, variants: ts.Type[], tagged: Tagged = (tags) => tags.join(", ")): string {
    const tag = this.discriminant(variants);
    const declared = variants.flatMap((v) => {
      const field = this.checker.getPropertyOfType(v, name);
      return field ? [{ variant: v, doc: this.doc(field) }] : [];
    });
    const docs = [...new Set(declared.map((d) => d.doc))];
    if (docs.length === 1 && (declared.length === variants.length || !tag || !docs[0])) return docs[0];
    if (!tag) return docs.join("\n");
    const tagOf = (v: ts.Type) =>
      (this.checker.getTypeOfSymbol(this.checker.getPropertyOfType(v, tag)!) as ts.StringLiteralType).value;
    return docs
      .filter((d) => d)
      .map((d) => {
        const tags = declared.filter((x) => x.doc === d).map((x) => tagOf(x.variant));
        return `${tagged(tags, name === tag ? undefined : tag)}:${d.includes("\n") ? "\n" : " "}${d}`;
      })
      .join("\n");
  }

  /** The object parts of some types (array items included): the variants a field is looked up in. */
  objectParts(types: ts.Type[]): ts.Type[] {
    return types
      .flatMap((t) => this.parts(t))
      .flatMap((t) => {
        if (this.checker.isArrayType(t))
          return this.parts(this.checker.getTypeArguments(t as ts.TypeReference)[0]).filter((p) =>
            this.isObject(p),
          );
        return this.isObject(t) ? [t] : [];
      });
  }

  /**
   * The object variants a dotted path (`[]` for an array's items, as the settings table writes it)
   * leads to from a root type, and its last field's name; undefined when some step is no field.
   */
  private walk(root: ts.Type, dotted: string): { variants: ts.Type[]; name: string } | undefined {
    const steps = dotted.split(".").map((s) => s.replace(/\[\]$/, ""));
    let variants = this.objectParts([root]);
    for (const [i, name] of steps.entries()) {
      const fields = variants.flatMap((v) => {
        const f = this.checker.getPropertyOfType(v, name);
        return f ? [f] : [];
      });
      if (fields.length === 0) return undefined;
      if (i === steps.length - 1) return { variants, name };
      variants = this.objectParts(fields.map((f) => this.checker.getTypeOfSymbol(f)));
    }
    return undefined;
  }

  /** Whether a dotted path names a field of the root type. */
  has(root: ts.Type, dotted: string): boolean {
    return this.walk(root, dotted) !== undefined;
  }

  /** The doc of the field a dotted path names in a root type (docFor across its object's variants). */
  docAt(root: ts.Type, dotted: string, tagged?: Tagged): string {
    const found = this.walk(root, dotted);
    if (!found) throw new Error(`no argument ${dotted}`);
    return this.docFor(found.name, found.variants, tagged);
  }
}

/** The args type each part of a setting's `args` names its paths in (components/settings/setting.ts). */
export const PART_ROOTS = {
  common: ["components/tunnel/args.ts", "TunnelExposureArgs"],
  tunnel: ["components/tunnel/args.ts", "TunnelExposureArgs"],
  l4: ["components/l4/args.ts", "L4ExposureArgs"],
  hybrid: ["components/hybrid/args.ts", "HybridExposureArgs"],
  tunnelInHybrid: ["components/tunnel/args.ts", "TunnelExposureArgs"],
  monitor: ["components/monitor/args.ts", "WsMonitorArgs"],
} as const;

/** The reader over the components' args, and the root type of each part. */
export interface ArgDocs {
  reader: ArgDocReader;
  root(part: keyof typeof PART_ROOTS): ts.Type;
}

let built: ArgDocs | undefined;

/** The components' args, read once (building the program takes seconds). */
export function argDocs(): ArgDocs {
  if (built) return built;
  const reader = new ArgDocReader([...new Set(Object.values(PART_ROOTS).map(([file]) => file))]);
  const roots = new Map<string, ts.Type>();
  built = {
    reader,
    root(part) {
      const [file, name] = PART_ROOTS[part];
      const key = `${file}#${name}`;
      if (!roots.has(key)) roots.set(key, reader.interfaceType(file, name));
      return roots.get(key)!;
    },
  };
  return built;
}
