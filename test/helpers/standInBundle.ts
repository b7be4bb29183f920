import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

/**
 * A stand-in for the wsprobe bundle (unit tests do not run `npm run build`), in a folder of its own
 * that is removed after the tests of the scope that asks for it: call it where hooks may be declared
 * (a file's top level or a describe block), not inside a test.
 */
export function standInBundle(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ws-bundle-"));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const bundlePath = path.join(dir, "wsprobe.js");
  fs.writeFileSync(bundlePath, "console.log('wsprobe')\n");
  return bundlePath;
}
