/**
 * Which cluster and credentials a kubeconfig names, resolved the way the kubernetes provider's
 * default does: explicit kubeconfig (path or contents), else `KUBECONFIG` (a list of files, merged,
 * the first definition of a name winning), else `~/.kube/config`; the given context, else the
 * kubeconfig's current-context. Pure: file reads come in as a function.
 */

export interface ExecConfig {
  command: string;
  args?: string[];
  env?: { name: string; value: string }[];
  apiVersion?: string;
}

/** Where and how to reach the API server. PEM strings, never paths. */
export interface KubeAccess {
  /** `https://host:port[/prefix]` */
  server: string;
  context: string;
  ca?: string;
  cert?: string;
  key?: string;
  token?: string;
  /** Read at each request, as client-go does (projected ServiceAccount tokens rotate). */
  tokenFile?: string;
  exec?: ExecConfig;
  insecureSkipTlsVerify: boolean;
  tlsServerName?: string;
}

export interface Kubeconfig {
  clusters?: { name: string; cluster?: Record<string, unknown> }[];
  users?: { name: string; user?: Record<string, unknown> }[];
  contexts?: { name: string; context?: { cluster?: string; user?: string; namespace?: string } }[];
  "current-context"?: string;
}

/** True for kubeconfig contents, false for a path (the provider's `kubeconfig` takes either). */
export function isKubeconfigContent(value: string): boolean {
  const v = value.trim();
  return v.startsWith("{") || v.includes("\n") || /^apiVersion:/.test(v);
}

/** `KUBECONFIG` as a list of files (`:`-separated; `;` on Windows). */
export function kubeconfigPaths(env: string | undefined, home: string, separator = ":"): string[] {
  const listed = (env ?? "").split(separator).filter((p) => p.trim() !== "");
  return listed.length > 0 ? listed : [`${home}/.kube/config`];
}

/** Several kubeconfig files as one: the first definition of each name wins, as kubectl merges them. */
export function mergeKubeconfigs(configs: Kubeconfig[]): Kubeconfig {
  const firstByName = <T extends { name: string }>(lists: (T[] | undefined)[]): T[] => {
    const byName = new Map<string, T>();
    for (const entry of lists.flatMap((l) => l ?? []))
      if (!byName.has(entry.name)) byName.set(entry.name, entry);
    return [...byName.values()];
  };
  return {
    clusters: firstByName(configs.map((c) => c.clusters)),
    users: firstByName(configs.map((c) => c.users)),
    contexts: firstByName(configs.map((c) => c.contexts)),
    "current-context": configs
      .map((c) => c["current-context"])
      .find((c) => typeof c === "string" && c !== ""),
  };
}

function str(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

/**
 * The API server and credentials of `context` (default: current-context). `readFile` reads files
 * a kubeconfig names by path, relative to `baseDir`. Throws with a message naming what is missing.
 */
export function resolveKubeAccess(
  config: Kubeconfig,
  context: string | undefined,
  baseDir: string,
  readFile: (path: string) => string,
): KubeAccess {
  const contextName = context ?? str(config["current-context"]);
  if (!contextName) {
    throw new Error("the kubeconfig has no current-context and no context was given (kubernetes:context)");
  }
  const ctx = (config.contexts ?? []).find((c) => c.name === contextName)?.context;
  if (!ctx) {
    const known = (config.contexts ?? []).map((c) => c.name).join(", ") || "none";
    throw new Error(`context ${JSON.stringify(contextName)} is not in the kubeconfig (contexts: ${known})`);
  }
  const cluster = (config.clusters ?? []).find((c) => c.name === ctx.cluster)?.cluster;
  if (!cluster || !str(cluster.server)) {
    throw new Error(
      `context ${JSON.stringify(contextName)} names cluster ${JSON.stringify(ctx.cluster)}, which has no server in the kubeconfig`,
    );
  }
  const user = (config.users ?? []).find((u) => u.name === ctx.user)?.user ?? {};
  const abs = (p: string) => (p.startsWith("/") ? p : `${baseDir}/${p}`);
  const pem = (data: unknown, file: unknown): string | undefined => {
    if (str(data)) return Buffer.from(data as string, "base64").toString("utf8");
    if (str(file)) return readFile(abs(file as string));
    return undefined;
  };
  if (user["auth-provider"] !== undefined) {
    throw new Error(
      `user ${JSON.stringify(ctx.user)} authenticates with an auth-provider, which the admission check does not support; use an exec credential plugin or a token`,
    );
  }
  const exec = user.exec as ExecConfig | undefined;
  return {
    server: (cluster.server as string).replace(/\/+$/, ""),
    context: contextName,
    ca: pem(cluster["certificate-authority-data"], cluster["certificate-authority"]),
    cert: pem(user["client-certificate-data"], user["client-certificate"]),
    key: pem(user["client-key-data"], user["client-key"]),
    token: str(user.token),
    tokenFile: str(user.tokenFile) ? abs(user.tokenFile as string) : undefined,
    exec:
      exec && str(exec.command)
        ? { ...exec, command: exec.command.startsWith("./") ? abs(exec.command) : exec.command }
        : undefined,
    insecureSkipTlsVerify: cluster["insecure-skip-tls-verify"] === true,
    tlsServerName: str(cluster["tls-server-name"]),
  };
}
