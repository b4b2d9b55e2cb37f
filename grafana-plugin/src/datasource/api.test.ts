import { describe, expect, it } from 'vitest';
import { readChannelNames, readCompletion, readGaps, readLatency, readStations, readStats, readTimeline } from './api';

describe('API readers', () => {
  it('read timeline rows with µs and ISO times alike, keeping microseconds exactly', () => {
    const timeline = readTimeline({
      from: '2024-03-01T00:00:00Z',
      to: 1_709_337_600_000_000,
      rows: [
        {
          channel: 'IU.ANMO.00.BHZ',
          percent: 99.5,
          gaps: 1,
          maxGapSeconds: 30.5,
          spans: [
            { start: '2024-03-01T12:00:00.000001Z', end: '2024-03-02T00:00:00Z', state: 'present' },
            { start: 1_709_251_200_000_000, end: 1_709_294_400_000_001, state: 'mixed', percent: 42.5 },
          ],
        },
      ],
    });
    expect(timeline.fromUs).toBe(1_709_251_200_000_000);
    expect(timeline.toUs).toBe(1_709_337_600_000_000);
    const [row] = timeline.rows;
    expect(row).toMatchObject({ channel: 'IU.ANMO.00.BHZ', percent: 99.5, gaps: 1, longestGapSeconds: 30.5 });
    // Sorted by start; the ISO fraction's last microsecond survives.
    expect(row.spans.map((s) => [s.startUs, s.state, s.percent])).toEqual([
      [1_709_251_200_000_000, 'mixed', 42.5],
      [1_709_294_400_000_001, 'present', null],
    ]);
  });

  it('skip spans that are empty or have unreadable times instead of failing', () => {
    const timeline = readTimeline({ rows: [{ channel: 'X.Y..Z', spans: [{ start: 'soon', end: 5, state: 'present' }, { start: 5, end: 5, state: 'missing' }] }] });
    expect(timeline.rows[0].spans).toEqual([]);
    expect(timeline.rows[0].percent).toBeNull();
  });

  it('give empty results for empty, null or malformed answers', () => {
    for (const json of [null, undefined, {}, [], 'error', { rows: 'none' }]) {
      expect(readTimeline(json).rows).toEqual([]);
      expect(readCompletion(json, 'day').rows).toEqual([]);
      expect(readGaps(json)).toEqual([]);
      expect(readStats(json)).toEqual([]);
      expect(readLatency(json)).toEqual([]);
      expect(readStations(json)).toEqual([]);
      expect(readChannelNames(json)).toEqual([]);
    }
  });

  it('read completion rows aligned with the bucket list, null where nothing was expected', () => {
    const completion = readCompletion({ bucket: 'hour', buckets: [0, 3_600_000_000], rows: [{ channel: 'GE.APE..HHZ', percent: [null, 50], completeness: [null], notYetArrivedFrom: 3_700_000_000, overlapBuckets: [1, 7] }] }, 'day');
    expect(completion).toEqual({
      bucket: 'hour',
      bucketStartsUs: [0, 3_600_000_000],
      // An overlap index outside the buckets is dropped.
      rows: [{ channel: 'GE.APE..HHZ', percent: [null, 50], completeness: [null, null], notYetArrivedFromUs: 3_700_000_000, overlapBuckets: [1] }],
    });
  });

  it('read gaps with their length, missing samples and rate', () => {
    const gaps = readGaps({ apiVersion: 1, gaps: [{ channel: 'IU.ANMO..LHZ', start: 10, end: 20_000_010, gapSeconds: 20, missingSamples: 19, sampleRate: 1, quality: 'D' }] });
    expect(gaps).toEqual([{ channel: 'IU.ANMO..LHZ', startUs: 10, endUs: 20_000_010, seconds: 20, missingSamples: 19, sampleRate: 1 }]);
  });

  it('read stats with the latency now, in seconds, and the newest sample', () => {
    const [row] = readStats({
      rows: [{ channel: 'IU.ANMO..LHZ', percent: 99, gaps: 2, maxGapSeconds: 30, overlaps: 1, lastSample: 1_000_000, latency: { data: 1.5, feed: 0.5, total: 2 }, state: 'OPERATIONAL' }],
    });
    expect(row).toEqual({
      channel: 'IU.ANMO..LHZ',
      percent: 99,
      gaps: 2,
      longestGapSeconds: 30,
      overlaps: 1,
      lastSampleUs: 1_000_000,
      totalLatencySeconds: 2,
      dataLatencySeconds: 1.5,
      feedLatencySeconds: 0.5,
      state: 'OPERATIONAL',
    });
    expect(readStats({ rows: [{ channel: 'A.B..C', latency: null, state: 'NOT_TRACKED' }] })[0].totalLatencySeconds).toBeNull();
  });

  it('read latency series as parallel arrays of times and seconds', () => {
    expect(readLatency({ step: 60_000_000, series: [{ channel: 'IU.ANMO..LHZ', t: [0, 60_000_000], max: [3, null], mean: [1], arrivals: [2, 0] }] })).toEqual([
      { channel: 'IU.ANMO..LHZ', timesUs: [0, 60_000_000], max: [3, null], mean: [1, null] },
    ]);
  });

  it('read stations with their coordinates, state and availability', () => {
    expect(readStations({ stations: [{ network: 'IU', station: 'ANMO', latitude: 34.9, longitude: -106.5, state: 'DEGRADED', percent: 97, channels: 3 }] })).toEqual([
      { network: 'IU', station: 'ANMO', latitude: 34.9, longitude: -106.5, state: 'DEGRADED', percent: 97, channels: 3 },
    ]);
  });

  it('read channel names at the requested level', () => {
    expect(readChannelNames({ apiVersion: 1, level: 'station', values: ['IU.ANMO', 'II.PFO', 7, ''] })).toEqual(['IU.ANMO', 'II.PFO']);
  });
});
