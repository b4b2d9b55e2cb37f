/**
 * Archive scan figures: `npm run bench:scan -- [--gb N] [--files N] [--dir DIR]`.
 *
 * 1. Writes a synthetic SDS archive of N GB (default 2) of 512-byte records at 100 Hz, and one of
 *    N small files (default 10,000), under DIR (default the system temp folder), reusing them on
 *    the next run when their parameters match.
 * 2. Header scanning on one core from the page cache: every file read and joined into segments,
 *    no store — records/s and MB/s (the best of two passes: the first warms the cache).
 * 3. A full scan of the large archive into a fresh embedded store: MB/s including storage.
 * 4. The small-file archive: first scan, then no-change rescans (median of 5).
 * 5. Peak memory during steps 2-4, sampled from /proc/self/status every 20 ms: resident set (VmRSS)
 *    and its private part (RssAnon); the rest is mostly the embedded ClickHouse engine's code
 *    mapped from its shared library.
 * Prints figures; asserts nothing.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileLayout } from '../collector/src/archive/layouts.ts';
import { scanArchive } from '../collector/src/archive/scan.ts';
import { scanFile } from '../collector/src/archive/scan-file.ts';
import { walkArchive } from '../collector/src/archive/walk.ts';
import { writeSyntheticArchive } from '../collector/src/demo/synthetic.ts';

function numberArg(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  if (at < 0) return fallback;
  const value = Number(process.argv[at + 1]);
  if (!Number.isFinite(value) || value <= 0) {
    console.error(`bench:scan: --${name} needs a positive number`);
    process.exit(2);
  }
  return value;
}

const MB = 1024 * 1024;
const gigabytes = numberArg('gb', 2);
const smallFiles = Math.round(numberArg('files', 10_000));
const dirAt = process.argv.indexOf('--dir');
const base = dirAt >= 0 ? process.argv[dirAt + 1] : join(tmpdir(), 'lacuna-bench-scan');
const sds = compileLayout('sds');

async function archive(name: string, options: Parameters<typeof writeSyntheticArchive>[1]): Promise<string> {
  const dir = join(base, name);
  const marker = join(dir, '.bench-params.json');
  const params = JSON.stringify({ ...options, onProgress: undefined });
  if (existsSync(marker) && readFileSync(marker, 'utf8') === params) return dir;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const started = Date.now();
  let shown = 0;
  const result = await writeSyntheticArchive(dir, {
    ...options,
    onProgress: (done, total) => {
      if (Date.now() - shown > 2000) {
        shown = Date.now();
        process.stderr.write(`  writing ${name}: ${((100 * done) / total).toFixed(0)}%\n`);
      }
    },
  });
  writeFileSync(marker, params);
  console.log(`wrote ${name}: ${result.files} files, ${(result.bytes / MB).toFixed(0)} MB, ${result.records} records in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return dir;
}

/** Peak VmRSS and RssAnon (MB) while sampling runs. */
function memorySampler() {
  const peak = { rss: 0, anon: 0 };
  const sample = () => {
    const status = readFileSync('/proc/self/status', 'utf8');
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? 0);
    peak.rss = Math.max(peak.rss, kb('VmRSS') / 1024);
    peak.anon = Math.max(peak.anon, kb('RssAnon') / 1024);
  };
  sample();
  const timer = setInterval(sample, 20);
  return { stop: () => (clearInterval(timer), sample(), peak) };
}

const large = await archive(`large-${gigabytes}gb`, { bytes: Math.round(gigabytes * 1024 * MB), recordLength: 512 });
const small = await archive(`small-${smallFiles}`, { bytes: smallFiles * 4096, files: smallFiles, recordLength: 512 });

// The engine's shared library loads only now, after generation, so the figures are the scan's own.
const { Store } = await import('../core/src/store/store.ts');
const memory = memorySampler();

// Header scanning alone, one core: the reader and the segment accumulator, no store.
const files = await walkArchive(large, sds);
const totalBytes = files.reduce((sum, file) => sum + file.size, 0);
let best = { seconds: Infinity, records: 0 };
for (let pass = 0; pass < 2; pass++) {
  const started = process.hrtime.bigint();
  let records = 0;
  for (const file of files) records += (await scanFile(file, [])).state.records;
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (seconds < best.seconds) best = { seconds, records };
}
const headerMbPerS = totalBytes / MB / best.seconds;
const headerRecordsPerS = best.records / best.seconds;

// Full scan into a fresh embedded store, then the small-file archive and its no-change rescans.
const storeDir = mkdtempSync(join(tmpdir(), 'lacuna-bench-store-'));
const store = await Store.open({ kind: 'embedded', target: storeDir });
const fullStarted = Date.now();
const fullScan = await scanArchive(store, { roots: [large], layout: sds });
const fullSeconds = (Date.now() - fullStarted) / 1000;

const firstSmall = Date.now();
const smallScan = await scanArchive(store, { roots: [small], layout: sds });
const smallSeconds = (Date.now() - firstSmall) / 1000;
const rescans: number[] = [];
for (let i = 0; i < 5; i++) {
  const started = process.hrtime.bigint();
  const rescan = await scanArchive(store, { roots: [small], layout: sds });
  rescans.push(Number(process.hrtime.bigint() - started) / 1e6);
  if (rescan.filesScanned !== 0) throw new Error(`no-change rescan scanned ${rescan.filesScanned} files`);
}
rescans.sort((a, b) => a - b);
const peak = memory.stop();
await store.close();
rmSync(storeDir, { recursive: true, force: true });

const rows: [string, string][] = [
  ['archive', `${files.length} files, ${(totalBytes / MB).toFixed(0)} MB, ${best.records} records of 512 bytes`],
  ['header scan, one core, page cache', `${headerMbPerS.toFixed(0)} MB/s, ${(headerRecordsPerS / 1e6).toFixed(2)} M records/s`],
  ['full scan into embedded store', `${(fullScan.bytes / MB / fullSeconds).toFixed(0)} MB/s (${fullSeconds.toFixed(1)} s, ${fullScan.segments} segments)`],
  [`first scan of ${smallScan.filesSeen} small files`, `${smallSeconds.toFixed(2)} s`],
  [`no-change rescan of ${smallScan.filesSeen} files`, `median ${rescans[2].toFixed(0)} ms (min ${rescans[0].toFixed(0)}, max ${rescans[4].toFixed(0)})`],
  ['peak RSS during scans', `${peak.rss.toFixed(0)} MB, of which private (RssAnon) ${peak.anon.toFixed(0)} MB`],
];
const width = Math.max(...rows.map(([label]) => label.length));
console.log(`\nlacuna bench:scan (node ${process.version})`);
for (const [label, value] of rows) console.log(`  ${label.padEnd(width)}  ${value}`);
