/**
 * The answers of /api/v1, from validated parameters. Every response carries `apiVersion: 1`;
 * times are integer µs since 1970 (UTC), durations in seconds unless a name says otherwise.
 * README.md beside this file documents each shape.
 */
import { availabilityOver, coveredEnd, dueUntil, expectedIntervals, expectedLatencySeconds, newestCoveredEnd } from '@lacuna/core';
import { channelKey, type ChannelPattern } from '@lacuna/core';
import { MICROS_PER_DAY, type ChannelId, type Micros } from '@lacuna/core';
import { gapRows, groupByChannel } from '@lacuna/core';
import type { Interval } from '@lacuna/core';
import { worstState, type ChannelState } from '@lacuna/core';
import { toleranceFor, type ToleranceRule } from '@lacuna/core';
import type { Store } from '@lacuna/core';
import { dailyRollups } from '@lacuna/core';
import { floorToDay } from '@lacuna/core';
import type { ExporterLimits } from '../app.ts';
import { badRequest } from '../http/errors.ts';
import { channelStatuses, latencyState, parseWindow, type StatusWindow } from '../status.ts';
import { alignedBuckets, appendCell, dailyRow, dayFigures, hourlyRow, parseCompletionText, type Bucket, type RollupSeries } from './completion.ts';
import { liveSources, segmentsOf, select, textRows, type Selection } from './data.ts';
import { queryRows } from '@lacuna/core';
import { selectionFingerprint, type CachedRows, type CompletionCache } from './completion-cache.ts';
import { checkRows, DEFAULT_POINTS, MAX_STEPS } from './params.ts';
import { COMPLETENESS_DECIMALS, completionTextQuery, latencyQuery, latencySummaryQuery, PERCENT_DECIMALS, rollupVersionQuery, roundHalfUp } from './queries.ts';
import { reduceSpans, type Span } from './spans.ts';
import { channelTimeline } from './timeline.ts';

export const API_VERSION = 1;

export interface ApiEnvironment {
  store: Store;
  limits: ExporterLimits;
  tolerance: readonly ToleranceRule[];
  now: Micros;
  /** Completion matrices kept between requests (absent: none). */
  completionCache?: CompletionCache;
  /** The store's data version this request reads at (core dataVersion): reads that do not depend on the window are shared under it (data.ts). */
  version?: string;
}

/** Give the event loop a turn every this many channels (other requests meanwhile). */
const YIELD_EVERY = 250;
const pause = () => new Promise<void>((resolve) => setImmediate(resolve));

// ---------------------------------------------------------------------------------------------
// channels

export type ChannelLevel = 'network' | 'station' | 'channel';

export async function channelsResponse(env: ApiEnvironment, patterns: ChannelPattern[], level: ChannelLevel) {
  const ids = await env.store.channels(patterns);
  const name = (id: ChannelId) => (level === 'network' ? id.network : level === 'station' ? `${id.network}.${id.station}` : channelKey(id));
  const values = [...new Set(ids.map(name))];
  checkRows('pattern', values.length, env.limits, 'values');
  return { apiVersion: API_VERSION, level, values };
}

// ---------------------------------------------------------------------------------------------
// timeline

/** A span as sent: start, end, state; a mixed span's percent present and time per state; missing samples where time is missing. */
export interface SpanJson {
  start: Micros;
  end: Micros;
  state: string;
  percent?: number | null;
  parts?: Partial<Record<string, number>>;
  missingSamples?: number;
}

function spanJson(span: Span): SpanJson {
  const json: SpanJson = { start: span.start, end: span.end, state: span.state };
  if (span.state === 'mixed') {
    json.percent = span.percent ?? null;
    json.parts = span.parts;
  }
  if (span.missingSamples !== undefined) json.missingSamples = span.missingSamples;
  return json;
}

/** The `source` of a channel read from archives; live channels carry their live source's name. */
export const ARCHIVE_SOURCE = 'archive';

export async function timelineResponse(env: ApiEnvironment, patterns: ChannelPattern[], window: Interval, maxPoints = DEFAULT_POINTS) {
  const selection = await select(env.store, patterns, env.tolerance, env.version);
  const [segments, sources] = await Promise.all([segmentsOf(env.store, selection, window), liveSources(env.store, env.version)]);
  const pixel = (window.end - window.start) / maxPoints;
  const bucket = Math.max(1, Math.ceil(pixel));
  const rows = [];
  let spans = 0;
  for (const id of selection.channels) {
    if (rows.length > 0 && rows.length % YIELD_EVERY === 0) await pause();
    const key = channelKey(id);
    const timeline = channelTimeline(segments.get(key) ?? [], selection.epochs.get(key) ?? [], { window, bucket, tolerance: toleranceFor(env.tolerance, id), now: env.now });
    const reduced = reduceSpans(timeline.spans, window, maxPoints);
    spans += reduced.length;
    checkRows('channel', spans, env.limits, 'spans');
    rows.push({
      channel: key,
      source: sources.get(key) ?? ARCHIVE_SOURCE,
      percent: timeline.percent,
      gaps: timeline.gaps,
      maxGapSeconds: timeline.maxGapSeconds,
      overlaps: timeline.overlaps,
      lastSample: timeline.lastSample,
      notYetArrivedFrom: timeline.notYetArrivedFrom,
      spans: reduced.map(spanJson),
    });
  }
  return { apiVersion: API_VERSION, from: window.start, to: window.end, maxPoints, pixelMicros: pixel, sparsityBucketMicros: bucket, rows };
}

// ---------------------------------------------------------------------------------------------
// completion

/** A response body already written as JSON text (sent as it is). */
export class RawJson {
  constructor(readonly json: string) {}
}

export async function completionResponse(env: ApiEnvironment, patterns: ChannelPattern[], requested: Interval, bucket: Bucket): Promise<RawJson> {
  const { window, starts } = alignedBuckets(requested, bucket);
  const selection = await select(env.store, patterns, env.tolerance, env.version);
  checkRows('channel', selection.channels.length * starts.length, env.limits, 'cells (channels × buckets)');
  const head = `{"apiVersion":${API_VERSION},"from":${window.start},"to":${window.end},"bucket":"${bucket}","buckets":${JSON.stringify(starts)},"rows":[`;
  const rows: string[] = [];
  if (bucket === 'day') {
    // Whole days from the rollups; the recent days — a last day cut by `to`, and days that may
    // hold time not yet arrived (after now − the longest expected latency) — from the segments.
    const recent = { start: recentDaysStart(window, selection, env.now), end: window.end };
    const wholeStarts = starts.filter((start) => start < recent.start);
    const recentStarts = starts.filter((start) => start >= recent.start);
    const recentSegments = recentStarts.length > 0 ? await segmentsOf(env.store, selection, recent) : null;
    const whole = wholeStarts.length > 0 ? await wholeDays(env, selection, window.start, recent.start, wholeStarts) : null;
    selection.channels.forEach((id, i) => {
      const key = channelKey(id);
      let percent = whole?.percent[i] ?? '[]';
      let completeness = whole?.completeness[i] ?? '[]';
      let overlapBuckets = whole?.overlaps[i] ?? '[]';
      let arriving: Micros | null = null;
      if (recentSegments !== null) {
        const segments = recentSegments.get(key) ?? [];
        const epochs = selection.epochs.get(key) ?? [];
        const due = dueUntil(recent, epochs, newestCoveredEnd(segments), env.now);
        if (due < recent.end) arriving = due;
        // Only the due time counts; a day wholly not yet arrived is null (nothing expected yet).
        const days = due > recent.start ? dailyRollups(segments, epochs, { start: recent.start, end: due }, toleranceFor(env.tolerance, id)) : [];
        recentStarts.forEach((_, k) => {
          const figures = k < days.length ? dayFigures(days[k]) : { percent: null, completeness: null };
          percent = appendCell(percent, roundHalfUp(figures.percent, PERCENT_DECIMALS));
          completeness = appendCell(completeness, roundHalfUp(figures.completeness, COMPLETENESS_DECIMALS));
          if (k < days.length && days[k].overlaps > 0) overlapBuckets = appendCell(overlapBuckets, wholeStarts.length + k);
        });
      }
      rows.push(`{"channel":${JSON.stringify(key)},"percent":${percent},"completeness":${completeness},"overlapBuckets":${overlapBuckets},"notYetArrivedFrom":${arriving}}`);
    });
  } else {
    const segments = await segmentsOf(env.store, selection, window);
    for (const id of selection.channels) {
      if (rows.length > 0 && rows.length % YIELD_EVERY === 0) await pause();
      const key = channelKey(id);
      const channelSegments = segments.get(key) ?? [];
      const epochs = selection.epochs.get(key) ?? [];
      const due = dueUntil(window, epochs, newestCoveredEnd(channelSegments), env.now);
      const row = hourlyRow(key, window, due, channelSegments, epochs, toleranceFor(env.tolerance, id));
      row.percent = row.percent.map((p) => roundHalfUp(p, PERCENT_DECIMALS));
      row.completeness = row.completeness.map((c) => roundHalfUp(c, COMPLETENESS_DECIMALS));
      rows.push(JSON.stringify({ ...row, notYetArrivedFrom: due < window.end ? due : null }));
    }
  }
  return new RawJson(`${head}${rows.join(',')}]}`);
}

/**
 * The first day of the matrix computed from segments rather than rollups: the day `to` cuts,
 * or the first day that may hold time not yet arrived (after now − the longest expected latency
 * of the selected channels), whichever is earlier; never before the window.
 */
function recentDaysStart(window: Interval, selection: Selection, now: Micros): Micros {
  let longest = 0;
  for (const id of selection.channels) longest = Math.max(longest, expectedLatencySeconds(selection.epochs.get(channelKey(id)) ?? [], now));
  const cut = floorToDay(window.end) === window.end ? window.end : floorToDay(window.end);
  return Math.max(window.start, Math.min(cut, floorToDay(now - longest * 1e6)));
}

/**
 * The whole days [fromDay, toDay) of every selected channel as JSON array texts: from the
 * rollups, formatted by ClickHouse (days without a rollup row filled from the epochs), or from
 * the cache while the rollups and the selection are unchanged.
 */
async function wholeDays(env: ApiEnvironment, selection: Selection, fromDay: Micros, toDay: Micros, starts: readonly Micros[]): Promise<CachedRows> {
  const cacheKey = JSON.stringify([selection.patterns, fromDay, toDay]);
  let fingerprint = '';
  if (env.completionCache) {
    const [[newest, count]] = await queryRows<[string, number]>(env.store.client, rollupVersionQuery(selection.filter, fromDay, toDay), 'JSONCompactEachRow');
    fingerprint = `${newest}|${count}|${selectionFingerprint(selection.channels, selection.epochs)}`;
    const cached = env.completionCache.get(cacheKey, fingerprint);
    if (cached) return cached;
  }
  const series = parseCompletionText(await textRows(env.store, completionTextQuery(selection.filter, fromDay, toDay)));
  const firstDay = fromDay / MICROS_PER_DAY;
  const result: CachedRows = { percent: [], completeness: [], overlaps: [] };
  for (const id of selection.channels) {
    const key = channelKey(id);
    const text = series.get(key);
    // Day offsets from fromDay are the buckets' indexes.
    result.overlaps.push(text?.overlapDays ?? '[]');
    if (text !== undefined && text.offsets === null) {
      result.percent.push(text.percent);
      result.completeness.push(text.completeness);
      continue;
    }
    // Some days without a rollup row: filled from the epochs.
    const parsed: RollupSeries | undefined = text && {
      days: text.offsets!.map((offset) => firstDay + offset),
      percent: JSON.parse(text.percent) as (number | null)[],
      completeness: JSON.parse(text.completeness) as (number | null)[],
    };
    const row = dailyRow(key, starts, parsed, selection.epochs.get(key) ?? []);
    result.percent.push(JSON.stringify(row.percent));
    result.completeness.push(JSON.stringify(row.completeness));
  }
  env.completionCache?.set(cacheKey, fingerprint, result);
  return result;
}

// ---------------------------------------------------------------------------------------------
// gaps

export async function gapsResponse(env: ApiEnvironment, patterns: ChannelPattern[], window: Interval, minGapMicros = 0) {
  const [channels, segments, epochs] = await Promise.all([
    env.store.channels(patterns),
    env.store.segments({ patterns, window, neighbors: true }),
    env.store.epochs(patterns),
  ]);
  const rows = gapRows(groupByChannel(channels, segments, epochs), { window, mergeQuality: true, tolerance: env.tolerance, overlaps: false })
    .filter((gap) => gap.gap_s * 1e6 >= minGapMicros)
    .map((gap) => ({
      channel: gap.channel,
      start: gap.start,
      end: gap.end,
      gapSeconds: gap.gap_s,
      missingSamples: gap.missing_samples,
      sampleRate: gap.sample_rate,
      quality: gap.quality,
    }));
  checkRows('minGap', rows.length, env.limits, 'gaps');
  return { apiVersion: API_VERSION, from: window.start, to: window.end, gaps: rows };
}

// ---------------------------------------------------------------------------------------------
// stats

type SummaryRow = [string, string, string, string, number, number, number];

export async function statsResponse(env: ApiEnvironment, patterns: ChannelPattern[], window: Interval) {
  const selection = await select(env.store, patterns, env.tolerance, env.version);
  const [segments, latest, summaries, sources] = await Promise.all([
    segmentsOf(env.store, selection, window),
    env.store.latestSegments(patterns),
    queryRows<SummaryRow>(env.store.client, latencySummaryQuery(selection.filter, window.start, window.end), 'JSONCompactEachRow'),
    liveSources(env.store, env.version),
  ]);
  const latestByKey = new Map(latest.map((segment) => [channelKey(segment), segment]));
  const summaryByKey = new Map(summaries.map(([network, station, location, channel, arrivals, max, mean]) => [channelKey({ network, station, location, channel }), { arrivals, max, mean }]));
  const rows = [];
  for (const id of selection.channels) {
    const key = channelKey(id);
    const epochs = selection.epochs.get(key) ?? [];
    const newest = latestByKey.get(key);
    const due = dueUntil(window, epochs, newest ? coveredEnd(newest) : null, env.now);
    const figures = availabilityOver(segments.get(key) ?? [], {
      window,
      expected: expectedIntervals(epochs, { start: window.start, end: due }),
      tolerance: toleranceFor(env.tolerance, id),
    });
    const status = latencyState(newest, epochs, env.now);
    const summary = summaryByKey.get(key);
    rows.push({
      channel: key,
      source: sources.get(key) ?? ARCHIVE_SOURCE,
      percent: figures.percent,
      coveredSeconds: figures.coveredSeconds,
      expectedSeconds: figures.expectedSeconds,
      gaps: figures.gaps,
      maxGapSeconds: figures.maxGapSeconds,
      overlaps: figures.overlaps,
      lastSample: status.lastSample,
      availableAt: status.availableAt,
      latency: status.latency,
      arrivals: summary?.arrivals ?? 0,
      maxDataLatencySeconds: summary ? summary.max / 1e6 : null,
      meanDataLatencySeconds: summary ? summary.mean / 1e6 : null,
      state: status.state,
      warnS: status.warnS,
      failS: status.failS,
    });
  }
  checkRows('channel', rows.length, env.limits, 'rows');
  return { apiVersion: API_VERSION, from: window.start, to: window.end, now: env.now, rows };
}

// ---------------------------------------------------------------------------------------------
// latency

type LatencyRow = [string, string, string, string, [number, number, number, number][]];

/** The default step: the range in about 1000 steps, whole seconds. */
export function defaultStep(window: Interval): number {
  return Math.max(1e6, Math.ceil((window.end - window.start) / DEFAULT_POINTS / 1e6) * 1e6);
}

export async function latencyResponse(env: ApiEnvironment, patterns: ChannelPattern[], window: Interval, step = defaultStep(window)) {
  const steps = Math.ceil((window.end - window.start) / step);
  if (steps > MAX_STEPS) throw badRequest(`parameter step: the range holds ${steps} steps of it, at most ${MAX_STEPS} are allowed; use a longer step`);
  const selection = await select(env.store, patterns, env.tolerance, env.version);
  const found = new Map<string, LatencyRow[4]>();
  for (const [network, station, location, channel, points] of await queryRows<LatencyRow>(env.store.client, latencyQuery(selection.filter, window.start, window.end, step), 'JSONCompactEachRow')) {
    found.set(channelKey({ network, station, location, channel }), points);
  }
  let total = 0;
  const series = selection.channels.map((id) => {
    const key = channelKey(id);
    const points = found.get(key) ?? [];
    total += points.length;
    return {
      channel: key,
      t: points.map(([b]) => window.start + b * step),
      max: points.map(([, max]) => max / 1e6),
      mean: points.map(([, , mean]) => mean / 1e6),
      arrivals: points.map(([, , , n]) => n),
    };
  });
  checkRows('step', total, env.limits, 'points');
  return { apiVersion: API_VERSION, from: window.start, to: window.end, step, series };
}

// ---------------------------------------------------------------------------------------------
// stations

export async function stationsResponse(env: ApiEnvironment, patterns: ChannelPattern[], window: StatusWindow = parseWindow('1d')) {
  const statuses = await channelStatuses(env.store, { patterns, windows: [window], now: env.now, tolerance: env.tolerance });
  const stations = new Map<string, { network: string; station: string; latitude: number | null; longitude: number | null; states: ChannelState[]; covered: number; expected: number }>();
  for (const status of statuses) {
    const key = `${status.id.network}.${status.id.station}`;
    let entry = stations.get(key);
    if (entry === undefined) {
      entry = { network: status.id.network, station: status.id.station, latitude: null, longitude: null, states: [], covered: 0, expected: 0 };
      stations.set(key, entry);
    }
    if (entry.latitude === null && status.latitude !== null && status.longitude !== null) {
      entry.latitude = status.latitude;
      entry.longitude = status.longitude;
    }
    entry.states.push(status.state);
    entry.covered += status.windows[window.name].coveredSeconds;
    entry.expected += status.windows[window.name].expectedSeconds;
  }
  const list = [...stations.values()].map((entry) => {
    const counts: Partial<Record<ChannelState, number>> = {};
    for (const state of entry.states) counts[state] = (counts[state] ?? 0) + 1;
    return {
      network: entry.network,
      station: entry.station,
      latitude: entry.latitude,
      longitude: entry.longitude,
      state: worstState(entry.states),
      percent: entry.expected > 0 ? (100 * entry.covered) / entry.expected : null,
      channels: entry.states.length,
      states: counts,
    };
  });
  checkRows('channel', list.length, env.limits, 'stations');
  return { apiVersion: API_VERSION, now: env.now, window: window.name, stations: list };
}
