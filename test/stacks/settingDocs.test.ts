/**
 * A stack key's prose has one source, its argument's TypeScript doc (stacks/argDocs.ts), printed in
 * stack keys (stacks/configDocs.ts): the table writes prose only for a key with no argument doc.
 */
import { Setting, SETTINGS } from "../../components/settings";
import { argDocs } from "../../stacks/argDocs";
import {
  docArgument,
  inStackKeys,
  renderedArgDoc,
  settingDoc,
  unmappedArgumentNames,
} from "../../stacks/configDocs";

const entries = Object.entries(SETTINGS) as [string, Setting][];

/** Keys whose argument has no doc comment of its own, so the table keeps their prose; each with why. */
const TABLE_DOC: Record<string, string> = {
  haproxyCpuRequest: "`resources.requests.cpu` is an entry of a Record<string, string>",
  monitorPrometheusRelease: "`prometheusOperator.labels.release` is an entry of a Record<string, string>",
};

test("a key with args takes its prose from its argument's doc; only stack-only keys and TABLE_DOC write their own", () => {
  const ownDoc = entries.filter(([, s]) => s.doc !== undefined).map(([key]) => key);
  const withoutArgs = entries.filter(([, s]) => s.args === undefined).map(([key]) => key);
  expect(withoutArgs).toEqual(["mode", "allowAmbientCluster"]);
  expect(ownDoc.sort()).toEqual([...withoutArgs, ...Object.keys(TABLE_DOC)].sort());
  // Each exemption's argument really has no field (and so no doc) to read.
  for (const key of Object.keys(TABLE_DOC)) {
    const { part, path } = docArgument(SETTINGS[key as keyof typeof SETTINGS])!;
    expect({ key, has: argDocs().reader.has(argDocs().root(part), path) }).toEqual({ key, has: false });
  }
});

test("every key's doc starts with its argument's doc rendered, its stackNote after it", () => {
  const fromArguments = entries.filter(([, s]) => s.doc === undefined);
  expect(fromArguments.length).toBe(91);
  for (const [key, s] of fromArguments) {
    const rendered = renderedArgDoc(s);
    expect({ key, empty: rendered === "" }).toEqual({ key, empty: false });
    const note = s.stackNote ? ` ${s.stackNote}` : "";
    expect({ key, starts: settingDoc(s).startsWith(rendered + note) }).toEqual({ key, starts: true });
  }
});

test("haproxyDrainWindowSeconds: HaproxyDrainArgs.windowSeconds's doc in stack keys, then what 0 means", () => {
  expect(settingDoc(SETTINGS.haproxyDrainWindowSeconds)).toBe(
    "Seconds over which the old process's connections are closed, at N/window per second, from the " +
      "soft-stop (pod stop, after haproxyPreStopSeconds) or the reload. Default five sixths of " +
      "haproxyHardStopAfterSeconds (50 of 60), whole seconds; 1..86400 and at most " +
      "haproxyHardStopAfterSeconds - 2 (which closes what is left; the driver starts up to 2 s after the " +
      "soft-stop). 0 turns the paced drain off (`drain: false`).",
  );
});

test("heartbeatSeconds: WebSocketArgs.heartbeatSeconds's doc, on one line", () => {
  expect(settingDoc(SETTINGS.heartbeatSeconds)).toBe(
    "Seconds between the client's heartbeats (the iOS app: 5). Every idle timer on the path must exceed " +
      "two of them. Default 5.",
  );
});

test("l4Advertisement: a union's variants' docs, each after its tag quoted as a value the key takes", () => {
  expect(settingDoc(SETTINGS.l4Advertisement)).toBe(
    '"l2": The default: the elected leader node answers ARP/NDP for the address (layer 2). "bgp": The nodes ' +
      'announce the address to BGP routers. "none": The pool is already advertised: nothing is created.',
  );
});

test("a field of some variants only: its doc names the key that chooses them, with their values", () => {
  expect(settingDoc(SETTINGS.l4Interfaces)).toBe(
    'l4Advertisement "l2": Announce only from these node interfaces. Default: all.',
  );
  expect(settingDoc(SETTINGS.acknowledgeInsecure)).toBe(
    'tlsMode "none": Must be true: plain ws is only built when asked for by name.',
  );
});

test("antiAffinity and l4Port: an ancestor's field renamed; the table's range added where the doc lacks it", () => {
  expect(settingDoc(SETTINGS.antiAffinity)).toBe(
    'Preferred pod anti-affinity across nodes. Needs podspecAffinity "enabled" or "manage". Default false.',
  );
  expect(settingDoc(SETTINGS.l4Port)).toBe(
    "Port on the load balancer. Default 443 (terminate, passthrough, loadBalancer), 80 (none). From 1 to 65535.",
  );
});

describe("inStackKeys: argument names that resolve, parent object first, become the keys that map them", () => {
  test("siblings, ancestors and a path from the root become keys; words and unmapped names stay", () => {
    const doc =
      "Below hardStopAfterSeconds and after preStopSeconds, with `order`,\nnever above " +
      "websocket.minLifetimeSeconds. The image, timeout tunnel and closeSpreadSeconds stay; `maxconn` is a key.";
    expect(inStackKeys("l4", "tls.haproxy.drain.windowSeconds", doc)).toBe(
      "Below haproxyHardStopAfterSeconds and after haproxyPreStopSeconds, with `haproxyDrainOrder`, never " +
        "above minLifetimeSeconds. The image, timeout tunnel and closeSpreadSeconds stay; `haproxyMaxconn` is a key.",
    );
  });

  test("the parent object is searched first: drain's own `image` has no key, the tier's has", () => {
    expect(inStackKeys("l4", "tls.haproxy.drain.windowSeconds", "See `image`.")).toBe("See `image`.");
    expect(inStackKeys("l4", "tls.haproxy.replicas", "See `image`.")).toBe("See `haproxyImage`.");
  });

  test("the documented field itself, a quoted value and an annotation stay as written", () => {
    expect(
      inStackKeys(
        "tunnel",
        "connector.terminationGracePeriodSeconds",
        'Pod `terminationGracePeriodSeconds`; above gracePeriodSeconds; "gracePeriodSeconds", x.io/gracePeriodSeconds.',
      ),
    ).toBe(
      'Pod `terminationGracePeriodSeconds`; above connectorGracePeriodSeconds; "gracePeriodSeconds", x.io/gracePeriodSeconds.',
    );
  });

  test("a common argument's doc may name the L4 path's arguments", () => {
    expect(inStackKeys("common", "monitor.dial", "`dns.target` and loadBalancer.type")).toBe(
      "`l4DnsTarget` and l4LoadBalancer",
    );
  });
});

/** Argument names the docs use that resolve to an argument no key maps: they stay as the TypeScript doc writes them. */
const UNMAPPED: Record<string, string[]> = {
  tunnelToken: ["tokenSecret"],
  // The tls mode loadBalancer, written unquoted in a default's list, which is also the name of the
  // loadBalancer argument (no key maps the object). A union's variant tags are quoted, so not names.
  l4Port: ["loadBalancer"],
  // The union of certManager fields; certManagerIssuer is named after it in the doc.
  tlsSecretName: ["certManager"],
  knativeContainerConcurrency: ["acceptFullPods"],
};

test("the argument names that no key maps, as the docs keep them", () => {
  const found = Object.fromEntries(
    entries
      .map(([key, s]) => [key, unmappedArgumentNames(s)] as const)
      .filter(([, names]) => names.length > 0),
  );
  expect(found).toEqual(UNMAPPED);
});

/** Names of mapped arguments a rendered doc may still hold, because they name something else there. */
const NOT_ARGUMENTS: Record<string, Record<string, string>> = {
  knativeVersion: { idleTimeoutSeconds: "Knative's revision field, which the patch sets" },
  connectorTerminationGracePeriodSeconds: { terminationGracePeriodSeconds: "the pod's field the key sets" },
  haproxyMaxconn: { maxconn: "HAProxy's directive the key sets" },
  knativeContainerConcurrency: { containerConcurrency: "Knative's field the key sets" },
};

test("no rendered doc names a mapped argument (a path a key maps, or its tail) instead of the key", () => {
  const keys = new Set(Object.keys(SETTINGS));
  const mapped = new Set<string>();
  for (const [, s] of entries)
    for (const paths of Object.values(s.args ?? {}))
      for (const p of paths) {
        const steps = p.replace(/\[\]/g, "").split(".");
        steps.forEach((_, i) => mapped.add(steps.slice(i).join(".")));
      }
  const names =
    /`[a-z][A-Za-z0-9.]*`|\b[a-z][a-z0-9]*(?:[A-Z][A-Za-z0-9]*)+(?:\.[a-z][A-Za-z0-9]*)*\b|\b[a-z][A-Za-z0-9]*(?:\.[a-z][A-Za-z0-9]*)+\b/g;
  const left: Record<string, Record<string, string>> = {};
  for (const [key, s] of entries) {
    const unrenamed = (settingDoc(s).match(names) ?? [])
      .map((n) => n.replace(/`/g, ""))
      .filter((n) => mapped.has(n) && !keys.has(n));
    if (unrenamed.length === 0) continue;
    left[key] = Object.fromEntries(unrenamed.map((n) => [n, NOT_ARGUMENTS[key]?.[n] ?? "unrenamed"]));
  }
  expect(left).toEqual(NOT_ARGUMENTS);
});

test("every rendered doc states the table's default and range, the values the tests check", () => {
  const missing: string[] = [];
  for (const [key, s] of entries) {
    const doc = settingDoc(s);
    const d = s.default;
    if (d && !(/\bDefault\b/.test(doc) && doc.includes("value" in d ? String(d.value) : d.says)))
      missing.push(`${key}: default`);
    if (
      s.range &&
      !(doc.includes(`${s.range[0]}..${s.range[1]}`) || doc.includes(`From ${s.range[0]} to ${s.range[1]}`))
    )
      missing.push(`${key}: range`);
  }
  expect(missing).toEqual([]);
  // Stated once: a doc that gives the range itself gets no range sentence.
  expect(settingDoc(SETTINGS.sessionAffinityTimeoutSeconds)).toBe(
    "Seconds, 1..86400. Default 10800. Setting it turns on ClientIP session affinity on the LoadBalancer.",
  );
});
