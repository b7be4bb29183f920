import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import {
  recordReport,
  resetReport,
  rolloutFigures,
  type SoakOutcome,
  STAND_INS,
} from "../../e2e/clusterReport";
import type { SoakReport } from "../../probe/report";

test("the cluster report starts with every figure null and the stand-ins listed, and keeps each recorded figure", () => {
  const file = path.join(
    fs.mkdtempSync(path.join(os.tmpdir(), "ws-exposure-report-")),
    "e2e",
    "cluster-report.json",
  );
  resetReport(file);
  recordReport({ kubelet_version: "Kubernetes v1.36.3" }, file);
  recordReport({ wss_echo: true, warning_events: { count: 0, first: [] } }, file);
  expect(JSON.parse(fs.readFileSync(file, "utf8"))).toEqual({
    kubelet_version: "Kubernetes v1.36.3",
    container_runtime: null,
    pods_started: null,
    lb_address_from: null,
    wss_echo: true,
    haproxy_version: null,
    haproxy_rollout: null,
    haproxy_pod_delete: null,
    knative_rollout: null,
    warning_events: { count: 0, first: [] },
    stand_ins: STAND_INS,
  });
  fs.rmSync(path.dirname(path.dirname(file)), { recursive: true, force: true });
});

const soak = (over: {
  drops: [number, number][];
  reopens: number[];
  openAtEnd: number;
  gaps: number;
}): SoakOutcome => ({
  markMs: 10_000,
  events: { drops: over.drops, reopens: over.reopens },
  report: {
    config: { connections: 10 },
    connections: { openAtEnd: over.openAtEnd },
    drops: {
      total: over.drops.length,
      byCode: over.drops.length ? { "1006": over.drops.length } : {},
    },
    echo: { gaps: over.gaps },
  } as unknown as SoakReport,
});

test("rollout figures: N = the drops, the busiest second of reopens from the mark against N/W, all back at the last reopen", () => {
  // 4 drops over a 2 s window (N/W = 2 a second); reopens 3 in the second 10.0-11.0 s after the mark.
  const outcome = soak({
    drops: [
      [10_500, 1006],
      [11_000, 1006],
      [11_500, 1006],
      [12_000, 1006],
    ],
    reopens: [1_000, 20_100, 20_500, 20_999, 21_000],
    openAtEnd: 10,
    gaps: 0,
  });
  expect(rolloutFigures(outcome, 2)).toEqual({
    connections: 10,
    lost_messages: 0,
    drops: 4,
    drops_by_code: { "1006": 4 },
    busiest_second_ratio: 1.5,
    all_back: true,
    all_back_s: 11,
  });
});

test("rollout figures: a client still closed at the end means not all back (all_back_s null); gaps are lost messages", () => {
  const outcome = soak({ drops: [[10_500, 1006]], reopens: [], openAtEnd: 9, gaps: 2 });
  expect(rolloutFigures(outcome, 20)).toEqual({
    connections: 10,
    lost_messages: 2,
    drops: 1,
    drops_by_code: { "1006": 1 },
    busiest_second_ratio: 0,
    all_back: false,
    all_back_s: null,
  });
});
