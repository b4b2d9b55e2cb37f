import { describe, expect, it } from 'vitest';
import { channelState, DEFAULT_EXPECTED_LATENCY_S, expectedLatencySeconds, latency, notYetArrivedFrom, worstState } from './state.ts';

describe('channel state', () => {
  it('follows total latency against warn and fail intervals', () => {
    expect(channelState(30, 600, 3600)).toBe('OPERATIONAL');
    expect(channelState(600, 600, 3600)).toBe('OPERATIONAL');
    expect(channelState(601, 600, 3600)).toBe('DEGRADED');
    expect(channelState(3601, 600, 3600)).toBe('FAILED');
    expect(channelState(5000, null, 3600)).toBe('FAILED');
    expect(channelState(5000, 600, null)).toBe('DEGRADED');
  });

  it('is NOT_TRACKED without intervals, and FAILED for a tracked channel that never had data', () => {
    expect(channelState(1e9, null, null)).toBe('NOT_TRACKED');
    expect(channelState(null, 600, 3600)).toBe('FAILED');
  });

  it('rolls up to the worst state; untracked channels do not hide a tracked one', () => {
    expect(worstState(['OPERATIONAL', 'DEGRADED', 'NOT_TRACKED'])).toBe('DEGRADED');
    expect(worstState(['NOT_TRACKED', 'FAILED', 'OPERATIONAL'])).toBe('FAILED');
    expect(worstState(['NOT_TRACKED'])).toBe('NOT_TRACKED');
    expect(worstState([])).toBe('NOT_TRACKED');
  });

  it('splits total latency into data and feed latency', () => {
    // newest sample at t=100 s, available at 160 s, measured at 400 s
    expect(latency(100e6, 160e6, 400e6)).toEqual({ data: 60, feed: 240, total: 300 });
  });
});

describe('not yet arrived', () => {
  const now = 1_000_000_000_000;
  it('begins after the newest data, but no earlier than the expected latency before now', () => {
    expect(notYetArrivedFrom(now - 120e6, now, 600)).toBe(now - 120e6); // 2 min behind, latency 10 min: all of it on its way
    expect(notYetArrivedFrom(now - 3600e6, now, 600)).toBe(now - 600e6); // an hour behind: the first 50 min are missing
    expect(notYetArrivedFrom(null, now, 600)).toBe(now - 600e6);
    expect(notYetArrivedFrom(now + 60e6, now, 600)).toBe(now); // data stamped in the future: after now nothing is due
  });
  it('takes warn_s of the epoch in force, else the default', () => {
    const epoch = (start: number, end: number | null, warnS: number | null) => ({ start, end, warnS });
    expect(expectedLatencySeconds([epoch(0, now - 1, 60), epoch(now - 1, null, 600)], now)).toBe(600);
    expect(expectedLatencySeconds([epoch(0, null, null)], now)).toBe(DEFAULT_EXPECTED_LATENCY_S);
    expect(expectedLatencySeconds([], now)).toBe(DEFAULT_EXPECTED_LATENCY_S);
  });
});
