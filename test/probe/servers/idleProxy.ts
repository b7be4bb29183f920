import * as net from "node:net";

export interface IdleProxy {
  url: string;
  close(): Promise<void>;
}

/**
 * A TCP proxy on 127.0.0.1 that, like an idle timeout on a load balancer or NAT, closes both
 * sides (FIN, no WebSocket close frame) after `idleMs` without traffic in either direction.
 */
export async function startIdleCuttingProxy(targetPort: number, idleMs: number): Promise<IdleProxy> {
  const open = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(targetPort, "127.0.0.1");
    open.add(client).add(upstream);
    const cut = () => {
      client.destroy();
      upstream.destroy();
    };
    // Node counts reads and writes on the client socket as activity: silence both ways trips it.
    client.setTimeout(idleMs, cut);
    client.pipe(upstream).pipe(client);
    for (const s of [client, upstream]) {
      s.on("error", cut);
      s.on("close", () => {
        open.delete(s);
        cut();
      });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `ws://127.0.0.1:${port}/ws`,
    close: async () => {
      for (const s of open) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
