import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LiveBatch } from '@lacuna/core';
import { storeLiveBatches } from '@lacuna/core';
import type { Store } from '@lacuna/core';
import { testBackends } from '@lacuna/core/testing';
import { parseTime } from '@lacuna/core';
import { LiveWriter } from '@lacuna/collector';
import { MetricsRefresher } from './refresher.ts';

const S = 1_000_000;
const NOW = parseTime('2024-10-01T12:00:00Z');
const hasPromtool = !spawnSync('promtool', ['--version']).error;

/** The value of the sample written exactly as `series` (name and labels), or undefined. */
function value(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe.each(testBackends())('live sources in /metrics on $name', (backend) => {
  let store: Store;
  let writer: LiveWriter;
  let text: string;
  const spool = mkdtempSync(join(tmpdir(), 'lacuna-live-metrics-'));
  beforeAll(async () => {
    store = await backend.open();
    const batches: LiveBatch[] = [
      {
        source: 'seedlink://127.0.0.1:18000',
        id: 1,
        createdAt: NOW,
        pieces: [{ network: 'XX', station: 'ABC', location: '', channel: 'HHZ', quality: 'D', sampleRate: 100, start: NOW - 60 * S, end: NOW - 2 * S - 10_000, samples: 5800, toleranceUs: 5000, firstSeen: NOW - 1 * S }],
        latest: [{ network: 'XX', station: 'ABC', location: '', channel: 'HHZ', stream: '', lastSample: NOW - 2 * S - 10_000, receivedAt: NOW - 1 * S }],
        health: { kind: 'seedlink', up: true, received: 52, malformed: 3, reconnects: 2, at: NOW - 5 * S },
      },
      {
        source: 'filedrop:/data/stix',
        id: 2,
        createdAt: NOW,
        pieces: [],
        latest: [],
        backlog: [
          { pipeline: '/data/stix', stage: 'processing', stream: '', files: 4, oldest: NOW - 900 * S, stuck: true, at: NOW - 10 * S },
          { pipeline: '/data/stix', stage: 'processing', stream: 'stix-L1', files: 4, oldest: NOW - 900 * S, stuck: true, at: NOW - 10 * S },
        ],
        health: { kind: 'filedrop', up: true, received: 7, malformed: 0, reconnects: 0, at: NOW - 10 * 60 * S },
      },
      {
        source: 'push',
        id: 3,
        contentAddressed: true,
        createdAt: NOW,
        pieces: [],
        latest: [{ network: 'CE01ISSM', station: 'MFD37', location: '03-CTDBPC000', channel: 'telemetered', stream: 'CE01ISSM-MFD37-03-CTDBPC000/telemetered', lastSample: NOW - 300 * S, receivedAt: NOW - 200 * S }],
        health: { kind: 'push', up: true, received: 12, malformed: 1, reconnects: 0, at: NOW },
      },
    ];
    await storeLiveBatches(store, batches, { rewrite: false });
    await store.replaceEpochs('meta.csv', [
      { network: 'CE01ISSM', station: 'MFD37', location: '03-CTDBPC000', channel: 'telemetered', start: 0, end: null, sampleRate: 1, latitude: null, longitude: null, elevation: null, warnS: 60, failS: 600 },
    ]);
    writer = await LiveWriter.open(store, { spoolDir: spool, compactEveryMs: 0, log: () => {} });
    const refresher = new MetricsRefresher(store, { now: () => NOW, liveWriter: writer });
    expect((await refresher.refreshNow()).ok).toBe(true);
    text = await refresher.text();
  });
  afterAll(async () => {
    await writer.close();
    await backend.dispose(store);
    rmSync(spool, { recursive: true, force: true });
  });

  it('labels live channels with their source, with latency exact to the packet', () => {
    expect(value(text, 'lacuna_channel_data_latency_seconds{network="XX",station="ABC",location="",channel="HHZ",source="seedlink://127.0.0.1:18000"}')).toBe(1.01);
    expect(value(text, 'lacuna_channel_total_latency_seconds{network="XX",station="ABC",location="",channel="HHZ",source="seedlink://127.0.0.1:18000"}')).toBe(2.01);
  });

  it('shows a pushed stream known only by a heartbeat, in its state', () => {
    const labels = 'network="CE01ISSM",station="MFD37",location="03-CTDBPC000",channel="telemetered",source="push"';
    expect(value(text, `lacuna_channel_total_latency_seconds{${labels}}`)).toBe(300);
    expect(value(text, `lacuna_channel_state{${labels}}`)).toBe(1);
  });

  it('reports the live sources: connected or not (stale counts as down), counters', () => {
    expect(value(text, 'lacuna_live_source_up{source="seedlink://127.0.0.1:18000"}')).toBe(1);
    expect(value(text, 'lacuna_live_source_up{source="filedrop:/data/stix"}')).toBe(0);
    expect(value(text, 'lacuna_live_received_total{source="seedlink://127.0.0.1:18000"}')).toBe(52);
    expect(value(text, 'lacuna_live_malformed_total{source="push"}')).toBe(1);
    expect(value(text, 'lacuna_live_reconnects_total{source="seedlink://127.0.0.1:18000"}')).toBe(2);
  });

  it('reports pipeline backlog, the oldest file waiting and stuck stages', () => {
    expect(value(text, 'lacuna_pipeline_backlog_files{pipeline="/data/stix",stage="processing"}')).toBe(4);
    expect(value(text, 'lacuna_pipeline_backlog_files{pipeline="/data/stix",stage="processing",stream="stix-L1"}')).toBe(4);
    expect(value(text, 'lacuna_pipeline_oldest_file_age_seconds{pipeline="/data/stix",stage="processing"}')).toBe(900);
    expect(value(text, 'lacuna_pipeline_stuck{pipeline="/data/stix",stage="processing"}')).toBe(1);
  });

  it('reports this process\'s live writer: writing to the store, nothing waiting', () => {
    expect(value(text, 'lacuna_live_writer_up')).toBe(1);
    expect(value(text, 'lacuna_live_queued_batches')).toBe(0);
    expect(value(text, 'lacuna_live_spool_files')).toBe(0);
    expect(value(text, 'lacuna_live_spool_bytes')).toBe(0);
  });

  it.skipIf(!hasPromtool)('passes `promtool check metrics` without a complaint', () => {
    const check = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect(`${check.stdout}${check.stderr}`.trim()).toBe('');
  });
});
