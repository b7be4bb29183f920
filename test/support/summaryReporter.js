/**
 * Ends jest's output with what CI reads: the failures, each once and cut short, then the plain
 * closing line "jest: N passed, N failed, N skipped" ("jest e2e: ..." for the end-to-end run, whose
 * config passes `{ label: "e2e" }`). Jest's own summary of failures prints only above 20 test files,
 * and a run's log is often read from its end: without this, a failure's reason scrolls out of view.
 */
const path = require("node:path");

/** Lines the digest prints at most, and at most for one failure's message. */
const DIGEST_MAX_LINES = 100;
const MESSAGE_MAX_LINES = 60;

// eslint-disable-next-line no-control-regex
const stripAnsi = (text) => text.replace(/\u001b\[[0-9;]*m/g, "");

/**
 * The failures of a run, as lines: per test file its failed tests' names, and each distinct message
 * once (a failing beforeAll fails every test of its file with the same one), at most `maxLines`.
 */
function failureDigest(results, rootDir, maxLines = DIGEST_MAX_LINES, messageMaxLines = MESSAGE_MAX_LINES) {
  const lines = [];
  for (const file of results.testResults) {
    const failed = file.testResults.filter((t) => t.status === "failed");
    if (!file.testExecError && failed.length === 0) continue;
    lines.push(`FAILED ${path.relative(rootDir, file.testFilePath)}`);
    const messages = new Map();
    if (file.testExecError) messages.set(file.testExecError.message, ["(the file did not run)"]);
    for (const t of failed) {
      const message = t.failureMessages.join("\n");
      messages.set(message, [...(messages.get(message) ?? []), t.fullName]);
    }
    for (const [message, names] of messages) {
      for (const name of names) lines.push(`  x ${name}`);
      const body = stripAnsi(message).split("\n");
      lines.push(...body.slice(0, messageMaxLines).map((l) => `    ${l}`));
      if (body.length > messageMaxLines)
        lines.push(`    ... ${body.length - messageMaxLines} lines more, in the whole message above`);
    }
  }
  if (lines.length <= maxLines) return lines;
  return [
    ...lines.slice(0, maxLines),
    `... ${lines.length - maxLines} lines more: the whole messages are above`,
  ];
}

class SummaryReporter {
  constructor(globalConfig, options = {}) {
    this.rootDir = globalConfig.rootDir;
    this.prefix = options.label ? `jest ${options.label}` : "jest";
  }

  onRunComplete(_contexts, results) {
    const { numPassedTests, numFailedTests, numPendingTests, numTodoTests } = results;
    const digest = failureDigest(results, this.rootDir);
    if (digest.length > 0) process.stdout.write(`\n${this.prefix} failures:\n${digest.join("\n")}\n\n`);
    process.stdout.write(
      `${this.prefix}: ${numPassedTests} passed, ${numFailedTests} failed, ${numPendingTests + numTodoTests} skipped\n`,
    );
  }
}
module.exports = SummaryReporter;
module.exports.failureDigest = failureDigest;
