import { spawnSync } from 'node:child_process';
import { gunzipSync } from 'node:zlib';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LiveBatch } from '@lacuna/core';
import { storeLiveBatches } from '@lacuna/core';
import type { Store } from '@lacuna/core';
import { testBackends } from '@lacuna/core/testing';
import { parseTime } from '@lacuna/core';
import { encodeSeries, LiveWriter, SeedLinkSource } from '@lacuna/collector';
import { FakeSeedLinkServer, until } from '@lacuna/collector/testing';
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
    expect(value(text, 'lacuna_live_dead_letter_batches')).toBe(0);
  });

  it.skipIf(!hasPromtool)('passes `promtool check metrics` without a complaint', () => {
    const check = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect(`${check.stdout}${check.stderr}`.trim()).toBe('');
  });
});

describe.each(testBackends())('live sources at the scrape on $name', (backend) => {
  let store: Store;
  const spool = mkdtempSync(join(tmpdir(), 'lacuna-live-scrape-'));
  beforeAll(async () => {
    store = await backend.open();
  });
  afterAll(async () => {
    await backend.dispose(store);
    rmSync(spool, { recursive: true, force: true });
  });

  // FakeSeedLinkServer is the SeedLink server's test double (no real server runs here).
  it('shows a packet, a pushed heartbeat and a source going down at the next scrape, without a refresh', async () => {
    const T0 = parseTime('2024-05-01T00:00:00Z');
    const record = (first: number) => encodeSeries({ network: 'XX', station: 'SCR', location: '', channel: 'HHZ', start: T0 + first * 1_120_000, sampleRate: 100, totalSamples: 112 });
    const server = await new FakeSeedLinkServer('ringserver').listen(0);
    const writer = await LiveWriter.open(store, { spoolDir: spool, compactEveryMs: 0, log: () => {} });
    // Flushes never happen in this test: what /metrics shows comes from the source's memory.
    const source = new SeedLinkSource({
      address: { host: '127.0.0.1', port: server.port, stations: [{ network: 'XX', station: 'SCR', selectors: [] }] },
      sink: writer,
      flushMs: 3_600_000,
      client: { begin: 'oldest', keepaliveMs: 0, backoff: { initialMs: 60_000, maxMs: 60_000 } },
      log: () => {},
    });
    const detach = writer.attach(source);
    let now = T0 + 10 * S;
    const refresher = new MetricsRefresher(store, { now: () => now, liveWriter: writer });
    const labels = `network="XX",station="SCR",location="",channel="HHZ",source="${source.source}"`;
    try {
      server.add(record(0));
      await source.start();
      await until('the first packet', () => source.client.stats.packets === 1);
      expect((await refresher.refreshNow()).ok).toBe(true);
      let text = await refresher.text();
      expect(value(text, `lacuna_channel_last_sample_timestamp_seconds{${labels}}`)).toBe((T0 + 111 * 10_000) / S);
      expect(value(text, `lacuna_live_source_up{source="${source.source}"}`)).toBe(1);
      expect(value(text, `lacuna_live_resume_failures_total{source="${source.source}"}`)).toBe(0);

      // A second packet, and a later scrape: the newest sample and the total latency move, with no refresh.
      server.add(record(1));
      await until('the second packet', () => source.client.stats.packets === 2);
      now += 5 * S;
      text = await refresher.text();
      const lastSample = T0 + (2 * 112 - 1) * 10_000;
      expect(value(text, `lacuna_channel_last_sample_timestamp_seconds{${labels}}`)).toBe(lastSample / S);
      expect(value(text, `lacuna_channel_total_latency_seconds{${labels}}`)).toBe((now - lastSample) / S);
      expect(text.match(/^lacuna_channel_last_sample_timestamp_seconds\{[^}]*station="SCR"/gm)).toHaveLength(1);
      // Compressed, as Prometheus asks for it: the same samples.
      const zipped = gunzipSync(Buffer.concat((await refresher.scrape({ gzip: true })).parts)).toString();
      expect(value(zipped, `lacuna_channel_last_sample_timestamp_seconds{${labels}}`)).toBe(lastSample / S);

      // A pushed heartbeat of a stream the store has never seen shows at the next scrape too.
      await writer.submit({
        source: 'push', id: 99, contentAddressed: true, createdAt: now, pieces: [],
        latest: [{ network: 'stix', station: 'pipeline', location: '', channel: 'L1', stream: 'stix-pipeline/L1', lastSample: now - 60 * S, receivedAt: now }],
        health: { kind: 'push', up: true, received: 1, malformed: 0, reconnects: 0, at: now },
      });
      text = await refresher.text();
      expect(value(text, 'lacuna_channel_total_latency_seconds{network="stix",station="pipeline",location="",channel="L1",source="push"}')).toBe(60);
      expect(value(text, 'lacuna_live_received_total{source="push"}')).toBe(1);

      // The server goes away: down at the next scrape.
      await server.stop();
      await until('the client to notice', () => !source.client.stats.connected);
      text = await refresher.text();
      expect(value(text, `lacuna_live_source_up{source="${source.source}"}`)).toBe(0);
      if (hasPromtool) {
        const check = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
        expect(`${check.stdout}${check.stderr}`.trim()).toBe('');
      }
    } finally {
      await source.stop();
      detach();
      await writer.close();
      await server.stop();
    }
  });
});
