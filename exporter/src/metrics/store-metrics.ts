import { STATE_VALUE, worstState, type ChannelState } from '@lacuna/core';
import type { ChannelStatus, StatusWindow } from '../status.ts';
import type { CollectorHealth } from './collector-runs.ts';
import { MetricFamily, type Labels } from './exposition.ts';
import { SCRAPE_TIME_FAMILIES, type LiveChannelAtRefresh, type LiveMetrics, type ScrapeTimeBase } from './live-metrics.ts';

/**
 * How fine the per-stream series are, to bound cardinality: `channel` emits every family,
 * `station` drops the per-channel series (keeps station and network roll-ups), `network` keeps
 * only the network roll-ups. Collector, store and process metrics are always emitted.
 */
export type MetricsLevel = 'channel' | 'station' | 'network';
export const METRICS_LEVELS: readonly MetricsLevel[] = ['channel', 'station', 'network'];

/** `channel`, `station` or `network`; anything else throws naming it. */
export function parseMetricsLevel(text: string): MetricsLevel {
  const level = METRICS_LEVELS.find((candidate) => candidate === text.trim());
  if (!level) throw new Error(`bad metrics level "${text}": expected channel, station or network`);
  return level;
}

const STATE_HELP = '0 operational, 1 degraded, 2 failed';
const WINDOW_HELP = 'over the trailing window ending now (label window, e.g. 1h, 1d, 7d), counting only the time the metadata expects data (no sample when nothing is expected in the window)';

/** The HELP text of every family computed from the store, as a user reads it. */
export const STORE_METRICS_HELP = {
  lacuna_channel_availability_ratio: `Fraction of the expected time covered by data, 0 to 1, ${WINDOW_HELP}.`,
  lacuna_channel_gaps: `Number of gaps (breaks between consecutive data longer than the tolerance, and missing time before the first or after the last sample, as MUSTANG counts them; time not yet arrived within the expected latency is no gap) ${WINDOW_HELP}.`,
  lacuna_channel_max_gap_seconds: `Longest gap, from the last sample before it (or the window start) to the first sample after it (or the window end), clipped to the window; 0 without gaps; ${WINDOW_HELP}.`,
  lacuna_channel_overlaps: `Number of overlaps (data received more than once for the same time) ${WINDOW_HELP}.`,
  lacuna_channel_last_sample_timestamp_seconds: 'Time of the newest sample of the channel (Td), Unix seconds. No sample when the channel never had data.',
  lacuna_channel_total_latency_seconds: 'How old the newest sample is now (Tm - Td): the delay from measurement to now, what the warn and fail thresholds are compared against.',
  lacuna_channel_data_latency_seconds: 'How long the newest sample took to arrive here (Ta - Td): from its time to when its file or packet was received.',
  lacuna_channel_feed_latency_seconds: 'How long ago the newest data arrived (Tm - Ta): grows while nothing new arrives.',
  lacuna_channel_state: `Channel state from its total latency against its warn and fail thresholds: ${STATE_HELP}. No sample for a channel without thresholds (not tracked).`,
  lacuna_station_state: `Worst state of the station's tracked channels: ${STATE_HELP}. No sample when none of its channels is tracked.`,
  lacuna_network_state: `Worst state of the network's tracked channels: ${STATE_HELP}. No sample when none of its channels is tracked.`,
  lacuna_station_availability_ratio: `Fraction of the expected time covered by data over all the station's channels (covered time summed over expected time summed), 0 to 1, ${WINDOW_HELP}.`,
  lacuna_network_availability_ratio: `Fraction of the expected time covered by data over all the network's channels (covered time summed over expected time summed), 0 to 1, ${WINDOW_HELP}.`,
  lacuna_network_covered_seconds: `Expected time covered by data, summed over the network's channels (of this exporter's part of the stations with --metrics-shard: sum it across parts and divide by lacuna_network_expected_seconds), ${WINDOW_HELP}.`,
  lacuna_network_expected_seconds: `Time the metadata expects data, summed over the network's channels (of this exporter's part of the stations with --metrics-shard), ${WINDOW_HELP}.`,
  lacuna_collector_scans_total: 'Archive scans the collector finished, by outcome (status ok or failed), as recorded in the store.',
  lacuna_collector_files_scanned_total: 'Files the collector read (new or changed files), summed over its scans.',
  lacuna_collector_files_failed_total: 'Files the collector could not read (damaged or unreadable), summed over its scans.',
  lacuna_collector_scan_duration_seconds: 'How long the collector’s finished scans took, from start to finish.',
  lacuna_collector_last_successful_scan_timestamp_seconds: 'When the newest successful collector scan finished, Unix seconds. No sample before the first one.',
} as const;

type StoreMetricName = keyof typeof STORE_METRICS_HELP;

const family = (name: StoreMetricName, type: 'gauge' | 'counter' | 'histogram' = 'gauge') => new MetricFamily(name, type, STORE_METRICS_HELP[name]);

/** Covered and expected seconds per window, summed over a group's channels, and their states. */
interface Rollup {
  labels: Labels;
  states: ChannelState[];
  covered: Map<string, number>;
  expected: Map<string, number>;
}

function rollupOf(groups: Map<string, Rollup>, key: string, labels: Labels): Rollup {
  let group = groups.get(key);
  if (!group) groups.set(key, (group = { labels, states: [], covered: new Map(), expected: new Map() }));
  return group;
}

export interface StoreMetricsOptions {
  level: MetricsLevel;
  windows: readonly StatusWindow[];
  /** Live sources: the `source` label of their channels, and their own families (live-metrics.ts). */
  live?: LiveMetrics;
}

/**
 * The exposition text of a refresh, cut after each family of SCRAPE_TIME_FAMILIES: a scrape
 * writes `chunks[0]` (its buffers one after the other), the samples it adds to `slots[0]`,
 * `chunks[1]`, and so on.
 */
export interface RenderedMetrics {
  chunks: Buffer[][];
  slots: string[];
  /** Number of samples (lines that are not comments). */
  series: number;
  /** What the scrapes render: live channels' latency, live sources' health. */
  scrapeTime: ScrapeTimeBase;
}

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * The metrics computed from the store, as exposition text: per-channel series (at level
 * `channel`), station and network roll-ups, and the collector's health. Channels are processed in
 * chunks with a turn of the event loop between them, so a concurrent scrape is served promptly.
 */
/** Channels between which the event loop gets a turn (serving scrapes). */
const CHANNELS_PER_TURN = 500;

export async function renderStoreMetrics(statuses: readonly ChannelStatus[], collector: CollectorHealth | null, options: StoreMetricsOptions): Promise<RenderedMetrics> {
  const perChannel = options.level === 'channel';
  const perStation = options.level !== 'network';

  const channel = {
    ratio: family('lacuna_channel_availability_ratio'),
    gaps: family('lacuna_channel_gaps'),
    maxGap: family('lacuna_channel_max_gap_seconds'),
    overlaps: family('lacuna_channel_overlaps'),
    lastSample: family('lacuna_channel_last_sample_timestamp_seconds'),
    total: family('lacuna_channel_total_latency_seconds'),
    data: family('lacuna_channel_data_latency_seconds'),
    feed: family('lacuna_channel_feed_latency_seconds'),
    state: family('lacuna_channel_state'),
  };
  const stations = new Map<string, Rollup>();
  const networks = new Map<string, Rollup>();
  // Live channels' newest sample moves between refreshes: a scrape renders their latency, at its own now.
  const liveChannels = new Map<string, LiveChannelAtRefresh>();
  const rendered = new Set<string>();

  for (let i = 0; i < statuses.length; i++) {
    if (i > 0 && i % CHANNELS_PER_TURN === 0) await turn();
    const status = statuses[i];
    const { network, station, location, channel: code } = status.id;
    const groups = [rollupOf(networks, network, { network })];
    if (perStation) groups.push(rollupOf(stations, `${network}.${station}`, { network, station }));
    for (const group of groups) group.states.push(status.state);
    const source = options.live?.sources.get(status.key);
    const labels: Labels = source === undefined ? { network, station, location, channel: code } : { network, station, location, channel: code, source };
    for (const window of options.windows) {
      const figures = status.windows[window.name];
      if (!figures || figures.ratio === null) continue;
      for (const group of groups) {
        group.covered.set(window.name, (group.covered.get(window.name) ?? 0) + figures.coveredSeconds);
        group.expected.set(window.name, (group.expected.get(window.name) ?? 0) + figures.expectedSeconds);
      }
      if (!perChannel) continue;
      const windowed = { ...labels, window: window.name };
      channel.ratio.add(windowed, figures.ratio);
      channel.gaps.add(windowed, figures.gaps);
      channel.maxGap.add(windowed, figures.maxGapSeconds);
      channel.overlaps.add(windowed, figures.overlaps);
    }
    if (!perChannel) continue;
    if (source !== undefined) {
      liveChannels.set(status.key, { id: status.id, source, lastSample: status.lastSample, availableAt: status.availableAt, warnS: status.warnS, failS: status.failS });
      continue;
    }
    rendered.add(status.key);
    if (status.lastSample !== null) channel.lastSample.add(labels, status.lastSample / 1e6);
    if (status.latency) {
      channel.total.add(labels, status.latency.total);
      channel.data.add(labels, status.latency.data);
      channel.feed.add(labels, status.latency.feed);
    }
    if (status.state !== 'NOT_TRACKED') channel.state.add(labels, STATE_VALUE[status.state]);
  }

  const rollupFamilies = (groups: Map<string, Rollup>, state: MetricFamily, ratio: MetricFamily) => {
    for (const group of groups.values()) {
      const worst = worstState(group.states);
      if (worst !== 'NOT_TRACKED') state.add(group.labels, STATE_VALUE[worst]);
      for (const window of options.windows) {
        const expected = group.expected.get(window.name) ?? 0;
        if (expected > 0) ratio.add({ ...group.labels, window: window.name }, (group.covered.get(window.name) ?? 0) / expected);
      }
    }
    return [state, ratio];
  };

  const collectorFamilies = collector === null ? [] : [
    family('lacuna_collector_scans_total', 'counter').add({ status: 'ok' }, collector.scans.ok).add({ status: 'failed' }, collector.scans.failed),
    family('lacuna_collector_files_scanned_total', 'counter').add({}, collector.filesScanned),
    family('lacuna_collector_files_failed_total', 'counter').add({}, collector.filesFailed),
    family('lacuna_collector_scan_duration_seconds', 'histogram').addHistogram(
      {},
      collector.duration.bounds,
      collector.duration.counts,
      collector.duration.count,
      collector.duration.sumSeconds,
    ),
    family('lacuna_collector_last_successful_scan_timestamp_seconds'),
  ];
  if (collector !== null && collector.lastSuccessfulScan !== null) collectorFamilies[4].add({}, collector.lastSuccessfulScan / 1e6);

  // The sums behind the network ratio, which add up across the parts of a sharded /metrics.
  const networkCovered = family('lacuna_network_covered_seconds');
  const networkExpected = family('lacuna_network_expected_seconds');
  for (const group of networks.values()) {
    for (const window of options.windows) {
      const expected = group.expected.get(window.name) ?? 0;
      if (expected === 0) continue;
      networkCovered.add({ ...group.labels, window: window.name }, group.covered.get(window.name) ?? 0);
      networkExpected.add({ ...group.labels, window: window.name }, expected);
    }
  }

  const families = [
    ...(perChannel ? Object.values(channel) : []),
    ...(perStation ? rollupFamilies(stations, family('lacuna_station_state'), family('lacuna_station_availability_ratio')) : []),
    ...rollupFamilies(networks, family('lacuna_network_state'), family('lacuna_network_availability_ratio')),
    networkCovered,
    networkExpected,
    ...collectorFamilies,
    ...(options.live?.families ?? []),
  ];
  const chunks: Buffer[][] = [];
  const slots: string[] = [];
  let chunk: Buffer[] = [];
  for (const one of families) {
    chunk.push(...one.parts());
    if ((SCRAPE_TIME_FAMILIES as readonly string[]).includes(one.name)) {
      chunks.push(chunk);
      slots.push(one.name);
      chunk = [];
    }
  }
  chunks.push(chunk);
  return {
    chunks,
    slots,
    series: families.reduce((sum, f) => sum + f.size, 0),
    scrapeTime: { channels: liveChannels, rendered, renderedSources: options.live?.renderedSources ?? new Set(), perChannel, linePrefixes: new Map() },
  };
}
