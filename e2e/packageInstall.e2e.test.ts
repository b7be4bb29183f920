/**
 * The component package as a user outside this repository gets it (issue 20, items 1 and 2): a
 * fresh `git clone` of the committed HEAD with nothing installed, `pulumi package add
 * <clone>/provider` from a Pulumi YAML project in a temporary folder outside the checkout (the CLI
 * runs the Node.js language host's InstallDependencies, which installs at the npm workspace root
 * above provider/), `pulumi package get-schema` against the committed snapshot, then `preview` and
 * `up` of an L4Exposure against the test cluster with Knative's own admission webhook registered and
 * the Knative settings and their admission check on (the default), and a check Knative refuses.
 *
 * The Node.js language host is the toolchain's stand-in (e2e/toolchain/pulumi-language-nodejs):
 * its InstallDependencies calls the same SDK functions as the 3.248 host (npm.FindWorkspaceRoot,
 * npm.Install), and it starts the plugin through @pulumi/pulumi's own cmd/run-plugin as that host
 * does; what it does not prove is that the real host's binary behaves as its source reads. The YAML
 * host the toolchain can build (1.25.0) has no Link, the last step of `package add` (a no-op for
 * YAML since pulumi-yaml#929): the test checks that everything before it ran and writes the
 * `packages:` entry the CLI writes after it. The git URL form (`pulumi package add <git
 * URL>/provider@<tag>`) clones the whole repository and then runs the same install step on its
 * provider/ folder; it is not run here.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import YAML from "yaml";
import { CONTEXT } from "./cluster";
import { useHomelab } from "./fixture";
import { applyOwnersKnativeService, KSVC, KSVC_PATH, YAML_METALLB_AND_TLS } from "./homelab";
import { KubeObject, ownedFieldPaths } from "./kube";
import {
  declaredMaximumRefusal,
  KNATIVE_WEBHOOK_API_SERVER_FLAGS,
  KNATIVE_WEBHOOK_BINARY,
  KnativeWebhook,
  startKnativeWebhook,
} from "./knativeWebhook";
import { changes, ExportedResource, ROOT, urnName, Workspace } from "./pulumi";
import { describeWith } from "./requirements";
import { CONTROL_PLANE, PULUMI } from "./toolchain";

/** The whole install (npm install of the workspace and its prepare build) included. */
const INSTALL_TIMEOUT_MS = 15 * 60 * 1000;
const UP_TIMEOUT_MS = 10 * 60 * 1000;

const OWNER_NAME = 'KnativeSettings "messaging-knative"';
const GATE_TYPE = "ws-exposure:knative:AdmissionGate";

/** The program a user writes: an L4Exposure with the Knative settings and the admission check on (defaults). */
function program(websocket: string, knative = ""): string {
  return `name: ws-exposure-outside
runtime: yaml
description: The component package used from outside its repository
resources:
  messaging:
    type: ws-exposure:index:L4Exposure
    properties:
      backend:
        knativeService: ${KSVC.name}
        namespace: ${KSVC.namespace}
      hostname: messaging-outside.example.com
      websocket: ${websocket}
${knative}${YAML_METALLB_AND_TLS}outputs:
  url: \${messaging.url}
`;
}

describeWith(
  [...CONTROL_PLANE, ...PULUMI, "pulumi-language-yaml", KNATIVE_WEBHOOK_BINARY],
  "the component package installed by pulumi package add from a fresh clone, used by a YAML program outside the checkout (Node.js language host: stand-in)",
  () => {
    const lab = useHomelab({ apiServerFlags: KNATIVE_WEBHOOK_API_SERVER_FLAGS });
    let webhook: KnativeWebhook | undefined;
    let tmp = "";
    let clone = "";
    let ws: Workspace | undefined;
    /** The program's `packages:` entry. */
    let recorded: Record<string, unknown> | undefined;
    const figures: string[] = [];
    const plugin = () => path.join(clone, "provider");

    beforeAll(
      async () => {
        webhook = await startKnativeWebhook(lab.cluster);
        await applyOwnersKnativeService(lab.cluster.kube);
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ws-exposure-package-"));
        clone = path.join(tmp, "clone");
        const head = execFileSync("git", ["-C", ROOT, "rev-parse", "HEAD"], { encoding: "utf8" }).trim();
        execFileSync("git", ["clone", "--quiet", ROOT, clone]);
        execFileSync("git", ["-C", clone, "checkout", "--quiet", "--detach", head]);
        const project = path.join(tmp, "program");
        fs.mkdirSync(project);
        fs.writeFileSync(path.join(project, "Pulumi.yaml"), program("{ minLifetimeSeconds: 600 }"));
        ws = await Workspace.create({
          project,
          stack: "outside",
          kubernetes: { kubeconfigPath: lab.cluster.kubeconfigPath, context: CONTEXT },
        });
      },
      5 * 60 * 1000,
    );
    afterAll(async () => {
      if (figures.length > 0)
        console.log(`component package from a fresh clone, measured:\n${figures.join("\n")}`);
      await webhook?.stop();
      ws?.cleanup();
      if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
    }, 60 * 1000);

    test("the clone and the program are outside the checkout, and nothing is installed in the clone", () => {
      for (const dir of [clone, ws!.projectDir]) {
        expect(path.relative(ROOT, dir).startsWith("..")).toBe(true);
      }
      expect(fs.existsSync(path.join(clone, "node_modules"))).toBe(false);
      expect(fs.existsSync(path.join(clone, "provider", "node_modules"))).toBe(false);
    });

    test("pulumi package add <clone>/provider installs the plugin's dependencies at the clone's workspace root and generates the SDK; linking stops at pulumi-language-yaml 1.25.0, which has no Link", async () => {
      const added = await ws!.run(["package", "add", plugin()], INSTALL_TIMEOUT_MS);
      figures.push(
        `pulumi package add (npm install of the clone and its build): ${added.seconds.toFixed(1)} s`,
      );
      expect(added.output).toContain(`Detected workspace root at ${clone}\n`);
      expect(added.output).toContain("Finished installing dependencies");
      // The CLI ran the installed plugin for its schema and generated the (YAML) SDK from it.
      expect(added.output).toContain(
        `Successfully generated an SDK for the ws-exposure package at ${path.join(ws!.projectDir, "sdks")}\n`,
      );
      // What run-plugin and the components import resolves from the plugin's folder now.
      for (const module of ["@pulumi/pulumi/cmd/run-plugin", "@pulumi/kubernetes", "tsx/cjs/api", "yaml"]) {
        expect(
          require.resolve(module, { paths: [plugin()] }).startsWith(path.join(clone, "node_modules")),
        ).toBe(true);
      }
      // The YAML host the toolchain builds (1.25.0, the newest on the Go module proxy) predates its
      // Link (pulumi/pulumi-yaml#929, a no-op for YAML); after a successful link the CLI records the
      // package folder as the packages entry (package_add.go: a local folder keeps its path), as here.
      expect({ code: added.code, end: added.output.trim().split("\n").pop() }).toEqual({
        code: 1,
        end: "error: linking package: method Link not implemented",
      });
      const file = path.join(ws!.projectDir, "Pulumi.yaml");
      const doc = YAML.parse(fs.readFileSync(file, "utf8")) as Record<string, unknown>;
      expect(doc.packages).toBeUndefined();
      recorded = { "ws-exposure": plugin() };
      fs.writeFileSync(file, YAML.stringify({ ...doc, packages: recorded }));
    });

    test("pulumi package get-schema <clone>/provider equals the committed provider/schema.json", async () => {
      const schema = await ws!.expectOk(["package", "get-schema", plugin()], INSTALL_TIMEOUT_MS);
      expect(JSON.parse(schema.stdout)).toEqual(
        JSON.parse(fs.readFileSync(path.join(ROOT, "provider", "schema.json"), "utf8")),
      );
    });

    test("preview plans the admission gate as the package's own resource, then up runs it against Knative's webhook and patches the Service", async () => {
      const planned = changes(await ws!.previewSteps());
      const l4 = "ws-exposure:index:L4Exposure";
      const knative = `${l4}$ws-exposure:index:KnativeSettings`;
      expect(planned.filter((s) => s.includes("KnativeSettings")).sort()).toEqual([
        `create ${knative}$kubernetes:serving.knative.dev/v1:ServicePatch::messaging-knative-service`,
        `create ${knative}$${GATE_TYPE}::messaging-knative-admission`,
        `create ${knative}::messaging-knative`,
      ]);
      const up = await ws!.run(["up", "--yes", "--skip-preview", "--diff"], UP_TIMEOUT_MS);
      figures.push(`pulumi up: ${up.seconds.toFixed(1)} s`);
      if (up.code !== 0) throw new Error(`pulumi up exited ${up.code}:\n${up.output}`);
      const gate = (await ws!.exportStack()).find(
        (r: ExportedResource) => urnName(r.urn) === "messaging-knative-admission",
      );
      expect(gate?.type).toBe(GATE_TYPE);
      expect(gate?.outputs).toEqual({
        fieldManager: "ws-exposure",
        takeovers: [],
        retries: 0,
        server: lab.cluster.server,
        context: CONTEXT,
      });
      const ksvc = await lab.cluster.kube.get<
        KubeObject & { spec: { template: { spec: { timeoutSeconds?: number } } } }
      >(KSVC_PATH);
      expect(ksvc.spec.template.spec.timeoutSeconds).toBe(600);
      const owners = (ksvc.metadata.managedFields ?? [])
        .filter((m) => ownedFieldPaths(m.fieldsV1).includes("spec.template.spec.timeoutSeconds"))
        .map((m) => m.manager);
      expect(owners).toEqual(["ws-exposure"]);
      // Nothing changed: the gate does not run again and the patch keeps its field manager.
      expect(changes(await ws!.previewSteps())).toEqual([]);
    });

    test("a timeout Knative's webhook refuses fails the up with the admission check's message, as in a TypeScript program", async () => {
      fs.writeFileSync(
        path.join(ws!.projectDir, "Pulumi.yaml"),
        YAML.stringify({
          ...(YAML.parse(
            program(
              "{ minLifetimeSeconds: 1200 }",
              "      knative:\n        cluster:\n          maxRevisionTimeoutSeconds: 1200\n",
            ),
          ) as Record<string, unknown>),
          packages: recorded,
        }),
      );
      const up = await ws!.run(["up", "--yes", "--skip-preview", "--diff"], UP_TIMEOUT_MS);
      figures.push(`refused pulumi up: ${up.seconds.toFixed(1)} s, exit ${up.code}`);
      expect(up.code).toBe(1);
      // The same text the TypeScript program's refusal gives (e2e/knativeWebhook.e2e.test.ts).
      const message = declaredMaximumRefusal(OWNER_NAME, 600, 1200);
      if (!up.output.includes(message))
        throw new Error(`expected the message:\n${message}\n--- pulumi\n${up.output}`);
      expect(up.output).not.toContain("denied the request");
      // The refusal is the message alone, on the line the CLI prints for a failed create/update: no
      // JavaScript stack trace from the provider process. (The engine then cancels the component's
      // construct, which it reports as "grpc: the client connection is closing".)
      expect(up.output.split("\n").map((l) => l.trim())).toContain(`error: ${message}`);
      expect(up.output).not.toMatch(/^\s+at /m);
      const ksvc = await lab.cluster.kube.get<
        KubeObject & { spec: { template: { spec: { timeoutSeconds?: number } } } }
      >(KSVC_PATH);
      expect(ksvc.spec.template.spec.timeoutSeconds).toBe(600);
    });
  },
);
