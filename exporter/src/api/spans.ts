/**
 * Timeline spans: run-length encoding of states over a window, and the reduction of a row for a
 * panel `maxPoints` pixels wide. Pure functions.
 */
import type { Micros } from '@lacuna/core';
import type { Interval } from '@lacuna/core';

/**
 * What a stretch of a channel's time is (docs/definitions.md: coverage, expected time, sparsity states;
 * core notYetArrivedFrom):
 * covered: `present`, `sparse1..3` (by sample completeness), `overlap` (covered by two copies);
 * not covered: `missing` (expected and due), `pending` (expected, not yet arrived: within the
 * channel's expected latency), `not_expected` (outside the metadata epochs).
 */
export type SpanState = 'present' | 'sparse1' | 'sparse2' | 'sparse3' | 'overlap' | 'missing' | 'pending' | 'not_expected';

export const SPAN_STATES: readonly SpanState[] = ['present', 'sparse1', 'sparse2', 'sparse3', 'overlap', 'missing', 'pending', 'not_expected'];

/** States whose time is covered by data. */
export function isCovered(state: SpanState): boolean {
  return state === 'present' || state === 'sparse1' || state === 'sparse2' || state === 'sparse3' || state === 'overlap';
}

export interface Span {
  start: Micros;
  end: Micros;
  state: SpanState | 'mixed';
  /** Mixed spans: 100 × covered / (covered + missing) time inside the span; null when neither is there. */
  percent?: number | null;
  /** Mixed spans: µs of each state inside the span. */
  parts?: Partial<Record<SpanState, number>>;
  /** Missing and mixed spans: the samples the missing time inside would hold, at the channel's rate. */
  missingSamples?: number;
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

/** 100 × covered / (covered + missing) of a mixed span's parts; null when there is neither (not-expected or not-yet-arrived time only). */
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

/** Spans narrower than a pixel gathered into one. */
class Group {
  readonly members: Span[] = [];

  get width(): number {
    return this.members.length === 0 ? 0 : this.members[this.members.length - 1].end - this.members[0].start;
  }

  /** The one span, as it is; several: a mixed span with the time of each state and their missing samples. */
  span(): Span {
    if (this.members.length === 1) return { ...this.members[0] };
    const parts: Partial<Record<SpanState, number>> = {};
    let missingSamples = 0;
    for (const member of this.members) {
      if (member.state === 'mixed') {
        for (const [state, time] of Object.entries(member.parts ?? {}) as [SpanState, number][]) parts[state] = (parts[state] ?? 0) + time;
      } else {
        parts[member.state] = (parts[member.state] ?? 0) + member.end - member.start;
      }
      missingSamples += member.missingSamples ?? 0;
    }
    const mixed: Span = { start: this.members[0].start, end: this.members[this.members.length - 1].end, state: 'mixed', percent: percentOfParts(parts), parts };
    if (parts.missing !== undefined) mixed.missingSamples = missingSamples;
    return mixed;
  }
}

/**
 * Reduces a row of contiguous spans (in time order, tiling the window, run-length encoded) for a
 * panel `maxPoints` pixels wide, without hiding anything: a pixel is p = (window length) /
 * maxPoints. Every span keeps its exact times and state, except where several spans narrower
 * than a pixel follow each other: those are gathered, in time order, into `mixed` spans at most
 * one pixel wide (a group closes when the next narrow span would make it wider), carrying the
 * time of each state, percent and missing samples. A narrow span alone between wide ones stays
 * as it is (a one-sample gap in a month is a `missing` span, drawn at least a device pixel
 * wide), and no wide span lends time to a mixed one. Any two neighbours of the result together
 * are wider than a pixel, so a row has at most 2 × maxPoints spans.
 */
export function reduceSpans(spans: readonly Span[], window: Interval, maxPoints: number): Span[] {
  const pixel = (window.end - window.start) / maxPoints;
  if (!(pixel > 0)) return spans.map((span) => ({ ...span }));
  const out: Span[] = [];
  let group = new Group();
  const close = () => {
    if (group.members.length > 0) out.push(group.span());
    group = new Group();
  };
  for (const span of spans) {
    const width = span.end - span.start;
    if (width >= pixel) {
      close();
      out.push({ ...span });
      continue;
    }
    if (group.width + width > pixel) close();
    group.members.push(span);
  }
  close();
  return out;
}
