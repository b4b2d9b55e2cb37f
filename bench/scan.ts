/**
 * Archive scan figures: `npm run bench:scan -- [--compare-msi PATH] [--runs N] [--shapes-only] [--gb N] [--files N] [--dir DIR]`.
 *
 * 1. Three archive shapes, each scanned by the compiled `lacuna scan` into a fresh embedded store
 *    as a user runs it (a whole process, cold start): 3,000 day files of 1 Hz (300 channels ×
 *    10 days, 1.2 GB), 24 files of 100 Hz (12 channels × 2 days, 0.95 GB), 96 files of 100 Hz
 *    (24 channels × 4 days, 3.6 GB); SDS, 512-byte miniSEED 2 records of 112 int32 samples,
 *    continuous series cut into day files. Best wall time of `--runs` (default 3) and the
 *    process's peak resident memory (VmHWM). With `--compare-msi PATH`, EarthScope msi (`msi -T`,
 *    a trace list of the same files, built by you from its public source) is timed on the same
 *    files, and the ratio msi time / lacuna time is printed (above 1: lacuna is faster), also for
 *    CPU time. `--shapes-only` stops here.
 * 2. A synthetic SDS archive of N GB (default 2) of 512-byte records at 100 Hz, and one of
 *    N small files (default 10,000), under DIR (default the system temp folder), reusing them on
 *    the next run when their parameters match.
 * 3. Header scanning on one core from the page cache: every file read and joined into segments,
 *    no store — records/s and MB/s (the best of two passes: the first warms the cache).
 * 4. A full scan of the large archive into a fresh embedded store: MB/s including storage.
 * 5. The small-file archive: scanned by the compiled `lacuna scan` into a new store as a user
 *    runs it (wall, CPU, peak resident memory), and by it again with nothing changed; then in
 *    this process: first scan, then no-change rescans (median of 5).
 * 6. Memory, sampled from /proc/self/status every 20 ms (resident set VmRSS and its private part
 *    RssAnon): the process before any scan; the peak of step 3, where only the scanner runs; what
 *    loading and opening the embedded ClickHouse engine adds before any data (mostly its code,
 *    mapped from its 550 MB shared library); the peak of steps 4-5, the whole process.
 * Prints figures; asserts nothing.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync, mkdtempSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildCli } from '../cli/build.ts';
import { compileLayout } from '@lacuna/collector';
import { scanArchive } from '@lacuna/collector';
import { scanFile } from '@lacuna/collector';
import { walkArchive, type ArchiveFile } from '@lacuna/collector';
import { writeSyntheticArchive } from '@lacuna/collector';

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

interface Memory {
  rss: number;
  anon: number;
}

/** VmRSS and RssAnon now, MB. */
function memoryNow(): Memory {
  const status = readFileSync('/proc/self/status', 'utf8');
  const mb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? 0) / 1024;
  return { rss: mb('VmRSS'), anon: mb('RssAnon') };
}

/** Peak VmRSS and RssAnon (MB) while sampling runs. */
function memorySampler() {
  const peak = memoryNow();
  const sample = () => {
    const now = memoryNow();
    peak.rss = Math.max(peak.rss, now.rss);
    peak.anon = Math.max(peak.anon, now.anon);
  };
  const timer = setInterval(sample, 20);
  return { stop: () => (clearInterval(timer), sample(), peak) };
}

// ---- 1. three shapes, whole processes -----------------------------------------------------------

const msiAt = process.argv.indexOf('--compare-msi');
const msi = msiAt >= 0 ? process.argv[msiAt + 1] : undefined;
if (msiAt >= 0 && (msi === undefined || !existsSync(msi))) {
  console.error(`bench:scan: --compare-msi needs the path of an msi executable (got ${msi ?? 'nothing'})`);
  process.exit(2);
}
const runs = Math.round(numberArg('runs', 3));
const LACUNA = fileURLToPath(new URL('../cli/bin/lacuna.js', import.meta.url));

/**
 * Runs a command to its end: wall seconds, peak resident MB (VmHWM) and CPU seconds of all its
 * threads (utime + stime, at 100 ticks a second), both polled while it runs: on a loaded machine
 * the wall time measures the share of the cores it got as much as its work; the CPU time does not.
 */
function timed(command: string, args: string[]): Promise<{ seconds: number; peakMb: number; cpuSeconds: number; output: string }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk.length < 4096 ? chunk : ''));
    child.stderr.on('data', (chunk) => (output += chunk));
    let peakKb = 0;
    let ticks = 0;
    const poll = setInterval(() => {
      try {
        peakKb = Math.max(peakKb, Number(/^VmHWM:\s+(\d+)/m.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1] ?? 0));
        const fields = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1].split(' ');
        ticks = Math.max(ticks, Number(fields[11]) + Number(fields[12]));
      } catch {
        // gone between two polls
      }
    }, 10);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearInterval(poll);
      const seconds = (performance.now() - started) / 1000;
      if (code !== 0) reject(new Error(`${command} ${args.slice(0, 3).join(' ')} …: exit ${code}: ${output.slice(-500)}`));
      else resolve({ seconds, peakMb: peakKb / 1024, cpuSeconds: ticks / 100, output });
    });
  });
}

const SHAPES = [
  { name: '3,000 day files, 1 Hz', channels: 300, days: 10, rate: 1 },
  { name: '24 files, 100 Hz', channels: 12, days: 2, rate: 100 },
  { name: '96 files, 100 Hz', channels: 24, days: 4, rate: 100 },
];
const SAMPLES_PER_RECORD = 112; // 512-byte records of int32 samples

await buildCli();
console.log(`bench:scan: the three shapes, best of ${runs} runs each, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
for (const shape of SHAPES) {
  const recordsPerChannel = Math.ceil((shape.days * 86_400 * shape.rate) / SAMPLES_PER_RECORD);
  const dir = await archive(`shape-${shape.channels}x${shape.days}d-${shape.rate}hz`, { bytes: shape.channels * recordsPerChannel * 512, channels: shape.channels, sampleRate: shape.rate, recordLength: 512 });
  const paths: string[] = [];
  await walkArchive(dir, sds, (file) => paths.push(file.path));
  let lacuna = { seconds: Infinity, peakMb: 0, cpuSeconds: 0, output: '' };
  let theirs = { seconds: Infinity, peakMb: 0, cpuSeconds: 0, output: '' };
  for (let run = 0; run < runs; run++) {
    const store = mkdtempSync(join(tmpdir(), 'lacuna-bench-shape-'));
    try {
      const result = await timed(process.execPath, [LACUNA, 'scan', dir, '--store', store]);
      if (result.seconds < lacuna.seconds) lacuna = result;
    } finally {
      rmSync(store, { recursive: true, force: true });
    }
    if (msi) {
      const result = await timed(msi, ['-T', ...paths]);
      if (result.seconds < theirs.seconds) theirs = result;
    }
  }
  const figures = (result: typeof lacuna) => `${result.seconds.toFixed(2)} s (CPU ${result.cpuSeconds.toFixed(2)} s, peak ${result.peakMb.toFixed(0)} MB)`;
  const versus = msi ? `; msi ${figures(theirs)}; msi / lacuna ${(theirs.seconds / lacuna.seconds).toFixed(2)} (CPU ${(theirs.cpuSeconds / lacuna.cpuSeconds).toFixed(2)})` : '';
  console.log(`  ${shape.name} (${paths.length} files): lacuna ${figures(lacuna)}${versus}; load ${loadavg()[0].toFixed(2)}`);
  console.log(`    ${lacuna.output.trim().split('\n').at(-1)}`);
}

// ---- 2.-6. in this process ----------------------------------------------------------------------

if (process.argv.includes('--shapes-only')) process.exit(0);

const showMemory = (memory: Memory) => `${memory.rss.toFixed(0)} MB (private ${memory.anon.toFixed(0)} MB)`;

const large = await archive(`large-${gigabytes}gb`, { bytes: Math.round(gigabytes * 1024 * MB), recordLength: 512 });
const small = await archive(`small-${smallFiles}`, { bytes: smallFiles * 4096, files: smallFiles, recordLength: 512 });

// The small files as a user scans them: `lacuna scan` into a new store, then again with nothing
// changed (the store's file states read back), each a whole process.
const smallStore = mkdtempSync(join(tmpdir(), 'lacuna-bench-small-'));
const scanSmall = () => timed(process.execPath, [LACUNA, 'scan', small, '--store', smallStore]);
const [smallProcess, smallRescanProcess] = await scanSmall()
  .then(async (first) => [first, await scanSmall()])
  .finally(() => rmSync(smallStore, { recursive: true, force: true }));

const before = memoryNow();
const scannerMemory = memorySampler();

// Header scanning alone, one core: the reader and the segment accumulator, no store.
const files: ArchiveFile[] = [];
await walkArchive(large, sds, (file) => files.push(file));
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
const scannerPeak = scannerMemory.stop();

// The engine's shared library loads only now, so the figures above are the scanner's own.
const beforeEngine = memoryNow();
const { Store } = await import('@lacuna/core');
const storeDir = mkdtempSync(join(tmpdir(), 'lacuna-bench-store-'));
const store = await Store.open({ kind: 'embedded', target: storeDir });
const engineOpened = memoryNow();
const memory = memorySampler();

// Full scan into a fresh embedded store, then the small-file archive and its no-change rescans.
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
  [`lacuna scan of ${smallScan.filesSeen} small files into a new store`, `${smallProcess.seconds.toFixed(2)} s (CPU ${smallProcess.cpuSeconds.toFixed(2)} s, peak ${smallProcess.peakMb.toFixed(0)} MB)`],
  ['the same lacuna scan again, nothing changed', `${smallRescanProcess.seconds.toFixed(2)} s (CPU ${smallRescanProcess.cpuSeconds.toFixed(2)} s, peak ${smallRescanProcess.peakMb.toFixed(0)} MB)`],
  [`first scan of ${smallScan.filesSeen} small files, in this process`, `${smallSeconds.toFixed(2)} s`],
  [`no-change rescan of ${smallScan.filesSeen} files`, `median ${rescans[2].toFixed(0)} ms (min ${rescans[0].toFixed(0)}, max ${rescans[4].toFixed(0)})`],
  ['process before any scan (node, tsx, modules)', showMemory(before)],
  ['peak while header scanning, no engine loaded', showMemory(scannerPeak)],
  ['embedded engine loaded and opened, no data', `+${(engineOpened.rss - beforeEngine.rss).toFixed(0)} MB (private +${(engineOpened.anon - beforeEngine.anon).toFixed(0)} MB)`],
  ['peak while scanning into the embedded store', showMemory(peak)],
];
const width = Math.max(...rows.map(([label]) => label.length));
console.log(`\nlacuna bench:scan (node ${process.version})`);
for (const [label, value] of rows) console.log(`  ${label.padEnd(width)}  ${value}`);
