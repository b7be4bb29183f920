import * as fs from "fs";
import * as path from "path";

/** Every relative link in the repository's Markdown reaches a file, and its #anchor a heading there. */
const ROOT = path.join(__dirname, "../..");
const SKIPPED_DIRS = new Set([".git", "node_modules", "dist", "out", "coverage"]);

function markdownFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (entry.isDirectory())
      return SKIPPED_DIRS.has(entry.name) ? [] : markdownFiles(path.join(dir, entry.name));
    return entry.name.endsWith(".md") ? [path.join(dir, entry.name)] : [];
  });
}

/** The text outside fenced code blocks and inline code, where a link is a link. */
function proseOf(markdown: string): string {
  return markdown.replace(/^```[^\n]*\n[\s\S]*?^```[^\n]*$/gm, "").replace(/`[^`\n]*`/g, "");
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens, repeats numbered. */
export function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  const withoutFences = markdown.replace(/^```[^\n]*\n[\s\S]*?^```[^\n]*$/gm, "");
  for (const [, heading] of withoutFences.matchAll(/^#{1,6}[ \t]+(.+?)[ \t#]*$/gm)) {
    const slug = heading
      .replace(/\[([^\]]*)\]\([^)]*\)/g, "$1")
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, "")
      .replace(/\s/g, "-");
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    anchors.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return anchors;
}

/** The relative link targets of one Markdown file: inline links, images and reference definitions. */
export function relativeLinks(markdown: string): string[] {
  const prose = proseOf(markdown);
  const inline = [...prose.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1]);
  const references = [...prose.matchAll(/^\s*\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+"[^"]*")?\s*$/gm)].map(
    (m) => m[1],
  );
  return [...inline, ...references].filter((target) => !/^[a-z][a-z0-9+.-]*:/i.test(target));
}

/** Each link of `file` that does not resolve, as "file: target (why)". */
export function brokenLinks(
  file: string,
  markdown: string,
  readFile: (p: string) => string | undefined,
): string[] {
  const from = path.relative(ROOT, file);
  return relativeLinks(markdown).flatMap((link) => {
    const [target, anchor] = link.split("#", 2) as [string, string | undefined];
    const resolved = target === "" ? file : path.resolve(path.dirname(file), decodeURIComponent(target));
    const text = target === "" ? markdown : readFile(resolved);
    if (text === undefined) return [`${from}: ${link} (no such file or directory)`];
    if (anchor && resolved.endsWith(".md") && !headingAnchors(text).has(anchor.toLowerCase()))
      return [`${from}: ${link} (no heading #${anchor} in ${path.relative(ROOT, resolved)})`];
    return [];
  });
}

function readIfExists(p: string): string | undefined {
  if (!fs.existsSync(p)) return undefined;
  return fs.statSync(p).isDirectory() ? "" : fs.readFileSync(p, "utf8");
}

test("every relative link and anchor in the repository's Markdown files resolves", () => {
  const files = markdownFiles(ROOT);
  expect(files.map((f) => path.relative(ROOT, f))).toEqual(
    expect.arrayContaining(["README.md", "CONTRIBUTING.md", "docs/PATHS.md"]),
  );
  const broken = files.flatMap((file) => brokenLinks(file, fs.readFileSync(file, "utf8"), readIfExists));
  expect(broken).toEqual([]);
});

test("the check names a missing file, a missing heading, and ignores code and absolute URLs", () => {
  const file = path.join(ROOT, "docs/EXAMPLE.md");
  const docs: Record<string, string> = {
    [path.join(ROOT, "docs/L4.md")]: "# L4\n\n## HAProxy versions: 2.6 and 3.x\n",
  };
  const markdown = [
    "# Example",
    "[ok](L4.md#haproxy-versions-26-and-3x), [gone](MISSING.md), [bad anchor](L4.md#nope), [self](#example)",
    "[web](https://example.com/x.md) `[code](nowhere.md)`",
    "```md\n[fenced](nowhere.md)\n```",
    "[ref]: ../CONTRIBUTING2.md",
  ].join("\n");
  expect(brokenLinks(file, markdown, (p) => docs[p])).toEqual([
    "docs/EXAMPLE.md: MISSING.md (no such file or directory)",
    "docs/EXAMPLE.md: L4.md#nope (no heading #nope in docs/L4.md)",
    "docs/EXAMPLE.md: ../CONTRIBUTING2.md (no such file or directory)",
  ]);
});
