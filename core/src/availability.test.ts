import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { ChannelEpoch, Segment } from './model.ts';
import {
  availabilityByBucket,
  availabilityOver,
  expectedIntervals,
  sparsityState,
  type BucketAvailability,
} from './availability.ts';
import type { Interval } from './segments.ts';

const S = 1_000_000;
const H = 3_600 * S;
const DAY = 86_400 * S;
const D0 = Date.UTC(2024, 0, 10) * 1000; // a midnight
const DELTA: Record<number, number> = { 1: 1_000_000, 20: 50_000, 40: 25_000, 100: 10_000, 200: 5_000, 0.1: 10_000_000 };

/** A record built by hand: end = start + (n − 1)Δ. */
function rec(start: number, samples: number, rate = 1, quality = 'D'): Segment {
  return { start, end: start + (samples - 1) * DELTA[rate]!, samples, sampleRate: rate, quality };
}
/** 1 Hz data covering [from, to) exactly, as 10-minute records (as a digitizer writes them). */
function run(from: number, to: number): Segment[] {
  const records: Segment[] = [];
  for (let t = from; t < to; t += 600 * S) records.push(rec(t, Math.min(600, (to - t) / S)));
  return records;
}
const whole = (start: number, end: number): Interval[] => [{ start, end }];

function epoch(start: number, end: number | null): ChannelEpoch {
  return {
    network: 'XX', station: 'STA', location: '', channel: 'HHZ', start, end,
    sampleRate: 1, latitude: null, longitude: null, elevation: null, warnS: null, failS: null,
  };
}

describe('expectedIntervals', () => {
  const window = { start: D0, end: D0 + DAY };
  it('is the whole window without metadata', () => {
    expect(expectedIntervals(null, window)).toEqual([window]);
    expect(expectedIntervals(undefined, window)).toEqual([window]);
    expect(expectedIntervals([], window)).toEqual([window]);
    expect(expectedIntervals(null, { start: D0, end: D0 })).toEqual([]);
  });
  it('is the union of the epochs, clipped; an open epoch runs to the window end', () => {
    expect(expectedIntervals([epoch(D0 - DAY, D0 + 12 * H)], window)).toEqual([{ start: D0, end: D0 + 12 * H }]);
    expect(expectedIntervals([epoch(D0 + 18 * H, null), epoch(D0 + 2 * H, D0 + 6 * H), epoch(D0 + 5 * H, D0 + 8 * H)], window)).toEqual([
      { start: D0 + 2 * H, end: D0 + 8 * H },
      { start: D0 + 18 * H, end: D0 + DAY },
    ]);
    expect(expectedIntervals([epoch(D0 - 2 * DAY, D0 - DAY)], window)).toEqual([]);
  });
});

describe('availabilityByBucket', () => {
  it('splits a record across midnight into per-day buckets', () => {
    // One 1 Hz record 23:00 → 01:00 (7200 samples), and the same data as two day files' records.
    const window = { start: D0, end: D0 + 2 * DAY };
    for (const segments of [[rec(D0 + 23 * H, 7200)], [rec(D0 + 23 * H, 3600), rec(D0 + DAY, 3600)]]) {
      const days = availabilityByBucket(segments, { window, bucket: 'day', expected: whole(window.start, window.end) });
      // Before 23:00 and after 00:59:59 nothing bounds the missing time but the window: open gaps.
      const day = (start: number, maxGapSeconds: number): BucketAvailability => ({
        start, end: start + DAY, percent: (100 * 3600) / 86400, coveredSeconds: 3600, expectedSeconds: 86400,
        gaps: 1, maxGapSeconds, overlaps: 0, samples: 3600, sampleCompleteness: 3600 / 86400,
      });
      expect(days).toEqual([day(D0, 23 * 3600), day(D0 + DAY, 23 * 3600 + 1)]);
    }
  });

  it('excludes time that is not expected: an epoch ending at noon, a full morning is 100 %', () => {
    const window = { start: D0, end: D0 + DAY };
    const expected = expectedIntervals([epoch(D0 - 10 * DAY, D0 + 12 * H)], window);
    const morning = run(D0, D0 + 12 * H);
    const [day] = availabilityByBucket(morning, { window, bucket: 'day', expected });
    expect(day).toEqual({
      start: D0, end: D0 + DAY, percent: 100, coveredSeconds: 43200, expectedSeconds: 43200,
      gaps: 0, maxGapSeconds: 0, overlaps: 0, samples: 43200, sampleCompleteness: 1,
    });
    // Afternoon data after an hour's pause: neither the pause nor the data counts.
    const [withAfternoon] = availabilityByBucket([...morning, ...run(D0 + 13 * H, D0 + 14 * H)], { window, bucket: 'day', expected });
    expect(withAfternoon).toEqual(day);
    // Per hour: afternoon buckets expect nothing.
    const hours = availabilityByBucket(morning, { window, bucket: 'hour', expected });
    expect(hours).toHaveLength(24);
    expect(hours.slice(0, 12).every((h) => h.percent === 100 && h.expectedSeconds === 3600 && h.samples === 3600)).toBe(true);
    expect(hours.slice(12).every((h) => h.percent === null && h.expectedSeconds === 0 && h.sampleCompleteness === null)).toBe(true);
  });

  it('a dead day: percent 0, one gap over the whole day (nothing bounds it but the window, as MUSTANG counts)', () => {
    const window = { start: D0, end: D0 + DAY };
    const [day] = availabilityByBucket([], { window, bucket: 'day', expected: whole(D0, D0 + DAY) });
    expect(day).toEqual({
      start: D0, end: D0 + DAY, percent: 0, coveredSeconds: 0, expectedSeconds: 86400,
      gaps: 1, maxGapSeconds: 86400, overlaps: 0, samples: 0, sampleCompleteness: null,
    });
    const [withRate] = availabilityByBucket([], { window, bucket: 'day', expected: whole(D0, D0 + DAY), sampleRate: 1 });
    expect(withRate!.sampleCompleteness).toBe(0);
  });

  it('a day inside a longer gap counts that gap, clipped to the day', () => {
    const window = { start: D0, end: D0 + 3 * DAY };
    const segments = [...run(D0, D0 + 12 * H), ...run(D0 + 2 * DAY + 12 * H, D0 + 3 * DAY)];
    const days = availabilityByBucket(segments, { window, bucket: 'day', expected: whole(window.start, window.end) });
    expect(days.map((d) => [d.percent, d.gaps, d.maxGapSeconds, d.samples])).toEqual([
      [50, 1, 12 * 3600 + 1, 43200], // from the last sample 11:59:59 to midnight
      [0, 1, 86400, 0],
      [50, 1, 12 * 3600, 43200],
    ]);
    expect(days[1]!.sampleCompleteness).toBe(0);
  });

  it('a gap inside a day gives its gap_s; per hour it is clipped', () => {
    // 1 Hz: 00:00–06:00 and 12:00–24:00. Last sample before 05:59:59, first after 12:00:00.
    const window = { start: D0, end: D0 + DAY };
    const segments = [...run(D0, D0 + 6 * H), ...run(D0 + 12 * H, D0 + DAY)];
    const expected = whole(D0, D0 + DAY);
    expect(availabilityByBucket(segments, { window, bucket: 'day', expected })).toEqual([
      {
        start: D0, end: D0 + DAY, percent: 75, coveredSeconds: 64800, expectedSeconds: 86400,
        gaps: 1, maxGapSeconds: 21601, overlaps: 0, samples: 64800, sampleCompleteness: 0.75,
      },
    ]);
    expect(availabilityOver(segments, { window, expected })).toMatchObject({ start: D0, end: D0 + DAY, percent: 75, gaps: 1, maxGapSeconds: 21601 });
    const hours = availabilityByBucket(segments, { window, bucket: 'hour', expected });
    expect(hours.map((h) => h.gaps)).toEqual([0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(hours[6]!.maxGapSeconds).toBe(3600); // [05:59:59, 12:00] clipped to [06:00, 07:00)
    expect(hours[11]!.maxGapSeconds).toBe(3600);
    expect(hours[5]!).toMatchObject({ percent: 100, gaps: 0, samples: 3600 });
    expect(hours[8]!).toMatchObject({ percent: 0, gaps: 1, samples: 0 });
  });

  it('a gap across midnight counts on both days', () => {
    const window = { start: D0, end: D0 + 2 * DAY };
    const segments = [...run(D0, D0 + 20 * H), ...run(D0 + DAY + 4 * H, D0 + 2 * DAY)];
    const days = availabilityByBucket(segments, { window, bucket: 'day', expected: whole(window.start, window.end) });
    expect(days.map((d) => [d.gaps, d.maxGapSeconds, d.coveredSeconds])).toEqual([
      [1, 4 * 3600 + 1, 20 * 3600], // 19:59:59 → 24:00
      [1, 4 * 3600, 20 * 3600], // 00:00 → 04:00
    ]);
  });

  it('missing time before the first and after the last sample are gaps reaching to the window edges (MUSTANG)', () => {
    const window = { start: D0, end: D0 + DAY };
    const [day] = availabilityByBucket(run(D0 + 6 * H, D0 + 18 * H), { window, bucket: 'day', expected: whole(D0, D0 + DAY) });
    // 00:00 → first sample 06:00, and last sample 17:59:59 → 24:00.
    expect(day).toMatchObject({ percent: 50, gaps: 2, maxGapSeconds: 6 * 3600 + 1, samples: 43200, sampleCompleteness: 0.5 });
  });

  it('a dead channel: the gap after its last sample counts in every window it reaches, up to the window end', () => {
    const segments = run(D0, D0 + 12 * H);
    const later = { start: D0 + 2 * DAY, end: D0 + 3 * DAY };
    expect(availabilityOver(segments, { window: later, expected: [later] })).toMatchObject({ percent: 0, gaps: 1, maxGapSeconds: 86400 });
    const across = { start: D0, end: D0 + DAY };
    expect(availabilityOver(segments, { window: across, expected: [across] })).toMatchObject({ gaps: 1, maxGapSeconds: 12 * 3600 + 1 });
    // Time not expected after the data (an epoch that ended, or data not yet due) is no gap.
    expect(availabilityOver(segments, { window: across, expected: [{ start: D0, end: D0 + 12 * H }] })).toMatchObject({ percent: 100, gaps: 0 });
  });

  it('an edge shorter than the tolerance is no gap (data starting a fraction of Δ after the window)', () => {
    const window = { start: D0, end: D0 + H };
    const segments = [rec(D0 + 400_000, 3600)]; // 1 Hz, first sample 0.4 s after the window start
    expect(availabilityOver(segments, { window, expected: [window] })).toMatchObject({ gaps: 0 });
    expect(availabilityOver([rec(D0 + 600_000, 3599)], { window, expected: [window] })).toMatchObject({ gaps: 1 });
  });

  it('counts overlaps where the next data starts, and overlapping samples as received', () => {
    const window = { start: D0, end: D0 + 2 * DAY };
    const segments = [...run(D0, D0 + 2 * DAY), rec(D0 + DAY + H, 600)]; // a duplicated record on day 2
    const days = availabilityByBucket(segments, { window, bucket: 'day', expected: whole(window.start, window.end) });
    expect(days.map((d) => [d.percent, d.overlaps, d.gaps, d.samples])).toEqual([
      [100, 0, 0, 86400],
      [100, 1, 0, 87000],
    ]);
    expect(days[1]!.sampleCompleteness).toBe(87000 / 86400);
  });

  it('a window inside one day gives one bucket starting at midnight', () => {
    const window = { start: D0 + 6 * H, end: D0 + 18 * H };
    const days = availabilityByBucket(run(D0, D0 + DAY), { window, bucket: 'day', expected: whole(window.start, window.end) });
    expect(days).toEqual([
      {
        start: D0, end: D0 + DAY, percent: 100, coveredSeconds: 43200, expectedSeconds: 43200,
        gaps: 0, maxGapSeconds: 0, overlaps: 0, samples: 43200, sampleCompleteness: 1,
      },
    ]);
    expect(availabilityByBucket([], { window: { start: D0, end: D0 }, bucket: 'hour', expected: [] })).toEqual([]);
  });

  it('uses the given rate for completeness; null when rates disagree', () => {
    const window = { start: D0, end: D0 + H };
    const half = run(D0, D0 + H / 2);
    expect(availabilityOver(half, { window, expected: whole(D0, D0 + H), sampleRate: 2 }).sampleCompleteness).toBe(1800 / 7200);
    const mixed = [rec(D0, 10, 1), rec(D0 + 100 * S, 10, 20)];
    expect(availabilityOver(mixed, { window, expected: whole(D0, D0 + H) }).sampleCompleteness).toBeNull();
  });

  it('rejects a bad window or bucket', () => {
    expect(() => availabilityByBucket([], { window: { start: 10, end: 5 }, bucket: 'day', expected: [] })).toThrow('bad window');
    expect(() => availabilityOver([], { window: { start: 0.5, end: 5 }, expected: [] })).toThrow('bad window');
    expect(() => availabilityByBucket([], { window: { start: 0, end: 5 }, bucket: 'week' as 'day', expected: [] })).toThrow(
      'bad bucket "week": expected day or hour',
    );
  });
});

describe('sparsityState', () => {
  it('maps mean spacing / Δ to the OOI states; exactly 1 (complete) is present', () => {
    expect(sparsityState(0.5)).toBe('present');
    expect(sparsityState(1)).toBe('present');
    expect(sparsityState(1.0001)).toBe('sparse1');
    expect(sparsityState(1.4999)).toBe('sparse1');
    expect(sparsityState(1.5)).toBe('sparse2');
    expect(sparsityState(1.9999)).toBe('sparse2');
    expect(sparsityState(2)).toBe('sparse3');
    expect(sparsityState(Infinity)).toBe('sparse3');
    expect(() => sparsityState(Number.NaN)).toThrow(RangeError);
  });
});

// ---------------------------------------------------------------------------------------------
// Properties

/** Realistic messy records: runs with gaps, jitter, overlaps and duplicates over ~3 days. */
const messyArb = fc
  .record({
    rate: fc.constantFrom(1, 20, 40, 100, 200, 0.1),
    pieces: fc.array(
      fc.record({
        at: fc.integer({ min: -2 * 3600, max: 3 * 86400 }), // seconds from D0
        seconds: fc.integer({ min: 1, max: 6 * 3600 }),
        jitter: fc.integer({ min: -3000, max: 3000 }),
      }),
      { maxLength: 12 },
    ),
  })
  .map(({ rate, pieces }) =>
    pieces.map((p) => rec(D0 + p.at * S + p.jitter, Math.max(1, Math.floor(p.seconds * rate)), rate)),
  );

const windowArb = fc
  .record({ from: fc.integer({ min: -3600, max: 2 * 86400 }), length: fc.integer({ min: 0, max: 2 * 86400 }) })
  .map(({ from, length }) => ({ start: D0 + from * S + 17, end: D0 + (from + length) * S + 17 }));

const expectedArb = fc.oneof(
  fc.constant(null),
  fc.array(
    fc.record({ at: fc.integer({ min: -86400, max: 3 * 86400 }), length: fc.integer({ min: 1, max: 86400 }), open: fc.boolean() }),
    { maxLength: 3 },
  ),
);

describe('availability properties', () => {
  it('coverage never exceeds the window: percent ≤ 100, covered ≤ expected', () => {
    fc.assert(
      fc.property(messyArb, windowArb, expectedArb, fc.constantFrom('day', 'hour') as fc.Arbitrary<'day' | 'hour'>, (segments, window, spec, bucket) => {
        const epochs = spec === null ? null : spec.map((e) => epoch(D0 + e.at * S, e.open ? null : D0 + (e.at + e.length) * S));
        const expected = expectedIntervals(epochs, window);
        const buckets = availabilityByBucket(segments, { window, bucket, expected });
        const size = bucket === 'day' ? DAY : H;
        let expectedTotal = 0;
        buckets.forEach((b, i) => {
          expect(b.end - b.start).toBe(size);
          if (i > 0) expect(b.start).toBe(buckets[i - 1]!.end);
          expect(b.coveredSeconds).toBeGreaterThanOrEqual(0);
          expect(b.coveredSeconds).toBeLessThanOrEqual(b.expectedSeconds);
          expect(b.expectedSeconds).toBeLessThanOrEqual(Math.min(b.end, window.end) / S - Math.max(b.start, window.start) / S + 1e-6);
          if (b.expectedSeconds === 0) expect(b.percent).toBeNull();
          else {
            expect(b.percent).toBeGreaterThanOrEqual(0);
            expect(b.percent).toBeLessThanOrEqual(100);
          }
          expectedTotal += b.expectedSeconds * S;
        });
        if (window.end > window.start) {
          expect(buckets[0]!.start).toBeLessThanOrEqual(window.start);
          expect(buckets[buckets.length - 1]!.end).toBeGreaterThanOrEqual(window.end);
        } else expect(buckets).toEqual([]);
        const total = expected.reduce((sum, i) => sum + (i.end - i.start), 0);
        expect(Math.round(expectedTotal)).toBe(total);
      }),
      { numRuns: 200 },
    );
  });

  it('overlapping or duplicated records never lower availability', () => {
    fc.assert(
      fc.property(messyArb, messyArb, fc.array(fc.nat(), { maxLength: 5 }), windowArb, fc.constantFrom('day', 'hour') as fc.Arbitrary<'day' | 'hour'>, (segments, extra, copies, window, bucket) => {
        const expected = whole(window.start, window.end);
        const before = availabilityByBucket(segments, { window, bucket, expected });
        const more = [...segments, ...extra, ...copies.flatMap((c) => (segments.length ? [{ ...segments[c % segments.length]! }] : []))];
        const after = availabilityByBucket(more, { window, bucket, expected });
        after.forEach((b, i) => {
          expect(b.coveredSeconds).toBeGreaterThanOrEqual(before[i]!.coveredSeconds);
          if (b.percent !== null) expect(b.percent).toBeGreaterThanOrEqual(before[i]!.percent!);
          expect(b.samples).toBeGreaterThanOrEqual(before[i]!.samples);
        });
      }),
      { numRuns: 200 },
    );
  });

  it('each bucket equals availabilityOver its window, and the buckets add up', () => {
    fc.assert(
      fc.property(messyArb, windowArb, fc.constantFrom('day', 'hour') as fc.Arbitrary<'day' | 'hour'>, (segments, window, bucket) => {
        const expected = whole(window.start, window.end);
        const buckets = availabilityByBucket(segments, { window, bucket, expected });
        let samples = 0;
        for (const b of buckets) {
          const w = { start: Math.max(b.start, window.start), end: Math.min(b.end, window.end) };
          const { start: _s, end: _e, ...over } = availabilityOver(segments, { window: w, expected });
          const { start: _bs, end: _be, ...fields } = b;
          expect(fields).toEqual(over);
          samples += b.samples;
        }
        expect(samples).toBe(availabilityOver(segments, { window, expected }).samples);
      }),
      { numRuns: 100 },
    );
  });

  it('agrees with a brute-force count on a 5 ms grid (small cases)', () => {
    // Records on the Δ grid of one rate (so coverage is their plain union and every uncovered run
    // between data is one gap); window and expected time on a 5 ms grid.
    const CELL = 5_000;
    fc.assert(
      fc.property(
        fc.constantFrom(20, 40, 100, 200),
        fc.array(fc.record({ slot: fc.integer({ min: 0, max: 120 }), samples: fc.integer({ min: 1, max: 15 }) }), { maxLength: 10 }),
        fc.record({ from: fc.integer({ min: 0, max: 2000 }), length: fc.integer({ min: 0, max: 2000 }) }),
        fc.array(fc.record({ from: fc.integer({ min: 0, max: 2000 }), length: fc.integer({ min: 1, max: 600 }) }), { maxLength: 3 }),
        (rate, specs, win, exp) => {
          const delta = DELTA[rate]!;
          const per = delta / CELL; // cells per sample
          const segments = specs.map((s) => rec(D0 + s.slot * delta, s.samples, rate));
          const window = { start: D0 + win.from * CELL, end: D0 + (win.from + win.length) * CELL };
          const expected = exp.map((e) => ({ start: D0 + e.from * CELL, end: D0 + (e.from + e.length) * CELL }));
          const n = 4000;
          const covered = new Uint8Array(n);
          const samplesAt = new Uint16Array(n);
          for (const s of specs) {
            for (let k = 0; k < s.samples; k++) {
              const c = (s.slot + k) * per;
              samplesAt[c]! += 1;
              for (let j = 0; j < per; j++) covered[c + j] = 1;
            }
          }
          const inW = (c: number) => c >= win.from && c < win.from + win.length;
          const inE = (c: number) => exp.some((e) => c >= e.from && c < e.from + e.length);
          let expectedCells = 0;
          let coveredCells = 0;
          let samples = 0;
          for (let c = 0; c < n; c++) {
            if (!inW(c) || !inE(c)) continue;
            expectedCells++;
            coveredCells += covered[c]!;
            samples += samplesAt[c]!;
          }
          // Gaps: uncovered runs between the first and the last covered cell, and the open runs
          // before the first and after the last (or all of W without data) when longer than 0.5Δ.
          const first = covered.indexOf(1);
          const last = covered.lastIndexOf(1);
          let gaps = 0;
          let maxGap = 0;
          const wEnd = win.from + win.length;
          const openGap = (from: number, to: number, spanStart: number, spanEnd: number, shortest: number) => {
            let missing = 0;
            for (let c = Math.max(from, 0); c < Math.min(to, n); c++) if (inW(c) && inE(c)) missing++;
            if (missing * CELL <= shortest) return;
            gaps++;
            maxGap = Math.max(maxGap, Math.min(spanEnd, wEnd) - Math.max(spanStart, win.from));
          };
          if (first < 0) openGap(win.from, wEnd, win.from, wEnd, 0);
          else {
            openGap(win.from, first, win.from, first, delta / 2);
            openGap(last + 1, wEnd, last + 1 - per, wEnd, delta / 2);
          }
          for (let c = first; first >= 0 && c <= last; ) {
            if (covered[c]) { c++; continue; }
            let end = c;
            while (!covered[end]) end++;
            if (Array.from({ length: end - c }, (_, j) => c + j).some((x) => inW(x) && inE(x))) {
              gaps++;
              // span [last sample before, first sample after] = [c − per, end] in cells, clipped to W
              const clipped = Math.min(end, win.from + win.length) - Math.max(c - per, win.from);
              maxGap = Math.max(maxGap, clipped);
            }
            c = end;
          }
          const result = availabilityOver(segments, { window, expected });
          expect(result.expectedSeconds * S).toBeCloseTo(expectedCells * CELL, 3);
          expect(result.coveredSeconds * S).toBeCloseTo(coveredCells * CELL, 3);
          expect(result.percent).toBe(expectedCells === 0 ? null : (100 * coveredCells * CELL) / (expectedCells * CELL));
          expect(result.samples).toBe(samples);
          expect(result.gaps).toBe(gaps);
          expect(result.maxGapSeconds * S).toBeCloseTo(maxGap * CELL, 3);
        },
      ),
      { numRuns: 300 },
    );
  });
});
