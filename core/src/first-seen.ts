/**
 * Backfill bookkeeping: when a changed file is scanned again, its new segments replace the earlier
 * ones, but data seen before must keep the time it was first seen (data latency of backfilled data
 * is measured from it), and only data new to us is stamped `now`.
 */
import type { Micros, Segment } from './model.ts';
import { coveredEnd, firstSampleAtOrAfter, isUsableSegment, sampleTime } from './segments.ts';

/** A labelled run of time: the earliest first-seen time of the previous data covering it. */
interface SeenRun {
  start: Micros;
  end: Micros;
  firstSeen: Micros;
}

/**
 * Splits each new segment at sample boundaries where previously seen coverage starts or ends (and
 * where the earliest first-seen time of that coverage changes), so each piece is either entirely
 * previously seen — firstSeen = the earliest firstSeen of the previous segments covering it — or
 * entirely new — firstSeen = `now`. A sample counts as previously seen when it falls in the
 * interval a previous segment covers, [start, end + Δ).
 *
 * Pieces keep the new segment's other fields (rate, quality, and any extra fields of `T`); sample
 * times follow `sampleTime`, so the pieces of one segment re-join under joinSegments to exactly that
 * segment (same start, end and sample count). Segments with no samples or rate ≤ 0 are dropped.
 * Output: the pieces of each new segment in time order, segments in input order.
 */
export function carryFirstSeen<T extends Segment>(
  previous: readonly (Segment & { firstSeen: Micros })[],
  next: readonly T[],
  now: Micros,
): (T & { firstSeen: Micros })[] {
  const runs = seenRuns(previous);
  const result: (T & { firstSeen: Micros })[] = [];
  for (const segment of next) {
    if (!isUsableSegment(segment)) continue;
    const n = segment.samples;
    // Split indices: the first sample at or after each run boundary inside the segment.
    const splits = [0, n];
    for (const run of runsTouching(runs, segment.start, segment.end)) {
      for (const boundary of [run.start, run.end]) {
        if (boundary > segment.start && boundary <= segment.end) splits.push(firstSampleAtOrAfter(segment, boundary));
      }
    }
    splits.sort((a, b) => a - b);
    let open: (T & { firstSeen: Micros }) | undefined;
    for (let i = 0; i + 1 < splits.length; i++) {
      const from = splits[i]!;
      const to = splits[i + 1]!;
      if (to <= from) continue;
      const start = sampleTime(segment, from);
      const firstSeen = seenAt(runs, start) ?? now;
      if (open !== undefined && open.firstSeen === firstSeen) {
        // Runs with one label separated by a hole holding no sample: one piece.
        open.end = sampleTime(segment, to - 1);
        open.samples += to - from;
        continue;
      }
      if (open !== undefined) result.push(open);
      open = { ...segment, start, end: sampleTime(segment, to - 1), samples: to - from, firstSeen };
    }
    if (open !== undefined) result.push(open);
  }
  return result;
}

/**
 * The previous coverage as sorted, disjoint runs, each labelled with the earliest firstSeen of the
 * previous segments covering it; adjacent runs with equal labels are merged.
 */
function seenRuns(previous: readonly (Segment & { firstSeen: Micros })[]): SeenRun[] {
  const covered = previous
    .filter(isUsableSegment)
    .map((s) => ({ start: s.start, end: coveredEnd(s), firstSeen: s.firstSeen }))
    .filter((c) => c.end > c.start);
  if (covered.length === 0) return [];
  const points = [...new Set(covered.flatMap((c) => [c.start, c.end]))].sort((a, b) => a - b);
  // label[i] belongs to the elementary interval [points[i], points[i + 1]).
  const label: number[] = new Array<number>(points.length - 1).fill(Infinity);
  for (const c of covered) {
    let i = lowerBound(points, c.start);
    for (; points[i]! < c.end; i++) if (c.firstSeen < label[i]!) label[i] = c.firstSeen;
  }
  const runs: SeenRun[] = [];
  for (let i = 0; i < label.length; i++) {
    const firstSeen = label[i]!;
    if (firstSeen === Infinity) continue;
    const last = runs[runs.length - 1];
    if (last !== undefined && last.end === points[i] && last.firstSeen === firstSeen) last.end = points[i + 1]!;
    else runs.push({ start: points[i]!, end: points[i + 1]!, firstSeen });
  }
  return runs;
}

function lowerBound(sorted: readonly number[], value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Index of the first run ending after t. */
function runAtOrAfter(runs: readonly SeenRun[], t: Micros): number {
  let lo = 0;
  let hi = runs.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (runs[mid]!.end <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function runsTouching(runs: readonly SeenRun[], from: Micros, to: Micros): SeenRun[] {
  const touching: SeenRun[] = [];
  for (let i = Math.max(0, runAtOrAfter(runs, from) - 1); i < runs.length && runs[i]!.start <= to; i++) {
    touching.push(runs[i]!);
  }
  return touching;
}

/** The firstSeen label at time t, or undefined when no previous data covers t. */
function seenAt(runs: readonly SeenRun[], t: Micros): Micros | undefined {
  const run = runs[runAtOrAfter(runs, t)];
  return run !== undefined && run.start <= t ? run.firstSeen : undefined;
}
