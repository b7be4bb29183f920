/**
 * The failure digest CI's log ends with (test/support/summaryReporter.js): a run read from its end
 * shows which test failed and why.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { failureDigest } = require("../support/summaryReporter") as {
  failureDigest: (results: unknown, rootDir: string, maxLines?: number, messageMaxLines?: number) => string[];
};

const ROOT = "/repo";

function file(name: string, tests: { name: string; failure?: string }[], execError?: string) {
  return {
    testFilePath: `${ROOT}/e2e/${name}`,
    testExecError: execError ? { message: execError } : undefined,
    testResults: tests.map((t) => ({
      fullName: t.name,
      status: t.failure === undefined ? "passed" : "failed",
      failureMessages: t.failure === undefined ? [] : [t.failure],
    })),
  };
}

describe("failureDigest", () => {
  test("a passing run has no digest", () => {
    expect(failureDigest({ testResults: [file("a.e2e.test.ts", [{ name: "works" }])] }, ROOT)).toEqual([]);
  });

  test("a beforeAll failure shared by every test of a file is printed once, under all their names, without colours", () => {
    const message =
      "\u001b[31mError: the Knative activator ready: not within 240000 ms\u001b[39m\n--- knative-autoscaler\nlast line";
    const digest = failureDigest(
      {
        testResults: [
          file("node.e2e.test.ts", [
            { name: "staging pulumi up", failure: message },
            { name: "staging wss echo", failure: message },
          ]),
          file("ok.e2e.test.ts", [{ name: "fine" }]),
        ],
      },
      ROOT,
    );
    expect(digest).toEqual([
      "FAILED e2e/node.e2e.test.ts",
      "  x staging pulumi up",
      "  x staging wss echo",
      "    Error: the Knative activator ready: not within 240000 ms",
      "    --- knative-autoscaler",
      "    last line",
    ]);
  });

  test("a file that did not run, and distinct messages each under its test", () => {
    const digest = failureDigest(
      {
        testResults: [
          file("broken.e2e.test.ts", [], "Cannot find module './gone'"),
          file("two.e2e.test.ts", [
            { name: "first", failure: "expected 1" },
            { name: "second", failure: "expected 2" },
          ]),
        ],
      },
      ROOT,
    );
    expect(digest).toEqual([
      "FAILED e2e/broken.e2e.test.ts",
      "  x (the file did not run)",
      "    Cannot find module './gone'",
      "FAILED e2e/two.e2e.test.ts",
      "  x first",
      "    expected 1",
      "  x second",
      "    expected 2",
    ]);
  });

  test("a long message and a long digest are cut, saying how much is left out", () => {
    const long = Array.from({ length: 10 }, (_, i) => `line ${i}`).join("\n");
    const results = { testResults: [file("long.e2e.test.ts", [{ name: "long", failure: long }])] };
    expect(failureDigest(results, ROOT, 100, 3)).toEqual([
      "FAILED e2e/long.e2e.test.ts",
      "  x long",
      "    line 0",
      "    line 1",
      "    line 2",
      "    ... 7 lines more, in the whole message above",
    ]);
    expect(failureDigest(results, ROOT, 4, 3)).toEqual([
      "FAILED e2e/long.e2e.test.ts",
      "  x long",
      "    line 0",
      "    line 1",
      "... 2 lines more: the whole messages are above",
    ]);
  });
});
