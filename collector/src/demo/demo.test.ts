import { readdir, readFile, rm, stat } from 'node:fs/promises';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { channelKey } from '@lacuna/core';
import { MICROS_PER_DAY, MICROS_PER_HOUR, MICROS_PER_SECOND, type Micros, type Segment } from '@lacuna/core';
import { findGaps, recordSegment } from '@lacuna/core';
import { floorToDay, utcFields } from '@lacuna/core';
import { loadChannelMetadata } from '../metadata/index.ts';
import { scanMseedFile } from '../mseed/reader.ts';
import { writeDemoArchive, type DemoManifest } from './demo.ts';

interface Rec {
  file: string;
  offset: number;
  start: Micros;
  end: Micros;
  samples: number;
  sampleRate: number;
  recordLength: number;
}

const SDS = /^(\d{4})\/([A-Z0-9]{1,2})\/([A-Z0-9]{1,5})\/([A-Z0-9]{3})\.D\/\2\.\3\.([A-Z0-9]{0,2})\.\4\.D\.\1\.(\d{3})$/;
const END = Date.UTC(2025, 1, 27, 9, 41, 23) * 1000; // 2025-02-27T09:41:23Z
const DAYS = 4;

async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) out.push(relative(dir, join(entry.parentPath, entry.name)).split(sep).join('/'));
  }
  return out.sort();
}

describe('writeDemoArchive', () => {
  let dir: string;
  let manifest: DemoManifest;
  const progress: [number, number][] = [];
  /** Records by channel key, and the data files with their mtimes. */
  const records = new Map<string, Rec[]>();
  const byFile = new Map<string, Rec[]>();
  const mtimes = new Map<string, Micros>();
  let dataFiles: string[];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lacuna-demo-'));
    manifest = await writeDemoArchive(dir, { days: DAYS, end: END, seed: 42, onProgress: (d, t) => progress.push([d, t]) });
    const all = await listFiles(dir);
    dataFiles = all.filter((f) => f !== 'metadata.csv' && f !== 'demo-manifest.json');
    for (const file of dataFiles) {
      const st = await stat(join(dir, file), { bigint: true });
      mtimes.set(file, Number(st.mtimeNs / 1000n));
      const result = await scanMseedFile(join(dir, file), (h) => {
        const key = channelKey(h);
        let list = records.get(key);
        if (!list) records.set(key, (list = []));
        const seg = recordSegment(h.start, h.samples, h.sampleRate, h.quality);
        const rec = { file, offset: h.offset, start: h.start, end: seg.end, samples: h.samples, sampleRate: h.sampleRate, recordLength: h.recordLength };
        list.push(rec);
        if (!byFile.has(file)) byFile.set(file, []);
        byFile.get(file)!.push(rec);
      });
      expect(result.error, file).toBeNull();
    }
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const segmentsOf = (key: string, filter: (r: Rec) => boolean = () => true): Segment[] =>
    (records.get(key) ?? []).filter(filter).map((r) => recordSegment(r.start, r.samples, r.sampleRate, 'D'));
  const lastSampleOf = (key: string) => Math.max(...records.get(key)!.map((r) => r.end));
  const firstSampleOf = (key: string) => Math.min(...records.get(key)!.map((r) => r.start));

  it('writes SDS day files whose names match their records', () => {
    expect(dataFiles.length).toBe(manifest.files);
    for (const file of dataFiles) {
      const m = SDS.exec(file);
      expect(m, file).not.toBeNull();
      const [, year, net, sta, cha, loc, day] = m!;
      const recs = byFile.get(file) ?? [];
      expect(recs.length, file).toBeGreaterThan(0);
      for (const r of recs) {
        // Every record starts in the file's day (it may end after midnight).
        const f = utcFields(r.start);
        expect([f.year, f.dayOfYear], file).toEqual([Number(year), Number(day)]);
      }
      expect(records.has(`${net}.${sta}.${loc}.${cha}`), file).toBe(true);
    }
    const total = [...records.values()].flat();
    expect(total.length).toBe(manifest.records);
    expect(total.reduce((n, r) => n + r.recordLength, 0)).toBe(manifest.bytes);
  });

  it('has data for exactly the manifest channels, and metadata for each', async () => {
    expect([...records.keys()].sort()).toEqual(manifest.channels);
    expect(manifest.channels.length).toBeGreaterThanOrEqual(24);
    const epochs = await loadChannelMetadata(join(dir, manifest.metadataFile));
    expect(epochs.map((e) => channelKey(e)).sort()).toEqual(manifest.channels);
    expect(epochs.filter((e) => e.warnS !== null && e.failS !== null).length).toBeGreaterThan(epochs.length / 2);
    for (const info of manifest.channelInfo) {
      const e = epochs.find((x) => channelKey(x) === info.channel)!;
      expect([e.start, e.end, e.sampleRate, e.warnS, e.failS]).toEqual([info.epochStart, info.epochEnd, info.sampleRate, info.warnS, info.failS]);
      expect(firstSampleOf(info.channel), info.channel).toBe(info.firstSample);
      expect(lastSampleOf(info.channel), info.channel).toBe(info.lastSample);
      expect(records.get(info.channel)!.length).toBe(info.records);
      expect([...new Set(records.get(info.channel)!.map((r) => r.recordLength))].sort((a, b) => a - b)).toEqual(info.recordLengths);
    }
  });

  it('the reader finds exactly the planted gaps and overlaps', () => {
    const sizes = new Set(manifest.gaps.map((g) => g.size));
    expect([...sizes].sort()).toEqual(['day', 'hours', 'minutes', 'samples']);
    for (const key of manifest.channels) {
      const found = findGaps(segmentsOf(key));
      expect(
        found.filter((g) => g.kind === 'gap').map((g) => ({ channel: key, start: g.start, end: g.end, missingSamples: g.missingSamples })),
        key,
      ).toEqual(manifest.gaps.filter((g) => g.channel === key).map(({ size: _size, ...g }) => g));
      expect(
        found.filter((g) => g.kind === 'overlap').map((g) => ({ channel: key, start: g.start, end: g.end, missingSamples: g.missingSamples })),
        key,
      ).toEqual(manifest.overlaps.filter((o) => o.channel === key).map(({ samples: _samples, ...o }) => o));
    }
    expect(manifest.overlaps).toHaveLength(1);
    expect(manifest.overlaps[0].missingSamples).toBe(-manifest.overlaps[0].samples);
  });

  it('leaves a whole UTC day without a file for the day-sized gap', () => {
    const gap = manifest.gaps.find((g) => g.size === 'day')!;
    expect(gap.end - gap.start).toBeGreaterThan(MICROS_PER_DAY);
    const missingDay = floorToDay(gap.start) + MICROS_PER_DAY;
    const files = new Set(records.get(gap.channel)!.map((r) => r.file));
    const { year, dayOfYear } = utcFields(missingDay);
    expect([...files].some((f) => f.endsWith(`.${year}.${String(dayOfYear).padStart(3, '0')}`))).toBe(false);
    expect(files.size).toBe(DAYS); // DAYS + 1 calendar days, one of them empty
  });

  it('the dead channel has no data in its last days though its metadata expects it', () => {
    const { channel, lastSample, silentDays } = manifest.deadChannel;
    expect(lastSampleOf(channel)).toBe(lastSample);
    expect(lastSample).toBeLessThan(floorToDay(END) - silentDays * MICROS_PER_DAY);
    expect(manifest.channelInfo.find((c) => c.channel === channel)!.epochEnd).toBeNull();
  });

  it('the late channel stops about two hours before the end; the others within a minute', () => {
    const { channel, lastSample, latencyS } = manifest.lateChannel;
    expect(lastSampleOf(channel)).toBe(lastSample);
    expect(latencyS).toBe((END - lastSample) / MICROS_PER_SECOND);
    expect(latencyS).toBeGreaterThanOrEqual(2 * 3600);
    expect(latencyS).toBeLessThan(2 * 3600 + 10 * 60);
    const special = new Set([channel, manifest.deadChannel.channel, manifest.notExpectedAfter.channel]);
    for (const key of manifest.channels.filter((k) => !special.has(k))) {
      expect(END - lastSampleOf(key), key).toBeLessThanOrEqual(60 * MICROS_PER_SECOND);
      expect(END - lastSampleOf(key), key).toBeGreaterThan(0);
    }
  });

  it('file mtimes are just after each file’s newest sample, never after the end', () => {
    for (const file of dataFiles) {
      const newest = Math.max(...byFile.get(file)!.map((r) => r.end));
      const mtime = mtimes.get(file)!;
      expect(mtime % MICROS_PER_SECOND).toBe(0);
      expect(mtime, file).toBeLessThanOrEqual(END);
      if (file === manifest.backfill.file) continue;
      expect(mtime - newest, file).toBeGreaterThan(0);
      expect(mtime - newest, file).toBeLessThanOrEqual(6 * MICROS_PER_SECOND);
    }
    for (const info of manifest.channelInfo) {
      const file = records.get(info.channel)!.find((r) => r.end === info.lastSample)!.file;
      expect(mtimes.get(file), info.channel).toBe(info.lastSampleFileMtime);
    }
  });

  it('the backfill: records appended to the day file later, filling a gap', () => {
    const b = manifest.backfill;
    expect(b.method).toBe('day-file-rewritten');
    expect(SDS.test(b.file)).toBe(true);
    expect(mtimes.get(b.file)).toBe(b.backfilledAt);
    expect(b.backfilledAt - b.originalMtime).toBeGreaterThan(12 * MICROS_PER_HOUR);
    // Now: no gap. Before the backfill (the file's first originalBytes): exactly the gap.
    expect(findGaps(segmentsOf(b.channel))).toEqual([]);
    const before = findGaps(segmentsOf(b.channel, (r) => r.file !== b.file || r.offset < b.originalBytes));
    expect(before.map((g) => [g.kind, g.start, g.end, g.missingSamples])).toEqual([['gap', b.start, b.end, b.missingSamples]]);
    // The appended records are exactly the missing samples.
    const appended = records.get(b.channel)!.filter((r) => r.file === b.file && r.offset >= b.originalBytes);
    expect(appended.reduce((n, r) => n + r.samples, 0)).toBe(b.missingSamples);
    expect(Math.min(...appended.map((r) => r.start))).toBe(b.start + MICROS_PER_SECOND);
  });

  it('no data outside the metadata epochs', () => {
    const after = manifest.notExpectedAfter;
    expect(lastSampleOf(after.channel)).toBe(after.lastSample);
    expect(after.lastSample).toBeLessThan(after.epochEnd);
    expect(after.epochEnd).toBeLessThan(END - MICROS_PER_DAY);
    const before = manifest.notExpectedBefore;
    expect(firstSampleOf(before.channel)).toBe(before.epochStart);
    expect(before.epochStart).toBeGreaterThan(manifest.start);
  });

  it('one channel mixes 512- and 4096-byte records', () => {
    const { channel, recordLengths } = manifest.mixedRecordLengths;
    expect(recordLengths).toEqual([512, 4096]);
    expect(new Set(records.get(channel)!.map((r) => r.recordLength))).toEqual(new Set([512, 4096]));
  });

  it('reports progress up to the total and writes the manifest beside the data', async () => {
    expect(progress[0]).toEqual([0, manifest.bytes]);
    expect(progress.at(-1)).toEqual([manifest.bytes, manifest.bytes]);
    for (let i = 1; i < progress.length; i++) expect(progress[i][0]).toBeGreaterThanOrEqual(progress[i - 1][0]);
    expect(JSON.parse(await readFile(join(dir, 'demo-manifest.json'), 'utf8'))).toEqual(manifest);
  });

  it('is deterministic for a seed; another seed moves the faults', async () => {
    const again = await mkdtemp(join(tmpdir(), 'lacuna-demo-'));
    try {
      const [same, other] = [
        await writeDemoArchive(again, { days: DAYS, end: END, seed: 42 }),
        await writeDemoArchive(join(again, 'other'), { days: DAYS, end: END, seed: 43 }),
      ];
      expect(same).toEqual(manifest);
      expect(await readFile(join(again, manifest.backfill.file))).toEqual(await readFile(join(dir, manifest.backfill.file)));
      expect(other.gaps).not.toEqual(manifest.gaps);
    } finally {
      await rm(again, { recursive: true, force: true });
    }
  });

  it('rejects too few days', async () => {
    await expect(writeDemoArchive(join(dir, 'x'), { days: 2 })).rejects.toThrow('demo days must be an integer from 3');
  });
});
