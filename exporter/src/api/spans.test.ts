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

  it('keeps a lone gap narrower than a pixel as a missing span at its exact times (a one-sample gap in a month stays red)', () => {
    const gapStart = W.start + 400 * 60e6 + 7;
    const row: Span[] = [
      { start: W.start, end: gapStart, state: 'present' },
      { start: gapStart, end: gapStart + 15e6, state: 'missing', missingSamples: 15 },
      { start: gapStart + 15e6, end: W.end, state: 'present' },
    ];
    expect(reduceSpans(row, W, 1000)).toEqual(row); // pixel = 60 s
  });

  it('keeps the few minutes not yet arrived at the end of a 21-day row apart from the weeks before (the purple rows of the demo)', () => {
    const days21 = { start: 0, end: 21 * 86_400e6 };
    const row: Span[] = [
      { start: 0, end: days21.end - 300e6, state: 'present' },
      { start: days21.end - 300e6, end: days21.end, state: 'pending' },
    ];
    expect(reduceSpans(row, days21, 1000)).toEqual(row);
    const late: Span[] = [
      { start: 0, end: days21.end - 900e6, state: 'present' },
      { start: days21.end - 900e6, end: days21.end - 600e6, state: 'missing', missingSamples: 300 },
      { start: days21.end - 600e6, end: days21.end, state: 'pending' },
    ];
    const reduced = reduceSpans(late, days21, 1000);
    expect(reduced[0]).toEqual(late[0]);
    expect(reduced[1]).toMatchObject({ start: days21.end - 900e6, end: days21.end, state: 'mixed', percent: 0, missingSamples: 300, parts: { missing: 300e6, pending: 600e6 } });
  });

  it('gathers hourly one-sample gaps only where several share a pixel, each mixed span at most a pixel wide', () => {
    // 720 one-second gaps, one an hour, over 30 days at 1000 points (43.2 min a pixel): the
    // hours between are wider than a pixel, so every gap stays its own missing span.
    const days30 = { start: 0, end: 30 * 86_400e6 };
    const row: Span[] = [];
    for (let h = 0; h < 720; h++) {
      row.push({ start: h * 3600e6, end: h * 3600e6 + 3599e6, state: 'present' }, { start: h * 3600e6 + 3599e6, end: (h + 1) * 3600e6, state: 'missing', missingSamples: 1 });
    }
    const reduced = reduceSpans(row, days30, 1000);
    expect(reduced.filter((span) => span.state === 'missing')).toHaveLength(720);
    expect(reduced.some((span) => span.state === 'mixed')).toBe(false);
    // At 100 points (7.2 h a pixel) the hours are narrow too: mixed spans, none wider than a pixel, every gap's samples counted.
    const coarse = reduceSpans(row, days30, 100);
    const pixel = (days30.end - days30.start) / 100;
    expect(coarse.every((span) => span.state === 'mixed' && span.end - span.start <= pixel)).toBe(true);
    expect(coarse.reduce((sum, span) => sum + (span.missingSamples ?? 0), 0)).toBe(720);
  });

  it('tiles the window with at most 2 × maxPoints spans; mixed ones hold several narrow spans in at most a pixel; nothing else changes', () => {
    fc.assert(
      fc.property(rowArbitrary, fc.integer({ min: 1, max: 2000 }), (row, maxPoints) => {
        const reduced = reduceSpans(row, W, maxPoints);
        const pixel = (W.end - W.start) / maxPoints;
        expect(reduced.length).toBeLessThanOrEqual(2 * maxPoints);
        expect(reduced[0].start).toBe(W.start);
        expect(reduced[reduced.length - 1].end).toBe(W.end);
        for (let i = 1; i < reduced.length; i++) expect(reduced[i].start).toBe(reduced[i - 1].end);
        for (const span of reduced) {
          const inside = timeIn(row, span.start, span.end);
          if (span.state === 'mixed') {
            expect(span.end - span.start).toBeLessThanOrEqual(pixel);
            expect(Object.keys(inside).length).toBeGreaterThan(1);
            const expected = percentOfParts(inside);
            if (expected === null) expect(span.percent).toBeNull();
            else expect(span.percent).toBeCloseTo(expected, 6);
          } else {
            // Any other span is one of the row's, untouched.
            expect(row).toContainEqual(span);
          }
        }
        // Spans at least a pixel wide keep their exact times.
        for (const span of row) if (span.end - span.start >= pixel) expect(reduced).toContainEqual(span);
      }),
      { numRuns: 300 },
    );
  });
});

describe('mixed span helpers', () => {
  it('percent counts present and sparse time over expected time', () => {
    expect(percentOfParts({ present: 30, sparse2: 10, missing: 60, not_expected: 1000, pending: 500 })).toBe(40);
    expect(percentOfParts({ overlap: 10, missing: 10 })).toBe(50);
    expect(percentOfParts({ not_expected: 10 })).toBeNull();
  });
  it('dominant state is the one holding the most time', () => {
    expect(dominantState({ present: 30, missing: 31 })).toBe('missing');
    expect(dominantState({ sparse1: 5, not_expected: 5 })).toBe('sparse1');
  });
});
