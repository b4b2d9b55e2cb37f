/**
 * The completion matrix: channels × UTC day or hour buckets, percent available and sample
 * completeness, as per-channel arrays aligned with one bucket list. Pure.
 */
import { availabilityByBucket, expectedIntervals } from '@lacuna/core';
import { MICROS_PER_DAY, MICROS_PER_HOUR, type ChannelEpoch, type Micros, type Segment } from '@lacuna/core';
import { totalLength, type Interval, type Tolerance } from '@lacuna/core';
import { completenessRate, type DailyRollup } from '@lacuna/core';
import { floorToDay, floorToHour } from '@lacuna/core';

export type Bucket = 'day' | 'hour';

export interface CompletionRow {
  channel: string;
  /** Per bucket: 100 × covered / expected; null when nothing is expected in it. */
  percent: (number | null)[];
  /** Per bucket: samples / round(expected × rate); null when no rate is known or nothing is expected. */
  completeness: (number | null)[];
  /** Indexes of the buckets in which data overlaps (an overlap starts there). */
  overlapBuckets: number[];
}

/**
 * The window with its start moved back to the start of its bucket (its end stays: a last bucket
 * cut by it counts only the time before it, as in core availabilityByBucket), and the bucket starts.
 */
export function alignedBuckets(window: Interval, bucket: Bucket): { window: Interval; starts: Micros[] } {
  const size = bucket === 'day' ? MICROS_PER_DAY : MICROS_PER_HOUR;
  const start = (bucket === 'day' ? floorToDay : floorToHour)(window.start);
  const starts: Micros[] = [];
  for (let t = start; t < window.end; t += size) starts.push(t);
  return { window: { start, end: window.end }, starts };
}

/** One daily rollup row set of a channel, as completionQuery returns it. */
export interface RollupSeries {
  /** Day numbers (days since 1970-01-01). */
  days: number[];
  percent: (number | null)[];
  completeness: (number | null)[];
}

/** A day's figures as the rollups give them: percent and sample completeness. */
export function dayFigures(day: DailyRollup): { percent: number | null; completeness: number | null } {
  const expectedSamples = Math.round((day.expectedUs * day.sampleRate) / 1e6);
  return {
    percent: day.expectedUs > 0 ? (100 * day.coveredUs) / day.expectedUs : null,
    completeness: day.sampleRate > 0 && expectedSamples > 0 ? day.samples / expectedSamples : null,
  };
}

/**
 * A channel's row from its daily rollups. Days without a rollup row have no data or overlaps
 * (rollups.ts): percent 0 where expected, completeness 0 where a rate is known.
 */
export function dailyRow(channel: string, starts: readonly Micros[], series: RollupSeries | undefined, epochs: readonly ChannelEpoch[]): Omit<CompletionRow, 'overlapBuckets'> {
  const n = starts.length;
  const percent: (number | null)[] = new Array(n);
  const completeness: (number | null)[] = new Array(n);
  const filled = new Uint8Array(n);
  const firstDay = n > 0 ? starts[0] / MICROS_PER_DAY : 0;
  if (series) {
    for (let k = 0; k < series.days.length; k++) {
      const i = series.days[k] - firstDay;
      if (i < 0 || i >= n) continue;
      percent[i] = series.percent[k];
      completeness[i] = series.completeness[k];
      filled[i] = 1;
    }
  }
  for (let i = 0; i < n; i++) {
    if (filled[i]) continue;
    if (epochs.length === 0) {
      percent[i] = 0;
      completeness[i] = null;
      continue;
    }
    const day = { start: starts[i], end: starts[i] + MICROS_PER_DAY };
    const expected = totalLength(expectedIntervals(epochs, day));
    const rate = completenessRate(epochs, [], day);
    const expectedSamples = Math.round((expected * rate) / 1e6);
    percent[i] = expected > 0 ? 0 : null;
    completeness[i] = expectedSamples > 0 ? 0 : null;
  }
  return { channel, percent, completeness };
}

/**
 * A channel's row per hour, from its segments (with neighbours): core availabilityByBucket, as
 * `lacuna availability --by hour`, over the expected time due before `due` (later time has not
 * arrived yet: an hour wholly after it expects nothing and is null); the completeness rate is
 * the metadata's (first epoch with one in the window), else the one the data shares.
 */
export function hourlyRow(channel: string, window: Interval, due: Micros, segments: readonly Segment[], epochs: readonly ChannelEpoch[], tolerance: Tolerance): CompletionRow {
  const rated = [...epochs].sort((a, b) => a.start - b.start).find((e) => e.sampleRate !== null && e.sampleRate > 0 && e.start < window.end && (e.end === null || e.end > window.start));
  const buckets = availabilityByBucket(segments, {
    window,
    bucket: 'hour',
    expected: expectedIntervals(epochs, { start: window.start, end: due }),
    tolerance,
    sampleRate: rated?.sampleRate ?? undefined,
  });
  return {
    channel,
    percent: buckets.map((b) => b.percent),
    completeness: buckets.map((b) => b.sampleCompleteness),
    overlapBuckets: buckets.flatMap((b, i) => (b.overlaps > 0 ? [i] : [])),
  };
}

/** One channel's line of completionTextQuery. */
export interface RollupText {
  /** Day offsets from the first day when some day has no rollup row; null when every day has one. */
  offsets: number[] | null;
  /** JSON arrays, in day order. */
  percent: string;
  completeness: string;
  /** JSON array of the day offsets with overlaps. */
  overlapDays: string;
}

function unescapeTsv(text: string): string {
  return text.includes('\\') ? text.replace(/\\(.)/g, (_, c: string) => (c === 't' ? '\t' : c === 'n' ? '\n' : c === '0' ? '\0' : c)) : text;
}

/** Parses completionTextQuery's TabSeparated lines, keyed by channel key. */
export function parseCompletionText(text: string): Map<string, RollupText> {
  const result = new Map<string, RollupText>();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const [network, station, location, channel, , offsets, percent, completeness, overlapDays] = line.split('\t');
    const key = `${unescapeTsv(network)}.${unescapeTsv(station)}.${unescapeTsv(location)}.${unescapeTsv(channel)}`;
    result.set(key, { offsets: offsets === '' ? null : (JSON.parse(offsets) as number[]), percent, completeness, overlapDays });
  }
  return result;
}

/** A JSON array text with one more value at its end. */
export function appendCell(arrayText: string, value: number | null): string {
  const cell = JSON.stringify(value);
  return arrayText === '[]' ? `[${cell}]` : `${arrayText.slice(0, -1)},${cell}]`;
}
