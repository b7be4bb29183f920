/**
 * A throwaway self-signed ECDSA P-256 certificate for localhost and 127.0.0.1, laid out as the
 * HAProxy pod mounts its TLS Secret: `tls.crt` holds only the certificate and `tls.crt.key` the key,
 * which HAProxy loads by itself. nginx and Node's wss:// server read both. Used by the integration
 * tests and the benchmarks.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

export interface Certificate {
  certPath: string;
  keyPath: string;
  certPem: string;
}

export function makeCertificate(dir: string): Certificate {
  const certPath = path.join(dir, "tls.crt");
  const keyPath = `${certPath}.key`;
  execFileSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:prime256v1",
      "-nodes",
      "-keyout",
      keyPath,
      "-out",
      certPath,
      "-days",
      "1",
      "-subj",
      "/CN=localhost",
      "-addext",
      "subjectAltName=DNS:localhost,IP:127.0.0.1",
    ],
    { stdio: "ignore" },
  );
  const certPem = fs.readFileSync(certPath, "utf8");
  if (certPem.includes("PRIVATE KEY")) throw new Error("the certificate file must not hold the key");
  return { certPath, keyPath, certPem };
}
