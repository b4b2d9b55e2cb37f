/**
 * The data frames the datasource hands to the panels. Both sides name frames and fields through
 * these constants, so a panel recognises Lacuna's frames wherever they come from (a query, a
 * transformation that kept them, a test).
 */
import type { DataFrame } from '@grafana/data';

export const FrameKind = {
  /** Long format: one row per span: channel, start, end, state, percent, start_us, end_us. */
  TimelineSpans: 'timeline-spans',
  /** One row per channel: channel, network, station, location, code, percent, gaps, longest_gap. */
  TimelineRows: 'timeline-rows',
  /** Long format: one row per channel and bucket: channel, bucket, percent, completeness, bucket_us. */
  Completion: 'completion',
  Gaps: 'gaps',
  Stats: 'stats',
  Latency: 'latency',
  Stations: 'stations',
  Channels: 'channels',
} as const;
export type FrameKind = (typeof FrameKind)[keyof typeof FrameKind];

export interface LacunaFrameMeta {
  lacunaKind: FrameKind;
  /** Completion frames: the bucket size (`day` or `hour`). */
  bucket?: 'day' | 'hour';
  /** The requested window, µs, as the API answered it (the model keeps it; the view draws against the dashboard time range). */
  fromUs?: number;
  toUs?: number;
}

export function lacunaMeta(frame: DataFrame): LacunaFrameMeta | undefined {
  const custom = frame.meta?.custom as Partial<LacunaFrameMeta> | undefined;
  return custom && typeof custom.lacunaKind === 'string' ? (custom as LacunaFrameMeta) : undefined;
}

export function framesOfKind(frames: readonly DataFrame[], kind: FrameKind): DataFrame[] {
  return frames.filter((frame) => lacunaMeta(frame)?.lacunaKind === kind);
}

/** Values of the field named `name`, or undefined when the frame has none. */
export function fieldValues<T>(frame: DataFrame, name: string): ArrayLike<T> | undefined {
  const field = frame.fields.find((f) => f.name === name);
  return field ? (field.values as ArrayLike<T>) : undefined;
}
