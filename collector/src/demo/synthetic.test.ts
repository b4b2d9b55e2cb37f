import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { channelKey } from '@lacuna/core';
import { MICROS_PER_SECOND, type Segment } from '@lacuna/core';
import { findGaps, joinSegments, recordSegment } from '@lacuna/core';
import { scanMseedFile } from '../mseed/reader.ts';
import { writeSyntheticArchive } from './synthetic.ts';

async function scanAll(dir: string) {
  const files: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) if (e.isFile()) files.push(join(e.parentPath, e.name));
  const byChannel = new Map<string, Segment[]>();
  const recordLengths = new Set<number>();
  let records = 0;
  let bytes = 0;
  for (const f of files.sort()) {
    let newest = 0;
    const result = await scanMseedFile(f, (h) => {
      const k = channelKey(h);
      if (!byChannel.has(k)) byChannel.set(k, []);
      const seg = recordSegment(h.start, h.samples, h.sampleRate, h.quality);
      byChannel.get(k)!.push(seg);
      recordLengths.add(h.recordLength);
      newest = Math.max(newest, seg.end);
    });
    expect(result.error, f).toBeNull();
    records += result.records;
    bytes += result.bytes;
    const mtime = Number((await stat(f, { bigint: true })).mtimeNs / 1000n);
    expect(mtime).toBeGreaterThan(newest);
    expect(mtime - newest).toBeLessThanOrEqual(2 * MICROS_PER_SECOND);
  }
  return { files, byChannel, recordLengths, records, bytes };
}

describe('writeSyntheticArchive', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lacuna-synthetic-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes continuous 100 Hz day files of the requested size', async () => {
    const out = join(dir, 'continuous');
    const progress: number[] = [];
    // 3 channels × ~1.3 days of 512-byte records (the second day crosses midnight in a record).
    const bytes = 3 * 100_000 * 512 + 500; // rounded down to whole records
    const result = await writeSyntheticArchive(out, { bytes, channels: 3, onProgress: (done, total) => progress.push(done / total) });
    expect(result.records).toBe(300_000);
    expect(result.bytes).toBe(300_000 * 512);
    expect(result.files).toBe(6);
    expect(progress.at(-1)).toBe(1);
    const scan = await scanAll(out);
    expect(scan.files.map((f) => f.slice(out.length + 1))).toContain('2024/SY/S0000/HHZ.D/SY.S0000.00.HHZ.D.2024.001');
    expect([scan.files.length, scan.records, scan.bytes]).toEqual([result.files, result.records, result.bytes]);
    expect(scan.recordLengths).toEqual(new Set([512]));
    expect([...scan.byChannel.keys()].sort()).toEqual(['SY.S0000.00.HHE', 'SY.S0000.00.HHN', 'SY.S0000.00.HHZ']);
    for (const [key, segments] of scan.byChannel) {
      expect(findGaps(segments), key).toEqual([]);
      const joined = joinSegments(segments);
      expect(joined, key).toHaveLength(1);
      expect(joined[0].samples).toBe(100_000 * 112);
      expect(joined[0].sampleRate).toBe(100);
    }
  });

  it('makes exactly the number of small files asked for', async () => {
    const out = join(dir, 'many');
    const result = await writeSyntheticArchive(out, { bytes: 300 * 4096, files: 250, filesPerChannel: 100, recordLength: 4096 });
    expect(result).toEqual({ files: 250, bytes: 300 * 4096, records: 300 });
    const scan = await scanAll(out);
    expect(scan.files).toHaveLength(250);
    expect(scan.byChannel.size).toBe(3);
    expect(scan.recordLengths).toEqual(new Set([4096]));
    expect(scan.records).toBe(300);
  });

  it('rejects bad options', async () => {
    await expect(writeSyntheticArchive(join(dir, 'bad'), { bytes: 1000, recordLength: 1000 })).rejects.toThrow('power of two');
    await expect(writeSyntheticArchive(join(dir, 'bad'), { bytes: 1000, files: 0 })).rejects.toThrow('files must be a positive integer');
  });
});
