import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseChannelPatterns } from '../channel.ts';
import { parseTime } from '../time.ts';
import { fileScanOf, segmentOf } from '../testing/scans.ts';
import { testBackends } from '../testing/store-backends.ts';
import type { Store } from './store.ts';
import { dataVersion } from './version.ts';

describe.each(testBackends())('the data version of a store on $name', (backend) => {
  let store: Store;
  beforeAll(async () => {
    store = await backend.open();
  });
  afterAll(async () => {
    await backend.dispose(store);
  });

  it('holds while nothing is written, and changes with every write: segments, their deletion, metadata', async () => {
    const versions = [await dataVersion(store)];
    await store.segments({ patterns: [], window: { start: 0, end: parseTime('2100-01-01') } });
    expect(await dataVersion(store)).toBe(versions[0]);

    const path = '/v/XX.VER..LHZ.2024.001';
    await store.storeFileScans([fileScanOf(path, '2024-01-02T00:00:00Z', [segmentOf('XX.VER..LHZ', '2024-01-01T00:00:00Z', 3600)])], 1);
    versions.push(await dataVersion(store));
    await store.forgetFiles([path], 2);
    versions.push(await dataVersion(store));
    const [epoch] = await store.epochs(parseChannelPatterns('XX.VER'));
    expect(epoch).toBeUndefined();
    await store.replaceEpochs('/v/metadata.csv', [
      { network: 'XX', station: 'VER', location: '', channel: 'LHZ', start: parseTime('2024-01-01'), end: null, sampleRate: 1, latitude: null, longitude: null, elevation: null, warnS: 600, failS: 3600 },
    ]);
    versions.push(await dataVersion(store));
    expect(new Set(versions).size).toBe(versions.length);
    expect(await dataVersion(store)).toBe(versions.at(-1));
  });
});
