// The entry the Node.js language host runs (through @pulumi/pulumi's cmd/run-plugin). run-plugin
// would compile .ts files with ts-node, type-checking them under its default compiler options (it
// reads tsconfig.json from the program's working directory, not the plugin's), which this package's
// code does not compile under; tsx loads them as they are, as pulumi-resource-ws-exposure does.
// Exporting only the host function (no component classes) keeps run-plugin from starting a
// provider of its own: it calls the function instead.
"use strict";
const { register } = require("tsx/cjs/api");
register();
module.exports = function host() {
  return require("./index.ts").serve(process.argv.slice(2));
};
