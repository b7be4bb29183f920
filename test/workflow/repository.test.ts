import { execFileSync } from "node:child_process";
import * as path from "node:path";

/** What a clone holds: no stray run logs (they carry machine paths and drift from the code). */
const ROOT = path.join(__dirname, "../..");

function tracked(): string[] {
  return execFileSync("git", ["ls-files"], { cwd: ROOT, encoding: "utf8" }).split("\n").filter(Boolean);
}

test("no log file is tracked, and .gitignore keeps new ones out", () => {
  expect(tracked().filter((f) => /(^|\/)[^/]*\.log$|(^|\/)log\.txt$/.test(f))).toEqual([]);
  const ignored = (file: string) => {
    try {
      execFileSync("git", ["check-ignore", "-q", "--no-index", file], { cwd: ROOT });
      return true;
    } catch {
      return false;
    }
  };
  expect(["log.txt", "haproxy.log", "e2e/run.log"].filter((f) => !ignored(f))).toEqual([]);
});
