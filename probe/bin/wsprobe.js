#!/usr/bin/env node
/* global setTimeout */
// Built by `npm run build` (the root's prepare script), so `npx wsprobe` works after `npm ci`.
require("../dist/cli.js")
  .main(process.argv)
  .then(
    (code) => {
      process.exitCode = code;
      setTimeout(() => process.exit(code), 1000).unref();
    },
    (err) => {
      process.stderr.write(`wsprobe: ${(err && err.stack) || err}\n`);
      process.exit(1);
    },
  );
