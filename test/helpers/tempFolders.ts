import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

/**
 * A maker of temporary folders (`<tmp>/<prefix>XXXXXX`) that are removed after the tests of the scope
 * that called tempFolders: call it where hooks may be declared (a file's top level or a describe
 * block); the maker itself may be called anywhere, tests included.
 */
export function tempFolders(prefix: string): () => string {
  const made: string[] = [];
  afterAll(() => made.splice(0).forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));
  return () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    made.push(dir);
    return dir;
  };
}

/**
 * A stand-in for the wsprobe bundle (unit tests do not run `npm run build`) in a temporary folder of
 * its own; where to call it as for {@link tempFolders}.
 */
export function standInBundle(): string {
  const bundlePath = path.join(tempFolders("ws-bundle-")(), "wsprobe.js");
  fs.writeFileSync(bundlePath, "console.log('wsprobe')\n");
  return bundlePath;
}
