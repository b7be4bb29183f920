// Bundles the single-file programs the components ship in ConfigMaps and run on a stock Node image,
// so no image build is needed: wsprobe (the in-cluster monitor, < 1 MiB) and the HAProxy drain driver
// (the L4 pods' sidecar). `node scripts/bundle.js [name...]` builds the ones named (default all);
// `--outdir DIR` writes them there instead of dist/bundle/ (test/package/bundle.test.ts compares).
// esbuild's output depends only on the sources and these options: the same input, the same bytes.
const path = require("node:path");
const fs = require("node:fs");
const { parseArgs } = require("node:util");
const esbuild = require("esbuild");

const root = path.resolve(__dirname, "..");
const CONFIGMAP_LIMIT = 1024 * 1024;

const COMMON = {
  bundle: true,
  platform: "node",
  // The Node that runs the bundles: the monitor's and the drain sidecar's image (Node 24, the LTS
  // supported longest, to April 2028); a custom image must be Node 24 or later too.
  target: "node24",
  format: "cjs",
  legalComments: "none",
  // Paths esbuild writes into the output are relative to the checkout, wherever it is.
  absWorkingDir: root,
  logLevel: "warning",
};

const BUNDLES = {
  wsprobe: {
    entryPoints: ["probe/cli.ts"],
    outfile: "wsprobe.js",
    minify: true,
    // vega/vega-lite are imported lazily for --svg only; ws's native helpers are optional.
    external: ["vega", "vega-lite", "bufferutil", "utf-8-validate"],
  },
  // Not minified: an operator reads it in the ConfigMap (`kubectl get configmap`).
  "haproxy-drain": {
    entryPoints: ["components/l4/haproxy/drainDriverCli.ts"],
    outfile: "haproxy-drain.js",
  },
};

async function bundle(name, outdir) {
  const { outfile, ...options } = BUNDLES[name];
  const file = path.join(outdir, outfile);
  await esbuild.build({ ...COMMON, ...options, outfile: file });
  const size = fs.statSync(file).size;
  console.log(`bundle: ${path.relative(root, file)} ${(size / 1024).toFixed(1)} KiB`);
  if (size >= CONFIGMAP_LIMIT) throw new Error(`${file} is ${size} bytes: too big for a ConfigMap (1 MiB)`);
}

async function run() {
  const { values, positionals } = parseArgs({
    options: { outdir: { type: "string" } },
    allowPositionals: true,
  });
  const unknown = positionals.filter((n) => !Object.hasOwn(BUNDLES, n));
  if (unknown.length > 0)
    throw new Error(`unknown bundle ${unknown.join(", ")}: give ${Object.keys(BUNDLES).join(" or ")}`);
  const outdir = path.resolve(values.outdir ?? path.join(root, "dist/bundle"));
  for (const name of positionals.length > 0 ? positionals : Object.keys(BUNDLES)) await bundle(name, outdir);
}

run().catch((err) => {
  console.error(`bundle: ${err.message}`);
  process.exit(1);
});
