import type { ClientRequest } from "node:http";
import { performance } from "node:perf_hooks";
import type { TLSSocket } from "node:tls";
import WebSocket from "ws";
import { type ConnectOptions, wsClientOptions } from "./connectOptions";
import { round } from "./durations";
import { classifyError, type Failure } from "./failure";
import { compileTemplate } from "./template";

export type CheckStep = "dns" | "tcp" | "tls" | "upgrade" | "ping" | "close";

export interface CheckOptions extends ConnectOptions {
  url: string;
  /** Limit for each of: the opening handshake, the heartbeat answer, the closing handshake. Default 5 s. */
  timeoutMs?: number;
  /** App heartbeat to send instead of a ping; any message back counts as the answer. */
  message?: string;
}

export interface TlsInfo {
  protocol: string | null;
  cipher: string;
  alpn: string | null;
  subject: string;
  issuer: string;
  validTo: string;
  daysLeft: number;
}

export interface CheckResult {
  ok: boolean;
  url: string;
  /** Duration of each step in ms; a step that did not happen is absent (dns for an IP, tls for ws://). */
  steps: Partial<Record<CheckStep | "total", number>>;
  rttMs: number | null;
  tls: TlsInfo | null;
  closeCode: number | null;
  error: { step: CheckStep; kind: string; message: string; status?: number } | null;
}

class StepError extends Error {
  constructor(
    readonly step: CheckStep,
    readonly kind: string,
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

/** Connects once, measures each step, exchanges one heartbeat and closes cleanly. Never throws for endpoint failures. */
export async function runCheck(options: CheckOptions): Promise<CheckResult> {
  const timeoutMs = options.timeoutMs ?? 5000;
  const t0 = performance.now();
  const marks: { lookup?: number; connect?: number; secure?: number; open?: number; answered?: number } = {};
  const result: CheckResult = {
    ok: false,
    url: options.url,
    steps: {},
    rttMs: null,
    tls: null,
    closeCode: null,
    error: null,
  };
  const ws = new WebSocket(options.url, {
    ...wsClientOptions({ ...options, handshakeTimeoutMs: timeoutMs }),
    finishRequest: (req: ClientRequest) => {
      req.on("socket", (socket) => {
        socket.once("lookup", () => (marks.lookup = performance.now()));
        socket.once("connect", () => (marks.connect = performance.now()));
        socket.once("secureConnect", () => {
          marks.secure = performance.now();
          result.tls = tlsInfo(socket as TLSSocket);
        });
      });
      req.end();
    },
  });
  let lastError: Error | undefined;
  ws.on("error", (err) => (lastError = err));
  const closed = new Promise<number>((resolve) => ws.once("close", (code: number) => resolve(code)));

  try {
    const opened = await new Promise<boolean>((resolve) => {
      ws.once("open", () => resolve(true));
      ws.once("close", () => resolve(false));
    });
    if (!opened) throw handshakeError(lastError, marks, options.url.startsWith("wss"));
    marks.open = performance.now();
    result.rttMs = round(await heartbeat(ws, options, timeoutMs, closed), 3);
    marks.answered = performance.now();
    ws.close(1000, "wsprobe check");
    const code = await Promise.race([closed, delay(timeoutMs).then(() => null)]);
    if (code === null) {
      ws.terminate();
      throw new StepError("close", "timeout", `no close frame from the server within ${timeoutMs}ms`);
    }
    result.closeCode = code;
    if (code === 1006)
      throw new StepError("close", "abnormal", "the connection ended without a close frame (1006)");
    result.ok = true;
  } catch (err) {
    const e = err instanceof StepError ? err : new StepError("upgrade", "error", String(err));
    result.error = { step: e.step, kind: e.kind, message: e.message };
    if (e.status !== undefined) result.error.status = e.status;
    if (ws.readyState !== WebSocket.CLOSED) ws.terminate();
  }
  result.steps = steps(t0, marks, performance.now());
  return result;
}

function heartbeat(
  ws: WebSocket,
  options: CheckOptions,
  timeoutMs: number,
  closed: Promise<number>,
): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const sentAt = performance.now();
    const timer = setTimeout(
      () => reject(new StepError("ping", "pong_timeout", `no answer to the heartbeat within ${timeoutMs}ms`)),
      timeoutMs,
    );
    const answered = () => {
      clearTimeout(timer);
      resolve(performance.now() - sentAt);
    };
    void closed.then((code) => {
      clearTimeout(timer);
      reject(new StepError("ping", "closed", `the server closed the connection (${code}) before answering`));
    });
    if (options.message) {
      ws.once("message", answered);
      ws.send(compileTemplate(options.message).render(1, 0));
    } else {
      ws.once("pong", answered);
      ws.ping();
    }
  });
}

function handshakeError(
  err: Error | undefined,
  marks: { lookup?: number; connect?: number; secure?: number },
  secure: boolean,
) {
  const failure: Failure = classifyError(err ?? new Error("closed during the handshake"));
  const step: CheckStep =
    failure.kind === "dns"
      ? "dns"
      : failure.kind === "tls"
        ? "tls"
        : failure.kind === "http" || failure.kind === "protocol"
          ? "upgrade"
          : marks.connect === undefined
            ? "tcp"
            : secure && marks.secure === undefined
              ? "tls"
              : "upgrade";
  const why =
    failure.kind === "http" ? `the server refused the upgrade with HTTP ${failure.status}` : failure.detail;
  return new StepError(step, failure.label, why, failure.status);
}

function steps(
  t0: number,
  m: { lookup?: number; connect?: number; secure?: number; open?: number; answered?: number },
  end: number,
): CheckResult["steps"] {
  const out: CheckResult["steps"] = {};
  const put = (step: CheckStep, from: number | undefined, to: number | undefined) => {
    if (from !== undefined && to !== undefined) out[step] = round(to - from, 3);
  };
  put("dns", t0, m.lookup);
  put("tcp", m.lookup ?? t0, m.connect);
  put("tls", m.connect, m.secure);
  put("upgrade", m.secure ?? m.connect, m.open);
  put("ping", m.open, m.answered);
  put("close", m.answered, m.answered === undefined ? undefined : end);
  out.total = round(end - t0, 3);
  return out;
}

function tlsInfo(socket: TLSSocket): TlsInfo {
  const cert = socket.getPeerCertificate();
  const validTo = cert?.valid_to ? new Date(cert.valid_to) : new Date(NaN);
  return {
    protocol: socket.getProtocol(),
    cipher: socket.getCipher()?.name ?? "",
    alpn: socket.alpnProtocol || null,
    subject: first(cert?.subject?.CN),
    issuer: first(cert?.issuer?.CN ?? cert?.issuer?.O),
    validTo: Number.isNaN(validTo.getTime()) ? "" : validTo.toISOString(),
    daysLeft: Number.isNaN(validTo.getTime()) ? 0 : Math.floor((validTo.getTime() - Date.now()) / 86_400_000),
  };
}

function first(value: string | string[] | undefined): string {
  return (Array.isArray(value) ? value[0] : value) ?? "";
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
