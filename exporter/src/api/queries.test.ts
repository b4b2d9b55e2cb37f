import { describe, expect, it } from 'vitest';
import { parseChannelPatterns } from '@lacuna/core';
import { channelFilter } from '@lacuna/core';
import { completionTextQuery, latencyQuery, latencySummaryQuery, roundHalfUp } from './queries.ts';

const DAY = 86_400e6;

describe('/api/v1 SQL', () => {
  const filter = channelFilter(parseChannelPatterns('XA.AL_HA,YB'));

  it('carries every value as a parameter: patterns, days, times, steps', () => {
    const completion = completionTextQuery(filter, 19_000 * DAY, 19_365 * DAY);
    expect(completion.params).toMatchObject({ ...filter.params, fromDay: '2022-01-08', toDay: '2023-01-08', days: 365, fromDayNumber: 19_000 });
    const latency = latencyQuery(filter, 5, 7, 60e6);
    expect(latency.params).toMatchObject({ ...filter.params, from: 5, to: 7, step: 60e6 });
    for (const { sql, params } of [completion, latency, latencySummaryQuery(filter, 5, 7)]) {
      for (const value of Object.values(params)) if (typeof value === 'string') expect(sql).not.toContain(value);
      expect(sql).not.toMatch(/\b\d{10,}\b/); // no times or days spliced in
      for (const name of Object.keys(params)) expect(sql).toMatch(new RegExp(`\\{${name}:`));
    }
  });
});

describe('roundHalfUp', () => {
  it('rounds as the completion query does: floor(x × 10^d + 0.5) / 10^d', () => {
    expect(roundHalfUp(99.30555555555556, 4)).toBe(99.3056);
    expect(roundHalfUp(0.00005, 4)).toBe(0.0001);
    expect(roundHalfUp(100, 4)).toBe(100);
    expect(roundHalfUp(null, 4)).toBeNull();
  });
});
