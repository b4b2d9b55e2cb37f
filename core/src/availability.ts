/**
 * Availability over windows and UTC buckets, as docs/definitions.md:
 *
 *   Percent availability over W = 100 × |coverage ∩ W ∩ expected| / |W ∩ expected|.
 *   Expected = inside the channel's metadata epochs; time outside them is not expected, never
 *   missing; a channel with no metadata is expected everywhere.
 *   Sample completeness = samples received in W / round(|W ∩ expected| × rate); its inverse,
 *   mean spacing / Δ, gives the sparsity states.
 */
import { MICROS_PER_DAY, MICROS_PER_HOUR, MICROS_PER_SECOND, type ChannelEpoch, type Micros, type Segment } from './model.ts';
import {
  clipIntervals,
  coveredEnd,
  coverage,
  DEFAULT_TOLERANCE,
  findGaps,
  intersectIntervals,
  joinSegments,
  ratesMatch,
  toleranceMicros,
  samplesWithin,
  totalLength,
  unionIntervals,
  type Interval,
  type Tolerance,
} from './segments.ts';
import { expectedLatencySeconds, notYetArrivedFrom } from './state.ts';
import { floorToDay, floorToHour } from './time.ts';

/**
 * The time inside `window` when the channel is expected to have data: the union of its metadata
 * epochs [start, end) (end null = open), clipped to the window. No metadata (null, undefined or
 * an empty list) means expected everywhere: the whole window.
 */
export function expectedIntervals(epochs: readonly ChannelEpoch[] | null | undefined, window: Interval): Interval[] {
  if (window.end <= window.start) return [];
  if (epochs == null || epochs.length === 0) return [{ start: window.start, end: window.end }];
  const inside = epochs.map((epoch) => ({ start: epoch.start, end: epoch.end ?? window.end }));
  return clipIntervals(unionIntervals(inside), window);
}

/** Availability of one bucket (or one window). */
export interface BucketAvailability {
  /** Bucket start (the UTC day or hour, even when the window starts later; the window start for availabilityOver). */
  start: Micros;
  /** Bucket end (exclusive; the window end for availabilityOver). */
  end: Micros;
  /** 100 × |coverage ∩ W ∩ expected| / |W ∩ expected|; null when nothing is expected in W. */
  percent: number | null;
  /** |coverage ∩ W ∩ expected| in seconds. */
  coveredSeconds: number;
  /** |W ∩ expected| in seconds. */
  expectedSeconds: number;
  /**
   * Gaps whose uncovered span [prev.end + Δ, next.start) intersects W ∩ expected, and the open
   * gaps at the edges, as MUSTANG counts them (its requested start and end bound the gaps):
   * expected time in W before the channel's first sample or after its last one (the whole of W
   * for a channel without data) is a gap when longer than the tolerance.
   */
  gaps: number;
  /**
   * The longest of those gaps' spans [last sample before, first sample after], clipped to W, in
   * seconds (a gap fully inside W gives exactly its gap_s; an open gap reaches to W's edge); 0
   * when there is no gap.
   */
  maxGapSeconds: number;
  /** Overlaps whose next.start lies in W. */
  overlaps: number;
  /** Sample times in W ∩ expected; overlapping data counts as received (each copy counts). */
  samples: number;
  /** samples / round(expectedSeconds × rate); null when no rate is known or that is 0. */
  sampleCompleteness: number | null;
}

export interface AvailabilityOptions {
  /** The window W, half-open. */
  window: Interval;
  /** Expected time, e.g. from expectedIntervals (need not be normalized). */
  expected: readonly Interval[];
  /** Join and gap tolerance, default 0.5Δ. */
  tolerance?: Tolerance;
  /**
   * The rate for sample completeness (e.g. the metadata's). Default: the segments' rate when they
   * all share one (|1 − r1/r2| < 1e-4), else completeness is null.
   */
  sampleRate?: number | null;
}

export interface BucketAvailabilityOptions extends AvailabilityOptions {
  bucket: 'day' | 'hour';
}

/**
 * Availability per UTC day or hour: one entry per bucket intersecting the window, in time order.
 * W is the bucket clipped to the window. A bucket inside a longer gap counts that gap (gaps 1,
 * maxGapSeconds = the bucket's length); so does a bucket of expected time before the channel's
 * first sample or after its last (an open gap: nothing bounds it but the window).
 */
export function availabilityByBucket(
  segments: readonly Segment[],
  options: BucketAvailabilityOptions,
): BucketAvailability[] {
  const window = checkWindow(options.window);
  const { first, size, count } = bucketGrid(window, options.bucket);
  const buckets = Array.from({ length: count }, (_, index): Interval => ({ start: first + index * size, end: first + (index + 1) * size }));
  return availabilityInBuckets(segments, buckets, options);
}

/** The UTC days or hours that `window` reaches into: the first one's start, their length and how many. */
export function bucketGrid(window: Interval, bucket: 'day' | 'hour'): { first: Micros; size: Micros; count: number } {
  const size = bucket === 'day' ? MICROS_PER_DAY : bucket === 'hour' ? MICROS_PER_HOUR : NaN;
  if (Number.isNaN(size)) throw new RangeError(`bad bucket ${JSON.stringify(bucket)}: expected day or hour`);
  const first = bucket === 'day' ? floorToDay(window.start) : floorToHour(window.start);
  return { first, size, count: window.end > window.start ? Math.ceil((window.end - first) / size) : 0 };
}

/** The same figures over one window (start and end are the window's). */
export function availabilityOver(segments: readonly Segment[], options: AvailabilityOptions): BucketAvailability {
  const window = checkWindow(options.window);
  return availabilityInBuckets(segments, [{ start: window.start, end: window.end }], options)[0]!;
}

function checkWindow(window: Interval): Interval {
  if (!Number.isSafeInteger(window.start) || !Number.isSafeInteger(window.end) || window.end < window.start) {
    throw new RangeError(`bad window [${window.start}, ${window.end}): expected integer microseconds, start ≤ end`);
  }
  return window;
}

/** One bucket while being computed. */
interface Tally {
  bucket: Interval;
  /** The bucket clipped to the window. */
  w: Interval;
  /** W ∩ expected. */
  expected: Interval[];
  covered: number;
  samples: number;
  gaps: number;
  maxGap: number;
  overlaps: number;
}

/** The shared implementation: `buckets` are sorted, disjoint, and intersect the window. */
function availabilityInBuckets(
  segments: readonly Segment[],
  buckets: readonly Interval[],
  options: AvailabilityOptions,
): BucketAvailability[] {
  const window = options.window;
  const joined = joinSegments(segments, { tolerance: options.tolerance });
  const expected = clipIntervals(unionIntervals(options.expected), window);
  const coveredExpected = intersectIntervals(coverage(joined), expected);
  const tallies: Tally[] = buckets.map((bucket) => {
    const w = { start: Math.max(bucket.start, window.start), end: Math.min(bucket.end, window.end) };
    return {
      bucket,
      w,
      expected: clipIntervals(expected, w),
      covered: totalLength(clipIntervals(coveredExpected, w)),
      samples: 0,
      gaps: 0,
      maxGap: 0,
      overlaps: 0,
    };
  });
  // Index of the tally whose W contains t, or of the first one after t.
  const tallyAtOrAfter = (t: Micros): number => {
    let lo = 0;
    let hi = tallies.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (tallies[mid]!.w.end <= t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };

  // Samples: each joined segment's sample times in each bucket's W ∩ expected.
  for (const segment of joined) {
    for (let i = tallyAtOrAfter(segment.start); i < tallies.length && tallies[i]!.w.start <= segment.end; i++) {
      const tally = tallies[i]!;
      for (const piece of tally.expected) tally.samples += samplesWithin(segment, piece.start, piece.end);
    }
  }

  /** Counts a gap spanning [from, to] (last sample before, first sample after) in the buckets where its uncovered time is expected and longer than `shortest` µs. */
  const countGap = (from: Micros, to: Micros, uncovered: Interval, shortest: number) => {
    for (let i = tallyAtOrAfter(uncovered.start); i < tallies.length && tallies[i]!.w.start < uncovered.end; i++) {
      const tally = tallies[i]!;
      if (totalLength(clipIntervals(tally.expected, uncovered)) <= shortest) continue;
      tally.gaps++;
      const clipped = Math.min(to, tally.w.end) - Math.max(from, tally.w.start);
      if (clipped > tally.maxGap) tally.maxGap = clipped;
    }
  };
  for (const gap of findGaps(joined, { tolerance: options.tolerance })) {
    if (gap.kind === 'overlap') {
      const i = tallyAtOrAfter(gap.end);
      if (i < tallies.length && tallies[i]!.w.start <= gap.end) tallies[i]!.overlaps++;
      continue;
    }
    // The uncovered span [prev.end + Δ, next.start), with end + Δ rounded as coverage does.
    countGap(gap.start, gap.end, { start: Math.round(gap.start + MICROS_PER_SECOND / gap.sampleRate), end: gap.end }, 0);
  }
  // Open gaps at the window's edges: before the first sample, after the last, or all of it.
  const first = joined[0];
  if (first === undefined) {
    countGap(window.start, window.end, window, 0);
  } else {
    const last = joined.reduce((latest, segment) => (segment.end > latest.end ? segment : latest));
    const tolerance = options.tolerance ?? DEFAULT_TOLERANCE;
    countGap(window.start, first.start, { start: window.start, end: first.start }, toleranceMicros(tolerance, first.sampleRate));
    countGap(last.end, window.end, { start: coveredEnd(last), end: window.end }, toleranceMicros(tolerance, last.sampleRate));
  }

  const rate = options.sampleRate ?? commonRate(joined);
  return tallies.map((tally) => {
    const expectedMicros = totalLength(tally.expected);
    const expectedSamples = rate == null ? 0 : Math.round((expectedMicros * rate) / MICROS_PER_SECOND);
    return {
      start: tally.bucket.start,
      end: tally.bucket.end,
      percent: expectedMicros > 0 ? (100 * tally.covered) / expectedMicros : null,
      coveredSeconds: tally.covered / MICROS_PER_SECOND,
      expectedSeconds: expectedMicros / MICROS_PER_SECOND,
      gaps: tally.gaps,
      maxGapSeconds: tally.maxGap / MICROS_PER_SECOND,
      overlaps: tally.overlaps,
      samples: tally.samples,
      sampleCompleteness: expectedSamples > 0 ? tally.samples / expectedSamples : null,
    };
  });
}

/** The rate all segments share (within 1e-4), else null. */
function commonRate(segments: readonly Segment[]): number | null {
  const first = segments[0];
  if (first === undefined) return null;
  return segments.every((s) => ratesMatch(first.sampleRate, s.sampleRate)) ? first.sampleRate : null;
}

export type SparsityState = 'present' | 'sparse1' | 'sparse2' | 'sparse3';

/**
 * The OOI sparsity state of a bucket from the inverse of its sample completeness, mean spacing / Δ:
 * ≤ 1 (completeness 1 or more, i.e. complete) → present; (1, 1.5) → sparse1; [1.5, 2) → sparse2;
 * ≥ 2 (including Infinity: no samples) → sparse3. Throws on NaN or a negative value.
 */
export function sparsityState(meanSpacingOverDelta: number): SparsityState {
  if (Number.isNaN(meanSpacingOverDelta) || meanSpacingOverDelta < 0) {
    throw new RangeError(`bad mean spacing / Δ: ${meanSpacingOverDelta}`);
  }
  if (meanSpacingOverDelta <= 1) return 'present';
  if (meanSpacingOverDelta < 1.5) return 'sparse1';
  if (meanSpacingOverDelta < 2) return 'sparse2';
  return 'sparse3';
}

/**
 * The end of the due part of `window` for a channel at `now`: where its not-yet-arrived time
 * begins (notYetArrivedFrom with the channel's expected latency), kept inside the window.
 * Expected time before it is due (covered or missing); expected time after it is not yet arrived.
 * `newestCovered`: end + Δ of the channel's newest data, null without any.
 */
export function dueUntil(window: Interval, epochs: readonly ChannelEpoch[], newestCovered: Micros | null, now: Micros): Micros {
  const from = notYetArrivedFrom(newestCovered, now, expectedLatencySeconds(epochs, now));
  return Math.max(window.start, Math.min(window.end, from));
}
