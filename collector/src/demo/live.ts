import { open, readFile, stat, truncate, utimes } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { floorToDay, makeDirectory, MICROS_PER_DAY, MICROS_PER_SECOND, parseChannelKey, type Micros } from '@lacuna/core';
import { encodeMseed2Record, type RecordSpec } from '../mseed/writer.ts';
import { DEMO_MANIFEST, writeDemoManifest, type DemoLiveChannel, type DemoManifest } from './demo.ts';
import { sdsRelativePath } from './sds.ts';

/*
 * The living demo: after it was written, the archive keeps receiving records as from a
 * digitiser. What the archive holds at a time T is a pure function of the manifest and T (each
 * live record arrives `delay` after its last sample), so an archive extended in many small steps
 * is byte for byte the one extended in a single step, and the planted faults (all before
 * `created`) stay exactly where the manifest says, on any later day.
 */

const DAY = MICROS_PER_DAY;
const SECOND = MICROS_PER_SECOND;

/** The live records of a channel, by index k from 0. */
class LiveFeed {
  readonly delta: Micros;
  readonly recordSpan: Micros;

  constructor(readonly live: DemoLiveChannel) {
    this.delta = SECOND / live.sampleRate;
    this.recordSpan = live.recordSamples * this.delta;
  }

  start(k: number): Micros {
    return this.live.from + k * this.recordSpan;
  }

  lastSample(k: number): Micros {
    return this.start(k) + this.recordSpan - this.delta;
  }

  /** When record k arrives in the archive, to the second (its file's mtime then). */
  arrival(k: number): Micros {
    return Math.ceil((this.lastSample(k) + this.live.delay) / SECOND) * SECOND;
  }

  /** How many records have arrived by `t`. */
  arrivedBy(t: Micros): number {
    const first = this.lastSample(0) + this.live.delay;
    // Arrival is rounded up to the second; records arrived by t are those whose rounded arrival is ≤ t.
    let n = t < first ? 0 : Math.floor((t - first) / this.recordSpan) + 1;
    while (n > 0 && this.arrival(n - 1) > t) n--;
    while (this.arrival(n) <= t) n++;
    return n;
  }

  /** The first record starting on or after `t`. */
  firstFrom(t: Micros): number {
    return Math.max(0, Math.ceil((t - this.live.from) / this.recordSpan));
  }
}

export async function readDemoManifest(dir: string): Promise<DemoManifest> {
  return JSON.parse(await readFile(join(dir, DEMO_MANIFEST), 'utf8')) as DemoManifest;
}

/** Makes a day file hold its history and records [first, end) of the feed; appends what is missing. */
async function settleDayFile(dir: string, feed: LiveFeed, day: Micros, end: number, sequenceBase: number): Promise<void> {
  const { live } = feed;
  const relative = sdsRelativePath(parseChannelKey(live.channel), day);
  const path = join(dir, relative);
  const base = relative === live.firstFile ? live.firstFileBytes : 0;
  const first = feed.firstFrom(day);
  const last = Math.min(end, feed.firstFrom(day + DAY));
  if (last <= first) return;
  const want = base + (last - first) * live.recordLength;
  const size = await stat(path).then((info) => info.size, () => 0);
  if (size === want) return;
  if (size < base) throw new Error(`demo file ${path} is shorter than when the demo was written; remove ${dir} to write a new demo`);
  // Whole records appended so far are kept; anything else after the history is written again.
  const kept = size <= want && (size - base) % live.recordLength === 0 ? (size - base) / live.recordLength : 0;
  if (kept === 0 && size > base) await truncate(path, base);
  await makeDirectory(dirname(path));
  const id = parseChannelKey(live.channel);
  const spec: RecordSpec = { ...id, quality: 'D', start: 0, sampleRate: live.sampleRate, samples: live.recordSamples, byteOrder: live.byteOrder, recordLength: live.recordLength };
  const buffer = Buffer.alloc((last - first - kept) * live.recordLength);
  for (let k = first + kept; k < last; k++) {
    spec.start = feed.start(k);
    spec.sequence = ((sequenceBase + k) % 999_999) + 1;
    encodeMseed2Record(spec, buffer, (k - first - kept) * live.recordLength);
  }
  const handle = await open(path, 'a');
  try {
    await handle.write(buffer);
  } finally {
    await handle.close();
  }
  const mtime = feed.arrival(last - 1) / SECOND;
  await utimes(path, mtime, mtime);
}

/**
 * Brings the demo archive in `dir` to time `now`: appends every live record that has arrived
 * by then to its day file (creating new day files as days pass), and updates the manifest (its
 * `end`, each channel's newest sample and counts). Idempotent, and safe to run again after an
 * interruption: each day file touched since the manifest's `end` is checked against what it
 * should hold. A `now` at or before the manifest's `end` changes nothing.
 */
export async function extendDemoArchive(dir: string, now: Micros): Promise<DemoManifest> {
  const manifest = await readDemoManifest(dir);
  if (manifest.version !== 2) throw new Error(`${join(dir, DEMO_MANIFEST)} is of demo version ${String(manifest.version)}, not 2: remove ${dir} to write a new demo`);
  if (now <= manifest.end) return manifest;
  const infoOf = new Map(manifest.channelInfo.map((info) => [info.channel, info]));
  for (const live of manifest.live) {
    const feed = new LiveFeed(live);
    const before = feed.arrivedBy(manifest.end);
    const after = feed.arrivedBy(now);
    if (after === 0) continue;
    // From the day of the last record appended before (it may be unfinished) to the day of the newest.
    const info = infoOf.get(live.channel)!;
    for (let day = floorToDay(feed.start(Math.max(0, before - 1))); day <= floorToDay(feed.start(after - 1)); day += DAY) {
      await settleDayFile(dir, feed, day, after, live.atCreation.records);
    }
    const liveDays = (floorToDay(feed.start(after - 1)) - floorToDay(live.from)) / DAY + 1;
    info.lastSample = feed.lastSample(after - 1);
    info.lastSampleFileMtime = feed.arrival(after - 1);
    info.records = live.atCreation.records + after;
    info.bytes = live.atCreation.bytes + after * live.recordLength;
    info.files = live.atCreation.files + liveDays - (live.firstFileBytes > 0 ? 1 : 0);
    info.recordLengths = [...new Set([...live.atCreation.recordLengths, live.recordLength])].sort((a, b) => a - b);
  }
  manifest.end = now;
  manifest.deadChannel.silentDays = (floorToDay(now) - floorToDay(manifest.deadChannel.lastSample)) / DAY - 1;
  manifest.lateChannel.lastSample = infoOf.get(manifest.lateChannel.channel)!.lastSample;
  manifest.files = manifest.channelInfo.reduce((n, info) => n + info.files, 0);
  manifest.records = manifest.channelInfo.reduce((n, info) => n + info.records, 0);
  manifest.bytes = manifest.channelInfo.reduce((n, info) => n + info.bytes, 0);
  await writeDemoManifest(dir, manifest);
  return manifest;
}

export interface DemoDigitiser {
  /** Stops appending; resolves when an append under way has finished. */
  stop(): Promise<void>;
}

/**
 * Keeps the demo archive growing in real time: every `intervalMs` (default 5 s) it appends the
 * records that have arrived by `now()`. A failed append is reported and tried again next time.
 */
export function startDemoDigitiser(
  dir: string,
  options: { intervalMs?: number; now?: () => Micros; onError?: (error: unknown) => void } = {},
): DemoDigitiser {
  const now = options.now ?? (() => Date.now() * 1000);
  let running: Promise<unknown> = Promise.resolve();
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    running = extendDemoArchive(dir, now())
      .catch((error: unknown) => options.onError?.(error))
      .finally(() => {
        busy = false;
      });
  }, options.intervalMs ?? 5000);
  timer.unref();
  return {
    stop: async () => {
      clearInterval(timer);
      await running;
    },
  };
}
