/**
 * One channel's timeline over a window: which time is present (and how densely), covered twice,
 * missing, not yet arrived, or not expected, as run-length spans, with the row's figures. Pure.
 *
 * - not_expected: outside the channel's metadata epochs (docs/definitions.md: never missing).
 * - pending: expected, not covered, from `notYetArrivedFrom` on (core notYetArrivedFrom: after
 *   the newest data and within the expected latency): neither present nor missing, and left
 *   out of the row's figures.
 * - missing: expected, due and not covered (coverage = union of [start, end + Δ) of joined segments).
 * - overlap: covered by more than one copy of the data (core overlapIntervals).
 * - present / sparse1..3: covered and expected; which one comes from the sample completeness of
 *   the covered time in fixed buckets (default: one pixel wide, aligned to the window start).
 *   Sparsity buckets' completeness = samples received / (covered expected time × rate), where
 *   a joined segment's samples are spread evenly over the time it covers (as core sampleTime
 *   spreads them) and the rate is the metadata epoch's, else the segment's own. Its inverse, mean
 *   spacing / Δ, gives the state (core sparsityState); completeness within 1e-4 of 1 or above is
 *   present (µs rounding of Δ). Missing time is already drawn as missing, so it does not count
 *   against the sparsity of the data around it.
 */
import { availabilityOver, dueUntil, expectedIntervals, sparsityState } from '@lacuna/core';
import type { ChannelEpoch, Micros, Segment } from '@lacuna/core';
import { coveredEnd, coverage, intersectIntervals, joinSegments, newestCoveredEnd, overlapIntervals, type Interval, type Tolerance } from '@lacuna/core';
import { SpanBuilder, type Span, type SpanState } from './spans.ts';

export interface ChannelTimeline {
  /** Run-length spans tiling the window, in time order. */
  spans: Span[];
  /** 100 × covered / expected over the window (core availabilityOver); null when nothing is expected. */
  percent: number | null;
  coveredSeconds: number;
  expectedSeconds: number;
  gaps: number;
  maxGapSeconds: number;
  overlaps: number;
  /** Time of the newest sample of the data read (the window's and its neighbours'); null without any. */
  lastSample: Micros | null;
  /** Where not-yet-arrived time begins, when inside the window (else null). */
  notYetArrivedFrom: Micros | null;
}

export interface TimelineOptions {
  window: Interval;
  /** Width of the sparsity buckets in µs (≥ 1), aligned to window.start. */
  bucket: number;
  tolerance: Tolerance;
  /**
   * Now: expected time after the newest data and within the channel's expected latency before
   * it (core notYetArrivedFrom, expectedLatencySeconds) is not yet arrived. Absent: all
   * expected time is due.
   */
  now?: Micros;
}

/** Completeness at or above 1 − this is complete. */
export const COMPLETE_WITHIN = 1e-4;

/** Expected time with the metadata rate in force (null: none given, use the data's own). */
interface RatedInterval extends Interval {
  rate: number | null;
}

function ratedExpected(epochs: readonly ChannelEpoch[], window: Interval): RatedInterval[] {
  if (epochs.length === 0) return [{ start: window.start, end: window.end, rate: null }];
  const sorted = [...epochs].sort((a, b) => a.start - b.start);
  const result: RatedInterval[] = [];
  let reach = window.start;
  for (const epoch of sorted) {
    const start = Math.max(epoch.start, reach);
    const end = Math.min(epoch.end ?? window.end, window.end);
    if (end <= start) continue;
    result.push({ start, end, rate: epoch.sampleRate !== null && epoch.sampleRate > 0 ? epoch.sampleRate : null });
    reach = end;
  }
  return result;
}

/** Per sparsity bucket: the state of its covered time. */
export function bucketStates(joined: readonly Segment[], epochs: readonly ChannelEpoch[], options: Omit<TimelineOptions, 'tolerance'>): SpanState[] {
  const { window, bucket } = options;
  const count = Math.max(1, Math.ceil((window.end - window.start) / bucket));
  const received = new Float64Array(count);
  const nominal = new Float64Array(count);
  const rated = ratedExpected(epochs, window);
  for (const segment of joined) {
    const end = coveredEnd(segment);
    const density = segment.samples / (end - segment.start);
    for (const piece of rated) {
      const a = Math.max(piece.start, segment.start);
      const b = Math.min(piece.end, end);
      if (b <= a) continue;
      const perMicro = (piece.rate ?? segment.sampleRate) / 1e6;
      let i = Math.floor((a - window.start) / bucket);
      let at = a;
      while (at < b && i < count) {
        const upTo = Math.min(b, window.start + (i + 1) * bucket);
        const overlap = upTo - at;
        received[i] += density * overlap;
        nominal[i] += perMicro * overlap;
        at = upTo;
        i++;
      }
    }
  }
  const states: SpanState[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const completeness = nominal[i] > 0 ? received[i] / nominal[i] : 1;
    states[i] = completeness >= 1 - COMPLETE_WITHIN ? 'present' : sparsityState(1 / completeness);
  }
  return states;
}

/** The rate at time t: the metadata epoch's in force, else that of the data last started before t (or the first). */
function rateAt(t: Micros, rated: readonly RatedInterval[], joined: readonly Segment[]): number | null {
  const piece = rated.find((r) => r.start <= t && t < r.end);
  if (piece?.rate != null) return piece.rate;
  let rate: number | null = joined[0]?.sampleRate ?? null;
  for (const segment of joined) {
    if (segment.start > t) break;
    rate = segment.sampleRate;
  }
  return rate;
}

/**
 * The channel's timeline. `segments`: its stored segments reaching into the window, with the
 * neighbours (as core/src/store/rollups.ts segmentsAround gives them).
 */
export function channelTimeline(segments: readonly Segment[], epochs: readonly ChannelEpoch[], options: TimelineOptions): ChannelTimeline {
  const { window, bucket, tolerance } = options;
  const joined = joinSegments(segments, { tolerance });
  const pendingFrom = options.now === undefined ? window.end : dueUntil(window, epochs, newestCoveredEnd(joined), options.now);
  const expected = expectedIntervals(epochs, window);
  const due = expectedIntervals(epochs, { start: window.start, end: pendingFrom });
  const figures = availabilityOver(joined, { window, expected: due, tolerance });
  const covered = intersectIntervals(coverage(joined), expected);
  const twice = intersectIntervals(overlapIntervals(joined, { tolerance }), expected);
  const states = bucketStates(joined, epochs, { window, bucket });
  const rated = ratedExpected(epochs, window);

  const builder = new SpanBuilder();
  const pushCovered = (a: Micros, b: Micros) => {
    let i = Math.floor((a - window.start) / bucket);
    while (a < b) {
      const upTo = Math.min(b, window.start + (i + 1) * bucket);
      builder.push(a, upTo, states[Math.min(i, states.length - 1)]);
      a = upTo;
      i++;
    }
  };
  let o = 0;
  const pushCoveredOrTwice = (a: Micros, b: Micros) => {
    while (o < twice.length && twice[o].end <= a) o++;
    for (let k = o; a < b && k < twice.length && twice[k].start < b; k++) {
      pushCovered(a, Math.max(a, twice[k].start));
      const upTo = Math.min(b, twice[k].end);
      builder.push(Math.max(a, twice[k].start), upTo, 'overlap');
      a = Math.max(a, upTo);
    }
    pushCovered(a, b);
  };
  const pushUncovered = (a: Micros, b: Micros) => {
    const split = Math.min(b, Math.max(a, pendingFrom));
    if (split > a) {
      const rate = rateAt(a, rated, joined);
      builder.push(a, split, 'missing');
      const last = builder.spans[builder.spans.length - 1];
      if (rate !== null) last.missingSamples = (last.missingSamples ?? 0) + Math.round(((split - a) * rate) / 1e6);
    }
    builder.push(split, b, 'pending');
  };
  let cursor = window.start;
  let k = 0;
  for (const e of expected) {
    builder.push(cursor, e.start, 'not_expected');
    let at = e.start;
    while (k < covered.length && covered[k].start < e.end) {
      const c = covered[k++];
      pushUncovered(at, c.start);
      pushCoveredOrTwice(c.start, c.end);
      at = c.end;
    }
    pushUncovered(at, e.end);
    cursor = e.end;
  }
  builder.push(cursor, window.end, 'not_expected');

  return {
    spans: builder.spans,
    percent: figures.percent,
    coveredSeconds: figures.coveredSeconds,
    expectedSeconds: figures.expectedSeconds,
    gaps: figures.gaps,
    maxGapSeconds: figures.maxGapSeconds,
    overlaps: figures.overlaps,
    lastSample: joined.reduce<Micros | null>((latest, segment) => (latest === null || segment.end > latest ? segment.end : latest), null),
    notYetArrivedFrom: pendingFrom < window.end ? pendingFrom : null,
  };
}
