/**
 * The real node's report, `out/e2e/cluster-report.json` (issue 19): each figure is written by the
 * test that proved it, so a field is null until its test has passed in this run. `knative_rollout`
 * stays null: its soak is not written yet.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { SoakReport } from "../probe/report";

export const REPORT_PATH = path.join(__dirname, "..", "out", "e2e", "cluster-report.json");

export interface RolloutFigures {
  connections: number;
  lost_messages: number;
  drops: number;
  drops_by_code: Record<string, number>;
  busiest_second_ratio: number;
  all_back: boolean;
  all_back_s: number | null;
}

export interface ClusterReport {
  kubelet_version: string | null;
  container_runtime: string | null;
  /** Containers the kubelet started for our stacks (running as containerd tasks). */
  pods_started: number | null;
  lb_address_from: "metallb" | null;
  wss_echo: boolean | null;
  haproxy_version: string | null;
  haproxy_rollout: RolloutFigures | null;
  haproxy_pod_delete: RolloutFigures | null;
  knative_rollout: RolloutFigures | null;
  warning_events: { count: number; first: string[] } | null;
  /** What still is not real in the run, and why. */
  stand_ins: string[];
}

/** What the node test does not run for real (e2e/README.md, "A real node", says the same). */
export const STAND_INS = [
  "cert-manager: the Certificate's Secret is issued by e2e/standIns.ts (the controller's module github.com/cert-manager/cert-manager/cmd/controller is not on the Go module proxy: 404)",
  "Knative's networking layer (Kourier/Envoy cannot be built): e2e/standIns.ts writes the KIngress Ready status a networking layer would, so the Route turns Ready and Knative retires the old revision; nothing routes through it",
  "the messaging-service app: a WebSocket echo image (e2e/images/echo)",
  "MetalLB's speaker: nothing announces the address on a link; traffic comes from inside the node's namespace",
  "cloudflared and the Cloudflare API: not in the staging stack (cloudflared cannot be built here, the edge is unreachable)",
];

export function emptyReport(): ClusterReport {
  return {
    kubelet_version: null,
    container_runtime: null,
    pods_started: null,
    lb_address_from: null,
    wss_echo: null,
    haproxy_version: null,
    haproxy_rollout: null,
    haproxy_pod_delete: null,
    knative_rollout: null,
    warning_events: null,
    stand_ins: STAND_INS,
  };
}

/** Starts this run's report (an older one is replaced). */
export function resetReport(file = REPORT_PATH): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${JSON.stringify(emptyReport(), null, 2)}\n`);
}

/** Merges proven figures into the report. */
export function recordReport(facts: Partial<ClusterReport>, file = REPORT_PATH): ClusterReport {
  const current = fs.existsSync(file)
    ? (JSON.parse(fs.readFileSync(file, "utf8")) as ClusterReport)
    : emptyReport();
  const next = { ...current, ...facts };
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${JSON.stringify(next, null, 2)}\n`);
  return next;
}

/** What `e2e/wssSoak.js` prints at the end (times in ms from the soak's start). */
export interface SoakOutcome {
  report: SoakReport;
  /** When the disruption started (the pod delete, or `pulumi up`). */
  markMs: number;
  events: { drops: [number, number][]; reopens: number[] };
}

/**
 * The figures of one disruption. N, the connections on the old pods, is the drops (the drain
 * closes every one of them); W is the drain window, over which the sidecar closes N/W a second:
 * `busiest_second_ratio` is the busiest second of reopens (counted from the mark) against N/W.
 * `all_back_s` is from the mark to the last reopen, when every client is open again at the end.
 */
export function rolloutFigures(outcome: SoakOutcome, drainWindowSeconds: number): RolloutFigures {
  const { report, markMs, events } = outcome;
  const perSecond = new Map<number, number>();
  for (const at of events.reopens) {
    const second = Math.floor((at - markMs) / 1000);
    perSecond.set(second, (perSecond.get(second) ?? 0) + 1);
  }
  const busiest = Math.max(0, ...perSecond.values());
  const n = report.drops.total;
  const allBack = report.connections.openAtEnd === report.config.connections;
  const last = Math.max(markMs, ...events.reopens);
  return {
    connections: report.config.connections,
    lost_messages: report.echo?.gaps ?? NaN,
    drops: n,
    drops_by_code: report.drops.byCode,
    busiest_second_ratio: n === 0 ? 0 : Math.round((busiest / (n / drainWindowSeconds)) * 100) / 100,
    all_back: allBack,
    all_back_s: allBack ? Math.round((last - markMs) / 100) / 10 : null,
  };
}
