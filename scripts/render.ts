import * as path from "path";
import { Command } from "commander";
import { renderStack, writeRender } from "../render/render";

/** `npm run render -- --stack dev [--out DIR]`: the offline render (no cluster, cloud account or Pulumi CLI). */
function keyValues(value: string, previous: Record<string, string>): Record<string, string> {
  const eq = value.indexOf("=");
  if (eq <= 0) throw new Error(`expected KEY=VALUE, got ${JSON.stringify(value)}`);
  return { ...previous, [value.slice(0, eq)]: value.slice(eq + 1) };
}

async function main(): Promise<void> {
  const program = new Command()
    .name("render")
    .description(
      "Render a stack offline: the resources `pulumi up` would create, their Kubernetes YAML and the connection budget.",
    )
    .option("--stack <name>", "stack to render (Pulumi.<name>.yaml)", "dev")
    .option("--out <dir>", "output folder (default out/<stack>)")
    .option("--set <key=value>", "override a config value (repeatable)", keyValues, {})
    .option(
      "--unset <key>",
      "drop a key of the stack file (repeatable)",
      (v: string, prev: string[]) => [...prev, v],
      [] as string[],
    )
    .option(
      "--set-secret <key=value>",
      "give a secret config value (repeatable; stack files' encrypted values cannot be read offline)",
      keyValues,
      {},
    )
    .parse();
  const opts = program.opts<{
    stack: string;
    out?: string;
    set: Record<string, string>;
    setSecret: Record<string, string>;
    unset: string[];
  }>();
  const projectDir = path.resolve(__dirname, "..");
  const outDir = path.resolve(opts.out ?? path.join("out", opts.stack));

  let failed = false;
  const onAsyncError = (err: unknown) => {
    if (failed) return;
    failed = true;
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  };
  process.on("unhandledRejection", onAsyncError);
  process.on("uncaughtException", onAsyncError);

  try {
    const result = await renderStack({
      projectDir,
      stack: opts.stack,
      outDir,
      set: opts.set,
      setSecret: opts.setSecret,
      unset: opts.unset,
    });
    if (failed) return;
    writeRender(outDir, result);
    process.stdout.write(
      `${result.text}\n\nWrote ${path.relative(process.cwd(), outDir) || "."}/{resources.json,budget.json,outputs.json,k8s/}\n`,
    );
    process.exit(0);
  } catch (err) {
    onAsyncError(err);
  }
}

void main();
