import { describe, expect, it } from 'vitest';
import type { ChannelEpoch, Segment } from '@lacuna/core';
import { DEFAULT_EXPECTED_LATENCY_S, parseTime } from '@lacuna/core';
import { channelTimeline } from './timeline.ts';

const t = (text: string) => parseTime(text);
const HOUR = 3600e6;
const W = { start: t('2024-05-01'), end: t('2024-05-02') };
const DEFAULT = { fraction: 0.5 };

/** A run of `samples` at `rate` Hz starting at `start`. */
function run(start: number, samples: number, rate = 1): Segment {
  return { start, end: start + Math.round(((samples - 1) * 1e6) / rate), samples, sampleRate: rate, quality: 'D' };
}

function epoch(start: string, end: string | null, sampleRate: number | null): ChannelEpoch {
  return { network: 'XX', station: 'S', location: '', channel: 'LHZ', start: t(start), end: end === null ? null : t(end), sampleRate, latitude: null, longitude: null, elevation: null, warnS: null, failS: null };
}

describe('channelTimeline', () => {
  it('draws a gap as a missing span from the last sample + Δ to the first sample after, and counts it', () => {
    // 1 Hz from midnight: last sample before the gap at 09:59:59, first after at 10:30:00.
    const before = run(W.start, 10 * 3600);
    const after = run(t('2024-05-01T10:30:00Z'), 13.5 * 3600);
    const row = channelTimeline([after, before], [], { window: W, bucket: HOUR, tolerance: DEFAULT });
    expect(row.spans).toEqual([
      { start: W.start, end: t('2024-05-01T10:00:00Z'), state: 'present' },
      { start: t('2024-05-01T10:00:00Z'), end: t('2024-05-01T10:30:00Z'), state: 'missing', missingSamples: 1800 },
      { start: t('2024-05-01T10:30:00Z'), end: W.end, state: 'present' },
    ]);
    expect(row.gaps).toBe(1);
    expect(row.maxGapSeconds).toBe(30 * 60 + 1); // gap_s = first after − last before
    expect(row.percent).toBeCloseTo((100 * 23.5) / 24, 10);
  });

  it('marks time outside the metadata epochs not_expected, never missing, and leaves it out of percent', () => {
    const data = run(W.start, 6 * 3600);
    const row = channelTimeline([data], [epoch('2024-04-01', '2024-05-01T12:00:00Z', 1)], { window: W, bucket: HOUR, tolerance: DEFAULT });
    expect(row.spans).toEqual([
      { start: W.start, end: t('2024-05-01T06:00:00Z'), state: 'present' },
      { start: t('2024-05-01T06:00:00Z'), end: t('2024-05-01T12:00:00Z'), state: 'missing', missingSamples: 6 * 3600 },
      { start: t('2024-05-01T12:00:00Z'), end: W.end, state: 'not_expected' },
    ]);
    expect(row.percent).toBe(50);
    expect(row.expectedSeconds).toBe(12 * 3600);
  });

  it('calls data sparser than the metadata rate sparse1..3 by mean spacing / Δ', () => {
    const epochs = [epoch('2024-01-01', null, 1)];
    // 06:00-12:00 at 0.8 Hz (spacing 1.25Δ: sparse1), 12:00-18:00 at 0.6 Hz (1.67Δ: sparse2), 18:00-24:00 at 0.5 Hz (2Δ: sparse3).
    const segments = [run(W.start, 6 * 3600), run(t('2024-05-01T06:00:00Z'), 6 * 3600 * 0.8, 0.8), run(t('2024-05-01T12:00:00Z'), 6 * 3600 * 0.6, 0.6), run(t('2024-05-01T18:00:00Z'), 6 * 3600 * 0.5, 0.5)];
    const row = channelTimeline(segments, epochs, { window: W, bucket: HOUR, tolerance: DEFAULT });
    expect(row.spans.map((s) => [s.start, s.end, s.state])).toEqual([
      [W.start, t('2024-05-01T06:00:00Z'), 'present'],
      [t('2024-05-01T06:00:00Z'), t('2024-05-01T12:00:00Z'), 'sparse1'],
      [t('2024-05-01T12:00:00Z'), t('2024-05-01T18:00:00Z'), 'sparse2'],
      [t('2024-05-01T18:00:00Z'), W.end, 'sparse3'],
    ]);
    expect(row.percent).toBe(100);
  });

  it('finds sparse data joined over small gaps by a large tolerance', () => {
    // Records of 10 samples every 12 s at 1 Hz, joined with a 5 s tolerance: 10 of 12 expected samples.
    const records = Array.from({ length: 300 }, (_, i) => run(W.start + i * 12e6, 10));
    const row = channelTimeline(records, [epoch('2024-01-01', null, 1)], { window: { start: W.start, end: W.start + HOUR }, bucket: 600e6, tolerance: { seconds: 5 } });
    expect(row.spans).toEqual([{ start: W.start, end: W.start + HOUR - 2e6, state: 'sparse1' }, { start: W.start + HOUR - 2e6, end: W.start + HOUR, state: 'missing', missingSamples: 2 }]);
  });

  it('gives a channel with no data one missing span, one gap over the whole window', () => {
    const row = channelTimeline([], [], { window: W, bucket: HOUR, tolerance: DEFAULT });
    expect(row.spans).toEqual([{ start: W.start, end: W.end, state: 'missing' }]);
    expect(row).toMatchObject({ percent: 0, gaps: 1, maxGapSeconds: 86400, lastSample: null });
  });

  it('counts a dead channel\'s outage to the end of the window as a gap, from its last sample (the dead station sorted as healthy)', () => {
    const data = run(W.start - 3 * 86_400e6, 86_400); // stopped two days before the window
    const row = channelTimeline([data], [epoch('2024-01-01', null, 1)], { window: W, bucket: HOUR, tolerance: DEFAULT, now: W.end });
    expect(row).toMatchObject({ percent: 0, gaps: 1, maxGapSeconds: 86400, lastSample: data.end });
    // Its last 15 minutes are within the default expected latency (no warn_s): not yet arrived, not missing.
    const latency = DEFAULT_EXPECTED_LATENCY_S * 1e6;
    expect(row.spans).toEqual([
      { start: W.start, end: W.end - latency, state: 'missing', missingSamples: 86_400 - DEFAULT_EXPECTED_LATENCY_S },
      { start: W.end - latency, end: W.end, state: 'pending' },
    ]);
  });

  it('calls time after the newest sample not yet arrived within warn_s, and missing past it', () => {
    const epochs = [{ ...epoch('2024-01-01', null, 1), warnS: 600 }];
    const now = W.end;
    // 5 minutes behind: on its way. Row: present, then pending; 100 %, no gap.
    const fresh = channelTimeline([run(W.start, 86_400 - 300)], epochs, { window: W, bucket: HOUR, tolerance: DEFAULT, now });
    expect(fresh.spans).toEqual([
      { start: W.start, end: W.end - 300e6, state: 'present' },
      { start: W.end - 300e6, end: W.end, state: 'pending' },
    ]);
    expect(fresh).toMatchObject({ percent: 100, gaps: 0, maxGapSeconds: 0, notYetArrivedFrom: W.end - 300e6 });
    // 30 minutes behind: the 20 minutes older than warn_s are missing, an open gap "since" the last sample.
    const late = channelTimeline([run(W.start, 86_400 - 1800)], epochs, { window: W, bucket: HOUR, tolerance: DEFAULT, now });
    expect(late.spans).toEqual([
      { start: W.start, end: W.end - 1800e6, state: 'present' },
      { start: W.end - 1800e6, end: W.end - 600e6, state: 'missing', missingSamples: 1200 },
      { start: W.end - 600e6, end: W.end, state: 'pending' },
    ]);
    expect(late.gaps).toBe(1);
    expect(late.maxGapSeconds).toBe(1801); // from the last sample to the window end
    expect(late.percent).toBeCloseTo((100 * (86_400 - 1800)) / (86_400 - 600), 10);
    // A window in the past has nothing pending.
    expect(channelTimeline([run(W.start, 86_400 - 1800)], epochs, { window: W, bucket: HOUR, tolerance: DEFAULT, now: W.end + 86_400e6 }).notYetArrivedFrom).toBeNull();
  });

  it('shows time covered twice as overlap, counted once in percent', () => {
    // 1 Hz all day, and a duplicate of 10:00:00–10:00:59.
    const row = channelTimeline([run(W.start, 86_400), run(t('2024-05-01T10:00:00Z'), 60)], [], { window: W, bucket: HOUR, tolerance: DEFAULT });
    expect(row.spans).toEqual([
      { start: W.start, end: t('2024-05-01T10:00:00Z'), state: 'present' },
      { start: t('2024-05-01T10:00:00Z'), end: t('2024-05-01T10:01:00Z'), state: 'overlap' },
      { start: t('2024-05-01T10:01:00Z'), end: W.end, state: 'present' },
    ]);
    expect(row).toMatchObject({ percent: 100, overlaps: 1, gaps: 0 });
  });
});
