/**
 * Which kubeconfig the admission check reads, resolved the way the kubernetes provider's default
 * does: explicit kubeconfig (path or contents), else `KUBECONFIG` (a list of files, merged, the
 * first definition of a name winning), else `~/.kube/config`; the given context, else the
 * kubeconfig's current-context. @kubernetes/client-node does the rest (TLS, tokens, exec, auth
 * providers, proxy-url); these pure functions keep kubectl's rules where it reads a file otherwise.
 */

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
 * The kubeconfig as @kubernetes/client-node should read it, with kubectl's meaning kept where the
 * two differ: files a kubeconfig names relative to its own directory (each file of a merge has
 * its own), a plain-HTTP server, kubectl's `tokenFile` (client-node reads `token-file`), an exec command given as a
 * relative path, and the KUBERNETES_EXEC_INFO client-go hands an exec plugin.
 */
export function forClientNode(config: Kubeconfig, baseDir: string): Kubeconfig {
  const abs = (p: unknown) => {
    const file = str(p);
    return file === undefined || file.startsWith("/") ? file : `${baseDir}/${file}`;
  };
  return {
    ...config,
    clusters: config.clusters?.map((c) =>
      c.cluster === undefined ? c : { ...c, cluster: clusterForClientNode(c.cluster, abs) },
    ),
    users: config.users?.map((u) =>
      u.user === undefined ? u : { ...u, user: userForClientNode(u.user, abs) },
    ),
  };
}

function clusterForClientNode(
  cluster: Record<string, unknown>,
  abs: (p: unknown) => string | undefined,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...cluster };
  if (str(cluster["certificate-authority"]))
    out["certificate-authority"] = abs(cluster["certificate-authority"]);
  // kubectl talks to a plain-HTTP server (kubectl proxy) as it is; client-node only when told not
  // to verify TLS, of which plain HTTP has none.
  if (str(cluster.server)?.startsWith("http:")) out["insecure-skip-tls-verify"] = true;
  return out;
}

interface ExecConfig {
  command?: string;
  apiVersion?: string;
  env?: { name: string; value: string }[] | null;
}

function userForClientNode(
  user: Record<string, unknown>,
  abs: (p: unknown) => string | undefined,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...user };
  for (const key of ["client-certificate", "client-key"]) if (str(user[key])) out[key] = abs(user[key]);
  if (str(user.tokenFile) && !str(user.token)) out["token-file"] = abs(user.tokenFile);
  const exec = user.exec as ExecConfig | undefined;
  if (exec && typeof exec === "object") {
    const command = str(exec.command);
    const info = {
      apiVersion: exec.apiVersion ?? "client.authentication.k8s.io/v1",
      kind: "ExecCredential",
      spec: { interactive: false },
    };
    out.exec = {
      ...exec,
      // client-go resolves a command with a path separator against the kubeconfig's directory.
      command: command?.includes("/") ? abs(command) : command,
      env: [...(exec.env ?? []), { name: "KUBERNETES_EXEC_INFO", value: JSON.stringify(info) }],
    };
  }
  return out;
}

/**
 * The name and API server of `context` (default: current-context). Throws with a message naming
 * what is missing.
 */
export function selectContext(
  config: Kubeconfig,
  context: string | undefined,
): { context: string; server: string } {
  const contextName = context ?? str(config["current-context"]);
  if (!contextName) {
    throw new Error("the kubeconfig has no current-context and no context was given (kubernetes:context)");
  }
  const ctx = (config.contexts ?? []).find((c) => c.name === contextName)?.context;
  if (!ctx) {
    const known = (config.contexts ?? []).map((c) => c.name).join(", ") || "none";
    throw new Error(`context ${JSON.stringify(contextName)} is not in the kubeconfig (contexts: ${known})`);
  }
  const server = str((config.clusters ?? []).find((c) => c.name === ctx.cluster)?.cluster?.server);
  if (!server) {
    throw new Error(
      `context ${JSON.stringify(contextName)} names cluster ${JSON.stringify(ctx.cluster)}, which has no server in the kubeconfig`,
    );
  }
  return { context: contextName, server: server.replace(/\/+$/, "") };
}
