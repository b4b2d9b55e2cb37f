/**
 * Span states of the availability timeline (the API's names), as small integer codes so a row's
 * spans fit in typed arrays, and the colour keys the drawing code looks up in a palette.
 */

export const SPAN_STATE_NAMES = ['present', 'missing', 'sparse1', 'sparse2', 'sparse3', 'not_expected', 'mixed', 'overlap', 'pending'] as const;
export type SpanStateName = (typeof SPAN_STATE_NAMES)[number];

export const SpanState = { Present: 0, Missing: 1, Sparse1: 2, Sparse2: 3, Sparse3: 4, NotExpected: 5, Mixed: 6, Overlap: 7, Pending: 8 } as const;
export type SpanState = (typeof SpanState)[keyof typeof SpanState];

/** Colour keys: the states, then missing time split by gap length (when that option is on). */
export const ColorKey = { ...SpanState, ShortGap: 9, LongGap: 10 } as const;
export type ColorKey = (typeof ColorKey)[keyof typeof ColorKey];

export const COLOR_KEY_COUNT = 11;

/** Names of the colour keys, as panel options and legends name them. */
export const COLOR_KEY_NAMES = [...SPAN_STATE_NAMES, 'short_gap', 'long_gap'] as const;
export type ColorKeyName = (typeof COLOR_KEY_NAMES)[number];

const STATE_BY_NAME = new Map<unknown, SpanState>(SPAN_STATE_NAMES.map((name, index) => [name, index as SpanState]));

export function spanStateFromName(name: unknown): SpanState | undefined {
  return STATE_BY_NAME.get(name);
}

export const SPAN_STATE_LABELS: Record<SpanStateName, string> = {
  present: 'Present',
  missing: 'Missing',
  sparse1: 'Sparse (spacing 1–1.5 Δ)',
  sparse2: 'Sparse (spacing 1.5–2 Δ)',
  sparse3: 'Sparse (spacing ≥ 2 Δ)',
  not_expected: 'Not expected',
  mixed: 'Mixed (several states in a pixel)',
  overlap: 'Overlap (covered twice)',
  pending: 'Not yet arrived (within the expected latency)',
};

/** Names of every colour key, for legends and the panel options. */
export const COLOR_KEY_LABELS: Record<ColorKeyName, string> = {
  present: 'Present',
  missing: 'Missing',
  sparse1: 'Sparse 1–1.5Δ',
  sparse2: 'Sparse 1.5–2Δ',
  sparse3: 'Sparse ≥ 2Δ',
  not_expected: 'Not expected',
  mixed: 'Mixed',
  overlap: 'Overlap',
  pending: 'Not yet arrived',
  short_gap: 'Short gap',
  long_gap: 'Long gap',
};

/**
 * Which colour wins a pixel that several spans share: a one-second gap in a month must still
 * show, so missing time beats overlaps, which beat sparse time, which beats mixed, present,
 * not-yet-arrived and not-expected time.
 */
export const COLOR_PRIORITY: readonly number[] = (() => {
  const priority = new Array<number>(COLOR_KEY_COUNT);
  priority[ColorKey.NotExpected] = 0;
  priority[ColorKey.Pending] = 1;
  priority[ColorKey.Present] = 2;
  priority[ColorKey.Mixed] = 3;
  priority[ColorKey.Sparse1] = 4;
  priority[ColorKey.Sparse2] = 5;
  priority[ColorKey.Sparse3] = 6;
  priority[ColorKey.Overlap] = 7;
  priority[ColorKey.ShortGap] = 8;
  priority[ColorKey.Missing] = 9;
  priority[ColorKey.LongGap] = 10;
  return priority;
})();
