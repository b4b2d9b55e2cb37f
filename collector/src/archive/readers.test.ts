import { mkdirSync, mkdtempSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseTime, type FileScan, type ToleranceRule } from '@lacuna/core';
import { testBackends } from '@lacuna/core/testing';
import { encodeSeries } from '../mseed/writer.ts';
import { compileLayout } from './layouts.ts';
import { packFiles } from './testing.ts';
import { ReadThreads } from './readers.ts';
import { scanArchive } from './scan.ts';
import { scanFile } from './scan-file.ts';
import type { ArchiveFile } from './walk.ts';

const temp = mkdtempSync(join(tmpdir(), 'lacuna-readers-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

/** A day file of 1 Hz LHZ records with a gap of `gapS` seconds after the first hour. */
function dayFile(root: string, station: string, day: string, gapS = 0): ArchiveFile {
  const start = parseTime(day);
  const path = join(root, day.slice(0, 4), 'XX', station, 'LHZ.D', `XX.${station}..LHZ.D.${day.slice(0, 4)}.${String(Number(day.slice(8)) + 59).padStart(3, '0')}`);
  mkdirSync(dirname(path), { recursive: true });
  const series = (from: number, samples: number) => [...encodeSeries({ network: 'XX', station, location: '', channel: 'LHZ', start: from, sampleRate: 1, totalSamples: samples, recordLength: 512 })];
  writeFileSync(path, Buffer.concat([...series(start, 3600), ...series(start + (3600 + gapS) * 1e6, 7200)]));
  return fileOf(path);
}

function fileOf(path: string): ArchiveFile {
  const info = statSync(path, { bigint: true });
  return { path, size: Number(info.size), mtime: Number(info.mtimeNs / 1000n) };
}

describe('reading archive files on worker threads', () => {
  it('gives each file the scan this thread would give it: segments, tolerance rules, damage, not miniSEED, vanished, a path not in ASCII', async () => {
    const whole = dayFile(temp, 'AAA', '2024-03-01', 5);
    const named = dayFile(join(temp, 'São Tomé — Øresund ✓'), 'DDD', '2024-03-01', 5);
    const joined = dayFile(temp, 'BBB', '2024-03-01', 0.4); // within a tolerance of 0.5 s: one segment
    const torn = dayFile(temp, 'CCC', '2024-03-01', 60);
    truncateSync(torn.path, 512 * 12 + 77);
    const junk = join(temp, 'junk');
    writeFileSync(junk, 'not miniSEED\n'.repeat(100));
    const files = [whole, joined, fileOf(torn.path), fileOf(junk), { path: join(temp, 'gone'), size: 1024, mtime: 0 }, named];
    const rules: ToleranceRule[] = [{ patterns: [{ network: 'XX', station: 'BBB', location: '*', channel: '*' }], tolerance: { seconds: 0.5 } }];

    const threads = new ReadThreads(2, rules);
    try {
      const scans: FileScan[] = [];
      await threads.readAll(packFiles(files), (scan, index) => void (scans[index] = scan)).done;
      const onThreads = files.map((_, index) => scans[index]);
      const here = await Promise.all(files.map((file) => scanFile(file, rules)));
      expect(onThreads).toEqual(here);
      expect(onThreads.map((scan) => scan?.segments.length)).toEqual([2, 1, 1, 0, 0, 2]);
      expect(onThreads.map((scan) => scan?.state.status)).toEqual(['ok', 'ok', 'error', 'error', 'error', 'ok']);
      expect(onThreads[2]?.state.errorOffset).toBe(512 * 12);
    } finally {
      await threads.close();
    }
  });

  it('reads every file not skipped, whatever the window of files read ahead, also when many more than the window are skipped', async () => {
    const files = ['LLL', 'MMM', 'NNN', 'OOO', 'PPP', 'QQQ', 'RRR'].map((station) => dayFile(join(temp, 'window'), station, '2024-05-01', 0));
    const threads = new ReadThreads(2, []);
    try {
      const read: string[] = [];
      // One file read ahead at a time; the first five are skipped before any thread starts.
      const job = threads.readAll(packFiles(files), (scan) => void read.push(scan.state.path), 1);
      for (const index of [0, 1, 2, 3, 4]) job.skip(index);
      await job.done;
      expect(read.sort()).toEqual([files[5].path, files[6].path]);
    } finally {
      await threads.close();
    }
  });

  describe.each(testBackends().slice(0, 1))('an archive scan on $name', (backend) => {
    it('reading ahead while its store opens, stores what it stores with the store open; files the store knows unchanged are not stored again', async () => {
      const root = join(temp, 'ahead');
      for (const [i, station] of ['HHH', 'III', 'JJJ', 'KKK'].entries()) dayFile(root, station, `2024-04-0${i + 1}`, 20 * i);
      const store = await backend.open();
      try {
        let opened = 0;
        const open = async () => {
          opened += 1;
          return store;
        };
        const first = await scanArchive(open, { roots: [root], layout: compileLayout('sds'), readThreads: 2, newStore: true });
        expect([opened, first.filesScanned, first.segments, first.failures]).toEqual([1, 4, 1 + 2 + 2 + 2, []]);
        const window = { start: parseTime('2024-01-01'), end: parseTime('2025-01-01') };
        const stored = await store.segments({ patterns: [], window });
        expect(stored.filter((segment) => segment.source.startsWith(`${root}/`))).toHaveLength(7);

        // The same files, one of them grown, read ahead again into a store wrongly said new: only
        // the grown one is stored anew, its old segments replaced.
        dayFile(root, 'KKK', '2024-04-04', 0);
        const again = await scanArchive(open, { roots: [root], layout: compileLayout('sds'), readThreads: 2, newStore: true });
        expect([again.filesScanned, again.filesUnchanged, again.segments]).toEqual([1, 3, 1]);
        const after = (await store.segments({ patterns: [], window })).filter((segment) => segment.source.startsWith(`${root}/`));
        // KKK's old generation is gone: its three hours once, without the gap (the part that
        // filled it is a piece of its own, first seen later).
        const kkk = after.filter((segment) => segment.station === 'KKK');
        expect(kkk.reduce((sum, segment) => sum + segment.samples, 0)).toBe(10_800);
        expect(kkk.slice(1).every((segment, k) => segment.start === kkk[k].end + 1e6)).toBe(true);
        expect(after.filter((segment) => segment.station !== 'KKK')).toHaveLength(5);
        expect((await store.files()).filter((file) => file.path.startsWith(`${root}/`))).toHaveLength(4);
      } finally {
        await backend.dispose(store);
      }
    });

    it('stores what it read on threads as it stores what it read in its own thread', async () => {
      const copies = [join(temp, 'here'), join(temp, 'threads')];
      for (const copy of copies) for (const [i, station] of ['EEE', 'FFF', 'GGG'].entries()) dayFile(copy, station, `2024-03-0${i + 2}`, 30 * i);
      const store = await backend.open();
      try {
        const reports = [];
        for (const [k, copy] of copies.entries()) reports.push(await scanArchive(store, { roots: [copy], layout: compileLayout('sds'), readThreads: k === 0 ? 0 : 2 }));
        const [here, onThreads] = reports;
        expect({ ...onThreads, runId: 0, elapsedMs: 0 }).toEqual({ ...here, runId: 0, elapsedMs: 0 });
        expect(onThreads.segments).toBe(1 + 2 + 2);
        const stored = await store.segments({ patterns: [], window: { start: parseTime('2024-01-01'), end: parseTime('2025-01-01') } });
        const [fromHere, fromThreads] = copies.map((copy) =>
          stored.filter((segment) => segment.source.startsWith(`${copy}/`)).map((segment) => ({ ...segment, source: segment.source.slice(copy.length), firstSeen: 0 })),
        );
        expect(fromHere).toHaveLength(5);
        expect(fromThreads).toEqual(fromHere);
      } finally {
        await backend.dispose(store);
      }
    });
  });
});
