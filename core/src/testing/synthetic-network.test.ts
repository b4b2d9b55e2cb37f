import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MICROS_PER_DAY } from '../model.ts';
import { ensureRollups } from '../store/rollups.ts';
import type { Store } from '../store/store.ts';
import { testBackends } from './store-backends.ts';
import { syntheticNetworkInserts, type SyntheticNetworkShape } from './synthetic-network.ts';

// Frequent gaps and missing days (some of them consecutive), three networks, all three rates.
const SHAPE: SyntheticNetworkShape = { channels: 20, days: 40, start: Date.UTC(2020, 0, 1) * 1000, perNetwork: 9, gapEvery: 4, missingEvery: 6 };

const ROLLUPS = `SELECT network, station, location, channel, toInt32(day) AS day, covered_us, expected_us, gaps, max_gap_us, overlaps, samples, sample_rate
                 FROM availability_daily FINAL ORDER BY network, station, location, channel, day`;
const EXTENTS = `SELECT network, station, location, channel, toUnixTimestamp64Micro(first_start) AS first, toUnixTimestamp64Micro(last_end) AS last, segments
                 FROM channel_extents FINAL WHERE deleted = 0 ORDER BY network, station, location, channel`;

for (const backend of testBackends()) {
  describe(`synthetic network for the scale benchmark (${backend.name})`, () => {
    let store: Store;
    beforeAll(async () => {
      store = await backend.open();
      for (const insert of syntheticNetworkInserts(SHAPE)) await store.client.command({ query: insert.sql, query_params: insert.params });
    });
    afterAll(async () => {
      await backend.dispose(store);
    });

    it('writes the channels, their day files with gaps and missing days', async () => {
      const [counts] = await store.rows<{ channels: number; networks: number; rates: number[]; days: number; gapDays: number }>(
        `SELECT uniqExact(network, station, location, channel) AS channels, uniqExact(network) AS networks, arraySort(groupUniqArray(sample_rate)) AS rates,
                uniqExact(channel, station, network, toDate(start_time)) AS days, countIf(toTime(start_time) != toTime(toDateTime('2020-01-01 00:00:00'))) AS gapDays
         FROM segments`,
      );
      expect(counts.channels).toBe(SHAPE.channels);
      expect(counts.networks).toBe(3);
      expect(counts.rates).toEqual([1, 40, 100]);
      // Some days are missing, some have a second segment after a gap.
      expect(counts.days).toBeLessThan(SHAPE.channels * SHAPE.days);
      expect(counts.days).toBeGreaterThan(SHAPE.channels * SHAPE.days * 0.7);
      expect(counts.gapDays).toBeGreaterThan(SHAPE.channels * SHAPE.days * 0.1);
      const epochs = await store.epochs([]);
      expect(epochs).toHaveLength(SHAPE.channels);
    });

    it("has the rollups and extents that the store's own refresh computes from its segments", async () => {
      const written = await store.rows<Record<string, number | string>>(ROLLUPS);
      const extents = await store.rows<Record<string, number | string>>(EXTENTS);
      expect(written).toHaveLength(SHAPE.channels * SHAPE.days);
      expect(written.filter((row) => row.gaps === 1 && row.covered_us === 0).length).toBeGreaterThan(0);
      expect(written.filter((row) => row.gaps === 1 && Number(row.covered_us) > 0).length).toBeGreaterThan(0);

      await store.client.command({ query: `TRUNCATE TABLE ${store.schema.mutationTarget('availability_daily')}` });
      await store.client.command({ query: `TRUNCATE TABLE ${store.schema.mutationTarget('channel_extents')}` });
      expect(await ensureRollups(store)).toBe(SHAPE.channels);
      expect(await store.rows(ROLLUPS)).toEqual(written);
      expect(await store.rows(EXTENTS)).toEqual(extents);
      expect(extents[0].first).toBe(SHAPE.start);
      expect(Number(extents[0].last)).toBeLessThan(SHAPE.start + SHAPE.days * MICROS_PER_DAY);
    });
  });
}
