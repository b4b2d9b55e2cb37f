import type { Micros } from './model.ts';

/** Channel state, as ooi-status names it (DESIGN.md "Channel state"). */
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

/** Latency in MUSTANG's names (DESIGN.md "Latency"), in seconds. */
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
