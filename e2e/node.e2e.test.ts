/**
 * The staging stack (L4) on a real node (`node.ts`): the kubelet starts the HAProxy pods and the
 * revision pods from images built without a registry, MetalLB's controller assigns the pinned
 * address, kube-proxy routes it, CoreDNS answers HAProxy's backend name, and `pulumi up` waits with
 * the provider's real readiness checks (nothing marks a pod ready). Then a wss echo from inside the
 * node's network namespace crosses the LB address -> HAProxy 3.2 (TLS) -> backend Service ->
 * queue-proxy -> the app, and `pulumi destroy` leaves no pod, Service or address.
 *
 * `messaging-service` is a real Knative Service: Knative 1.22's webhook, controller, autoscaler and
 * activator (`knativeServing.ts`) make its revisions, whose pods run the real queue-proxy in front
 * of the echo app (which stands in for the owner's app). No networking layer runs, so its Route and
 * the Service itself never turn Ready; nothing here depends on them.
 *
 * Still a stand-in here (named in the titles): the Certificate's issuer (cert-manager's controller
 * is not built: `standIns.ts` issues the Secret).
 */
import { X509Certificate } from "node:crypto";
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import * as readline from "node:readline";
import { recordReport, resetReport, rolloutFigures, type SoakOutcome } from "./clusterReport";
import { holdsWithin, sleep } from "../support/wait";
import { useHomelab } from "./fixture";
import { applyOwnersKnativeService, KSVC, KSVC_PATH } from "./homelab";
import { KubeObject } from "./kube";
import { KNATIVE_SERVING_BINARIES } from "./knativeServing";
import { KNATIVE_WEBHOOK_BINARY } from "./knativeWebhook";
import { missingNodePrerequisites, NODE_BINARIES, NODE_NAME } from "./node";
import {
  HAPROXY_SELECTOR,
  HOSTNAME,
  LB_ADDRESS,
  NAMESPACE,
  nodeStackSettings,
  Pod,
  POOL,
  REVISION_SELECTOR,
} from "./nodeStaging";
import { Workspace } from "./pulumi";
import { describeWith } from "./requirements";
import { stackWorkspace } from "./stackSetup";
import { CONTROL_PLANE, PULUMI } from "./toolchain";

/**
 * The soaks: 500 clients heartbeating every 5 s (the stack's heartbeatSeconds) with echoed sequence
 * numbers. The stack's shutdown timers are shortened so a pod stop takes seconds, not a minute:
 * hard-stop-after 30 s, the paced drain spread over 20 s (the preStop sleep stays 10 s).
 */
const SOAK_CONNECTIONS = 500;
const HEARTBEAT_MS = 5000;
const HARD_STOP_AFTER_SECONDS = 30;
const DRAIN_WINDOW_SECONDS = 20;
const SOAK_TARGET_CONCURRENCY = 1000;

interface Condition {
  type: string;
  status: string;
  reason?: string;
}
interface KnativeObject extends KubeObject {
  status?: { conditions?: Condition[]; latestReadyRevisionName?: string; latestCreatedRevisionName?: string };
}

interface Event extends KubeObject {
  type: string;
  reason: string;
  message: string;
  involvedObject: { kind: string; name: string; namespace?: string };
  source?: { component?: string };
}

describeWith(
  [...CONTROL_PLANE, ...PULUMI, ...NODE_BINARIES, ...KNATIVE_SERVING_BINARIES, KNATIVE_WEBHOOK_BINARY],
  "staging (L4) on a real node (kubelet, kube-proxy, CoreDNS, scheduler, MetalLB controller)",
  () => {
    const lab = useHomelab({ realNode: { loadBalancerRanges: [POOL] } });
    let ws: Workspace;

    beforeAll(
      async () => {
        resetReport();
        recordReport({
          kubelet_version: lab.node!.kubeletVersion,
          container_runtime: lab.node!.containerRuntime,
        });
        ws = await stackWorkspace(lab, "staging", {
          set: {
            ...nodeStackSettings(),
            haproxyHardStopAfterSeconds: HARD_STOP_AFTER_SECONDS,
            haproxyDrainWindowSeconds: DRAIN_WINDOW_SECONDS,
            // Knative's default target (100 requests in flight a pod, 70 % of it) makes the autoscaler
            // scale the revision with the soaks' 500 sockets (each one a request in flight) and down
            // again, which cuts the sockets on the removed pods: measured, it adds drops to the HAProxy
            // soaks that are not HAProxy's. With 1000, min-scale's 2 pods hold them all.
            targetConcurrency: SOAK_TARGET_CONCURRENCY,
          },
        });
      },
      10 * 60 * 1000,
    );
    afterAll(() => ws?.cleanup());

    const pods = async (selector: string) =>
      (await lab.cluster.kube.list(
        `/api/v1/namespaces/${NAMESPACE}/pods?labelSelector=${encodeURIComponent(selector)}`,
      )) as Pod[];
    /**
     * Warning events; `ours`: only for the stack's objects and their pods (all named `staging-...`)
     * and the Knative Service the stack patches, with what Knative makes of it (Configuration,
     * Route, revisions, their Deployments and pods: all named `messaging-service...`).
     */
    const warnings = async (ours = true) => {
      const events: Event[] = [];
      for (const ns of [NAMESPACE, "metallb-system"]) {
        events.push(...((await lab.cluster.kube.list(`/api/v1/namespaces/${ns}/events`)) as Event[]));
      }
      const isOurs = (name: string) => name.startsWith("staging-") || name.startsWith(KSVC.name);
      return events
        .filter((e) => e.type === "Warning" && (!ours || isOurs(e.involvedObject.name)))
        .map((e) => `${e.involvedObject.kind}/${e.involvedObject.name} ${e.reason}: ${e.message}`);
    };
    /** Polls `done` every 250 ms until it holds or `timeoutMs` passes; says whether it held. */
    const until = (done: () => boolean | Promise<boolean>, timeoutMs: number) =>
      holdsWithin(done, timeoutMs, 250);
    const knative = (kind: string, name: string) =>
      lab.cluster.kube.get<KnativeObject>(
        `/apis/serving.knative.dev/v1/namespaces/${NAMESPACE}/${kind}/${name}`,
      );
    const conditions = (o: KnativeObject) =>
      Object.fromEntries(
        (o.status?.conditions ?? []).map((c) => [c.type, `${c.status} ${c.reason ?? ""}`.trim()]),
      );
    /** The revision the Configuration made last, once Ready; and the pods of every revision. */
    const latestReadyRevision = async () =>
      (await knative("configurations", KSVC.name)).status?.latestReadyRevisionName;
    const revisionPods = () => pods(REVISION_SELECTOR);
    /** Waits until the only revision pods are `count` Running pods of the latest ready revision, which must differ from `previous`. */
    const onlyLatestRevisionRuns = async (previous: string | undefined, count: number, timeoutMs: number) => {
      let latest: string | undefined;
      const settled = await until(async () => {
        latest = await latestReadyRevision();
        if (!latest || latest === previous) return false;
        const list = await revisionPods();
        return (
          list.length === count &&
          list.every(
            (p) =>
              p.metadata.labels?.["serving.knative.dev/revision"] === latest &&
              p.status?.phase === "Running" &&
              !p.metadata.deletionTimestamp,
          )
        );
      }, timeoutMs);
      if (!settled) {
        const list = await revisionPods();
        throw new Error(
          `latest ready revision ${latest} (before: ${previous}); revision pods: ${list.map((p) => `${p.metadata.name} ${p.status?.phase}${p.metadata.deletionTimestamp ? " terminating" : ""}`).join(", ")}\n${lab.knative!.serving.logs(10)}`,
        );
      }
      return latest!;
    };
    /** The Certificate's Secret, and its CA written to a file the clients trust. */
    const servedTls = async () => {
      const secret = await lab.cluster.kube.get<KubeObject & { data: Record<string, string> }>(
        `/api/v1/namespaces/${NAMESPACE}/secrets/staging-tls`,
      );
      const caFile = path.join(ws.dir, "staging-ca.crt");
      fs.writeFileSync(caFile, Buffer.from(secret.data["ca.crt"], "base64"));
      return { secret, caFile };
    };
    /** Each container of the pods, with what containerd says of its task. */
    const containers = (list: Pod[]) => {
      const tasks = new Map(
        lab
          .node!.ctr("tasks", "ls")
          .split("\n")
          .slice(1)
          .filter(Boolean)
          .map((l) => l.trim().split(/\s+/))
          .map(([id, , status]) => [id, status]),
      );
      return list.flatMap((p) =>
        (p.status?.containerStatuses ?? []).map((c) => ({
          pod: p.metadata.name,
          container: c.name,
          ready: c.ready,
          task: tasks.get((c.containerID ?? "").replace("containerd://", "")) ?? "none",
        })),
      );
    };

    /**
     * Warning events Knative's revision pods raise as they start and stop, whatever the stack sets
     * (printed, not failed), matched by kind, the revision pods' names and the exact message:
     * - `Unhealthy` "Get http://<ip>:8012/: ... connection refused" (or the probe's 1 s timeout on
     *   the loaded machine) from a starting pod: the kubelet probes the queue-proxy's port before the
     *   queue-proxy binds it;
     * - `Unhealthy` "HTTP probe failed with statuscode: 503" from a stopping pod: the draining
     *   queue-proxy answers the kubelet's probe 503 on purpose, to leave the endpoints;
     * - `FailedPreStopHook` of a stopping pod: the user container's preStop (an HTTP GET of the
     *   queue-proxy's /wait-for-drain) fails when the queue-proxy exits before it answers.
     * And the controllers' status writes racing the garbage collector's deletion of a revision
     * (`UpdateFailed` / `InternalError` "... not found" for that revision, its PodAutoscaler and its
     * ServerlessService; the endpoints controller's write to their Services' Endpoints), for the
     * revisions in `collected` only.
     */
    const knativeLife = (w: string, collected: string[] = []) => {
      const revisionPod = `Pod/${KSVC.name}-\\d{5}-deployment-[a-z0-9]+-[a-z0-9]+`;
      const podEvent = new RegExp(
        `^${revisionPod} (Unhealthy: Readiness probe failed: (Get "http://[0-9.]+:8012/": (dial tcp [0-9.]+:8012: connect: connection refused|context deadline exceeded \\(Client\\.Timeout exceeded while awaiting headers\\))|HTTP probe failed with statuscode: 503)|FailedPreStopHook: PreStopHook failed)$`,
      ).test(w);
      const gcRace = collected.some(
        (rev) =>
          ["Revision", "PodAutoscaler", "ServerlessService"].some((kind) =>
            w.startsWith(`${kind}/${rev} `),
          ) && /^\S+ (UpdateFailed|InternalError): .*not found$/.test(w),
      );
      // kube-controller-manager's endpoints controller writing a collected revision's Service's
      // Endpoints as the deletion cascades (the object's UID precondition finds it gone).
      const endpointsRace = collected.some(
        (rev) =>
          (w.startsWith(`Endpoints/${rev}-private FailedToUpdateEndpoint: `) ||
            w.startsWith(`Endpoints/${rev} FailedToUpdateEndpoint: `)) &&
          w.includes("StorageError: invalid object") &&
          w.includes("Precondition failed: UID in precondition"),
      );
      // The Route's labeler annotating a revision its informer has not seen yet (Knative retries;
      // the Route then reaches it): only for a revision of this Service, with that exact message.
      const labelerLag =
        /^Route\/messaging-service InternalError: failed to add route annotation to Namespace=agents-whatsapp-rust Name="messaging-service-\d{5}": revisions?\.serving\.knative\.dev "messaging-service-\d{5}" not found$/.test(
          w,
        );
      // The labeler removing its annotation from a revision the GC has just collected.
      const labelerGcRace = collected.some(
        (rev) =>
          w ===
          `Route/${KSVC.name} InternalError: failed to remove route annotation to /, Kind= "${rev}": revisions.serving.knative.dev "${rev}" not found`,
      );
      return podEvent || gcRace || endpointsRace || labelerLag || labelerGcRace;
    };

    test("pulumi up succeeds with the provider's real readiness waits: the kubelet started every container of the HAProxy pods and of the revision Knative's controller made for the stack's patch", async () => {
      const up = await ws.up();
      if (up.code !== 0) {
        throw new Error(
          `pulumi up exited ${up.code}:\n${up.output.slice(-4000)}\nwarnings: ${(await warnings(false)).join("\n")}\n${lab.node!.logs(15)}`,
        );
      }
      const haproxy = await pods(HAPROXY_SELECTOR);
      expect(haproxy.map((p) => [p.spec.nodeName, p.status?.phase])).toEqual([
        [NODE_NAME, "Running"],
        [NODE_NAME, "Running"],
      ]);
      // The stack's patch changed the template: Knative made revision 00002, and the first one's pods
      // stopped (the test cluster keeps no revision the route left: knativeServing.ts, config-gc).
      const latest = await onlyLatestRevisionRuns(`${KSVC.name}-00001`, 2, 4 * 60_000);
      expect(latest).toBe(`${KSVC.name}-00002`);
      const revision = await revisionPods();
      const deployment = await lab.cluster.kube.get<
        KubeObject & {
          spec: { template: { spec: { containers: { name: string; image: string }[] } } };
        }
      >(`/apis/apps/v1/namespaces/${NAMESPACE}/deployments/${latest}-deployment`);
      expect(deployment.metadata.ownerReferences?.map((o) => [o.kind, o.name, o.controller])).toEqual([
        ["Revision", latest, true],
      ]);
      expect(deployment.spec.template.spec.containers.map((c) => [c.name, c.image])).toEqual([
        ["messaging", "ghcr.io/example/messaging-service:1.4.2"],
        ["queue-proxy", "gcr.io/knative-releases/knative.dev/serving/cmd/queue:v1.22.1"],
      ]);
      const all = containers([...haproxy, ...revision]);
      expect(all.map((c) => `${c.container} ready=${c.ready} task=${c.task}`).sort()).toEqual(
        [
          ...Array(2).fill("haproxy ready=true task=RUNNING"),
          ...Array(2).fill("drain ready=true task=RUNNING"),
          ...Array(2).fill("messaging ready=true task=RUNNING"),
          ...Array(2).fill("queue-proxy ready=true task=RUNNING"),
        ].sort(),
      );
      recordReport({ pods_started: all.filter((c) => c.task === "RUNNING").length });
    });

    test("MetalLB's controller assigned the pinned address from the pool; it is the stack's loadBalancerIP output", async () => {
      const svc = await lab.cluster.kube.get<
        KubeObject & { status: { loadBalancer: { ingress?: { ip: string }[] } } }
      >(`/api/v1/namespaces/${NAMESPACE}/services/staging-lb`);
      expect(svc.status.loadBalancer.ingress).toEqual([expect.objectContaining({ ip: LB_ADDRESS })]);
      const events = (await lab.cluster.kube.list(`/api/v1/namespaces/${NAMESPACE}/events`)) as Event[];
      expect(
        events
          .filter((e) => e.involvedObject.kind === "Service" && e.involvedObject.name === "staging-lb")
          .filter((e) => e.reason === "IPAllocated")
          .map((e) => [e.source?.component, e.message]),
      ).toEqual([["metallb-controller", `Assigned IP ["${LB_ADDRESS}"]`]]);
      // The address stand-in did not run.
      expect(lab.standIns.assigned.size).toBe(0);
      expect((await ws.stackOutputs()).loadBalancerIP).toBe(LB_ADDRESS);
      recordReport({ lb_address_from: "metallb" });
    });

    test("HAProxy in the pods is 3.2, as the pod's haproxy prints it (Debian's 3.2 stands in for the official image)", async () => {
      const [pod] = await pods(HAPROXY_SELECTOR);
      const id = pod
        .status!.containerStatuses!.find((c) => c.name === "haproxy")!
        .containerID!.replace("containerd://", "");
      const version = lab.node!.ctr("tasks", "exec", "--exec-id", `v${Date.now()}`, id, "haproxy", "-v");
      expect(version.split("\n")[0]).toMatch(/^HAProxy version 3\.2\.\d+/);
      recordReport({ haproxy_version: version.split("\n")[0] });
    });

    test("wss from inside the node's namespace: TLS with the Certificate's key (stand-in issuer), upgrade, echo through HAProxy 3.2 -> backend Service -> queue-proxy -> app", async () => {
      const { secret, caFile } = await servedTls();
      const served = new X509Certificate(Buffer.from(secret.data["tls.crt"], "base64"));
      const message = `echo ${process.pid} ${Date.now()}`;
      const [cmd, ...args] = lab.node!.inNetns([
        process.execPath,
        path.join(__dirname, "wssEcho.js"),
        `wss://${HOSTNAME}/ws`,
        `${LB_ADDRESS}:443`,
        caFile,
        message,
      ]);
      const r = spawnSync(cmd, args, { encoding: "utf8", cwd: path.join(__dirname, "..") });
      expect(r.stderr).toBe("");
      const result = JSON.parse(r.stdout) as {
        echoed: string;
        closeCode: number;
        tls: { protocol: string; peerFingerprint256: string };
      };
      expect(result).toEqual({
        echoed: message,
        closeCode: 1000,
        tls: expect.objectContaining({ protocol: "TLSv1.3", peerFingerprint256: served.fingerprint256 }),
      });

      // The product's own probe, from the same namespace: its check and the close code it reports.
      const [pcmd, ...pargs] = lab.node!.inNetns([
        process.execPath,
        path.join(__dirname, "..", "probe", "bin", "wsprobe.js"),
        "check",
        `wss://${HOSTNAME}/ws`,
        "--connect-to",
        `${LB_ADDRESS}:443`,
        "--ca",
        caFile,
        "--json",
      ]);
      const probe = spawnSync(pcmd, pargs, { encoding: "utf8" });
      const check = JSON.parse(probe.stdout) as { ok: boolean; closeCode: number; error: unknown };
      expect([check.ok, check.closeCode, check.error]).toEqual([true, 1000, null]);
      recordReport({ wss_echo: true });
    });

    test("Knative's own objects: the controller made the Configuration and revision 00002 for the stack's patch and collected 00001 once the Route moved (Route Ready only through the KIngress status stand-in)", async () => {
      const latest = `${KSVC.name}-00002`;
      const ksvc = await lab.cluster.kube.get<KnativeObject>(KSVC_PATH);
      expect(conditions(ksvc)).toEqual({ ConfigurationsReady: "True", RoutesReady: "True", Ready: "True" });
      expect(conditions(await knative("configurations", KSVC.name))).toEqual({ Ready: "True" });
      const route = await lab.cluster.kube.get<
        KnativeObject & { status: { traffic: { revisionName: string; percent: number }[] } }
      >(`/apis/serving.knative.dev/v1/namespaces/${NAMESPACE}/routes/${KSVC.name}`);
      expect(route.status.traffic.map((t) => [t.revisionName, t.percent])).toEqual([[latest, 100]]);
      const revisions = await lab.cluster.kube.list(
        `/apis/serving.knative.dev/v1/namespaces/${NAMESPACE}/revisions`,
      );
      expect(revisions.map((r) => r.metadata.name)).toEqual([latest]);
    });

    test("no Warning events for the stack's objects (HAProxy pods, Deployment, Services, MetalLB pool) and the Knative Service's but the start races and the revision pods' start and stop, printed", async () => {
      const others = (await warnings(false)).filter(
        (w) => !w.includes("/staging-") && !w.includes(`/${KSVC.name}`),
      );
      if (others.length > 0) console.log(`Warning events of other objects:\n${others.join("\n")}`);
      const ours = await warnings();
      recordReport({ warning_events: { count: ours.length, first: ours.slice(0, 5) } });
      // Two events are not about our objects' settings, and are printed rather than failed: a HAProxy
      // pod's first readiness probe racing HAProxy's bind at start (the pod turns Ready: `up` waited
      // for it), and the API server's own ClusterIP repair loop racing the Service's creation.
      const startRace = (w: string) =>
        /^Pod\/staging-haproxy-\S+ Unhealthy: Readiness probe failed: .*connect: connection refused/.test(
          w,
        ) || /^Service\/staging-\S+ ClusterIPNotAllocated: /.test(w);
      // And what Knative's revision pods raise as they start and stop (`knativeLife`): the stack's
      // patch made revision 00002, and the first one was collected.
      const benign = ours.filter((w) => startRace(w) || knativeLife(w, [`${KSVC.name}-00001`]));
      if (benign.length > 0) console.log(`Start-race Warning events (not failed):\n${benign.join("\n")}`);
      expect(ours.filter((w) => !benign.includes(w))).toEqual([]);
    });

    /**
     * Runs `e2e/wssSoak.js` (the probe's soak) inside the node's namespace against the LB address:
     * waits until every client is open and has echoed a heartbeat, marks, runs `disrupt`, waits until
     * the `old` pods of `selector` are gone (their drain is over) and every client is open again (at
     * most a minute), lets one more heartbeat go round, and stops it.
     */
    const soakAround = async (
      selector: string,
      old: string[],
      disrupt: () => Promise<void>,
      goneWithinMs = 3 * 60_000,
    ): Promise<SoakOutcome> => {
      const { caFile } = await servedTls();
      const [cmd, ...args] = lab.node!.inNetns([
        process.execPath,
        path.join(__dirname, "wssSoak.js"),
        `wss://${HOSTNAME}/ws`,
        `${LB_ADDRESS}:443`,
        caFile,
        String(SOAK_CONNECTIONS),
        String(HEARTBEAT_MS),
      ]);
      const child = spawn(cmd, args, { stdio: ["pipe", "pipe", "pipe"], cwd: path.join(__dirname, "..") });
      let open = 0;
      let stderr = "";
      child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
      const outcome = new Promise<SoakOutcome>((resolve, reject) => {
        readline.createInterface({ input: child.stdout }).on("line", (line) => {
          const m = JSON.parse(line) as { progress?: { open: number }; error?: string } & SoakOutcome;
          if (m.progress) open = m.progress.open;
          else if (m.error) reject(new Error(m.error));
          else resolve(m);
        });
        child.on("exit", (code) => reject(new Error(`wssSoak.js exited ${code}: ${stderr}`)));
      });
      outcome.catch(() => undefined);
      try {
        if (!(await until(() => open === SOAK_CONNECTIONS, 60_000))) {
          throw new Error(`only ${open} of ${SOAK_CONNECTIONS} connections opened: ${stderr}`);
        }
        await sleep(HEARTBEAT_MS + 1000);
        child.stdin.write("mark\n");
        await disrupt();
        const gone = await until(
          async () => (await pods(selector)).every((p) => !old.includes(p.metadata.name)),
          goneWithinMs,
        );
        if (!gone)
          throw new Error(`the old pods ${old.join(", ")} are still there after ${goneWithinMs / 1000} s`);
        await until(() => open === SOAK_CONNECTIONS, 60_000);
        await sleep(HEARTBEAT_MS + 1000);
        child.stdin.write("stop\n");
        return await outcome;
      } finally {
        if (child.exitCode === null) child.kill();
      }
    };

    /**
     * What the soak must show: no message lost on an open socket (the echo's sequence gaps), every
     * client open again. The busiest second of reopens against N/W is recorded, not asserted: a
     * client reopens after its drop plus a jittered backoff, so a second's count is the paced
     * closes blurred by random delays, with no bound the code guarantees.
     */
    const expectAbsorbed = (name: string, outcome: SoakOutcome, pacedByHaproxy: boolean) => {
      const figures = rolloutFigures(outcome, DRAIN_WINDOW_SECONDS);
      console.log(
        `${name}: ${JSON.stringify(figures)}; lost with their connection: ${outcome.report.echo?.lostWithConnection}; failed attempts: ${JSON.stringify(outcome.report.connections.failedAttemptsByCause)}`,
      );
      recordReport({ [name]: figures });
      expect(outcome.report.echo).toEqual(expect.objectContaining({ gaps: 0, outOfOrder: 0 }));
      expect([figures.lost_messages, figures.all_back, outcome.report.connections.exhausted]).toEqual([
        0,
        true,
        0,
      ]);
      expect(figures.drops).toBeGreaterThan(0);
      // A soft-stop (the image's STOPSIGNAL, SIGUSR1) lets the sidecar pace the closes over the
      // drain window; a hard stop (SIGTERM) would close them all within a second. Load only
      // stretches the pacing, so half the window is a floor.
      const dropTimes = outcome.events.drops.map(([at]) => at);
      const spreadSeconds = (Math.max(...dropTimes) - Math.min(...dropTimes)) / 1000;
      console.log(`${name}: drops spread over ${spreadSeconds} s (drain window ${DRAIN_WINDOW_SECONDS} s)`);
      // Only HAProxy's drain is paced; Knative's queue-proxy closes a revision's sockets together.
      if (pacedByHaproxy) expect(spreadSeconds).toBeGreaterThanOrEqual(DRAIN_WINDOW_SECONDS / 2);
      return figures;
    };

    /**
     * Warning events for the stack's objects raised since `before` (a list taken before the soak),
     * less the one a HAProxy pod's start or stop raises by design (printed): `Unhealthy` from the
     * readiness probe of a stopped or a new pod (HAProxy soft-stopped, or not started yet, has :8404
     * unbound: the probe is right, and a probe that passed then would mark a pod that accepts nothing
     * as serving). No `FailedPreStopHook`: the haproxy container's preStop only waits, the image's
     * STOPSIGNAL (SIGUSR1) soft-stops HAProxy. No `FailedKillPod` (`ttrpc: closed`, containerd 1.6's
     * shim race): seen only with the old hook, during which HAProxy exited before the kubelet stopped
     * the container; now HAProxy exits only after the kubelet's stop signal.
     */
    const newWarnings = async (
      before: string[],
      stopped: string[],
      started: string[],
      collected: string[] = [],
    ) => {
      const known = (w: string) =>
        // The autoscaler scales the revision with the soak's sockets (each one a request in flight).
        knativeLife(w, collected) ||
        [...stopped, ...started].some((pod) =>
          w.startsWith(`Pod/${pod} Unhealthy: Readiness probe failed: Get "http://`),
        );
      const raised = (await warnings()).filter((w) => !before.includes(w));
      const podLife = raised.filter(known);
      if (podLife.length > 0)
        console.log(`Warning events of the stopped and started pods:\n${podLife.join("\n")}`);
      return raised.filter((w) => !known(w));
    };
    const haproxyPods = async () => (await pods(HAPROXY_SELECTOR)).map((p) => p.metadata.name);

    test(
      "HAProxy tier rollout (pulumi up changes haproxyTunnelTimeoutSeconds): 500 heartbeating wss clients (echo app stand-in) lose no echoed message and all come back; no new Warning events but the pods' start and stop ones",
      async () => {
        const old = await haproxyPods();
        expect(old).toHaveLength(2);
        const before = await warnings();
        await ws.expectOk(["config", "set", "ws-exposure:haproxyTunnelTimeoutSeconds", "7200"]);
        const outcome = await soakAround(HAPROXY_SELECTOR, old, async () => {
          const up = await ws.up();
          if (up.code !== 0) throw new Error(`pulumi up exited ${up.code}:\n${up.output.slice(-4000)}`);
        });
        const figures = expectAbsorbed("haproxy_rollout", outcome, true);
        // Both old pods drained: every client was on one of them.
        expect(figures.drops).toBe(SOAK_CONNECTIONS);
        const started = (await haproxyPods()).filter((p) => !old.includes(p));
        expect(await newWarnings(before, old, started)).toEqual([]);
      },
      8 * 60_000,
    );

    test(
      "HAProxy pod deleted by hand (preStop drain): 500 heartbeating wss clients (echo app stand-in) lose no echoed message and all come back; no new Warning events but the pods' start and stop ones",
      async () => {
        const old = await haproxyPods();
        const [victim] = old;
        const before = await warnings();
        const outcome = await soakAround(HAPROXY_SELECTOR, [victim], async () => {
          await lab.cluster.kube.delete(`/api/v1/namespaces/${NAMESPACE}/pods/${victim}`);
        });
        const figures = expectAbsorbed("haproxy_pod_delete", outcome, true);
        expect(figures.drops).toBeLessThan(SOAK_CONNECTIONS);
        const started = (await haproxyPods()).filter((p) => !old.includes(p));
        expect(await newWarnings(before, [victim], started)).toEqual([]);
      },
      6 * 60_000,
    );

    test(
      "Knative revision rollout (the owner changes messaging-service's template): 500 heartbeating wss clients (echo app stand-in) lose no echoed message and all come back through Knative 1.22's queue-proxy drain of the old revision's pods (KIngress status stand-in); no new Warning events but the pods' start and stop ones",
      async () => {
        const previous = await latestReadyRevision();
        const old = (await revisionPods()).map((p) => p.metadata.name);
        const before = await warnings();
        const outcome = await soakAround(
          REVISION_SELECTOR,
          old,
          async () => {
            await applyOwnersKnativeService(lab.cluster.kube, { release: "1.4.3" });
          },
          5 * 60_000,
        );
        const figures = expectAbsorbed("knative_rollout", outcome, false);
        // Every client was on a pod of the old revision, which Knative stopped: all were dropped.
        expect(figures.drops).toBe(SOAK_CONNECTIONS);
        const latest = await latestReadyRevision();
        expect(latest).not.toBe(previous);
        // The new revision is the owner's template, with the stack's fields kept.
        const revision = await lab.cluster.kube.get<
          KubeObject & {
            spec: {
              timeoutSeconds: number;
              containers: { name: string; env?: { name: string; value: string }[] }[];
            };
          }
        >(`/apis/serving.knative.dev/v1/namespaces/${NAMESPACE}/revisions/${latest}`);
        expect(revision.spec.containers[0].env).toContainEqual({ name: "RELEASE", value: "1.4.3" });
        expect(await newWarnings(before, [], [], [previous!])).toEqual([]);
      },
      10 * 60_000,
    );

    /**
     * KNOWN DEFECT, not fixed (reported): the kubernetes provider releases a server-side-apply patch
     * on destroy by applying an empty object as the stack's field manager (ssa.Relinquish). The
     * stack owns one annotation of the Knative Service (pulumi.com/patchFieldManager) and nobody owns
     * the ones Knative's webhook wrote at creation (serving.knative.dev/creator, lastModifier), so
     * the API server drops the whole annotations map, and Knative's webhook refuses the change. This
     * test pins the exact refusal: it fails once the defect is fixed, and must then be removed.
     */
    test("KNOWN DEFECT: pulumi destroy fails on the Knative Service patch: Knative's webhook refuses the provider's release of the stack's fields", async () => {
      const destroy = await ws.destroy();
      expect(destroy.code).toBe(1);
      expect(destroy.output).toContain(
        `ServicePatch staging-knative-service **deleting failed** error: admission webhook "validation.webhook.serving.knative.dev" denied the request: validation failed: annotation value is immutable: metadata.annotations.serving.knative.dev/creator`,
      );
    });

    test("pulumi destroy (after the Service patch is dropped from the state, the workaround for the defect above) leaves no HAProxy pod, no Service of the stack and no route for the address", async () => {
      const patch = (await ws.exportStack()).find(
        (r) => r.type === "kubernetes:serving.knative.dev/v1:ServicePatch",
      );
      expect(patch).toBeDefined();
      await ws.expectOk(["state", "delete", patch!.urn, "--yes"]);
      const destroy = await ws.destroy();
      if (destroy.code !== 0)
        throw new Error(`pulumi destroy exited ${destroy.code}:\n${destroy.output.slice(-4000)}`);
      await holdsWithin(async () => (await pods(HAPROXY_SELECTOR)).length === 0, 3 * 60 * 1000, 1000);
      expect((await pods(HAPROXY_SELECTOR)).map((p) => p.metadata.name)).toEqual([]);
      // What the pods' stop showed (e.g. the drain sidecar's preStop when HAProxy already exited):
      // printed for the record; the components' fixes are asserted where they are made.
      const stopping = await warnings();
      if (stopping.length > 0)
        console.log(`Warning events while the HAProxy pods stopped:\n${stopping.join("\n")}`);
      const services = (await lab.cluster.kube.list(`/api/v1/namespaces/${NAMESPACE}/services`)).map(
        (s) => s.metadata.name,
      );
      expect(services.filter((n) => n.startsWith("staging-"))).toEqual([]);
      // kube-proxy removed the address from the node's rules.
      const [cmd, ...args] = lab.node!.inNetns(["iptables-save", "-t", "nat"]);
      const rules = spawnSync(cmd, args, { encoding: "utf8" }).stdout;
      expect(rules).toContain("KUBE-SERVICES");
      expect(rules.split("\n").filter((l) => l.includes(LB_ADDRESS))).toEqual([]);
    });
  },
  missingNodePrerequisites(),
);
