/**
 * Ends jest's output with the plain closing line CI reads: "jest: N passed, N failed, N skipped"
 * ("jest e2e: ..." for the end-to-end run, whose config passes `{ label: "e2e" }`).
 */
class SummaryReporter {
  constructor(_globalConfig, options = {}) {
    this.prefix = options.label ? `jest ${options.label}` : "jest";
  }

  onRunComplete(_contexts, results) {
    const { numPassedTests, numFailedTests, numPendingTests, numTodoTests } = results;
    process.stdout.write(
      `${this.prefix}: ${numPassedTests} passed, ${numFailedTests} failed, ${numPendingTests + numTodoTests} skipped\n`,
    );
  }
}
module.exports = SummaryReporter;
