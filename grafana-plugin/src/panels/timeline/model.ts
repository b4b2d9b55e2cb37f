/**
 * Data frames → the timeline's plain model, pure. One row per channel with its spans in typed
 * arrays (thousands of rows × hundreds of spans stay compact and fast to scan), and the row's
 * figures: % present, gap count, longest gap.
 */
import type { DataFrame } from '@grafana/data';
import { splitChannelId, type ChannelParts } from '../../shared/channel';
import { fieldValues, FrameKind, framesOfKind, lacunaMeta } from '../../shared/frames';
import { SpanState, spanStateFromName } from '../../shared/states';
import { MICROS_PER_MS, MICROS_PER_SECOND } from '../../shared/time';

export interface TimelineRow extends ChannelParts {
  /** `NET.STA.LOC.CHA`. */
  id: string;
  /** Percent of the expected time that is present; null when nothing was expected. */
  percent: number | null;
  gaps: number;
  longestGapUs: number;
  /** Time of the newest sample, µs ("no data since …"); null: without data, or not given. */
  lastSampleUs: number | null;
  /** Spans in time order: start and end µs, state code, percent present and missing samples (NaN: not given). */
  starts: Float64Array;
  ends: Float64Array;
  states: Uint8Array;
  spanPercent: Float32Array;
  missingSamples: Float64Array;
  /** Mixed spans: the missing time inside, µs (NaN: none or not given). */
  missingUs: Float64Array;
}

export interface TimelineModel {
  rows: TimelineRow[];
  /** The window the data was asked for, µs (null when no frame says). */
  fromUs: number | null;
  toUs: number | null;
}

/** Code of a state this panel does not know: such spans are left out. */
const UNKNOWN_STATE = 255;

interface RowFigures {
  percent: number | null;
  gaps: number;
  longestGapUs: number;
  lastSampleUs: number | null;
}

function microsColumn(frame: DataFrame, microsName: string, msName: string): ArrayLike<number> | undefined {
  const micros = fieldValues<number>(frame, microsName);
  if (micros) return micros;
  const ms = fieldValues<number>(frame, msName);
  if (!ms) return undefined;
  return Array.from(ms, (value) => Math.round(value * MICROS_PER_MS));
}

/** Figures from the spans alone, for frames that came without the per-channel frame. */
export function figuresFromSpans(row: Pick<TimelineRow, 'starts' | 'ends' | 'states' | 'spanPercent'>): RowFigures {
  let lastCoveredUs: number | null = null;
  let covered = 0;
  let expected = 0;
  let gaps = 0;
  let longestGapUs = 0;
  for (let i = 0; i < row.starts.length; i++) {
    const length = row.ends[i] - row.starts[i];
    switch (row.states[i]) {
      case SpanState.Missing:
        expected += length;
        gaps++;
        longestGapUs = Math.max(longestGapUs, length);
        break;
      case SpanState.Mixed:
        if (!Number.isNaN(row.spanPercent[i])) {
          expected += length;
          covered += (length * row.spanPercent[i]) / 100;
        }
        break;
      case SpanState.NotExpected:
      case SpanState.Pending:
        break;
      default:
        expected += length;
        covered += length;
        lastCoveredUs = row.ends[i];
    }
  }
  return { percent: expected > 0 ? (100 * covered) / expected : null, gaps, longestGapUs, lastSampleUs: lastCoveredUs };
}

function sortSpans(row: TimelineRow): void {
  const n = row.starts.length;
  let sorted = true;
  for (let i = 1; i < n && sorted; i++) sorted = row.starts[i - 1] <= row.starts[i];
  if (sorted) return;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => row.starts[a] - row.starts[b]);
  const starts = row.starts.slice();
  const ends = row.ends.slice();
  const states = row.states.slice();
  const percent = row.spanPercent.slice();
  const missing = row.missingSamples.slice();
  const missingUs = row.missingUs.slice();
  order.forEach((from, to) => {
    row.starts[to] = starts[from];
    row.ends[to] = ends[from];
    row.states[to] = states[from];
    row.spanPercent[to] = percent[from];
    row.missingSamples[to] = missing[from];
    row.missingUs[to] = missingUs[from];
  });
}

function emptyRow(id: string): TimelineRow {
  return {
    id,
    ...splitChannelId(id),
    percent: null,
    gaps: 0,
    longestGapUs: 0,
    lastSampleUs: null,
    starts: new Float64Array(0),
    ends: new Float64Array(0),
    states: new Uint8Array(0),
    spanPercent: new Float32Array(0),
    missingSamples: new Float64Array(0),
    missingUs: new Float64Array(0),
  };
}

export function buildTimelineModel(frames: readonly DataFrame[]): TimelineModel {
  const rows = new Map<string, TimelineRow>();
  const figures = new Map<string, RowFigures>();
  let fromUs: number | null = null;
  let toUs: number | null = null;
  const widenWindow = (frame: DataFrame) => {
    const meta = lacunaMeta(frame);
    if (meta?.fromUs !== undefined) fromUs = fromUs === null ? meta.fromUs : Math.min(fromUs, meta.fromUs);
    if (meta?.toUs !== undefined) toUs = toUs === null ? meta.toUs : Math.max(toUs, meta.toUs);
  };

  for (const frame of framesOfKind(frames, FrameKind.TimelineRows)) {
    widenWindow(frame);
    const channel = fieldValues<string>(frame, 'channel');
    if (!channel) continue;
    const percent = fieldValues<number | null>(frame, 'percent');
    const gaps = fieldValues<number | null>(frame, 'gaps');
    const longest = fieldValues<number | null>(frame, 'longest_gap');
    const lastSample = microsColumn(frame, 'last_sample_us', 'last_sample');
    for (let i = 0; i < frame.length; i++) {
      const id = channel[i];
      if (!rows.has(id)) rows.set(id, emptyRow(id));
      figures.set(id, {
        percent: percent?.[i] ?? null,
        gaps: gaps?.[i] ?? 0,
        longestGapUs: (longest?.[i] ?? 0) * MICROS_PER_SECOND,
        lastSampleUs: lastSample?.[i] ?? null,
      });
    }
  }

  for (const frame of framesOfKind(frames, FrameKind.TimelineSpans)) {
    widenWindow(frame);
    const channel = fieldValues<string>(frame, 'channel');
    const starts = microsColumn(frame, 'start_us', 'start');
    const ends = microsColumn(frame, 'end_us', 'end');
    const states = fieldValues<string>(frame, 'state');
    const percent = fieldValues<number | null>(frame, 'percent');
    const missingSamples = fieldValues<number | null>(frame, 'missing_samples');
    const missingUs = fieldValues<number | null>(frame, 'missing_us');
    if (!channel || !starts || !ends || !states) continue;

    // Two passes: count each channel's spans, then fill typed arrays of exactly that size. Spans
    // of one channel come one after another, so map lookups happen once per run, not per span.
    const counts = new Map<string, number>();
    let runChannel: string | undefined;
    let runCount = 0;
    const closeRun = () => {
      if (runChannel !== undefined) counts.set(runChannel, (counts.get(runChannel) ?? 0) + runCount);
    };
    const codes = new Uint8Array(frame.length);
    for (let i = 0; i < frame.length; i++) {
      const state = spanStateFromName(states[i]);
      codes[i] = state ?? UNKNOWN_STATE;
      if (state === undefined) continue;
      if (channel[i] !== runChannel) {
        closeRun();
        runChannel = channel[i];
        runCount = 0;
      }
      runCount++;
    }
    closeRun();
    const filled = new Map<string, number>();
    for (const [id, count] of counts) {
      const existing = rows.get(id) ?? emptyRow(id);
      const offset = existing.starts.length;
      rows.set(id, {
        ...existing,
        starts: grow(existing.starts, offset + count),
        ends: grow(existing.ends, offset + count),
        states: growBytes(existing.states, offset + count),
        spanPercent: growFloats(existing.spanPercent, offset + count),
        missingSamples: grow(existing.missingSamples, offset + count),
        missingUs: grow(existing.missingUs, offset + count),
      });
      filled.set(id, offset);
    }
    let row: TimelineRow | undefined;
    let at = 0;
    for (let i = 0; i < frame.length; i++) {
      const state = codes[i];
      if (state === UNKNOWN_STATE) continue;
      if (row === undefined || channel[i] !== row.id) {
        if (row !== undefined) filled.set(row.id, at);
        row = rows.get(channel[i])!;
        at = filled.get(row.id)!;
      }
      row.starts[at] = starts[i];
      row.ends[at] = ends[i];
      row.states[at] = state;
      const p = percent?.[i];
      row.spanPercent[at] = p === null || p === undefined ? NaN : p;
      row.missingSamples[at] = missingSamples?.[i] ?? NaN;
      row.missingUs[at] = missingUs?.[i] ?? NaN;
      at++;
    }
    if (row !== undefined) filled.set(row.id, at);
  }

  for (const row of rows.values()) {
    sortSpans(row);
    Object.assign(row, figures.get(row.id) ?? figuresFromSpans(row));
  }
  return { rows: [...rows.values()], fromUs, toUs };
}

function grow(values: Float64Array, size: number): Float64Array {
  const out = new Float64Array(size);
  out.set(values);
  return out;
}

function growBytes(values: Uint8Array, size: number): Uint8Array {
  const out = new Uint8Array(size);
  out.set(values);
  return out;
}

function growFloats(values: Float32Array, size: number): Float32Array {
  const out = new Float32Array(size);
  out.set(values);
  return out;
}
