/**
 * The drain driver's process: the entry point scripts/bundle.js bundles into
 * dist/bundle/haproxy-drain.js, the file the sidecar runs. Exit code 0 when done, 1 with one line on
 * stderr when the command line is wrong or the drain cannot run.
 */
import { main } from "./drainDriver";

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (err: unknown) => {
    console.error(`haproxy-drain: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
