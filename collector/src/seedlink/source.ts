import { readFile, rename, writeFile } from 'node:fs/promises';
import { LiveAccumulator } from '@lacuna/core';
import type { LiveLatestRow, LiveSink, LiveSourceState } from '@lacuna/core';
import type { ToleranceRule } from '@lacuna/core';
import { formatTime, type Micros } from '@lacuna/core';
import { SeedLinkClient, type SeedLinkClientOptions, type SeedLinkRecord } from './client.ts';
import type { SeedLinkInfo } from './info.ts';
import type { SeedLinkAddress } from './protocol.ts';

export interface SeedLinkSourceOptions {
  address: SeedLinkAddress;
  sink: LiveSink;
  /** How often the records received are handed to the sink as a batch (default 5 s). */
  flushMs?: number;
  /** Pieces that force an early flush; while that batch is being taken, reading pauses (default 20,000). */
  maxPieces?: number;
  tolerance?: readonly ToleranceRule[];
  /** Connection settings of the client (protocol, keepalive, idle timeout, backoff). */
  client?: Pick<SeedLinkClientOptions, 'protocol' | 'keepaliveMs' | 'idleTimeoutMs' | 'handshakeTimeoutMs' | 'backoff' | 'begin' | 'clock'>;
  /**
   * Where the last sequence of each station is kept once the records up to it are handed over,
   * so that a restart of the process resumes where it stopped (libslink's state file).
   */
  stateFile?: string;
  log?: (line: string) => void;
}

/** Messages about malformed input: the first ones in full, then one in this many. */
const MALFORMED_REPORT_EVERY = 1000;
const MALFORMED_REPORTED_IN_FULL = 10;
/**
 * The store gets the source's health this often at most, and at once when it connects or goes
 * down (a flush a second would add a health row a second; the process's own /metrics reads the
 * health live, an exporter elsewhere from the store, where older than 2 minutes means down).
 */
const HEALTH_EVERY_MS = 15_000;

/**
 * A SeedLink server as a live source: records become segment pieces and newest samples (per
 * packet: Ta = the packet's receipt time), handed to the sink every `flushMs` as one batch under
 * the source name `seedlink://HOST:PORT`, with the connection's health.
 */
export class SeedLinkSource {
  readonly source: string;
  readonly client: SeedLinkClient;
  private readonly accumulator: LiveAccumulator;
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | null = null;
  private nextFlush: Promise<void> | null = null;
  private readonly log: (line: string) => void;
  private lastUp: boolean | null = null;
  private lastHealthAt = 0;

  constructor(private readonly options: SeedLinkSourceOptions) {
    const { host, port } = options.address;
    this.source = `seedlink://${host.includes(':') ? `[${host}]` : host}:${port}`;
    this.accumulator = new LiveAccumulator({ tolerance: options.tolerance });
    const log = (this.log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`)));
    this.client = new SeedLinkClient({
      ...options.client,
      address: options.address,
      onRecord: (record) => this.record(record),
      onMalformed: (why) => {
        const count = this.client.stats.malformed;
        if (count <= MALFORMED_REPORTED_IN_FULL || count % MALFORMED_REPORT_EVERY === 0) log(`${why}${count > MALFORMED_REPORTED_IN_FULL ? ` (${count} so far)` : ''}`);
      },
      onInfo: (info) => log(describeInfo(this.source, info)),
      onResumeFailure: log,
      onStatus: (_connected, message) => log(message),
    });
  }

  /** Starts the client, resuming from the state file when there is one. */
  async start(): Promise<void> {
    if (this.options.stateFile) {
      try {
        const saved = JSON.parse(await readFile(this.options.stateFile, 'utf8')) as Record<string, string | { sequence: string; time: Micros | null }>;
        // Earlier state files hold a sequence alone.
        for (const [station, point] of Object.entries(saved)) {
          this.client.resumePoints.set(station, typeof point === 'string' ? { sequence: BigInt(point), time: null } : { sequence: BigInt(point.sequence), time: point.time });
        }
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') this.log(`${this.source}: state file ${this.options.stateFile} not used (${(error as Error).message}); starting afresh`);
      }
    }
    await this.markStored();
    this.client.start();
    this.timer = setInterval(() => void this.flush(), this.options.flushMs ?? 5000);
    this.timer.unref();
  }

  /**
   * After a restart the state file may be behind the store (a crash after a write, before the
   * file was replaced): the server then sends again what is stored. What the store holds from the
   * oldest resume time on is marked, so those packets are dropped as repeats.
   */
  private async markStored(): Promise<void> {
    const oldest = [...this.client.resumePoints.values()].reduce<Micros | null>((min, point) => (point.time !== null && (min === null || point.time < min) ? point.time : min), null);
    if (oldest === null || !this.options.sink.storedSince) return;
    try {
      this.accumulator.markStored(await this.options.sink.storedSince(this.source, oldest));
    } catch (error) {
      this.log(`${this.source}: cannot read what is stored (${(error as Error).message}); packets the server sends again may be stored twice`);
    }
  }

  /** Stops the client and hands over what was received. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.client.stop();
    await this.flush();
  }

  private record(record: SeedLinkRecord): void {
    const h = record.header;
    this.accumulator.add(h, h.start, h.samples, h.sampleRate, h.quality, record.receivedAt);
    if (this.accumulator.pieceCount >= (this.options.maxPieces ?? 20_000)) {
      // Full while the batch before is still being taken: stop reading until it is.
      if (this.flushing) this.client.pause();
      void this.flush();
    }
  }

  /** The connection's health now. */
  health(): LiveSourceState {
    const stats = this.client.stats;
    return { source: this.source, kind: 'seedlink', up: stats.connected, received: stats.packets, malformed: stats.malformed, reconnects: stats.reconnects, resumeFailures: stats.resumeFailures, at: Date.now() * 1000 };
  }

  /** Every channel's newest sample received, flushed or not, by channel key. */
  *latest(): Generator<[string, LiveLatestRow]> {
    for (const [key, row] of this.accumulator.newest()) yield [key, { ...row, source: this.source }];
  }

  /**
   * Hands everything received so far to the sink. One flush runs at a time; a call while one runs
   * waits for it and then flushes what came since (calls meanwhile share that second flush).
   */
  flush(): Promise<void> {
    if (this.nextFlush) return this.nextFlush;
    if (this.flushing) {
      this.nextFlush = this.flushing.then(() => {
        this.nextFlush = null;
        return this.flush();
      });
      return this.nextFlush;
    }
    this.flushing = this.flushOnce().finally(() => {
      this.flushing = null;
      this.client.resume();
    });
    return this.flushing;
  }

  private async flushOnce(): Promise<void> {
    const { pieces, latest } = this.accumulator.drain();
    // Where the stations of what was just drained resume: saved once it is stored or spooled.
    const resumePoints = Object.fromEntries([...this.client.resumePoints].map(([station, point]) => [station, { sequence: point.sequence.toString(), time: point.time }]));
    const { source: _, ...health } = this.health();
    const healthDue = health.up !== this.lastUp || Date.now() - this.lastHealthAt >= HEALTH_EVERY_MS;
    if (pieces.length === 0 && latest.length === 0 && !healthDue) return;
    if (healthDue) {
      this.lastUp = health.up;
      this.lastHealthAt = Date.now();
    }
    try {
      await this.options.sink.submit({ source: this.source, id: this.options.sink.nextBatchId(), createdAt: health.at, pieces, latest, ...(healthDue ? { health } : {}) });
    } catch (error) {
      this.log(`${this.source}: a batch could be neither stored nor spooled, ${pieces.length} pieces lost: ${(error as Error).message}`);
      return;
    }
    if (this.options.stateFile) await this.saveState(resumePoints);
  }

  /** Replaces the state file whole (a new file renamed over it): a crash leaves the old or the new one. */
  private async saveState(resumePoints: Record<string, { sequence: string; time: Micros | null }>): Promise<void> {
    const file = this.options.stateFile!;
    try {
      await writeFile(`${file}.new`, JSON.stringify(resumePoints));
      await rename(`${file}.new`, file);
    } catch (error) {
      this.log(`${this.source}: cannot save the state file ${file}: ${(error as Error).message}`);
    }
  }
}

/** One line on what a server holds: stations, streams and the newest data it has. */
export function describeInfo(source: string, info: SeedLinkInfo): string {
  const streams = info.stations.flatMap((station) => station.streams);
  const newest = streams.reduce<number | null>((max, stream) => (stream.end !== null && (max === null || stream.end > max) ? stream.end : max), null);
  return `${source} (${info.software}) lists ${info.stations.length} station${info.stations.length === 1 ? '' : 's'} and ${streams.length} stream${streams.length === 1 ? '' : 's'}${newest === null ? '' : `, newest data ${formatTime(newest)}`}`;
}
