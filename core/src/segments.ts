/**
 * The segment engine: records → segments (the join rule), gaps and overlaps, coverage, and a
 * streaming per-file accumulator. Pure functions, integer microseconds, names as in docs/definitions.md
 * "Definitions (normative)":
 *
 *   Δ = 1 / sample rate.  A record or segment's `end` is the time of its last sample;
 *   it covers [start, end + Δ).
 *   Join:    |next.start − (prev.end + Δ)| ≤ tol  and  |1 − rate1/rate2| < 1e-4.
 *   Gap:     next.start − (prev.end + Δ) > tol,   gap_s = next.start − prev.end,
 *            missing_samples = round(gap_s / Δ) − 1.
 *   Overlap: next.start − (prev.end + Δ) < −tol.
 *   Coverage = the union of the covered intervals.
 */
import { MICROS_PER_SECOND, type Micros, type Segment } from './model.ts';

/** A half-open time interval [start, end) in epoch microseconds; empty when end ≤ start. */
export interface Interval {
  start: Micros;
  end: Micros;
}

// ---------------------------------------------------------------------------------------------
// Tolerance

/** Join tolerance: a fraction of the sample interval Δ, or a fixed number of seconds. */
export type Tolerance = { fraction: number } | { seconds: number };

/** The default tolerance, 0.5Δ (libmseed's and EarthScope msi's). */
export const DEFAULT_TOLERANCE: Tolerance = Object.freeze({ fraction: 0.5 });

/** The tolerance in microseconds for a channel sampled at `sampleRate` (may be fractional). */
export function toleranceMicros(tol: Tolerance, sampleRate: number): number {
  return 'fraction' in tol ? (tol.fraction * MICROS_PER_SECOND) / sampleRate : tol.seconds * MICROS_PER_SECOND;
}

function checkTolerance(tol: Tolerance): Tolerance {
  const value = 'fraction' in tol ? tol.fraction : tol.seconds;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new RangeError(`bad tolerance ${JSON.stringify(tol)}: expected a finite number ≥ 0`);
  }
  return tol;
}

// ---------------------------------------------------------------------------------------------
// Sample arithmetic

/** Time of the last sample of a record: start + (n − 1)Δ, rounded to the microsecond. */
export function recordEnd(start: Micros, samples: number, sampleRate: number): Micros {
  return start + Math.round(((samples - 1) * MICROS_PER_SECOND) / sampleRate);
}

/** A record as a Segment (a record is the smallest segment). */
export function recordSegment(start: Micros, samples: number, sampleRate: number, quality: string): Segment {
  return { start, end: recordEnd(start, samples, sampleRate), samples, sampleRate, quality };
}

/** End of the interval a segment covers, [start, end + Δ), rounded to the microsecond. */
export function coveredEnd(segment: Segment): Micros {
  return Math.round(segment.end + MICROS_PER_SECOND / segment.sampleRate);
}

/** The latest covered end of the segments (end + Δ of the newest data); null without any. */
export function newestCoveredEnd(segments: readonly Segment[]): Micros | null {
  let newest: Micros | null = null;
  for (const segment of segments) {
    const end = coveredEnd(segment);
    if (newest === null || end > newest) newest = end;
  }
  return newest;
}

/**
 * Time of sample `k` (0 ≤ k < samples) of a segment. Samples are spread evenly from `start` to
 * `end` (exactly `start + kΔ` for a regular segment; a joined segment with jitter keeps its exact
 * first and last sample), rounded to the microsecond.
 */
export function sampleTime(segment: Segment, k: number): Micros {
  if (segment.samples <= 1 || k <= 0) return segment.start;
  if (k >= segment.samples - 1) return segment.end;
  const step = (segment.end - segment.start) / (segment.samples - 1);
  return segment.start + Math.round(k * step);
}

/** Index of the first sample at or after `t` (0 … samples; `samples` when none is). */
export function firstSampleAtOrAfter(segment: Segment, t: Micros): number {
  const n = segment.samples;
  if (t <= segment.start) return 0;
  if (t > segment.end) return n;
  const step = (segment.end - segment.start) / (n - 1);
  let k = Math.min(n - 1, Math.max(0, Math.ceil((t - segment.start) / step)));
  while (k > 0 && sampleTime(segment, k - 1) >= t) k--;
  while (k < n && sampleTime(segment, k) < t) k++;
  return k;
}

/** Number of sample times of a segment inside [from, to). */
export function samplesWithin(segment: Segment, from: Micros, to: Micros): number {
  if (to <= from) return 0;
  return firstSampleAtOrAfter(segment, to) - firstSampleAtOrAfter(segment, from);
}

/** Pieces with a sample rate that is not > 0 (or not finite) or no samples are ignored everywhere. */
export function isUsableSegment(segment: Segment): boolean {
  return segment.samples >= 1 && segment.sampleRate > 0 && Number.isFinite(segment.sampleRate);
}

/** Whether two sample rates are the same for joining: |1 − rate1/rate2| < 1e-4. */
export function ratesMatch(rate1: number, rate2: number): boolean {
  return Math.abs(1 - rate1 / rate2) < 1e-4;
}

/** The distinct quality codes of both, sorted: mergeQualities("M", "D") = "DM". */
export function mergeQualities(a: string, b: string): string {
  return a === b ? normalizeQuality(a) : normalizeQuality(a + b);
}

function normalizeQuality(quality: string): string {
  return quality.length <= 1 ? quality : [...new Set(quality)].sort().join('');
}

/** The deterministic order of segments: by start, then end, rate, quality, samples. */
export function compareSegments(a: Segment, b: Segment): number {
  return (
    a.start - b.start ||
    a.end - b.end ||
    a.sampleRate - b.sampleRate ||
    (a.quality < b.quality ? -1 : a.quality > b.quality ? 1 : 0) ||
    a.samples - b.samples
  );
}

// ---------------------------------------------------------------------------------------------
// Joining

export interface JoinOptions {
  /** Default 0.5Δ. */
  tolerance?: Tolerance;
  /**
   * Join pieces of different quality (default true, as EarthScope msi); a merged segment carries
   * the distinct codes sorted, e.g. "DM". When false, only pieces of equal quality join.
   */
  mergeQuality?: boolean;
}

/**
 * THE join rule. Pieces (records or segments) are sorted by start (ties by end, then rate,
 * quality, samples); each piece extends a segment built so far when
 * |piece.start − (segment.end + Δ)| ≤ tol and |1 − segment.rate/piece.rate| < 1e-4 (and the same
 * quality unless merged), where Δ and tol come from the segment's rate. When several segments
 * qualify, the one whose end + Δ is nearest the piece's start wins (ties: the earliest started).
 * Otherwise — in particular when the piece overlaps (starts before segment.end + Δ − tol) — the
 * piece starts a new segment, as in libmseed.
 *
 * A joined segment keeps its first piece's start and rate; its end is the end of the piece that
 * extended it (the later of the two ends, which differs only for a tolerance ≥ Δ); its samples
 * are summed. Hence joining is associative: segments joined per file and then joined again equal
 * all records joined at once — exactly so when no two pieces overlap (records that overlap may be
 * grouped differently, but the coverage and the gaps are the same).
 *
 * Pieces with sample rate 0 (or not > 0) or no samples are ignored. Returns new objects, sorted.
 */
export function joinSegments(pieces: readonly Segment[], options: JoinOptions = {}): Segment[] {
  const tolerance = checkTolerance(options.tolerance ?? DEFAULT_TOLERANCE);
  const mergeQuality = options.mergeQuality ?? true;
  const sorted = pieces.filter(isUsableSegment).sort(compareSegments);
  const result: Segment[] = [];
  // Segments that may still be extended: those with start − (end + Δ) ≤ tol for the current
  // piece. Pieces come by increasing start, so a segment that fails this never qualifies again.
  const open: Segment[] = [];
  for (const piece of sorted) {
    let best: Segment | undefined;
    let bestDistance = Infinity;
    let kept = 0;
    for (let i = 0; i < open.length; i++) {
      const segment = open[i]!;
      const difference = piece.start - (segment.end + MICROS_PER_SECOND / segment.sampleRate);
      const tol = toleranceMicros(tolerance, segment.sampleRate);
      if (difference > tol) continue; // a gap: closed for good
      open[kept++] = segment;
      if (
        difference >= -tol &&
        ratesMatch(segment.sampleRate, piece.sampleRate) &&
        (mergeQuality || segment.quality === piece.quality) &&
        Math.abs(difference) < bestDistance
      ) {
        best = segment;
        bestDistance = Math.abs(difference);
      }
    }
    open.length = kept;
    if (best === undefined) {
      const segment: Segment = {
        start: piece.start,
        end: piece.end,
        samples: piece.samples,
        sampleRate: piece.sampleRate,
        quality: mergeQuality ? normalizeQuality(piece.quality) : piece.quality,
      };
      result.push(segment);
      open.push(segment);
    } else {
      if (piece.end > best.end) best.end = piece.end;
      best.samples += piece.samples;
      if (mergeQuality) best.quality = mergeQualities(best.quality, piece.quality);
    }
  }
  return result.sort(compareSegments);
}

// ---------------------------------------------------------------------------------------------
// Gaps and overlaps

/** A gap or an overlap in the union of a channel's coverage, reported as EarthScope msi does. */
export interface Gap {
  kind: 'gap' | 'overlap';
  /** Time of the last sample before: the latest last-sample time of the data so far. */
  start: Micros;
  /** Time of the first sample after: the start of the next segment. */
  end: Micros;
  /** gap_s = (end − start) in seconds; negative for an overlap that reaches before the last sample. */
  gapSeconds: number;
  /** round(gap_s / Δ) − 1; for an overlap, minus the number of overlapping samples. */
  missingSamples: number;
  /** Rate (and Δ, tolerance) of the data before: the segment holding the latest last sample. */
  sampleRate: number;
  /** Quality of the data before. */
  quality: string;
}

export interface GapOptions {
  /** Default 0.5Δ. */
  tolerance?: Tolerance;
}

/**
 * Gaps and overlaps over the *union* of coverage. Segments (or raw records: the gaps are the
 * same, overlaps may be reported between other pieces) are sorted by start; the reach is the
 * latest last-sample time so far. For each next
 * segment: a gap when next.start − (reach + Δ) > tol; an overlap when next.start − (reach + Δ) < −tol
 * (Δ and tol from the rate of the segment holding the reach). Overlapping data counts once and
 * never as a gap; a gap of exactly the tolerance is not a gap. All qualities and rates count
 * together: callers wanting gaps per quality pass one quality's segments.
 */
export function findGaps(segments: readonly Segment[], options: GapOptions = {}): Gap[] {
  const tolerance = checkTolerance(options.tolerance ?? DEFAULT_TOLERANCE);
  const sorted = segments.filter(isUsableSegment).sort(compareSegments);
  const gaps: Gap[] = [];
  let reach: Segment | undefined;
  for (const next of sorted) {
    if (reach === undefined) {
      reach = next;
      continue;
    }
    const delta = MICROS_PER_SECOND / reach.sampleRate;
    const tol = toleranceMicros(tolerance, reach.sampleRate);
    const difference = next.start - (reach.end + delta);
    if (difference > tol || difference < -tol) {
      const gapMicros = next.start - reach.end;
      gaps.push({
        kind: difference > tol ? 'gap' : 'overlap',
        start: reach.end,
        end: next.start,
        gapSeconds: gapMicros / MICROS_PER_SECOND,
        missingSamples: Math.round(gapMicros / delta) - 1,
        sampleRate: reach.sampleRate,
        quality: reach.quality,
      });
    }
    if (next.end > reach.end) reach = next;
  }
  return gaps;
}

/**
 * The time covered more than once: where a segment starts before the data so far has ended, as
 * findGaps finds overlaps (next.start − (reach + Δ) < −tol), from next.start to the earlier of
 * the two covered ends. Sorted, disjoint. Overlapping data still counts once in coverage: these
 * intervals only say where two copies are.
 */
export function overlapIntervals(segments: readonly Segment[], options: GapOptions = {}): Interval[] {
  const tolerance = checkTolerance(options.tolerance ?? DEFAULT_TOLERANCE);
  const sorted = segments.filter(isUsableSegment).sort(compareSegments);
  const overlaps: Interval[] = [];
  let reach: Segment | undefined;
  for (const next of sorted) {
    if (reach !== undefined) {
      const difference = next.start - (reach.end + MICROS_PER_SECOND / reach.sampleRate);
      if (difference < -toleranceMicros(tolerance, reach.sampleRate)) {
        overlaps.push({ start: next.start, end: Math.min(coveredEnd(reach), coveredEnd(next)) });
      }
    }
    if (reach === undefined || next.end > reach.end) reach = next;
  }
  return unionIntervals(overlaps);
}

// ---------------------------------------------------------------------------------------------
// Coverage and intervals

/**
 * The union of the intervals the segments cover, [start, end + Δ) each (end + Δ rounded to the
 * microsecond), sorted and merged (touching intervals merge). Pass joined segments: within-
 * tolerance jitter between records is then covered.
 */
export function coverage(segments: readonly Segment[]): Interval[] {
  const intervals: Interval[] = [];
  for (const segment of segments) {
    if (isUsableSegment(segment)) intervals.push({ start: segment.start, end: coveredEnd(segment) });
  }
  return unionIntervals(intervals);
}

/** Sorted, disjoint, non-touching, non-empty intervals covering the same time as the input. */
export function unionIntervals(intervals: readonly Interval[]): Interval[] {
  const sorted = intervals.filter((i) => i.end > i.start).sort((a, b) => a.start - b.start || a.end - b.end);
  const union: Interval[] = [];
  for (const interval of sorted) {
    const last = union[union.length - 1];
    if (last !== undefined && interval.start <= last.end) {
      if (interval.end > last.end) last.end = interval.end;
    } else {
      union.push({ start: interval.start, end: interval.end });
    }
  }
  return union;
}

/** The time inside both lists (each need not be normalized); normalized result. */
export function intersectIntervals(a: readonly Interval[], b: readonly Interval[]): Interval[] {
  const x = unionIntervals(a);
  const y = unionIntervals(b);
  const result: Interval[] = [];
  let i = 0;
  let j = 0;
  while (i < x.length && j < y.length) {
    const p = x[i]!;
    const q = y[j]!;
    const start = Math.max(p.start, q.start);
    const end = Math.min(p.end, q.end);
    if (end > start) result.push({ start, end });
    if (p.end < q.end) i++;
    else j++;
  }
  return result;
}

/**
 * The parts of *normalized* intervals (sorted, disjoint: as from unionIntervals or coverage)
 * inside `window`. O(log n + k).
 */
export function clipIntervals(intervals: readonly Interval[], window: Interval): Interval[] {
  // First interval ending after window.start.
  let lo = 0;
  let hi = intervals.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (intervals[mid]!.end <= window.start) lo = mid + 1;
    else hi = mid;
  }
  const result: Interval[] = [];
  for (let i = lo; i < intervals.length && intervals[i]!.start < window.end; i++) {
    const start = Math.max(intervals[i]!.start, window.start);
    const end = Math.min(intervals[i]!.end, window.end);
    if (end > start) result.push({ start, end });
  }
  return result;
}

/** Total length in microseconds of disjoint intervals. */
export function totalLength(intervals: readonly Interval[]): number {
  let total = 0;
  for (const interval of intervals) if (interval.end > interval.start) total += interval.end - interval.start;
  return total;
}

// ---------------------------------------------------------------------------------------------
// Streaming accumulator

/** A record's facts as the accumulator takes them (a reader's header object has these fields). */
export interface RecordFacts {
  start: Micros;
  samples: number;
  sampleRate: number;
  quality: string;
}

/**
 * One key's pieces: the closed ones, and the open (last) one in fields, so that a record that
 * continues it updates numbers in place (no allocation, no boxed numbers) — the fast path of a
 * scan, where nearly every record continues the one before.
 */
class KeyPieces {
  readonly closed: Segment[] = [];
  hasOpen = false;
  openStart = 0;
  openEnd = 0;
  openSamples = 0;
  openRate = 0;
  openQuality = '';
  /** Δ and tolerance of the open piece, in µs. */
  openDelta = 0;
  openTolerance = 0;

  close(): void {
    if (!this.hasOpen) return;
    this.closed.push({ start: this.openStart, end: this.openEnd, samples: this.openSamples, sampleRate: this.openRate, quality: this.openQuality });
    this.hasOpen = false;
  }

  all(): Segment[] {
    this.close();
    return this.closed;
  }
}

/**
 * Streaming per-file segment builder for the scanner. `add` takes one record of a channel (the
 * caller numbers its channels: `key`). A record that continues the open piece of its key (same
 * rate and quality, |start − (end + Δ)| ≤ tol) extends it in O(1) without allocating; any other
 * record starts a new piece. `segments(key)`, `keys()` and `finish()` join the pieces with
 * joinSegments, so records out of order still join and the result equals joinSegments of the same
 * records. Records with rate not > 0 or no samples are ignored.
 */
export class SegmentAccumulator {
  readonly #tolerance: Tolerance;
  readonly #mergeQuality: boolean;
  #byKey: (KeyPieces | undefined)[] = [];
  #other = new Map<number, KeyPieces>();

  constructor(options: JoinOptions = {}) {
    this.#tolerance = checkTolerance(options.tolerance ?? DEFAULT_TOLERANCE);
    this.#mergeQuality = options.mergeQuality ?? true;
  }

  #pieces(key: number, create: boolean): KeyPieces | undefined {
    if (Number.isInteger(key) && key >= 0 && key < 1 << 24) {
      let pieces = this.#byKey[key];
      if (pieces === undefined && create) {
        while (this.#byKey.length < key) this.#byKey.push(undefined);
        pieces = new KeyPieces();
        this.#byKey[key] = pieces;
      }
      return pieces;
    }
    let pieces = this.#other.get(key);
    if (pieces === undefined && create) {
      pieces = new KeyPieces();
      this.#other.set(key, pieces);
    }
    return pieces;
  }

  /**
   * One record of the channel numbered `key`. The record comes as an object (a reader's reused
   * header will do; its fields are read during the call) so that its times reach here unboxed.
   */
  add(key: number, record: Readonly<RecordFacts>): void {
    const { start, samples, sampleRate, quality } = record;
    if (!(samples >= 1 && sampleRate > 0 && Number.isFinite(sampleRate))) return;
    const end = recordEnd(start, samples, sampleRate);
    const p = this.#pieces(key, true)!;
    if (p.hasOpen && p.openRate === sampleRate && p.openQuality === quality) {
      const difference = start - (p.openEnd + p.openDelta);
      if (difference <= p.openTolerance && difference >= -p.openTolerance) {
        if (end > p.openEnd) p.openEnd = end;
        p.openSamples += samples;
        return;
      }
    }
    p.close();
    p.hasOpen = true;
    p.openStart = start;
    p.openEnd = end;
    p.openSamples = samples;
    p.openRate = sampleRate;
    p.openQuality = quality;
    p.openDelta = MICROS_PER_SECOND / sampleRate;
    p.openTolerance = toleranceMicros(this.#tolerance, sampleRate);
  }

  /** Keys that received at least one usable record, ascending. */
  keys(): number[] {
    const keys: number[] = [];
    this.#byKey.forEach((p, key) => {
      if (p !== undefined && (p.hasOpen || p.closed.length > 0)) keys.push(key);
    });
    for (const [key, p] of this.#other) if (p.hasOpen || p.closed.length > 0) keys.push(key);
    return keys.sort((a, b) => a - b);
  }

  /** The joined segments of one key (empty when it has none). */
  segments(key: number): Segment[] {
    const p = this.#pieces(key, false);
    if (p === undefined) return [];
    return joinSegments(p.all(), { tolerance: this.#tolerance, mergeQuality: this.#mergeQuality });
  }

  /** All keys' joined segments; the accumulator is then empty, ready for the next file. */
  finish(): Map<number, Segment[]> {
    const result = new Map<number, Segment[]>();
    for (const key of this.keys()) result.set(key, this.segments(key));
    this.#byKey = [];
    this.#other = new Map();
    return result;
  }
}
