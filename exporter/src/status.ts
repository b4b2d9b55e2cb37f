import { availabilityOver, coveredEnd, dueUntil, epochInForce, expectedIntervals } from '@lacuna/core';
import { channelKey, compareChannelIds, type ChannelPattern } from '@lacuna/core';
import { MICROS_PER_DAY, type ChannelEpoch, type ChannelId, type Micros, type Segment } from '@lacuna/core';
import { ownsStation } from '@lacuna/core';
import { segmentsOf, select, type Selection } from './api/data.ts';
import { channelState, latency, type ChannelState, type Latency } from '@lacuna/core';
import type { Store, StoredSegment } from '@lacuna/core';
import { toleranceFor, type ToleranceRule } from '@lacuna/core';

/** A trailing window ending now, e.g. `1h`, `1d`, `7d`. */
export interface StatusWindow {
  name: string;
  micros: number;
}

const UNIT_MICROS: Record<string, number> = { s: 1e6, m: 60e6, h: 3600e6, d: 86_400e6, w: 7 * 86_400e6 };

/** `1h` → a window; anything else throws naming it. */
export function parseWindow(item: string): StatusWindow {
  const match = /^\s*(\d+)([smhdw])\s*$/.exec(item);
  if (!match || Number(match[1]) === 0) throw new Error(`bad window "${item}": expected a whole number and a unit s, m, h, d or w (e.g. 1h, 7d)`);
  const micros = Number(match[1]) * UNIT_MICROS[match[2]];
  if (micros > MAX_WINDOW_DAYS * MICROS_PER_DAY) throw new Error(`bad window "${item}": at most ${MAX_WINDOW_DAYS} days`);
  return { name: `${match[1]}${match[2]}`, micros };
}

/** The longest window or duration a request may name: a century keeps every time it reaches storable. */
export const MAX_WINDOW_DAYS = 36_600;

/** `1h,1d,7d` → windows; a bad item throws naming it. */
export function parseWindows(text: string): StatusWindow[] {
  return text.split(',').map(parseWindow);
}

export const DEFAULT_WINDOWS: StatusWindow[] = parseWindows('1h,1d,7d');

export interface WindowFigures {
  /** covered / expected over the window; null when nothing is expected in it. */
  ratio: number | null;
  gaps: number;
  maxGapSeconds: number;
  overlaps: number;
  /** |coverage ∩ window ∩ expected| and |window ∩ expected|, seconds: station and network roll-ups sum these. */
  coveredSeconds: number;
  expectedSeconds: number;
}

/** A channel's latency now, and the state its epoch in force gives it. */
export interface ChannelLatencyState {
  /** Td: time of the newest sample; null when the channel never had data. */
  lastSample: Micros | null;
  /** Ta: when that sample became available here. */
  availableAt: Micros | null;
  latency: Latency | null;
  warnS: number | null;
  failS: number | null;
  state: ChannelState;
}

/** What the exporter knows of a channel now: latency, state and availability per window. */
export interface ChannelStatus extends ChannelLatencyState {
  id: ChannelId;
  key: string;
  latitude: number | null;
  longitude: number | null;
  windows: Record<string, WindowFigures>;
}

function latestOf(epochs: readonly ChannelEpoch[]): ChannelEpoch | null {
  return epochs.reduce<ChannelEpoch | null>((latest, epoch) => (latest === null || epoch.start > latest.start ? epoch : latest), null);
}

/**
 * Latency and state at `now` from the channel's newest segment (Store.latestSegments) and its
 * epochs. The epoch in force at `now` carries the warn/fail intervals. Outside every epoch the
 * channel is not expected to have data, so it is not tracked: a retired channel never shows as FAILED.
 */
export function latencyState(last: StoredSegment | undefined, epochs: readonly ChannelEpoch[], now: Micros): ChannelLatencyState {
  const epoch = epochInForce(epochs, now);
  const lag = last ? latency(last.end, last.firstSeen, now) : null;
  return {
    lastSample: last?.end ?? null,
    availableAt: last?.firstSeen ?? null,
    latency: lag,
    warnS: epoch?.warnS ?? null,
    failS: epoch?.failS ?? null,
    state: channelState(lag?.total ?? null, epoch?.warnS ?? null, epoch?.failS ?? null),
  };
}

/** Channels computed between two turns of the event loop. */
const YIELD_EVERY = 250;

/**
 * Channels whose segments are read in one query. Thousands of channels in one result
 * make a native buffer of megabytes, and the allocator keeps that much and more after each such
 * read (glibc raises its thresholds to the largest block freed): read in parts of stations, a
 * 10,000-channel /metrics refresh stays tens of megabytes smaller, for a few more queries.
 */
export const CHANNELS_PER_READ = 2_500;

interface StatusOptions {
  patterns: ChannelPattern[];
  windows: readonly StatusWindow[];
  now: Micros;
  tolerance?: readonly ToleranceRule[];
  /** Channels whose segments are read in one query (default CHANNELS_PER_READ). */
  channelsPerRead?: number;
}

/**
 * Every matching channel's status at `now` (µs), in channel order. The windows' segments are read
 * as the API reads them (data.ts: the window and a day around it, and a channel's nearest segment
 * further away found through its extent), not by asking every stored segment for the neighbours
 * of the window; beyond CHANNELS_PER_READ channels, for a part of the stations at a time.
 */
export async function channelStatuses(store: Store, options: StatusOptions): Promise<ChannelStatus[]> {
  const longest = Math.max(...options.windows.map((window) => window.micros));
  const span = { start: options.now - longest, end: options.now };
  const selection = await select(store, options.patterns, options.tolerance);
  const parts = readParts(store, selection, options.patterns, options.channelsPerRead ?? CHANNELS_PER_READ);
  // The newest segments of all parts in one read: finding them reads every stored segment (38
  // million at 10,000 channels × 10 years), once per query whatever part of the stations it keeps.
  const newestRead = store.latestSegments(options.patterns).then((latest) => new Map(latest.map((segment) => [channelKey(segment), segment])));
  const statuses: ChannelStatus[] = [];
  for (const part of parts) {
    const [segments, newest] = await Promise.all([segmentsOf(store, part, span), newestRead]);
    for (const id of part.channels) {
      // Thousands of channels: give the event loop a turn now and then (an exporter serving scrapes meanwhile).
      if (statuses.length > 0 && statuses.length % YIELD_EVERY === 0) await new Promise<void>((resolve) => setImmediate(resolve));
      const key = channelKey(id);
      statuses.push(channelStatus(id, key, { segments: segments.get(key) ?? [], epochs: selection.epochs.get(key) ?? [], newest: newest.get(key) }, options));
    }
  }
  return parts.length === 1 ? statuses : statuses.sort((a, b) => compareChannelIds(a.id, b.id));
}

/**
 * The selection whole, or beyond `channelsPerRead` channels cut into parts of the stations (the
 * sharded collectors' rule, within the store's own part when it has one), each with its
 * channels, extents and the condition that reads its segments.
 */
function readParts(store: Store, selection: Selection, patterns: ChannelPattern[], channelsPerRead: number): Selection[] {
  const count = Math.ceil(selection.channels.length / channelsPerRead);
  if (count <= 1) return [selection];
  const whole = store.shard ?? { index: 0, count: 1 };
  return Array.from({ length: count }, (_, k) => {
    // Part k of the store's part I of N: the stations whose key modulo N·count is I + N·k.
    const shard = { index: whole.index + whole.count * k, count: whole.count * count };
    const owned = (id: ChannelId) => ownsStation(shard, id.network, id.station);
    return {
      ...selection,
      filter: store.scopedTo(shard).filterOf(patterns),
      channels: selection.channels.filter(owned),
      extents: new Map([...selection.extents].filter(([, extent]) => owned(extent.id))),
    };
  });
}

/** One channel's status at `now` from its segments around the windows, its epochs and its newest segment. */
function channelStatus(
  id: ChannelId,
  key: string,
  { segments, epochs, newest: newestData }: { segments: readonly Segment[]; epochs: readonly ChannelEpoch[]; newest: StoredSegment | undefined },
  options: StatusOptions,
): ChannelStatus {
  const described = epochInForce(epochs, options.now) ?? latestOf(epochs);
  const tolerance = toleranceFor(options.tolerance ?? [], id);
  const windows: Record<string, WindowFigures> = {};
  for (const window of options.windows) {
    const interval = { start: options.now - window.micros, end: options.now };
    const due = dueUntil(interval, epochs, newestData ? coveredEnd(newestData) : null, options.now);
    const figures = availabilityOver(segments, { window: interval, expected: expectedIntervals(epochs, { start: interval.start, end: due }), tolerance });
    windows[window.name] = {
      ratio: figures.percent === null ? null : figures.percent / 100,
      gaps: figures.gaps,
      maxGapSeconds: figures.maxGapSeconds,
      overlaps: figures.overlaps,
      coveredSeconds: figures.coveredSeconds,
      expectedSeconds: figures.expectedSeconds,
    };
  }
  return {
    id,
    key,
    ...latencyState(newestData, epochs, options.now),
    latitude: described?.latitude ?? null,
    longitude: described?.longitude ?? null,
    windows,
  };
}
