/**
 * `pulumi preview` of every stack with the real engine, language host and provider plugins against
 * the test cluster, with and without the policy pack; a policy violation fails the preview with the
 * policy's own message. What a user reads: each path's connection budget, once, under the
 * component that owns the path; a refused config as one clean error, without a stack trace.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { PathBudget } from "../components/budget/model";
import { budgetMessage } from "../components/core/announceBudget";
import { useHomelab } from "./fixture";
import { removeRenders, render } from "./k8sRender";
import { POLICY_PACK, urnName, Workspace } from "./pulumi";
import { describeWith } from "./requirements";
import { cloudflarePlugin } from "./cloudflarePlugin";
import { stackWorkspace } from "./stackSetup";
import { CONTROL_PLANE, PULUMI } from "./toolchain";
import { STACK_RENDER_STDERR } from "../test/helpers/render";

afterAll(removeRenders);

const BASE = [...CONTROL_PLANE, ...PULUMI];

const STACKS = ["dev", "staging", "prod"];

/** The component that owns each stack's paths, as the CLI names it (`type (name)`). */
const PATH_OWNERS: Record<string, Record<string, string>> = {
  dev: { tunnel: "ws-exposure:index:TunnelExposure (dev)" },
  staging: { l4: "ws-exposure:index:L4Exposure (staging)" },
  prod: {
    tunnel: "ws-exposure:index:TunnelExposure (prod-tunnel)",
    l4: "ws-exposure:index:L4Exposure (prod-l4)",
  },
};

/**
 * The "Diagnostics:" section of `pulumi preview`'s text output: from that line to the next line that
 * starts in column 0 ("Outputs:", "Resources:"); each resource's block inside it ends with a blank line.
 */
function diagnosticsSection(output: string): string {
  const lines = output.split("\n");
  const start = lines.indexOf("Diagnostics:");
  if (start < 0) throw new Error(`no Diagnostics section in:\n${output}`);
  const end = lines.findIndex((l, i) => i > start && /^\S/.test(l));
  return lines
    .slice(start, end < 0 ? undefined : end)
    .join("\n")
    .trimEnd();
}

/**
 * The e2e harness serves the plugins from PATH (the toolchain's bin, the Cloudflare stand-in), and
 * the engine warns about each one it uses that way; plugins installed the usual way print no such line.
 */
function withoutPathPluginWarnings(text: string): string {
  return text
    .split("\n")
    .filter((l) => !/^ {4}warning: using pulumi-resource-[\w-]+ from \$PATH at /.test(l))
    .join("\n");
}

/** What the CLI prints for one info diagnostic of a resource: its header, then each line indented. */
function diagnosticBlock(resource: string, message: string): string {
  return [`  ${resource}:`, ...message.split("\n").map((l) => (l === "" ? "" : `    ${l}`))].join("\n");
}

/** `warning: [runtime] L4Exposure "x": ...` lines of a render's stderr, as the CLI prints them under x. */
function componentWarnings(stderr: string): { owner: string; line: string }[] {
  return stderr
    .split("\n")
    .filter((l) => l.startsWith("warning: [runtime] "))
    .map((l) => ({
      owner: /^warning: \[runtime\] \w+ "([^"]+)"/.exec(l)![1],
      line: l.replace("warning: [runtime] ", "warning: "),
    }));
}

function occurrences(text: string, part: string): number {
  return text.split(part).length - 1;
}

describeWith(BASE, "pulumi preview against the test cluster", () => {
  // Previews change nothing: one cluster for the whole file.
  const lab = useHomelab();

  for (const stack of STACKS) {
    describe(`pulumi preview of ${stack} (Cloudflare provider: ${cloudflarePlugin().kind})`, () => {
      let ws: Workspace;
      beforeAll(
        async () => {
          ws = await stackWorkspace(lab, stack);
        },
        5 * 60 * 1000,
      );
      afterAll(() => ws?.cleanup());

      test("plans to create exactly the resources the render lists", async () => {
        const predicted = await render(stack);
        const preview = await ws.previewSteps();
        const planned = preview.steps
          .filter((s) => !s.urn.includes("pulumi:pulumi:Stack") && !s.urn.includes("pulumi:providers:"))
          .map((s) => `${s.op} ${s.urn.split("::")[2].split("$").pop()}::${urnName(s.urn)}`)
          .sort();
        expect(planned).toEqual(predicted.resources.map((r) => `create ${r.type}::${r.name}`).sort());
      });

      test("prints each path's connection budget once, under the component that owns the path, within 100 columns", async () => {
        const { dir } = await render(stack);
        const budgets = (
          JSON.parse(fs.readFileSync(path.join(dir, "budget.json"), "utf8")) as { paths: PathBudget[] }
        ).paths;
        // The default display, as a user runs it (with --diff the CLI prints diagnostics inline).
        const preview = await ws.run(["preview"]);
        expect(preview.code).toBe(0);
        const diagnostics = diagnosticsSection(preview.stdout);
        console.log(`pulumi preview of ${stack}, its Diagnostics section:\n${diagnostics}`);
        expect(budgets.map((b) => b.name)).toEqual(Object.keys(PATH_OWNERS[stack]));
        // The component's own warnings (the render's stderr) come first in its block, each one line:
        // the CLI does not wrap a warning, so only the budget is held to 100 columns.
        const warnings = componentWarnings(STACK_RENDER_STDERR[stack]);
        for (const budget of budgets) {
          const owner = PATH_OWNERS[stack][budget.name];
          const ownWarnings = warnings.filter((w) => owner.endsWith(`(${w.owner})`)).map((w) => w.line);
          const block = diagnosticBlock(owner, [...ownWarnings, budgetMessage(budget)].join("\n"));
          expect(diagnostics).toContain(block);
          expect(occurrences(diagnostics, `Connection budget: ${budget.name} path`)).toBe(1);
        }
        const warningLines = new Set(warnings.map((w) => `    ${w.line}`));
        for (const line of withoutPathPluginWarnings(diagnostics).split("\n")) {
          if (!warningLines.has(line)) expect(line.length).toBeLessThanOrEqual(100);
        }
      });

      test("passes the policy pack", async () => {
        const preview = await ws.preview(["--policy-pack", POLICY_PACK]);
        expect(preview.output).not.toMatch(/mandatory|violation/i);
        expect(preview.code).toBe(0);
      });
    });
  }

  describe("cloud-example (an AWS NLB with ip targets): the pack's pod readiness gate policies", () => {
    let ws: Workspace;
    beforeAll(
      async () => {
        ws = await stackWorkspace(lab, "cloud-example");
      },
      5 * 60 * 1000,
    );
    afterAll(() => ws?.cleanup());

    test("its namespace is not in the stack: the advisory policy names it, the preview passes", async () => {
      const preview = await ws.preview(["--policy-pack", POLICY_PACK]);
      expect({ code: preview.code, mandatory: /mandatory/i.test(preview.output) }).toEqual({
        code: 0,
        mandatory: false,
      });
      expect(preview.output).toContain("aws-nlb-pod-readiness-gate-unverified");
      expect(preview.output).toContain(
        'Service "cloud-example-lb": an AWS NLB with "ip" targets in namespace "agents-whatsapp-rust", which is not in this stack',
      );
    });
  });

  describe("a refused config: one clean error, no stack trace", () => {
    let ws: Workspace;
    beforeAll(
      async () => {
        ws = await stackWorkspace(lab, "prod", { set: { heartbeatSeconds: 200 } });
      },
      5 * 60 * 1000,
    );
    afterAll(() => ws?.cleanup());

    test("prod with heartbeatSeconds 200: the message names the key, the hop and the fix, and nothing else", async () => {
      const preview = await ws.run(["preview"]);
      console.log(`pulumi preview of prod with ws-exposure:heartbeatSeconds 200 printed:\n${preview.output}`);
      expect(preview.code).not.toBe(0);
      // From "Diagnostics:" to the end, stdout is the same on every run (the lines above it show progress).
      const tail = preview.stdout.slice(preview.stdout.indexOf("Diagnostics:")).trimEnd();
      expect(withoutPathPluginWarnings(tail)).toBe(
        [
          "Diagnostics:",
          "  pulumi:pulumi:Stack (ws-exposure-prod):",
          '    error: TunnelExposure "prod-tunnel": websocket does not fit the tunnel path\'s connection budget: ws-exposure:heartbeatSeconds 200 is too slow for the tunnel path: hop "cloudflare-edge" closes a connection idle for 100 s, and a connection must survive 2 heartbeat intervals (400 s); raise ws-exposure:edgeIdleTimeoutSeconds (only if you measured a longer timer) or set ws-exposure:heartbeatSeconds <= 50',
          "",
          "Resources:",
          "    + 1 to create",
          "    1 errored",
        ].join("\n"),
      );
      expect(preview.output).not.toContain("unhandled exception");
      expect(preview.output).not.toMatch(/^\s+at /m);
      expect(preview.output).not.toContain("ValidationError");
    });
  });

  describe("a policy violation fails the preview", () => {
    let ws: Workspace;
    beforeAll(
      async () => {
        // Allowed by the component when asked by name: plain ws:// on a LoadBalancer straight to port 8080.
        ws = await stackWorkspace(lab, "staging", {
          unset: [
            "zoneId",
            "l4DnsTarget",
            "certManagerIssuer",
            "certManagerIssuerKind",
            "haproxyReplicas",
            "haproxyHardStopAfterSeconds",
            "haproxyMaxconn",
          ],
          set: { tlsMode: "none", acknowledgeInsecure: true, l4Route: "force-port-8080" },
        });
      },
      5 * 60 * 1000,
    );
    afterAll(() => ws?.cleanup());

    test("without the pack the preview passes", async () => {
      expect((await ws.preview()).code).toBe(0);
    });

    test("with the pack it fails, naming the policy, the field and the fix", async () => {
      const preview = await ws.preview(["--policy-pack", POLICY_PACK]);
      expect(preview.code).not.toBe(0);
      expect(preview.output).toContain("knative-loadbalancer-bypasses-queue-proxy");
      expect(preview.output).toContain(
        "spec.ports[0].targetPort 8080 sends LoadBalancer traffic straight to the Knative user container (selector serving.knative.dev/service=messaging-service), bypassing the queue-proxy",
      );
    });
  });
});
