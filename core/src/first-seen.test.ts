import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { Segment } from './model.ts';
import { carryFirstSeen } from './first-seen.ts';
import { joinSegments } from './segments.ts';

const S = 1_000_000;
const DELTA: Record<number, number> = { 1: 1_000_000, 20: 50_000, 40: 25_000, 100: 10_000, 200: 5_000, 0.1: 10_000_000 };

function seg(start: number, samples: number, rate = 1, quality = 'D'): Segment {
  return { start, end: start + (samples - 1) * DELTA[rate]!, samples, sampleRate: rate, quality };
}
const seen = (s: Segment, firstSeen: number) => ({ ...s, firstSeen });

const T1 = 1_000 * S;
const T2 = 2_000 * S;
const NOW = 9_000 * S;

describe('carryFirstSeen', () => {
  it('a grown file: the old part keeps its firstSeen, the new part is now', () => {
    const pieces = carryFirstSeen([seen(seg(0, 100), T1)], [seg(0, 200)], NOW);
    expect(pieces).toEqual([
      { start: 0, end: 99 * S, samples: 100, sampleRate: 1, quality: 'D', firstSeen: T1 },
      { start: 100 * S, end: 199 * S, samples: 100, sampleRate: 1, quality: 'D', firstSeen: NOW },
    ]);
  });

  it('keeps the labels of earlier backfills, and a hole filled later is new', () => {
    // Previously: [0, 100 s) seen at T1, [150 s, 200 s) seen at T2. Now: one segment 0..249 s.
    const previous = [seen(seg(0, 100), T1), seen(seg(150 * S, 50), T2)];
    const pieces = carryFirstSeen(previous, [seg(0, 250)], NOW);
    expect(pieces.map((p) => [p.start / S, p.end / S, p.samples, p.firstSeen])).toEqual([
      [0, 99, 100, T1],
      [100, 149, 50, NOW],
      [150, 199, 50, T2],
      [200, 249, 50, NOW],
    ]);
  });

  it('takes the earliest firstSeen where previous segments overlap', () => {
    const previous = [seen(seg(0, 100), T2), seen(seg(50 * S, 100), T1)];
    const pieces = carryFirstSeen(previous, [seg(0, 150)], NOW);
    expect(pieces.map((p) => [p.start / S, p.samples, p.firstSeen])).toEqual([
      [0, 50, T2],
      [50, 100, T1],
    ]);
  });

  it('nothing seen before: all new; all seen before: unchanged', () => {
    expect(carryFirstSeen([], [seg(0, 10)], NOW)).toEqual([{ ...seg(0, 10), firstSeen: NOW }]);
    expect(carryFirstSeen([seen(seg(0, 10), T1)], [seg(0, 10)], NOW)).toEqual([{ ...seg(0, 10), firstSeen: T1 }]);
  });

  it('splits at the first sample inside previous coverage, which ends at end + Δ', () => {
    // Previous covers [0.5 s, 3.5 s): samples at 0.5, 1.5, 2.5 s at 1 Hz. New: 10 samples from 0.
    const previous = [seen(seg(S / 2, 3), T1)];
    const pieces = carryFirstSeen(previous, [seg(0, 10)], NOW);
    expect(pieces.map((p) => [p.start / S, p.samples, p.firstSeen])).toEqual([
      [0, 1, NOW], // t = 0
      [1, 3, T1], // t = 1, 2, 3 (3 s < 3.5 s)
      [4, 6, NOW],
    ]);
  });

  it('splits a jittered joined segment so that it re-joins exactly', () => {
    // 100 Hz: two records, the second 3 µs late; joined: 20 samples from 0 to 190 003 µs.
    const [joined] = joinSegments([seg(0, 10, 100), seg(100_003, 10, 100)]);
    const pieces = carryFirstSeen([seen(seg(0, 10, 100), T1)], [joined!], NOW);
    expect(pieces.map((p) => [p.start, p.samples, p.firstSeen])).toEqual([
      [0, 10, T1],
      [100_002, 10, NOW], // the evenly spread sample times of the joined segment, rounded
    ]);
    expect(joinSegments(pieces.map(({ firstSeen: _f, ...s }) => s))).toEqual([joined]);
  });

  it('keeps the extra fields of the new segments', () => {
    const next = [{ ...seg(0, 10), network: 'IU', source: 'a.mseed' }];
    const [piece] = carryFirstSeen([], next, NOW);
    expect(piece).toMatchObject({ network: 'IU', source: 'a.mseed', firstSeen: NOW });
  });

  it('pieces are all old or all new, with the earliest covering firstSeen, and re-join to the segments (property)', () => {
    const segmentArb = (rate: number) =>
      fc.record({ slot: fc.integer({ min: 0, max: 300 }), samples: fc.integer({ min: 1, max: 60 }), offset: fc.integer({ min: 0, max: DELTA[rate]! - 1 }) });
    fc.assert(
      fc.property(
        fc.constantFrom(1, 20, 40, 100, 200, 0.1).chain((rate) =>
          fc.record({
            rate: fc.constant(rate),
            previous: fc.array(fc.record({ s: segmentArb(rate), firstSeen: fc.integer({ min: 1, max: 5 }) }), { maxLength: 6 }),
            next: fc.array(segmentArb(rate), { maxLength: 4 }),
          }),
        ),
        ({ rate, previous, next }) => {
          const delta = DELTA[rate]!;
          const previousSegments = previous.map((p) => seen(seg(p.s.slot * delta + p.s.offset, p.s.samples, rate), p.firstSeen * S));
          const nextSegments = next.map((s) => seg(s.slot * delta, s.samples, rate, 'M'));
          const pieces = carryFirstSeen(previousSegments, nextSegments, NOW);
          // Brute force: each sample's label from the previous segments' covered intervals.
          const label = (t: number): number => {
            let best = Infinity;
            for (const p of previousSegments) if (p.start <= t && t < p.end + delta && p.firstSeen < best) best = p.firstSeen;
            return best === Infinity ? NOW : best;
          };
          for (const piece of pieces) {
            for (let k = 0; k < piece.samples; k++) expect(label(piece.start + k * delta)).toBe(piece.firstSeen);
          }
          // Per new segment: the pieces tile it and re-join to it exactly.
          let i = 0;
          for (const segment of nextSegments) {
            const own: typeof pieces = [];
            let total = 0;
            while (total < segment.samples) {
              const piece = pieces[i++]!;
              own.push(piece);
              total += piece.samples;
            }
            expect(total).toBe(segment.samples);
            expect(own[0]!.start).toBe(segment.start);
            expect(own[own.length - 1]!.end).toBe(segment.end);
            own.forEach((p, j) => {
              if (j > 0) {
                expect(p.start).toBe(own[j - 1]!.end + delta);
                expect(p.firstSeen).not.toBe(own[j - 1]!.firstSeen);
              }
            });
            expect(joinSegments(own.map(({ firstSeen: _f, ...s }) => s))).toEqual([segment]);
          }
          expect(i).toBe(pieces.length);
        },
      ),
      { numRuns: 300 },
    );
  });
});
