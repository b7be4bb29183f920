/**
 * Throwaway certificates made with openssl, for tests and benchmarks:
 * - `makeCertificate`: a self-signed ECDSA P-256 certificate for localhost and 127.0.0.1, laid out
 *   as the HAProxy pod mounts its TLS Secret: `tls.crt` holds only the certificate and
 *   `tls.crt.key` the key, which HAProxy loads by itself. nginx and Node's wss:// server read both.
 * - `makeCertificateAuthority` + `issueCertificate`: a CA and the serving and client certificates
 *   it signs (the end-to-end tests' API server, etcd clients and kubeconfig).
 * - `makeSigningKey`: a bare key pair (the API server's service-account token signing key).
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

export interface Certificate {
  certPath: string;
  keyPath: string;
  certPem: string;
}

const EC_KEY = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];

function openssl(args: string[]): void {
  execFileSync("openssl", args, { stdio: ["ignore", "ignore", "pipe"] });
}

function readCertificate(certPath: string, keyPath: string): Certificate {
  const certPem = fs.readFileSync(certPath, "utf8");
  if (certPem.includes("PRIVATE KEY")) throw new Error("the certificate file must not hold the key");
  return { certPath, keyPath, certPem };
}

/** The same, with an RSA-2048 key instead (`rsa.crt`, `rsa.crt.key`): what a full handshake costs with RSA. */
export function makeRsaCertificate(dir: string): Certificate {
  return makeCertificate(dir, "rsa.crt", ["-newkey", "rsa:2048", "-nodes"]);
}

/** A self-signed certificate valid for a day: `openssl req -x509` with the key, subject and extensions given. */
function selfSigned(
  certPath: string,
  keyPath: string,
  key: string[],
  subject: string,
  extensions: string[],
): Certificate {
  openssl([
    "req",
    "-x509",
    ...key,
    "-keyout",
    keyPath,
    "-out",
    certPath,
    "-days",
    "1",
    "-subj",
    subject,
    ...extensions.flatMap((e) => ["-addext", e]),
  ]);
  return readCertificate(certPath, keyPath);
}

export function makeCertificate(dir: string, name = "tls.crt", key: string[] = EC_KEY): Certificate {
  const certPath = path.join(dir, name);
  return selfSigned(certPath, `${certPath}.key`, key, "/CN=localhost", [
    "subjectAltName=DNS:localhost,IP:127.0.0.1",
  ]);
}

/** A self-signed CA (`<name>.crt`, `<name>.key` in dir), valid for a day. */
export function makeCertificateAuthority(dir: string, name = "ca"): Certificate {
  return selfSigned(path.join(dir, `${name}.crt`), path.join(dir, `${name}.key`), EC_KEY, `/CN=${name}`, [
    "basicConstraints=critical,CA:TRUE",
    "keyUsage=critical,keyCertSign,cRLSign,digitalSignature",
  ]);
}

export interface IssueOptions {
  /** Subject common name (a Kubernetes client certificate's user name). */
  commonName: string;
  /** Subject organizations (a Kubernetes client certificate's groups). Default none. */
  organizations?: string[];
  /** DNS names and IP addresses of a serving certificate. Default none (a client certificate). */
  dnsNames?: string[];
  ipAddresses?: string[];
}

/** A certificate signed by `ca` (`<name>.crt`, `<name>.key` in dir), for serving and client auth. */
export function issueCertificate(ca: Certificate, dir: string, name: string, o: IssueOptions): Certificate {
  const certPath = path.join(dir, `${name}.crt`);
  const keyPath = path.join(dir, `${name}.key`);
  const csrPath = path.join(dir, `${name}.csr`);
  const extPath = path.join(dir, `${name}.ext`);
  const subject = [`/CN=${o.commonName}`, ...(o.organizations ?? []).map((org) => `/O=${org}`)].join("");
  openssl(["req", "-new", ...EC_KEY, "-keyout", keyPath, "-out", csrPath, "-subj", subject]);
  const sans = [
    ...(o.dnsNames ?? []).map((d) => `DNS:${d}`),
    ...(o.ipAddresses ?? []).map((ip) => `IP:${ip}`),
  ];
  fs.writeFileSync(
    extPath,
    [
      "basicConstraints=critical,CA:FALSE",
      "keyUsage=critical,digitalSignature,keyEncipherment",
      "extendedKeyUsage=serverAuth,clientAuth",
      ...(sans.length ? [`subjectAltName=${sans.join(",")}`] : []),
    ].join("\n") + "\n",
  );
  openssl([
    "x509",
    "-req",
    "-in",
    csrPath,
    "-CA",
    ca.certPath,
    "-CAkey",
    ca.keyPath,
    "-CAcreateserial",
    "-out",
    certPath,
    "-days",
    "1",
    "-extfile",
    extPath,
  ]);
  fs.rmSync(csrPath);
  fs.rmSync(extPath);
  return readCertificate(certPath, keyPath);
}

/** An RSA key pair in PEM (`<name>.key`, `<name>.pub` in dir). */
export function makeSigningKey(dir: string, name: string): { privateKeyPath: string; publicKeyPath: string } {
  const privateKeyPath = path.join(dir, `${name}.key`);
  const publicKeyPath = path.join(dir, `${name}.pub`);
  openssl(["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", privateKeyPath]);
  openssl(["pkey", "-in", privateKeyPath, "-pubout", "-out", publicKeyPath]);
  return { privateKeyPath, publicKeyPath };
}
