import { appendFileSync, chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, renameSync, rmSync, symlinkSync, truncateSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseChannelPatterns } from '@lacuna/core';
import { gapRows, groupByChannel, segmentRows, type ReportOptions } from '@lacuna/core';
import type { FileScanWriter, Store } from '@lacuna/core';
import { testBackends } from '@lacuna/core/testing';
import { formatTime, parseTime } from '@lacuna/core';
import { encodeSeries, maxSamplesPerRecord } from '../mseed/writer.ts';
import { compileLayout } from './layouts.ts';
import { scanArchive, type ScanProgress } from './scan.ts';
import { refusingStore } from '../live/testing.ts';

const SHARED_DATA = resolve(dirname(fileURLToPath(import.meta.url)), '../../../../shared/data/mseed');
const hasSharedData = existsSync(SHARED_DATA);
if (!hasSharedData) console.warn(`conformance scans skipped: ${SHARED_DATA} is absent (it comes with the project's shared folder, not with a clone)`);

const ALL = { start: parseTime('1990-01-01'), end: parseTime('2100-01-01') };
const flat = compileLayout('*');

/** The states of the files known under `root`, by path. */
async function statesUnder(store: Store, root: string, options: { errorsOnly?: boolean } = {}) {
  return new Map((await store.files({ roots: [root], ...options })).map((file) => [file.path, file]));
}

async function report(store: Store, pattern: string, options: Partial<ReportOptions> = {}) {
  const patterns = parseChannelPatterns(pattern);
  const window = options.window ?? ALL;
  const [channels, segments, epochs] = await Promise.all([store.channels(patterns), store.segments({ patterns, window, neighbors: true }), store.epochs(patterns)]);
  const data = groupByChannel(channels, segments, epochs);
  const full: ReportOptions = { window, mergeQuality: true, tolerance: [], ...options };
  return { segments: segmentRows(data, full), gaps: gapRows(data, { ...full, overlaps: false }) };
}

/** Writes a continuous 1 Hz day of LHZ records of a channel into an SDS-like day file. */
function writeDay(root: string, station: string, day: string, options: { samples?: number; startOffsetS?: number } = {}): string {
  const start = parseTime(day) + (options.startOffsetS ?? 0) * 1e6;
  const dayOfYear = String(Math.floor((start - parseTime(day.slice(0, 4) + '-01-01')) / 86_400e6) + 1).padStart(3, '0');
  const path = join(root, day.slice(0, 4), 'XX', station, 'LHZ.D', `XX.${station}..LHZ.D.${day.slice(0, 4)}.${dayOfYear}`);
  mkdirSync(dirname(path), { recursive: true });
  const records = [...encodeSeries({ network: 'XX', station, location: '', channel: 'LHZ', start, sampleRate: 1, totalSamples: options.samples ?? 86_400, recordLength: 512 })];
  writeFileSync(path, Buffer.concat(records));
  return path;
}

describe.each(testBackends())('archive scan on $name', (backend) => {
  let store: Store;
  const temp = mkdtempSync(join(tmpdir(), 'lacuna-scan-'));
  beforeAll(async () => {
    store = await backend.open();
  });
  afterAll(async () => {
    await backend.dispose(store);
    rmSync(temp, { recursive: true, force: true });
  });

  /** Scans one file of the shared conformance data alone, in a folder of its own. */
  async function scanShared(name: string) {
    const dir = join(temp, `shared-${name}`);
    mkdirSync(dir, { recursive: true });
    copyFileSync(join(SHARED_DATA, name), join(dir, name));
    return scanArchive(store, { roots: [dir], layout: flat });
  }

  describe.skipIf(!hasSharedData)('conformance with the known results of ../shared/data/mseed', () => {
    it('one series in mixed record lengths and mixed order is one segment of 3952 samples (v2 and v3)', async () => {
      for (const name of ['lm_testdata-oneseries-mixedlengths-mixedorder.mseed2', 'lm_testdata-oneseries-mixedlengths-mixedorder.mseed3']) {
        const scan = await scanShared(name);
        expect(scan.failures).toEqual([]);
      }
      const { segments } = await report(store, 'XX.TEST.00.LHZ');
      // Both files hold the same series: two identical segments, one per file, each complete.
      expect(segments.map((s) => s.samples)).toEqual([3952, 3952]);
      expect(new Set(segments.map((s) => `${s.start}/${s.end}`)).size).toBe(1);
    });

    it('three channels of IU.COLA, one segment each', async () => {
      await scanShared('lm_testdata-3channel-signal.mseed2');
      const { segments, gaps } = await report(store, 'IU.COLA');
      expect(segments.map((s) => s.channel)).toEqual(['IU.COLA.00.LH1', 'IU.COLA.00.LH2', 'IU.COLA.00.LHZ']);
      expect(gaps).toEqual([]);
    });

    it('obspy_gaps: 4 segments at the known starts, gaps of 2.065, 2.065 and 4.125 s', async () => {
      await scanShared('obspy_gaps.mseed');
      const { segments, gaps } = await report(store, 'BW.BGLD..EHE');
      expect(segments.map((s) => formatTime(s.start))).toEqual([
        '2007-12-31T23:59:59.915000Z',
        '2008-01-01T00:00:04.035000Z',
        '2008-01-01T00:00:10.215000Z',
        '2008-01-01T00:00:18.455000Z',
      ]);
      expect(gaps.map((g) => g.gap_s)).toEqual([2.065, 2.065, 4.125]);
      expect(gaps.map((g) => g.missing_samples)).toEqual([412, 412, 824]);
      expect(segments.every((s) => s.sample_rate === 200)).toBe(true);
    });

    it('two channels in one file', async () => {
      await scanShared('obspy_two_channels.mseed');
      const scanned = (await store.files()).find((f) => f.path.endsWith('obspy_two_channels.mseed'));
      expect(scanned?.status).toBe('ok');
      const channels = new Set((await store.segments({ patterns: [], window: ALL })).filter((s) => s.source === scanned?.path).map((s) => `${s.network}.${s.station}.${s.location}.${s.channel}`));
      expect(channels.size).toBe(2);
    });

    it('quality M is kept apart from other qualities on request', async () => {
      await scanShared('obspy_dataquality-m.mseed');
      const stored = await store.segments({ patterns: [], window: ALL });
      const source = stored.filter((s) => s.source.endsWith('obspy_dataquality-m.mseed'));
      expect(source.length).toBeGreaterThan(0);
      expect(new Set(source.map((s) => s.quality))).toEqual(new Set(['M']));
    });
  });

  it('rescans incrementally: unchanged skipped, changed replaced, deleted forgotten', async () => {
    const root = join(temp, 'incremental');
    const day1 = writeDay(root, 'INC', '2024-03-01');
    const day2 = writeDay(root, 'INC', '2024-03-02', { samples: 43_200 });
    const first = await scanArchive(store, { roots: [root], layout: compileLayout('sds') });
    expect([first.filesSeen, first.filesScanned, first.filesUnchanged]).toEqual([2, 2, 0]);

    const again = await scanArchive(store, { roots: [root], layout: compileLayout('sds') });
    expect([again.filesScanned, again.filesUnchanged, again.records]).toEqual([0, 2, 0]);

    writeDay(root, 'INC', '2024-03-02'); // the day file grew: the afternoon arrived
    const grown = await scanArchive(store, { roots: [root], layout: compileLayout('sds') });
    expect(grown.filesScanned).toBe(1);
    let { segments } = await report(store, 'XX.INC');
    expect(segments.map((s) => [formatTime(s.start), formatTime(s.end), s.samples])).toEqual([
      ['2024-03-01T00:00:00.000000Z', '2024-03-02T23:59:59.000000Z', 172_800],
    ]);

    rmSync(day1);
    // One of two files gone is more than 10 % of the root's: refused without prune, nothing forgotten.
    await expect(scanArchive(store, { roots: [root], layout: compileLayout('sds') })).rejects.toThrow(
      `refusing to forget 1 of the 2 files known under ${root} (more than 10 %): they are gone from disk.`,
    );
    expect((await report(store, 'XX.INC')).segments.map((s) => s.samples)).toEqual([172_800]);
    const afterDelete = await scanArchive(store, { roots: [root], layout: compileLayout('sds'), prune: true });
    expect(afterDelete.filesDeleted).toBe(1);
    ({ segments } = await report(store, 'XX.INC'));
    expect(segments.map((s) => s.samples)).toEqual([86_400]);
    expect(existsSync(day2)).toBe(true);
  });

  it('knows every file again at a rescan, also files whose names sort otherwise as text than as bytes', async () => {
    const root = join(temp, 'byte-order');
    const day = readFileSync(writeDay(join(temp, 'byte-order-source'), 'ORD', '2024-03-01'));
    // As JavaScript strings z < é < 😀 < U+E000 < U+FFFD; as UTF-8 bytes (the store's order) 😀 comes last.
    const names = ['z', 'é', '😀', '\uE000', '\uFFFD', 'plain', 'plain-2'].map((name) => `XX.ORD..LHZ.${name}`);
    mkdirSync(root, { recursive: true });
    for (const name of names) writeFileSync(join(root, name), day);
    const first = await scanArchive(store, { roots: [root], layout: flat });
    expect([first.filesSeen, first.filesScanned]).toEqual([names.length, names.length]);
    const again = await scanArchive(store, { roots: [root], layout: flat });
    expect([again.filesScanned, again.filesUnchanged, again.filesUnmatched, again.filesDeleted]).toEqual([0, names.length, 0, 0]);
    rmSync(join(root, names[2]));
    const afterDelete = await scanArchive(store, { roots: [root], layout: flat, prune: true });
    expect([afterDelete.filesScanned, afterDelete.filesDeleted]).toEqual([0, 1]);
    expect([...(await statesUnder(store, root)).keys()].sort()).toEqual(names.filter((_, index) => index !== 2).map((name) => join(root, name)).sort());
  });

  it('reports what the listing has found while it walks, then the reading', async () => {
    const root = join(temp, 'many-to-list');
    const day = readFileSync(writeDay(join(temp, 'many-to-list-source'), 'LIST', '2024-03-01', { samples: 100 }));
    mkdirSync(root, { recursive: true });
    for (let index = 0; index < 2500; index++) writeFileSync(join(root, `XX.LIST..LHZ.${index}`), day);
    const seen: ScanProgress[] = [];
    const scan = await scanArchive(store, { roots: [root], layout: flat, onProgress: (progress) => seen.push(progress) });
    expect(scan.filesScanned).toBe(2500);
    const listing = seen.filter((progress) => progress.phase === 'listing');
    expect(listing.map((progress) => [progress.filesDone, progress.bytesDone])).toEqual([
      [1000, 1000 * day.length],
      [2000, 2000 * day.length],
      [2500, 2500 * day.length],
    ]);
    expect(seen.indexOf(listing[2])).toBe(2); // all before any reading
    expect(seen.at(-1)).toMatchObject({ phase: 'reading', filesDone: 2500, filesTotal: 2500 });
  });

  it('records a damaged file with reason and offset, keeps its good records, and goes on', async () => {
    const root = join(temp, 'damaged');
    writeDay(root, 'DMG', '2024-04-01', { samples: 3600 });
    const bad = writeDay(root, 'DMG', '2024-04-02', { samples: 3600 });
    truncateSync(bad, 512 * 10 + 100); // ten whole records, then a torn one
    const junk = join(root, '2024', 'XX', 'DMG', 'LHZ.D', 'XX.DMG..LHZ.D.2024.094');
    writeFileSync(junk, 'this is not miniSEED at all, just a text file in the wrong place\n'.repeat(20));
    const scan = await scanArchive(store, { roots: [root], layout: compileLayout('sds') });
    expect(scan.filesScanned).toBe(3);
    expect(scan.failures.map((f) => [f.path, f.errorOffset])).toEqual([
      [bad, 5120],
      [junk, 0],
    ]);
    expect(scan.failures[0].error).toMatch(/truncat/i);
    const { segments } = await report(store, 'XX.DMG');
    expect(segments.map((s) => s.samples)).toEqual([3600, 10 * maxSamplesPerRecord(512, 2)]);
    expect((await store.files({ errorsOnly: true })).map((f) => f.path)).toEqual(expect.arrayContaining([bad, junk]));
  });

  it('a scan killed between writing segments and recording its files, run again, stores every segment once', async () => {
    const root = join(temp, 'killed');
    writeDay(root, 'KIL', '2024-05-01');
    writeDay(root, 'KIL', '2024-05-02');
    // The store dies right after the segments were written, before the file rows.
    const dying = new Proxy(store, {
      get(target, property, receiver) {
        if (property === 'fileScanWriter') {
          return (scanId: number): FileScanWriter => ({
            write: async (scans) => {
              await target.client.insert({
                table: 'segments',
                values: scans.flatMap((scan) => scan.segments.map((s) => ({ network: s.network, station: s.station, location: s.location, channel: s.channel, quality: s.quality, sample_rate: s.sampleRate, start_time: s.start, end_time: s.end, samples: s.samples, tolerance_us: s.toleranceUs, source: scan.state.path, scan_id: scanId, first_seen: scan.state.mtime }))),
                format: 'JSONEachRow',
              });
              throw new Error('killed');
            },
            checkpoint: async () => {
              throw new Error('killed');
            },
          });
        }
        return Reflect.get(target, property, receiver);
      },
    });
    await expect(scanArchive(dying, { roots: [root], layout: compileLayout('sds') })).rejects.toThrow('killed');
    const rerun = await scanArchive(store, { roots: [root], layout: compileLayout('sds') });
    expect(rerun.filesScanned).toBe(2);
    const stored = await store.segments({ patterns: parseChannelPatterns('XX.KIL'), window: ALL });
    expect(stored.map((s) => s.samples)).toEqual([86_400, 86_400]);
  });

  it('a scan killed after thousands of files has recorded those before its last checkpoint: run again, it reads only the rest', async () => {
    const root = join(temp, 'checkpoints');
    const record = encodeSeries({ network: 'XX', station: 'CKP', location: '', channel: 'LHZ', start: parseTime('2024-07-01'), sampleRate: 1, totalSamples: 10, recordLength: 512 }).next().value as Buffer;
    for (let i = 0; i < 2500; i++) {
      const path = join(root, `f${String(i).padStart(4, '0')}.mseed`);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, record);
    }
    // The process dies during its third batch of 1,000 files: nothing it does after that counts.
    let writes = 0;
    const dying = new Proxy(store, {
      get(target, property, receiver) {
        if (property === 'fileScanWriter') {
          return (scanId: number, options: Parameters<Store['fileScanWriter']>[1]): FileScanWriter => {
            const writer = target.fileScanWriter(scanId, options);
            return {
              write: async (scans) => {
                if (++writes === 3) throw new Error('killed');
                await writer.write(scans);
              },
              checkpoint: async () => {
                if (writes >= 3) throw new Error('killed');
                await writer.checkpoint();
              },
            };
          };
        }
        return Reflect.get(target, property, receiver);
      },
    });
    await expect(scanArchive(dying, { roots: [root], layout: flat, checkpointFiles: 1000 })).rejects.toThrow('killed');
    const rerun = await scanArchive(store, { roots: [root], layout: flat });
    expect([rerun.filesUnchanged, rerun.filesScanned]).toEqual([2000, 500]);
  });

  it('a record with an impossible rate is damage: the file is listed with reason and offset, the rest of its batch is stored (issue 11 case 1)', async () => {
    const root = join(temp, 'impossible-rate');
    writeDay(root, 'RATE', '2024-08-01', { samples: 3600 });
    const bad = writeDay(root, 'RATE', '2024-08-02', { samples: 3600 });
    const bytes = readFileSync(bad);
    bytes.writeInt16BE(-32768, 512 * 3 + 32); // the fourth record: factor and multiplier -32768
    bytes.writeInt16BE(-32768, 512 * 3 + 34);
    writeFileSync(bad, bytes);
    const scan = await scanArchive(store, { roots: [root], layout: compileLayout('sds') });
    expect(scan.failures).toEqual([{ path: bad, errorOffset: 1536, error: expect.stringMatching(/^sample rate 9\.31e-10 Hz is below one sample a year/) }]);
    const { segments, gaps } = await report(store, 'XX.RATE');
    expect(segments.map((s) => [formatTime(s.start), s.samples])).toEqual([
      ['2024-08-01T00:00:00.000000Z', 3600],
      ['2024-08-02T00:00:00.000000Z', 3 * maxSamplesPerRecord(512, 2)],
    ]);
    expect(gaps).toHaveLength(1);
    expect((await store.files({ errorsOnly: true })).map((f) => [f.path, f.errorOffset])).toContainEqual([bad, 1536]);
  });

  it('stores valid files of one channel 8.4 years apart and 101 files a month apart in one scan (issue 11 case 2)', async () => {
    const root = join(temp, 'span');
    writeDay(root, 'APART', '2010-01-01', { samples: 60 });
    writeDay(root, 'APART', '2018-06-01', { samples: 60 });
    for (let k = 0; k < 101; k++) writeDay(root, 'MONTH', `${2000 + Math.floor(k / 12)}-${String((k % 12) + 1).padStart(2, '0')}-01`, { samples: 60 });
    const scan = await scanArchive(store, { roots: [root], layout: compileLayout('sds') });
    expect([scan.filesScanned, scan.failures]).toEqual([103, []]);
    expect((await report(store, 'XX.APART', { window: { start: parseTime('2000-01-01'), end: parseTime('2030-01-01') } })).segments).toHaveLength(2);
    expect((await report(store, 'XX.MONTH', { window: { start: parseTime('2000-01-01'), end: parseTime('2030-01-01') } })).segments).toHaveLength(101);
    const again = await scanArchive(store, { roots: [root], layout: compileLayout('sds') });
    expect(again.filesUnchanged).toBe(103);
  });

  it('stores a batch the store refuses file by file: one refused file does not sink the others', async () => {
    const root = join(temp, 'refused');
    const good = [writeDay(root, 'OKAY', '2024-09-01', { samples: 600 }), writeDay(root, 'OKAY', '2024-09-02', { samples: 600 })];
    const poisoned = writeDay(root, 'POISN', '2024-09-01', { samples: 600 });
    // A store that refuses one file's rows for their content (a test double: see refusingStore).
    const picky = refusingStore(store, (table, row) => table === 'segments' && row.station === 'POISN');
    const scan = await scanArchive(picky, { roots: [root], layout: compileLayout('sds') });
    expect(scan.failures).toEqual([{ path: poisoned, errorOffset: null, error: expect.stringMatching(/^not stored: the store refused its segments \(Cannot parse input/) }]);
    expect((await report(store, 'XX.OKAY')).segments.map((s) => s.samples)).toEqual([600, 600]);
    const states = await statesUnder(store, root);
    expect(good.map((path) => states.get(path)?.status)).toEqual(['ok', 'ok']);
    expect(states.get(poisoned)).toMatchObject({ status: 'error', errorOffset: null });
  });

  it('forgets only files gone from disk: another layout matching nothing keeps every file, and says so (issue 11 case 7)', async () => {
    const root = join(temp, 'other-layout');
    for (let day = 1; day <= 12; day++) writeDay(root, 'LAY', `2024-10-${String(day).padStart(2, '0')}`, { samples: 600 });
    expect((await scanArchive(store, { roots: [root], layout: compileLayout('sds') })).filesScanned).toBe(12);
    const bud = await scanArchive(store, { roots: [root], layout: compileLayout('bud') });
    expect(bud).toMatchObject({ filesSeen: 0, filesDeleted: 0, filesUnmatched: 12, emptyRoots: [root] });
    expect((await report(store, 'XX.LAY')).segments).toHaveLength(12);
  });

  it('refuses to forget the files of an archive mount that is briefly empty, and forgets them with prune', async () => {
    const root = join(temp, 'mount');
    for (let day = 1; day <= 12; day++) writeDay(root, 'MNT', `2024-11-${String(day).padStart(2, '0')}`, { samples: 600 });
    await scanArchive(store, { roots: [root], layout: compileLayout('sds') });
    renameSync(root, `${root}-away`);
    mkdirSync(root);
    await expect(scanArchive(store, { roots: [root], layout: compileLayout('sds') })).rejects.toThrow(
      /^refusing to forget 12 of the 12 files known under .*mount \(more than 10 %\): they are gone from disk\. An archive mount that is briefly empty or moved looks like this.* scan again with --prune\.$/,
    );
    expect((await report(store, 'XX.MNT')).segments).toHaveLength(12);
    // One file in twelve removed on purpose is within the limit.
    rmSync(root, { recursive: true });
    renameSync(`${root}-away`, root);
    rmSync(writeDay(root, 'MNT', '2024-11-12', { samples: 600 }));
    expect((await scanArchive(store, { roots: [root], layout: compileLayout('sds') })).filesDeleted).toBe(1);
    rmSync(join(root, '2024'), { recursive: true });
    expect(await scanArchive(store, { roots: [root], layout: compileLayout('sds'), prune: true })).toMatchObject({ filesDeleted: 11, emptyRoots: [root] });
    expect((await report(store, 'XX.MNT')).segments).toEqual([]);
  });

  it('keeps when data was first seen, so a late-filled gap shows as backfill', async () => {
    const root = join(temp, 'backfill');
    const path = writeDay(root, 'BKF', '2024-06-01', { samples: 3600 });
    utimesSync(path, new Date('2024-06-01T01:05:00Z'), new Date('2024-06-01T01:05:00Z'));
    await scanArchive(store, { roots: [root], layout: compileLayout('sds') });
    // Hours later the rest of the day arrives in the same file.
    const later = Buffer.concat([...encodeSeries({ network: 'XX', station: 'BKF', location: '', channel: 'LHZ', start: parseTime('2024-06-01T01:00:00Z'), sampleRate: 1, totalSamples: 7200, recordLength: 512 })]);
    appendFileSync(path, later);
    utimesSync(path, new Date('2024-06-02T08:00:00Z'), new Date('2024-06-02T08:00:00Z'));
    await scanArchive(store, { roots: [root], layout: compileLayout('sds') });
    const stored = await store.segments({ patterns: parseChannelPatterns('XX.BKF'), window: ALL });
    expect(stored.map((s) => [formatTime(s.start), s.samples, formatTime(s.firstSeen)])).toEqual([
      ['2024-06-01T00:00:00.000000Z', 3600, '2024-06-01T01:05:00.000000Z'],
      ['2024-06-01T01:00:00.000000Z', 7200, '2024-06-02T08:00:00.000000Z'],
    ]);
  });

  it('follows a year folder that is a link to another disk, and scans a folder reached twice (an alias, a loop) once, by its real path', async () => {
    const disk = join(temp, 'other-disk');
    writeDay(disk, 'LINK', '2023-05-01', { samples: 600 });
    const root = join(temp, 'linked');
    writeDay(root, 'LINK', '2024-05-01', { samples: 600 });
    symlinkSync(join(disk, '2023'), join(root, '2023'));
    symlinkSync(join(root, '2024'), join(root, '2020')); // the real 2024 again, under a name walked first
    const sds = await scanArchive(store, { roots: [root], layout: compileLayout('sds') });
    expect([sds.filesSeen, sds.filesScanned, sds.failures]).toEqual([2, 2, []]);
    const paths = (await statesUnder(store, root)).keys();
    expect([...paths].map((path) => relative(root, path).split('/')[0]).sort()).toEqual(['2023', '2024']);
    symlinkSync(root, join(root, '2024', 'loop'));
    const everything = await scanArchive(store, { roots: [root], layout: compileLayout('**/*') });
    expect([everything.filesSeen, everything.filesScanned, everything.filesDeleted]).toEqual([2, 0, 0]);
    expect((await report(store, 'XX.LINK')).segments.map((segment) => [formatTime(segment.start).slice(0, 10), segment.samples])).toEqual([
      ['2023-05-01', 600],
      ['2024-05-01', 600],
    ]);
  });

  it('does not follow a link to a folder that holds the archive: the folders beside the archive are not its own', async () => {
    const outer = join(temp, 'outer');
    const root = join(outer, 'archive');
    writeDay(root, 'HOME', '2024-06-01', { samples: 600 });
    writeDay(join(outer, 'beside'), 'NEXT', '2024-06-01', { samples: 600 });
    symlinkSync('..', join(root, 'up'));
    symlinkSync(outer, join(root, '2024', 'outer'));
    const scan = await scanArchive(store, { roots: [root], layout: compileLayout('**/*') });
    expect([scan.filesSeen, scan.failures]).toEqual([1, []]);
    expect((await report(store, 'XX.NEXT')).segments).toEqual([]);
    expect((await report(store, 'XX.HOME')).segments.map((segment) => segment.samples)).toEqual([600]);
  });

  it('refuses to scan through a link a folder whose files it knows under another name, and scans that name again as ever', async () => {
    const root = join(temp, 'named-once');
    writeDay(root, 'ALIAS', '2024-09-01', { samples: 600 });
    const sds = compileLayout('sds');
    expect((await scanArchive(store, { roots: [root], layout: sds })).filesScanned).toBe(1);
    const link = join(temp, 'named-twice');
    symlinkSync(root, link);
    const real = realpathSync(root);
    await expect(scanArchive(store, { roots: [link], layout: sds })).rejects.toThrow(
      `refusing to scan ${link}: it leads to ${real}, to files the store knows under ${root} (scanned before${real === root ? '' : `, which leads to ${real}`}): ` +
        `the same files under two names, through a symbolic link. Scanned as ${link} they would be stored a second time, and every segment overlap itself. Scan ${root} instead.`,
    );
    await expect(scanArchive(store, { roots: [join(link, '2024')], layout: sds })).rejects.toThrow(/^refusing to scan .*named-twice\/2024: it leads to/);
    expect((await report(store, 'XX.ALIAS')).segments).toHaveLength(1);
    expect((await scanArchive(store, { roots: [root], layout: sds })).filesUnchanged).toBe(1);
  });

  it('does not scan through a link inside a root the files it knows under an earlier root, names the link, and scans the rest', async () => {
    const sds = compileLayout('sds');
    const disk = join(temp, 'years-disk');
    writeDay(disk, 'LINKD', '2024-09-02', { samples: 600 });
    expect((await scanArchive(store, { roots: [disk], layout: sds })).filesScanned).toBe(1);
    // The archive's 2024 is that disk's: years linked to another disk, the disk also scanned as a root.
    const archive = join(temp, 'linked-archive');
    writeDay(archive, 'OWN', '2023-09-01', { samples: 600 });
    symlinkSync(join(disk, '2024'), join(archive, '2024'));
    for (let run = 0; run < 2; run++) {
      const scan = await scanArchive(store, { roots: [archive], layout: sds });
      expect([scan.filesSeen, scan.filesScanned + scan.filesUnchanged]).toEqual([1, 1]);
      expect(scan.failures).toEqual([
        {
          path: join(archive, '2024'),
          errorOffset: null,
          error: `not scanned: the link leads to ${realpathSync(join(disk, '2024'))}, whose files the store knows under ${disk} (scanned before as a root of its own); through the link every one would be stored a second time`,
        },
      ]);
    }
    expect((await report(store, 'XX.LINKD')).segments).toHaveLength(1);
    expect((await report(store, 'XX.OWN')).segments).toHaveLength(1);
  });

  it('forgets what a root stored through a link before the folder it leads to was scanned as a root of its own, and skips links into an ancestor scanned before', async () => {
    const sds = compileLayout('sds');
    // The other order: the archive first (its 2024 followed into the disk), then the disk: stored twice until the archive's next scan.
    const disk = join(temp, 'later-disk');
    writeDay(disk, 'TWICE', '2024-09-03', { samples: 600 });
    const archive = join(temp, 'early-archive');
    writeDay(archive, 'ONCE', '2023-09-01', { samples: 600 });
    symlinkSync(join(disk, '2024'), join(archive, '2024'));
    expect((await scanArchive(store, { roots: [archive], layout: sds })).filesScanned).toBe(2);
    expect((await scanArchive(store, { roots: [disk], layout: sds })).filesScanned).toBe(1);
    expect((await report(store, 'XX.TWICE')).segments).toHaveLength(2);
    const again = await scanArchive(store, { roots: [archive], layout: sds });
    expect([again.filesSeen, again.filesDeleted, again.failures.map((failure) => failure.path)]).toEqual([1, 1, [join(archive, '2024')]]);
    expect((await report(store, 'XX.TWICE')).segments.map((segment) => segment.samples)).toEqual([600]);
    expect((await store.files()).filter((file) => file.path.includes('TWICE')).map((file) => file.path)).toEqual([join(disk, '2024', 'XX', 'TWICE', 'LHZ.D', 'XX.TWICE..LHZ.D.2024.247')]);

    // A root scanned before that holds this one: a link from this one to elsewhere in it is not followed.
    const top = join(temp, 'top');
    writeDay(join(top, 'other'), 'ELSE', '2024-09-04', { samples: 600 });
    writeDay(join(top, 'archive'), 'MINE', '2023-09-02', { samples: 600 });
    expect((await scanArchive(store, { roots: [top], layout: compileLayout('**/*') })).filesScanned).toBe(2);
    symlinkSync(join(top, 'other', '2024'), join(top, 'archive', '2024'));
    const inner = await scanArchive(store, { roots: [join(top, 'archive')], layout: sds });
    expect([inner.filesSeen, inner.failures.map((failure) => failure.path)]).toEqual([1, [join(top, 'archive', '2024')]]);
    expect((await report(store, 'XX.ELSE')).segments).toHaveLength(1);
  });

  it('goes on past a folder and a file whose names are not valid UTF-8, and names both as not scanned', async () => {
    const root = join(temp, 'latin1');
    const good = writeDay(root, 'GOOD', '2024-08-01', { samples: 600 });
    const copy = readFileSync(good);
    // Names in ISO-8859-1 ("São" and "Tromsø"), as an old system may have written them.
    const folder = Buffer.concat([Buffer.from(`${root}/S`), Buffer.from([0xe3]), Buffer.from('o')]);
    mkdirSync(folder);
    writeFileSync(Buffer.concat([folder, Buffer.from('/inside.mseed')]), copy);
    writeFileSync(Buffer.concat([Buffer.from(`${root}/troms`), Buffer.from([0xf8]), Buffer.from('.mseed')]), copy);
    const scanned = await scanArchive(store, { roots: [root], layout: compileLayout('**/*') });
    expect([scanned.filesSeen, scanned.filesScanned]).toEqual([1, 1]);
    expect(scanned.failures).toEqual([
      { path: join(root, 'S\uFFFDo'), error: "not scanned: the folder's name is not valid UTF-8, so its files were not scanned (lacuna keeps paths as text); rename it", errorOffset: null },
      { path: join(root, 'troms\uFFFD.mseed'), error: 'not scanned: its name is not valid UTF-8 (lacuna keeps paths as text); rename it', errorOffset: null },
    ]);
    expect((await report(store, 'XX.GOOD')).segments.map((segment) => segment.samples)).toEqual([600]);
  });

  it.skipIf(process.getuid?.() === 0)('keeps the files known in a folder it cannot list, and names the folder', async () => {
    const root = join(temp, 'locked');
    const path = writeDay(root, 'LOCK', '2024-08-02', { samples: 600 });
    writeDay(root, 'OPEN', '2024-08-02', { samples: 600 });
    expect((await scanArchive(store, { roots: [root], layout: compileLayout('sds') })).filesScanned).toBe(2);
    const station = dirname(dirname(path));
    chmodSync(station, 0o000);
    try {
      const again = await scanArchive(store, { roots: [root], layout: compileLayout('sds') });
      expect([again.filesDeleted, again.failures.map((failure) => failure.path)]).toEqual([0, [station]]);
      expect(again.failures[0].error).toMatch(/^not scanned: the folder cannot be listed \(EACCES/);
    } finally {
      chmodSync(station, 0o755);
    }
    expect((await report(store, 'XX.LOCK')).segments).toHaveLength(1);
  });

  it.skipIf(process.getuid?.() === 0)('keeps a known file it cannot stat (a link into a folder it may not enter), and names it', async () => {
    const root = join(temp, 'linked-file');
    const locked = join(temp, 'locked-disk');
    const real = writeDay(locked, 'HIDE', '2024-08-03', { samples: 600 });
    mkdirSync(root, { recursive: true });
    const link = join(root, 'XX.HIDE..LHZ.D.2024.216');
    symlinkSync(real, link);
    expect((await scanArchive(store, { roots: [root], layout: flat })).filesScanned).toBe(1);
    chmodSync(dirname(real), 0o000);
    try {
      const again = await scanArchive(store, { roots: [root], layout: flat });
      expect([again.filesDeleted, again.failures.map((failure) => failure.path), again.emptyRoots]).toEqual([0, [link], []]);
      expect(again.failures[0].error).toMatch(/^not scanned: its size and time cannot be read \(EACCES/);
    } finally {
      chmodSync(dirname(real), 0o755);
    }
    expect((await report(store, 'XX.HIDE')).segments).toHaveLength(1);
  });

  it('refuses a root that does not exist, naming it', async () => {
    await expect(scanArchive(store, { roots: [join(temp, 'missing')], layout: flat })).rejects.toThrow(/missing: no such file or directory/);
  });

  it('scans a file given by name whatever the layout, once when its folder is given too', async () => {
    const root = join(temp, 'by-name');
    const path = writeDay(root, 'NAMED', '2024-07-01', { samples: 600 });
    const sds = compileLayout('sds');
    const alone = await scanArchive(store, { roots: [path], layout: compileLayout('{NET}/never/*') });
    expect([alone.filesSeen, alone.filesScanned, alone.failures.length]).toEqual([1, 1, 0]);
    const both = await scanArchive(store, { roots: [root, path], layout: sds });
    expect([both.filesSeen, both.filesScanned, both.filesDeleted]).toEqual([1, 0, 0]);
    expect((await report(store, 'XX.NAMED')).segments.map((s) => s.samples)).toEqual([600]);
  });
});
