import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseChannelPatterns } from '../channel.ts';
import { parseTime } from '../time.ts';
import { connectStore } from './connect.ts';
import { MIGRATIONS, migrate, SCHEMA_VERSION } from './migrations.ts';
import { queryRows } from './sql.ts';
import { TABLES } from './schema.ts';
import { Store } from './store.ts';

const t = (text: string) => parseTime(text);

/**
 * A store made by the code before migration 4 (monthly partitions), with a crash left behind in
 * the middle of a first attempt at migration 4, opens with its data whole and partitioned anew.
 * Embedded engine only: one data directory per process, opened twice here.
 */
describe('a store made by older code', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lacuna-migrate-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('opens with its segments and rollups, repartitioned, after a crash in the middle of the copy', async () => {
    const location = { kind: 'embedded' as const, target: dir };
    const old = await connectStore(location);
    await migrate(old, { upTo: 3 });
    const segments = Array.from({ length: 30 }, (_, k) => ({
      network: 'OLD', station: 'STA', location: '', channel: 'LHZ', quality: 'D', sample_rate: 1,
      start_time: t('2001-01-01') + k * 31 * 86_400e6, end_time: t('2001-01-01') + k * 31 * 86_400e6 + 3599e6,
      samples: 3600, tolerance_us: 500_000, source: `/old/${k}`, scan_id: 1, first_seen: t('2001-01-01'),
    }));
    await old.insert({ table: 'segments', values: segments, format: 'JSONEachRow' });
    await old.insert({
      table: 'availability_daily',
      values: [['OLD', 'STA', '', 'LHZ', t('2001-01-01') / 86_400e6, 3600e6, 86_400e6, 1, 82_800e6, 0, 3600, 1, 1]],
      format: 'JSONCompactEachRow',
    });
    // A first attempt at migration 4 killed while copying: half a copy is left.
    await old.command({ query: 'CREATE TABLE segments_repartitioned AS segments ENGINE = MergeTree PARTITION BY tuple() ORDER BY (network, station, location, channel, start_time)' });
    await old.insert({ table: 'segments_repartitioned', values: segments.slice(0, 7), format: 'JSONEachRow' });
    await old.close();

    const store = await Store.open(location);
    try {
      expect(await store.ready()).toBe(true);
      expect(SCHEMA_VERSION).toBeGreaterThanOrEqual(4);
      const stored = await store.segments({ patterns: parseChannelPatterns('OLD'), window: { start: t('2000-01-01'), end: t('2010-01-01') } });
      expect(stored.map((s) => s.source)).toEqual(segments.map((s) => s.source));
      const tables = await queryRows<{ name: string; partition_key: string }>(store.client, {
        sql: `SELECT name, partition_key FROM system.tables WHERE database = currentDatabase() AND name IN ('segments', 'availability_daily', 'segments_repartitioned') ORDER BY name`,
        params: {},
      });
      expect(tables).toEqual([
        { name: 'availability_daily', partition_key: 'toYear(day)' },
        { name: 'segments', partition_key: 'tuple()' },
      ]);
      const [rollup] = await store.rows<{ covered_us: number }>('SELECT covered_us FROM availability_daily FINAL');
      expect(rollup.covered_us).toBe(3600e6);
      // Migration 4 run again (a crash after the exchange, before the ledger row) changes nothing.
      await MIGRATIONS.find((m) => m.version === 4)!.apply!(store.client);
      expect(await store.segments({ patterns: parseChannelPatterns('OLD'), window: { start: t('2000-01-01'), end: t('2010-01-01') } })).toHaveLength(30);
    } finally {
      await store.close();
    }
  });

  it('makes the same tables step by step as a new store gets at once from the schema builder', async () => {
    const client = await connectStore({ kind: 'embedded', target: dir });
    const tables = () =>
      queryRows<{ name: string; create_table_query: string }>(client, {
        sql: 'SELECT name, create_table_query FROM system.tables WHERE database = currentDatabase() ORDER BY name',
        params: {},
      });
    const dropAll = async () => {
      for (const { name } of await tables()) await client.command({ query: `DROP TABLE ${name} SYNC` });
    };
    try {
      await dropAll();
      await migrate(client, { upTo: 3 });
      expect(await migrate(client)).toEqual([4, 5, 6]);
      const stepByStep = await tables();
      await dropAll();
      expect(await migrate(client)).toEqual(MIGRATIONS.map((m) => m.version));
      expect(await tables()).toEqual(stepByStep);
      expect(stepByStep.map((t) => t.name)).toEqual(TABLES.map((spec) => spec.name).sort());
    } finally {
      await client.close();
    }
  });

  it('heals a store that older code let impossible data into: the rows go, their file is named and read again, the other channels answer', async () => {
    const client = await connectStore({ kind: 'embedded', target: dir });
    for (const row of await queryRows<{ name: string }>(client, { sql: 'SELECT name FROM system.tables WHERE database = currentDatabase()', params: {} })) {
      await client.command({ query: `DROP TABLE ${row.name} SYNC` });
    }
    await migrate(client, { upTo: 5 });
    const row = (station: string, source: string, start: number, end: number, rate: number) => ({
      network: 'HEAL', station, location: '', channel: 'LHZ', quality: 'D', sample_rate: rate, start_time: start, end_time: end,
      samples: 10, tolerance_us: 0, source, scan_id: 1, first_seen: start,
    });
    await client.insert({
      table: 'segments',
      values: [
        row('GOOD', '/a/good', t('2008-01-01'), t('2008-01-01T00:00:09Z'), 1),
        // What issue 11 saw: factor and multiplier -32768 (an end far past 2255), and a pushed item of 1700.
        row('RATE', '/a/rate', t('2008-01-01'), 1e17, 1 / 32768 / 32768),
        row('RATE', '/a/rate', t('2008-01-02'), t('2008-01-02T00:00:09Z'), 1),
        row('PUSH', 'push', t('1700-01-01'), t('1700-01-01T00:00:09Z'), 1),
      ],
      format: 'JSONEachRow',
    });
    const file = (path: string) => ({ path, size: 512, mtime: t('2008-01-03'), status: 'ok', error: '', error_offset: -1, records: 2, format: 2, scanned_at: t('2008-01-03'), scan_id: 1, deleted: 0 });
    await client.insert({ table: 'files', values: [file('/a/good'), file('/a/rate')], format: 'JSONEachRow' });
    await client.close();

    const store = await Store.open({ kind: 'embedded', target: dir });
    try {
      const everything = { start: t('1900-01-01'), end: t('2255-01-01') };
      const kept = await store.segments({ patterns: parseChannelPatterns('HEAL'), window: everything });
      expect(kept.map((s) => [s.station, s.start])).toEqual([['GOOD', t('2008-01-01')], ['RATE', t('2008-01-02')]]);
      const failed = await store.files({ errorsOnly: true });
      expect(failed.map((f) => [f.path, f.mtime])).toEqual([['/a/rate', 0]]);
      expect(failed[0].error).toMatch(/^segments outside the storable range .* were removed from the store; the file is read again at the next scan$/);
      // The whole store reads again: every channel's newest segment, rollups built for all.
      expect((await store.latestSegments(parseChannelPatterns('HEAL'))).map((s) => s.station)).toEqual(['GOOD', 'RATE']);
    } finally {
      await store.close();
    }
  });
});
