/** Jest only transpiles (SWC); `npm run typecheck` runs tsc once over the whole tree. */

/**
 * Packages that ship only ES modules, which Jest's CommonJS runtime cannot require (Node.js itself
 * can): @kubernetes/client-node and the OIDC libraries it imports. SWC compiles them like our code.
 */
const ESM_ONLY = ["@kubernetes/client-node", "openid-client", "oauth4webapi", "jose"];

module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  transform: {
    "^.+\\.tsx?$": [
      "@swc/jest",
      { jsc: { parser: { syntax: "typescript" }, target: "es2022" }, module: { type: "commonjs" } },
    ],
    [`/node_modules/(${ESM_ONLY.join("|")})/.+\\.js$`]: [
      "@swc/jest",
      { jsc: { parser: { syntax: "ecmascript" }, target: "es2022" }, module: { type: "commonjs" } },
    ],
  },
  transformIgnorePatterns: [`/node_modules/(?!(${ESM_ONLY.join("|")})/)`],
  moduleFileExtensions: ["ts", "js", "json"],
  testTimeout: 30000,
  reporters: ["default", "<rootDir>/test/support/summaryReporter.js"],
};
