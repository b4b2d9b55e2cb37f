/**
 * Data frames → the completion map's plain model, pure: channels × buckets of percent present
 * (and sample completeness) in flat typed arrays, NaN where nothing was expected or no value came.
 */
import type { DataFrame } from '@grafana/data';
import { splitChannelId, type ChannelParts } from '../../shared/channel';
import { fieldValues, FrameKind, framesOfKind, lacunaMeta } from '../../shared/frames';
import { MICROS_PER_DAY, MICROS_PER_HOUR, MICROS_PER_MS } from '../../shared/time';

export interface CompletionRow extends ChannelParts {
  id: string;
  /** Row index into the model's value arrays. */
  index: number;
}

export interface CompletionModel {
  rows: CompletionRow[];
  /** Bucket starts, µs, ascending. */
  columns: Float64Array;
  bucket: 'day' | 'hour';
  bucketUs: number;
  /** percent[row * columns.length + column]; NaN: no value. */
  percent: Float32Array;
  /** Sample completeness in percent, same layout. */
  completeness: Float32Array;
  /** Share of each bucket not yet arrived (0..1), same layout. */
  pending: Float32Array;
  /** 1 where data overlaps in the bucket, same layout. */
  overlaps: Uint8Array;
}

export function emptyCompletion(): CompletionModel {
  return {
    rows: [],
    columns: new Float64Array(0),
    bucket: 'day',
    bucketUs: MICROS_PER_DAY,
    percent: new Float32Array(0),
    completeness: new Float32Array(0),
    pending: new Float32Array(0),
    overlaps: new Uint8Array(0),
  };
}

export function buildCompletionModel(frames: readonly DataFrame[]): CompletionModel {
  const completionFrames = framesOfKind(frames, FrameKind.Completion);
  const rowIndex = new Map<string, number>();
  const columnSet = new Set<number>();
  let bucket: 'day' | 'hour' = 'day';
  const readable: Array<{ frame: DataFrame; channel: ArrayLike<string>; starts: ArrayLike<number> }> = [];
  for (const frame of completionFrames) {
    if (lacunaMeta(frame)?.bucket === 'hour') bucket = 'hour';
    const channel = fieldValues<string>(frame, 'channel');
    const micros = fieldValues<number>(frame, 'bucket_us');
    const ms = fieldValues<number>(frame, 'bucket');
    const starts = micros ?? (ms ? Array.from(ms, (v) => Math.round(v * MICROS_PER_MS)) : undefined);
    if (!channel || !starts) continue;
    readable.push({ frame, channel, starts });
    // Rows come one channel after another, each over the same buckets: look up a channel once
    // per run, and a bucket only where it differs from the first run's bucket at that place.
    let runChannel: string | undefined;
    let runStart = 0;
    const firstRun: number[] = [];
    for (let i = 0; i < frame.length; i++) {
      if (channel[i] !== runChannel) {
        runChannel = channel[i];
        runStart = i;
        if (!rowIndex.has(runChannel)) rowIndex.set(runChannel, rowIndex.size);
      }
      const place = i - runStart;
      if (rowIndex.size === 1 && place === firstRun.length) {
        firstRun.push(starts[i]);
        columnSet.add(starts[i]);
      } else if (firstRun[place] !== starts[i]) {
        columnSet.add(starts[i]);
      }
    }
  }
  if (rowIndex.size === 0) return emptyCompletion();

  const columns = Float64Array.from([...columnSet].sort((a, b) => a - b));
  const columnIndex = new Map<number, number>();
  columns.forEach((start, i) => columnIndex.set(start, i));
  const size = rowIndex.size * columns.length;
  const percent = new Float32Array(size).fill(NaN);
  const completeness = new Float32Array(size).fill(NaN);
  const pending = new Float32Array(size);
  const overlaps = new Uint8Array(size);
  for (const { frame, channel, starts } of readable) {
    const p = fieldValues<number | null>(frame, 'percent');
    const c = fieldValues<number | null>(frame, 'completeness');
    const notYet = fieldValues<number | null>(frame, 'not_yet_arrived');
    const overlap = fieldValues<number | null>(frame, 'overlap');
    let runChannel: string | undefined;
    let rowOffset = 0;
    let column = -1;
    for (let i = 0; i < frame.length; i++) {
      if (channel[i] !== runChannel) {
        runChannel = channel[i];
        rowOffset = rowIndex.get(runChannel)! * columns.length;
        column = -1;
      }
      // Buckets usually follow in column order: check the next column before asking the map.
      column = columns[column + 1] === starts[i] ? column + 1 : columnIndex.get(starts[i])!;
      const at = rowOffset + column;
      const pv = p?.[i];
      const cv = c?.[i];
      if (pv !== null && pv !== undefined) percent[at] = pv;
      if (cv !== null && cv !== undefined) completeness[at] = cv;
      pending[at] = notYet?.[i] ?? 0;
      overlaps[at] = overlap?.[i] ? 1 : 0;
    }
  }
  const rows = [...rowIndex.entries()].map(([id, index]) => ({ id, index, ...splitChannelId(id) }));
  return { rows, columns, bucket, bucketUs: bucket === 'day' ? MICROS_PER_DAY : MICROS_PER_HOUR, percent, completeness, pending, overlaps };
}
