import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { Segment } from './model.ts';
import {
  clipIntervals,
  coverage,
  findGaps,
  firstSampleAtOrAfter,
  intersectIntervals,
  joinSegments,
  overlapIntervals,
  recordSegment,
  sampleTime,
  SegmentAccumulator,
  toleranceMicros,
  totalLength,
  unionIntervals,
  type Interval,
  type Tolerance,
} from './segments.ts';

const S = 1_000_000;
const RATES = [1, 20, 40, 100, 200, 0.1];
/** Δ in µs of the test rates, written out by hand (all integers). */
const DELTA: Record<number, number> = { 1: 1_000_000, 20: 50_000, 40: 25_000, 100: 10_000, 200: 5_000, 0.1: 10_000_000 };

/** A record built by hand: end = start + (n − 1)Δ. */
function rec(start: number, samples: number, rate = 100, quality = 'D'): Segment {
  return { start, end: start + (samples - 1) * DELTA[rate]!, samples, sampleRate: rate, quality };
}

function byTime(a: Segment, b: Segment): number {
  return a.start - b.start || a.end - b.end || a.sampleRate - b.sampleRate || a.quality.localeCompare(b.quality) || a.samples - b.samples;
}
const sorted = (segments: Segment[]): Segment[] => [...segments].sort(byTime);
const plain = (segments: Segment[]): Segment[] => segments.map((s) => ({ ...s }));

// ---------------------------------------------------------------------------------------------
// Generators

/**
 * One channel's records in time order, without overlaps: each record starts at
 * prev.end + Δ + g where g is 0, a jitter |g| < Δ/4 (joins), exactly the tolerance (joins), or a
 * gap > tol. With |g| < Δ/4 no record can continue anything but its predecessor, so the expected
 * segments are known from the generator alone: a new segment starts where g > tol, or where the
 * quality changes when qualities are not merged.
 */
interface Stream {
  rate: number;
  delta: number;
  tolFraction: number;
  mergeQuality: boolean;
  records: Segment[];
  /** Index of the records that start a new segment (independent expectation). */
  breaks: boolean[];
  /** g of each record (before it), NaN for the first. */
  offsets: number[];
}

const streamArb: fc.Arbitrary<Stream> = fc
  .record({
    rate: fc.constantFrom(...RATES),
    tolFraction: fc.constantFrom(0.5, 0.25),
    mergeQuality: fc.boolean(),
    base: fc.integer({ min: 1_500_000_000 * S, max: 1_700_000_000 * S }),
    steps: fc.array(
      fc.record({
        samples: fc.integer({ min: 1, max: 40 }),
        kind: fc.constantFrom('exact', 'exact', 'jitter', 'tol', 'gap', 'biggap'),
        jitter: fc.double({ min: -0.2499, max: 0.2499, noNaN: true }),
        gap: fc.integer({ min: 1, max: 5_000_000 }),
        quality: fc.constantFrom('D', 'D', 'D', 'M', 'R'),
      }),
      { minLength: 1, maxLength: 30 },
    ),
  })
  .map(({ rate, tolFraction, mergeQuality, base, steps }) => {
    const delta = DELTA[rate]!;
    const tol = tolFraction * delta;
    const records: Segment[] = [];
    const breaks: boolean[] = [];
    const offsets: number[] = [];
    let previous: Segment | undefined;
    for (const step of steps) {
      let g = Number.NaN;
      let start = base;
      let isBreak = true;
      if (previous !== undefined) {
        if (step.kind === 'exact') g = 0;
        else if (step.kind === 'jitter') g = Math.trunc(step.jitter * delta);
        else if (step.kind === 'tol') g = tol;
        else if (step.kind === 'gap') g = tol + (step.gap % (3 * delta)) + 1;
        else g = tol + step.gap * 100 + 1;
        start = previous.end + delta + g;
        isBreak = g > tol || (!mergeQuality && step.quality !== previous.quality);
      }
      const record = rec(start, step.samples, rate, step.quality);
      records.push(record);
      breaks.push(isBreak);
      offsets.push(g);
      previous = record;
    }
    return { rate, delta, tolFraction, mergeQuality, records, breaks, offsets };
  });

/** The expected segments of a stream, from its breaks (independent of the code under test). */
function expectedSegments(stream: Stream): Segment[] {
  const result: Segment[] = [];
  stream.records.forEach((r, i) => {
    const last = result[result.length - 1];
    if (stream.breaks[i] || last === undefined) {
      result.push({ ...r });
    } else {
      last.end = r.end;
      last.samples += r.samples;
      if (stream.mergeQuality) last.quality = [...new Set(last.quality + r.quality)].sort().join('');
    }
  });
  return result;
}

/** A random permutation of 0..n−1 and a file number per record, from fast-check's choices. */
const splitArb = fc.record({
  keys: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 64, maxLength: 64 }),
  files: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 64, maxLength: 64 }),
  fileOrder: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 64, maxLength: 64 }),
});

function permute<T>(items: readonly T[], keys: readonly number[]): T[] {
  return items
    .map((item, i) => ({ item, key: keys[i % keys.length]! + i * 1e-9 }))
    .sort((a, b) => a.key - b.key)
    .map((x) => x.item);
}

/** Joins per file (records in shuffled order), then joins the files' segments in shuffled order. */
function joinPerFile(
  records: Segment[],
  split: { keys: number[]; files: number[]; fileOrder: number[] },
  options: { tolerance?: Tolerance; mergeQuality?: boolean },
): Segment[] {
  const files: Segment[][] = [[], [], [], []];
  permute(records, split.keys).forEach((r, i) => files[split.files[i % split.files.length]!]!.push(r));
  const perFile = files.map((file) => joinSegments(file, options));
  return joinSegments(permute(perFile.flat(), split.fileOrder), options);
}

// ---------------------------------------------------------------------------------------------

describe('recordSegment', () => {
  it('ends at the last sample: start + (n − 1)Δ, rounded to the µs', () => {
    expect(recordSegment(0, 100, 200, 'D')).toEqual({ start: 0, end: 495_000, samples: 100, sampleRate: 200, quality: 'D' });
    expect(recordSegment(10, 3, 0.1, 'M').end).toBe(20_000_010);
    expect(recordSegment(0, 1, 100, 'D').end).toBe(0);
    expect(recordSegment(0, 2, 3, 'D').end).toBe(333_333);
    expect(recordSegment(0, 3, 3, 'D').end).toBe(666_667);
  });
});

describe('toleranceMicros', () => {
  it('is a fraction of Δ or fixed seconds', () => {
    expect(toleranceMicros({ fraction: 0.5 }, 200)).toBe(2_500);
    expect(toleranceMicros({ fraction: 0.5 }, 0.1)).toBe(5_000_000);
    expect(toleranceMicros({ seconds: 0.25 }, 200)).toBe(250_000);
  });
});

describe('joinSegments', () => {
  it('joins the obspy_gaps records into 4 segments, in any order', () => {
    // BW.BGLD..EHE, 200 Hz: segments start 2007-12-31T23:59:59.915, 2008-01-01T00:00:04.035,
    // 00:00:10.215, 00:00:18.455; hand-computed: 412, 824, 824, 300 samples.
    const t0 = Date.UTC(2007, 11, 31, 23, 59, 59, 915) * 1000;
    const t1 = Date.UTC(2008, 0, 1, 0, 0, 4, 35) * 1000;
    const t2 = Date.UTC(2008, 0, 1, 0, 0, 10, 215) * 1000;
    const t3 = Date.UTC(2008, 0, 1, 0, 0, 18, 455) * 1000;
    const run = (start: number, lengths: number[]): Segment[] => {
      let t = start;
      return lengths.map((n) => {
        const r = rec(t, n, 200);
        t += n * 5_000;
        return r;
      });
    };
    const records = [
      ...run(t0, [100, 100, 100, 112]),
      ...run(t1, [200, 200, 200, 224]),
      ...run(t2, [412, 412]),
      ...run(t3, [150, 150]),
    ];
    const expected: Segment[] = [
      { start: t0, end: Date.UTC(2008, 0, 1, 0, 0, 1, 970) * 1000, samples: 412, sampleRate: 200, quality: 'D' },
      { start: t1, end: Date.UTC(2008, 0, 1, 0, 0, 8, 150) * 1000, samples: 824, sampleRate: 200, quality: 'D' },
      { start: t2, end: Date.UTC(2008, 0, 1, 0, 0, 14, 330) * 1000, samples: 824, sampleRate: 200, quality: 'D' },
      { start: t3, end: Date.UTC(2008, 0, 1, 0, 0, 19, 950) * 1000, samples: 300, sampleRate: 200, quality: 'D' },
    ];
    expect(joinSegments(records)).toEqual(expected);
    expect(joinSegments([...records].reverse())).toEqual(expected);
    const shuffled = [7, 2, 11, 0, 5, 9, 3, 10, 1, 6, 4, 8].map((i) => records[i]!);
    expect(joinSegments(shuffled)).toEqual(expected);

    const gaps = findGaps(joinSegments(records));
    expect(gaps.map((g) => [g.kind, g.gapSeconds, g.missingSamples])).toEqual([
      ['gap', 2.065, 412],
      ['gap', 2.065, 412],
      ['gap', 4.125, 824],
    ]);
    expect(gaps[0]).toMatchObject({ start: expected[0]!.end, end: t1, sampleRate: 200, quality: 'D' });
    // Raw records give the same gaps: joining does not change the union.
    expect(findGaps(records)).toEqual(gaps);
  });

  it('joins within the tolerance; exactly the tolerance joins, one µs more does not', () => {
    const a = rec(0, 10); // 100 Hz: end 90 000, next expected at 100 000, tol 5 000
    expect(joinSegments([a, rec(105_000, 10)])).toHaveLength(1);
    expect(joinSegments([a, rec(105_001, 10)])).toHaveLength(2);
    expect(joinSegments([a, rec(95_000, 10)])).toHaveLength(1);
    expect(joinSegments([a, rec(94_999, 10)])).toHaveLength(2);
    expect(joinSegments([a, rec(105_000, 10)])[0]).toEqual({ start: 0, end: 195_000, samples: 20, sampleRate: 100, quality: 'D' });
    // A configured tolerance in seconds.
    expect(joinSegments([a, rec(130_000, 10)], { tolerance: { seconds: 0.03 } })).toHaveLength(1);
    expect(joinSegments([a, rec(130_001, 10)], { tolerance: { seconds: 0.03 } })).toHaveLength(2);
    expect(joinSegments([a, rec(101_000, 10)], { tolerance: { fraction: 0.1 } })).toHaveLength(1);
    expect(joinSegments([a, rec(101_001, 10)], { tolerance: { fraction: 0.1 } })).toHaveLength(2);
  });

  it('a joined segment ends at the end of the piece that extended it', () => {
    // Jittered records: the end is the last record's last sample, not start + (n − 1)Δ.
    const joined = joinSegments([rec(0, 10), rec(100_003, 10), rec(200_006, 10)]);
    expect(joined).toEqual([{ start: 0, end: 290_006, samples: 30, sampleRate: 100, quality: 'D' }]);
  });

  it('a rate mismatch breaks a segment (|1 − r1/r2| ≥ 1e-4)', () => {
    const a = rec(0, 10, 100);
    const near: Segment = { start: 100_000, end: 190_000, samples: 10, sampleRate: 100.005, quality: 'D' };
    const far: Segment = { start: 100_000, end: 190_000, samples: 10, sampleRate: 100.02, quality: 'D' };
    expect(joinSegments([a, near])).toEqual([{ start: 0, end: 190_000, samples: 20, sampleRate: 100, quality: 'D' }]);
    expect(joinSegments([a, far])).toEqual([a, far]);
    expect(joinSegments([rec(0, 10, 100), rec(100_000, 10, 200)])).toHaveLength(2);
  });

  it('keeps qualities apart, or merges them as "DM"', () => {
    const d = rec(0, 10, 100, 'D');
    const m = rec(100_000, 10, 100, 'M');
    expect(joinSegments([d, m], { mergeQuality: false })).toEqual([d, m]);
    expect(joinSegments([d, m])).toEqual([{ start: 0, end: 190_000, samples: 20, sampleRate: 100, quality: 'DM' }]);
    const m0 = rec(0, 10, 100, 'M');
    const d1 = rec(100_000, 10, 100, 'D');
    expect(joinSegments([d1, m0])[0]!.quality).toBe('DM');
    expect(joinSegments([d1, m0, rec(200_000, 5, 100, 'D')])[0]!.quality).toBe('DM');
    expect(joinSegments([rec(0, 1, 100, 'Q'), rec(10_000, 1, 100, 'D'), rec(20_000, 1, 100, 'R')])[0]!.quality).toBe('DQR');
  });

  it('overlapping pieces do not join', () => {
    const a = rec(0, 10);
    expect(joinSegments([a, a])).toEqual([a, a]);
    expect(joinSegments([a, rec(50_000, 10)])).toEqual([a, rec(50_000, 10)]);
    // A duplicate next to a run: the run stays one segment, the duplicate another.
    expect(joinSegments([rec(0, 10), rec(100_000, 10), rec(100_000, 10), rec(200_000, 10)])).toEqual([
      { start: 0, end: 290_000, samples: 30, sampleRate: 100, quality: 'D' },
      rec(100_000, 10),
    ]);
  });

  it('ignores pieces with rate 0 or no samples, and does not change its input', () => {
    const input = [rec(0, 10), { start: 5, end: 5, samples: 1, sampleRate: 0, quality: 'D' }, { start: 100_000, end: 100_000, samples: 0, sampleRate: 100, quality: 'D' }];
    const copy = structuredClone(input);
    expect(joinSegments(input)).toEqual([rec(0, 10)]);
    expect(input).toEqual(copy);
    expect(joinSegments([])).toEqual([]);
  });

  it('rejects a bad tolerance', () => {
    expect(() => joinSegments([], { tolerance: { fraction: -1 } })).toThrow('bad tolerance');
    expect(() => joinSegments([], { tolerance: { seconds: Number.NaN } })).toThrow('bad tolerance');
  });

  it('gives the expected segments for any stream (property)', () => {
    fc.assert(
      fc.property(streamArb, splitArb, (stream, split) => {
        const options = { tolerance: { fraction: stream.tolFraction }, mergeQuality: stream.mergeQuality };
        expect(sorted(joinSegments(permute(stream.records, split.keys), options))).toEqual(expectedSegments(stream));
      }),
      { numRuns: 300 },
    );
  });

  it('any split of the records into files, in any order, gives the same segments (property)', () => {
    fc.assert(
      fc.property(streamArb, splitArb, (stream, split) => {
        const options = { tolerance: { fraction: stream.tolFraction }, mergeQuality: stream.mergeQuality };
        const all = joinSegments(stream.records, options);
        expect(sorted(joinPerFile(stream.records, split, options))).toEqual(sorted(all));
        // Joining is idempotent.
        expect(sorted(joinSegments(all, options))).toEqual(sorted(all));
      }),
      { numRuns: 300 },
    );
  });
});

describe('overlapIntervals', () => {
  it('is the time two copies cover, where findGaps reports an overlap', () => {
    // Samples 0..90 ms (covering [0, 100 ms)), the next run from 50 ms: [50, 100 ms) twice.
    expect(overlapIntervals([rec(0, 10), rec(50_000, 20)])).toEqual([{ start: 50_000, end: 100_000 }]);
    // A short run inside a long one: the short run's covered time.
    expect(overlapIntervals([rec(0, 100), rec(200_000, 10), rec(1_000_000, 10)])).toEqual([{ start: 200_000, end: 300_000 }]);
    // Within the tolerance the data joins: no overlap, as findGaps.
    expect(overlapIntervals([rec(0, 10), rec(95_000, 10)])).toEqual([]);
    expect(findGaps([rec(0, 10), rec(95_000, 10)])).toEqual([]);
  });
});

describe('findGaps', () => {
  it('reports a gap of more than the tolerance; exactly the tolerance is no gap', () => {
    const a = rec(0, 10); // 100 Hz, end 90 000
    expect(findGaps([a, rec(105_000, 10)])).toEqual([]);
    expect(findGaps([a, rec(105_001, 10)])).toEqual([
      { kind: 'gap', start: 90_000, end: 105_001, gapSeconds: 0.015001, missingSamples: 1, sampleRate: 100, quality: 'D' },
    ]);
    expect(findGaps([a, rec(95_000, 10)])).toEqual([]);
    expect(findGaps([a, rec(94_999, 10)])).toEqual([
      { kind: 'overlap', start: 90_000, end: 94_999, gapSeconds: 0.004999, missingSamples: -1, sampleRate: 100, quality: 'D' },
    ]);
  });

  it('reports overlaps with negative gap_s and minus the overlapping samples', () => {
    // Samples at 0, 10 ms, … 90 ms; the next starts at 50 ms: samples 50..90 ms overlap (5).
    const [overlap] = findGaps([rec(0, 10), rec(50_000, 20)]);
    expect(overlap).toMatchObject({ kind: 'overlap', start: 90_000, end: 50_000, gapSeconds: -0.04, missingSamples: -5 });
  });

  it('counts overlapping data once, never as a gap', () => {
    // A long segment with a short one inside it, then data continuing the long one.
    const gaps = findGaps([rec(0, 100), rec(200_000, 10), rec(1_000_000, 10)]);
    expect(gaps).toEqual([
      { kind: 'overlap', start: 990_000, end: 200_000, gapSeconds: -0.79, missingSamples: -80, sampleRate: 100, quality: 'D' },
    ]);
    // A gap after the union's reach, not after the contained segment.
    const [gap] = findGaps([rec(0, 100), rec(200_000, 10), rec(2_000_000, 10)]).filter((g) => g.kind === 'gap');
    expect(gap).toMatchObject({ start: 990_000, end: 2_000_000, gapSeconds: 1.01, missingSamples: 100 });
  });

  it('uses a tolerance in seconds', () => {
    expect(findGaps([rec(0, 10), rec(300_000, 10)], { tolerance: { seconds: 0.2 } })).toEqual([]);
    expect(findGaps([rec(0, 10), rec(300_001, 10)], { tolerance: { seconds: 0.2 } })).toHaveLength(1);
  });

  it('a gap of exactly the tolerance is not a gap, one µs more is (property)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...RATES),
        fc.constantFrom(0.5, 0.25, 0.1),
        fc.integer({ min: -1e15, max: 1e15 }),
        fc.integer({ min: 1, max: 50 }),
        fc.constantFrom(1, -1),
        (rate, fraction, start, samples, sign) => {
          const delta = DELTA[rate]!;
          const tol = fraction * delta; // an integer for these rates
          const a = rec(start, samples, rate);
          const next = (offset: number) => rec(a.end + delta + sign * offset, 5, rate);
          const options = { tolerance: { fraction } };
          expect(findGaps([a, next(tol)], options)).toEqual([]);
          expect(joinSegments([a, next(tol)], options)).toHaveLength(1);
          const beyond = findGaps([a, next(tol + 1)], options);
          expect(beyond.map((g) => g.kind)).toEqual([sign > 0 ? 'gap' : 'overlap']);
          expect(joinSegments([a, next(tol + 1)], options)).toHaveLength(2);
        },
      ),
    );
  });

  it('finds the generated gaps with msi missing_samples (property)', () => {
    fc.assert(
      fc.property(streamArb, (stream) => {
        const tol = stream.tolFraction * stream.delta;
        const expected = stream.records.flatMap((r, i) => {
          const g = stream.offsets[i]!;
          if (!(g > tol)) return [];
          const gapMicros = stream.delta + g; // next.start − prev.end
          return [{ gapSeconds: gapMicros / S, missingSamples: Math.round(gapMicros / stream.delta) - 1 }];
        });
        const gaps = findGaps(joinSegments(stream.records, { tolerance: { fraction: stream.tolFraction } }), {
          tolerance: { fraction: stream.tolFraction },
        });
        expect(gaps.map((g) => ({ gapSeconds: g.gapSeconds, missingSamples: g.missingSamples }))).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });
});

// ---------------------------------------------------------------------------------------------

/** Records with overlaps and duplicates: arbitrary starts on a coarse grid, some copied. */
const messyArb = fc
  .record({
    rate: fc.constantFrom(...RATES),
    starts: fc.array(fc.record({ cell: fc.integer({ min: 0, max: 400 }), samples: fc.integer({ min: 1, max: 12 }), jitter: fc.integer({ min: -1000, max: 1000 }) }), {
      minLength: 1,
      maxLength: 25,
    }),
    duplicates: fc.array(fc.nat(), { maxLength: 8 }),
  })
  .map(({ rate, starts, duplicates }) => {
    const delta = DELTA[rate]!;
    const records = starts.map((s) => rec(1_600_000_000 * S + s.cell * delta + s.jitter, s.samples, rate));
    for (const d of duplicates) records.push({ ...records[d % records.length]! });
    return records;
  });

describe('coverage and intervals', () => {
  it('is the union of [start, end + Δ)', () => {
    // 100 Hz: [0, 100 ms) ∪ [100, 200 ms) ∪ [300, 310 ms) ∪ [250, 300 ms) ∪ [400, 430 ms)
    expect(coverage([rec(0, 10), rec(100_000, 10), rec(300_000, 1), rec(250_000, 5), rec(400_000, 3)])).toEqual([
      { start: 0, end: 200_000 },
      { start: 250_000, end: 310_000 },
      { start: 400_000, end: 430_000 },
    ]);
    expect(coverage([{ start: 0, end: 0, samples: 1, sampleRate: 0, quality: 'D' }])).toEqual([]);
  });

  it('equals a brute-force union on a grid (property)', () => {
    // Starts on a 5 ms grid, rates whose Δ is a multiple of 5 ms: each 5 ms cell is in or out.
    const CELL = 5_000;
    fc.assert(
      fc.property(
        fc.array(
          fc.record({ cell: fc.integer({ min: 0, max: 3000 }), samples: fc.integer({ min: 1, max: 10 }), rate: fc.constantFrom(1, 20, 40, 100, 200) }),
          { maxLength: 12 },
        ),
        (specs) => {
          const segments = specs.map((s) => rec(s.cell * CELL, s.samples, s.rate));
          const cells = new Uint8Array(3000 + 10 * 200 + 2);
          for (const s of segments) {
            const from = s.start / CELL;
            const to = from + (s.samples * DELTA[s.sampleRate]!) / CELL;
            for (let c = from; c < to; c++) cells[c] = 1;
          }
          const expected: Interval[] = [];
          for (let c = 0; c < cells.length; c++) {
            if (!cells[c]) continue;
            const last = expected[expected.length - 1];
            if (last && last.end === c * CELL) last.end += CELL;
            else expected.push({ start: c * CELL, end: (c + 1) * CELL });
          }
          expect(coverage(segments)).toEqual(expected);
        },
      ),
    );
  });

  it('interval helpers', () => {
    expect(unionIntervals([{ start: 5, end: 7 }, { start: 0, end: 2 }, { start: 2, end: 3 }, { start: 6, end: 9 }, { start: 4, end: 4 }])).toEqual([
      { start: 0, end: 3 },
      { start: 5, end: 9 },
    ]);
    expect(intersectIntervals([{ start: 0, end: 10 }, { start: 20, end: 30 }], [{ start: 5, end: 25 }, { start: 28, end: 40 }])).toEqual([
      { start: 5, end: 10 },
      { start: 20, end: 25 },
      { start: 28, end: 30 },
    ]);
    expect(intersectIntervals([{ start: 0, end: 10 }], [{ start: 10, end: 20 }])).toEqual([]);
    const list = [{ start: 0, end: 10 }, { start: 20, end: 30 }, { start: 40, end: 50 }];
    expect(clipIntervals(list, { start: 5, end: 45 })).toEqual([{ start: 5, end: 10 }, { start: 20, end: 30 }, { start: 40, end: 45 }]);
    expect(clipIntervals(list, { start: 10, end: 20 })).toEqual([]);
    expect(clipIntervals(list, { start: 50, end: 60 })).toEqual([]);
    expect(totalLength(list)).toBe(30);
  });

  it('intersect and clip agree with a brute-force grid (property)', () => {
    const interval = fc.record({ start: fc.integer({ min: 0, max: 60 }), len: fc.integer({ min: 0, max: 20 }) }).map((x) => ({ start: x.start, end: x.start + x.len }));
    fc.assert(
      fc.property(fc.array(interval, { maxLength: 6 }), fc.array(interval, { maxLength: 6 }), interval, (a, b, w) => {
        const inside = (list: Interval[], t: number) => list.some((i) => i.start <= t && t < i.end);
        let both = 0;
        let clipped = 0;
        for (let t = 0; t < 90; t++) {
          if (inside(a, t) && inside(b, t)) both++;
          if (inside(a, t) && w.start <= t && t < w.end) clipped++;
        }
        expect(totalLength(intersectIntervals(a, b))).toBe(both);
        expect(totalLength(clipIntervals(unionIntervals(a), w))).toBe(clipped);
      }),
    );
  });

  it('coverage and gaps of any split are those of all records, overlaps and duplicates included (property)', () => {
    fc.assert(
      fc.property(messyArb, splitArb, (records, split) => {
        const all = joinSegments(records);
        const perFile = joinPerFile(records, split, {});
        expect(coverage(perFile)).toEqual(coverage(all));
        // Joining only adds the within-tolerance jitter between joined records to the raw union.
        const raw = coverage(records);
        expect(totalLength(intersectIntervals(raw, coverage(all)))).toBe(totalLength(raw));
        const gapsOnly = (segments: Segment[]) => findGaps(segments).filter((g) => g.kind === 'gap');
        expect(gapsOnly(perFile)).toEqual(gapsOnly(all));
        expect(gapsOnly(records)).toEqual(gapsOnly(all));
        // Samples are never lost or invented by joining.
        const total = (segments: Segment[]) => segments.reduce((sum, s) => sum + s.samples, 0);
        expect(total(perFile)).toBe(total(records));
        expect(total(all)).toBe(total(records));
      }),
      { numRuns: 300 },
    );
  });
});

describe('sample arithmetic', () => {
  it('sampleTime and firstSampleAtOrAfter follow start + kΔ for a regular segment', () => {
    const s = rec(1_000, 10); // samples at 1 000 + k·10 000
    expect(sampleTime(s, 0)).toBe(1_000);
    expect(sampleTime(s, 3)).toBe(31_000);
    expect(sampleTime(s, 9)).toBe(91_000);
    expect(firstSampleAtOrAfter(s, 0)).toBe(0);
    expect(firstSampleAtOrAfter(s, 31_000)).toBe(3);
    expect(firstSampleAtOrAfter(s, 31_001)).toBe(4);
    expect(firstSampleAtOrAfter(s, 91_000)).toBe(9);
    expect(firstSampleAtOrAfter(s, 91_001)).toBe(10);
  });
});

describe('SegmentAccumulator', () => {
  it('extends the last piece of a key and joins out-of-order records at the end', () => {
    const acc = new SegmentAccumulator();
    acc.add(7, { start: 0, samples: 10, sampleRate: 100, quality: 'D' });
    acc.add(7, { start: 100_000, samples: 10, sampleRate: 100, quality: 'D' });
    acc.add(3, { start: 0, samples: 5, sampleRate: 1, quality: 'M' });
    acc.add(7, { start: 300_000, samples: 10, sampleRate: 100, quality: 'D' }); // out of order: the next one fills the hole
    acc.add(7, { start: 200_000, samples: 10, sampleRate: 100, quality: 'D' });
    acc.add(7, { start: 1_000_000, samples: 10, sampleRate: 100, quality: 'D' }); // gap
    acc.add(7, { start: 2_000_000, samples: 0, sampleRate: 100, quality: 'D' }); // ignored
    acc.add(7, { start: 2_000_000, samples: 5, sampleRate: 0, quality: 'D' }); // ignored
    expect(acc.keys()).toEqual([3, 7]);
    expect(acc.segments(7)).toEqual([
      { start: 0, end: 390_000, samples: 40, sampleRate: 100, quality: 'D' },
      { start: 1_000_000, end: 1_090_000, samples: 10, sampleRate: 100, quality: 'D' },
    ]);
    expect(acc.segments(99)).toEqual([]);
    const finished = acc.finish();
    expect([...finished.keys()]).toEqual([3, 7]);
    expect(finished.get(3)).toEqual([{ start: 0, end: 4_000_000, samples: 5, sampleRate: 1, quality: 'M' }]);
    expect(acc.keys()).toEqual([]);
  });

  it('honours mergeQuality and the tolerance', () => {
    const acc = new SegmentAccumulator({ mergeQuality: false, tolerance: { seconds: 0.001 } });
    acc.add(0, { start: 0, samples: 10, sampleRate: 100, quality: 'D' });
    acc.add(0, { start: 100_000, samples: 10, sampleRate: 100, quality: 'M' });
    acc.add(0, { start: 200_000 + 1_000, samples: 10, sampleRate: 100, quality: 'M' }); // after 190 000 + Δ: 1 ms late, joins
    acc.add(0, { start: 301_000 + 1_001, samples: 10, sampleRate: 100, quality: 'M' }); // after 291 000 + Δ: 1.001 ms late, does not
    expect(acc.segments(0).map((s) => [s.start, s.end, s.samples, s.quality])).toEqual([
      [0, 90_000, 10, 'D'],
      [100_000, 291_000, 20, 'M'],
      [302_001, 392_001, 10, 'M'],
    ]);
  });

  it('equals joinSegments of the same records, in any order, for several channels (property)', () => {
    fc.assert(
      fc.property(streamArb, streamArb, splitArb, (a, b, split) => {
        const options = { tolerance: { fraction: a.tolFraction }, mergeQuality: a.mergeQuality };
        const tagged = [...a.records.map((r) => ({ key: 0, r })), ...b.records.map((r) => ({ key: 5, r }))];
        const acc = new SegmentAccumulator(options);
        for (const { key, r } of permute(tagged, split.keys)) acc.add(key, r);
        expect(acc.keys()).toEqual([0, 5]);
        expect(plain(acc.segments(0))).toEqual(sorted(joinSegments(a.records, options)));
        expect(plain(acc.segments(5))).toEqual(sorted(joinSegments(b.records, options)));
        expect(plain(acc.segments(0))).toEqual(expectedSegments(a));
      }),
      { numRuns: 300 },
    );
  });
});
