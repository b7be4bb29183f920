/**
 * The real Pulumi CLI on a throwaway copy of the project, for the end-to-end tests: a local file
 * backend, its own PULUMI_HOME, a passphrase secrets provider, no update checks and no plugin
 * downloads; the toolchain's bin folder first on PATH, so the CLI takes the language host and the
 * provider plugins built from source. The program is the project's own (`index.ts` and everything
 * it imports, linked), the stack file a copy (stack init writes its encryption salt into it), with
 * the Kubernetes provider pointed at the test cluster through `kubernetes:kubeconfig` and
 * `kubernetes:context`.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import YAML from "yaml";
import { cloudflarePlugin } from "./cloudflarePlugin";
import { toolchainBinDir } from "./toolchain";

export const ROOT = path.join(__dirname, "..");
export const POLICY_PACK = path.join(ROOT, "policy");

/** A passphrase for the stacks' secrets: the environment's, or a fixed one (the state is thrown away). */
export const PASSPHRASE = process.env.PULUMI_CONFIG_PASSPHRASE ?? "ws-exposure-e2e";

/** What the project copy must not link: its stack files are copies, the rest would only confuse. */
const NOT_LINKED = new Set([".git", "out", "coverage", ".pulumi"]);

export interface WorkspaceOptions {
  /**
   * Another project than the repository's program (e.g. examples/yaml): its Pulumi.yaml is copied,
   * with the relative paths of its `packages:` and `plugins:` made absolute, and its other files
   * (not folders) are copied; nothing else is linked.
   */
  project?: string;
  /** The stack whose Pulumi.<stack>.yaml is copied (dev, staging, prod). */
  stack: string;
  /** The test cluster; absent = no Kubernetes provider config (the tests always give one). */
  kubernetes?: { kubeconfigPath: string; context: string };
  /** Config values to set in the copy (`key` = `ws-exposure:key`, or a full `provider:key`). */
  set?: Record<string, unknown>;
  /** Config keys to drop from the copy. */
  unset?: string[];
  /** Secret config values, set with `pulumi config set --secret`. */
  secrets?: Record<string, string>;
  /** Extra environment for every command. */
  env?: Record<string, string>;
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** stdout and stderr together, in the order they came. */
  output: string;
  seconds: number;
}

function qualify(key: string): string {
  return key.includes(":") ? key : `ws-exposure:${key}`;
}

export class Workspace {
  readonly dir: string;
  readonly projectDir: string;
  readonly env: NodeJS.ProcessEnv;
  /** Every command run, with its duration (for the README's figures and failure messages). */
  readonly log: { args: string[]; code: number | null; seconds: number }[] = [];

  private constructor(readonly options: WorkspaceOptions) {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), `ws-exposure-e2e-${options.stack}-`));
    this.projectDir = path.join(this.dir, "project");
    fs.mkdirSync(this.projectDir);
    fs.mkdirSync(path.join(this.dir, "state"));
    fs.mkdirSync(path.join(this.dir, "home"));
    const bin = toolchainBinDir();
    this.env = {
      ...process.env,
      PATH: [bin, cloudflarePlugin().pathDir, process.env.PATH].filter(Boolean).join(path.delimiter),
      PULUMI_HOME: path.join(this.dir, "home"),
      PULUMI_BACKEND_URL: `file://${path.join(this.dir, "state")}`,
      PULUMI_CONFIG_PASSPHRASE: PASSPHRASE,
      PULUMI_SKIP_UPDATE_CHECK: "true",
      PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
      PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK: "true",
      // .ci/run type-checks the tree before the e2e suites, as CI's preview job does before its preview.
      PULUMI_NODEJS_TRANSPILE_ONLY: "true",
      // Never the user's kubeconfig: the stack config names the test cluster's.
      KUBECONFIG: options.kubernetes?.kubeconfigPath ?? "/dev/null",
      ...options.env,
    };
  }

  /** Lays out the project copy and runs `pulumi stack init`. */
  static async create(options: WorkspaceOptions): Promise<Workspace> {
    const ws = new Workspace(options);
    if (options.project) {
      const source = path.resolve(ROOT, options.project);
      const doc = YAML.parse(fs.readFileSync(path.join(source, "Pulumi.yaml"), "utf8")) as {
        packages?: Record<string, string>;
        plugins?: Record<string, { path?: string }[]>;
      };
      for (const [name, spec] of Object.entries(doc.packages ?? {})) {
        if (spec.startsWith(".")) doc.packages![name] = path.resolve(source, spec);
      }
      for (const plugin of Object.values(doc.plugins ?? {}).flat()) {
        if (plugin.path?.startsWith(".")) plugin.path = path.resolve(source, plugin.path);
      }
      fs.writeFileSync(path.join(ws.projectDir, "Pulumi.yaml"), YAML.stringify(doc));
      for (const entry of fs.readdirSync(source, { withFileTypes: true })) {
        if (entry.isFile() && !/^Pulumi\..*ya?ml$/.test(entry.name)) {
          fs.copyFileSync(path.join(source, entry.name), path.join(ws.projectDir, entry.name));
        }
      }
    } else {
      for (const entry of fs.readdirSync(ROOT)) {
        if (NOT_LINKED.has(entry) || /^Pulumi\..*ya?ml$/.test(entry)) continue;
        fs.symlinkSync(path.join(ROOT, entry), path.join(ws.projectDir, entry));
      }
      fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(ws.projectDir, "Pulumi.yaml"));
    }
    ws.editStackConfig((config) => {
      for (const key of options.unset ?? []) delete config[qualify(key)];
      for (const [key, value] of Object.entries(options.set ?? {})) config[qualify(key)] = value;
      if (options.kubernetes) {
        config["kubernetes:kubeconfig"] = options.kubernetes.kubeconfigPath;
        config["kubernetes:context"] = options.kubernetes.context;
      }
    });
    await ws.expectOk(["stack", "init", options.stack]);
    for (const [key, value] of Object.entries(options.secrets ?? {})) {
      await ws.expectOk(["config", "set", "--secret", qualify(key), value]);
    }
    return ws;
  }

  get stackFile(): string {
    return path.join(this.projectDir, `Pulumi.${this.options.stack}.yaml`);
  }

  /** Rewrites the copy's `config:` (plain values; secrets go through `pulumi config set --secret`). */
  editStackConfig(edit: (config: Record<string, unknown>) => void): void {
    const source = fs.existsSync(this.stackFile)
      ? this.stackFile
      : this.options.project
        ? undefined
        : path.join(ROOT, `Pulumi.${this.options.stack}.yaml`);
    const doc = (source ? (YAML.parse(fs.readFileSync(source, "utf8")) ?? {}) : {}) as {
      config?: Record<string, unknown>;
    };
    doc.config = doc.config ?? {};
    edit(doc.config);
    fs.writeFileSync(this.stackFile, YAML.stringify(doc));
  }

  /** Runs `pulumi <args>` in the project copy. */
  run(args: string[], timeoutMs = 15 * 60 * 1000): Promise<RunResult> {
    const started = Date.now();
    return new Promise((resolve) => {
      const child = spawn("pulumi", [...args, "--non-interactive"], {
        cwd: this.projectDir,
        env: this.env,
        stdio: ["ignore", "pipe", "pipe"],
        detached: true,
      });
      let stdout = "";
      let stderr = "";
      let output = "";
      child.stdout.on("data", (d: Buffer) => {
        stdout += d.toString();
        output += d.toString();
      });
      child.stderr.on("data", (d: Buffer) => {
        stderr += d.toString();
        output += d.toString();
      });
      const timer = setTimeout(() => {
        output += `\n[killed after ${timeoutMs / 1000} s]\n`;
        try {
          process.kill(-(child.pid as number), "SIGKILL");
        } catch {
          // gone
        }
      }, timeoutMs);
      const onExit = () => {
        try {
          process.kill(-(child.pid as number), "SIGKILL");
        } catch {
          // gone
        }
      };
      process.once("exit", onExit);
      child.on("error", (err) => {
        output += `\n${err.message}\n`;
      });
      child.on("close", (code) => {
        clearTimeout(timer);
        process.removeListener("exit", onExit);
        const seconds = (Date.now() - started) / 1000;
        this.log.push({ args, code, seconds });
        resolve({ code, stdout, stderr, output, seconds });
      });
    });
  }

  /** Runs and throws (with the whole output) unless the command exits 0. */
  async expectOk(args: string[], timeoutMs?: number): Promise<RunResult> {
    const result = await this.run(args, timeoutMs);
    if (result.code !== 0) {
      throw new Error(
        `pulumi ${args.join(" ")} exited ${result.code} after ${result.seconds.toFixed(1)} s:\n${result.output}`,
      );
    }
    return result;
  }

  preview(extra: string[] = []): Promise<RunResult> {
    return this.run(["preview", "--diff", ...extra]);
  }

  up(extra: string[] = []): Promise<RunResult> {
    return this.run(["up", "--yes", "--skip-preview", "--diff", ...extra]);
  }

  destroy(extra: string[] = []): Promise<RunResult> {
    return this.run(["destroy", "--yes", "--skip-preview", ...extra]);
  }

  /** `pulumi preview --json`: the steps the engine would take. */
  async previewSteps(extra: string[] = []): Promise<PreviewJson> {
    const result = await this.expectOk(["preview", "--json", ...extra]);
    return JSON.parse(result.stdout) as PreviewJson;
  }

  /** `pulumi stack export`: the deployment's resources. */
  async exportStack(): Promise<ExportedResource[]> {
    const result = await this.expectOk(["stack", "export"]);
    const state = JSON.parse(result.stdout) as { deployment: { resources?: ExportedResource[] } };
    return state.deployment.resources ?? [];
  }

  async stackOutputs(): Promise<Record<string, unknown>> {
    const result = await this.expectOk(["stack", "output", "--json", "--show-secrets"]);
    return JSON.parse(result.stdout) as Record<string, unknown>;
  }

  /** Removes the stack's state (after destroy) and the temporary folder. */
  cleanup(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

export interface PreviewStep {
  op: string;
  urn: string;
  diffReasons?: string[];
  detailedDiff?: Record<string, unknown>;
}

export interface PreviewJson {
  steps: PreviewStep[];
  changeSummary: Record<string, number>;
  diagnostics?: { message: string; severity: string; urn?: string }[];
}

export interface ExportedResource {
  urn: string;
  type: string;
  id?: string;
  parent?: string;
  custom?: boolean;
  inputs?: Record<string, unknown>;
  outputs?: Record<string, unknown>;
}

/** The resource name at the end of a URN (`urn:pulumi:stack::project::type$type::name`). */
export function urnName(urn: string): string {
  return urn.slice(urn.lastIndexOf("::") + 2);
}

/** Steps that change something (anything but `same`), as `op type::name` lines. */
export function changes(preview: PreviewJson): string[] {
  return preview.steps
    .filter((s) => s.op !== "same")
    .map(
      (s) =>
        `${s.op} ${s.urn.split("::")[2]}::${urnName(s.urn)}${s.diffReasons ? ` (${s.diffReasons.join(", ")})` : ""}`,
    );
}
