/**
 * End-to-end tests (`npm run e2e`): the real Pulumi CLI, language host and provider plugins against
 * a real kube-apiserver on 127.0.0.1, built from source by e2e/toolchain.sh. One test file at a
 * time (each starts its own control plane); long timeouts (a `pulumi up` takes minutes on 2 cores).
 */
const unit = require("./jest.config.js");

module.exports = {
  ...unit,
  roots: ["<rootDir>/e2e"],
  testMatch: ["**/*.e2e.test.ts"],
  testTimeout: 20 * 60 * 1000,
  maxWorkers: 1,
  globalTeardown: "<rootDir>/e2e/globalTeardown.ts",
  reporters: ["default", ["<rootDir>/test/support/summaryReporter.js", { label: "e2e" }]],
};
