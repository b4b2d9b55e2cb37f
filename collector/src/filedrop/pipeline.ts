import { stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { watch, type FSWatcher } from 'chokidar';
import { LiveAccumulator } from '@lacuna/core';
import type { BacklogSample, LiveSink } from '@lacuna/core';
import { streamChannel } from '@lacuna/core';
import { isStuck, pointsNeeded, type BacklogPoint, type StuckRule } from '@lacuna/core';
import { MICROS_PER_SECOND, type ChannelId, type Micros } from '@lacuna/core';
import { formatTime } from '@lacuna/core';
import { readFileName } from './filename.ts';

export const DEFAULT_STAGES = ['incoming', 'processing', 'done'];
export const DEFAULT_STUCK: StuckRule = { samples: 5, spanUs: 10 * 60 * MICROS_PER_SECOND };

export interface PipelineConfig {
  /** The folder holding one subfolder per stage. */
  root: string;
  /** Stage subfolders in processing order (default incoming, processing, done). */
  stages?: string[];
  /** Stream id of files whose name gives none (default: the root folder's name). */
  stream?: string;
  /** File names: stream id and data time (filename.ts); without it, the stream is `stream` and the data time the modification time. */
  pattern?: RegExp;
  /** Expected interval between two files of a stream, µs. */
  intervalUs: Micros;
  /** When a backlog counts as stuck (default 5 samples spanning 10 minutes). */
  stuck?: StuckRule;
  /** How often the backlog is sampled and arrivals handed to the sink (default 10 s). */
  sampleEveryMs?: number;
}

interface WaitingFile {
  stream: string;
  mtime: Micros;
}

/** At most this many file names are remembered as arrived (a file moving on is not a new arrival). */
const ARRIVALS_REMEMBERED = 100_000;
/** Backlog points kept per stage and stream at most, whatever the stuck rule needs. */
const HISTORY_CAP = 10_000;

/**
 * A file-drop pipeline as a live source (`filedrop:ROOT`): files dropped into its first stage and
 * moved from stage to stage. Each stream's files become samples at the expected interval (a file
 * = one sample at its data time, from the name or the modification time), so that missing files
 * are gaps in the stream's segments and the arrival latency (modification time − data time) is its
 * data latency; every stage but the last (where files end) is a backlog, sampled per stream and in
 * all, and stuck when it has not fallen over the stuck rule's window (docs/definitions.md).
 */
export class FileDropPipeline {
  readonly source: string;
  readonly root: string;
  readonly stages: string[];
  readonly defaultStream: string;
  private readonly accumulator = new LiveAccumulator();
  private readonly waiting: Map<string, WaitingFile>[];
  private readonly arrived = new Set<string>();
  private readonly history = new Map<string, BacklogPoint[]>();
  private readonly stuckNow = new Set<string>();
  private readonly streams = new Set<string>();
  private watcher: FSWatcher | null = null;
  private timer: NodeJS.Timeout | undefined;
  private ready = false;
  private files = 0;
  private unreadable = 0;
  private sampling: Promise<void> = Promise.resolve();

  constructor(
    readonly config: PipelineConfig,
    private readonly sink: LiveSink,
    private readonly log: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
  ) {
    this.root = resolve(config.root);
    this.source = `filedrop:${this.root}`;
    this.stages = config.stages ?? DEFAULT_STAGES;
    if (this.stages.length === 0) throw new Error(`file-drop pipeline ${this.root}: no stages`);
    if (!(config.intervalUs > 0)) throw new Error(`file-drop pipeline ${this.root}: the expected interval between files must be above 0`);
    this.defaultStream = config.stream ?? basename(this.root);
    try {
      streamChannel(this.defaultStream);
    } catch (error) {
      throw new Error(`file-drop pipeline ${this.root}: ${(error as Error).message}; give the stream id of its files`);
    }
    this.waiting = this.stages.map(() => new Map());
  }

  /** Stages whose files wait for something: all but the last, or the only one. */
  private get backlogStages(): number[] {
    return this.stages.length === 1 ? [0] : this.stages.slice(0, -1).map((_, i) => i);
  }

  /** Starts watching (the stages where files end are not watched: they only grow). */
  async start(): Promise<void> {
    const folders = this.backlogStages.map((i) => join(this.root, this.stages[i]));
    this.watcher = watch(folders, { depth: 0, ignoreInitial: false, alwaysStat: true });
    this.watcher.on('add', (path, stats) => void this.added(path, stats?.mtimeMs));
    this.watcher.on('unlink', (path) => this.removed(path));
    this.watcher.on('error', (error) => this.log(`${this.source}: ${(error as Error).message}`));
    await new Promise<void>((done) => this.watcher!.once('ready', () => done()));
    this.ready = true;
    const every = this.config.sampleEveryMs ?? 10_000;
    this.timer = setInterval(() => void this.sample(), every);
    this.timer.unref();
    this.log(`watching ${this.source}: stages ${this.stages.join(' → ')}, a file per stream every ${this.config.intervalUs / MICROS_PER_SECOND} s expected`);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.watcher?.close();
    this.ready = false;
    await this.sample();
  }

  private stageOf(path: string): number {
    const folder = dirname(path);
    return this.stages.findIndex((stage) => join(this.root, stage) === folder);
  }

  /** Files waiting in each watched stage now, for tests and logs. */
  backlog(): number[] {
    return this.waiting.map((files) => files.size);
  }

  private async added(path: string, mtimeMs: number | undefined): Promise<void> {
    const stage = this.stageOf(path);
    if (stage < 0) return;
    const name = basename(path);
    const mtime = Math.round((mtimeMs ?? (await stat(path).catch(() => null))?.mtimeMs ?? Date.now()) * 1000);
    let stream = this.defaultStream;
    let dataTime = mtime;
    try {
      const read = this.config.pattern ? readFileName(name, this.config.pattern) : null;
      if (this.config.pattern && read === null) throw new Error(`file ${name} does not match the file-name pattern ${this.config.pattern.source}`);
      if (read?.stream) {
        streamChannel(read.stream);
        stream = read.stream;
      }
      if (read?.time !== null && read?.time !== undefined) dataTime = read.time;
    } catch (error) {
      this.unreadable++;
      this.log(`${this.source}: ${(error as Error).message}; counted under stream ${this.defaultStream} at its modification time`);
    }
    this.waiting[stage].set(path, { stream, mtime });
    this.streams.add(stream);
    const arrival = `${stream}\u0000${name}`;
    if (this.arrived.has(arrival)) return;
    if (this.arrived.size >= ARRIVALS_REMEMBERED) this.arrived.delete(this.arrived.values().next().value!);
    this.arrived.add(arrival);
    this.files++;
    const id: ChannelId = streamChannel(stream);
    this.accumulator.add(id, dataTime, 1, MICROS_PER_SECOND / this.config.intervalUs, 'D', mtime, undefined, stream);
  }

  private removed(path: string): void {
    const stage = this.stageOf(path);
    if (stage >= 0) this.waiting[stage].delete(path);
  }

  /**
   * Samples every backlog stage (per stream, and `''` for the whole stage) at `at` (default now),
   * updates stuck states, and hands arrivals and samples to the sink.
   */
  sample(at: Micros = Date.now() * 1000): Promise<void> {
    this.sampling = this.sampling.then(() => this.sampleOnce(at));
    return this.sampling;
  }

  private async sampleOnce(at: Micros): Promise<void> {
    const rule = this.config.stuck ?? DEFAULT_STUCK;
    const samples: BacklogSample[] = [];
    for (const i of this.backlogStages) {
      const stage = this.stages[i];
      const perStream = new Map<string, { files: number; oldest: Micros | null }>([['', { files: 0, oldest: null }]]);
      for (const stream of this.streams) perStream.set(stream, { files: 0, oldest: null });
      for (const file of this.waiting[i].values()) {
        for (const key of ['', file.stream]) {
          const count = perStream.get(key)!;
          count.files++;
          count.oldest = count.oldest === null ? file.mtime : Math.min(count.oldest, file.mtime);
        }
      }
      for (const [stream, count] of perStream) {
        const key = `${stage}\u0000${stream}`;
        const history = this.history.get(key) ?? [];
        history.push({ at, files: count.files });
        history.splice(0, Math.max(0, history.length - Math.min(HISTORY_CAP, pointsNeeded(history, rule) + 1)));
        this.history.set(key, history);
        const stuck = isStuck(history, rule);
        const what = `${this.source} stage ${stage}${stream ? ` stream ${stream}` : ''}`;
        if (stuck && !this.stuckNow.has(key)) this.log(`${what} is stuck: ${count.files} files waiting, not fewer for ${(at - history[0].at) / MICROS_PER_SECOND} s; oldest from ${formatTime(count.oldest!)}`);
        if (!stuck && this.stuckNow.has(key)) this.log(`${what} moves again: ${count.files} files waiting`);
        if (stuck) this.stuckNow.add(key);
        else this.stuckNow.delete(key);
        samples.push({ pipeline: this.root, stage, stream, files: count.files, oldest: count.oldest, stuck, at });
      }
    }
    const { pieces, latest } = this.accumulator.drain();
    try {
      await this.sink.submit({
        source: this.source,
        id: this.sink.nextBatchId(),
        createdAt: at,
        pieces,
        latest,
        backlog: samples,
        health: { kind: 'filedrop', up: this.ready, received: this.files, malformed: this.unreadable, reconnects: 0, at },
      });
    } catch (error) {
      this.log(`${this.source}: a batch could be neither stored nor spooled, ${pieces.length} arrivals lost: ${(error as Error).message}`);
    }
  }

  /** Whether a stage (and stream, '' = all) is stuck at the last sample. */
  isStuck(stage: string, stream = ''): boolean {
    return this.stuckNow.has(`${stage}\u0000${stream}`);
  }
}
