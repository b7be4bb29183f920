// Bundles the wsprobe CLI into one file the monitor component ships in a ConfigMap (< 1 MiB)
// and runs on a stock Node image, so the in-cluster monitor needs no image build.
const path = require("node:path");
const fs = require("node:fs");
const esbuild = require("esbuild");

const root = path.resolve(__dirname, "..");
const outfile = path.join(root, "dist/bundle/wsprobe.js");
const CONFIGMAP_LIMIT = 1024 * 1024;

esbuild
  .build({
    entryPoints: [path.join(root, "probe/cli.ts")],
    outfile,
    bundle: true,
    platform: "node",
    // The Node that runs the bundle: the monitor's and the drain sidecar's image (Node 24, the LTS
    // supported longest, to April 2028); a custom image must be Node 24 or later too.
    target: "node24",
    format: "cjs",
    minify: true,
    legalComments: "none",
    // vega/vega-lite are imported lazily for --svg only; ws's native helpers are optional.
    external: ["vega", "vega-lite", "bufferutil", "utf-8-validate"],
    logLevel: "warning",
  })
  .then(() => {
    const size = fs.statSync(outfile).size;
    console.log(`bundle: ${path.relative(root, outfile)} ${(size / 1024).toFixed(1)} KiB`);
    if (size >= CONFIGMAP_LIMIT) {
      console.error(`bundle is ${size} bytes: too big for a ConfigMap (1 MiB)`);
      process.exit(1);
    }
  })
  .catch(() => process.exit(1));
