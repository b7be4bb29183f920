/**
 * What one drop event costs a reconnecting client. The iOS app (AppRestaurant) retries after
 * 2, 4, 8, 16, 32, then 60 s (capped), at most 10 attempts: about 6 minutes in all.
 */

export interface BackoffProfile {
  /** First delay, seconds. */
  initialSeconds: number;
  /** Delays double up to this cap, seconds. */
  maxSeconds: number;
  /** Attempts before the client gives up. */
  maxAttempts: number;
}

export const IOS_CLIENT_BACKOFF: BackoffProfile = { initialSeconds: 2, maxSeconds: 60, maxAttempts: 10 };

/** The delay before each attempt: [2, 4, 8, 16, 32, 60, 60, 60, 60, 60] for the iOS profile. */
export function backoffDelays(profile: BackoffProfile): number[] {
  return Array.from({ length: profile.maxAttempts }, (_, i) =>
    Math.min(profile.initialSeconds * 2 ** i, profile.maxSeconds),
  );
}

/** When each attempt happens, seconds after the drop: [2, 6, 14, 30, 62, 122, ...]. */
export function attemptTimes(profile: BackoffProfile): number[] {
  let t = 0;
  return backoffDelays(profile).map((d) => (t += d));
}

/** A way the path drops connections, and how long the endpoint stays unreachable after it. */
export interface Outage {
  /** The drop event, e.g. "cloudflared pod restart". */
  event: string;
  /** Seconds during which a new connection cannot succeed (0: another replica answers at once). */
  outageSeconds: number;
  /** Where the figure comes from. */
  basis: string;
}

export interface DropEventCost extends Outage {
  /** Seconds from the drop to the first attempt that can succeed; null when every attempt fails. */
  reconnectAfterSeconds: number | null;
  /** Which attempt succeeds (1-based); null when none does. */
  attempt: number | null;
  /** True when the client's attempts outlast the outage. */
  survives: boolean;
}

export interface ReconnectBudget {
  profile: BackoffProfile;
  /** Seconds from a drop to the last attempt. */
  windowSeconds: number;
  events: DropEventCost[];
}

export function reconnectCost(outage: Outage, profile: BackoffProfile): DropEventCost {
  const times = attemptTimes(profile);
  const index = times.findIndex((t) => t >= outage.outageSeconds);
  return {
    ...outage,
    reconnectAfterSeconds: index < 0 ? null : times[index],
    attempt: index < 0 ? null : index + 1,
    survives: index >= 0,
  };
}

export function reconnectBudget(
  outages: Outage[],
  profile: BackoffProfile = IOS_CLIENT_BACKOFF,
): ReconnectBudget {
  const times = attemptTimes(profile);
  return {
    profile,
    windowSeconds: times.length ? times[times.length - 1] : 0,
    events: outages.map((o) => reconnectCost(o, profile)),
  };
}

/** Seconds a replacement pod needs to become ready (pull cached, start, pass readiness): an estimate. */
export const POD_START_SECONDS = 15;

/**
 * A tier of `replicas` pods restarting one at a time: with two or more, the others keep answering;
 * with one, nothing answers until the old pod has drained (`drainSeconds`) and a new one started.
 */
export function podRestartOutage(event: string, replicas: number, drainSeconds: number): Outage {
  return replicas >= 2
    ? { event, outageSeconds: 0, basis: `${replicas} replicas: another one answers while this one restarts` }
    : {
        event,
        outageSeconds: drainSeconds + POD_START_SECONDS,
        basis: `1 replica: unreachable for its ${drainSeconds} s drain plus ~${POD_START_SECONDS} s to start a new pod`,
      };
}

/**
 * A Knative scale-down removes pods whatever sockets they hold; the pods that stay (at least
 * min-scale) take the reconnects at once. None when min-scale = max-scale (no scale-down).
 */
export function knativeScaleDownOutages(knative: { minScale: number; maxScale: number }): Outage[] {
  if (knative.maxScale <= knative.minScale) return [];
  return [
    {
      event: "Knative scale-down",
      outageSeconds: 0,
      basis: `at least min-scale ${Math.max(knative.minScale, 1)} pod(s) stay and answer at once; the sockets on the removed pods drop`,
    },
  ];
}
