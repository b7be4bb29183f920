import type { CheckResult } from "./check";
import { formatDuration } from "./durations";
import type { Percentiles } from "./histogram";
import type { SoakReport } from "./report";

export function checkSummary(r: CheckResult): string {
  const lines = [`wsprobe check ${r.url}`];
  const order = ["dns", "tcp", "tls", "upgrade", "ping", "close"] as const;
  for (const step of order) {
    const ms = r.steps[step];
    if (ms === undefined) continue;
    let note = "";
    if (step === "tls" && r.tls)
      note = `  ${r.tls.protocol}, ${r.tls.subject || "?"} by ${r.tls.issuer || "?"}, expires ${r.tls.validTo.slice(0, 10)} (${r.tls.daysLeft} days)`;
    if (step === "close" && r.closeCode !== null) note = `  code ${r.closeCode}`;
    lines.push(`  ${step.padEnd(8)} ${ms.toFixed(1).padStart(8)} ms${note}`);
  }
  lines.push(
    r.ok
      ? `OK in ${formatDuration(r.steps.total ?? 0)}`
      : `FAILED at ${r.error?.step}: ${r.error?.message} (${r.error?.kind})`,
  );
  return lines.join("\n");
}

function pct(p: Percentiles, unit = "ms"): string {
  if (p.count === 0) return "none";
  return `p50 ${p.p50}${unit}  p90 ${p.p90}${unit}  p99 ${p.p99}${unit}  max ${p.max}${unit}  (n=${p.count})`;
}

function life(p: Percentiles): string {
  if (p.count === 0) return "no connection dropped";
  return `min ${formatDuration(p.min)}  p50 ${formatDuration(p.p50)}  p90 ${formatDuration(p.p90)}  max ${formatDuration(p.max)}  (n=${p.count})`;
}

function counts(c: Record<string, number>): string {
  const entries = Object.entries(c).filter(([, n]) => n > 0);
  return entries.length === 0 ? "none" : entries.map(([k, n]) => `${k}: ${n}`).join(", ");
}

export function soakSummary(r: SoakReport): string {
  const c = r.connections;
  const lines = [
    `wsprobe soak ${r.url}: ${formatDuration(r.durationMs)} (ended by ${r.endedBy}), ${c.target} connections, heartbeat ${r.config.heartbeatMs ? formatDuration(r.config.heartbeatMs) : "off"}`,
    `  open at end   ${c.openAtEnd}/${c.target}   opens ${c.opens}   failed attempts ${c.failedAttempts} (${counts(c.failedAttemptsByCause)})   exhausted ${c.exhausted}`,
    `  handshake     ${pct(r.handshakeMs)}${
      r.tls
        ? `   TLS: ${r.tls.resumed} resumed, ${r.tls.full} full${r.tls.reuseSessions ? "" : " (session reuse off)"}`
        : ""
    }`,
    `  rtt           ${pct(r.rttMs)}`,
    `  lifetimes     ${life(r.lifetimesMs)}`,
    `  drops         ${r.drops.total}   by code: ${counts(r.drops.byCode)}   by cause: ${counts(r.drops.byCause)}`,
    `  reconnects    ${r.reconnects.attempts}${r.reconnects.byAttempt.length ? "   " : ""}${r.reconnects.byAttempt
      .map((a) => `#${a.attempt} x${a.count} after ${formatDuration(a.plannedMs.max)}`)
      .join(", ")}`,
  ];
  if (r.echo)
    lines.push(
      `  echo          sent ${r.echo.sent}  received ${r.echo.received}  gaps ${r.echo.gaps}  lost with connection ${r.echo.lostWithConnection}  out of order ${r.echo.outOfOrder}`,
    );
  return lines.join("\n");
}
