import { liveChannelSources, liveSourceStates, pipelineBacklogs } from '@lacuna/core';
import type { Micros } from '@lacuna/core';
import type { Store } from '@lacuna/core';
import { MetricFamily, type Labels } from './exposition.ts';

/** A live source not heard from for this long counts as down, and its pipeline samples as gone. */
export const LIVE_STALE_MICROS = 2 * 60 * 1_000_000;
const BACKLOG_STALE_MICROS = 15 * 60 * 1_000_000;

/** The HELP text of the live sources' families, as a user reads it. */
export const LIVE_METRICS_HELP = {
  lacuna_live_source_up: 'Whether a live source (label source: seedlink://HOST:PORT or filedrop:DIR) is connected or watching, 1 or 0, as its collector last reported; 0 when the collector has not reported for 2 minutes.',
  lacuna_live_received_total: 'Packets (SeedLink), files (file drop) or items (push) a live source received since its collector started.',
  lacuna_live_malformed_total: 'Malformed packets and stray bytes (SeedLink), file names the pattern did not match (file drop) or rejected items (push) since the collector started.',
  lacuna_live_reconnects_total: 'Connection attempts after the first of a SeedLink source since its collector started.',
  lacuna_pipeline_backlog_files: 'Files waiting in a stage of a file-drop pipeline (labels pipeline, stage, and stream; without stream: the whole stage) at the last sample.',
  lacuna_pipeline_oldest_file_age_seconds: 'How long the oldest file waiting in a stage has waited: now minus its modification time. No sample when none waits.',
  lacuna_pipeline_stuck: '1 when a stage backlog is above zero and has not fallen over the stuck window (DESIGN.md "Pipeline stuck"), else 0.',
} as const;

const family = (name: keyof typeof LIVE_METRICS_HELP, type: 'gauge' | 'counter' = 'gauge') => new MetricFamily(name, type, LIVE_METRICS_HELP[name]);

/** What live sources add to /metrics: the `source` label of live channels, and their own families. */
export interface LiveMetrics {
  /** Channel key → the live source it comes from. */
  sources: ReadonlyMap<string, string>;
  families: MetricFamily[];
}

export async function liveMetrics(store: Store, now: Micros): Promise<LiveMetrics> {
  const [sources, states, backlogs] = await Promise.all([liveChannelSources(store), liveSourceStates(store), pipelineBacklogs(store)]);
  const up = family('lacuna_live_source_up');
  const received = family('lacuna_live_received_total', 'counter');
  const malformed = family('lacuna_live_malformed_total', 'counter');
  const reconnects = family('lacuna_live_reconnects_total', 'counter');
  for (const state of states) {
    const labels = { source: state.source };
    // A push source is up whenever a client pushes: there is no connection to report.
    if (state.kind !== 'push') up.add(labels, state.up && now - state.at < LIVE_STALE_MICROS ? 1 : 0);
    received.add(labels, state.received);
    malformed.add(labels, state.malformed);
    if (state.kind === 'seedlink') reconnects.add(labels, state.reconnects);
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
  return { sources, families: [up, received, malformed, reconnects, backlog, oldest, stuck] };
}
