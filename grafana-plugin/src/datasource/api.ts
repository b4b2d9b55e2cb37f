/**
 * Lacuna's /api/v1 responses (exporter/src/api/endpoints.ts) as this plugin reads them. Readers
 * take the parsed JSON as `unknown` and return plain, typed records: a missing list is an empty
 * list, a missing number is null, so an empty or partial answer never breaks a panel. Times
 * arrive as µs integers (ISO strings are read too) and leave as µs; durations are seconds.
 */
import { microsFromApiTime } from '../shared/time';

export type ApiRecord = Record<string, unknown>;

function isRecord(value: unknown): value is ApiRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The list a response carries: the response itself when it is an array, else its `key` list. */
export function listOf(json: unknown, key: string): ApiRecord[] {
  const list = Array.isArray(json) ? json : isRecord(json) && Array.isArray(json[key]) ? json[key] : [];
  return (list as unknown[]).filter(isRecord);
}

/** The record's `name` as a finite number (numeric strings count), else null. */
export function numberField(record: ApiRecord, name: string): number | null {
  const value = record[name];
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  return null;
}

export function stringField(record: ApiRecord, name: string): string {
  const value = record[name];
  return typeof value === 'string' ? value : '';
}

/** The record's `name` as µs (from µs or ISO 8601), else null. */
export function timeField(record: ApiRecord, name: string): number | null {
  return microsFromApiTime(record[name]);
}

/** `NET.STA.LOC.CHA` of a record: its `channel`, or its parts when it has network and station. */
export function channelIdOf(record: ApiRecord): string {
  const network = stringField(record, 'network');
  const station = stringField(record, 'station');
  if (network !== '' && station !== '') return `${network}.${station}.${stringField(record, 'location')}.${stringField(record, 'channel')}`;
  return stringField(record, 'channel');
}

// ---------------------------------------------------------------------------------------------

export interface TimelineSpan {
  startUs: number;
  endUs: number;
  state: string;
  /** Mixed spans: percent present inside the span. */
  percent: number | null;
  /** Missing and mixed spans: the samples their missing time would hold (null: not given). */
  missingSamples?: number | null;
  /** Mixed spans: their missing time, µs (null: none, or not given). */
  missingUs?: number | null;
}

export interface TimelineRow {
  channel: string;
  percent: number | null;
  gaps: number;
  longestGapSeconds: number;
  /** Time of the newest sample ("no data since …"); null without data. */
  lastSampleUs?: number | null;
  spans: TimelineSpan[];
}

export interface Timeline {
  fromUs: number | null;
  toUs: number | null;
  rows: TimelineRow[];
}

export function readTimeline(json: unknown): Timeline {
  const rows = listOf(json, 'rows').map((row): TimelineRow => {
    const spans: TimelineSpan[] = [];
    for (const span of listOf(row.spans, 'spans')) {
      const startUs = timeField(span, 'start');
      const endUs = timeField(span, 'end');
      if (startUs === null || endUs === null || endUs <= startUs) continue;
      const parts = isRecord(span.parts) ? span.parts : {};
      spans.push({
        startUs,
        endUs,
        state: stringField(span, 'state'),
        percent: numberField(span, 'percent'),
        missingSamples: numberField(span, 'missingSamples'),
        missingUs: numberField(parts, 'missing'),
      });
    }
    spans.sort((a, b) => a.startUs - b.startUs);
    return {
      channel: channelIdOf(row),
      percent: numberField(row, 'percent'),
      gaps: numberField(row, 'gaps') ?? 0,
      longestGapSeconds: numberField(row, 'maxGapSeconds') ?? 0,
      lastSampleUs: timeField(row, 'lastSample'),
      spans,
    };
  });
  const record = isRecord(json) ? json : {};
  return { fromUs: timeField(record, 'from'), toUs: timeField(record, 'to'), rows };
}

export interface CompletionRow {
  channel: string;
  /** Per bucket, aligned with Completion.bucketStartsUs; null where nothing was expected. */
  percent: (number | null)[];
  completeness: (number | null)[];
  /** Where the channel's time not yet arrived begins (its cells from there on are neither present nor missing); null: none. */
  notYetArrivedFromUs?: number | null;
  /** Indexes of the buckets in which its data overlaps. */
  overlapBuckets?: number[];
}

export interface Completion {
  bucket: 'day' | 'hour';
  bucketStartsUs: number[];
  rows: CompletionRow[];
}

function numbersOrNull(value: unknown, length: number): (number | null)[] {
  const list = Array.isArray(value) ? value : [];
  const out = new Array<number | null>(length);
  for (let i = 0; i < length; i++) {
    const item = list[i];
    out[i] = typeof item === 'number' && Number.isFinite(item) ? item : null;
  }
  return out;
}

export function readCompletion(json: unknown, requestedBucket: 'day' | 'hour'): Completion {
  const record = isRecord(json) ? json : {};
  const bucket = record.bucket === 'hour' || record.bucket === 'day' ? record.bucket : requestedBucket;
  const startsList = Array.isArray(record.buckets) ? record.buckets : [];
  const bucketStartsUs = startsList.map((t) => microsFromApiTime(t)).filter((t): t is number => t !== null);
  const rows = listOf(json, 'rows').map((row) => ({
    channel: channelIdOf(row),
    percent: numbersOrNull(row.percent, bucketStartsUs.length),
    completeness: numbersOrNull(row.completeness, bucketStartsUs.length),
    notYetArrivedFromUs: timeField(row, 'notYetArrivedFrom'),
    overlapBuckets: Array.isArray(row.overlapBuckets) ? row.overlapBuckets.filter((i): i is number => Number.isInteger(i) && i >= 0 && i < bucketStartsUs.length) : [],
  }));
  return { bucket, bucketStartsUs, rows };
}

export interface Gap {
  channel: string;
  /** Last sample before the gap and first sample after it. */
  startUs: number;
  endUs: number;
  seconds: number;
  missingSamples?: number | null;
  sampleRate: number | null;
}

export function readGaps(json: unknown): Gap[] {
  const gaps: Gap[] = [];
  for (const gap of listOf(json, 'gaps')) {
    const startUs = timeField(gap, 'start');
    const endUs = timeField(gap, 'end');
    if (startUs === null || endUs === null) continue;
    gaps.push({
      channel: channelIdOf(gap),
      startUs,
      endUs,
      seconds: numberField(gap, 'gapSeconds') ?? (endUs - startUs) / 1e6,
      missingSamples: numberField(gap, 'missingSamples'),
      sampleRate: numberField(gap, 'sampleRate'),
    });
  }
  return gaps;
}

export interface ChannelStats {
  channel: string;
  percent: number | null;
  gaps: number | null;
  longestGapSeconds: number | null;
  overlaps: number | null;
  /** Newest sample, µs. */
  lastSampleUs: number | null;
  /** Latency now (docs/definitions.md): total = Tm − Td, data = Ta − Td, feed = Tm − Ta, seconds. */
  totalLatencySeconds: number | null;
  dataLatencySeconds: number | null;
  feedLatencySeconds: number | null;
  state: string;
}

export function readStats(json: unknown): ChannelStats[] {
  return listOf(json, 'rows').map((row) => {
    const latency = isRecord(row.latency) ? row.latency : {};
    return {
      channel: channelIdOf(row),
      percent: numberField(row, 'percent'),
      gaps: numberField(row, 'gaps'),
      longestGapSeconds: numberField(row, 'maxGapSeconds'),
      overlaps: numberField(row, 'overlaps'),
      lastSampleUs: timeField(row, 'lastSample'),
      totalLatencySeconds: numberField(latency, 'total'),
      dataLatencySeconds: numberField(latency, 'data'),
      feedLatencySeconds: numberField(latency, 'feed'),
      state: stringField(row, 'state'),
    };
  });
}

export interface LatencySeries {
  channel: string;
  timesUs: number[];
  /** Seconds per step: the largest data latency of the arrivals in it, and their mean. */
  max: (number | null)[];
  mean: (number | null)[];
}

export function readLatency(json: unknown): LatencySeries[] {
  return listOf(json, 'series').map((row) => {
    const times = Array.isArray(row.t) ? row.t : [];
    const timesUs = times.map((t) => microsFromApiTime(t) ?? NaN);
    return {
      channel: channelIdOf(row),
      timesUs,
      max: numbersOrNull(row.max, timesUs.length),
      mean: numbersOrNull(row.mean, timesUs.length),
    };
  });
}

export interface Station {
  network: string;
  station: string;
  latitude: number | null;
  longitude: number | null;
  /** Worst state of its channels. */
  state: string;
  percent: number | null;
  channels: number | null;
}

export function readStations(json: unknown): Station[] {
  return listOf(json, 'stations').map((row) => ({
    network: stringField(row, 'network'),
    station: stringField(row, 'station'),
    latitude: numberField(row, 'latitude'),
    longitude: numberField(row, 'longitude'),
    state: stringField(row, 'state'),
    percent: numberField(row, 'percent'),
    channels: numberField(row, 'channels'),
  }));
}

/** Channel listing: names at the requested level (`IU`, `IU.ANMO` or `IU.ANMO.00.BHZ`). */
export function readChannelNames(json: unknown): string[] {
  const list = Array.isArray(json) ? json : isRecord(json) ? json.values : [];
  return Array.isArray(list) ? list.filter((name): name is string => typeof name === 'string' && name !== '') : [];
}
