import { ResolvedWebSocket } from "../core/backend";
import { planMonitor, WsMonitorArgs } from "./args";
import { readBundle } from "./bundle";

/** An exposure's `monitor` arg: a WsMonitor against the exposure's own URL. */
export interface ExposureMonitorArgs extends Omit<
  WsMonitorArgs,
  "url" | "namespace" | "heartbeatSeconds" | "expectedMinLifetimeSeconds"
> {
  /** Deploy the monitor. Plain value: it decides whether the resources exist. */
  enabled: boolean;
  /** Namespace of the monitor. Default the backend's namespace. */
  namespace?: string;
}

/**
 * The WsMonitor args for an exposure (heartbeat and promised lifetime from the exposure's own
 * websocket settings), validated now so a bad monitor arg registers nothing; undefined when off.
 */
export function monitorArgsFor(
  owner: string,
  monitor: ExposureMonitorArgs | undefined,
  url: string,
  namespace: string,
  websocket: ResolvedWebSocket,
): WsMonitorArgs | undefined {
  if (!monitor?.enabled) return undefined;
  const { enabled: _enabled, ...rest } = monitor;
  const args: WsMonitorArgs = {
    ...rest,
    url,
    namespace: monitor.namespace ?? namespace,
    heartbeatSeconds: websocket.heartbeatSeconds,
    expectedMinLifetimeSeconds: websocket.minLifetimeSeconds,
  };
  const prefixed = `${owner} monitor`;
  planMonitor(prefixed, args);
  readBundle(prefixed, args.bundlePath);
  return args;
}
