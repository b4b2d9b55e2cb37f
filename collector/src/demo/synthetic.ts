import { open, utimes, type FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { makeDirectory, MICROS_PER_DAY, MICROS_PER_SECOND, type ChannelId, type Micros } from '@lacuna/core';
import { encodeMseed2Record, maxSamplesPerRecord, type RecordSpec } from '../mseed/writer.ts';
import { sdsRelativePath } from './sds.ts';

/*
 * Bulk synthetic SDS archives for the scan benchmarks: gigabytes of continuous 100 Hz day files,
 * or many small files for the rescan benchmark. No planted faults (see demo.ts for those).
 */

export interface SyntheticArchiveOptions {
  /** Total size to write, in bytes (rounded down to whole records, at least one per file). */
  bytes: number;
  /**
   * Channels (3 per station: SY.Snnnn.00.HHZ/HHN/HHE). Default: 10; with `files`,
   * ceil(files / filesPerChannel); with only `filesPerChannel`, as many as fill that many days each.
   */
  channels?: number;
  /** miniSEED 2 record length, a power of two 128..65536 (default 512). */
  recordLength?: number;
  /** Samples per second (default 100). */
  sampleRate?: number;
  /**
   * Make exactly this many files (day files: each channel gets consecutive days), each holding
   * an equal share of `bytes` as a run of records from midnight on. For the rescan benchmark.
   */
  files?: number;
  /**
   * Day files per channel. With `files`: how they are spread (default 100). Without: each channel
   * is a continuous series filling this many days (sets the number of channels).
   */
  filesPerChannel?: number;
  /** First sample of every channel (default 2024-01-01T00:00:00Z). */
  start?: Micros;
  /** Bytes written so far, of the total. */
  onProgress?: (done: number, total: number) => void;
}

export interface SyntheticArchiveResult {
  files: number;
  bytes: number;
  records: number;
}

const BATCH = 8 * 1024 * 1024;
const DEFAULT_START = Date.UTC(2024, 0, 1) * 1000;

/** Buffered writing to one file after another: encode into one buffer while the other is written. */
class BatchWriter {
  private readonly bufs: Buffer[];
  private cur = 0;
  private used = 0;
  private fh: FileHandle | null = null;
  private path = '';
  private pending: Promise<unknown> | null = null;
  private readonly folders = new Set<string>();

  constructor(size: number) {
    this.bufs = [Buffer.allocUnsafe(size), Buffer.allocUnsafe(size)];
  }

  /** Closes the current file (setting its mtime) and opens `path` for writing. */
  async openFile(path: string, mtimeOfPrevious: Micros): Promise<void> {
    await this.closeFile(mtimeOfPrevious);
    const folder = dirname(path);
    if (!this.folders.has(folder)) {
      await makeDirectory(folder);
      this.folders.add(folder);
    }
    this.fh = await open(path, 'w');
    this.path = path;
  }

  /** Whether `length` more bytes fit the current buffer (else `flush` first). */
  fits(length: number): boolean {
    return this.used + length <= this.bufs[this.cur].length;
  }

  /** The buffer to encode the next `length` bytes into, and where (call `fits` first). */
  get buffer(): Buffer {
    return this.bufs[this.cur];
  }

  /** Reserves `length` bytes of the current buffer; returns their offset. */
  take(length: number): number {
    const at = this.used;
    this.used += length;
    return at;
  }

  /** Starts writing the filled buffer (waiting for the previous write first) and switches buffers. */
  async flush(): Promise<void> {
    if (this.used === 0) return;
    await this.pending;
    const fh = this.fh!;
    const buf = this.bufs[this.cur];
    const length = this.used;
    this.pending = (async () => {
      let done = 0;
      while (done < length) done += (await fh.write(buf, done, length - done)).bytesWritten;
    })();
    this.cur = 1 - this.cur;
    this.used = 0;
  }

  async closeFile(mtime: Micros): Promise<void> {
    if (!this.fh) return;
    await this.flush();
    await this.pending;
    this.pending = null;
    await this.fh.close();
    this.fh = null;
    const seconds = Math.ceil(mtime / MICROS_PER_SECOND);
    await utimes(this.path, seconds, seconds);
  }
}

function channelOf(c: number): ChannelId {
  return { network: 'SY', station: `S${String(Math.floor(c / 3)).padStart(4, '0')}`, location: '00', channel: ['HHZ', 'HHN', 'HHE'][c % 3] };
}

/** `total` split into `parts` shares differing by at most one, the larger first. */
function share(total: number, parts: number, i: number): number {
  return Math.floor(total / parts) + (i < total % parts ? 1 : 0);
}

/**
 * Writes a large synthetic SDS archive fast: one reused pair of 8 MiB buffers, records encoded in
 * place by the miniSEED writer, big sequential writes. Continuous mode: each channel is one
 * series from `start`, its records in the day file of the day they start in (so they cross
 * midnight). `files` mode: exactly `files` day files, each a short run from midnight.
 * File mtimes are set just after each file's newest sample.
 */
export async function writeSyntheticArchive(dir: string, options: SyntheticArchiveOptions): Promise<SyntheticArchiveResult> {
  const recordLength = options.recordLength ?? 512;
  const sampleRate = options.sampleRate ?? 100;
  const start = options.start ?? DEFAULT_START;
  const capacity = maxSamplesPerRecord(recordLength, 2); // also checks the record length
  const delta = MICROS_PER_SECOND / sampleRate;
  if (!(sampleRate > 0) || !Number.isInteger(delta)) {
    throw new RangeError(`synthetic sample rate must give a whole-µs sample interval, not ${sampleRate}`);
  }
  if (!(options.bytes >= 0) || !Number.isFinite(options.bytes)) throw new RangeError(`bytes must be ≥ 0, not ${options.bytes}`);
  const positive = (name: string, v: number | undefined) => {
    if (v !== undefined && (!Number.isInteger(v) || v < 1)) throw new RangeError(`${name} must be a positive integer, not ${v}`);
  };
  positive('channels', options.channels);
  positive('files', options.files);
  positive('filesPerChannel', options.filesPerChannel);

  const totalRecords = Math.floor(options.bytes / recordLength);
  const recordMicros = capacity * delta;
  const recordsPerDay = Math.floor(MICROS_PER_DAY / recordMicros);
  const writer = new BatchWriter(Math.max(BATCH, 2 * recordLength));
  const spec: RecordSpec = {
    network: 'SY',
    station: '',
    location: '00',
    channel: '',
    quality: 'D',
    start,
    sampleRate,
    samples: capacity,
    recordLength,
  };
  let files = 0;
  let records = 0;
  const onProgress = options.onProgress;

  if (options.files !== undefined) {
    const fileCount = options.files;
    const channels = options.channels ?? Math.ceil(fileCount / (options.filesPerChannel ?? 100));
    // At least one record per file, at most a day's worth.
    const perFileTotal = Math.min(Math.max(totalRecords, fileCount), fileCount * recordsPerDay);
    const total = perFileTotal * recordLength;
    onProgress?.(0, total);
    let f = 0;
    let lastEnd = 0;
    for (let c = 0; c < channels; c++) {
      const id = channelOf(c);
      Object.assign(spec, id);
      let sequence = 1;
      const days = share(fileCount, channels, c);
      for (let d = 0; d < days; d++, f++) {
        const day = start + d * MICROS_PER_DAY;
        await writer.openFile(join(dir, sdsRelativePath(id, day)), lastEnd);
        const n = share(perFileTotal, fileCount, f);
        for (let k = 0; k < n; k++) {
          spec.start = day + k * recordMicros;
          spec.sequence = sequence;
          sequence = (sequence % 999999) + 1;
          if (!writer.fits(recordLength)) await writer.flush();
          encodeMseed2Record(spec, writer.buffer, writer.take(recordLength));
        }
        lastEnd = day + (n * capacity - 1) * delta + MICROS_PER_SECOND;
        records += n;
        files++;
        onProgress?.(records * recordLength, total);
      }
    }
    await writer.closeFile(lastEnd);
    return { files, bytes: records * recordLength, records };
  }

  const channels =
    options.channels ??
    (options.filesPerChannel !== undefined ? Math.max(1, Math.ceil(totalRecords / (options.filesPerChannel * recordsPerDay))) : 10);
  const total = totalRecords * recordLength;
  onProgress?.(0, total);
  let lastEnd = 0;
  let reported = 0;
  for (let c = 0; c < channels; c++) {
    const id = channelOf(c);
    Object.assign(spec, id);
    const n = share(totalRecords, channels, c);
    let day = -1;
    for (let k = 0; k < n; k++) {
      const t = start + k * recordMicros;
      const d = Math.floor((t - start) / MICROS_PER_DAY);
      if (d !== day) {
        await writer.openFile(join(dir, sdsRelativePath(id, start + d * MICROS_PER_DAY)), lastEnd);
        day = d;
        files++;
      }
      spec.start = t;
      spec.sequence = (k % 999999) + 1;
      if (!writer.fits(recordLength)) await writer.flush();
      encodeMseed2Record(spec, writer.buffer, writer.take(recordLength));
      lastEnd = t + (capacity - 1) * delta + MICROS_PER_SECOND;
      records++;
      if (onProgress && records - reported >= 16384) {
        reported = records;
        onProgress(records * recordLength, total);
      }
    }
  }
  await writer.closeFile(lastEnd);
  onProgress?.(records * recordLength, total);
  return { files, bytes: records * recordLength, records };
}
