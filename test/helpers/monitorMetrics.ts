/**
 * The monitor's metrics as the pod exports them: wsprobe's own ProbeMetrics, built from the command
 * line WsMonitor gives the container (the same flags, read with the CLI's duration parser).
 */
import { parseDuration, ProbeMetrics } from "../../probe";

export function metricsForContainer(command: string[]): ProbeMetrics {
  const seconds = (flag: string) => {
    const i = command.indexOf(flag);
    return i < 0 ? undefined : parseDuration(command[i + 1]) / 1000;
  };
  return new ProbeMetrics({
    expectedMinLifetimeSeconds: seconds("--expected-lifetime"),
    shortLifetimeSeconds: seconds("--short-lifetime"),
  });
}

/** One connection that lived `lifetimeSeconds` and was closed by the server (1001). */
export function observeDrop(metrics: ProbeMetrics, lifetimeSeconds: number): void {
  metrics.opened();
  metrics.dropped({ code: 1001, cause: "server_close", detail: "", lifetimeMs: lifetimeSeconds * 1000 });
}

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Parses Prometheus text exposition (no escapes in label values: wsprobe has none). */
export function parseExposition(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const m = /^([a-zA-Z_:][\w:]*)(?:\{([^}]*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`unparsed exposition line: ${line}`);
    const labels: Record<string, string> = {};
    for (const pair of (m[2] ?? "").split(",").filter(Boolean)) {
      const [k, v] = pair.split("=");
      labels[k] = JSON.parse(v) as string;
    }
    samples.push({ name: m[1], labels, value: Number(m[3]) });
  }
  return samples;
}
