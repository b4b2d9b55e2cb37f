/**
 * API answers → Grafana data frames, pure. Frames are columnar and typed (time fields in ms,
 * units, display names) so Grafana's own table, time series and geomap panels read them too;
 * exact µs times travel beside the ms ones for the tooltips. Each frame's meta names its kind
 * (shared/frames.ts) for Lacuna's panels.
 */
import { createDataFrame, FieldType, type DataFrame, type FieldConfig } from '@grafana/data';
import { FrameKind, type LacunaFrameMeta } from '../shared/frames';
import { splitChannelId } from '../shared/channel';
import { MICROS_PER_MS } from '../shared/time';
import {
  readChannelNames,
  readCompletion,
  readGaps,
  readLatency,
  readStations,
  readStats,
  readTimeline,
  type ChannelStats,
  type Completion,
  type Gap,
  type LatencySeries,
  type Station,
  type Timeline,
} from './api';
import type { LacunaQuery } from './types';

function meta(meta: LacunaFrameMeta) {
  return { custom: meta as unknown as Record<string, unknown> };
}

function ms(us: number): number {
  return us / MICROS_PER_MS;
}

const percentConfig: FieldConfig = { unit: 'percent', min: 0, max: 100, decimals: 2 };
const secondsConfig: FieldConfig = { unit: 's' };
const hiddenInViz: FieldConfig = { custom: { hideFrom: { viz: true, legend: true, tooltip: true } } };

export function timelineFrames(timeline: Timeline, refId: string, window: { fromUs: number; toUs: number }): DataFrame[] {
  const fromUs = timeline.fromUs ?? window.fromUs;
  const toUs = timeline.toUs ?? window.toUs;
  let spanCount = 0;
  for (const row of timeline.rows) spanCount += row.spans.length;
  const channel = new Array<string>(spanCount);
  const start = new Array<number>(spanCount);
  const end = new Array<number>(spanCount);
  const state = new Array<string>(spanCount);
  const percent = new Array<number | null>(spanCount);
  const missingSamples = new Array<number | null>(spanCount);
  const missingUs = new Array<number | null>(spanCount);
  const startUs = new Array<number>(spanCount);
  const endUs = new Array<number>(spanCount);
  let i = 0;
  for (const row of timeline.rows) {
    for (const span of row.spans) {
      channel[i] = row.channel;
      start[i] = ms(span.startUs);
      end[i] = ms(span.endUs);
      state[i] = span.state;
      percent[i] = span.state === 'present' ? 100 : span.state === 'missing' ? 0 : span.percent;
      missingSamples[i] = span.missingSamples ?? null;
      missingUs[i] = span.missingUs ?? null;
      startUs[i] = span.startUs;
      endUs[i] = span.endUs;
      i++;
    }
  }
  const spans = createDataFrame({
    refId,
    name: 'spans',
    meta: meta({ lacunaKind: FrameKind.TimelineSpans, fromUs, toUs }),
    fields: [
      { name: 'channel', type: FieldType.string, values: channel, config: { displayName: 'Channel' } },
      { name: 'start', type: FieldType.time, values: start, config: { displayName: 'Start' } },
      { name: 'end', type: FieldType.time, values: end, config: { displayName: 'End' } },
      { name: 'state', type: FieldType.string, values: state, config: { displayName: 'State' } },
      { name: 'percent', type: FieldType.number, values: percent, config: { ...percentConfig, displayName: 'Present in span' } },
      { name: 'missing_samples', type: FieldType.number, values: missingSamples, config: { displayName: 'Missing samples', decimals: 0 } },
      { name: 'missing_us', type: FieldType.number, values: missingUs, config: { ...hiddenInViz, displayName: 'Missing in mixed span (µs)' } },
      { name: 'start_us', type: FieldType.number, values: startUs, config: { ...hiddenInViz, displayName: 'Start (µs)' } },
      { name: 'end_us', type: FieldType.number, values: endUs, config: { ...hiddenInViz, displayName: 'End (µs)' } },
    ],
  });
  const parts = timeline.rows.map((row) => splitChannelId(row.channel));
  const rows = createDataFrame({
    refId,
    name: 'channels',
    meta: meta({ lacunaKind: FrameKind.TimelineRows, fromUs, toUs }),
    fields: [
      { name: 'channel', type: FieldType.string, values: timeline.rows.map((r) => r.channel), config: { displayName: 'Channel' } },
      { name: 'network', type: FieldType.string, values: parts.map((p) => p.network), config: { displayName: 'Network' } },
      { name: 'station', type: FieldType.string, values: parts.map((p) => p.station), config: { displayName: 'Station' } },
      { name: 'location', type: FieldType.string, values: parts.map((p) => p.location), config: { displayName: 'Location' } },
      { name: 'code', type: FieldType.string, values: parts.map((p) => p.channel), config: { displayName: 'Channel code' } },
      { name: 'percent', type: FieldType.number, values: timeline.rows.map((r) => r.percent), config: { ...percentConfig, displayName: 'Present' } },
      { name: 'gaps', type: FieldType.number, values: timeline.rows.map((r) => r.gaps), config: { displayName: 'Gaps', decimals: 0 } },
      { name: 'longest_gap', type: FieldType.number, values: timeline.rows.map((r) => r.longestGapSeconds), config: { ...secondsConfig, displayName: 'Longest gap' } },
      { name: 'last_sample', type: FieldType.time, values: timeline.rows.map((r) => (r.lastSampleUs == null ? null : ms(r.lastSampleUs))), config: { displayName: 'Last sample' } },
      { name: 'last_sample_us', type: FieldType.number, values: timeline.rows.map((r) => r.lastSampleUs ?? null), config: { ...hiddenInViz, displayName: 'Last sample (µs)' } },
    ],
  });
  return [spans, rows];
}

export function completionFrame(completion: Completion, refId: string): DataFrame {
  const columns = completion.bucketStartsUs.length;
  const size = completion.rows.length * columns;
  const channel = new Array<string>(size);
  const bucket = new Array<number>(size);
  const percent = new Array<number | null>(size);
  const completeness = new Array<number | null>(size);
  const bucketUs = new Array<number>(size);
  const pending = new Array<number>(size);
  const overlap = new Array<number>(size).fill(0);
  const bucketLength = completion.bucket === 'day' ? 86_400_000_000 : 3_600_000_000;
  let i = 0;
  for (const row of completion.rows) {
    for (const c of row.overlapBuckets ?? []) overlap[i + c] = 1;
    for (let c = 0; c < columns; c++) {
      const start = completion.bucketStartsUs[c];
      channel[i] = row.channel;
      bucket[i] = ms(start);
      bucketUs[i] = start;
      percent[i] = row.percent[c];
      completeness[i] = row.completeness[c] === null ? null : (row.completeness[c] as number) * 100;
      const from = row.notYetArrivedFromUs ?? null;
      pending[i] = from === null ? 0 : Math.min(1, Math.max(0, (start + bucketLength - Math.max(start, from)) / bucketLength));
      i++;
    }
  }
  return createDataFrame({
    refId,
    name: 'completion',
    meta: meta({ lacunaKind: FrameKind.Completion, bucket: completion.bucket }),
    fields: [
      { name: 'channel', type: FieldType.string, values: channel, config: { displayName: 'Channel' } },
      { name: 'bucket', type: FieldType.time, values: bucket, config: { displayName: completion.bucket === 'day' ? 'Day' : 'Hour' } },
      { name: 'percent', type: FieldType.number, values: percent, config: { ...percentConfig, displayName: 'Present' } },
      { name: 'completeness', type: FieldType.number, values: completeness, config: { unit: 'percent', decimals: 2, displayName: 'Sample completeness' } },
      { name: 'bucket_us', type: FieldType.number, values: bucketUs, config: { ...hiddenInViz, displayName: 'Bucket start (µs)' } },
      { name: 'not_yet_arrived', type: FieldType.number, values: pending, config: { unit: 'percentunit', decimals: 2, displayName: 'Not yet arrived' } },
      { name: 'overlap', type: FieldType.number, values: overlap, config: { displayName: 'Overlapping data', decimals: 0 } },
    ],
  });
}

export function gapsFrame(gaps: Gap[], refId: string): DataFrame {
  return createDataFrame({
    refId,
    name: 'gaps',
    meta: meta({ lacunaKind: FrameKind.Gaps }),
    fields: [
      // `time` and `timeEnd` are the names Grafana's annotation mapping looks for.
      { name: 'time', type: FieldType.time, values: gaps.map((g) => ms(g.startUs)), config: { displayName: 'Last sample before' } },
      { name: 'timeEnd', type: FieldType.time, values: gaps.map((g) => ms(g.endUs)), config: { displayName: 'First sample after' } },
      { name: 'channel', type: FieldType.string, values: gaps.map((g) => g.channel), config: { displayName: 'Channel' } },
      { name: 'gap', type: FieldType.number, values: gaps.map((g) => g.seconds), config: { ...secondsConfig, displayName: 'Gap' } },
      { name: 'missing_samples', type: FieldType.number, values: gaps.map((g) => g.missingSamples), config: { displayName: 'Missing samples', decimals: 0 } },
      { name: 'sample_rate', type: FieldType.number, values: gaps.map((g) => g.sampleRate), config: { unit: 'hertz', displayName: 'Sample rate' } },
      { name: 'start_us', type: FieldType.number, values: gaps.map((g) => g.startUs), config: { ...hiddenInViz, displayName: 'Start (µs)' } },
      { name: 'end_us', type: FieldType.number, values: gaps.map((g) => g.endUs), config: { ...hiddenInViz, displayName: 'End (µs)' } },
    ],
  });
}

export function statsFrame(stats: ChannelStats[], refId: string): DataFrame {
  return createDataFrame({
    refId,
    name: 'stats',
    meta: meta({ lacunaKind: FrameKind.Stats }),
    fields: [
      { name: 'channel', type: FieldType.string, values: stats.map((s) => s.channel), config: { displayName: 'Channel' } },
      { name: 'percent', type: FieldType.number, values: stats.map((s) => s.percent), config: { ...percentConfig, displayName: 'Availability' } },
      { name: 'gaps', type: FieldType.number, values: stats.map((s) => s.gaps), config: { displayName: 'Gaps', decimals: 0 } },
      { name: 'longest_gap', type: FieldType.number, values: stats.map((s) => s.longestGapSeconds), config: { ...secondsConfig, displayName: 'Longest gap' } },
      { name: 'overlaps', type: FieldType.number, values: stats.map((s) => s.overlaps), config: { displayName: 'Overlaps', decimals: 0 } },
      { name: 'last_sample', type: FieldType.time, values: stats.map((s) => (s.lastSampleUs === null ? null : ms(s.lastSampleUs))), config: { displayName: 'Newest sample' } },
      { name: 'total_latency', type: FieldType.number, values: stats.map((s) => s.totalLatencySeconds), config: { ...secondsConfig, displayName: 'Total latency' } },
      { name: 'data_latency', type: FieldType.number, values: stats.map((s) => s.dataLatencySeconds), config: { ...secondsConfig, displayName: 'Data latency' } },
      { name: 'feed_latency', type: FieldType.number, values: stats.map((s) => s.feedLatencySeconds), config: { ...secondsConfig, displayName: 'Feed latency' } },
      { name: 'state', type: FieldType.string, values: stats.map((s) => s.state), config: { displayName: 'State' } },
    ],
  });
}

/** One frame per channel (time, max, mean), labelled with the channel, as time series panels expect. */
export function latencyFrames(series: LatencySeries[], refId: string): DataFrame[] {
  return series.map((s) =>
    createDataFrame({
      refId,
      name: s.channel,
      meta: meta({ lacunaKind: FrameKind.Latency }),
      fields: [
        { name: 'time', type: FieldType.time, values: s.timesUs.map(ms), config: {} },
        { name: 'max', type: FieldType.number, values: s.max, labels: { channel: s.channel }, config: { ...secondsConfig, displayName: `${s.channel} max latency` } },
        { name: 'mean', type: FieldType.number, values: s.mean, labels: { channel: s.channel }, config: { ...secondsConfig, displayName: `${s.channel} mean latency` } },
      ],
    })
  );
}

/** Stations with `latitude`/`longitude` fields, the names geomap finds by itself. */
export function stationsFrame(stations: Station[], refId: string): DataFrame {
  return createDataFrame({
    refId,
    name: 'stations',
    meta: meta({ lacunaKind: FrameKind.Stations }),
    fields: [
      { name: 'station', type: FieldType.string, values: stations.map((s) => `${s.network}.${s.station}`), config: { displayName: 'Station' } },
      { name: 'network', type: FieldType.string, values: stations.map((s) => s.network), config: { displayName: 'Network' } },
      { name: 'latitude', type: FieldType.number, values: stations.map((s) => s.latitude), config: { unit: 'degree', displayName: 'Latitude' } },
      { name: 'longitude', type: FieldType.number, values: stations.map((s) => s.longitude), config: { unit: 'degree', displayName: 'Longitude' } },
      { name: 'state', type: FieldType.string, values: stations.map((s) => s.state), config: { displayName: 'State' } },
      { name: 'percent', type: FieldType.number, values: stations.map((s) => s.percent), config: { ...percentConfig, displayName: 'Availability' } },
      { name: 'channels', type: FieldType.number, values: stations.map((s) => s.channels), config: { displayName: 'Channels', decimals: 0 } },
    ],
  });
}

export function channelsFrame(names: string[], refId: string): DataFrame {
  return createDataFrame({
    refId,
    name: 'channels',
    meta: meta({ lacunaKind: FrameKind.Channels }),
    fields: [{ name: 'name', type: FieldType.string, values: names, config: { displayName: 'Name' } }],
  });
}

/** The frames of one query's answer; `window` is the requested range in µs. */
export function answerFrames(query: LacunaQuery, json: unknown, window: { fromUs: number; toUs: number }): DataFrame[] {
  const refId = query.refId;
  switch (query.queryType ?? 'timeline') {
    case 'timeline':
      return timelineFrames(readTimeline(json), refId, window);
    case 'completion':
      return [completionFrame(readCompletion(json, query.bucket ?? 'day'), refId)];
    case 'gaps':
      return [gapsFrame(readGaps(json), refId)];
    case 'stats':
      return [statsFrame(readStats(json), refId)];
    case 'latency':
      return latencyFrames(readLatency(json), refId);
    case 'stations':
      return [stationsFrame(readStations(json), refId)];
    case 'channels':
      return [channelsFrame(readChannelNames(json), refId)];
    default:
      return [];
  }
}
