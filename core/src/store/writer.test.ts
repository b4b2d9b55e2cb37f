import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileScanOf, segmentOf } from '../testing/scans.ts';
import { testBackends } from '../testing/store-backends.ts';
import type { Store } from './store.ts';

describe.each(testBackends())('a scan run writing into the store on $name', (backend) => {
  let store: Store;
  beforeAll(async () => {
    store = await backend.open();
  });
  afterAll(async () => {
    await backend.dispose(store);
  });

  const rollupDays = async (station: string) =>
    (await store.rows<{ days: number }>('SELECT count() AS days FROM availability_daily FINAL WHERE station = {station:String}', { station }))[0].days;
  const recorded = async (prefix: string) => (await store.files()).filter((file) => file.path.startsWith(prefix)).map((file) => file.path);

  it('stores segments batch by batch, and records the files once their rollups are refreshed at a checkpoint', async () => {
    const writer = store.fileScanWriter(10, { stored: new Set() });
    await writer.write([fileScanOf('/w/a/1', '2024-03-02T00:00:00Z', [segmentOf('XX.WRT..LHZ', '2024-03-01T00:00:00Z', 86_400)])]);
    await writer.write([fileScanOf('/w/a/2', '2024-03-03T00:00:00Z', [segmentOf('XX.WRT..LHZ', '2024-03-02T00:00:00Z', 43_200)])]);
    expect(await recorded('/w/a/')).toEqual([]);
    expect(await rollupDays('WRT')).toBe(0);
    expect(await store.storedSources(['/w/a/1', '/w/a/2', '/w/a/3'])).toEqual(new Set(['/w/a/1', '/w/a/2']));

    await writer.checkpoint();
    expect(await recorded('/w/a/')).toEqual(['/w/a/1', '/w/a/2']);
    expect(await rollupDays('WRT')).toBe(2);
  });

  it('records the states of more files than one insert takes, every one of them', async () => {
    const states = Array.from({ length: 12_345 }, (_, i) => fileScanOf(`/w/many/${String(i).padStart(5, '0')}`, '2024-05-01T00:00:00Z', []));
    await store.recordFileStates(states, 13);
    expect(await recorded('/w/many/')).toEqual(states.map((scan) => scan.state.path));
  });

  it('replaces a file\'s earlier segments when it may have some, whatever the files table says', async () => {
    const path = '/w/b/1';
    const first = store.fileScanWriter(11, { stored: new Set() });
    await first.write([fileScanOf(path, '2024-04-02T00:00:00Z', [segmentOf('XX.RPL..LHZ', '2024-04-01T00:00:00Z', 3600)])]);
    // Cut short before its checkpoint: the file is not recorded, its segments are stored.
    const again = store.fileScanWriter(12, { stored: await store.storedSources([path]) });
    await again.write([fileScanOf(path, '2024-04-02T01:00:00Z', [segmentOf('XX.RPL..LHZ', '2024-04-01T00:00:00Z', 7200)])]);
    await again.checkpoint();
    const stored = await store.segments({ patterns: [{ network: 'XX', station: 'RPL', location: '*', channel: '*' }], window: { start: 0, end: Date.UTC(2100, 0, 1) * 1000 } });
    // The old generation is gone; the hour seen before keeps when it was first seen.
    expect(stored.map((segment) => [segment.samples, new Date(segment.firstSeen / 1000).toISOString()])).toEqual([
      [3600, '2024-04-02T00:00:00.000Z'],
      [3600, '2024-04-02T01:00:00.000Z'],
    ]);
  });
});
