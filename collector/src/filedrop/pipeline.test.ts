import { mkdirSync, mkdtempSync, renameSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseChannelPatterns } from '@lacuna/core';
import { findGaps } from '@lacuna/core';
import { liveSourceStates, pipelineBacklogs } from '@lacuna/core';
import type { Store } from '@lacuna/core';
import { testBackends } from '@lacuna/core/testing';
import { parseTime } from '@lacuna/core';
import { until } from '../live/testing.ts';
import { LiveWriter } from '../live/writer.ts';
import { parseNamePattern, readFileName } from './filename.ts';
import { FileDropPipeline } from './pipeline.ts';

const S = 1_000_000;
const MINUTE = 60 * S;
const T0 = parseTime('2024-08-01T12:00:00Z');
const ALL = { start: parseTime('2000-01-01'), end: parseTime('2100-01-01') };

/** A file whose modification time is `mtime` (µs). */
function drop(path: string, mtime: number): void {
  writeFileSync(path, 'x');
  utimesSync(path, mtime / S, mtime / S);
}

describe('file names', () => {
  it('reads the stream and the data time from named groups, ISO basic or extended, or date parts', () => {
    const basic = parseNamePattern('^(?<stream>[\\w-]+)_(?<time>\\d{8}T\\d{4})\\.dat$');
    expect(readFileName('stix-L1_20240801T1210.dat', basic)).toEqual({ stream: 'stix-L1', time: T0 + 10 * MINUTE });
    const parts = parseNamePattern('^hk\\.(?<year>\\d{4})\\.(?<doy>\\d{3})\\.(?<hour>\\d{2})$');
    expect(readFileName('hk.2024.214.12', parts)).toEqual({ stream: null, time: T0 });
    expect(readFileName('other.txt', parts)).toBeNull();
    expect(() => readFileName('hk.2023.366.12', parts)).toThrow('file hk.2023.366.12: doy "366" is not in 1..365');
  });

  it('refuses patterns with unknown groups or a date without a year', () => {
    expect(() => parseNamePattern('(?<station>\\w+)')).toThrow(/unknown group station/);
    expect(() => parseNamePattern('(?<month>\\d\\d)')).toThrow(/a date needs a year group/);
    expect(() => parseNamePattern('(')).toThrow(/bad file-name pattern "\("/);
  });
});

describe.each(testBackends())('file-drop pipeline on $name', (backend) => {
  let store: Store;
  let writer: LiveWriter;
  const temp = mkdtempSync(join(tmpdir(), 'lacuna-filedrop-'));
  beforeAll(async () => {
    store = await backend.open();
    writer = await LiveWriter.open(store, { spoolDir: join(temp, 'spool'), compactEveryMs: 0, log: () => {} });
  });
  afterAll(async () => {
    await writer.close();
    await backend.dispose(store);
    rmSync(temp, { recursive: true, force: true });
  });

  function pipeline(name: string, options: Partial<ConstructorParameters<typeof FileDropPipeline>[0]> = {}) {
    const root = join(temp, name);
    for (const stage of ['incoming', 'processing', 'done']) mkdirSync(join(root, stage), { recursive: true });
    const logs: string[] = [];
    const watched = new FileDropPipeline({ root, intervalUs: 10 * MINUTE, sampleEveryMs: 3_600_000, ...options }, writer, (line) => logs.push(line));
    return { root, watched, logs };
  }

  it('turns files into a series at the expected interval: a missing file is a gap, and arrival − data time the latency', async () => {
    const { root, watched } = pipeline('stix', { pattern: parseNamePattern('^(?<stream>[\\w-]+)_(?<time>\\d{8}T\\d{4})\\.dat$') });
    await watched.start();
    try {
      // Every 10 minutes from 12:00, 12:30 missing; each file arrives 90 s after its data time, and
      // is seen before the next arrives (files dropped at once may be seen in any order, and the
      // samples of one flush are then stored as touching pieces, not one segment).
      for (const [seen, minute] of [0, 10, 20, 40].entries()) {
        const at = T0 + minute * MINUTE;
        drop(join(root, 'incoming', `stix-L1_20240801T12${String(minute).padStart(2, '0')}.dat`), at + 90 * S);
        await until(`${seen + 1} files seen`, () => watched.backlog()[0] === seen + 1);
      }
      await watched.sample();
      await writer.compactNow();
      const segments = await store.segments({ patterns: parseChannelPatterns('stix.L1'), window: ALL });
      expect(segments.map((s) => [s.start, s.end, s.samples])).toEqual([
        [T0, T0 + 20 * MINUTE, 3],
        [T0 + 40 * MINUTE, T0 + 40 * MINUTE, 1],
      ]);
      expect(findGaps(segments).map((g) => [g.start, g.end, g.missingSamples])).toEqual([[T0 + 20 * MINUTE, T0 + 40 * MINUTE, 1]]);
      const [latest] = await store.latestSegments(parseChannelPatterns('stix.L1'));
      expect([latest.end, latest.firstSeen - latest.end]).toEqual([T0 + 40 * MINUTE, 90 * S]);
    } finally {
      await watched.stop();
    }
  });

  it('counts the backlog of each stage per stream, and calls a stage stuck when it has not fallen over N samples spanning T', async () => {
    const { root, watched, logs } = pipeline('ops', { stream: 'ops-pipe', stuck: { samples: 3, spanUs: 10 * MINUTE } });
    await watched.start();
    try {
      for (let k = 0; k < 3; k++) drop(join(root, 'processing', `file${k}.bin`), T0 + k * MINUTE);
      await until('3 files waiting', () => watched.backlog()[1] === 3);
      // Samples 5 minutes apart: stuck once three of them span 10 minutes.
      await watched.sample(T0 + 5 * MINUTE);
      await watched.sample(T0 + 10 * MINUTE);
      expect(watched.isStuck('processing')).toBe(false);
      drop(join(root, 'processing', 'file3.bin'), T0 + 12 * MINUTE);
      await until('4 files waiting', () => watched.backlog()[1] === 4);
      await watched.sample(T0 + 15 * MINUTE);
      expect(watched.isStuck('processing')).toBe(true);
      expect(watched.isStuck('processing', 'ops-pipe')).toBe(true);
      expect(watched.isStuck('incoming')).toBe(false);
      expect(logs.some((line) => line.includes('stage processing is stuck: 4 files waiting, not fewer for 600 s; oldest from 2024-08-01T12:00:00.000000Z'))).toBe(true);

      const stored = (await pipelineBacklogs(store)).filter((b) => b.pipeline === root);
      expect(stored.map((b) => [b.stage, b.stream, b.files, b.stuck, b.oldest])).toEqual([
        ['incoming', '', 0, false, null],
        ['incoming', 'ops-pipe', 0, false, null],
        ['processing', '', 4, true, T0],
        ['processing', 'ops-pipe', 4, true, T0],
      ]);

      renameSync(join(root, 'processing', 'file0.bin'), join(root, 'done', 'file0.bin'));
      await until('3 files waiting', () => watched.backlog()[1] === 3);
      await watched.sample(T0 + 20 * MINUTE);
      expect(watched.isStuck('processing')).toBe(false);
      expect(logs.some((line) => /stage processing moves again: 3 files waiting/.test(line))).toBe(true);
    } finally {
      await watched.stop();
    }
  });

  it('counts a file whose name does not match under the pipeline stream at its modification time, and says so', async () => {
    const { root, watched, logs } = pipeline('hk', { pattern: parseNamePattern('^hk_(?<time>\\d{8}T\\d{4})\\.csv$') });
    await watched.start();
    try {
      drop(join(root, 'incoming', 'README.txt'), T0);
      await until('the file to be seen', () => watched.backlog()[0] === 1);
      await watched.sample(T0 + MINUTE);
      const [latest] = await store.latestSegments(parseChannelPatterns('hk'));
      expect([latest.network, latest.station, latest.end, latest.firstSeen]).toEqual(['hk', '-', T0, T0]);
      expect(logs.some((line) => line.includes('file README.txt does not match the file-name pattern'))).toBe(true);
      const [health] = (await liveSourceStates(store)).filter((s) => s.source === watched.source);
      expect(health).toMatchObject({ kind: 'filedrop', up: true, received: 1, malformed: 1 });
    } finally {
      await watched.stop();
    }
  });
});
