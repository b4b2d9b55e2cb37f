import { mkdtempSync, readFileSync, rmSync, truncateSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseChannelPatterns } from '@lacuna/core';
import { gapRows, groupByChannel, type ReportOptions } from '@lacuna/core';
import type { Store } from '@lacuna/core';
import { testBackends } from '@lacuna/core/testing';
import { writeDemoArchive, type DemoManifest } from '../demo/demo.ts';
import { loadChannelMetadata } from '../metadata/index.ts';
import { compileLayout } from './layouts.ts';
import { scanArchive } from './scan.ts';

/** The scanner must find exactly what the demo archive planted. */
describe.each(testBackends())('demo archive scanned on $name', (backend) => {
  const root = mkdtempSync(join(tmpdir(), 'lacuna-demo-scan-'));
  const end = Date.UTC(2026, 2, 10, 9, 15, 0) * 1000;
  let store: Store;
  let manifest: DemoManifest;
  const window = { start: 0, end: end + 1 };

  async function gaps(pattern: string, overlaps: boolean) {
    const patterns = parseChannelPatterns(pattern);
    const [channels, segments, epochs] = await Promise.all([store.channels(patterns), store.segments({ patterns, window, neighbors: true }), store.epochs(patterns)]);
    const options: ReportOptions = { window, mergeQuality: true, tolerance: [] };
    return gapRows(groupByChannel(channels, segments, epochs), { ...options, overlaps });
  }

  beforeAll(async () => {
    store = await backend.open();
    manifest = await writeDemoArchive(root, { days: 5, end, seed: 7 });
    // First the archive as it was before the backfill arrived.
    const backfilled = join(root, manifest.backfill.file);
    const complete = readFileSync(backfilled);
    truncateSync(backfilled, manifest.backfill.originalBytes);
    utimesSync(backfilled, manifest.backfill.originalMtime / 1e6, manifest.backfill.originalMtime / 1e6);
    await store.replaceEpochs('demo', await loadChannelMetadata(join(root, manifest.metadataFile)));
    await scanArchive(store, { roots: [root], layout: compileLayout('sds') });
    // Then the backfill lands.
    writeFileSync(backfilled, complete);
    utimesSync(backfilled, manifest.backfill.backfilledAt / 1e6, manifest.backfill.backfilledAt / 1e6);
    const rescan = await scanArchive(store, { roots: [root], layout: compileLayout('sds') });
    expect(rescan.filesScanned).toBe(1);
  });
  afterAll(async () => {
    await backend.dispose(store);
    rmSync(root, { recursive: true, force: true });
  });

  it('finds every planted gap, and no other, to the microsecond', async () => {
    const found = (await gaps('*', false)).map((gap) => [gap.channel, gap.start, gap.end, gap.missing_samples]);
    const planted = manifest.gaps.map((gap) => [gap.channel, gap.start, gap.end, gap.missingSamples]);
    const order = (a: (string | number)[], b: (string | number)[]) => String(a[0]).localeCompare(String(b[0])) || Number(a[1]) - Number(b[1]);
    expect(found.sort(order)).toEqual(planted.sort(order));
  });

  it('finds the planted overlaps', async () => {
    const found = (await gaps('*', true)).filter((gap) => gap.gap_s < 0).map((gap) => [gap.channel, gap.start, gap.end, gap.missing_samples]);
    expect(found).toEqual(manifest.overlaps.map((overlap) => [overlap.channel, overlap.start, overlap.end, overlap.missingSamples]));
  });

  it('shows the backfilled data as first seen when the backfill arrived, the rest as before', async () => {
    const { channel, start, end: after, backfilledAt, originalMtime } = manifest.backfill;
    const stored = await store.segments({ patterns: parseChannelPatterns(channel), window });
    const filling = stored.filter((segment) => segment.start > start && segment.start < after);
    expect(filling.length).toBeGreaterThan(0);
    expect(filling.every((segment) => segment.firstSeen === backfilledAt)).toBe(true);
    const before = stored.filter((segment) => segment.source.endsWith(manifest.backfill.file) && segment.end <= start);
    expect(before.every((segment) => segment.firstSeen === originalMtime)).toBe(true);
    expect(await gaps(channel, false)).toEqual(expect.not.arrayContaining([expect.objectContaining({ start, end: after })]));
  });
});
