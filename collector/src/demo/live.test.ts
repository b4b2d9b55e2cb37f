import { copyFile, mkdtemp, readdir, readFile, rm, stat, truncate } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { channelKey, findGaps, floorToDay, MICROS_PER_DAY, MICROS_PER_HOUR, MICROS_PER_SECOND, recordSegment, type Micros, type Segment } from '@lacuna/core';
import { scanMseedFile } from '../mseed/reader.ts';
import { writeDemoArchive, DEMO_MANIFEST, type DemoManifest } from './demo.ts';
import { extendDemoArchive, readDemoManifest, startDemoDigitiser } from './live.ts';

const CREATED = Date.UTC(2025, 4, 14, 21, 17, 5) * 1000; // 2025-05-14T21:17:05Z: a day boundary comes within hours
const HOUR = MICROS_PER_HOUR;

async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) out.push(relative(dir, join(entry.parentPath, entry.name)).split(sep).join('/'));
  }
  return out.sort();
}

/** Every file's bytes and mtime (µs). */
async function snapshot(dir: string): Promise<Map<string, { bytes: Buffer; mtime: Micros }>> {
  const files = new Map<string, { bytes: Buffer; mtime: Micros }>();
  for (const file of await listFiles(dir)) {
    const info = await stat(join(dir, file), { bigint: true });
    files.set(file, { bytes: await readFile(join(dir, file)), mtime: Number(info.mtimeNs / 1000n) });
  }
  return files;
}

/** Each channel's records as segments, read back from the archive. */
async function segmentsByChannel(dir: string): Promise<Map<string, Segment[]>> {
  const byChannel = new Map<string, Segment[]>();
  for (const file of await listFiles(dir)) {
    if (!/\.D\.\d{4}\.\d{3}$/.test(file)) continue;
    const result = await scanMseedFile(join(dir, file), (h) => {
      const key = channelKey(h);
      if (!byChannel.has(key)) byChannel.set(key, []);
      byChannel.get(key)!.push(recordSegment(h.start, h.samples, h.sampleRate, h.quality));
    });
    expect(result.error, file).toBeNull();
  }
  return byChannel;
}

describe('the living demo archive', () => {
  let stepped: string;
  let once: string;
  let created: DemoManifest;
  const until = CREATED + 30 * HOUR;

  beforeAll(async () => {
    stepped = await mkdtemp(join(tmpdir(), 'lacuna-live-demo-'));
    once = await mkdtemp(join(tmpdir(), 'lacuna-live-demo-'));
    created = await writeDemoArchive(stepped, { days: 4, end: CREATED });
    await writeDemoArchive(once, { days: 4, end: CREATED });
  });
  afterAll(async () => {
    await rm(stepped, { recursive: true, force: true });
    await rm(once, { recursive: true, force: true });
  });

  it('grows in small steps exactly as in one step: the same files, bytes and mtimes', async () => {
    // Steps of a few seconds (a digitiser), of minutes (scans) and of hours (a restart after a pause), across midnight.
    const steps = [3, 5, 7, 60, 300, 3600, 4 * 3600, 7, 11 * 3600].map((s) => s * MICROS_PER_SECOND);
    let t = CREATED;
    for (const step of steps) {
      t += step;
      await extendDemoArchive(stepped, t);
    }
    await extendDemoArchive(stepped, until);
    await extendDemoArchive(once, until);
    const a = await snapshot(stepped);
    const b = await snapshot(once);
    expect([...a.keys()]).toEqual([...b.keys()]);
    for (const [file, { bytes, mtime }] of a) {
      expect(bytes.equals(b.get(file)!.bytes), file).toBe(true);
      if (file !== DEMO_MANIFEST && file !== 'metadata.csv') expect(mtime, file).toBe(b.get(file)!.mtime);
    }
    // New day files began after midnight: more files than at creation (data files, metadata and manifest).
    expect(a.size).toBeGreaterThan(created.files + 2);
  });

  it('keeps exactly the planted faults, while every live channel reaches its delay behind now', async () => {
    const manifest = await readDemoManifest(stepped);
    expect(manifest.end).toBe(until);
    expect(manifest.created).toBe(CREATED);
    const segments = await segmentsByChannel(stepped);
    for (const key of manifest.channels) {
      const found = findGaps(segments.get(key)!);
      const planted = manifest.gaps.filter((gap) => gap.channel === key);
      expect(found.filter((gap) => gap.kind === 'gap').map((gap) => [gap.start, gap.end]), key).toEqual(planted.map((gap) => [gap.start, gap.end]));
      expect(found.filter((gap) => gap.kind === 'overlap').length, key).toBe(manifest.overlaps.filter((overlap) => overlap.channel === key).length);
      const info = manifest.channelInfo.find((candidate) => candidate.channel === key)!;
      expect(Math.max(...segments.get(key)!.map((segment) => segment.end)), key).toBe(info.lastSample);
      expect(segments.get(key)!.length, key).toBe(info.records);
    }
    for (const live of manifest.live) {
      const info = manifest.channelInfo.find((candidate) => candidate.channel === live.channel)!;
      // The newest sample has arrived (its delay has passed), and the next record has not.
      expect(info.lastSample + live.delay, live.channel).toBeLessThanOrEqual(until);
      expect(info.lastSample + (live.recordSamples * MICROS_PER_SECOND) / live.sampleRate + live.delay, live.channel).toBeGreaterThan(until - MICROS_PER_SECOND);
    }
    // The dead channel stays dead, the late one late by the same latency.
    expect(manifest.deadChannel.lastSample).toBe(created.deadChannel.lastSample);
    expect(manifest.deadChannel.silentDays).toBe(created.deadChannel.silentDays + (floorToDay(until) - floorToDay(CREATED)) / MICROS_PER_DAY);
    expect(manifest.lateChannel.latencyS).toBe(created.lateChannel.latencyS);
    expect((until - manifest.lateChannel.lastSample) / MICROS_PER_SECOND).toBeGreaterThanOrEqual(manifest.lateChannel.latencyS);
    expect((until - manifest.lateChannel.lastSample) / MICROS_PER_SECOND).toBeLessThan(manifest.lateChannel.latencyS + 120);
    // Data of a day after creation is in that day's files.
    expect(manifest.files).toBe((await listFiles(stepped)).length - 2);
    expect(manifest.expected.from).toBe(CREATED + MICROS_PER_DAY);
  });

  it('mends an append cut short before the manifest was updated', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lacuna-live-demo-'));
    try {
      await writeDemoArchive(dir, { days: 4, end: CREATED });
      await extendDemoArchive(dir, CREATED + HOUR);
      await copyFile(join(dir, DEMO_MANIFEST), join(dir, 'before.json'));
      const later = await extendDemoArchive(dir, until);
      // As if the process died mid-write: the manifest still says CREATED + 1 h, a day file ends mid-record.
      await copyFile(join(dir, 'before.json'), join(dir, DEMO_MANIFEST));
      await rm(join(dir, 'before.json'));
      const live = later.live.find((candidate) => candidate.recordLength === 512)!;
      const info = later.channelInfo.find((candidate) => candidate.channel === live.channel)!;
      const newest = (await listFiles(dir)).filter((file) => file.includes(`/${live.channel}.D.`)).at(-1)!;
      await truncate(join(dir, newest), (await stat(join(dir, newest))).size - 100);
      expect((await extendDemoArchive(dir, until)).channelInfo.find((candidate) => candidate.channel === live.channel)!.lastSample).toBe(info.lastSample);
      const mended = await snapshot(dir);
      const whole = await snapshot(once);
      for (const [file, { bytes }] of whole) expect(mended.get(file)?.bytes.equals(bytes), file).toBe(true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('appends as time passes when run by the digitiser, and stops cleanly', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lacuna-live-demo-'));
    try {
      await writeDemoArchive(dir, { days: 4, end: CREATED });
      let now = CREATED;
      const ticks: Micros[] = [];
      const digitiser = startDemoDigitiser(dir, { intervalMs: 5, now: () => (ticks.push(now), now) });
      for (const t of [CREATED + 10 * 60 * MICROS_PER_SECOND, CREATED + 2 * HOUR]) {
        now = t;
        const seen = ticks.length;
        while ((await readDemoManifest(dir)).end !== t || ticks.length === seen) await new Promise((r) => setTimeout(r, 10));
      }
      await digitiser.stop();
      expect((await readDemoManifest(dir)).end).toBe(CREATED + 2 * HOUR);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
