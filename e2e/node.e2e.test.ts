/**
 * The staging stack (L4) on a real node (`node.ts`): the kubelet starts the HAProxy pods and the
 * revision pods from images built without a registry, MetalLB's controller assigns the pinned
 * address, kube-proxy routes it, CoreDNS answers HAProxy's backend name, and `pulumi up` waits with
 * the provider's real readiness checks (nothing marks a pod ready). Then a wss echo from inside the
 * node's network namespace crosses the LB address -> HAProxy 3.2 (TLS) -> backend Service ->
 * queue-proxy -> the app, and `pulumi destroy` leaves no pod, Service or address.
 *
 * Still stand-ins here (named in the titles): the Certificate's issuer (cert-manager's controller
 * is not built: `standIns.ts` issues the Secret), and the revision Deployment, which `homelab.ts`
 * applies as Knative's controller would (its containers, the echo app and the real queue-proxy, run).
 */
import { X509Certificate } from "node:crypto";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { recordReport, resetReport } from "./clusterReport";
import { useHomelab } from "./fixture";
import { KSVC } from "./homelab";
import { KubeObject } from "./kube";
import { missingNodePrerequisites, NODE_BINARIES, NODE_NAME } from "./node";
import { Workspace } from "./pulumi";
import { describeWith } from "./requirements";
import { stackWorkspace } from "./stackSetup";
import { CONTROL_PLANE, PULUMI } from "./toolchain";

const NAMESPACE = KSVC.namespace;
const HOSTNAME = "messaging-staging.example.com";
const LB_ADDRESS = "192.168.1.241";
const POOL = "192.168.1.240/29";
const HAPROXY_SELECTOR = "app.kubernetes.io/instance=staging,app.kubernetes.io/name=ws-exposure-haproxy";
const REVISION_SELECTOR = `serving.knative.dev/service=${KSVC.name}`;

/** The hard open-files limit the node's containers inherit (containerd runs with this process's). */
function hardOpenFilesLimit(): number {
  const line = fs
    .readFileSync("/proc/self/limits", "utf8")
    .split("\n")
    .find((l) => l.startsWith("Max open files"))!;
  const hard = line.split(/\s{2,}/)[2];
  return hard === "unlimited" ? Infinity : Number(hard);
}

/**
 * HAProxy needs about 2 x maxconn + 30 descriptors and exits at start when the container's hard
 * limit is lower (20,000 on the project machine, where the default maxconn 10000 needs 20,027): the
 * stack sets what fits, in whole thousands.
 */
function maxconnThatFits(limit: number): number | undefined {
  if (limit >= 2 * 10000 + 30) return undefined;
  return Math.floor((limit - 30) / 2 / 1000) * 1000;
}

interface Pod extends KubeObject {
  spec: { nodeName?: string; containers: { name: string; image: string }[] };
  status?: {
    phase?: string;
    podIP?: string;
    containerStatuses?: {
      name: string;
      image: string;
      containerID?: string;
      ready: boolean;
      restartCount: number;
      state?: { running?: object };
    }[];
  };
}

interface Event extends KubeObject {
  type: string;
  reason: string;
  message: string;
  involvedObject: { kind: string; name: string; namespace?: string };
  source?: { component?: string };
}

describeWith(
  [...CONTROL_PLANE, ...PULUMI, ...NODE_BINARIES],
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
        const maxconn = maxconnThatFits(hardOpenFilesLimit());
        ws = await stackWorkspace(lab, "staging", {
          set: {
            // The node's MetalLB (0.15.2) reads metallb.io/ and warns about the deprecated prefix.
            legacyMetallbAnnotations: false,
            ...(maxconn === undefined ? {} : { haproxyMaxconn: maxconn }),
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
    /** Warning events; `ours`: only for the stack's objects and their pods (all named `staging-...`). */
    const warnings = async (ours = true) => {
      const events: Event[] = [];
      for (const ns of [NAMESPACE, "metallb-system"]) {
        events.push(...((await lab.cluster.kube.list(`/api/v1/namespaces/${ns}/events`)) as Event[]));
      }
      return events
        .filter((e) => e.type === "Warning" && (!ours || e.involvedObject.name.startsWith("staging-")))
        .map((e) => `${e.involvedObject.kind}/${e.involvedObject.name} ${e.reason}: ${e.message}`);
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

    test("pulumi up succeeds with the provider's real readiness waits: the kubelet started every container of the HAProxy and revision pods", async () => {
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
      const revision = await pods(REVISION_SELECTOR);
      expect(revision).toHaveLength(2);
      const all = containers([...haproxy, ...revision]);
      expect(all.map((c) => `${c.container} ready=${c.ready} task=${c.task}`).sort()).toEqual(
        [
          ...Array(2).fill("haproxy ready=true task=RUNNING"),
          ...Array(2).fill("drain ready=true task=RUNNING"),
          ...Array(2).fill("user-container ready=true task=RUNNING"),
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
      const secret = await lab.cluster.kube.get<KubeObject & { data: Record<string, string> }>(
        `/api/v1/namespaces/${NAMESPACE}/secrets/staging-tls`,
      );
      const caFile = path.join(ws.dir, "staging-ca.crt");
      fs.writeFileSync(caFile, Buffer.from(secret.data["ca.crt"], "base64"));
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
        path.join(__dirname, "..", "bin", "wsprobe.js"),
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

    test("no Warning events for the stack's objects (HAProxy pods, Deployment, Services, MetalLB pool)", async () => {
      const others = (await warnings(false)).filter((w) => !w.includes("/staging-"));
      // The revision's pods are the owner's (here the homelab's stand-in for Knative's controller).
      if (others.length > 0) console.log(`Warning events of other objects:\n${others.join("\n")}`);
      const ours = await warnings();
      recordReport({ warning_events: { count: ours.length, first: ours.slice(0, 5) } });
      expect(ours).toEqual([]);
    });

    test("pulumi destroy leaves no HAProxy pod, no Service of the stack and no route for the address", async () => {
      const destroy = await ws.destroy();
      expect(destroy.code).toBe(0);
      const deadline = Date.now() + 3 * 60 * 1000;
      while ((await pods(HAPROXY_SELECTOR)).length > 0 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 1000));
      }
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
