import type { Micros } from './model.ts';

/** Channel state, as ooi-status names it (docs/definitions.md "States"). */
export type ChannelState = 'OPERATIONAL' | 'DEGRADED' | 'FAILED' | 'NOT_TRACKED';

/** Numeric form for metrics: 0 operational, 1 degraded, 2 failed; NOT_TRACKED has none. */
export const STATE_VALUE: Record<Exclude<ChannelState, 'NOT_TRACKED'>, number> = { OPERATIONAL: 0, DEGRADED: 1, FAILED: 2 };

/**
 * From total latency against the channel's warn and fail intervals (seconds); NOT_TRACKED where
 * neither is set. A channel that never had data is FAILED when tracked.
 */
export function channelState(totalLatencyS: number | null, warnS: number | null, failS: number | null): ChannelState {
  if (warnS === null && failS === null) return 'NOT_TRACKED';
  if (totalLatencyS === null) return 'FAILED';
  if (failS !== null && totalLatencyS > failS) return 'FAILED';
  if (warnS !== null && totalLatencyS > warnS) return 'DEGRADED';
  return 'OPERATIONAL';
}

const SEVERITY: Record<ChannelState, number> = { NOT_TRACKED: -1, OPERATIONAL: 0, DEGRADED: 1, FAILED: 2 };

/** A station or network takes the worst state of its channels (NOT_TRACKED only if all are). */
export function worstState(states: Iterable<ChannelState>): ChannelState {
  let worst: ChannelState = 'NOT_TRACKED';
  for (const state of states) if (SEVERITY[state] > SEVERITY[worst]) worst = state;
  return worst;
}

/** Latency in MUSTANG's names (docs/definitions.md "Latency"), in seconds. */
export interface Latency {
  /** Ta − Td */
  data: number;
  /** Tm − Ta */
  feed: number;
  /** Tm − Td */
  total: number;
}

/** Td: newest sample; Ta: when it became available here; Tm: when measured. */
export function latency(newestSample: Micros, availableAt: Micros, measuredAt: Micros): Latency {
  return {
    data: (availableAt - newestSample) / 1e6,
    feed: (measuredAt - availableAt) / 1e6,
    total: (measuredAt - newestSample) / 1e6,
  };
}

/**
 * How long after a sample's time its data may take to arrive when the channel's metadata sets no
 * `warn_s`: 15 minutes covers archives scanned every few minutes and feeds that buffer a record
 * or two, so data on its way is not called missing. It stays well below an hour, the shortest
 * availability window of /metrics, so a dead channel without thresholds still shows 0 % there
 * (and the NoData alert sees it) instead of an hour that is all "not yet arrived".
 */
export const DEFAULT_EXPECTED_LATENCY_S = 900;

/** The epoch in force at `now` (the latest started of those covering it), or null. */
export function epochInForce<E extends { start: Micros; end: Micros | null }>(epochs: readonly E[], now: Micros): E | null {
  let found: E | null = null;
  for (const epoch of epochs) if (epoch.start <= now && (epoch.end === null || epoch.end > now) && (found === null || epoch.start > found.start)) found = epoch;
  return found;
}

/** The expected latency of a channel at `now`: `warn_s` of the epoch in force, else DEFAULT_EXPECTED_LATENCY_S. */
export function expectedLatencySeconds(epochs: readonly { start: Micros; end: Micros | null; warnS: number | null }[], now: Micros): number {
  return epochInForce(epochs, now)?.warnS ?? DEFAULT_EXPECTED_LATENCY_S;
}

/**
 * Where "not yet arrived" time begins: data for time t is due by t + the expected latency, so
 * time after the newest covered time (`newestCovered`: the end + Δ of the newest data; null
 * without any) and within the latency before `now` — and any time after `now` — has not arrived
 * yet without being missing. Expected time from here on is neither present nor missing; before
 * it, uncovered expected time is missing.
 */
export function notYetArrivedFrom(newestCovered: Micros | null, now: Micros, latencyS: number): Micros {
  const due = now - Math.round(latencyS * 1e6);
  return newestCovered === null ? due : Math.max(due, Math.min(newestCovered, now));
}
