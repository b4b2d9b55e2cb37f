import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip, gzip as gzipCallback, gzipSync } from 'node:zlib';
import { promisify } from 'node:util';
import client from 'prom-client';
import { collectGarbage, type LiveView, type LiveWriterStatus } from '@lacuna/core';
import type { Micros } from '@lacuna/core';
import type { StationShard, Store } from '@lacuna/core';
import type { ToleranceRule } from '@lacuna/core';
import { channelStatuses, DEFAULT_WINDOWS, type StatusWindow } from '../status.ts';
import { collectorHealth } from './collector-runs.ts';
import { renderStoreMetrics, type MetricsLevel } from './store-metrics.ts';
import { liveMetrics, scrapeTimeSamples, type ScrapeTimeBase } from './live-metrics.ts';

const gzip = promisify(gzipCallback);

/** Buffers compressed as one gzip member, streamed through zlib on libuv's thread pool (scrapes go on meanwhile; no joined copy). */
async function gzipBuffers(buffers: readonly Buffer[]): Promise<Buffer> {
  const compressed: Buffer[] = [];
  await pipeline(Readable.from(buffers), createGzip(), async (source: AsyncIterable<Buffer>) => {
    for await (const piece of source) compressed.push(piece);
  });
  return Buffer.concat(compressed);
}

/** Series in a refresh from which a full collection follows it (core collectGarbage; some 20 ms at 10,000 channels). */
const COLLECT_AFTER_SERIES = 20_000;

export const METRICS_CONTENT_TYPE = client.Registry.PROMETHEUS_CONTENT_TYPE;
export const DEFAULT_REFRESH_INTERVAL_MS = 30_000;

export interface MetricsOptions {
  /** Trailing windows of the availability families (default 1h, 1d, 7d). */
  windows?: readonly StatusWindow[];
  /** How often the values are recomputed from the store (default 30 s). */
  refreshIntervalMs?: number;
  /** A refresh taking longer than this counts as failed (default 4 × the interval, at least 60 s). */
  refreshTimeoutMs?: number;
  /** Which per-stream series to emit (default channel: all). */
  level?: MetricsLevel;
  /** Per-channel join tolerances, as the collector's. */
  tolerance?: readonly ToleranceRule[];
  /** "Now" of a refresh, µs (default the clock; tests pin it). */
  now?: () => Micros;
  /** Where a failed refresh is reported (default console.error, once per failing spell). */
  onError?: (error: unknown) => void;
  /**
   * The live writer of this process, if it has one, read at each scrape rather than from the
   * store: its spool (which fills exactly while the store is away), the newest samples of its live
   * channels and the health of its live sources (a packet shows at the next scrape).
   */
  liveWriter?: LiveView;
  /**
   * Serve one part of the stations (`--metrics-shard I/N`, the collectors' rule): the channel,
   * station and network series of the part's stations; part 0 also carries what is not per
   * station (the collector's health, live sources and pipelines). Network roll-ups of a part cover
   * its stations only: lacuna_network_covered_seconds and _expected_seconds sum across parts.
   */
  shard?: StationShard;
}

export interface RefreshResult {
  ok: boolean;
  error?: unknown;
  /** Wall time of the refresh, s. */
  seconds: number;
  /** Samples computed from the store (kept from before when the refresh failed). */
  series: number;
}

/** One scrape's response body, in parts to be sent one after the other (the cached part is not copied). */
export interface ScrapeBody {
  parts: Buffer[];
  /** Bytes in all parts. */
  length: number;
  contentType: string;
  /** 'gzip' when the body is compressed. */
  encoding?: 'gzip';
}

/**
 * Process metrics (prom-client's defaults) live in one registry per process: they describe the
 * process, and collectDefaultMetrics installs observers that should not be repeated. Named
 * lacuna_exporter_* (e.g. lacuna_exporter_process_cpu_seconds_total) so that every name this
 * exporter serves starts with lacuna_, as the project's Prometheus contract asks (docs/architecture.md), and a collector
 * process exporting its own defaults cannot collide with them.
 */
let processRegistry: client.Registry | undefined;
function processMetrics(): client.Registry {
  if (!processRegistry) {
    processRegistry = new client.Registry();
    client.collectDefaultMetrics({ register: processRegistry, prefix: 'lacuna_exporter_' });
    // Gauges named *_total break the naming rules promtool checks; each is the sum of the
    // per-type gauge without the suffix (lacuna_exporter_nodejs_active_handles{type}), which stays.
    for (const name of ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total']) {
      processRegistry.removeSingleMetric(`lacuna_exporter_${name}`);
    }
  }
  return processRegistry;
}

/** The live writer's gauges, read from it at each scrape. */
function liveWriterGauges(writer: { status(): LiveWriterStatus }, registers: client.Registry[]): void {
  const gauge = (name: string, help: string, value: (status: LiveWriterStatus) => number) =>
    new client.Gauge({
      name,
      help,
      registers,
      collect() {
        this.set(value(writer.status()));
      },
    });
  gauge('lacuna_live_writer_up', '1 when the live writer\'s last write to the store succeeded (live data goes straight to the store), 0 while it spools to disk.', (status) => (status.storeUp ? 1 : 0));
  gauge('lacuna_live_queued_batches', 'Live batches (SeedLink packets, file-drop files, pushed items) waiting in memory to be written.', (status) => status.queued);
  gauge('lacuna_live_spool_files', 'Spool files of live data waiting on disk for the store; they are written to it, in order, once it answers again.', (status) => status.spoolFiles);
  gauge('lacuna_live_spool_bytes', 'Bytes of live data waiting in the spool for the store.', (status) => status.spoolBytes);
  gauge('lacuna_live_dead_letter_batches', 'Live batches the store refused for their content, set aside in the spool\'s dead-letter.ndjson with the reason (never replayed); nonzero until a person looks and removes the file.', (status) => status.deadLetterBatches);
}

/**
 * Computes the metrics from the store on an interval and keeps them: a scrape serves the last
 * computed text and never waits on the store. Before the first refresh completes a scrape has
 * the store-independent metrics and lacuna_store_up 0; a failed refresh keeps the last values and
 * sets lacuna_store_up to 0 until a refresh succeeds again (and so does a store refusing writes).
 *
 * Tests drive it without timers: `refreshNow()` and a pinned `now`.
 */
export class MetricsRefresher {
  readonly options: Required<Omit<MetricsOptions, 'tolerance' | 'onError' | 'liveWriter' | 'shard'>> & Pick<MetricsOptions, 'tolerance' | 'onError' | 'liveWriter' | 'shard'>;
  /** The refresh's text, cut where the scrapes add samples (store-metrics.ts RenderedMetrics), plain (each cut a list of buffers) and compressed. */
  private cached: Buffer[][] = [];
  private compressed: Buffer[] = [];
  private slots: string[] = [];
  private scrapeTime: ScrapeTimeBase | null = null;
  private series = 0;
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<RefreshResult> | null = null;
  private failing = false;
  private readonly registry = new client.Registry();
  private readonly storeUp: client.Gauge;
  private readonly lastRefresh: client.Gauge;
  private readonly refreshDuration: client.Gauge;
  private readonly refreshFailures: client.Counter;
  private readonly seriesGauge: client.Gauge;
  /** The store as this exporter's part of the stations sees it: one view for the process, so that what is kept per store (the one-time rollup check, shared reads) is kept across refreshes. */
  private readonly stationsStore: Store;

  constructor(
    private readonly store: Store,
    options: MetricsOptions = {},
  ) {
    const refreshIntervalMs = options.refreshIntervalMs ?? DEFAULT_REFRESH_INTERVAL_MS;
    if (!(refreshIntervalMs > 0)) throw new Error(`bad metrics refresh interval ${refreshIntervalMs} ms: expected a positive number`);
    this.options = {
      windows: options.windows ?? DEFAULT_WINDOWS,
      refreshIntervalMs,
      refreshTimeoutMs: options.refreshTimeoutMs ?? Math.max(4 * refreshIntervalMs, 60_000),
      level: options.level ?? 'channel',
      tolerance: options.tolerance,
      now: options.now ?? (() => Date.now() * 1000),
      onError: options.onError,
      liveWriter: options.liveWriter,
      shard: options.shard,
    };
    this.stationsStore = options.shard ? store.scopedTo(options.shard) : store;
    const registers = [this.registry];
    this.storeUp = new client.Gauge({
      name: 'lacuna_store_up',
      help: '1 when the last refresh of these metrics read the store and the store took a write, 0 when either failed (the other values are then those of the last successful refresh) or none has completed yet.',
      registers,
    });
    this.lastRefresh = new client.Gauge({
      name: 'lacuna_exporter_last_refresh_timestamp_seconds',
      help: 'When the values computed from the store were last refreshed successfully, Unix seconds. No sample before the first refresh.',
      registers,
    });
    this.refreshDuration = new client.Gauge({
      name: 'lacuna_exporter_refresh_duration_seconds',
      help: 'How long the last refresh of the values computed from the store took, successful or not.',
      registers,
    });
    this.refreshFailures = new client.Counter({
      name: 'lacuna_exporter_refresh_failures_total',
      help: 'Refreshes of the values computed from the store that failed (store unreachable, query error or timeout).',
      registers,
    });
    this.seriesGauge = new client.Gauge({
      name: 'lacuna_exporter_store_series',
      help: 'Number of samples computed from the store in the last successful refresh (the cardinality the metrics level bounds).',
      registers,
    });
    if (options.liveWriter) liveWriterGauges(options.liveWriter, registers);
    this.storeUp.set(0);
    this.seriesGauge.set(0);
    this.lastRefresh.remove({}); // no sample until a refresh succeeds
  }

  /** Refreshes now and then every interval (the timer does not keep the process alive). */
  start(): this {
    if (this.timer) return this;
    void this.refreshNow();
    this.timer = setInterval(() => {
      if (!this.inFlight) void this.refreshNow();
    }, this.options.refreshIntervalMs);
    this.timer.unref();
    return this;
  }

  /** Stops the timer and waits for a refresh under way. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.inFlight;
  }

  /** Recomputes from the store (after any refresh under way); never throws: the result says how it went. */
  async refreshNow(): Promise<RefreshResult> {
    while (this.inFlight) await this.inFlight;
    const run = this.refresh();
    this.inFlight = run;
    try {
      return await run;
    } finally {
      this.inFlight = null;
    }
  }

  private async refresh(): Promise<RefreshResult> {
    const started = performance.now();
    let timeout: NodeJS.Timeout | undefined;
    try {
      const work = this.compute();
      const limit = new Promise<never>((_, reject) => {
        timeout = setTimeout(() => reject(new Error(`metrics refresh took longer than ${this.options.refreshTimeoutMs} ms`)), this.options.refreshTimeoutMs);
      });
      work.catch(() => undefined); // a late failure after a timeout is not unhandled
      const { chunks, slots, series, scrapeTime } = await Promise.race([work, limit]);
      const compressed = await Promise.all(chunks.map(gzipBuffers));
      this.cached = chunks;
      this.compressed = compressed;
      this.slots = slots;
      this.scrapeTime = scrapeTime;
      this.series = series;
      if (series >= COLLECT_AFTER_SERIES) collectGarbage(); // the previous refresh's values are let go now
      const seconds = (performance.now() - started) / 1000;
      // A store that answers reads and refuses writes (read-only, disk full) is not up: ingest would stall.
      this.storeUp.set((await this.store.writeProblem()) === null ? 1 : 0);
      this.lastRefresh.set(Date.now() / 1000);
      this.refreshDuration.set(seconds);
      this.seriesGauge.set(series);
      this.failing = false;
      return { ok: true, seconds, series };
    } catch (error) {
      const seconds = (performance.now() - started) / 1000;
      this.storeUp.set(0);
      this.refreshDuration.set(seconds);
      this.refreshFailures.inc();
      if (!this.failing) {
        const report = this.options.onError ?? ((e: unknown) => console.error(`exporter: metrics refresh failed, serving the last values: ${e instanceof Error ? e.message : String(e)}`));
        report(error);
      }
      this.failing = true;
      return { ok: false, error, seconds, series: this.series };
    } finally {
      clearTimeout(timeout);
    }
  }

  private async compute() {
    const now = this.options.now();
    const { shard } = this.options;
    // Part 0 of a sharded /metrics (or the only part) carries what is not per station.
    const whole = shard === undefined || shard.index === 0;
    const [statuses, collector, live] = await Promise.all([
      channelStatuses(this.stationsStore, { patterns: [], windows: this.options.windows, now, tolerance: this.options.tolerance }),
      whole ? collectorHealth(this.store) : null,
      liveMetrics(this.store, now, this.options.liveWriter),
    ]);
    return renderStoreMetrics(statuses, collector, { level: this.options.level, windows: this.options.windows, live: whole ? live : { ...live, families: [] } });
  }

  /**
   * The exposition: the exporter's own gauges (lacuna_store_up first), the cached values computed
   * from the store with the samples read now (live channels' latency, live sources' health), then
   * the process metrics. With `gzip`, the cached parts are those compressed at refresh time, and
   * the response is a series of gzip members (RFC 1952), which Prometheus and other gzip readers
   * decode as one text.
   */
  async scrape(options: { gzip?: boolean } = {}): Promise<ScrapeBody> {
    const [own, process] = await Promise.all([this.registry.metrics(), processMetrics().metrics()]);
    const now = this.scrapeTime ? scrapeTimeSamples(this.scrapeTime, this.options.liveWriter, this.options.now()) : new Map<string, string>();
    // The samples read now, compressed fast and off the event loop (thousands of live channels make megabytes).
    const added = await Promise.all(this.slots.map((slot) => now.get(slot) ?? '').map((text) => (text === '' ? null : options.gzip ? gzip(text, { level: 1 }) : Buffer.from(text))));
    const parts: Buffer[] = [options.gzip ? gzipSync(own) : Buffer.from(own)];
    this.cached.forEach((chunk, i) => {
      if (options.gzip) parts.push(this.compressed[i]);
      else parts.push(...chunk);
      const samples = added[i];
      if (samples) parts.push(samples);
    });
    parts.push(options.gzip ? gzipSync(process) : Buffer.from(process));
    return { parts, length: parts.reduce((sum, part) => sum + part.length, 0), contentType: METRICS_CONTENT_TYPE, ...(options.gzip ? { encoding: 'gzip' as const } : {}) };
  }

  /** The whole exposition as text (tests, tools). */
  async text(): Promise<string> {
    return Buffer.concat((await this.scrape()).parts).toString('utf8');
  }
}
