/**
 * What /api/v1 reads from the store: the selected channels (data extents from the rollups, plus
 * channels known only from metadata), their epochs, their segments around a window, rollups and
 * latency aggregates.
 */
import { channelKey, compareChannelIds, type ChannelPattern } from '@lacuna/core';
import type { ChannelEpoch, ChannelId, Segment } from '@lacuna/core';
import type { Interval } from '@lacuna/core';
import { channelExtents, ensureRollups, liveChannelSources, segmentsAround, type ChannelExtent } from '@lacuna/core';
import type { SqlFragment } from '@lacuna/core';
import type { Store } from '@lacuna/core';
import type { ToleranceRule } from '@lacuna/core';

export interface Selection {
  patterns: ChannelPattern[];
  filter: SqlFragment;
  /** Channels with data or metadata, sorted by network, station, location, channel. */
  channels: ChannelId[];
  extents: Map<string, ChannelExtent>;
  epochs: Map<string, ChannelEpoch[]>;
}

const ensured = new WeakMap<Store, Promise<unknown>>();

/**
 * Rollups exist for every channel with data (built once per process and store for data stored
 * before migration 2 or inserted directly; scans keep them current afterwards).
 */
export function rollupsReady(store: Store, tolerance: readonly ToleranceRule[] = []): Promise<unknown> {
  let ready = ensured.get(store);
  if (ready === undefined) {
    ready = ensureRollups(store, { tolerance }).catch((error: unknown) => {
      ensured.delete(store);
      throw error;
    });
    ensured.set(store, ready);
  }
  return ready;
}

/**
 * Reads that do not depend on a request's window, kept per store for its current data version
 * (core dataVersion, read once per request by the router): while nothing is written, requests
 * for the same channels share them, however their windows differ. A new version drops them all.
 */
const versioned = new WeakMap<Store, { version: string; reads: Map<string, Promise<unknown>> }>();

function sharedRead<T>(store: Store, version: string | undefined, key: string, read: () => Promise<T>): Promise<T> {
  if (version === undefined) return read();
  let kept = versioned.get(store);
  if (kept?.version !== version) {
    kept = { version, reads: new Map() };
    versioned.set(store, kept);
  }
  let reading = kept.reads.get(key) as Promise<T> | undefined;
  if (reading === undefined) {
    const reads = kept.reads;
    reading = read();
    reads.set(key, reading);
    reading.catch(() => reads.delete(key)); // a failed read is not kept
  }
  return reading;
}

/**
 * The channels matching the patterns (no patterns: all), with their extents and epochs; shared
 * between requests of the same data `version` when given (a copy each: segmentsOf adds channels).
 */
export async function select(store: Store, patterns: ChannelPattern[], tolerance?: readonly ToleranceRule[], version?: string): Promise<Selection> {
  const selection = await sharedRead(store, version, `select\n${JSON.stringify(patterns)}`, () => readSelection(store, patterns, tolerance));
  return { ...selection };
}

/** Which live source each live channel comes from (core liveChannelSources), shared as `select` is. */
export function liveSources(store: Store, version?: string): Promise<Map<string, string>> {
  return sharedRead(store, version, 'live sources', () => liveChannelSources(store));
}

async function readSelection(store: Store, patterns: ChannelPattern[], tolerance?: readonly ToleranceRule[]): Promise<Selection> {
  await rollupsReady(store, tolerance);
  const filter = store.filterOf(patterns);
  const [extents, epochList] = await Promise.all([channelExtents(store, filter), store.epochs(patterns)]);
  const epochs = new Map<string, ChannelEpoch[]>();
  const ids = new Map<string, ChannelId>();
  for (const extent of extents.values()) ids.set(extent.key, extent.id);
  for (const epoch of epochList) {
    const key = channelKey(epoch);
    const list = epochs.get(key) ?? [];
    list.push(epoch);
    epochs.set(key, list);
    if (!ids.has(key)) ids.set(key, { network: epoch.network, station: epoch.station, location: epoch.location, channel: epoch.channel });
  }
  return { patterns, filter, channels: [...ids.values()].sort(compareChannelIds), extents, epochs };
}

/**
 * The selection's segments reaching into the window, with the neighbours the figures need. A
 * channel with data there but not yet in the rollups' extents joins the selection's channels.
 */
export async function segmentsOf(store: Store, selection: Selection, window: Interval): Promise<Map<string, Segment[]>> {
  const seen = new Map<string, ChannelId>();
  const segments = await segmentsAround(store, selection.filter, window, selection.extents, seen);
  const known = new Set(selection.channels.map(channelKey));
  const added = [...seen].filter(([key]) => !known.has(key)).map(([, id]) => id);
  if (added.length > 0) selection.channels = [...selection.channels, ...added].sort(compareChannelIds);
  return segments;
}

/** A query's result as TabSeparated text (queries of availability_daily FINAL). */
export async function textRows(store: Store, query: SqlFragment): Promise<string> {
  const result = await store.client.query({
    query: query.sql,
    query_params: query.params,
    format: 'TabSeparated',
    // Rollup rows of one key never span partitions (the month is the key's day's).
    clickhouse_settings: { do_not_merge_across_partitions_select_final: 1 },
  });
  return result.text();
}
