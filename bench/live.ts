/**
 * Live source figures: `npm run bench:live -- [--parts seedlink,ingest,visible,scrape] [--packets N] [--runs N] [--requests N] [--items N] [--clients N,N…] [--visible N] [--flush-ms N]`.
 *
 * 1. SeedLink: a test-double server (collector/src/seedlink/testing/fake-server.ts) in a child
 *    process, so the client has this process's core to itself, holds N 512-byte miniSEED 2
 *    packets (default 300,000: 100 stations of 100 Hz HHZ) and sends them as fast as loopback
 *    takes them, as v4 (ringserver-like) and as v3 (SeisComP-like) packets. The client path is the
 *    one `lacuna start --seedlink` runs: SeedLinkSource (framing, the miniSEED header reader,
 *    segment pieces and per-packet latency, a flush every 5 s) with a sink that drops the batches.
 *    Figures: packets/s from the first packet to the last (median of R runs, default 3), and how
 *    busy the event loop was over that span (100 %: the one JS thread is the limit).
 * 2. Ingest: the exporter on loopback with the live writer on a fresh embedded store; C clients
 *    (default 1, 8 and 32 in turn) post requests of K items (default 10 streams, one 1-minute
 *    segment each) one after the other, M requests in all (default 2,000, and at most 20 s a run):
 *    requests/s, items/s, and the time per request (p50, p95). Concurrent requests share inserts
 *    (the writer's group commit). Then the same with the store unreachable (every batch synced to
 *    the spool).
 * 3. Packet to visible: what `lacuna start --seedlink` runs in one process (a SeedLink source
 *    flushing every `--flush-ms`, default 1000 as `--live-flush`; the live writer on a fresh
 *    embedded store; the exporter with /metrics refreshed every 30 s), fed by the test-double server
 *    in this process one packet at a time, V times (default 40) at random moments. Per packet, the
 *    time from handing it to the server until /api/v1/stats shows its last sample, and until
 *    /metrics does (each polled one request after the other); then the same for pushed items
 *    (POST /api/v1/ingest). Median and p95.
 * 4. Scrapes with live channels (`--parts scrape`, not run by default): the live writer of this
 *    process knows L channels (`--live-channels`, default 10,000); S scrapes (`--scrapes`, default
 *    50) plain and gzip with their samples read at the scrape, and from the refresh's cache alone
 *    on the same store, alternating: p50 and p95 of building the exposition.
 * Prints figures; asserts nothing.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { LiveSink } from '@lacuna/core';
import { Store } from '@lacuna/core';
import { parseTime, formatTime } from '@lacuna/core';
import { switchableStore } from '@lacuna/collector/testing';
import { LiveWriter } from '@lacuna/collector';
import { encodeSeries } from '@lacuna/collector';
import { SeedLinkSource } from '@lacuna/collector';
import { FakeSeedLinkServer, type Identity } from '@lacuna/collector/testing';
import { DEFAULT_LIMITS, MetricsRefresher, startExporter } from '@lacuna/exporter';

function listArg(name: string, fallback: number[]): number[] {
  const at = process.argv.indexOf(`--${name}`);
  if (at < 0) return fallback;
  const values = (process.argv[at + 1] ?? '').split(',').map(Number);
  if (values.some((value) => !Number.isInteger(value) || value <= 0)) {
    console.error(`bench:live: --${name} needs positive whole numbers separated by commas`);
    process.exit(2);
  }
  return values;
}

function numberArg(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  if (at < 0) return fallback;
  const value = Number(process.argv[at + 1]);
  if (!Number.isInteger(value) || value <= 0) {
    console.error(`bench:live: --${name} needs a positive whole number`);
    process.exit(2);
  }
  return value;
}

const T0 = parseTime('2024-05-01T00:00:00Z');
const STATIONS = 100;
const PER_RECORD = 112; // INT32 samples in a 512-byte record

async function seedlinkRun(identity: Identity, packets: number): Promise<{ wallRate: number; busy: number; malformed: number }> {
  const child = spawn(process.execPath, [...process.execArgv, process.argv[1], '--serve-seedlink', identity, '--packets', String(packets)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const [port, total] = await new Promise<number[]>((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', (line) => resolve(line.split(' ').map(Number)));
    child.once('exit', (code) => reject(new Error(`the server child exited (${code})`)));
  });
  const sink: LiveSink = { submit: async () => 'stored', nextBatchId: () => Date.now() * 1000, thresholdsFor: () => null };
  let first = 0;
  let loopAtFirst = performance.eventLoopUtilization();
  let done: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => (done = resolve));
  const source = new SeedLinkSource({
    address: { host: '127.0.0.1', port, stations: [{ network: 'XB', station: '*', selectors: ['HHZ'] }] },
    sink,
    client: { begin: 'oldest', keepaliveMs: 0 },
    log: () => {},
  });
  // Count packets as they arrive, after the source has taken each one.
  const client = source.client as unknown as { options: { onRecord: (record: unknown) => void } };
  const onRecord = client.options.onRecord;
  let received = 0;
  client.options.onRecord = (record) => {
    if (received === 0) {
      first = performance.now();
      loopAtFirst = performance.eventLoopUtilization();
    }
    onRecord(record);
    if (++received === total) done();
  };
  await source.start();
  await finished;
  const seconds = (performance.now() - first) / 1000;
  const busy = performance.eventLoopUtilization(loopAtFirst).utilization;
  const malformed = source.client.stats.malformed;
  await source.stop();
  child.stdin!.end();
  return { wallRate: total / seconds, busy, malformed };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const fmt = (value: number) => Math.round(value).toLocaleString('en-US');

/** Posts `requests` requests of `items` items from `clients` clients one after the other each; new data in every round. */
async function ingestRun(url: string, token: string, requests: number, items: number, clients: number, round: number) {
  const times: number[] = [];
  let next = 0;
  let accepted = 0;
  const deadline = Date.now() + 20_000;
  const started = performance.now();
  const worker = async () => {
    while (next < requests && Date.now() < deadline) {
      const k = next++;
      const minute = T0 + (round * requests + k) * 60e6;
      const body = Array.from({ length: items }, (_, i) => ({
        stream: `bench-${String(i).padStart(3, '0')}/telemetered`,
        start: formatTime(minute),
        end: formatTime(minute + 59e6),
        samples: 60,
      }));
      const t = performance.now();
      const response = await fetch(`${url}/api/v1/ingest`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      const answer = (await response.json()) as { accepted: number };
      times.push(performance.now() - t);
      accepted += answer.accepted;
    }
  };
  await Promise.all(Array.from({ length: clients }, worker));
  const seconds = (performance.now() - started) / 1000;
  times.sort((a, b) => a - b);
  return { requests: times.length, rate: times.length / seconds, itemRate: accepted / seconds, p50: times[Math.floor(times.length * 0.5)], p95: times[Math.floor(times.length * 0.95)] };
}

/** Polls `url` (one request after the other) until `shows` holds for its body; ms from `since`. */
async function visibleAfter(since: number, url: string, headers: Record<string, string>, shows: (body: string) => boolean): Promise<number> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const body = await (await fetch(url, { headers })).text();
    if (shows(body)) return performance.now() - since;
    if (Date.now() > deadline) throw new Error(`not visible after 60 s: ${url}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const percentile = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * p))];

async function visibleRuns(count: number, flushMs: number): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'lacuna-bench-visible-'));
  const store = await Store.open({ kind: 'embedded', target: join(dir, 'store') });
  const writer = await LiveWriter.open(store, { spoolDir: join(dir, 'spool'), log: () => {} });
  const server = await new FakeSeedLinkServer('ringserver').listen(0);
  const source = new SeedLinkSource({ address: { host: '127.0.0.1', port: server.port, stations: [{ network: 'XV', station: 'VIS', selectors: [] }] }, sink: writer, flushMs, log: () => {} });
  const detach = writer.attach(source);
  const metrics = new MetricsRefresher(store, { liveWriter: writer, onError: () => {} }).start();
  const token = 'bench';
  const exporter = await startExporter({ store, limits: DEFAULT_LIMITS, token, ingest: writer, metrics }, { host: '127.0.0.1', port: 0 });
  const auth = { authorization: `Bearer ${token}` };
  const seconds = (us: number) => String(us / 1e6);
  try {
    await source.start();
    await new Promise((resolve) => setTimeout(resolve, 500)); // connected and subscribed
    const first = Math.floor(Date.now() / 1000) * 1e6 - 3_600e6;
    const seedlink = { api: [] as number[], metrics: [] as number[] };
    const push = { api: [] as number[], metrics: [] as number[] };
    for (let k = 0; k < count; k++) {
      await new Promise((resolve) => setTimeout(resolve, Math.random() * flushMs));
      const start = first + k * PER_RECORD * 10_000;
      const lastSample = start + (PER_RECORD - 1) * 10_000;
      const since = performance.now();
      server.add(encodeSeries({ network: 'XV', station: 'VIS', location: '', channel: 'HHZ', start, sampleRate: 100, totalSamples: PER_RECORD }));
      const [api, scraped] = await Promise.all([
        visibleAfter(since, `${exporter.url}/api/v1/stats?channel=XV.VIS`, auth, (body) => body.includes(`"lastSample":${lastSample}`)),
        visibleAfter(since, `${exporter.url}/metrics`, {}, (body) => body.includes(`lacuna_channel_last_sample_timestamp_seconds{network="XV",station="VIS",location="",channel="HHZ",source="${source.source}"} ${seconds(lastSample)}\n`)),
      ]);
      seedlink.api.push(api);
      seedlink.metrics.push(scraped);
    }
    for (let k = 0; k < count; k++) {
      const end = first + k * 60e6 + 59e6;
      const since = performance.now();
      const item = { stream: 'bench-visible/telemetered', start: formatTime(end - 59e6), end: formatTime(end), samples: 60 };
      const posted = fetch(`${exporter.url}/api/v1/ingest`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify(item) });
      const [api, scraped] = await Promise.all([
        visibleAfter(since, `${exporter.url}/api/v1/stats?channel=bench.visible`, auth, (body) => body.includes(`"lastSample":${end}`)),
        visibleAfter(since, `${exporter.url}/metrics`, {}, (body) => body.includes(`lacuna_channel_last_sample_timestamp_seconds{network="bench",station="visible",location="",channel="telemetered",source="push"} ${seconds(end)}\n`)),
        posted,
      ]);
      push.api.push(api);
      push.metrics.push(scraped);
    }
    const line = (what: string, values: number[]) => `${what} median ${percentile(values, 0.5).toFixed(0)} ms, p95 ${percentile(values, 0.95).toFixed(0)} ms`;
    console.log(`  SeedLink packet (flush every ${flushMs} ms): ${line('/api/v1', seedlink.api)}; ${line('/metrics', seedlink.metrics)}`);
    console.log(`  pushed item:                    ${line('/api/v1', push.api)}; ${line('/metrics', push.metrics)}`);
  } finally {
    await source.stop();
    detach();
    await metrics.stop();
    await exporter.close();
    await writer.close();
    await server.stop();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const parts = (process.argv.includes('--parts') ? process.argv[process.argv.indexOf('--parts') + 1] : 'seedlink,ingest,visible').split(',');
  if (parts.includes('seedlink')) await throughput();
  if (parts.includes('ingest')) await ingest();
  if (parts.includes('visible')) {
    const count = numberArg('visible', 40);
    const flushMs = numberArg('flush-ms', 1000);
    console.log(`Packet to visible: ${count} SeedLink packets and ${count} pushed items one at a time, the exporter's /metrics refreshed from the store every 30 s`);
    await visibleRuns(count, flushMs);
  }
  if (parts.includes('scrape')) await scrapeRuns(numberArg('live-channels', 10_000), numberArg('scrapes', 50));
}

/**
 * /metrics scrapes while this process follows `channels` live channels: the exposition as the
 * exporter builds it (MetricsRefresher.scrape, no HTTP), with the live writer (their samples
 * rendered at each scrape) and, on the same store, without it (all from the refresh's cache),
 * alternating so that both see the same load.
 */
async function scrapeRuns(channels: number, scrapes: number): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'lacuna-bench-scrape-'));
  const store = await Store.open({ kind: 'embedded', target: join(dir, 'store') });
  const writer = await LiveWriter.open(store, { spoolDir: join(dir, 'spool'), compactEveryMs: 0, log: () => {} });
  const now = Date.now() * 1000;
  const latest = Array.from({ length: channels }, (_, i) => ({ network: 'XB', station: `S${String(i >> 2).padStart(4, '0')}`, location: '00', channel: `HH${'ZNE1'[i & 3]}`, stream: '', lastSample: now - 3e6, receivedAt: now - 1e6 }));
  await writer.submit({ source: 'seedlink://bench:18000', id: writer.nextBatchId(), createdAt: now, pieces: [], latest, health: { kind: 'seedlink', up: true, received: channels, malformed: 0, reconnects: 0, at: now } });
  const live = new MetricsRefresher(store, { liveWriter: writer, onError: () => {} });
  const cached = new MetricsRefresher(store, { onError: () => {} });
  await Promise.all([live.refreshNow(), cached.refreshNow()]);
  try {
    console.log(`/metrics with ${fmt(channels)} live channels, ${scrapes} scrapes each way (the exposition as the exporter builds it, no HTTP)`);
    for (const gzip of [false, true]) {
      const times = { live: [] as number[], cached: [] as number[] };
      let bytes = 0;
      for (let k = 0; k < scrapes; k++) {
        for (const [name, refresher] of [['live', live], ['cached', cached]] as const) {
          const t = performance.now();
          const body = await refresher.scrape({ gzip });
          times[name].push(performance.now() - t);
          if (name === 'live') bytes = body.length;
        }
      }
      console.log(
        `  ${gzip ? 'gzip ' : 'plain'}: read at the scrape p50 ${percentile(times.live, 0.5).toFixed(1)} ms, p95 ${percentile(times.live, 0.95).toFixed(1)} ms (${(bytes / 1e6).toFixed(2)} MB); ` +
          `all from the refresh p50 ${percentile(times.cached, 0.5).toFixed(1)} ms, p95 ${percentile(times.cached, 0.95).toFixed(1)} ms`,
      );
    }
  } finally {
    await writer.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function throughput(): Promise<void> {
  const packets = numberArg('packets', 300_000);
  const runs = numberArg('runs', 3);
  console.log(`SeedLink: ${fmt(packets)} packets of 512 bytes, 100 stations, server in a child process, client on this core; median of ${runs} runs`);
  for (const identity of ['ringserver', 'seiscomp'] as const) {
    const results = [];
    for (let run = 0; run < runs; run++) results.push(await seedlinkRun(identity, packets));
    console.log(
      `  ${identity === 'ringserver' ? 'v4 (ringserver-like)' : 'v3 (SeisComP-like)  '}  ${fmt(median(results.map((r) => r.wallRate)))} packets/s, ` +
        `its event loop busy ${(100 * median(results.map((r) => r.busy))).toFixed(0)} % of the time` +
        `${results.some((r) => r.malformed > 0) ? ` (${results.map((r) => r.malformed).join('/')} malformed!)` : ''}`,
    );
  }
}

async function ingest(): Promise<void> {
  const requests = numberArg('requests', 2_000);
  const items = numberArg('items', 10);
  const concurrency = listArg('clients', [1, 8, 32]);
  const dir = mkdtempSync(join(tmpdir(), 'lacuna-bench-live-'));
  const real = await Store.open({ kind: 'embedded', target: join(dir, 'store') });
  const { store, setMode } = switchableStore(real);
  const writer = await LiveWriter.open(store, { spoolDir: join(dir, 'spool'), compactEveryMs: 0, retry: { initialMs: 3_600_000, maxMs: 3_600_000 }, log: () => {} });
  const token = 'bench';
  const exporter = await startExporter({ store, limits: DEFAULT_LIMITS, token, ingest: writer }, { host: '127.0.0.1', port: 0 });
  try {
    console.log(`Ingest: POST /api/v1/ingest on loopback, ${items} items a request, ${fmt(requests)} requests per run (at most 20 s)`);
    let round = 0;
    await ingestRun(exporter.url, token, 200, items, 8, round++); // warm-up
    for (const mode of ['up', 'down'] as const) {
      setMode(mode);
      for (const clients of concurrency) {
        const result = await ingestRun(exporter.url, token, requests, items, clients, round++);
        console.log(
          `  ${mode === 'up' ? 'into the embedded store' : 'store away, to the spool'}, ${String(clients).padStart(2)} client${clients === 1 ? ' ' : 's'}  ` +
            `${fmt(result.rate)} requests/s, ${fmt(result.itemRate)} items/s, p50 ${result.p50.toFixed(1)} ms, p95 ${result.p95.toFixed(1)} ms per request`,
        );
      }
    }
  } finally {
    await exporter.close();
    await writer.close();
    await real.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The server side, in a child process: builds the ring, prints its port and packet count, serves until stdin closes. */
async function serveSeedLink(): Promise<void> {
  const identity = process.argv[process.argv.indexOf('--serve-seedlink') + 1] as Identity;
  const packets = numberArg('packets', 300_000);
  const server = new FakeSeedLinkServer(identity);
  const perStation = Math.ceil(packets / STATIONS);
  for (let s = 0; s < STATIONS; s++) {
    server.add(encodeSeries({ network: 'XB', station: `S${String(s).padStart(3, '0')}`, location: '', channel: 'HHZ', start: T0, sampleRate: 100, totalSamples: perStation * PER_RECORD }));
  }
  await server.listen(0);
  process.stdout.write(`${server.port} ${server.ring.length}\n`);
  process.stdin.resume();
  process.stdin.on('end', () => process.exit(0));
}


if (process.argv.includes('--serve-seedlink')) await serveSeedLink();
else await main();
