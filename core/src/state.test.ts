import { describe, expect, it } from 'vitest';
import { channelState, latency, worstState } from './state.ts';

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
