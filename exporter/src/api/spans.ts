/**
 * Timeline spans: run-length encoding of states over a window, and the reduction of a row to at
 * most `maxPoints` spans for a panel `maxPoints` pixels wide. Pure functions.
 */
import type { Micros } from '@lacuna/core';
import type { Interval } from '@lacuna/core';

/** What a stretch of a channel's time is (DESIGN.md: coverage, expected time, sparsity states). */
export type SpanState = 'present' | 'sparse1' | 'sparse2' | 'sparse3' | 'missing' | 'not_expected';

export const SPAN_STATES: readonly SpanState[] = ['present', 'sparse1', 'sparse2', 'sparse3', 'missing', 'not_expected'];

/** States whose time is covered by data. */
export function isCovered(state: SpanState): boolean {
  return state === 'present' || state === 'sparse1' || state === 'sparse2' || state === 'sparse3';
}

export interface Span {
  start: Micros;
  end: Micros;
  state: SpanState | 'mixed';
  /** Mixed spans: 100 × covered / expected time inside the span; null when none of it is expected. */
  percent?: number | null;
  /** Mixed spans: µs of each state inside the span. */
  parts?: Partial<Record<SpanState, number>>;
}

/** Collects spans in time order, merging a span into the previous one when it continues it with the same state. */
export class SpanBuilder {
  readonly spans: Span[] = [];

  push(start: Micros, end: Micros, state: SpanState): void {
    if (end <= start) return;
    const last = this.spans[this.spans.length - 1];
    if (last !== undefined && last.state === state && last.end === start) {
      last.end = end;
      return;
    }
    this.spans.push({ start, end, state });
  }
}

/** 100 × covered / (covered + missing) of a mixed span's parts; null when nothing is expected. */
export function percentOfParts(parts: Partial<Record<SpanState, number>>): number | null {
  let covered = 0;
  for (const state of SPAN_STATES) if (isCovered(state)) covered += parts[state] ?? 0;
  const expected = covered + (parts.missing ?? 0);
  return expected > 0 ? (100 * covered) / expected : null;
}

/** The state holding the most time of a mixed span (the first in SPAN_STATES order on a tie). */
export function dominantState(parts: Partial<Record<SpanState, number>>): SpanState {
  let best: SpanState = 'not_expected';
  let most = -1;
  for (const state of SPAN_STATES) {
    const time = parts[state] ?? 0;
    if (time > most) {
      best = state;
      most = time;
    }
  }
  return best;
}

interface Mixed {
  start: Micros;
  end: Micros;
  parts: Partial<Record<SpanState, number>>;
}

function addPart(mixed: Mixed, state: SpanState | 'mixed', micros: number, parts?: Partial<Record<SpanState, number>>): void {
  if (state === 'mixed') {
    for (const [s, time] of Object.entries(parts ?? {}) as [SpanState, number][]) mixed.parts[s] = (mixed.parts[s] ?? 0) + time;
  } else {
    mixed.parts[state] = (mixed.parts[state] ?? 0) + micros;
  }
  mixed.end += micros;
}

function finishMixed(mixed: Mixed): Span {
  const states = Object.keys(mixed.parts) as SpanState[];
  if (states.length === 1) return { start: mixed.start, end: mixed.end, state: states[0] };
  return { start: mixed.start, end: mixed.end, state: 'mixed', percent: percentOfParts(mixed.parts), parts: mixed.parts };
}

/**
 * Reduces a row of contiguous spans (in time order, tiling the window, run-length encoded) to
 * at most `maxPoints` spans. A pixel is p = (window length) / maxPoints. Spans at least one pixel
 * wide stay as they are, with their exact times. Runs of narrower spans merge into `mixed` spans
 * of about one pixel, carrying their percent present and the time of each state; a mixed span
 * still narrower than a pixel takes what it lacks from the start of the next span (or, at the end
 * of the row, merges with the previous span), and a remainder narrower than a pixel goes with it.
 * Every span of the result is then at least one pixel wide, so there are at most maxPoints.
 */
export function reduceSpans(spans: readonly Span[], window: Interval, maxPoints: number): Span[] {
  const pixel = (window.end - window.start) / maxPoints;
  if (!(pixel > 0)) return spans.map((span) => ({ ...span }));
  const out: Span[] = [];
  let mixed: Mixed | null = null;
  const close = () => {
    if (mixed !== null) out.push(finishMixed(mixed));
    mixed = null;
  };
  for (const span of spans) {
    let at = span.start;
    while (at < span.end) {
      const width = span.end - at;
      const m = mixed as Mixed | null;
      if (m !== null && m.end - m.start < pixel) {
        // Fill the open mixed span up to a pixel, or take the whole span if the rest would be narrow.
        let take = Math.min(width, Math.ceil(m.start + pixel - m.end));
        if (width - take < pixel) take = width;
        addPart(m, span.state, take, take === width && at === span.start ? span.parts : scaleParts(span, take));
        at += take;
        continue;
      }
      if (width >= pixel) {
        close();
        out.push(at === span.start ? { ...span } : { start: at, end: span.end, state: span.state });
        at = span.end;
      } else {
        close();
        mixed = { start: at, end: at, parts: {} };
        addPart(mixed, span.state, width, span.parts);
        at = span.end;
      }
    }
  }
  const m = mixed as Mixed | null;
  if (m !== null) {
    const last = out[out.length - 1];
    if (m.end - m.start < pixel && last !== undefined) {
      // Too narrow at the end of the row: merge with the previous span.
      out.pop();
      const merged: Mixed = { start: last.start, end: last.start, parts: {} };
      addPart(merged, last.state, last.end - last.start, last.parts);
      addPart(merged, 'mixed', m.end - m.start, m.parts);
      out.push(finishMixed(merged));
    } else {
      out.push(finishMixed(m));
    }
  }
  return out;
}

/** The parts of the first `micros` of a span (a solid span: that state; a mixed one: its parts scaled). */
function scaleParts(span: Span, micros: number): Partial<Record<SpanState, number>> | undefined {
  if (span.state !== 'mixed') return undefined;
  const total = span.end - span.start;
  const parts: Partial<Record<SpanState, number>> = {};
  for (const [state, time] of Object.entries(span.parts ?? {}) as [SpanState, number][]) parts[state] = (time * micros) / total;
  return parts;
}
