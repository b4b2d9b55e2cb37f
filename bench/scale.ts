/**
 * Scale figures: `npm run bench:scale -- [--channels N] [--years N] [--requests N] [--dir DIR]`.
 *
 * 1. Fills an embedded store with a synthetic network (default 10,000 channels × 10 years: 20
 *    networks of 500 channels, stations of three components at 100, 40 or 1 Hz, one segment per
 *    day file, one day in 20 with a gap inside, one in 200 without a file): metadata epochs,
 *    segments, daily rollups and channel extents, all generated inside the engine by INSERT …
 *    SELECT (core/src/testing/synthetic-network.ts, whose rollups a test checks against the
 *    store's own refresh). Then merges the tables (OPTIMIZE … FINAL), as background merges do in
 *    time. With `--dir DIR` the store is kept there, and a later run with the same shape reuses it.
 * 2. Prints the store's size on disk (the directory, and per table: rows, compressed and
 *    uncompressed bytes) and bytes per channel-year.
 * 3. An exporter on 127.0.0.1 ("now" = the end of the data, the completion cache off so that every
 *    request computes); after two warm-up requests, `--requests` (default 20) sequential requests
 *    of completion 2,000 channels × 365 days by day and timeline 500 channels × 30 days, and
 *    `--few-requests` (default 3) of /api/v1/stations (all channels) and the FDSN extent of one
 *    network (500 channels) over the whole 10 years; then /metrics refreshes (`--refreshes`,
 *    default 3). p50 and p95 of each,
 *    with the machine's load average (the figures are CPU-bound: other work on the machine shows).
 * Asserts nothing. Targets as at 2,000 channels × 1 year: completion p95 < 500 ms, timeline p95 < 150 ms.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { MICROS_PER_DAY, Store } from '@lacuna/core';
import { syntheticNetworkInserts, type SyntheticNetworkShape } from '@lacuna/core/testing';
import { DEFAULT_LIMITS, MetricsRefresher, startExporter } from '@lacuna/exporter';

function numberArg(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  if (at < 0) return fallback;
  const value = Number(process.argv[at + 1]);
  if (!Number.isInteger(value) || value <= 0) {
    console.error(`bench:scale: --${name} needs a positive whole number`);
    process.exit(2);
  }
  return value;
}

const PER_NETWORK = 500;
const CHANNELS = numberArg('channels', 10_000);
const YEARS = numberArg('years', 10);
const REQUESTS = numberArg('requests', 20);
const REFRESHES = numberArg('refreshes', 3);
/** Requests of the endpoints without a target (each reads every stored segment at 10 years: minutes in all). */
const FEW = numberArg('few-requests', 3);
const DAYS = YEARS * 365;
const START = Date.UTC(2015, 0, 1) * 1000;
const END = START + DAYS * MICROS_PER_DAY;
const SHAPE: SyntheticNetworkShape = { channels: CHANNELS, days: DAYS, start: START, perNetwork: PER_NETWORK, gapEvery: 20, missingEvery: 200 };
const dirAt = process.argv.indexOf('--dir');
const keep = dirAt >= 0;
const dir = keep ? resolve(process.argv[dirAt + 1]) : mkdtempSync(join(tmpdir(), 'lacuna-bench-scale-'));

const MB = 1024 * 1024;
const GB = 1024 * MB;
const load = () => loadavg()[0].toFixed(2);
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
const iso = (us: number) => new Date(us / 1000).toISOString();
/** The first `count` networks' channels, as a channel pattern list. */
const networks = (count: number) => Array.from({ length: count }, (_, i) => `N${String(i).padStart(2, '0')}`).join(',');

async function count(store: Store, sql: string): Promise<number> {
  const [row] = await store.rows<{ n: number }>(sql);
  return row.n;
}

/** True when the store already holds exactly this shape (a kept --dir). */
async function filledAlready(store: Store): Promise<boolean> {
  const [row] = await store.rows<{ channels: number; first: number; last: number }>(
    `SELECT uniqExact(network, station, location, channel) AS channels, toUnixTimestamp64Micro(min(first_start)) AS first, toUnixTimestamp64Micro(max(last_end)) AS last
     FROM channel_extents FINAL WHERE deleted = 0`,
  );
  return row.channels === CHANNELS && row.first === START && row.last > END - MICROS_PER_DAY && row.last < END;
}

async function fill(store: Store): Promise<void> {
  const started = Date.now();
  const inserts = syntheticNetworkInserts(SHAPE);
  let channelDays = 0;
  for (const insert of inserts) {
    const t0 = Date.now();
    await store.client.command({ query: insert.sql, query_params: insert.params });
    if (insert.table === 'segments') channelDays += insert.channelDays;
    console.log(
      `  ${insert.table}${insert.channelDays ? ` (${insert.channelDays.toLocaleString('en')} channel-days)` : ''}: ${seconds(Date.now() - t0)}` +
        ` — ${((100 * channelDays) / (CHANNELS * DAYS)).toFixed(0)} % of the days written, load ${load()}`,
    );
  }
  console.log(`  filled in ${seconds(Date.now() - started)}`);
  const merging = Date.now();
  for (const table of ['segments', 'availability_daily', 'channel_extents', 'channel_epochs']) {
    await store.client.command({ query: `OPTIMIZE TABLE ${table} FINAL`, clickhouse_settings: { optimize_throw_if_noop: 0 } });
  }
  console.log(`  tables merged (OPTIMIZE … FINAL) in ${seconds(Date.now() - merging)}`);
}

async function sizes(store: Store): Promise<void> {
  const tables = await store.rows<{ table: string; rows: number; parts: number; bytes: number; uncompressed: number }>(
    `SELECT table, sum(rows) AS rows, count() AS parts, sum(bytes_on_disk) AS bytes, sum(data_uncompressed_bytes) AS uncompressed
     FROM system.parts WHERE active AND database = currentDatabase() GROUP BY table ORDER BY bytes DESC`,
  );
  const total = tables.reduce((sum, t) => sum + t.bytes, 0);
  const du = execFileSync('du', ['-sb', dir], { encoding: 'utf8' }).split('\t')[0];
  const channelYears = CHANNELS * YEARS;
  console.log(`\nstore on disk: ${(Number(du) / GB).toFixed(2)} GB (du of ${dir}); tables ${(total / GB).toFixed(2)} GB:`);
  for (const t of tables) {
    if (t.rows === 0) continue;
    console.log(
      `  ${t.table.padEnd(20)} ${t.rows.toLocaleString('en').padStart(14)} rows  ${(t.bytes / MB).toFixed(1).padStart(9)} MB on disk ` +
        `(${(t.uncompressed / MB).toFixed(0)} MB uncompressed, ${(t.bytes / t.rows).toFixed(1)} B/row, ${t.parts} parts)`,
    );
  }
  console.log(`  bytes per channel-year: ${(total / channelYears).toFixed(0)} (tables), ${(Number(du) / channelYears).toFixed(0)} (directory)`);
}

interface Case {
  name: string;
  path: string;
  target?: number;
  /** Sequential requests after the warm-up. */
  requests: number;
  describe: (body: string) => string;
}

async function measure(url: string, c: Case): Promise<void> {
  const times: number[] = [];
  let summary = '';
  for (let i = 0; i < c.requests + 2; i++) {
    const t0 = performance.now();
    const response = await fetch(`${url}${c.path}`);
    const body = await response.text();
    const elapsed = performance.now() - t0;
    if (response.status !== 200) throw new Error(`${c.path}: ${response.status} ${body.slice(0, 300)}`);
    if (i >= 2) times.push(elapsed);
    if (i === 0) summary = `${c.describe(body)}, body ${(body.length / MB).toFixed(2)} MB`;
  }
  times.sort((a, b) => a - b);
  console.log(
    `  ${c.name}: p50 ${percentile(times, 50).toFixed(0)} ms, p95 ${percentile(times, 95).toFixed(0)} ms, max ${times[times.length - 1].toFixed(0)} ms` +
      `${c.target ? ` (target p95 < ${c.target} ms)` : ''}; ${c.requests} requests; ${summary}; load ${load()}`,
  );
}

async function main(): Promise<void> {
  mkdirSync(dir, { recursive: true });
  console.log(`bench:scale: ${CHANNELS.toLocaleString('en')} channels × ${YEARS} years (${iso(START).slice(0, 10)} to ${iso(END).slice(0, 10)}), store ${dir}, ${cpus().length} CPUs, load ${load()}`);
  const store = await Store.open({ kind: 'embedded', target: dir });
  try {
    if (await filledAlready(store)) console.log('  the store already holds this network: reused');
    else {
      if ((await count(store, 'SELECT count() AS n FROM segments')) > 0) throw new Error(`${dir} holds another store; give an empty or new --dir`);
      await fill(store);
    }
    await sizes(store);

    const exporter = await startExporter({ store, limits: DEFAULT_LIMITS, now: () => END, cache: false }, { host: '127.0.0.1', port: 0 });
    try {
      const rows = (body: string) => {
        const json = JSON.parse(body) as { rows: { spans?: unknown[] }[]; buckets?: unknown[] };
        if (json.buckets) return `${json.rows.length} rows × ${json.buckets.length} buckets`;
        return `${json.rows.length} rows, ${json.rows.reduce((sum, row) => sum + (row.spans?.length ?? 0), 0).toLocaleString('en')} spans`;
      };
      const cases: Case[] = [
        {
          name: 'completion, 2,000 channels × 365 days, by day',
          path: `/api/v1/completion?channel=${networks(Math.min(4, CHANNELS / PER_NETWORK))}&from=${iso(END - 365 * MICROS_PER_DAY)}&to=${iso(END)}&bucket=day`,
          target: 500,
          requests: REQUESTS,
          describe: rows,
        },
        {
          name: 'timeline, 500 channels × 30 days, maxPoints 1000',
          path: `/api/v1/timeline?channel=N00&from=${iso(END - 30 * MICROS_PER_DAY)}&to=${iso(END)}&maxPoints=1000`,
          target: 150,
          requests: REQUESTS,
          describe: rows,
        },
        {
          name: `stations, all ${CHANNELS.toLocaleString('en')} channels, window 1 day`,
          path: '/api/v1/stations',
          requests: FEW,
          describe: (body) => `${(JSON.parse(body) as { stations: unknown[] }).stations.length} stations`,
        },
        {
          name: `FDSN extent, one network (500 channels) over ${YEARS} years`,
          requests: FEW,
          path: `/fdsnws/availability/1/extent?net=N00&starttime=${iso(START).slice(0, 19)}&endtime=${iso(END).slice(0, 19)}&format=text`,
          describe: (body) => `${body.trim().split('\n').length - 1} rows`,
        },
      ];
      console.log('\nrequests (after 2 warm-up, sequential, loopback):');
      for (const c of cases) await measure(exporter.url, c);
    } finally {
      await exporter.close();
    }

    const refresher = new MetricsRefresher(store, { now: () => END });
    const times: number[] = [];
    let series = 0;
    for (let i = 0; i < REFRESHES + 1; i++) {
      const result = await refresher.refreshNow();
      if (!result.ok) throw result.error;
      if (i > 0) times.push(result.seconds * 1000);
      series = (await refresher.text()).split('\n').filter((line) => line !== '' && !line.startsWith('#')).length;
    }
    times.sort((a, b) => a - b);
    console.log(
      `  /metrics refresh, ${CHANNELS.toLocaleString('en')} channels: p50 ${percentile(times, 50).toFixed(0)} ms, p95 ${percentile(times, 95).toFixed(0)} ms ` +
        `(${REFRESHES} after 1 warm-up; ${series.toLocaleString('en')} series); load ${load()}`,
    );
  } finally {
    await store.close();
    if (!keep) rmSync(dir, { recursive: true, force: true });
  }
}

await main();
