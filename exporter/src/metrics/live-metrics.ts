import { channelState, latency, liveChannelSources, liveSourceStates, pipelineBacklogs, STATE_VALUE } from '@lacuna/core';
import type { ChannelId, LiveLatestRow, LiveSourceState, LiveView, Micros } from '@lacuna/core';
import type { Store } from '@lacuna/core';
import { formatLabels, formatValue, MetricFamily, type Labels } from './exposition.ts';

/** A live source not heard from for this long counts as down, and its pipeline samples as gone. */
export const LIVE_STALE_MICROS = 2 * 60 * 1_000_000;
const BACKLOG_STALE_MICROS = 15 * 60 * 1_000_000;

/** The HELP text of the live sources' families, as a user reads it. */
export const LIVE_METRICS_HELP = {
  lacuna_live_source_up: 'Whether a live source (label source: seedlink://HOST:PORT or filedrop:DIR) is connected or watching, 1 or 0: read at the scrape from the process that follows it, else as its collector last reported (0 when it has not reported for 2 minutes).',
  lacuna_live_received_total: 'Packets (SeedLink), files (file drop) or items (push) a live source received since its collector started.',
  lacuna_live_malformed_total: 'Malformed packets and stray bytes (SeedLink), file names the pattern did not match (file drop) or rejected items (push) since the collector started.',
  lacuna_live_reconnects_total: 'Connection attempts after the first of a SeedLink source since its collector started.',
  lacuna_live_resume_failures_total: 'Stations a SeedLink server could not resume where asked (its ring no longer held the packet after the last one received: restarted with another ring, or overwritten) since the collector started; the client then resumes by time. Only from the process that follows the source.',
  lacuna_pipeline_backlog_files: 'Files waiting in a stage of a file-drop pipeline (labels pipeline, stage, and stream; without stream: the whole stage) at the last sample.',
  lacuna_pipeline_oldest_file_age_seconds: 'How long the oldest file waiting in a stage has waited: now minus its modification time. No sample when none waits.',
  lacuna_pipeline_stuck: '1 when a stage backlog is above zero and has not fallen over the stuck window (docs/definitions.md "Pipelines"), else 0.',
} as const;

const family = (name: keyof typeof LIVE_METRICS_HELP, type: 'gauge' | 'counter' = 'gauge') => new MetricFamily(name, type, LIVE_METRICS_HELP[name]);

/** The families of live sources' health, filled at a refresh (from the store) or at a scrape (from this process). */
function sourceFamilies() {
  return {
    up: family('lacuna_live_source_up'),
    received: family('lacuna_live_received_total', 'counter'),
    malformed: family('lacuna_live_malformed_total', 'counter'),
    reconnects: family('lacuna_live_reconnects_total', 'counter'),
    resumeFailures: family('lacuna_live_resume_failures_total', 'counter'),
  };
}

function addSource(families: ReturnType<typeof sourceFamilies>, state: LiveSourceState, up: boolean): void {
  const labels = { source: state.source };
  // A push source is up whenever a client pushes: there is no connection to report.
  if (state.kind !== 'push') families.up.add(labels, up ? 1 : 0);
  families.received.add(labels, state.received);
  families.malformed.add(labels, state.malformed);
  if (state.kind === 'seedlink') families.reconnects.add(labels, state.reconnects);
  if (state.resumeFailures !== undefined) families.resumeFailures.add(labels, state.resumeFailures);
}

/** What live sources add to /metrics at a refresh: the `source` label of live channels, and their own families. */
export interface LiveMetrics {
  /** Channel key → the live source it comes from (as stored). */
  sources: ReadonlyMap<string, string>;
  families: MetricFamily[];
  /** Sources in `families`; the others (those this process follows) a scrape reads from here. */
  renderedSources: ReadonlySet<string>;
}

/** The live families from the store, less the sources of `view` (rendered at each scrape instead). */
export async function liveMetrics(store: Store, now: Micros, view?: LiveView): Promise<LiveMetrics> {
  const [sources, states, backlogs] = await Promise.all([liveChannelSources(store), liveSourceStates(store), pipelineBacklogs(store)]);
  const sourcesAtScrape = new Set((view?.sources() ?? []).map((state) => state.source));
  const health = sourceFamilies();
  const renderedSources = new Set<string>();
  for (const state of states) {
    if (sourcesAtScrape.has(state.source)) continue;
    addSource(health, state, state.up && now - state.at < LIVE_STALE_MICROS);
    renderedSources.add(state.source);
  }
  const backlog = family('lacuna_pipeline_backlog_files');
  const oldest = family('lacuna_pipeline_oldest_file_age_seconds');
  const stuck = family('lacuna_pipeline_stuck');
  for (const sample of backlogs) {
    if (now - sample.at > BACKLOG_STALE_MICROS) continue;
    const labels: Labels = sample.stream === '' ? { pipeline: sample.pipeline, stage: sample.stage } : { pipeline: sample.pipeline, stage: sample.stage, stream: sample.stream };
    backlog.add(labels, sample.files);
    if (sample.oldest !== null) oldest.add(labels, Math.max(0, (now - sample.oldest) / 1e6));
    stuck.add(labels, sample.stuck ? 1 : 0);
  }
  return { sources, families: [...Object.values(health), backlog, oldest, stuck], renderedSources };
}

/** The families a scrape adds samples to, after those of the refresh (their samples stay together). */
export const SCRAPE_TIME_FAMILIES = [
  'lacuna_channel_last_sample_timestamp_seconds',
  'lacuna_channel_total_latency_seconds',
  'lacuna_channel_data_latency_seconds',
  'lacuna_channel_feed_latency_seconds',
  'lacuna_channel_state',
  'lacuna_live_source_up',
  'lacuna_live_received_total',
  'lacuna_live_malformed_total',
  'lacuna_live_reconnects_total',
  'lacuna_live_resume_failures_total',
] as const;

/** A live channel as the refresh found it: what a scrape starts from (the store's Td and Ta, its thresholds). */
export interface LiveChannelAtRefresh {
  id: ChannelId;
  source: string;
  lastSample: Micros | null;
  availableAt: Micros | null;
  warnS: number | null;
  failS: number | null;
}

/** What a refresh leaves to the scrapes. */
export interface ScrapeTimeBase {
  /** Live channels (per channel key), their latency rendered at each scrape. */
  channels: ReadonlyMap<string, LiveChannelAtRefresh>;
  /** Channels whose latency the refresh rendered (archive channels): a scrape leaves them alone. */
  rendered: ReadonlySet<string>;
  /** Sources whose health the refresh rendered (from the store). */
  renderedSources: ReadonlySet<string>;
  /** Whether the per-channel families are emitted at all (metrics level `channel`). */
  perChannel: boolean;
  /** Per live channel (channel key and source), its lines' text up to the value in each channel family, kept from scrape to scrape until the next refresh. */
  linePrefixes: Map<string, string[]>;
}

/**
 * The samples a scrape adds, per family of SCRAPE_TIME_FAMILIES: live channels' newest sample,
 * latency and state at `now` (Td and Ta the newest of the refresh's and those this process's live
 * sources have now), and the health of this process's live sources now.
 */
export function scrapeTimeSamples(base: ScrapeTimeBase, view: LiveView | undefined, now: Micros): Map<string, string> {
  // Thousands of live channels at every scrape: lines written straight, each label set rendered once.
  const families = SCRAPE_TIME_FAMILIES.slice(0, 5).map((name) => ({ name, lines: [] as string[] }));
  const [lastSample, total, data, feed, state] = families;
  const render = (key: string, id: ChannelId, source: string, td: Micros | null, ta: Micros | null, warnS: number | null, failS: number | null) => {
    const cacheKey = `${key}\u0000${source}`;
    let prefix = base.linePrefixes.get(cacheKey);
    if (prefix === undefined) {
      const labels = formatLabels({ network: id.network, station: id.station, location: id.location, channel: id.channel, source });
      base.linePrefixes.set(cacheKey, (prefix = families.map((family) => `${family.name}${labels} `)));
    }
    const lag = td !== null && ta !== null ? latency(td, ta, now) : null;
    if (lag !== null) {
      lastSample.lines.push(prefix[0] + formatValue(td! / 1e6));
      total.lines.push(prefix[1] + formatValue(lag.total));
      data.lines.push(prefix[2] + formatValue(lag.data));
      feed.lines.push(prefix[3] + formatValue(lag.feed));
    }
    const current = channelState(lag?.total ?? null, warnS, failS);
    if (current !== 'NOT_TRACKED') state.lines.push(prefix[4] + STATE_VALUE[current]);
  };
  if (base.perChannel) {
    const memory = view?.latest() ?? new Map<string, LiveLatestRow>();
    // Td and Ta: the newer of the refresh's and this process's (the earlier receipt of the same sample).
    const newer = (row: LiveLatestRow | undefined, td: Micros | null, ta: Micros | null) =>
      row !== undefined && (td === null || row.lastSample > td || (row.lastSample === td && row.receivedAt < ta!));
    for (const [key, channel] of base.channels) {
      const row = memory.get(key);
      if (newer(row, channel.lastSample, channel.availableAt)) render(key, channel.id, row!.source, row!.lastSample, row!.receivedAt, channel.warnS, channel.failS);
      else render(key, channel.id, channel.source, channel.lastSample, channel.availableAt, channel.warnS, channel.failS);
    }
    for (const [key, row] of memory) {
      // Known at the refresh (above), or an archive channel until the next refresh sees it live.
      if (base.channels.has(key) || base.rendered.has(key)) continue;
      const thresholds = view!.thresholdsFor(row);
      render(key, row, row.source, row.lastSample, row.receivedAt, thresholds?.warnS ?? null, thresholds?.failS ?? null);
    }
  }
  const samples = new Map<string, string>();
  for (const family of [lastSample, total, data, feed, state]) samples.set(family.name, family.lines.length === 0 ? '' : `${family.lines.join('\n')}\n`);
  const health = sourceFamilies();
  for (const source of view?.sources() ?? []) if (!base.renderedSources.has(source.source)) addSource(health, source, source.up);
  for (const one of Object.values(health)) samples.set(one.name, one.samples());
  return samples;
}
