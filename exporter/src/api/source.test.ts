import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatTime } from '@lacuna/core';
import { exporterFixture, type ExporterFixture } from '../testing/fixture.ts';

/** Live channels show up in /api/v1 like archive channels, named by their source. */
describe('/api/v1 source of each channel', () => {
  let fixture: ExporterFixture;
  let url: string;
  const live = { network: 'XL', station: 'LIVE', location: '', channel: 'HHZ' };
  const source = 'seedlink://127.0.0.1:18000';
  beforeAll(async () => {
    fixture = await exporterFixture();
    url = (await fixture.serve()).url;
    const end = fixture.manifest.end;
    // What the live writer leaves for a SeedLink channel: its segment pieces and its newest sample.
    await fixture.store.client.insert({
      table: 'segments',
      values: [{ ...live, quality: 'D', sample_rate: 100, start_time: end - 600e6, end_time: end - 10e3, samples: 60_000, tolerance_us: 5000, source, scan_id: 1, first_seen: end - 600e6 }],
      format: 'JSONEachRow',
    });
    await fixture.store.client.insert({
      table: 'live_latest',
      values: [{ ...live, source, stream: 'XL.LIVE..HHZ', last_sample: end - 10e3, received_at: end - 5e3 }],
      format: 'JSONEachRow',
    });
  });
  afterAll(async () => {
    await fixture.dispose();
  });

  const window = () => `from=${formatTime(fixture.manifest.end - 3600e6)}&to=${formatTime(fixture.manifest.end)}`;

  it('names the live source of a live channel and "archive" for scanned ones, in stats and timeline', async () => {
    const archived = fixture.manifest.channels[0];
    for (const endpoint of ['stats', 'timeline']) {
      const response = await fetch(`${url}/api/v1/${endpoint}?channel=XL,${archived}&${window()}`);
      expect(response.status).toBe(200);
      const { rows } = (await response.json()) as { rows: { channel: string; source: string }[] };
      expect(rows.map((row) => [row.channel, row.source]).sort()).toEqual([
        [archived, 'archive'],
        ['XL.LIVE..HHZ', source],
      ].sort());
    }
  });
});
