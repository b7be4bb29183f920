/** Why a connection attempt failed, in words an operator can act on. */
export type FailureKind = "dns" | "refused" | "timeout" | "tls" | "http" | "reset" | "protocol" | "error";

export interface Failure {
  kind: FailureKind;
  /** Short stable label for counters: "refused", "tls", "http_403", "reset", ... */
  label: string;
  /** The underlying error code or message. */
  detail: string;
  /** HTTP status of a refused upgrade. */
  status?: number;
}

const TLS_CODES =
  /^(DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT(_LOCALLY)?|CERT_|ERR_TLS_|ERR_SSL_|ERR_OSSL_)/;

export function classifyError(err: unknown): Failure {
  const e = err as NodeJS.ErrnoException | undefined;
  const code = typeof e?.code === "string" ? e.code : "";
  const message = e?.message ?? String(err);
  const detail = code ? `${code}: ${message}` : message;
  const status = /Unexpected server response: (\d{3})/.exec(message);
  if (status) return { kind: "http", label: `http_${status[1]}`, detail, status: Number(status[1]) };
  if (code === "ENOTFOUND" || code === "EAI_AGAIN") return { kind: "dns", label: "dns", detail };
  if (code === "ECONNREFUSED") return { kind: "refused", label: "refused", detail };
  if (code === "ETIMEDOUT" || /timed out/i.test(message))
    return { kind: "timeout", label: "timeout", detail };
  if (TLS_CODES.test(code) || /certificate|SSL|TLS/i.test(message))
    return { kind: "tls", label: "tls", detail };
  if (code === "ECONNRESET" || code === "EPIPE" || /socket hang up/.test(message))
    return { kind: "reset", label: "reset", detail };
  if (code.startsWith("WS_ERR_") || /Invalid (Upgrade|Sec-WebSocket)/.test(message))
    return { kind: "protocol", label: "protocol", detail };
  return { kind: "error", label: "error", detail };
}
