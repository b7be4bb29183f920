/**
 * The render's Kubernetes objects (`npm run render -- --stack S --out DIR` writes `DIR/k8s/*.yaml`,
 * one object a file, patches marked in the header line) and where the API server keeps them.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import YAML from "yaml";
import { runRender } from "../test/helpers/render";
import { RenderedResource } from "./compare";
import { Kube, KubeObject } from "./kube";

export interface RenderedObject {
  file: string;
  /** Pulumi type and resource name, from the file's header line. */
  type: string;
  resourceName: string;
  /** A server-side apply patch of an object that already exists. */
  patch: boolean;
  object: KubeObject;
}

export interface Render {
  dir: string;
  resources: RenderedResource[];
  objects: RenderedObject[];
}

const renderFolders: string[] = [];

/** Removes the folders of every render so far: a test file's afterAll. */
export function removeRenders(): void {
  for (const dir of renderFolders.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}

/**
 * Runs the offline render of `stack` with these flags (`--set k=v`, `--unset k`) into a temp folder,
 * which {@link removeRenders} removes.
 */
export async function render(stack: string, flags: string[] = []): Promise<Render> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `ws-exposure-e2e-render-${stack}-`));
  renderFolders.push(dir);
  const run = await runRender(stack, flags, dir, 180000);
  if (run.status !== 0)
    throw new Error(`render --stack ${stack} ${flags.join(" ")} failed:\n${run.stderr}${run.stdout}`);
  const resources = JSON.parse(
    fs.readFileSync(path.join(dir, "resources.json"), "utf8"),
  ) as RenderedResource[];
  const objects = fs
    .readdirSync(path.join(dir, "k8s"))
    .sort()
    .map((file) => {
      const text = fs.readFileSync(path.join(dir, "k8s", file), "utf8");
      const header = /^# (\S+) (\S+)( \(server-side apply patch)?/.exec(text);
      if (!header) throw new Error(`${file}: no header line`);
      return {
        file,
        type: header[1],
        resourceName: header[2],
        patch: header[3] !== undefined,
        object: YAML.parse(text) as KubeObject,
      };
    });
  return { dir, resources, objects };
}

/** `Kind namespace/name` of an object, for messages and set comparisons. */
export function objectKey(o: { kind: string; metadata: { name: string; namespace?: string } }): string {
  return `${o.kind} ${o.metadata.namespace ? `${o.metadata.namespace}/` : ""}${o.metadata.name}`;
}

/** Leaf field paths an object sets (what a server-side apply of it owns), `spec.template.spec.timeoutSeconds`. */
export function fieldPaths(value: unknown, prefix = ""): string[] {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return prefix ? [prefix] : [];
  const out: string[] = [];
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    const here = prefix ? `${prefix}.${k}` : k;
    if (v !== null && typeof v === "object" && !Array.isArray(v) && Object.keys(v).length > 0) {
      out.push(...fieldPaths(v, here));
    } else out.push(here);
  }
  return out;
}

/** The render's stand-in for the provider's random auto-name suffix (`<name>-xxxxxxxx`). */
const AUTONAMED = /-xxxxxxxx$/;

/** The live object the render predicted; an auto-named one is found by its `<resource name>-` prefix. */
export async function findLive(kube: Kube, o: KubeObject): Promise<KubeObject | undefined> {
  if (!AUTONAMED.test(o.metadata.name)) return kube.find(await kube.objectPath(o));
  const prefix = o.metadata.name.replace(AUTONAMED, "-");
  const items = await kube.list(await kube.collectionPath(o.apiVersion, o.kind, o.metadata.namespace));
  return items.find(
    (i) => i.metadata.name.startsWith(prefix) && /^[a-z0-9]{8}$/.test(i.metadata.name.slice(prefix.length)),
  );
}

/** `objectKey` with a live auto-name suffix replaced by the render's stand-in, where the render has one. */
export function predictedKey(o: KubeObject, predicted: Set<string>): string {
  const key = objectKey(o);
  const autonamed = key.replace(/-[a-z0-9]{8}$/, "-xxxxxxxx");
  return predicted.has(autonamed) ? autonamed : key;
}
