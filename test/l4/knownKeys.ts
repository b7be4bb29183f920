/** Keywords the renderer may emit; each exists in HAProxy 2.6 and 3.x (checked against both manuals). */
export const haproxyKnown = [
  "master-worker",
  "maxconn",
  "nbthread",
  "log",
  "hard-stop-after",
  "close-spread-time",
  "stats",
  "ssl-default-bind-options",
  "ssl-default-bind-ciphers",
  "ssl-default-bind-ciphersuites",
  "mode",
  "option",
  "timeout",
  "bind",
  "monitor-uri",
  "acl",
  "tcp-request",
  "default_backend",
  "balance",
  "retries",
  "http-request",
  "server",
];

/**
 * What HAProxy 3.0-3.3 removed, renamed or deprecated (a warning now, an error later) among what a
 * config valid for 2.6 may hold. Read from the HAProxy sources (github.com/haproxy/haproxy, tags
 * v2.6.0..v3.3.0: doc/configuration.txt and the parser's messages) and the commits named below.
 * The renderer must emit none of them: the integration tests run Debian's 2.6, the pods run 3.2.
 */
export const haproxyRemovedIn3x: { pattern: RegExp; what: string; since: string; instead: string }[] = [
  {
    pattern: /^bind-process\b/,
    what: "bind-process",
    since: "2.7 (removed: 'not supported anymore')",
    instead: "thread on bind lines",
  },
  {
    pattern: /^bind\b.*\sprocess\s/,
    what: "process on bind lines",
    since: "2.7 (removed)",
    instead: "thread",
  },
  {
    pattern: /^(no\s+)?option\s+accept-invalid-http-(request|response)\b/,
    what: "option accept-invalid-http-request/-response",
    since: "3.1 (renamed, deprecated)",
    instead: "option accept-unsafe-violations-in-http-request/-response",
  },
  {
    pattern: /^(tcp|http)-(request|response)\b.*\sset-(mark|tos)\b/,
    what: "set-mark / set-tos actions",
    since: "3.0 (renamed, deprecated)",
    instead: "set-fc-mark / set-fc-tos",
  },
  {
    pattern: /^tune\.ssl\.ocsp-update\.(mode|mindelay|maxdelay)\b/,
    what: "tune.ssl.ocsp-update.*",
    since: "3.0 / 3.2 (renamed, deprecated)",
    instead: "ocsp-update.mode / ocsp-update.mindelay / ocsp-update.maxdelay",
  },
  {
    pattern: /^tune\.ssl\.capture-cipherlist-size\b/,
    what: "tune.ssl.capture-cipherlist-size",
    since: "deprecated (3.x docs)",
    instead: "tune.ssl.capture-buffer-size",
  },
  {
    pattern: /^tune\.lua\.preserve-smp-bool\b/,
    what: "tune.lua.preserve-smp-bool",
    since: "3.2 (renamed)",
    instead: "tune.lua.bool-sample-conversion",
  },
  {
    pattern: /^tune\.quic\.frontend\.conn-tx-buffers\.limit\b/,
    what: "tune.quic.frontend.conn-tx-buffers.limit",
    since: "undocumented in 3.x",
    instead: "(QUIC is not used here)",
  },
  {
    pattern: /^transparent\b/,
    what: "transparent",
    since: "deprecated (3.x docs)",
    instead: "option transparent",
  },
  {
    pattern: /^program\b/,
    what: "a program section",
    since: "3.1 (deprecated), 3.3 (removed)",
    instead: "a process manager outside HAProxy",
  },
  {
    pattern: /^mailers\b/,
    what: "a mailers section (legacy C mailers)",
    since: "3.1 (deprecated), 3.3 (Lua only)",
    instead: "examples/lua/mailers.lua",
  },
];

/** Directives whose value is a time: HAProxy 3.1+ warns on a unitless value below 100 (milliseconds). */
export const haproxyTimeDirectives = /^(timeout\s+\S+|hard-stop-after|close-spread-time)\s+(\S+)$/;
