/**
 * A SeedLink server (FakeSeedLinkServer, the test double written for these tests) feeding the
 * store through SeedLinkSource and the live writer, over 127.0.0.1.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseChannelPatterns } from '@lacuna/core';
import { liveSourceStates } from '@lacuna/core';
import type { Store } from '@lacuna/core';
import { testBackends } from '@lacuna/core/testing';
import { parseTime } from '@lacuna/core';
import { until } from '../live/testing.ts';
import { LiveWriter } from '../live/writer.ts';
import { encodeSeries } from '../mseed/writer.ts';
import { SeedLinkSource } from './source.ts';
import { FakeSeedLinkServer } from './testing/fake-server.ts';

const T0 = parseTime('2024-05-01T00:00:00Z');
const ALL = { start: parseTime('2000-01-01'), end: parseTime('2100-01-01') };
const series = (records: number, first = 0) =>
  encodeSeries({ network: 'XX', station: 'LIVE', location: '00', channel: 'HHZ', start: T0 + first * 1_120_000, sampleRate: 100, totalSamples: records * 112 });

describe.each(testBackends())('SeedLink into the store on $name', (backend) => {
  let store: Store;
  const spool = mkdtempSync(join(tmpdir(), 'lacuna-spool-'));
  beforeAll(async () => {
    store = await backend.open();
  });
  afterAll(async () => {
    await backend.dispose(store);
    rmSync(spool, { recursive: true, force: true });
  });

  it('stores the records as one segment, with Ta of the newest sample the receipt of its packet, and the source healthy', async () => {
    const server = await new FakeSeedLinkServer('ringserver').listen(0);
    const writer = await LiveWriter.open(store, { spoolDir: spool, compactEveryMs: 0, log: () => {} });
    // The receipt clock is pinned: the 10th packet's receipt is known exactly.
    let clock = parseTime('2024-05-01T00:05:00Z');
    const source = new SeedLinkSource({
      address: { host: '127.0.0.1', port: server.port, stations: [{ network: 'XX', station: 'LIVE', selectors: [] }] },
      sink: writer,
      flushMs: 50,
      client: { begin: 'oldest', keepaliveMs: 0, backoff: { initialMs: 20, maxMs: 100 }, clock: () => clock },
      log: () => {},
    });
    try {
      server.add(series(9));
      await source.start();
      await until('9 packets', () => source.client.stats.packets === 9);
      clock += 7_000_123;
      const tenthReceived = clock;
      server.add(series(1, 9));
      await until('the 10th packet', () => source.client.stats.packets === 10);
      clock += 1_000_000;
      await source.flush();
      await writer.compactNow();

      const segments = await store.segments({ patterns: parseChannelPatterns('XX.LIVE'), window: ALL });
      expect(segments.map((s) => [s.location, s.start, s.end, s.samples, s.sampleRate, s.source])).toEqual([
        ['00', T0, T0 + (1120 - 1) * 10_000, 1120, 100, `seedlink://127.0.0.1:${server.port}`],
      ]);
      const [latest] = await store.latestSegments(parseChannelPatterns('XX.LIVE'));
      expect(latest.end).toBe(T0 + (1120 - 1) * 10_000);
      expect(latest.firstSeen).toBe(tenthReceived);
      const [state] = (await liveSourceStates(store)).filter((s) => s.source === source.source);
      // The store has the health as of the connection (it is written at most every 15 s); the source has it now.
      expect(state).toMatchObject({ kind: 'seedlink', up: true, malformed: 0 });
      expect(source.health()).toMatchObject({ source: source.source, kind: 'seedlink', up: true, received: 10, malformed: 0 });
    } finally {
      await source.stop();
      await writer.close();
      await server.stop();
    }
  });

  it('resumes after a restart of the process from the state file: the records sent meanwhile, once', async () => {
    const server = await new FakeSeedLinkServer('seiscomp').listen(0);
    const writer = await LiveWriter.open(store, { spoolDir: spool, compactEveryMs: 0, log: () => {} });
    const stateFile = join(spool, 'seedlink-state.json');
    const record = (count: number, first: number) =>
      encodeSeries({ network: 'XX', station: 'RST', location: '', channel: 'HHZ', start: T0 + first * 1_120_000, sampleRate: 100, totalSamples: count * 112 });
    const source = (begin: 'oldest' | 'next') =>
      new SeedLinkSource({
        address: { host: '127.0.0.1', port: server.port, stations: [{ network: 'XX', station: 'RST', selectors: [] }] },
        sink: writer,
        flushMs: 3_600_000,
        stateFile,
        client: { begin, keepaliveMs: 0, backoff: { initialMs: 20, maxMs: 100 } },
        log: () => {},
      });
    try {
      server.add(record(6, 0));
      const first = source('oldest');
      await first.start();
      await until('6 packets', () => first.client.stats.packets === 6);
      await first.stop();
      server.add(record(4, 6));
      // A new process: nothing in memory, only the state file; it would start with the next packet otherwise.
      const second = source('next');
      await second.start();
      await until('4 packets', () => second.client.stats.packets === 4);
      await second.stop();
      expect(server.commands).toContain('DATA 000007 2024,05,01,00,00,05');
      await writer.compactNow();
      const segments = await store.segments({ patterns: parseChannelPatterns('XX.RST'), window: ALL });
      expect(segments.map((s) => [s.start, s.samples])).toEqual([[T0, 10 * 112]]);
    } finally {
      await writer.close();
      await server.stop();
    }
  });

  it('stores once what the server sends again after a crash left the state file behind the store', async () => {
    const server = await new FakeSeedLinkServer('ringserver').listen(0);
    const writer = await LiveWriter.open(store, { spoolDir: spool, compactEveryMs: 0, log: () => {} });
    const stateFile = join(spool, 'seedlink-crash.json');
    const record = (count: number, first: number) =>
      encodeSeries({ network: 'XX', station: 'DUP', location: '', channel: 'HHZ', start: T0 + first * 1_120_000, sampleRate: 100, totalSamples: count * 112 });
    const source = () =>
      new SeedLinkSource({
        address: { host: '127.0.0.1', port: server.port, stations: [{ network: 'XX', station: 'DUP', selectors: [] }] },
        sink: writer,
        flushMs: 3_600_000,
        stateFile,
        client: { begin: 'oldest', keepaliveMs: 0, backoff: { initialMs: 20, maxMs: 100 } },
        log: () => {},
      });
    try {
      server.add(record(10, 0));
      const first = source();
      await first.start();
      await until('10 packets', () => first.client.stats.packets === 10);
      await first.stop();
      // The crash came after the store had the 10 packets and before the state file said so: it still says packet 6.
      writeFileSync(stateFile, JSON.stringify({ XX_DUP: { sequence: '6', time: T0 + 5 * 1_120_000 } }));
      server.add(record(2, 10));
      const second = source();
      await second.start();
      await until('6 packets: 4 again and 2 new', () => second.client.stats.packets === 6);
      await second.stop();
      await writer.compactNow();
      const segments = await store.segments({ patterns: parseChannelPatterns('XX.DUP'), window: ALL });
      expect(segments.map((s) => [s.start, s.samples])).toEqual([[T0, 12 * 112]]);
    } finally {
      await writer.close();
      await server.stop();
    }
  });

  it('writes the source\'s health to the store when it connects and every 15 s, not at every flush', async () => {
    const server = await new FakeSeedLinkServer('ringserver').listen(0);
    const writer = await LiveWriter.open(store, { spoolDir: spool, compactEveryMs: 0, log: () => {} });
    const source = new SeedLinkSource({
      address: { host: '127.0.0.1', port: server.port, stations: [{ network: 'XX', station: 'HLT', selectors: [] }] },
      sink: writer,
      flushMs: 20,
      client: { begin: 'oldest', keepaliveMs: 0, backoff: { initialMs: 20, maxMs: 100 } },
      log: () => {},
    });
    const record = (k: number) => encodeSeries({ network: 'XX', station: 'HLT', location: '', channel: 'HHZ', start: T0 + k * 1_120_000, sampleRate: 100, totalSamples: 112 });
    try {
      server.add(record(0));
      await source.start();
      await until('the connection', () => source.client.stats.connected);
      for (let k = 1; k <= 15; k++) {
        server.add(record(k));
        await until(`packet ${k + 1}`, () => source.client.stats.packets === k + 1);
        await source.flush();
      }
      const rows = await store.rows<{ up: number }>('SELECT up FROM live_sources WHERE source = {source:String} ORDER BY updated_at', { source: source.source });
      // At most a row before the connection, and the one saying it is connected; 15 flushes with data add none.
      expect(rows.length).toBeLessThanOrEqual(2);
      expect(rows.at(-1)).toEqual({ up: 1 });
      const segments = await store.segments({ patterns: parseChannelPatterns('XX.HLT'), window: ALL });
      expect(segments.reduce((sum, s) => sum + s.samples, 0)).toBe(16 * 112);
    } finally {
      await source.stop();
      await writer.close();
      await server.stop();
    }
  });
});
