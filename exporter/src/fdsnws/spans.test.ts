import { describe, expect, it } from 'vitest';
import type { StoredSegment } from '@lacuna/core';
import { buildExtents, buildSpans, distinctSpans, orderExtents, orderSpans, type AvailabilitySpan, type SpanOptions } from './spans.ts';

const SECOND = 1_000_000;
const DAY = 86_400 * SECOND;
/** 2024-03-01T00:00:00Z */
const T0 = Date.UTC(2024, 2, 1) * 1000;
const t = (seconds: number): number => T0 + Math.round(seconds * SECOND);

/** A stored piece of XX.ABC..HHZ at 1 Hz, quality D, unless told otherwise; times in seconds after T0. */
function piece(from: number, to: number, fields: Partial<StoredSegment> = {}): StoredSegment {
  const sampleRate = fields.sampleRate ?? 1;
  return {
    network: 'XX',
    station: 'ABC',
    location: '',
    channel: 'HHZ',
    quality: 'D',
    sampleRate,
    start: t(from),
    end: t(to),
    samples: Math.round((to - from) * sampleRate) + 1,
    toleranceUs: SECOND / sampleRate / 2,
    source: 'file',
    firstSeen: T0,
    ...fields,
  };
}

const DEFAULTS: SpanOptions = {
  qualities: null,
  mergeQuality: false,
  mergeSampleRate: false,
  mergeOverlap: false,
  mergeGaps: null,
  window: { start: null, end: null },
};

/** [start, end] of each span, in seconds after T0, in time order. */
function bounds(spans: AvailabilitySpan[]): [number, number][] {
  return spans.map((span): [number, number] => [(span.start - T0) / SECOND, (span.end - T0) / SECOND]).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
}

describe('spans from stored segments', () => {
  it('joins the pieces of consecutive day files into one span, updated when its newest piece arrived', () => {
    const spans = buildSpans(
      [piece(0, 86_399, { source: 'day1', firstSeen: t(86_400) }), piece(86_400, 172_799, { source: 'day2', firstSeen: t(172_800) })],
      DEFAULTS,
    );
    expect(spans).toEqual([
      { network: 'XX', station: 'ABC', location: '', channel: 'HHZ', quality: 'D', sampleRate: 1, start: t(0), end: t(172_799), updated: t(172_800) },
    ]);
  });

  it('joins within half a sample interval and splits beyond it', () => {
    // Δ = 1 s: the next sample is due at 101 s.
    expect(bounds(buildSpans([piece(0, 100), piece(101.5, 200)], DEFAULTS))).toEqual([[0, 200]]);
    expect(bounds(buildSpans([piece(0, 100), piece(101.6, 200)], DEFAULTS))).toEqual([
      [0, 100],
      [101.6, 200],
    ]);
  });

  it('bridges a gap of missing time up to mergegaps seconds', () => {
    // Last sample at 100 s, next at 104 s: samples at 101, 102, 103 are missing, 3 s of data.
    const pieces = [piece(0, 100), piece(104, 200)];
    expect(bounds(buildSpans(pieces, DEFAULTS))).toHaveLength(2);
    expect(bounds(buildSpans(pieces, { ...DEFAULTS, mergeGaps: 3 }))).toEqual([[0, 200]]);
    expect(bounds(buildSpans(pieces, { ...DEFAULTS, mergeGaps: 2.9 }))).toHaveLength(2);
    expect(bounds(buildSpans([piece(0, 100), piece(101, 200)], { ...DEFAULTS, mergeGaps: 0 }))).toEqual([[0, 200]]);
  });

  it('keeps qualities apart unless merged, and filters them', () => {
    const pieces = [piece(0, 99, { quality: 'D' }), piece(100, 199, { quality: 'M' })];
    const apart = buildSpans(pieces, DEFAULTS);
    expect(apart.map((span) => [span.quality, (span.start - T0) / SECOND])).toEqual([
      ['D', 0],
      ['M', 100],
    ]);
    const merged = buildSpans(pieces, { ...DEFAULTS, mergeQuality: true });
    expect(merged.map((span) => [span.quality, bounds([span])[0]])).toEqual([[null, [0, 199]]]);
    expect(bounds(buildSpans(pieces, { ...DEFAULTS, qualities: ['M'] }))).toEqual([[100, 199]]);
  });

  it('keeps sample rates apart unless merged; merged, a rate change on time continues the span', () => {
    // 1 Hz until 99 s (next sample due at 100 s), then 20 Hz from 100 s to 199.95 s.
    const pieces = [piece(0, 99), piece(100, 199.95, { sampleRate: 20 })];
    expect(buildSpans(pieces, DEFAULTS).map((span) => span.sampleRate)).toEqual([1, 20]);
    const merged = buildSpans(pieces, { ...DEFAULTS, mergeSampleRate: true });
    expect(merged.map((span) => span.sampleRate)).toEqual([null]);
    expect(bounds(merged)).toEqual([[0, 199.95]]);
  });

  it('keeps overlapping spans apart unless merge=overlap, which gives their union split only at gaps', () => {
    const pieces = [piece(0, 100), piece(50, 200), piece(120, 130), piece(300, 400)];
    expect(bounds(buildSpans(pieces, DEFAULTS))).toEqual([
      [0, 100],
      [50, 200],
      [120, 130],
      [300, 400],
    ]);
    expect(bounds(buildSpans(pieces, { ...DEFAULTS, mergeOverlap: true }))).toEqual([
      [0, 200],
      [300, 400],
    ]);
  });

  it('lists the same data stored twice once, updated when either copy arrived last', () => {
    const spans = buildSpans([piece(0, 100, { source: 'a', firstSeen: t(500) }), piece(0, 100, { source: 'b', firstSeen: t(900) })], DEFAULTS);
    expect(spans.map((span) => [bounds([span])[0], span.updated])).toEqual([[[0, 100], t(900)]]);
  });

  it('selects spans whose data reaches the window and clips them to it', () => {
    const pieces = [piece(0, 100), piece(200, 300), piece(400, 500)];
    const window = { start: t(250), end: t(450) };
    expect(bounds(buildSpans(pieces, { ...DEFAULTS, window }))).toEqual([
      [250, 300],
      [400, 450],
    ]);
    // A last sample exactly at starttime is in the window; a first sample exactly at endtime is not.
    expect(bounds(buildSpans(pieces, { ...DEFAULTS, window: { start: t(300), end: t(400) } }))).toEqual([[300, 300]]);
    expect(bounds(buildSpans(pieces, { ...DEFAULTS, window: { start: t(100.5), end: null } }))).toEqual([
      [200, 300],
      [400, 500],
    ]);
  });

  it('dates a clipped span by the data in the window: a backfilled day shows when the backfill arrived', () => {
    const pieces = [
      piece(0, 86_399, { source: 'day1', firstSeen: t(1 * DAY / SECOND) }),
      piece(86_400, 172_799, { source: 'day2', firstSeen: t(5 * DAY / SECOND) }),
      piece(172_800, 259_199, { source: 'day3', firstSeen: t(3 * DAY / SECOND) }),
    ];
    const updated = (start: number, end: number): number[] =>
      buildSpans(pieces, { ...DEFAULTS, window: { start: t(start), end: t(end) } }).map((span) => span.updated);
    expect(updated(0, 86_400)).toEqual([t(1 * DAY / SECOND)]);
    expect(updated(86_400, 172_800)).toEqual([t(5 * DAY / SECOND)]);
    expect(updated(172_800, 259_200)).toEqual([t(3 * DAY / SECOND)]);
    expect(buildSpans(pieces, DEFAULTS).map((span) => span.updated)).toEqual([t(5 * DAY / SECOND)]);
    // A window inside a gap that mergegaps bridges still dates the span.
    const bridged = [piece(0, 100, { firstSeen: t(1000) }), piece(200, 300, { firstSeen: t(2000) })];
    expect(buildSpans(bridged, { ...DEFAULTS, mergeGaps: 120, window: { start: t(150), end: t(160) } }).map((span) => span.updated)).toEqual([t(2000)]);
  });

  it('never joins different channels', () => {
    const spans = buildSpans([piece(0, 99), piece(100, 199, { channel: 'HHN' })], { ...DEFAULTS, mergeQuality: true, mergeSampleRate: true, mergeOverlap: true });
    expect(spans.map((span) => span.channel).sort()).toEqual(['HHN', 'HHZ']);
  });
});

describe('extents and ordering', () => {
  const span = (channel: string, quality: string, from: number, to: number, updated: number): AvailabilitySpan => ({
    network: 'XX',
    station: 'ABC',
    location: '',
    channel,
    quality,
    sampleRate: 1,
    start: t(from),
    end: t(to),
    updated: t(updated),
  });

  it('gives one extent per channel and quality: earliest, latest, span count, newest update', () => {
    const extents = buildExtents([span('HHZ', 'D', 100, 200, 5), span('HHZ', 'D', 0, 50, 9), span('HHZ', 'M', 300, 400, 1), span('HHN', 'D', 0, 10, 2)]);
    expect(orderExtents(extents, 'nslc_time_quality_samplerate')).toEqual([
      { network: 'XX', station: 'ABC', location: '', channel: 'HHN', quality: 'D', sampleRate: 1, earliest: t(0), latest: t(10), timespans: 1, updated: t(2), restriction: 'OPEN' },
      { network: 'XX', station: 'ABC', location: '', channel: 'HHZ', quality: 'D', sampleRate: 1, earliest: t(0), latest: t(200), timespans: 2, updated: t(9), restriction: 'OPEN' },
      { network: 'XX', station: 'ABC', location: '', channel: 'HHZ', quality: 'M', sampleRate: 1, earliest: t(300), latest: t(400), timespans: 1, updated: t(1), restriction: 'OPEN' },
    ]);
    const byCount = orderExtents(extents, 'timespancount_desc').map((extent) => [extent.channel, extent.quality]);
    expect(byCount).toEqual([
      ['HHZ', 'D'],
      ['HHN', 'D'],
      ['HHZ', 'M'],
    ]);
    expect(orderExtents(extents, 'latestupdate').map((extent) => extent.updated)).toEqual([t(1), t(2), t(9)]);
  });

  it('orders spans by channel and time by default, by update when asked', () => {
    const spans = [span('HHZ', 'D', 100, 200, 5), span('HHN', 'D', 50, 60, 7), span('HHZ', 'D', 0, 50, 9)];
    expect(orderSpans(spans, 'nslc_time_quality_samplerate').map((s) => [s.channel, (s.start - T0) / SECOND])).toEqual([
      ['HHN', 50],
      ['HHZ', 0],
      ['HHZ', 100],
    ]);
    expect(orderSpans(spans, 'latestupdate_desc').map((s) => (s.updated - T0) / SECOND)).toEqual([9, 7, 5]);
  });

  it('lists a span found by two selections once', () => {
    const spans = distinctSpans([span('HHZ', 'D', 0, 50, 3), span('HHZ', 'D', 0, 50, 4), span('HHZ', 'M', 0, 50, 4)]);
    expect(spans.map((s) => [s.quality, (s.updated - T0) / SECOND])).toEqual([
      ['D', 4],
      ['M', 4],
    ]);
  });
});
