import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Store } from '@lacuna/core';
import { testBackends, type TestBackend } from '@lacuna/core/testing';
import { compileLayout } from '@lacuna/collector';
import { scanArchive } from '@lacuna/collector';
import { writeDemoArchive, type DemoManifest } from '@lacuna/collector';
import { loadChannelMetadata } from '@lacuna/collector';
import { DEFAULT_LIMITS, startExporter, type ExporterContext, type RunningExporter } from '../app.ts';

export const SHARED_DATA = resolve(dirname(fileURLToPath(import.meta.url)), '../../../../shared/data/mseed');
export const hasSharedData = existsSync(SHARED_DATA);

/** A store filled by real scans: a small demo archive (with its metadata) and, when present, ../shared/data/mseed. */
export interface ExporterFixture {
  store: Store;
  manifest: DemoManifest;
  /** Start an exporter on loopback with these context overrides; closed by dispose. */
  serve(overrides?: Partial<ExporterContext>): Promise<RunningExporter>;
  dispose(): Promise<void>;
}

/**
 * Opens the first test backend (the embedded engine), writes a 4-day demo archive ending at
 * `end` (default: now, to the second), scans it and the shared conformance files. One per test file.
 */
export async function exporterFixture(options: { end?: number; days?: number; backend?: TestBackend } = {}): Promise<ExporterFixture> {
  const backend = options.backend ?? testBackends()[0];
  const temp = mkdtempSync(join(tmpdir(), 'lacuna-exporter-'));
  const store = await backend.open();
  const demoDir = join(temp, 'demo');
  const manifest = await writeDemoArchive(demoDir, { days: options.days ?? 4, end: options.end });
  await store.replaceEpochs(join(demoDir, manifest.metadataFile), await loadChannelMetadata(join(demoDir, manifest.metadataFile)));
  await scanArchive(store, { roots: [demoDir], layout: compileLayout('sds') });
  if (hasSharedData) {
    const shared = join(temp, 'shared');
    mkdirSync(shared);
    for (const name of readdirSync(SHARED_DATA)) if (name !== 'README.md') copyFileSync(join(SHARED_DATA, name), join(shared, name));
    await scanArchive(store, { roots: [shared], layout: compileLayout('*') });
  } else {
    console.warn(`${SHARED_DATA} is absent: exporter tests run on the demo archive only`);
  }
  const running: RunningExporter[] = [];
  return {
    store,
    manifest,
    async serve(overrides = {}) {
      const exporter = await startExporter({ store, limits: DEFAULT_LIMITS, ...overrides }, { host: '127.0.0.1', port: 0 });
      running.push(exporter);
      return exporter;
    },
    async dispose() {
      await Promise.all(running.map((exporter) => exporter.close()));
      await backend.dispose(store);
      rmSync(temp, { recursive: true, force: true });
    },
  };
}
