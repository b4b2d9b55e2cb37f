import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatShard, parseShard, ShardError, stationShardFilter, stationShardOf } from './shard.ts';
import { testBackends } from './testing/store-backends.ts';
import type { Store } from './store/store.ts';

const STATIONS = Array.from({ length: 300 }, (_, i) => ({ network: ['IU', 'GE', 'XA', 'CE01ISSM'][i % 4], station: `S${i}${'É'.repeat(i % 2)}` }));

describe('station shards', () => {
  it('reads I/N, counting from 0, and refuses what names no part', () => {
    expect(parseShard('0/3')).toEqual({ index: 0, count: 3 });
    expect(parseShard(' 2 / 3 ')).toEqual({ index: 2, count: 3 });
    expect(formatShard(parseShard('1/2'))).toBe('1/2');
    expect(() => parseShard('3/3')).toThrow(/I counts from 0, so it must be below N \(3\): 0\/3 … 2\/3/);
    expect(() => parseShard('1/0')).toThrow(ShardError);
    expect(() => parseShard('a/b')).toThrow('bad shard "a/b": expected I/N, e.g. 0/3');
    expect(() => parseShard('-1/3')).toThrow(ShardError);
  });

  it('puts every station in exactly one part, the same part every time, spread over all parts', () => {
    for (const count of [1, 2, 3, 7]) {
      const parts = STATIONS.map((s) => stationShardOf(s.network, s.station, count));
      expect(parts.every((part) => part >= 0 && part < count)).toBe(true);
      expect(new Set(parts).size).toBe(count);
      expect(STATIONS.map((s) => stationShardOf(s.network, s.station, count))).toEqual(parts);
    }
    // The rule is fixed: CRC-32 of "NET.STA" (a change would move stations between running collectors).
    expect(stationShardOf('IU', 'ANMO', 1000)).toBe(2488603950 % 1000);
  });
});

for (const backend of testBackends()) {
  describe(`station shards in SQL (${backend.name})`, () => {
    let store: Store;
    beforeAll(async () => {
      store = await backend.open();
    });
    afterAll(async () => {
      await backend.dispose(store);
    });

    it('selects in SQL the stations the JavaScript rule gives the shard', async () => {
      for (const shard of [{ index: 0, count: 1 }, { index: 1, count: 3 }, { index: 4, count: 5 }]) {
        const filter = stationShardFilter(shard);
        const rows = await store.rows<{ network: string; station: string }>(
          `SELECT network, station FROM (SELECT arrayJoin(arrayZip({networks:Array(String)}, {stations:Array(String)})) AS s, s.1 AS network, s.2 AS station)
           WHERE ${filter.sql}`,
          { ...filter.params, networks: STATIONS.map((s) => s.network), stations: STATIONS.map((s) => s.station) },
        );
        const expected = STATIONS.filter((s) => stationShardOf(s.network, s.station, shard.count) === shard.index);
        expect(rows).toEqual(expected);
        expect(rows.length).toBeGreaterThan(0);
      }
    });
  });
}
