import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ownsStation, type Store } from '@lacuna/core';
import { testBackends } from '@lacuna/core/testing';
import { writeDemoArchive, type DemoManifest } from '../demo/demo.ts';
import { loadChannelMetadata } from '../metadata/index.ts';
import { compileLayout } from './layouts.ts';
import { scanArchive, ScanRootError, type ScanReport } from './scan.ts';

const sds = compileLayout('sds');

describe('archive layouts name a station', () => {
  it('reads NET and STA from a path of the layout', () => {
    expect(sds.namesStation).toBe(true);
    expect(sds.stationOf('2026/XA/ALPHA/LHZ.D/XA.ALPHA.00.LHZ.D.2026.064')).toEqual({ network: 'XA', station: 'ALPHA' });
    expect(compileLayout('bud').stationOf('YB/ECHO/ECHO.YB..LHZ.2026.064')).toEqual({ network: 'YB', station: 'ECHO' });
    expect(compileLayout('**/{NET}_{STA}.mseed').stationOf('a/b/GE_WLF.mseed')).toEqual({ network: 'GE', station: 'WLF' });
    expect(sds.stationOf('not/a/path')).toBeNull();
    expect(compileLayout('*').namesStation).toBe(false);
  });
});

/**
 * Collectors sharing one archive by station (`--shard I/N`), each scanning its part at the same
 * time into one store: for N = 1, 2, 3 the store ends with the same segments and rollups.
 */
describe.each(testBackends())('sharded collectors on $name', (backend) => {
  const root = mkdtempSync(join(tmpdir(), 'lacuna-shards-'));
  const end = Date.UTC(2026, 2, 10, 9, 15, 0) * 1000;
  let store: Store;
  let manifest: DemoManifest;

  /** Everything the scans write, without the run ids and versions that differ from run to run. */
  async function contents() {
    const [segments, rollups, extents, files, epochs] = await Promise.all([
      store.rows<Record<string, unknown>>(`SELECT network, station, location, channel, quality, sample_rate, toString(start_time) AS s, toString(end_time) AS e, samples, tolerance_us, source,
                         toString(first_seen) AS f FROM segments ORDER BY ALL`),
      store.rows(`SELECT * EXCEPT computed_at FROM availability_daily FINAL ORDER BY ALL`),
      store.rows(`SELECT * EXCEPT computed_at FROM channel_extents FINAL WHERE deleted = 0 ORDER BY ALL`),
      store.rows<{ path: string }>(`SELECT path, size, status, records FROM files FINAL WHERE deleted = 0 ORDER BY path`),
      store.rows(`SELECT * EXCEPT loaded_at FROM channel_epochs ORDER BY ALL`),
    ]);
    return { segments, rollups, extents, files, epochs };
  }

  /** An empty store with the metadata, each of `count` collectors loading its part of the file at the same time (twice: a restart). */
  async function emptyStore(count: number): Promise<void> {
    for (const table of ['segments', 'files', 'availability_daily', 'channel_extents', 'channel_epochs', 'collector_runs']) {
      await store.client.command({ query: `TRUNCATE TABLE ${store.schema.mutationTarget(table)}` });
    }
    const epochs = await loadChannelMetadata(join(root, manifest.metadataFile));
    for (let pass = 0; pass < 2; pass++) {
      await Promise.all(Array.from({ length: count }, (_, index) => store.replaceEpochs('demo', epochs, { shard: { index, count } })));
    }
  }

  const scanShards = (count: number): Promise<ScanReport[]> =>
    Promise.all(Array.from({ length: count }, (_, index) => scanArchive(store, { roots: [root], layout: sds, shard: { index, count } })));

  beforeAll(async () => {
    store = await backend.open();
    manifest = await writeDemoArchive(root, { days: 4, end, seed: 11 });
  });
  afterAll(async () => {
    await backend.dispose(store);
    rmSync(root, { recursive: true, force: true });
  });

  it('gives N = 1, 2, 3 identical segments, rollups, file states and metadata, each file scanned once', async () => {
    await emptyStore(1);
    const [whole] = await scanShards(1);
    const reference = await contents();
    expect(reference.segments.length).toBeGreaterThan(50);
    expect(reference.rollups.length).toBeGreaterThan(100);
    expect(reference.epochs.length).toBe(32);
    for (const count of [2, 3]) {
      await emptyStore(count);
      const reports = await scanShards(count);
      // Every part has files, none is scanned twice.
      expect(reports.every((report) => report.filesScanned > 0)).toBe(true);
      expect(reports.reduce((sum, report) => sum + report.filesScanned, 0)).toBe(whole.filesScanned);
      expect(await contents()).toEqual(reference);
    }
  });

  it('rescans each part alone: nothing is forgotten that another part owns; a deleted file is forgotten by its owner', async () => {
    const again = await scanShards(3);
    expect(again.map((report) => [report.filesScanned, report.filesDeleted])).toEqual([[0, 0], [0, 0], [0, 0]]);
    const before = await contents();
    const gone = before.files[0].path;
    rmSync(gone);
    const [network, station] = gone.split('/').slice(-1)[0].split('.');
    const after = await scanShards(3);
    expect(after.map((report) => report.filesDeleted)).toEqual([0, 1, 2].map((index) => (ownsStation({ index, count: 3 }, network, station) ? 1 : 0)));
    const now = await contents();
    expect(now.files.map((file) => file.path)).toEqual(before.files.slice(1).map((file) => file.path));
    expect(now.segments.filter((segment) => segment.source === gone)).toEqual([]);
  });

  it('refuses a shard on a layout whose paths name no station', async () => {
    await expect(scanArchive(store, { roots: [root], layout: compileLayout('**/*'), shard: { index: 0, count: 2 } })).rejects.toThrow(ScanRootError);
    await expect(scanArchive(store, { roots: [root], layout: compileLayout('**/*'), shard: { index: 0, count: 2 } })).rejects.toThrow(/names no \{NET\} and \{STA\}/);
  });
});
