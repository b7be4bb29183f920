import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { recordReport, resetReport, STAND_INS } from "../../e2e/clusterReport";

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
