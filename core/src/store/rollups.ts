/**
 * Availability rollups (schema: migration 2).
 *
 * `availability_daily` holds, per channel and UTC day, exactly what core `availabilityByBucket`
 * (and so `availabilityRows`, the CLI's `lacuna availability`) computes for that day: covered and
 * expected time in µs, gaps, the longest gap, overlaps, samples, and the rate used for sample
 * completeness. `channel_extents` holds each channel's first sample start and last sample end.
 *
 * Invariant: every UTC day from a channel's first data day to its last data day has a row; a
 * day outside that span has none, and then means: no data, no gap, no overlap (the caller
 * computes its expected time from the epochs). Writers keep it so by refreshing the channel-days
 * they touched: `Store.storeFileScans` / `Store.forgetFiles` (the archive scanner and anyone else),
 * `refreshChannelRollups` (channel metadata changed), live `compactLiveSegments` (the days live
 * sources wrote since the last compaction: live rollups lag by up to one compaction interval),
 * `ensureRollups` (stores filled before migration 2, or by direct inserts). A refresh widens the touched days to the data before and
 * after them (the days in between may hold a gap whose ends moved), reads the segments around
 * them with their neighbours, as the CLI does, and recomputes those days.
 *
 * Tolerance: refreshes use the rules given (every writer passes the --tolerance rules it was
 * started with), else 0.5Δ; the numbers equal the CLI's for the same rules.
 */
import { availabilityByBucket, expectedIntervals } from '../availability.ts';
import { channelKey } from '../channel.ts';
import { MICROS_PER_DAY, type ChannelEpoch, type ChannelId, type Micros, type Segment } from '../model.ts';
import { ratesMatch, type Interval, type Tolerance } from '../segments.ts';
import { floorToDay, utcFields } from '../time.ts';
import { toleranceFor, type ToleranceRule } from '../tolerance-rules.ts';
import { insertByPartition, queryRows, type SqlFragment } from './sql.ts';
import { stationShardFilter, type StationShard } from '../shard.ts';
import type { Store } from './store.ts';


/**
 * How far around a window segments are read in one go. Segments that end within this distance
 * before the window (or start within it after) are the neighbours the figures need; only a
 * channel with no data that close is asked for its nearest segment separately. Larger than any
 * sensible join tolerance.
 */
export const LOOKAROUND_MICROS = MICROS_PER_DAY;

/**
 * A refresh reads the segments of this many channels in one go, or more while their windows stay
 * short: up to REFRESH_MAX_CHANNELS as long as the chunk's channels times the days of the window
 * they are read in (the union of theirs) stay within REFRESH_CHANNEL_DAYS. A chunk costs a
 * handful of queries whatever its size, so a daily scan of many channels (or a first scan of an
 * archive of a few days) is refreshed in few, and a long history still in parts. The channel-days
 * bound the rows a chunk computes and inserts at once (a chunk of 500 channels × 100 days raised
 * the embedded engine's memory by 130 MB).
 */
const REFRESH_CHANNELS = 200;
const REFRESH_MAX_CHANNELS = 2000;
const REFRESH_CHANNEL_DAYS = 20_000;

/**
 * Exact channels as a condition on the order key's prefix (index-friendly). `name` prefixes the
 * parameters; `table` qualifies the columns (`s.` for `s.network`…).
 */
export function channelKeysFilter(ids: readonly ChannelId[], name = 'keys', table = ''): SqlFragment {
  return {
    sql:
      `(${table}network, ${table}station, ${table}location, ${table}channel) IN (SELECT k.1, k.2, k.3, k.4 FROM (SELECT arrayJoin(arrayZip(` +
      `{${name}_n:Array(String)}, {${name}_s:Array(String)}, {${name}_l:Array(String)}, {${name}_c:Array(String)})) AS k))`,
    params: {
      [`${name}_n`]: ids.map((id) => id.network),
      [`${name}_s`]: ids.map((id) => id.station),
      [`${name}_l`]: ids.map((id) => id.location),
      [`${name}_c`]: ids.map((id) => id.channel),
    },
  };
}


// ---------------------------------------------------------------------------------------------
// Channel extents

export interface ChannelExtent {
  id: ChannelId;
  key: string;
  /** Start of the first segment. */
  first: Micros;
  /** Last sample of the last segment. */
  last: Micros;
  segments: number;
}

/** The extents of the channels matching a filter (e.g. core channelFilter), keyed by channel key. */
export async function channelExtents(store: Store, filter: SqlFragment): Promise<Map<string, ChannelExtent>> {
  const list = await queryRows<[string, string, string, string, number, number, number]>(
    store.client,
    {
      sql: `SELECT network, station, location, channel, toUnixTimestamp64Micro(first_start), toUnixTimestamp64Micro(last_end), segments
            FROM channel_extents FINAL WHERE ${filter.sql} AND deleted = 0`,
      params: filter.params,
    },
    'JSONCompactEachRow',
  );
  const extents = new Map<string, ChannelExtent>();
  for (const [network, station, location, channel, first, last, segments] of list) {
    const id = { network, station, location, channel };
    const key = channelKey(id);
    extents.set(key, { id, key, first, last, segments });
  }
  return extents;
}

// ---------------------------------------------------------------------------------------------
// Segments around a window

type SegmentArrays = [string, string, string, string, number[], number[], number[], number[]];

/** Segments from segmentsWithinQuery's arrays (times relative to `from`); quality is not read: ''. */
function segmentsFromArrays(from: Micros, starts: number[], ends: number[], samples: number[], rates: number[]): Segment[] {
  const list: Segment[] = new Array(starts.length);
  for (let i = 0; i < starts.length; i++) {
    list[i] = { start: from + starts[i], end: from + ends[i], samples: samples[i], sampleRate: rates[i], quality: '' };
  }
  return list;
}

/**
 * The query for the segments within [from, to), grouped per channel, lean: start and end
 * relative to `from` (shorter numbers to write and read), samples and rate. Quality is left
 * out: availability, gaps and timelines merge qualities.
 */
export function segmentsWithinQuery(filter: SqlFragment, from: Micros, to: Micros): SqlFragment {
  return {
    sql: `SELECT network, station, location, channel,
            groupArray(toUnixTimestamp64Micro(start_time) - {aroundFrom:Int64}), groupArray(toUnixTimestamp64Micro(end_time) - {aroundFrom:Int64}),
            groupArray(samples), groupArray(sample_rate)
          FROM segments
          WHERE ${filter.sql}
            AND start_time < fromUnixTimestamp64Micro({aroundTo:Int64}, 'UTC')
            AND end_time >= fromUnixTimestamp64Micro({aroundFrom:Int64}, 'UTC')
          GROUP BY network, station, location, channel`,
    params: { ...filter.params, aroundFrom: from, aroundTo: to },
  };
}

/**
 * The query for the nearest segment before `from` (the one ending last) of the `before` channels
 * and the nearest after `to` (the one starting first) of the `after` channels.
 */
export function neighboursQuery(before: readonly ChannelId[], after: readonly ChannelId[], from: Micros, to: Micros): SqlFragment {
  const b = channelKeysFilter(before, 'before');
  const a = channelKeysFilter(after, 'after');
  const columns = 'network, station, location, channel, x.1, x.2, x.3, x.4';
  const tuple = 'tuple(toUnixTimestamp64Micro(start_time), toUnixTimestamp64Micro(end_time), samples, sample_rate)';
  return {
    sql: `SELECT ${columns} FROM (
            SELECT network, station, location, channel, argMax(${tuple}, end_time) AS x FROM segments
            WHERE ${b.sql} AND end_time < fromUnixTimestamp64Micro({neighboursFrom:Int64}, 'UTC')
            GROUP BY network, station, location, channel)
          UNION ALL
          SELECT ${columns} FROM (
            SELECT network, station, location, channel, argMin(${tuple}, start_time) AS x FROM segments
            WHERE ${a.sql} AND start_time >= fromUnixTimestamp64Micro({neighboursTo:Int64}, 'UTC')
            GROUP BY network, station, location, channel)`,
    params: { ...b.params, ...a.params, neighboursFrom: from, neighboursTo: to },
  };
}

/**
 * Stored segments (per file; quality not read) of the channels in `extents` matching `filter`
 * that reach into the window, with their neighbours: what the CLI reads (`Store.segments` with
 * neighbours) or a superset of it that gives the same figures inside the window, in two lean
 * queries at most. Segments within LOOKAROUND_MICROS of the window come in the first query; a
 * channel with data further away but none that close gets its nearest segment from a second one.
 * A channel with segments near the window but no extent (written without refreshing the rollups)
 * is asked for both neighbours when it lacks them. Channels without segments map to empty lists;
 * the lists are in no particular order. `seen`, when given, receives every channel found.
 */
export async function segmentsAround(
  store: Store,
  filter: SqlFragment,
  window: Interval,
  extents: ReadonlyMap<string, ChannelExtent>,
  seen?: Map<string, ChannelId>,
): Promise<Map<string, Segment[]>> {
  const from = window.start - LOOKAROUND_MICROS;
  const to = window.end + LOOKAROUND_MICROS;
  const result = new Map<string, Segment[]>();
  for (const key of extents.keys()) result.set(key, []);
  const within = await queryRows<SegmentArrays>(store.client, segmentsWithinQuery(filter, from, to), 'JSONCompactEachRow');
  const unknown: ChannelId[] = [];
  for (const [network, station, location, channel, starts, ends, samples, rates] of within) {
    const id = { network, station, location, channel };
    const key = channelKey(id);
    result.set(key, segmentsFromArrays(from, starts, ends, samples, rates));
    seen?.set(key, id);
    if (!extents.has(key)) unknown.push(id);
  }
  const before: ChannelId[] = [];
  const after: ChannelId[] = [];
  for (const [key, extent] of extents) {
    seen?.set(key, extent.id);
    const list = result.get(key)!;
    if (extent.first < from && !list.some((segment) => segment.start < window.start)) before.push(extent.id);
    if (extent.last >= to && !list.some((segment) => segment.end >= window.end)) after.push(extent.id);
  }
  for (const id of unknown) {
    const list = result.get(channelKey(id))!;
    if (!list.some((segment) => segment.start < window.start)) before.push(id);
    if (!list.some((segment) => segment.end >= window.end)) after.push(id);
  }
  if (before.length > 0 || after.length > 0) {
    const neighbours = await queryRows<[string, string, string, string, number, number, number, number]>(
      store.client,
      neighboursQuery(before, after, from, to),
      'JSONCompactEachRow',
    );
    for (const [network, station, location, channel, start, end, samples, sampleRate] of neighbours) {
      const key = channelKey({ network, station, location, channel });
      const list = result.get(key) ?? [];
      list.push({ start, end, samples, sampleRate, quality: '' });
      result.set(key, list);
    }
  }
  return result;
}

// ---------------------------------------------------------------------------------------------
// Daily figures (pure)

/** One channel-day of `availability_daily`. */
export interface DailyRollup {
  /** The UTC day's start. */
  day: Micros;
  coveredUs: number;
  expectedUs: number;
  gaps: number;
  maxGapUs: number;
  overlaps: number;
  samples: number;
  /** The rate for sample completeness; 0 when none is known. */
  sampleRate: number;
}

/**
 * The rate sample completeness uses on a day: the sample rate of the first metadata epoch in
 * force that day that has one; else the rate all the day's segments share (within 1e-4); else 0.
 */
export function completenessRate(epochs: readonly ChannelEpoch[], daySegments: readonly Segment[], day: Interval): number {
  const epoch = [...epochs]
    .sort((a, b) => a.start - b.start)
    .find((e) => e.sampleRate !== null && e.sampleRate > 0 && e.start < day.end && (e.end === null || e.end > day.start));
  if (epoch) return epoch.sampleRate!;
  const first = daySegments[0];
  if (first === undefined) return 0;
  return daySegments.every((segment) => ratesMatch(first.sampleRate, segment.sampleRate)) ? first.sampleRate : 0;
}

/**
 * The channel's figures for every UTC day of `window` (whole days), as availabilityRows computes
 * them (core availabilityByBucket over the window, expected time from the epochs, qualities
 * merged). `segments` must hold every stored segment reaching into the window and the neighbours.
 */
export function dailyRollups(segments: readonly Segment[], epochs: readonly ChannelEpoch[], window: Interval, tolerance: Tolerance): DailyRollup[] {
  const buckets = availabilityByBucket(segments, {
    window,
    bucket: 'day',
    expected: expectedIntervals(epochs, window),
    tolerance,
  });
  // The segments touching each day, for the completeness rate.
  const perDay: Segment[][] = buckets.map(() => []);
  const first = buckets[0]?.start ?? 0;
  for (const segment of segments) {
    const coveredEnd = segment.end + 1e6 / segment.sampleRate;
    const i0 = Math.max(0, Math.floor((segment.start - first) / MICROS_PER_DAY));
    for (let i = i0; i < buckets.length && buckets[i].start < coveredEnd; i++) perDay[i].push(segment);
  }
  return buckets.map((bucket, i) => ({
    day: bucket.start,
    coveredUs: Math.round(bucket.coveredSeconds * 1e6),
    expectedUs: Math.round(bucket.expectedSeconds * 1e6),
    gaps: bucket.gaps,
    maxGapUs: Math.round(bucket.maxGapSeconds * 1e6),
    overlaps: bucket.overlaps,
    samples: bucket.samples,
    sampleRate: completenessRate(epochs, perDay[i], { start: bucket.start, end: bucket.end }),
  }));
}

// ---------------------------------------------------------------------------------------------
// Refresh

/** Channel-day spans to recompute, keyed by channel key: [from, to) in whole UTC days. */
export type TouchedDays = Map<string, { id: ChannelId; from: Micros; to: Micros }>;

/** Adds the days from the one holding `start` to the one holding `end`. */
export function touchDays(touched: TouchedDays, id: ChannelId, start: Micros, end: Micros): void {
  const key = channelKey(id);
  const from = floorToDay(Math.min(start, end));
  const to = floorToDay(Math.max(start, end)) + MICROS_PER_DAY;
  const known = touched.get(key);
  if (known === undefined) {
    touched.set(key, { id: { network: id.network, station: id.station, location: id.location, channel: id.channel }, from, to });
  } else {
    known.from = Math.min(known.from, from);
    known.to = Math.max(known.to, to);
  }
}

/** The channel-days the segments now stored from these sources occupy (ask before replacing or deleting them). */
export async function storedDaysOf(store: Store, sources: readonly string[], touched: TouchedDays = new Map()): Promise<TouchedDays> {
  if (sources.length === 0) return touched;
  const list = await queryRows<[string, string, string, string, number, number]>(
    store.client,
    {
      sql: `SELECT network, station, location, channel, toUnixTimestamp64Micro(min(start_time)), toUnixTimestamp64Micro(max(end_time))
            FROM segments WHERE source IN {sources:Array(String)} GROUP BY network, station, location, channel`,
      params: { sources },
    },
    'JSONCompactEachRow',
  );
  for (const [network, station, location, channel, start, end] of list) touchDays(touched, { network, station, location, channel }, start, end);
  return touched;
}

let lastComputedAt = 0;
/** A version for ReplacingMergeTree: the current time in µs, strictly increasing in this process. */
function computedAt(): Micros {
  lastComputedAt = Math.max(Date.now() * 1000, lastComputedAt + 1);
  return lastComputedAt;
}

export interface RefreshOptions {
  /** Join tolerance rules (default: 0.5Δ everywhere). */
  tolerance?: readonly ToleranceRule[];
}

/** Per channel: all its data (extent) and the data nearest to the span, before and after. */
function spanQuery(chunk: readonly { id: ChannelId; from: Micros; to: Micros }[]): SqlFragment {
  const keys = channelKeysFilter(chunk.map((c) => c.id), 'keys', 's.');
  return {
    sql: `SELECT s.network, s.station, s.location, s.channel,
            toUnixTimestamp64Micro(min(s.start_time)), toUnixTimestamp64Micro(max(s.end_time)), count(),
            maxIfOrNull(toUnixTimestamp64Micro(s.end_time), toUnixTimestamp64Micro(s.end_time) < r.from_us),
            minIfOrNull(toUnixTimestamp64Micro(s.start_time), toUnixTimestamp64Micro(s.start_time) >= r.to_us)
          FROM segments AS s
          INNER JOIN (
            SELECT k.1 AS network, k.2 AS station, k.3 AS location, k.4 AS channel, k.5 AS from_us, k.6 AS to_us
            FROM (SELECT arrayJoin(arrayZip({keys_n:Array(String)}, {keys_s:Array(String)}, {keys_l:Array(String)}, {keys_c:Array(String)},
                                             {span_from:Array(Int64)}, {span_to:Array(Int64)})) AS k)
          ) AS r ON s.network = r.network AND s.station = r.station AND s.location = r.location AND s.channel = r.channel
          WHERE ${keys.sql}
          GROUP BY s.network, s.station, s.location, s.channel`,
    params: { ...keys.params, span_from: chunk.map((c) => c.from), span_to: chunk.map((c) => c.to) },
  };
}

/**
 * Recomputes the rollups of the touched channel-days (widened to the data around them) and the
 * touched channels' extents.
 */
export async function refreshRollups(store: Store, touched: TouchedDays, options: RefreshOptions = {}): Promise<void> {
  for (const chunk of refreshChunks([...touched.values()])) await refreshChunk(store, chunk, options);
}

/** The channels of a refresh in the chunks it reads them in (see REFRESH_CHANNELS). */
export function refreshChunks<T extends { from: Micros; to: Micros }>(all: readonly T[]): T[][] {
  const chunks: T[][] = [];
  let chunk: T[] = [];
  let from = Infinity;
  let to = -Infinity;
  for (const channel of all) {
    const unionDays = (Math.max(to, channel.to) - Math.min(from, channel.from)) / MICROS_PER_DAY;
    if (chunk.length >= REFRESH_MAX_CHANNELS || (chunk.length >= REFRESH_CHANNELS && (chunk.length + 1) * unionDays > REFRESH_CHANNEL_DAYS)) {
      chunks.push(chunk);
      chunk = [];
      from = Infinity;
      to = -Infinity;
    }
    chunk.push(channel);
    from = Math.min(from, channel.from);
    to = Math.max(to, channel.to);
  }
  if (chunk.length > 0) chunks.push(chunk);
  return chunks;
}

async function refreshChunk(store: Store, chunk: { id: ChannelId; from: Micros; to: Micros }[], options: RefreshOptions): Promise<void> {
  const version = computedAt();
  const spans = await queryRows<[string, string, string, string, number, number, number, number | null, number | null]>(
    store.client,
    spanQuery(chunk),
    'JSONCompactEachRow',
  );
  const extents = new Map<string, ChannelExtent>();
  const windows = new Map<string, Interval>();
  for (const c of chunk) windows.set(channelKey(c.id), { start: c.from, end: c.to });
  for (const [network, station, location, channel, first, last, count, previousEnd, nextStart] of spans) {
    const id = { network, station, location, channel };
    const key = channelKey(id);
    extents.set(key, { id, key, first, last, segments: count });
    const window = windows.get(key)!;
    // The days between the touched ones and the nearest data on either side may hold a gap whose ends moved.
    if (previousEnd !== null) window.start = Math.min(window.start, floorToDay(previousEnd));
    if (nextStart !== null) window.end = Math.max(window.end, floorToDay(nextStart) + MICROS_PER_DAY);
  }

  const ids = chunk.map((c) => c.id);
  const keys = channelKeysFilter(ids);
  const union = {
    start: Math.min(...[...windows.values()].map((w) => w.start)),
    end: Math.max(...[...windows.values()].map((w) => w.end)),
  };
  const [segments, epochs] = await Promise.all([segmentsAround(store, keys, union, extents), epochsOf(store, keys)]);

  const dailyRows: unknown[][] = [];
  for (const c of chunk) {
    const key = channelKey(c.id);
    const window = windows.get(key)!;
    const tolerance = toleranceFor(options.tolerance ?? [], c.id);
    for (const day of dailyRollups(segments.get(key) ?? [], epochs.get(key) ?? [], window, tolerance)) {
      dailyRows.push([
        c.id.network,
        c.id.station,
        c.id.location,
        c.id.channel,
        Math.floor(day.day / MICROS_PER_DAY),
        day.coveredUs,
        day.expectedUs,
        day.gaps,
        day.maxGapUs,
        day.overlaps,
        day.samples,
        day.sampleRate,
        version,
      ]);
    }
  }
  // The table is partitioned by year (migration 4): a refresh may span more than 100 of them.
  await insertByPartition(store.client, 'availability_daily', dailyRows, 'JSONCompactEachRow', (row) => utcFields((row[4] as number) * MICROS_PER_DAY).year);
  const extentRows = chunk.map((c) => {
    const extent = extents.get(channelKey(c.id));
    return [c.id.network, c.id.station, c.id.location, c.id.channel, extent?.first ?? 0, extent?.last ?? 0, extent?.segments ?? 0, version, extent ? 0 : 1];
  });
  await store.client.insert({ table: 'channel_extents', values: extentRows, format: 'JSONCompactEachRow' });
}

/** Epochs of exact channels, grouped by channel key (a lean Store.epochs for many channels). */
async function epochsOf(store: Store, filter: SqlFragment): Promise<Map<string, ChannelEpoch[]>> {
  const list = await queryRows<[string, string, string, string, number, number | null, number | null, number | null, number | null, number | null, number | null, number | null]>(
    store.client,
    {
      sql: `SELECT network, station, location, channel, toUnixTimestamp64Micro(start_time), toUnixTimestamp64Micro(end_time),
              sample_rate, latitude, longitude, elevation, warn_s, fail_s
            FROM channel_epochs WHERE ${filter.sql} ORDER BY network, station, location, channel, start_time`,
      params: filter.params,
    },
    'JSONCompactEachRow',
  );
  const byKey = new Map<string, ChannelEpoch[]>();
  for (const [network, station, location, channel, start, end, sampleRate, latitude, longitude, elevation, warnS, failS] of list) {
    const key = channelKey({ network, station, location, channel });
    const epochs = byKey.get(key) ?? [];
    epochs.push({ network, station, location, channel, start, end, sampleRate, latitude, longitude, elevation, warnS, failS });
    byKey.set(key, epochs);
  }
  return byKey;
}

// ---------------------------------------------------------------------------------------------
// Hooks for writers

/**
 * Recomputes whole channels (after their metadata epochs changed): every day from their first
 * data or rollup row to their last.
 */
export async function refreshChannelRollups(store: Store, ids: readonly ChannelId[], options: RefreshOptions = {}): Promise<void> {
  const unique = new Map(ids.map((id) => [channelKey(id), id]));
  if (unique.size === 0) return;
  const touched: TouchedDays = new Map();
  const list = [...unique.values()];
  for (let i = 0; i < list.length; i += REFRESH_CHANNELS) {
    const keys = channelKeysFilter(list.slice(i, i + REFRESH_CHANNELS));
    const spans = await queryRows<[string, string, string, string, number, number]>(
      store.client,
      {
        sql: `SELECT network, station, location, channel, min(s), max(e) FROM (
                SELECT network, station, location, channel, toUnixTimestamp64Micro(start_time) AS s, toUnixTimestamp64Micro(end_time) AS e
                FROM segments WHERE ${keys.sql}
                UNION ALL
                SELECT network, station, location, channel, toInt64(toInt32(day)) * ${MICROS_PER_DAY} AS s, toInt64(toInt32(day)) * ${MICROS_PER_DAY} AS e
                FROM availability_daily WHERE ${keys.sql})
              GROUP BY network, station, location, channel`,
        params: keys.params,
      },
      'JSONCompactEachRow',
    );
    for (const [network, station, location, channel, start, end] of spans) touchDays(touched, { network, station, location, channel }, start, end);
  }
  await refreshRollups(store, touched, options);
}

/** What of an epoch the rollups depend on: expected time and the completeness rate. */
export type EpochShape = Pick<ChannelEpoch, 'network' | 'station' | 'location' | 'channel' | 'start' | 'end' | 'sampleRate'>;

/** The epochs loaded from `source`, of the shard's stations when given (ask before replacing them). */
export async function sourceEpochsOf(store: Store, source: string, shard?: StationShard): Promise<EpochShape[]> {
  const owned = stationShardFilter(shard);
  const list = await queryRows<[string, string, string, string, number, number | null, number | null]>(
    store.client,
    {
      sql: `SELECT network, station, location, channel, toUnixTimestamp64Micro(start_time), toUnixTimestamp64Micro(end_time), sample_rate
            FROM channel_epochs WHERE source = {source:String} AND ${owned.sql}`,
      params: { source, ...owned.params },
    },
    'JSONCompactEachRow',
  );
  return list.map(([network, station, location, channel, start, end, sampleRate]) => ({ network, station, location, channel, start, end, sampleRate }));
}

/**
 * The channels whose epochs differ between `before` and `after` in what the rollups depend on
 * (start, end, sample rate): reloading unchanged metadata recomputes nothing.
 */
export function changedEpochChannels(before: readonly EpochShape[], after: readonly EpochShape[]): ChannelId[] {
  const shapes = (list: readonly EpochShape[]) => {
    const byKey = new Map<string, { id: ChannelId; items: string[] }>();
    for (const e of list) {
      const key = channelKey(e);
      const entry = byKey.get(key) ?? { id: { network: e.network, station: e.station, location: e.location, channel: e.channel }, items: [] };
      entry.items.push(`${e.start}/${e.end}/${e.sampleRate}`);
      byKey.set(key, entry);
    }
    for (const entry of byKey.values()) entry.items.sort();
    return byKey;
  };
  const old = shapes(before);
  const now = shapes(after);
  const changed: ChannelId[] = [];
  for (const [key, entry] of now) if (old.get(key)?.items.join() !== entry.items.join()) changed.push(entry.id);
  for (const [key, entry] of old) if (!now.has(key)) changed.push(entry.id);
  return changed;
}

/**
 * Builds the rollups of every channel that has segments but no extent row (a store filled before
 * migration 2, or by direct inserts). Returns how many channels it built.
 */
export async function ensureRollups(store: Store, options: RefreshOptions = {}): Promise<number> {
  const missing = await queryRows<[string, string, string, string, number, number]>(
    store.client,
    {
      sql: `SELECT network, station, location, channel, toUnixTimestamp64Micro(min(start_time)), toUnixTimestamp64Micro(max(end_time))
            FROM segments
            WHERE (network, station, location, channel) NOT IN (
              SELECT network, station, location, channel FROM channel_extents FINAL WHERE deleted = 0)
            GROUP BY network, station, location, channel`,
      params: {},
    },
    'JSONCompactEachRow',
  );
  const touched: TouchedDays = new Map();
  for (const [network, station, location, channel, start, end] of missing) touchDays(touched, { network, station, location, channel }, start, end);
  await refreshRollups(store, touched, options);
  return touched.size;
}
