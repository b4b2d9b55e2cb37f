/**
 * /metrics figures: `npm run bench:metrics -- [--channels N] [--days N] [--scrapes N]`.
 *
 * 1. Fills a fresh embedded store with a synthetic network of N channels (default 10,000: 20
 *    networks, 3-component stations at 100 Hz) over D days (default 8, so the 7d window is full):
 *    one segment per day file, and a few more where gaps were planted (a fifth of the channels),
 *    segments written straight into the segments table; metadata epochs with warn/fail intervals
 *    for most channels, none for some (not tracked), ended epochs for a few; latencies from
 *    seconds (most) to hours (late) and days (dead).
 * 2. Refreshes the metrics (twice: the first also warms the JIT) and times it; samples the
 *    event-loop delay during a refresh (how long a scrape arriving then could wait).
 * 3. Starts the exporter on loopback and scrapes /metrics M times (default 200) one after the
 *    other, plain and gzip: p50/p95/max per scrape, body bytes, series count; then scrapes while a
 *    refresh runs. Also the sizes at metrics levels station and network.
 * 4. `lacuna serve` (the compiled CLI) alone on the same store: its resident memory after two
 *    refreshes (scraped meanwhile), how much of it is anonymous (heaps) and how much mapped files
 *    (the code of the engine and of node), and its peak (VmHWM). Target: < 500 MB at 10,000 channels.
 * Prints figures; asserts nothing. Target: < 250 ms per scrape at 10,000 channels.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { MICROS_PER_DAY, MICROS_PER_SECOND, type ChannelEpoch } from '@lacuna/core';
import { Store } from '@lacuna/core';
import { DEFAULT_LIMITS, startExporter } from '@lacuna/exporter';
import { MetricsRefresher } from '@lacuna/exporter';
import type { MetricsLevel } from '@lacuna/exporter';
import { buildCli } from '../cli/build.ts';

function numberArg(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  if (at < 0) return fallback;
  const value = Number(process.argv[at + 1]);
  if (!Number.isInteger(value) || value <= 0) {
    console.error(`bench:metrics: --${name} needs a positive whole number`);
    process.exit(2);
  }
  return value;
}

const CHANNELS = numberArg('channels', 10_000);
const DAYS = numberArg('days', 8);
const SCRAPES = numberArg('scrapes', 200);
const RATE = 100;
const DELTA = MICROS_PER_SECOND / RATE;
const NOW = Math.floor(Date.now() / 1000) * MICROS_PER_SECOND;
const MB = 1024 * 1024;

/** A small seeded generator (mulberry32): the same mix of channels on every run (its times follow the clock). */
function rng(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = rng(7);
const between = (low: number, high: number) => low + Math.floor(random() * (high - low + 1));
const onGrid = (time: number) => Math.round(time / DELTA) * DELTA;

// ---- 1. the synthetic store ---------------------------------------------------------------------

const storeDir = mkdtempSync(join(tmpdir(), 'lacuna-bench-metrics-'));
const store = await Store.open({ kind: 'embedded', target: storeDir });
const buildStarted = performance.now();
const start = Math.floor(NOW / MICROS_PER_DAY) * MICROS_PER_DAY - (DAYS - 1) * MICROS_PER_DAY;
const epochs: ChannelEpoch[] = [];
let rows: Record<string, unknown>[] = [];
let segmentCount = 0;
const flush = async () => {
  if (rows.length === 0) return;
  await store.client.insert({ table: 'segments', values: rows, format: 'JSONEachRow' });
  segmentCount += rows.length;
  rows = [];
};
const counts = { tracked: 0, untracked: 0, late: 0, dead: 0, ended: 0, gappy: 0 };

for (let i = 0; i < CHANNELS; i++) {
  const network = `N${String(i % 20).padStart(2, '0')}`;
  const station = `S${String(Math.floor(i / 60)).padStart(3, '0')}`;
  const channel = ['HHZ', 'HHN', 'HHE'][Math.floor(i / 20) % 3];
  const location = '00';
  const kind = random();
  // Newest sample: seconds old for most, hours for the late 4 %, days for the dead 1 %.
  const lastSample = onGrid(NOW - (kind < 0.01 ? between(2, 5) * MICROS_PER_DAY : kind < 0.05 ? between(1, 5) * 3600e6 : between(5, 60) * MICROS_PER_SECOND));
  if (kind < 0.01) counts.dead++;
  else if (kind < 0.05) counts.late++;
  const tracked = random() >= 0.1;
  const ended = random() < 0.02;
  counts[tracked ? 'tracked' : 'untracked']++;
  if (ended) counts.ended++;
  epochs.push({
    network, station, location, channel,
    start,
    end: ended ? start + between(1, DAYS - 1) * MICROS_PER_DAY : null,
    sampleRate: RATE, latitude: 40 + random() * 10, longitude: random() * 30, elevation: 500,
    warnS: tracked ? 600 : null,
    failS: tracked ? 3600 : null,
  });
  // One segment per day file; gappy channels get 2-4 gaps a day of seconds to an hour.
  const gappy = random() < 0.2;
  if (gappy) counts.gappy++;
  for (let day = 0; day < DAYS; day++) {
    const dayStart = start + day * MICROS_PER_DAY;
    const dayEnd = Math.min(dayStart + MICROS_PER_DAY, lastSample + DELTA);
    if (dayEnd <= dayStart) break;
    const cuts = gappy ? Array.from({ length: between(2, 4) }, () => onGrid(dayStart + random() * (dayEnd - dayStart))).sort((a, b) => a - b) : [];
    let from = dayStart;
    const source = `/bench/${network}/${station}/${channel}.D/${network}.${station}.${location}.${channel}.D.${day}`;
    for (const cut of [...cuts, dayEnd]) {
      const to = Math.min(cut, dayEnd);
      if (to - from >= DELTA) {
        const samples = Math.round((to - from) / DELTA);
        const end = from + (samples - 1) * DELTA;
        rows.push({
          network, station, location, channel, quality: 'D', sample_rate: RATE,
          start_time: from, end_time: end, samples, tolerance_us: DELTA / 2, source, scan_id: 1,
          first_seen: Math.min(NOW, end + between(1, 30) * MICROS_PER_SECOND),
        });
      }
      from = onGrid(to + between(1, 3600) * MICROS_PER_SECOND);
    }
  }
  if (rows.length >= 50_000) await flush();
}
await flush();
await store.replaceEpochs('/bench/metadata.csv', epochs);
const buildSeconds = (performance.now() - buildStarted) / 1000;

// ---- 2. refresh -------------------------------------------------------------------------------

const refresher = new MetricsRefresher(store, { now: () => NOW });
const refreshTimes: number[] = [];
const loopDelay = monitorEventLoopDelay({ resolution: 10 });
for (let pass = 0; pass < 2; pass++) {
  if (pass === 1) loopDelay.enable();
  const result = await refresher.refreshNow();
  if (!result.ok) throw result.error;
  refreshTimes.push(result.seconds);
}
loopDelay.disable();
const blockedMs = loopDelay.max / 1e6;
const memoryMb = process.memoryUsage().rss / MB;

// ---- 3. scrapes ---------------------------------------------------------------------------------

const exporter = await startExporter({ store, limits: DEFAULT_LIMITS, metrics: refresher }, { host: '127.0.0.1', port: 0 });

/** One scrape over loopback: wall time to the last byte, bytes on the wire. */
function scrape(gzip: boolean): Promise<{ ms: number; bytes: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    request(`${exporter.url}/metrics`, { headers: gzip ? { 'accept-encoding': 'gzip' } : {} }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        const body = Buffer.concat(chunks);
        resolve({ ms: performance.now() - started, bytes: body.length, body });
      });
      response.on('error', reject);
    })
      .on('error', reject)
      .end();
  });
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
async function scrapes(gzip: boolean, count: number, until?: Promise<unknown>) {
  const times: number[] = [];
  let bytes = 0;
  let body: Buffer = Buffer.alloc(0);
  let done = false;
  void until?.then(() => (done = true));
  for (let i = 0; i < count && !(until && done); i++) {
    const result = await scrape(gzip);
    times.push(result.ms);
    bytes = result.bytes;
    body = result.body;
  }
  times.sort((a, b) => a - b);
  return { n: times.length, p50: percentile(times, 50), p95: percentile(times, 95), max: times[times.length - 1], bytes, body };
}

await scrapes(false, 10); // warm-up
const plain = await scrapes(false, SCRAPES);
const gzipped = await scrapes(true, SCRAPES);
const text = plain.body.toString('utf8');
const seriesOf = (body: string) => body.split('\n').filter((line) => line !== '' && !line.startsWith('#')).length;
const series = seriesOf(text);
const storeSeries = text.split('\n').filter((line) => /^lacuna_(channel|station|network|collector)_/.test(line)).length;

// Scrapes while a refresh runs (the refresh's CPU work shares the event loop).
const during = await scrapes(true, 10_000, refresher.refreshNow());

// Sizes at the coarser levels.
const levels: { level: MetricsLevel; series: number; bytes: number }[] = [];
for (const level of ['station', 'network'] as const) {
  const coarse = new MetricsRefresher(store, { now: () => NOW, level });
  await coarse.refreshNow();
  const body = await coarse.text();
  levels.push({ level, series: seriesOf(body), bytes: Buffer.byteLength(body) });
}

await exporter.close();
await store.close();

// The exporter as it runs in service: `lacuna serve` (the compiled CLI) on this store, alone in its
// process. Its resident memory after two refreshes and the scrapes between them, and its peak.
await buildCli();
const served = await new Promise<{ rssMb: number; peakMb: number; anonMb: number; filesMb: number; scrapes: number }>((resolve, reject) => {
  const child = spawn(process.execPath, [fileURLToPath(new URL('../cli/bin/lacuna.js', import.meta.url)), 'serve', '--store', storeDir, '--listen', '127.0.0.1:0', '--metrics-refresh', '5'], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, LACUNA_STORE: '', LACUNA_API_TOKEN: '' },
  });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  child.on('error', reject);
  const memory = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
  void (async () => {
    try {
      let url: string | undefined;
      while (!(url = /exporter (http:\/\/\S+):/.exec(stderr)?.[1])) {
        if (child.exitCode !== null) throw new Error(`lacuna serve stopped: ${stderr}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      let refreshes = 0;
      let scrapes = 0;
      let lastRefresh = '';
      // Scrape until two refreshes have been served (the first one starts at once).
      while (refreshes < 2) {
        // A connection of its own each time: a refresh may hold the event loop long enough for
        // a kept-alive connection to be closed under the request.
        const body = await new Promise<string>((done, fail) => {
          request(`${url}/metrics`, { agent: false }, (response) => {
            let text = '';
            response.setEncoding('utf8');
            response.on('data', (chunk: string) => (text += chunk));
            response.on('end', () => done(text));
            response.on('error', fail);
          })
            .on('error', fail)
            .end();
        });
        scrapes++;
        const stamp = /^lacuna_exporter_last_refresh_timestamp_seconds (\S+)/m.exec(body)?.[1] ?? '';
        if (stamp !== '' && stamp !== lastRefresh) {
          refreshes++;
          lastRefresh = stamp;
        }
        await new Promise((r) => setTimeout(r, 200));
      }
      resolve({ rssMb: memory('VmRSS'), peakMb: memory('VmHWM'), anonMb: memory('RssAnon'), filesMb: memory('RssFile'), scrapes });
    } catch (error) {
      reject(new Error(`lacuna serve: ${error instanceof Error ? error.message : String(error)} (exit ${child.exitCode}, signal ${child.signalCode}); its output: ${stderr.slice(-2000)}`, { cause: error }));
    } finally {
      child.kill();
    }
  })();
});
rmSync(storeDir, { recursive: true, force: true });

// ---- figures ------------------------------------------------------------------------------------

const ms = (value: number) => `${value.toFixed(1)} ms`;
const figures: [string, string][] = [
  ['synthetic store', `${CHANNELS} channels (${counts.tracked} tracked, ${counts.untracked} not; ${counts.late} late, ${counts.dead} dead, ${counts.ended} ended epochs, ${counts.gappy} with gaps), ${DAYS} days, ${segmentCount} segments, built in ${buildSeconds.toFixed(1)} s`],
  ['refresh (store → cached text)', `first ${refreshTimes[0].toFixed(2)} s, second ${refreshTimes[1].toFixed(2)} s`],
  ['longest event-loop stall in a refresh', ms(blockedMs)],
  ['exposition', `${series} series (${storeSeries} from the store), ${(plain.bytes / MB).toFixed(2)} MB plain, ${(gzipped.bytes / MB).toFixed(2)} MB gzip`],
  [`scrape, plain (${plain.n}×)`, `p50 ${ms(plain.p50)}, p95 ${ms(plain.p95)}, max ${ms(plain.max)}`],
  [`scrape, gzip (${gzipped.n}×)`, `p50 ${ms(gzipped.p50)}, p95 ${ms(gzipped.p95)}, max ${ms(gzipped.max)}`],
  [`scrape during a refresh, gzip (${during.n}×)`, `p50 ${ms(during.p50)}, p95 ${ms(during.p95)}, max ${ms(during.max)}`],
  ...levels.map(({ level, series: n, bytes }): [string, string] => [`level ${level}`, `${n} series, ${(bytes / 1024).toFixed(0)} KB plain`]),
  ['resident memory after refresh (this process: it also built the store)', `${memoryMb.toFixed(0)} MB`],
  ['lacuna serve alone on this store, after two refreshes', `resident ${served.rssMb.toFixed(0)} MB, peak ${served.peakMb.toFixed(0)} MB (${served.scrapes} scrapes; target < 500 MB); of the resident ${served.anonMb.toFixed(0)} MB anonymous, ${served.filesMb.toFixed(0)} MB mapped files (the engine's library, node)`],
];
const width = Math.max(...figures.map(([label]) => label.length));
console.log(`\nlacuna bench:metrics (node ${process.version}; target < 250 ms per scrape)`);
for (const [label, value] of figures) console.log(`  ${label.padEnd(width)}  ${value}`);
