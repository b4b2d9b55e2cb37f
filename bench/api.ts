/**
 * /api/v1 figures: `npm run bench:api -- [--channels N] [--days N] [--requests N] [--clients N] [--per-client N] [--dir DIR]`.
 *
 * 1. A fresh embedded store: metadata epochs for N channels (default 2,000; 4 networks B0..B3 of
 *    500 channels each, 1 Hz LHZ/LHN/LHE; every 40th channel's epoch ends on day 273), then
 *    N × days (default 365) channel-days of segments inserted directly by ClickHouse
 *    (INSERT … SELECT FROM numbers): four 6-hour segments per day; about 10 % start 1 s..30 min
 *    late (a gap), 1 % are missing (a 6-hour gap), 0.5 % start 30 s early (an overlap); data
 *    first seen 5..305 s after its last sample, 0.2 % backfilled two days late.
 * 2. The rollups built from scratch (ensureRollups: what an exporter does for a store filled
 *    before migration 2), and a daily refresh (one new day of every channel, as a scan of the
 *    day's files triggers it).
 * 3. Two exporters on 127.0.0.1 over that store, their clock starting at the data's end: one
 *    computing every request (caches off), one as served (answers shared between requests,
 *    completion days kept). After two warm-up requests, `--requests` (default 40) sequential
 *    requests each, timed until the whole body arrived: timeline of one network (500 channels)
 *    and of all channels over the last 30 days at maxPoints=1000; completion of all channels over
 *    the whole range by day, with the rollups as just written (many unmerged parts), with `to`
 *    inside the last day, and after the parts are merged, all computed afresh; then asked again
 *    of the serving exporter (rollups unchanged, as a dashboard refreshing).
 * 4. Concurrency: `--clients` (default 20) clients each sending `--per-client` (default 25)
 *    timeline requests of 32 channels × 7 days one after the other: all the same dashboard to
 *    the serving exporter, each its own channels to it (nothing to share), and the same dashboard
 *    computed every time. Requests/s and p50/p99.
 * Prints p50/p95/max and body sizes, and the machine's load average (the figures are CPU-bound:
 * other work on the machine shows). Asserts nothing.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { MICROS_PER_DAY, type ChannelEpoch } from '@lacuna/core';
import { ensureRollups, refreshRollups, touchDays, type TouchedDays } from '@lacuna/core';
import { Store } from '@lacuna/core';
import { startExporter, DEFAULT_LIMITS } from '@lacuna/exporter';

function numberArg(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  if (at < 0) return fallback;
  const value = Number(process.argv[at + 1]);
  if (!Number.isInteger(value) || value <= 0) {
    console.error(`bench:api: --${name} needs a positive whole number`);
    process.exit(2);
  }
  return value;
}

const CHANNELS = numberArg('channels', 2000);
const DAYS = numberArg('days', 365);
const REQUESTS = numberArg('requests', 40);
const CLIENTS = numberArg('clients', 20);
const PER_CLIENT = numberArg('per-client', 25);
const dirAt = process.argv.indexOf('--dir');
const base = dirAt >= 0 ? process.argv[dirAt + 1] : tmpdir();
const START = Date.UTC(2023, 0, 1) * 1000;
const END = START + DAYS * MICROS_PER_DAY;
const PER_NETWORK = 500;
const CODES = ['LHZ', 'LHN', 'LHE'];

function channelId(i: number) {
  const n = i % PER_NETWORK;
  return { network: `B${Math.floor(i / PER_NETWORK)}`, station: `S${String(Math.floor(n / 3)).padStart(4, '0')}`, location: '00', channel: CODES[n % 3] };
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

async function activeParts(store: Store): Promise<number> {
  const result = await store.client.query({ query: "SELECT count() AS n FROM system.parts WHERE table = 'availability_daily' AND active", format: 'JSONEachRow' });
  const [{ n }] = await result.json<{ n: number }>();
  return n;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(base, 'lacuna-bench-api-'));
  const store = await Store.open({ kind: 'embedded', target: dir });
  try {
    console.log(`bench:api: ${CHANNELS} channels × ${DAYS} days, store ${dir}, ${cpus().length} CPUs, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);

    // 1. Metadata, then segments.
    let started = Date.now();
    const epochs: ChannelEpoch[] = Array.from({ length: CHANNELS }, (_, i) => ({
      ...channelId(i),
      start: START - 365 * MICROS_PER_DAY,
      end: i % 40 === 39 ? START + Math.min(273, DAYS - 1) * MICROS_PER_DAY : null,
      sampleRate: 1,
      latitude: -60 + ((i * 7919) % 12000) / 100,
      longitude: -180 + ((i * 104729) % 36000) / 100,
      elevation: null,
      warnS: 600,
      failS: 3600,
    }));
    await store.replaceEpochs('bench:metadata', epochs);
    await store.client.command({
      query: `INSERT INTO segments
        SELECT network, station, location, channel, 'D', 1.0,
          fromUnixTimestamp64Micro(s, 'UTC'), fromUnixTimestamp64Micro(e, 'UTC'), intDiv(e - s, 1000000) + 1, 500000,
          concat('/bench/', network, '/', station, '.', channel, '/', toString(d)), 1,
          fromUnixTimestamp64Micro(e + (5 + h % 300) * 1000000 + if(h % 500 = 3, 2 * 86400000000, 0), 'UTC')
        FROM (
          SELECT
            concat('B', toString(intDiv(ch, ${PER_NETWORK}))) AS network,
            concat('S', leftPad(toString(intDiv(ch % ${PER_NETWORK}, 3)), 4, '0')) AS station,
            '00' AS location,
            ['LHZ', 'LHN', 'LHE'][ch % ${PER_NETWORK} % 3 + 1] AS channel,
            d, h,
            {start:Int64} + d * 86400000000 + k * 21600000000
              + multiIf(h % 10 = 0, (1 + intDiv(h, 10) % 1800) * 1000000, h % 200 = 7, -30000000, 0) AS s,
            {start:Int64} + d * 86400000000 + (k + 1) * 21600000000 - 1000000 AS e
          FROM (SELECT intDiv(number, ${DAYS * 4}) AS ch, intDiv(number % ${DAYS * 4}, 4) AS d, number % 4 AS k,
                       cityHash64(number, 'lacuna') AS h
                FROM numbers(${CHANNELS * DAYS * 4}))
          WHERE h % 100 != 1 AND NOT (d = 0 AND k = 0 AND h % 200 = 7))`,
      query_params: { start: START },
    });
    const [{ n }] = await (await store.client.query({ query: 'SELECT count() AS n FROM segments', format: 'JSONEachRow' })).json<{ n: number }>();
    console.log(`  segments inserted by ClickHouse: ${n.toLocaleString('en')} in ${seconds(Date.now() - started)}`);

    // 2. Rollups.
    started = Date.now();
    const built = await ensureRollups(store);
    const [{ rows }] = await (await store.client.query({ query: 'SELECT count() AS rows FROM availability_daily FINAL', format: 'JSONEachRow' })).json<{ rows: number }>();
    console.log(`  rollups built from scratch: ${built} channels, ${rows.toLocaleString('en')} channel-days in ${seconds(Date.now() - started)}`);
    const lastDay: TouchedDays = new Map();
    for (let i = 0; i < CHANNELS; i++) touchDays(lastDay, channelId(i), END - MICROS_PER_DAY, END - 1);
    started = Date.now();
    await refreshRollups(store, lastDay);
    console.log(`  daily refresh (the last day of all ${CHANNELS} channels): ${seconds(Date.now() - started)}`);

    // 3. HTTP.
    // Cold: every request computes (caches off); warm: answers shared between requests, as served.
    // Now moves with the wall clock from the data's end, so shared answers age as they do in service.
    const clockStart = Date.now();
    const now = () => END + (Date.now() - clockStart) * 1000;
    const exporter = await startExporter({ store, limits: DEFAULT_LIMITS, now, cache: false }, { host: '127.0.0.1', port: 0 });
    const cached = await startExporter({ store, limits: DEFAULT_LIMITS, now }, { host: '127.0.0.1', port: 0 });
    try {
      const iso = (us: number) => new Date(us / 1000).toISOString();
      const completion = `/api/v1/completion?from=${iso(START)}&to=${iso(END)}&bucket=day`;
      const cases: { name: string; path: string; target: number; url?: string; before?: () => Promise<unknown> }[] = [
        { name: 'timeline (500 channels × 30 days, maxPoints 1000)', path: `/api/v1/timeline?channel=B1&from=${iso(END - 30 * MICROS_PER_DAY)}&to=${iso(END)}&maxPoints=1000`, target: 150 },
        { name: `timeline (all ${CHANNELS} channels × 30 days, maxPoints 1000)`, path: `/api/v1/timeline?from=${iso(END - 30 * MICROS_PER_DAY)}&to=${iso(END)}&maxPoints=1000`, target: 500 },
        { name: `completion (${CHANNELS} channels × ${DAYS} days; rollups as just written, ${await activeParts(store)} parts)`, path: completion, target: 500 },
        {
          name: `completion, \`to\` 6 h into the last day (that day from the segments)`,
          path: `/api/v1/completion?from=${iso(START)}&to=${iso(END - 18 * 3600e6)}&bucket=day`,
          target: 500,
        },
        { name: `completion after the parts are merged (OPTIMIZE, as background merges do in time)`, path: completion, target: 500, before: () => store.client.command({ query: 'OPTIMIZE TABLE availability_daily FINAL' }) },
        { name: 'completion asked again, rollups unchanged (as served: shared answers, kept days)', path: completion, target: 500, url: cached.url },
        { name: 'completion asked again, `to` inside the last day (as served)', path: `/api/v1/completion?from=${iso(START)}&to=${iso(END - 18 * 3600e6)}&bucket=day`, target: 500, url: cached.url },
      ];
      const month = `from=${iso(END - 30 * MICROS_PER_DAY)}&to=${iso(END)}`;
      const others = [
        { name: 'stats (500 channels × 30 days)', path: `/api/v1/stats?channel=B1&${month}` },
        { name: 'gaps (500 channels × 30 days)', path: `/api/v1/gaps?channel=B1&${month}` },
        { name: 'latency (500 channels × 30 days, step 1h)', path: `/api/v1/latency?channel=B1&${month}&step=1h` },
        { name: `stations (all ${CHANNELS} channels, window 1d)`, path: '/api/v1/stations' },
        { name: 'completion by hour, one station × 30 days', path: `/api/v1/completion?channel=B1.S0001&${month}&bucket=hour` },
      ];
      for (const c of cases) {
        await c.before?.();
        const times: number[] = [];
        let bytes = 0;
        let summary = '';
        for (let i = 0; i < REQUESTS + 2; i++) {
          const t0 = performance.now();
          const response = await fetch(`${c.url ?? exporter.url}${c.path}`);
          const body = await response.text();
          const elapsed = performance.now() - t0;
          if (response.status !== 200) throw new Error(`${c.path}: ${response.status} ${body.slice(0, 200)}`);
          if (i >= 2) times.push(elapsed);
          bytes = body.length;
          if (i === 0) {
            const json = JSON.parse(body) as { rows: { spans?: unknown[]; percent: unknown }[]; buckets?: unknown[] };
            const spans = json.rows.reduce((sum, row) => sum + (row.spans?.length ?? 0), 0);
            summary = json.buckets ? `${json.rows.length} rows × ${json.buckets.length} buckets` : `${json.rows.length} rows, ${spans.toLocaleString('en')} spans`;
          }
        }
        times.sort((a, b) => a - b);
        console.log(
          `  ${c.name}: p50 ${percentile(times, 50).toFixed(1)} ms, p95 ${percentile(times, 95).toFixed(1)} ms, max ${times[times.length - 1].toFixed(1)} ms ` +
            `(target p95 < ${c.target} ms; ${REQUESTS} requests; ${summary}; body ${(bytes / 1024 / 1024).toFixed(2)} MB; load ${loadavg()[0].toFixed(2)})`,
        );
      }
      // Concurrency: CLIENTS clients, each sending its next request when its last one is answered.
      const week = `from=${iso(END - 7 * MICROS_PER_DAY)}&to=${iso(END)}`;
      const dashboard = `/api/v1/timeline?channel=B0.S000?,B0.S0010.00.LHZ,B0.S0010.00.LHN&${week}&maxPoints=1000`;
      // 32 channels of another network and station range for each client: nothing to share.
      const ownSelection = (client: number) => {
        const first = 11 * client;
        const station = (k: number) => `B${client % 4}.S${String(first + k).padStart(4, '0')}`;
        return `/api/v1/timeline?channel=${[...Array.from({ length: 10 }, (_, k) => station(k)), `${station(10)}.00.LHZ`, `${station(10)}.00.LHN`].join(',')}&${week}&maxPoints=1000`;
      };
      const concurrency = [
        { name: `${CLIENTS} clients, the same dashboard (timeline, 32 channels × 7 days), answers shared`, url: cached.url, path: () => dashboard },
        { name: `${CLIENTS} clients, each its own 32 channels × 7 days, answers shared (nothing to share)`, url: cached.url, path: ownSelection },
        { name: `${CLIENTS} clients, the same dashboard, every request computed (caches off)`, url: exporter.url, path: () => dashboard },
      ];
      for (const c of concurrency) {
        const times: number[] = [];
        const started = performance.now();
        await Promise.all(
          Array.from({ length: CLIENTS }, async (_, client) => {
            for (let i = 0; i < PER_CLIENT; i++) {
              const t0 = performance.now();
              const response = await fetch(`${c.url}${c.path(client)}`);
              const body = await response.text();
              if (response.status !== 200) throw new Error(`${c.path(client)}: ${response.status} ${body.slice(0, 200)}`);
              times.push(performance.now() - t0);
            }
          }),
        );
        const elapsed = performance.now() - started;
        times.sort((a, b) => a - b);
        console.log(
          `  ${c.name}: ${((1000 * times.length) / elapsed).toFixed(0)} requests/s, p50 ${percentile(times, 50).toFixed(0)} ms, p99 ${percentile(times, 99).toFixed(0)} ms ` +
            `(target ≥ 100 requests/s, p99 < 300 ms; ${times.length} requests; load ${loadavg()[0].toFixed(2)})`,
        );
      }

      console.log('  other endpoints (informational, 10 requests each):');
      for (const c of others) {
        const times: number[] = [];
        let bytes = 0;
        for (let i = 0; i < 11; i++) {
          const t0 = performance.now();
          const response = await fetch(`${exporter.url}${c.path}`);
          const body = await response.text();
          if (response.status !== 200) throw new Error(`${c.path}: ${response.status} ${body.slice(0, 200)}`);
          if (i > 0) times.push(performance.now() - t0);
          bytes = body.length;
        }
        times.sort((a, b) => a - b);
        console.log(`    ${c.name}: p50 ${percentile(times, 50).toFixed(1)} ms, max ${times[times.length - 1].toFixed(1)} ms, body ${(bytes / 1024).toFixed(0)} kB`);
      }
    } finally {
      await exporter.close();
      await cached.close();
    }
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
