import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Micros } from '@lacuna/core';
import { dominantState, percentOfParts, reduceSpans, SpanBuilder, SPAN_STATES, type Span, type SpanState } from './spans.ts';

/** Run-length encoding of pieces given in time order, through SpanBuilder (touching pieces of one state merge). */
function runLength(pieces: readonly { start: Micros; end: Micros; state: SpanState }[]): Span[] {
  const builder = new SpanBuilder();
  for (const piece of pieces) builder.push(piece.start, piece.end, piece.state);
  return builder.spans;
}

const W = { start: 1_000_000, end: 1_000_000 + 1000 * 60_000_000 }; // 1000 minutes

/** Time of each state inside [a, b) of the input row, computed directly from the input. */
function timeIn(row: readonly Span[], a: number, b: number): Partial<Record<SpanState, number>> {
  const parts: Partial<Record<SpanState, number>> = {};
  for (const span of row) {
    const overlap = Math.min(b, span.end) - Math.max(a, span.start);
    if (overlap > 0) parts[span.state as SpanState] = (parts[span.state as SpanState] ?? 0) + overlap;
  }
  return parts;
}

const rowArbitrary = fc
  .array(fc.record({ width: fc.integer({ min: 1, max: 5_000_000_000 }), state: fc.constantFrom(...SPAN_STATES) }), { minLength: 1, maxLength: 300 })
  .map((pieces) => {
    // Scale the widths to tile W exactly.
    const total = pieces.reduce((sum, p) => sum + p.width, 0);
    let at = W.start;
    const tiled = pieces.map((p, i) => {
      const end = i === pieces.length - 1 ? W.end : Math.max(at + 1, Math.min(W.end - (pieces.length - 1 - i), at + Math.round((p.width * (W.end - W.start)) / total)));
      const piece = { start: at, end, state: p.state };
      at = end;
      return piece;
    });
    return runLength(tiled.filter((p) => p.end > p.start));
  });

describe('runLength', () => {
  it('merges touching pieces of one state and keeps the rest', () => {
    expect(
      runLength([
        { start: 0, end: 5, state: 'present' },
        { start: 5, end: 9, state: 'present' },
        { start: 9, end: 10, state: 'missing' },
        { start: 10, end: 12, state: 'present' },
      ]),
    ).toEqual([
      { start: 0, end: 9, state: 'present' },
      { start: 9, end: 10, state: 'missing' },
      { start: 10, end: 12, state: 'present' },
    ]);
  });
});

describe('reduceSpans', () => {
  it('keeps a row whose spans are all at least a pixel wide as it is, exact times included', () => {
    const row: Span[] = [
      { start: W.start, end: W.start + 400 * 60e6, state: 'present' },
      { start: W.start + 400 * 60e6, end: W.start + 400 * 60e6 + 61e6, state: 'missing' },
      { start: W.start + 400 * 60e6 + 61e6, end: W.end, state: 'present' },
    ];
    expect(reduceSpans(row, W, 1000)).toEqual(row);
  });

  it('turns a gap narrower than a pixel into a mixed pixel at its start with the right percent', () => {
    const gapStart = W.start + 400 * 60e6 + 7;
    const row: Span[] = [
      { start: W.start, end: gapStart, state: 'present' },
      { start: gapStart, end: gapStart + 15e6, state: 'missing' },
      { start: gapStart + 15e6, end: W.end, state: 'present' },
    ];
    const reduced = reduceSpans(row, W, 1000); // pixel = 60 s
    expect(reduced).toEqual([
      { start: W.start, end: gapStart, state: 'present' },
      { start: gapStart, end: gapStart + 60e6, state: 'mixed', percent: 75, parts: { missing: 15e6, present: 45e6 } },
      { start: gapStart + 60e6, end: W.end, state: 'present' },
    ]);
  });

  it('merges a narrow run at the end of the row into the span before it', () => {
    const row: Span[] = [
      { start: W.start, end: W.end - 10e6, state: 'present' },
      { start: W.end - 10e6, end: W.end, state: 'missing' },
    ];
    const [only] = reduceSpans(row, W, 1000);
    expect(only).toMatchObject({ start: W.start, end: W.end, state: 'mixed' });
    expect(only.percent).toBeCloseTo((100 * (W.end - 10e6 - W.start)) / (W.end - W.start), 10);
  });

  it('gives at most maxPoints spans tiling the window, each mixed percent right, wide spans untouched', () => {
    fc.assert(
      fc.property(rowArbitrary, fc.integer({ min: 1, max: 2000 }), (row, maxPoints) => {
        const reduced = reduceSpans(row, W, maxPoints);
        const pixel = (W.end - W.start) / maxPoints;
        expect(reduced.length).toBeLessThanOrEqual(maxPoints);
        expect(reduced[0].start).toBe(W.start);
        expect(reduced[reduced.length - 1].end).toBe(W.end);
        for (let i = 1; i < reduced.length; i++) expect(reduced[i].start).toBe(reduced[i - 1].end);
        for (const span of reduced) {
          expect(span.end - span.start).toBeGreaterThanOrEqual(Math.min(pixel, W.end - W.start) - 1e-6);
          const inside = timeIn(row, span.start, span.end);
          if (span.state === 'mixed') {
            const expected = percentOfParts(inside);
            if (expected === null) expect(span.percent).toBeNull();
            else expect(span.percent).toBeCloseTo(expected, 6);
          } else {
            // A solid span holds only its own state.
            expect(Object.keys(inside)).toEqual([span.state]);
          }
        }
        // Spans at least a pixel wide whose neighbours are too keep their exact times.
        for (let i = 1; i + 1 < row.length; i++) {
          const [a, b, c] = [row[i - 1], row[i], row[i + 1]];
          if ([a, b, c].every((s) => s.end - s.start >= pixel)) expect(reduced).toContainEqual(b);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('mixed span helpers', () => {
  it('percent counts present and sparse time over expected time', () => {
    expect(percentOfParts({ present: 30, sparse2: 10, missing: 60, not_expected: 1000 })).toBe(40);
    expect(percentOfParts({ not_expected: 10 })).toBeNull();
  });
  it('dominant state is the one holding the most time', () => {
    expect(dominantState({ present: 30, missing: 31 })).toBe('missing');
    expect(dominantState({ sparse1: 5, not_expected: 5 })).toBe('sparse1');
  });
});
