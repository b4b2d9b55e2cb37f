/**
 * Nothing lost while the store is away: a SeedLink feed (FakeSeedLinkServer, the test double of a
 * SeedLink server written for these tests) and HTTP pushes keep arriving while the store refuses
 * every call, and once it is back, everything is stored exactly once. /metrics shows the spool
 * filling and draining meanwhile.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseChannelPatterns } from '@lacuna/core';
import type { Store } from '@lacuna/core';
import { testBackends } from '@lacuna/core/testing';
import { parseTime } from '@lacuna/core';
import { DEFAULT_LIMITS, startExporter } from '@lacuna/exporter';
import { MetricsRefresher } from '@lacuna/exporter';
import { encodeSeries } from '../mseed/writer.ts';
import { SeedLinkSource } from '../seedlink/source.ts';
import { FakeSeedLinkServer } from '../seedlink/testing/fake-server.ts';
import { switchableStore, until } from './testing.ts';
import { LiveWriter } from './writer.ts';

const T0 = parseTime('2024-09-01T00:00:00Z');
const ALL = { start: parseTime('2000-01-01'), end: parseTime('2100-01-01') };
const TOKEN = 't0ken';
const records = (count: number, first: number) =>
  encodeSeries({ network: 'XO', station: 'OUT', location: '', channel: 'BHZ', start: T0 + first * 560_000, sampleRate: 200, totalSamples: count * 112 });
const pushBatch = (hour: number) =>
  JSON.stringify([{ stream: 'buoy-7/telemetered', start: `2024-09-01T${String(hour).padStart(2, '0')}:00:00Z`, end: `2024-09-01T${String(hour).padStart(2, '0')}:59:59Z`, samples: 3600 }]);

describe.each(testBackends())('live data while the store is away, on $name', (backend) => {
  let real: Store;
  const spool = mkdtempSync(join(tmpdir(), 'lacuna-spool-'));
  beforeAll(async () => {
    real = await backend.open();
  });
  afterAll(async () => {
    await backend.dispose(real);
    rmSync(spool, { recursive: true, force: true });
  });

  it('spools SeedLink data and pushed batches while the store refuses, then stores all of it once', async () => {
    const { store, setMode } = switchableStore(real);
    const writer = await LiveWriter.open(store, { spoolDir: spool, retry: { initialMs: 20, maxMs: 200 }, compactEveryMs: 0, log: () => {} });
    const server = await new FakeSeedLinkServer('ringserver').listen(0);
    const source = new SeedLinkSource({
      address: { host: '127.0.0.1', port: server.port, stations: [{ network: 'XO', station: 'OUT', selectors: ['BHZ'] }] },
      sink: writer,
      flushMs: 30,
      client: { begin: 'oldest', keepaliveMs: 0, backoff: { initialMs: 20, maxMs: 100 } },
      log: () => {},
    });
    const metrics = new MetricsRefresher(store, { liveWriter: writer, onError: () => {} });
    const exporter = await startExporter({ store, limits: DEFAULT_LIMITS, token: TOKEN, ingest: writer, metrics }, { host: '127.0.0.1', port: 0 });
    const scrape = async () => {
      const text = await (await fetch(`${exporter.url}/metrics`)).text();
      const value = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1]);
      return { writerUp: value('lacuna_live_writer_up'), queued: value('lacuna_live_queued_batches'), files: value('lacuna_live_spool_files'), bytes: value('lacuna_live_spool_bytes') };
    };
    const push = async (body: string) =>
      (await (await fetch(`${exporter.url}/api/v1/ingest`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body })).json()) as { outcome: string };
    try {
      server.add(records(10, 0));
      await source.start();
      expect((await push(pushBatch(0))).outcome).toBe('stored');
      await until('10 packets', () => source.client.stats.packets === 10);
      await source.flush();

      setMode('down');
      server.add(records(20, 10));
      await until('30 packets', () => source.client.stats.packets === 30);
      await source.flush();
      expect((await push(pushBatch(1))).outcome).toBe('spooled');
      expect((await push(pushBatch(2))).outcome).toBe('spooled');
      // The first batch again, while nobody can tell whether it is stored: stored once in the end.
      expect((await push(pushBatch(0))).outcome).toBe('spooled');
      expect(writer.status()).toMatchObject({ storeUp: false, queued: 0 });
      expect(writer.status().spoolFiles).toBeGreaterThan(0);
      const spooling = await scrape();
      expect(spooling).toMatchObject({ writerUp: 0, queued: 0 });
      expect(spooling.files).toBeGreaterThan(0);
      expect(spooling.bytes).toBeGreaterThan(0);

      setMode('up');
      await until('the spool to be written', () => writer.status().spoolFiles === 0 && writer.status().storeUp);
      expect(await scrape()).toEqual({ writerUp: 1, queued: 0, files: 0, bytes: 0 });
      await source.flush();
      await writer.settle();
      // Before compaction too: the rows add up to each sample once.
      const rows = await real.segments({ patterns: parseChannelPatterns('XO.OUT,buoy.7'), window: ALL });
      expect(rows.filter((s) => s.network === 'XO').reduce((sum, s) => sum + s.samples, 0)).toBe(30 * 112);
      expect(rows.filter((s) => s.network === 'buoy').reduce((sum, s) => sum + s.samples, 0)).toBe(3 * 3600);
      await writer.compactNow();

      const feed = await real.segments({ patterns: parseChannelPatterns('XO.OUT'), window: ALL });
      expect(feed.map((s) => [s.start, s.end, s.samples])).toEqual([[T0, T0 + (30 * 112 - 1) * 5000, 30 * 112]]);
      const pushed = await real.segments({ patterns: parseChannelPatterns('buoy.7'), window: ALL });
      expect(pushed.map((s) => [s.start, s.end, s.samples])).toEqual([[T0, parseTime('2024-09-01T02:59:59Z'), 3 * 3600]]);
    } finally {
      await exporter.close();
      await source.stop();
      await server.stop();
      await writer.close();
    }
  });
});
