import { channelKey, channelState, latency, liveChannelSources, liveSourceStates, pipelineBacklogs, STATE_VALUE } from '@lacuna/core';
import type { ChannelId, LiveSourceState, LiveView, Micros } from '@lacuna/core';
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
  /** Rendered label sets of live channels (channel key and source), kept from scrape to scrape until the next refresh. */
  labelTexts: Map<string, string>;
}

/**
 * The samples a scrape adds, per family of SCRAPE_TIME_FAMILIES: live channels' newest sample,
 * latency and state at `now` (Td and Ta the newest of the refresh's and those this process's live
 * sources have now), and the health of this process's live sources now.
 */
export function scrapeTimeSamples(base: ScrapeTimeBase, view: LiveView | undefined, now: Micros): Map<string, string> {
  const channels = new Map(base.channels);
  if (base.perChannel) {
    for (const row of view?.latest() ?? []) {
      const key = channelKey(row);
      if (base.rendered.has(key)) continue; // an archive channel until the next refresh sees it live
      const known = channels.get(key);
      if (known === undefined) {
        const thresholds = view!.thresholdsFor(row);
        channels.set(key, { id: row, source: row.source, lastSample: row.lastSample, availableAt: row.receivedAt, warnS: thresholds?.warnS ?? null, failS: thresholds?.failS ?? null });
      } else if (known.lastSample === null || row.lastSample > known.lastSample || (row.lastSample === known.lastSample && row.receivedAt < known.availableAt!)) {
        channels.set(key, { ...known, source: row.source, lastSample: row.lastSample, availableAt: row.receivedAt });
      }
    }
  }
  // Thousands of live channels at every scrape: lines written straight, each label set rendered once.
  const [lastSample, total, data, feed, state] = SCRAPE_TIME_FAMILIES.slice(0, 5).map((name) => ({ name, lines: [] as string[] }));
  if (base.perChannel) {
    for (const [key, channel] of channels) {
      const cacheKey = `${key}\u0000${channel.source}`;
      let labels = base.labelTexts.get(cacheKey);
      if (labels === undefined) {
        const { network, station, location, channel: code } = channel.id;
        base.labelTexts.set(cacheKey, (labels = formatLabels({ network, station, location, channel: code, source: channel.source })));
      }
      const add = (family: { name: string; lines: string[] }, value: number) => family.lines.push(`${family.name}${labels} ${formatValue(value)}`);
      const lag = channel.lastSample === null ? null : latency(channel.lastSample, channel.availableAt!, now);
      if (channel.lastSample !== null) add(lastSample, channel.lastSample / 1e6);
      if (lag) {
        add(total, lag.total);
        add(data, lag.data);
        add(feed, lag.feed);
      }
      const current = channelState(lag?.total ?? null, channel.warnS, channel.failS);
      if (current !== 'NOT_TRACKED') add(state, STATE_VALUE[current]);
    }
  }
  const samples = new Map<string, string>();
  for (const family of [lastSample, total, data, feed, state]) samples.set(family.name, family.lines.length === 0 ? '' : `${family.lines.join('\n')}\n`);
  const health = sourceFamilies();
  for (const source of view?.sources() ?? []) if (!base.renderedSources.has(source.source)) addSource(health, source, source.up);
  for (const one of Object.values(health)) samples.set(one.name, one.samples());
  return samples;
}
