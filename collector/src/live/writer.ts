import { channelKey } from '@lacuna/core';
import type { ChannelId, LivePiece, Micros } from '@lacuna/core';
import { batchRows, type BatchOutcome, type LiveBatch, type LiveLatestRow, type LiveSink, type LiveSourceState, type LiveView, type LiveWriterStatus, type StreamThresholds } from '@lacuna/core';
import { compactLiveSegments, isRefusedContent, liveSegmentsSince, storeLiveBatches } from '@lacuna/core';
import { touchDays, type TouchedDays } from '@lacuna/core';
import type { Store } from '@lacuna/core';
import type { ToleranceRule } from '@lacuna/core';
import { thresholdsFor, type ExpectedStreamRule } from './expected-streams.ts';
import { backoffDelayMs, type Backoff } from './backoff.ts';
import { DEAD_LETTER_FILE, Spool } from './spool.ts';

export interface LiveWriterOptions {
  /** The spool directory (e.g. ./data/spool). */
  spoolDir: string;
  /** Batches waiting in memory for the store; more go to the spool (default 16). */
  maxQueuedBatches?: number;
  /** Rows written in one go at most (default 50,000). */
  maxRowsPerWrite?: number;
  /** Waits between attempts while the store is unreachable: exponential from `initialMs` to `maxMs`, with jitter. */
  retry?: Backoff;
  /** How often each source's rows are compacted (default 5 minutes; 0: never). */
  compactEveryMs?: number;
  /** Join tolerances (for compaction and the rollups it refreshes). */
  tolerance?: readonly ToleranceRule[];
  /** Expected-streams rules: thresholds and expected rates of the channels live sources bring. */
  rules?: readonly ExpectedStreamRule[];
  /** Sync every spool append to disk (default true). */
  fsync?: boolean;
  /** Where the writer says what happens to the store (default: stderr). */
  log?: (line: string) => void;
}

/** A live source that knows more than it has submitted yet (a SeedLink source between flushes). */
export interface LiveProvider {
  readonly source: string;
  /** Channel key and newest sample of every channel. */
  latest(): Iterable<[string, LiveLatestRow]>;
  health(): LiveSourceState;
}

interface Pending {
  batch: LiveBatch;
  resolve: (outcome: BatchOutcome) => void;
  reject: (error: unknown) => void;
}

/** Keeps a channel's newest sample (the earliest receipt of it), keyed by channel key. */
function keepNewest(newest: Map<string, LiveLatestRow>, key: string, row: LiveLatestRow): void {
  const known = newest.get(key);
  if (known === undefined || row.lastSample > known.lastSample || (row.lastSample === known.lastSample && row.receivedAt < known.receivedAt)) newest.set(key, row);
}

const message = (error: unknown) => (error instanceof Error ? error.message.split('\n')[0] : String(error));

/**
 * Writes live batches to the store, and to the local spool while the store is unreachable, so
 * that nothing received is lost: `submit` resolves once a batch is stored or synced to the spool.
 * One worker writes, in order of arrival, up to `maxRowsPerWrite` rows of queued batches at a
 * time (group commit: concurrent submissions share inserts). When a write fails, the batches go
 * to the spool and the writer retries with exponential backoff and jitter; once the store
 * answers, the spool is replayed (each batch replaces its own earlier rows, so nothing doubles)
 * before new batches are written directly again. Memory is bounded: at most `maxQueuedBatches`
 * wait in memory, the rest go to disk. Every `compactEveryMs` the rows of the sources written are
 * compacted (core live.ts), only while the spool is empty, so a replay never meets compacted rows.
 *
 * New channels get the thresholds of the expected-streams rules, carried in their batch.
 *
 * It is also the process's view of its live sources now (LiveView, what /metrics reads at each
 * scrape): the newest samples and health of every batch submitted, and of the sources attached,
 * which know their packets before they flush them.
 */
export class LiveWriter implements LiveSink, LiveView {
  readonly options: Required<Omit<LiveWriterOptions, 'tolerance' | 'rules' | 'log'>> & Pick<LiveWriterOptions, 'tolerance' | 'rules' | 'log'>;
  private queue: Pending[] = [];
  private storeUp = true;
  /** A retry is under way while the store is down: the worker runs, new batches still go to the spool. */
  private retrying = false;
  /** The store, though up, fell behind and new batches go to the spool: said once, until the spool is replayed. */
  private behind = false;
  private pumping: Promise<void> | null = null;
  private appending: Promise<void> = Promise.resolve();
  private retryTimer: NodeJS.Timeout | undefined;
  private compactTimer: NodeJS.Timeout | undefined;
  private failures = 0;
  private compactionDue = false;
  /** Per source, the channel-days stored since its last compaction: their rollups follow at the next. */
  private readonly writtenDays = new Map<string, TouchedDays>();
  private closed = false;
  private lastId = 0;
  private readonly written = new Set<string>();
  private readonly channelsSeen = new Set<string>();
  /** Per channel key, the newest sample submitted; per source, its last health. */
  private readonly newest = new Map<string, LiveLatestRow>();
  private readonly healthBySource = new Map<string, LiveSourceState>();
  private readonly providers = new Set<LiveProvider>();

  private constructor(
    private readonly store: Store,
    private readonly spool: Spool,
    options: LiveWriterOptions,
  ) {
    this.options = {
      spoolDir: options.spoolDir,
      maxQueuedBatches: options.maxQueuedBatches ?? 16,
      maxRowsPerWrite: options.maxRowsPerWrite ?? 50_000,
      retry: options.retry ?? { initialMs: 1000, maxMs: 60_000 },
      compactEveryMs: options.compactEveryMs ?? 5 * 60_000,
      fsync: options.fsync ?? true,
      tolerance: options.tolerance,
      rules: options.rules,
      log: options.log,
    };
  }

  /** Opens the spool and replays what a previous run left in it. */
  static async open(store: Store, options: LiveWriterOptions): Promise<LiveWriter> {
    const spool = await Spool.open(options.spoolDir, { fsync: options.fsync });
    const writer = new LiveWriter(store, spool, options);
    if (!spool.isEmpty) {
      const { files, bytes } = spool.stats();
      writer.say(`spool ${options.spoolDir}: ${files} file(s), ${bytes} bytes from an earlier run; writing them to the store`);
      writer.kick();
    }
    if (writer.options.compactEveryMs > 0) {
      writer.compactTimer = setInterval(() => {
        writer.compactionDue = true;
        writer.kick();
      }, writer.options.compactEveryMs);
      writer.compactTimer.unref();
    }
    return writer;
  }

  private say(line: string): void {
    (this.options.log ?? ((text: string) => process.stderr.write(`${text}\n`)))(`live: ${line}`);
  }

  /** A fresh batch id: the time in µs, strictly increasing in this process. */
  nextBatchId(): number {
    this.lastId = Math.max(Date.now() * 1000, this.lastId + 1);
    return this.lastId;
  }

  thresholdsFor(id: ChannelId): StreamThresholds | null {
    return thresholdsFor(this.options.rules ?? [], id);
  }

  status(): LiveWriterStatus {
    const { files, bytes } = this.spool.stats();
    return { storeUp: this.storeUp, queued: this.queue.length, spoolFiles: files, spoolBytes: bytes, deadLetterBatches: this.spool.deadLetterBatches };
  }

  async storedSince(source: string, since: Micros): Promise<LivePiece[]> {
    await this.settle();
    return liveSegmentsSince(this.store, source, since);
  }

  /** A source whose packets /metrics sees before they are flushed; detached when it stops. */
  attach(provider: LiveProvider): () => void {
    this.providers.add(provider);
    return () => {
      this.providers.delete(provider);
      this.healthBySource.set(provider.source, provider.health());
      for (const [key, row] of provider.latest()) keepNewest(this.newest, key, row);
    };
  }

  latest(): ReadonlyMap<string, LiveLatestRow> {
    if (this.providers.size === 0) return this.newest;
    const merged = new Map(this.newest);
    for (const provider of this.providers) for (const [key, row] of provider.latest()) keepNewest(merged, key, row);
    return merged;
  }

  sources(): LiveSourceState[] {
    const result = new Map(this.healthBySource);
    for (const provider of this.providers) result.set(provider.source, provider.health());
    return [...result.values()];
  }

  /** Resolves once the batch is stored ('stored', or 'duplicate' for a pushed batch stored before) or spooled. */
  submit(batch: LiveBatch): Promise<BatchOutcome> {
    if (this.closed) return Promise.reject(new Error('live writer closed'));
    this.addThresholds(batch);
    this.written.add(batch.source);
    for (const latest of batch.latest) keepNewest(this.newest, channelKey(latest), { ...latest, source: batch.source });
    if (batch.health) this.healthBySource.set(batch.source, { ...batch.health, source: batch.source });
    if (!this.storeUp || !this.spool.isEmpty || this.queue.length >= this.options.maxQueuedBatches) {
      // Said once, when the spool begins (it ends with "spool replayed"): a store that is up but behind.
      if (this.storeUp && !this.behind) {
        this.behind = true;
        this.say(`the store is behind (${this.queue.length} batches waiting to be written): live data goes to the spool ${this.spool.dir} until it catches up`);
      }
      return this.toSpool([batch]).then(() => {
        if (this.storeUp) this.kick();
        return 'spooled' as const;
      });
    }
    return new Promise((resolve, reject) => {
      this.queue.push({ batch, resolve, reject });
      this.kick();
    });
  }

  private addThresholds(batch: LiveBatch): void {
    const rules = this.options.rules ?? [];
    if (rules.length === 0) return;
    const fresh: StreamThresholds[] = [];
    for (const id of [...batch.pieces, ...batch.latest]) {
      const key = channelKey(id);
      if (this.channelsSeen.has(key)) continue;
      this.channelsSeen.add(key);
      const thresholds = thresholdsFor(rules, id);
      if (thresholds !== null) fresh.push(thresholds);
    }
    if (fresh.length > 0) batch.thresholds = [...(batch.thresholds ?? []), ...fresh];
  }

  /** Appends to the spool, one append at a time. */
  private toSpool(batches: LiveBatch[]): Promise<void> {
    const appended = this.appending.then(() => this.spool.append(batches));
    this.appending = appended.catch(() => undefined);
    return appended;
  }

  /** Starts the worker unless it runs. */
  private kick(): void {
    if (this.pumping) return;
    this.pumping = this.pump().finally(() => {
      this.pumping = null;
      // Work that came while it was finishing.
      if ((this.storeUp || this.retrying) && (this.queue.length > 0 || (!this.spool.isEmpty && !this.closed))) this.kick();
    });
  }

  private async pump(): Promise<void> {
    while (this.storeUp || this.retrying) {
      if (this.queue.length > 0) {
        await this.writeQueued();
      } else if (!this.spool.isEmpty && !this.closed) {
        await this.replayOldest();
      } else if (this.compactionDue && !this.closed) {
        this.compactionDue = false;
        await this.compact();
      } else {
        // A retry found nothing to write: nothing says the store is still away.
        if (this.retrying) this.storeIsUp();
        return;
      }
    }
  }

  private takeGroup(): Pending[] {
    return this.queue.splice(0, this.fittingOneWrite(this.queue.map((pending) => pending.batch)));
  }

  /** How many of the leading batches one write takes: at least one, then as long as their rows stay within maxRowsPerWrite. */
  private fittingOneWrite(batches: readonly LiveBatch[]): number {
    let rows = 0;
    let count = 0;
    while (count < batches.length && (count === 0 || rows + batchRows(batches[count]) <= this.options.maxRowsPerWrite)) {
      rows += batchRows(batches[count]);
      count++;
    }
    return count;
  }

  private async writeQueued(): Promise<void> {
    const group = this.takeGroup();
    try {
      const outcomes = await storeLiveBatches(
        this.store,
        group.map((pending) => pending.batch),
        { rewrite: false, tolerance: this.options.tolerance },
      );
      this.storeIsUp();
      this.noteWritten(group.map((pending) => pending.batch));
      group.forEach((pending, i) => pending.resolve(outcomes[i]));
    } catch (error) {
      // Unknown how far the write got: the spool replay replaces whatever reached the store. A
      // store that refused the content is not down: the replay sets the refused batch aside.
      const waiting = [...group, ...this.queue.splice(0)];
      if (!isRefusedContent(error)) this.storeIsDown(error);
      try {
        await this.toSpool(waiting.map((pending) => pending.batch));
        for (const pending of waiting) pending.resolve('spooled');
      } catch (spoolError) {
        for (const pending of waiting) pending.reject(new Error(`store unreachable (${message(error)}) and spool unwritable (${message(spoolError)})`));
      }
    }
  }

  private async replayOldest(): Promise<void> {
    try {
      await this.appending;
      const oldest = await this.spool.oldest();
      if (oldest === null) return;
      const { batches, bad } = oldest.content;
      for (const batch of batches) this.written.add(batch.source);
      for (const problem of bad) this.say(`spool ${this.spool.dir}/${oldest.name} line ${problem.line} is not a batch and is kept aside: ${problem.reason}`);
      for (let i = 0; i < batches.length; ) {
        const count = this.fittingOneWrite(batches.slice(i));
        const group = batches.slice(i, i + count);
        i += count;
        await this.replayGroup(group, oldest.name);
      }
      await this.spool.done(oldest.name, bad.length > 0);
      this.storeIsUp();
      if (this.spool.isEmpty) {
        this.behind = false;
        this.say('spool replayed: everything received while the store was away is stored');
      }
    } catch (error) {
      this.storeIsDown(error);
    }
  }

  /**
   * Writes a group of spooled batches; when the store refuses the group for its content, each
   * batch alone, and a batch it still refuses goes to the dead-letter file with the reason, so that
   * the batches behind it are stored (a store that is away fails the replay, which is retried).
   */
  private async replayGroup(group: LiveBatch[], file: string): Promise<void> {
    const write = async (batches: LiveBatch[]) => {
      await storeLiveBatches(this.store, batches, { rewrite: true, tolerance: this.options.tolerance });
      this.noteWritten(batches);
    };
    try {
      await write(group);
      return;
    } catch (error) {
      if (!isRefusedContent(error)) throw error;
    }
    for (const batch of group) {
      try {
        await write([batch]);
      } catch (error) {
        if (!isRefusedContent(error)) throw error;
        const reason = message(error).split('\n')[0];
        await this.spool.setAside(batch, reason);
        this.say(`spool ${this.spool.dir}/${file}: batch ${batch.id} of ${batch.source} refused by the store for its content and set aside in ${this.spool.dir}/${DEAD_LETTER_FILE}: ${reason}`);
      }
    }
  }

  private noteWritten(batches: readonly LiveBatch[]): void {
    for (const batch of batches) {
      let days = this.writtenDays.get(batch.source);
      if (days === undefined) this.writtenDays.set(batch.source, (days = new Map()));
      for (const piece of batch.pieces) touchDays(days, piece, piece.start, piece.end);
    }
  }

  private async compact(): Promise<void> {
    for (const source of this.written) {
      try {
        const written = this.writtenDays.get(source);
        const result = await compactLiveSegments(this.store, source, this.nextBatchId(), { tolerance: this.options.tolerance, written });
        this.writtenDays.delete(source); // writes wait while the pump compacts: nothing was added meanwhile
        if (result.days > 0) this.storeIsUp();
      } catch (error) {
        this.storeIsDown(error);
        return;
      }
    }
  }

  private storeIsUp(): void {
    if (!this.storeUp || this.failures > 0) this.say('store reachable again');
    this.storeUp = true;
    this.retrying = false;
    this.failures = 0;
  }

  private storeIsDown(error: unknown): void {
    if (this.storeUp) this.say(`store unreachable, live data goes to the spool ${this.spool.dir}: ${message(error)}`);
    this.storeUp = false;
    this.retrying = false;
    this.failures++;
    if (this.closed) return;
    const wait = backoffDelayMs(this.failures - 1, this.options.retry);
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      this.retrying = true;
      this.kick();
    }, wait);
    this.retryTimer.unref();
  }

  /**
   * Waits until the writer is idle: everything submitted so far is stored, or in the spool when
   * the store is unreachable.
   */
  async settle(): Promise<void> {
    await this.appending;
    while (this.pumping) await this.pumping;
  }

  /** Compacts the rows of the sources written, now (after what is queued and spooled). */
  async compactNow(): Promise<void> {
    this.compactionDue = true;
    this.kick();
    await this.settle();
  }

  /** Stops: what is queued is written (or spooled), the spool is closed. Spooled batches wait for the next run. */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.compactTimer);
    clearTimeout(this.retryTimer);
    if (this.queue.length > 0) this.kick();
    await this.settle();
    if (this.queue.length > 0) {
      const waiting = this.queue.splice(0);
      await this.toSpool(waiting.map((pending) => pending.batch));
      for (const pending of waiting) pending.resolve('spooled');
    }
    await this.appending;
    await this.spool.close();
  }
}
