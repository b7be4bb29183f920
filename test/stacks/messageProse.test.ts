/**
 * No component message names, in its plain text, an argument a stack key sets: such a name would
 * reach a stack user as the argument path, not the key they wrote. A heuristic over the source: it
 * reads the literal text of the problems given to `fail`, `new ValidationError`, a
 * `requireWholeNumber` unit and every msg`` template (not text that reaches them through a variable
 * or a function, nor the text of arg("...")), and looks for each dotted or camelCase argument path
 * of the settings table standing as a name of its own (not inside quotes or a longer path).
 */
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";
import { argKeysFor, StackMode } from "../../stacks/configArgs";

const COMPONENTS = path.join(__dirname, "../../components");

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === "settings" ? [] : sourceFiles(full);
    return e.name.endsWith(".ts") ? [full] : [];
  });
}

/**
 * Argument paths a stack key sets, as prose would write them (`httpRoutes[` for `httpRoutes[].path`,
 * any index); plain words ("port") are left out.
 */
const ARG_PATHS = [
  ...new Set(
    (["tunnel", "l4", "hybrid"] as StackMode[]).flatMap((mode) =>
      Object.values(argKeysFor(mode)).flatMap((keys) => Object.keys(keys)),
    ),
  ),
]
  .map((p) => (p.includes("[]") ? p.slice(0, p.indexOf("[]") + 1) : p))
  .filter((p) => p.includes(".") || p !== p.toLowerCase());

/** Characters that continue a name (before: also a path's dot, a quote, a config key's colon, an index). */
const continuesBefore = (c: string | undefined) => c !== undefined && (/\w/.test(c) || '.:"[]-'.includes(c));
const continuesAfter = (c: string | undefined) => c !== undefined && (/\w/.test(c) || c === '"');

function namesIn(text: string): string[] {
  return ARG_PATHS.filter((p) => {
    for (let i = text.indexOf(p); i >= 0; i = text.indexOf(p, i + 1)) {
      const ends = p.endsWith("[") || !continuesAfter(text[i + p.length]);
      if (!continuesBefore(text[i - 1]) && ends) return true;
    }
    return false;
  });
}

/** The literal text of the problems in one file, each with its line. */
function problemTexts(file: string): { line: number; text: string }[] {
  const src = ts.createSourceFile(file, fs.readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true);
  const out: { line: number; text: string }[] = [];
  const collect = (n: ts.Node): void => {
    if (ts.isCallExpression(n) && n.expression.getText() === "arg") return;
    if (
      ts.isStringLiteral(n) ||
      ts.isNoSubstitutionTemplateLiteral(n) ||
      ts.isTemplateHead(n) ||
      ts.isTemplateMiddle(n) ||
      ts.isTemplateTail(n)
    )
      out.push({ line: src.getLineAndCharacterOfPosition(n.getStart()).line + 1, text: n.text });
    ts.forEachChild(n, collect);
  };
  const problemOf = (n: ts.Node): ts.Node | undefined => {
    if (ts.isTaggedTemplateExpression(n) && n.tag.getText() === "msg") return n.template;
    if (ts.isCallExpression(n) && n.expression.getText() === "fail") return n.arguments[2];
    if (ts.isCallExpression(n) && n.expression.getText() === "requireWholeNumber") return n.arguments[5];
    if (ts.isNewExpression(n) && n.expression.getText() === "ValidationError") return n.arguments?.[2];
    return undefined;
  };
  const visit = (n: ts.Node): void => {
    const problem = problemOf(n);
    if (problem) collect(problem);
    ts.forEachChild(n, visit);
  };
  visit(src);
  return out;
}

test("the table gives argument paths to look for", () => {
  expect(ARG_PATHS).toEqual(expect.arrayContaining(["knative.maxScale", "tls.mode", "loadBalancerIP"]));
});

test("every argument path a problem names is a reference, not plain text", () => {
  const plain = sourceFiles(COMPONENTS).flatMap((file) =>
    problemTexts(file).flatMap(({ line, text }) =>
      namesIn(text).map((name) => `${path.relative(COMPONENTS, file)}:${line}: ${name}`),
    ),
  );
  expect(plain).toEqual([]);
});
