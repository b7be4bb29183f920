import { performance } from "node:perf_hooks";
import * as tls from "node:tls";
import WebSocket, { type ClientOptions } from "ws";
import { backoffDelayMs, type BackoffProfile } from "./backoff";
import { type Drop, dropCause } from "./drop";
import { classifyError, type Failure } from "./failure";
import type { MessageTemplate } from "./template";

export type EchoEvent = "sent" | "received" | "gaps" | "lostWithConnection" | "outOfOrder" | "unmatched";

/** Where a client reports what happens to it; soak aggregates, monitor turns it into metrics. */
export interface ClientSink {
  /** `tlsResumed`: the TLS session was resumed (true), fully negotiated (false); undefined for ws://. */
  opened(handshakeMs: number, tlsResumed?: boolean): void;
  rtt(ms: number): void;
  dropped(drop: Drop): void;
  attemptFailed(failure: Failure): void;
  /** A reconnect attempt starts, `waitedMs` after the drop or failure that `plannedMs` was computed for. */
  reconnecting(attempt: number, plannedMs: number, waitedMs: number): void;
  exhausted(): void;
  echo(event: EchoEvent, count: number): void;
}

export interface ClientConfig {
  url: string;
  wsOptions: ClientOptions;
  /** 0 disables the heartbeat (to observe idle timeouts). */
  heartbeatMs: number;
  maxMissedHeartbeats: number;
  backoff: BackoffProfile;
  /** App-level heartbeat sent on each tick instead of (or, without `echo`, besides) a ping. */
  message?: MessageTemplate;
  /** The server echoes `message`: echoes answer the heartbeat and reveal sequence gaps. */
  echo: boolean;
  random?: () => number;
  /**
   * Keep the TLS session (the server's session ticket) and offer it on the next connection, like a
   * real client (iOS's URLSession does): a reconnect then resumes instead of a full handshake.
   */
  reuseTlsSessions?: boolean;
}

const CLOSE_TIMEOUT_MS = 2000;

/**
 * One simulated client: connects, heartbeats, and reconnects under the backoff profile.
 * Holds only numbers and one timer besides its socket, so 10k of them stay small.
 */
export class ProbeClient {
  private ws: WebSocket | null = null;
  private timer: NodeJS.Timeout | null = null;
  private openedAt = 0;
  private missed = 0;
  private waitingSince = 0;
  private attempt = 0;
  private nextSeq = 1;
  private expectedEcho = 1;
  private lastSentAt = 0;
  private pongTimedOut = false;
  private error: Error | undefined;
  private stopped = false;
  private onStopped: (() => void) | null = null;
  /** The latest TLS session (ticket) the server sent, offered on the next connection. */
  private tlsSession: Buffer | undefined;
  /** True once the client gave up after `backoff.maxAttempts` failed attempts. */
  exhausted = false;

  constructor(
    readonly id: number,
    private readonly config: ClientConfig,
    private readonly sink: ClientSink,
  ) {}

  get isOpen(): boolean {
    return this.openedAt !== 0;
  }

  /** Echoes still awaited on the current connection. */
  get outstandingEchoes(): number {
    return this.isOpen && this.config.echo ? this.nextSeq - this.expectedEcho : 0;
  }

  start(): void {
    this.connect();
  }

  /** Stops heartbeats (before the final echo drain) but keeps the connection. */
  stopSending(): void {
    if (this.isOpen) this.clearTimer();
  }

  /** Echoes still missing on a live connection at the end are gaps: the connection stayed up. */
  settleEchoes(): void {
    const missing = this.outstandingEchoes;
    if (missing > 0) this.sink.echo("gaps", missing);
    this.expectedEcho = this.nextSeq;
  }

  /** Closes with 1000 (not counted as a drop) and cancels any pending reconnect. */
  stop(): Promise<void> {
    this.stopped = true;
    this.clearTimer();
    const ws = this.ws;
    if (!ws) return Promise.resolve();
    return new Promise((resolve) => {
      this.onStopped = resolve;
      if (ws.readyState === WebSocket.CONNECTING) ws.terminate();
      else ws.close(1000, "wsprobe done");
      setTimeout(() => ws.terminate(), CLOSE_TIMEOUT_MS).unref();
    });
  }

  private connect(): void {
    this.pongTimedOut = false;
    this.error = undefined;
    const startedAt = performance.now();
    const ws = new WebSocket(this.config.url, this.sessionOptions());
    this.ws = ws;
    let tlsResumed: boolean | undefined;
    ws.on("error", (err) => (this.error = err));
    // ws does not surface socket errors after the upgrade (a reset looks like a FIN); listen on the socket.
    ws.on("upgrade", (res) => {
      res.socket.once("error", (err) => (this.error ??= err));
      if (res.socket instanceof tls.TLSSocket) tlsResumed = res.socket.isSessionReused();
    });
    ws.on("open", () => this.handleOpen(performance.now() - startedAt, tlsResumed));
    ws.on("pong", () => this.handlePong());
    if (this.config.echo) ws.on("message", (data: Buffer) => this.handleEcho(data.toString()));
    ws.on("close", (code: number, reason: Buffer) => this.handleClose(code, reason.toString()));
  }

  /**
   * The ws options for the next connection: with session reuse, the kept session, and a socket
   * factory that keeps the next one (TLS 1.3 sends tickets after the handshake: 'session' events).
   */
  private sessionOptions(): ClientOptions {
    const base = this.config.wsOptions;
    if (!this.config.reuseTlsSessions || !/^wss:/i.test(this.config.url)) return base;
    const create = (base.createConnection ?? tls.connect) as (o: tls.ConnectionOptions) => tls.TLSSocket;
    return {
      ...base,
      ...(this.tlsSession ? { session: this.tlsSession } : {}),
      createConnection: ((o: tls.ConnectionOptions) => {
        const socket = create(o);
        socket.on("session", (session: Buffer) => (this.tlsSession = session));
        return socket;
      }) as unknown as ClientOptions["createConnection"],
    } as ClientOptions;
  }

  private handleOpen(handshakeMs: number, tlsResumed?: boolean): void {
    this.openedAt = performance.now();
    this.attempt = 0;
    this.missed = 0;
    this.waitingSince = 0;
    this.expectedEcho = this.nextSeq;
    this.sink.opened(handshakeMs, tlsResumed);
    if (this.stopped) return;
    if (this.config.heartbeatMs > 0) this.timer = setInterval(() => this.beat(), this.config.heartbeatMs);
  }

  private beat(): void {
    const ws = this.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) return;
    const now = performance.now();
    if (this.waitingSince) {
      if (++this.missed >= this.config.maxMissedHeartbeats) {
        this.pongTimedOut = true;
        ws.terminate();
        return;
      }
    } else {
      this.waitingSince = now;
    }
    const { message } = this.config;
    if (message) {
      ws.send(message.render(this.nextSeq++, this.id));
      this.lastSentAt = now;
      this.sink.echo("sent", 1);
    }
    if (!this.config.echo) ws.ping();
  }

  private handlePong(): void {
    // Measured from the first unanswered ping: the time the client actually waited.
    if (this.waitingSince) this.sink.rtt(performance.now() - this.waitingSince);
    this.alive();
  }

  private handleEcho(text: string): void {
    const seq = this.config.message?.parseSeq(text);
    if (seq === undefined) {
      this.sink.echo("unmatched", 1);
      return;
    }
    this.alive();
    if (seq < this.expectedEcho) {
      this.sink.echo("outOfOrder", 1);
      return;
    }
    if (seq > this.expectedEcho) this.sink.echo("gaps", seq - this.expectedEcho);
    this.sink.echo("received", 1);
    if (seq === this.nextSeq - 1) this.sink.rtt(performance.now() - this.lastSentAt);
    this.expectedEcho = seq + 1;
  }

  private alive(): void {
    this.waitingSince = 0;
    this.missed = 0;
  }

  private handleClose(code: number, reason: string): void {
    this.ws = null;
    this.clearTimer();
    if (this.openedAt === 0) {
      if (!this.stopped)
        this.sink.attemptFailed(
          classifyError(this.error ?? new Error(`closed during the handshake (${code})`)),
        );
    } else {
      const lifetimeMs = performance.now() - this.openedAt;
      this.openedAt = 0;
      if (!this.stopped) {
        const lost = this.config.echo ? this.nextSeq - this.expectedEcho : 0;
        if (lost > 0) this.sink.echo("lostWithConnection", lost);
        const cause = dropCause(code, this.pongTimedOut, this.error);
        const detail =
          cause === "pong_timeout"
            ? `${this.missed} heartbeats unanswered`
            : this.error
              ? classifyError(this.error).detail
              : reason;
        this.sink.dropped({ code, cause, detail, lifetimeMs });
      }
    }
    if (this.stopped) {
      this.onStopped?.();
      return;
    }
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    const attempt = ++this.attempt;
    if (attempt > this.config.backoff.maxAttempts) {
      this.exhausted = true;
      this.sink.exhausted();
      return;
    }
    const plannedMs = backoffDelayMs(this.config.backoff, attempt, this.config.random);
    const scheduledAt = performance.now();
    this.timer = setTimeout(() => {
      this.timer = null;
      this.sink.reconnecting(attempt, plannedMs, performance.now() - scheduledAt);
      this.connect();
    }, plannedMs);
  }

  private clearTimer(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
  }
}
