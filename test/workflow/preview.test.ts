import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";

/** The CI workflow users copy: structure, triggers, the stacks it previews and deploys, and no inlined secret. */
const ROOT = path.join(__dirname, "../..");
const FILE = path.join(ROOT, ".github/workflows/preview.yml");
const text = fs.readFileSync(FILE, "utf8");
const wf = parse(text);

interface Step {
  uses?: string;
  run?: string;
  name?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
  "working-directory"?: string;
}
const steps = (job: string): Step[] => wf.jobs[job].steps;
const uses = (job: string, action: string) => steps(job).filter((s) => s.uses?.startsWith(`${action}@`));
const runIndex = (job: string, command: string, dir?: string) =>
  steps(job).findIndex((s) => s.run?.trim() === command && s["working-directory"] === dir);

/**
 * Stacks the repository deploys (Pulumi.<stack>.yaml). An example stack (Pulumi.<name>-example.yaml,
 * e.g. the cloud load balancers' one) targets a cluster CI cannot reach: it is rendered by the
 * tests (`npm run render`), never previewed.
 */
const stackFiles = fs
  .readdirSync(ROOT)
  .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
  .filter((s): s is string => s !== undefined && !s.endsWith("-example"));

test("triggers: pull requests, pushes to main, and a manual dispatch that asks for the stack", () => {
  expect(Object.keys(wf.on).sort()).toEqual(["pull_request", "push", "workflow_dispatch"]);
  expect(wf.on.push.branches).toEqual(["main"]);
  const stack = wf.on.workflow_dispatch.inputs.stack;
  expect(stack).toMatchObject({ type: "choice", required: true });
  expect([...stack.options].sort()).toEqual(["dev", "prod", "staging"]);
  expect(wf.permissions).toEqual({ contents: "read" });
});

test("jobs: test, then preview (pull requests) or up (main)", () => {
  expect(Object.keys(wf.jobs).sort()).toEqual(["preview", "test", "up"]);
  expect(wf.jobs.test.if).toBeUndefined();
  expect(wf.jobs.preview.needs).toBe("test");
  expect(wf.jobs.up.needs).toBe("test");
});

/** The Node majors the test job runs on: every supported LTS package.json's engines allows. */
const SUPPORTED_LTS = [22, 24];

test("test job: one run per supported LTS (22, 24), none stopping the other; the engines floor is the oldest", () => {
  expect(wf.jobs.test.strategy).toEqual({ "fail-fast": false, matrix: { node: SUPPORTED_LTS } });
  const [node] = uses("test", "actions/setup-node");
  expect(node.with!["node-version"]).toBe("${{ matrix.node }}");
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));
  expect(pkg.engines.node).toBe(`>=${SUPPORTED_LTS[0]}`);
});

test(".ci/run installs a pinned release of the newest supported LTS and puts it first on PATH before npm ci", () => {
  const run = fs.readFileSync(path.join(ROOT, ".ci/run"), "utf8");
  const version = /^ci_node_version=(\d+)\.\d+\.\d+$/m.exec(run);
  expect(version?.[1]).toBe(String(SUPPORTED_LTS[SUPPORTED_LTS.length - 1]));
  const pathLine = run.indexOf('export PATH="$ci_node_bin:$PATH"');
  expect(pathLine).toBeGreaterThan(0);
  expect(pathLine).toBeLessThan(run.indexOf("npm ci --no-audit --no-fund"));
});

describe.each(["test", "preview", "up"])("job %s", (job) => {
  test("checks out, sets up a supported Node LTS with the npm cache (both lockfiles), runs npm ci", () => {
    expect(uses(job, "actions/checkout")).toHaveLength(1);
    const [node] = uses(job, "actions/setup-node");
    const version = job === "test" ? "${{ matrix.node }}" : SUPPORTED_LTS[SUPPORTED_LTS.length - 1];
    expect(node.with).toMatchObject({ "node-version": version, cache: "npm" });
    expect(String(node.with!["cache-dependency-path"]).split("\n").filter(Boolean)).toEqual([
      "package-lock.json",
      "policy/package-lock.json",
    ]);
    const checkout = steps(job).findIndex((s) => s.uses?.startsWith("actions/checkout@"));
    const setup = steps(job).findIndex((s) => s.uses?.startsWith("actions/setup-node@"));
    expect(checkout).toBeLessThan(setup);
    expect(setup).toBeLessThan(runIndex(job, "npm ci"));
  });
});

test("test job: HAProxy (the runner's and 3.2) and openssl installed (integration tests never skip under CI), lint, typecheck, npm test", () => {
  const i = steps("test").findIndex((s) => /apt-get install .*haproxy.*openssl/.test(s.run ?? ""));
  expect(i).toBeGreaterThanOrEqual(0);
  expect(i).toBeLessThan(runIndex("test", "npm test"));
  // The cache directory the tests look in ($XDG_CACHE_HOME or ~/.cache) is the runner user's.
  const h32 = steps("test").findIndex((s) =>
    (s.run ?? "").includes('sudo XDG_CACHE_HOME="$HOME/.cache" bash scripts/haproxy32.sh'),
  );
  expect(h32).toBeGreaterThan(i);
  expect(h32).toBeLessThan(runIndex("test", "npm test"));
  expect(runIndex("test", "npm ci")).toBeLessThan(runIndex("test", "npm test"));
  expect(runIndex("test", "npm run lint")).toBeGreaterThan(runIndex("test", "npm ci"));
  expect(runIndex("test", "npm run typecheck")).toBeGreaterThan(runIndex("test", "npm ci"));
});

describe.each([
  ["preview", "preview"],
  ["up", "up"],
])("job %s", (job, command) => {
  test(`runs pulumi/actions (current major v7) '${command}' with the policy pack, after installing it`, () => {
    const actions = uses(job, "pulumi/actions");
    expect(actions).toHaveLength(1);
    expect(actions[0].uses).toBe("pulumi/actions@v7");
    expect(actions[0].with).toMatchObject({ command, policyPacks: "policy" });
    const pulumi = steps(job).indexOf(actions[0]);
    expect(runIndex(job, "npm ci", "policy")).toBeGreaterThan(runIndex(job, "npm ci"));
    expect(runIndex(job, "npm ci", "policy")).toBeLessThan(pulumi);
  });

  test("runs on the self-hosted runner in the cluster's network (a homelab API server is not on the internet)", () => {
    expect(wf.jobs[job]["runs-on"]).toEqual(["self-hosted", "linux", "ws-exposure-cluster"]);
  });

  test("the kubeconfig is removed after the job, whatever its outcome (a self-hosted runner outlives it)", () => {
    const cleanup = steps(job).filter((s) => s.run?.includes('rm -f "$RUNNER_TEMP/kubeconfig"'));
    expect(cleanup).toHaveLength(1);
    expect((cleanup[0] as Step & { if?: string }).if).toBe("always()");
    expect(steps(job).indexOf(cleanup[0])).toBe(steps(job).length - 1);
  });

  test("credentials: Pulumi and Cloudflare tokens from secrets in the action's env; the kubeconfig written to a file first", () => {
    const actions = uses(job, "pulumi/actions")[0];
    expect(actions.env).toEqual({
      PULUMI_ACCESS_TOKEN: "${{ secrets.PULUMI_ACCESS_TOKEN }}",
      CLOUDFLARE_API_TOKEN: "${{ secrets.CLOUDFLARE_API_TOKEN }}",
      ...(job === "preview" ? { PULUMI_NODEJS_TRANSPILE_ONLY: "true" } : {}),
    });
    const kube = steps(job).find((s) => s.env?.KUBECONFIG_CONTENT !== undefined)!;
    expect(kube.env).toEqual({ KUBECONFIG_CONTENT: "${{ secrets.KUBECONFIG }}" });
    expect(kube.run).toContain("umask 077");
    expect(kube.run).toContain('printf \'%s\' "$KUBECONFIG_CONTENT" > "$RUNNER_TEMP/kubeconfig"');
    expect(kube.run).toContain('echo "KUBECONFIG=$RUNNER_TEMP/kubeconfig" >> "$GITHUB_ENV"');
    expect(steps(job).indexOf(kube)).toBeLessThan(steps(job).indexOf(actions));
  });
});

test("the program is transpiled only where this job has type-checked it first: preview, never up", () => {
  // PULUMI_NODEJS_TRANSPILE_ONLY=true turns off ts-node's type check in @pulumi/pulumi's cmd/run.
  const transpileOnly = (job: string) =>
    steps(job).findIndex((s) => s.env?.PULUMI_NODEJS_TRANSPILE_ONLY !== undefined);
  expect(wf.env?.PULUMI_NODEJS_TRANSPILE_ONLY).toBeUndefined();
  for (const job of ["test", "preview", "up"])
    expect(wf.jobs[job].env?.PULUMI_NODEJS_TRANSPILE_ONLY).toBeUndefined();
  const preview = transpileOnly("preview");
  expect(preview).toBe(steps("preview").indexOf(uses("preview", "pulumi/actions")[0]));
  expect(runIndex("preview", "npm run typecheck")).toBeGreaterThan(runIndex("preview", "npm ci"));
  expect(runIndex("preview", "npm run typecheck")).toBeLessThan(preview);
  expect(transpileOnly("up")).toBe(-1);
  expect(transpileOnly("test")).toBe(-1);
});

test("preview: every stack the repository defines, on pull requests only, commented on the PR", () => {
  const job = wf.jobs.preview;
  // A fork's pull request never reaches the runner inside the cluster's network.
  expect(job.if).toBe(
    "github.event_name == 'pull_request' && github.event.pull_request.head.repo.full_name == github.repository",
  );
  expect(job.strategy["fail-fast"]).toBe(false);
  expect(job.strategy.matrix.stack).toEqual(["dev", "staging", "prod"]);
  expect([...job.strategy.matrix.stack].sort()).toEqual(expect.arrayContaining(stackFiles.sort()));
  expect(job.permissions).toEqual({ contents: "read", "pull-requests": "write" });
  const action = uses("preview", "pulumi/actions")[0];
  expect(action.with!["comment-on-pr"]).toBe(true);
  expect(action.with!["stack-name"]).toContain("matrix.stack");
});

/**
 * Evaluates the `up` job's expressions for an event, the way GitHub would for these simple
 * `a == 'b' && (...) || 'x'` forms: which stack would `pulumi up` touch, if any?
 */
function upStack(event: { name: string; ref: string; input?: string }): string | undefined {
  const job = wf.jobs.up;
  const expr = (s: string) =>
    s
      .replace(/^\$\{\{\s*|\s*\}\}$/g, "")
      .replace(/github\.event_name/g, JSON.stringify(event.name))
      .replace(/github\.ref/g, JSON.stringify(event.ref))
      .replace(/inputs\.stack/g, JSON.stringify(event.input ?? ""));
  // Only these tokens may appear, so evaluating the translated expression is safe here.
  const evaluate = (s: string) => {
    const js = expr(s);
    expect(js).toMatch(/^[\s"a-z0-9_/\-'=&|()]*$/);
    return new Function(`return (${js.replace(/'/g, '"')});`)();
  };
  if (!evaluate(job.if)) return undefined;
  return evaluate(job.env.STACK);
}

test("up: dev on a push to main; a pull request or another branch deploys nothing", () => {
  expect(upStack({ name: "push", ref: "refs/heads/main" })).toBe("dev");
  expect(upStack({ name: "pull_request", ref: "refs/pull/7/merge" })).toBeUndefined();
  expect(upStack({ name: "push", ref: "refs/heads/feature" })).toBeUndefined();
});

test.each(["prod", "staging", "dev"])(
  "up: a manual dispatch from main deploys the chosen stack (%s)",
  (stack) => {
    expect(upStack({ name: "workflow_dispatch", ref: "refs/heads/main", input: stack })).toBe(stack);
    expect(upStack({ name: "workflow_dispatch", ref: "refs/heads/feature", input: stack })).toBeUndefined();
  },
);

test("up: the stack, the GitHub environment (reviewers for prod) and the concurrency group all follow that choice", () => {
  const job = wf.jobs.up;
  const choice = "${{ github.event_name == 'workflow_dispatch' && inputs.stack || 'dev' }}";
  expect(job.env.STACK).toBe(choice);
  expect(job.environment).toBe(choice);
  expect(job.concurrency).toEqual({ group: `pulumi-up-${choice}`, "cancel-in-progress": false });
  const action = uses("up", "pulumi/actions")[0];
  expect(action.with!["stack-name"]).toContain("env.STACK");
  expect(action.with!["comment-on-pr"]).toBeUndefined();
});

test("no secret is inlined: only ${{ secrets.* }} references, never inside a run script", () => {
  const referenced = [...text.matchAll(/secrets\.([A-Z_]+)/g)].map((m) => m[1]);
  expect([...new Set(referenced)].sort()).toEqual([
    "CLOUDFLARE_API_TOKEN",
    "GITHUB_TOKEN",
    "KUBECONFIG",
    "PULUMI_ACCESS_TOKEN",
  ]);
  for (const job of Object.keys(wf.jobs)) {
    for (const step of steps(job)) {
      expect(step.run ?? "").not.toMatch(/\$\{\{[^}]*secrets\./);
      for (const [key, value] of Object.entries(step.env ?? {})) {
        if (/TOKEN|KUBECONFIG|SECRET|PASSWORD|KEY/.test(key))
          expect(value).toMatch(/^\$\{\{ secrets\.[A-Z_]+ \}\}$/);
      }
    }
  }
  // Nothing that looks like a credential: Pulumi tokens (pul-...), long hex/base64 runs, PEM blocks.
  expect(text).not.toMatch(/pul-[0-9a-f]{20,}/);
  expect(text).not.toMatch(/[A-Za-z0-9+/=_-]{40,}/);
  expect(text).not.toMatch(/BEGIN [A-Z ]*(PRIVATE KEY|CERTIFICATE)/);
});

test("the test job needs no cluster: it stays on GitHub's hosted runners", () => {
  expect(wf.jobs.test["runs-on"]).toBe("ubuntu-latest");
});

test("docs/CI.md documents every secret the workflow reads, the runner label and the RBAC file", () => {
  const doc = fs.readFileSync(path.join(ROOT, "docs/CI.md"), "utf8");
  for (const secret of ["PULUMI_ACCESS_TOKEN", "CLOUDFLARE_API_TOKEN", "KUBECONFIG", "PULUMI_ORG"]) {
    expect(doc).toContain(secret);
  }
  expect(doc).toContain("ws-exposure-cluster");
  expect(doc).toContain("deploy/rbac.yaml");
  expect(fs.existsSync(path.join(ROOT, "deploy/rbac.yaml"))).toBe(true);
});
