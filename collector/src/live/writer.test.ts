import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseChannelPatterns } from '@lacuna/core';
import type { LiveBatch } from '@lacuna/core';
import type { Store } from '@lacuna/core';
import { testBackends } from '@lacuna/core/testing';
import { parseTime } from '@lacuna/core';
import { parseExpectedStreamsCsv } from './expected-streams.ts';
import { refusingStore, switchableStore, until } from './testing.ts';
import { LiveWriter } from './writer.ts';

const S = 1_000_000;
const T0 = parseTime('2024-06-01T00:00:00Z');
const ALL = { start: parseTime('2000-01-01'), end: parseTime('2100-01-01') };

/** Batch k of a 1 Hz channel: the 10 samples from T0 + 10k s. */
function batch(station: string, source: string, k: number, id: number): LiveBatch {
  const start = T0 + k * 10 * S;
  const end = start + 9 * S;
  const id4 = { network: 'XW', station, location: '', channel: 'LHZ' };
  return {
    source,
    id,
    createdAt: id,
    pieces: [{ ...id4, quality: 'D', sampleRate: 1, start, end, samples: 10, toleranceUs: 500_000, firstSeen: end + S }],
    latest: [{ ...id4, stream: '', lastSample: end, receivedAt: end + S }],
  };
}

describe.each(testBackends())('live writer on $name', (backend) => {
  let real: Store;
  const dirs: string[] = [];
  const spoolDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'lacuna-spool-'));
    dirs.push(dir);
    return dir;
  };
  beforeAll(async () => {
    real = await backend.open();
  });
  afterAll(async () => {
    await backend.dispose(real);
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  /** The station's stored segments after compaction: [start, samples]. */
  async function storedRuns(writer: LiveWriter, station: string) {
    await writer.compactNow();
    const segments = await real.segments({ patterns: parseChannelPatterns(`XW.${station}`), window: ALL });
    return segments.map((s) => [s.start, s.samples]);
  }

  it('brings the daily rollups of a day written once up to date at compaction', async () => {
    const writer = await LiveWriter.open(real, { spoolDir: spoolDir(), compactEveryMs: 0, log: () => {} });
    expect(await writer.submit(batch('ONCE', 'filedrop:/once', 0, writer.nextBatchId()))).toBe('stored');
    await writer.compactNow();
    const result = await real.client.query({
      query: "SELECT toString(day) AS day, covered_us FROM availability_daily FINAL WHERE station = 'ONCE'",
      format: 'JSONEachRow',
    });
    expect(await result.json()).toEqual([{ day: '2024-06-01', covered_us: 10 * S }]);
    await writer.close();
  });

  it('spools while the store is unreachable and writes everything once when it is back', async () => {
    const { store, setMode } = switchableStore(real);
    const logs: string[] = [];
    const writer = await LiveWriter.open(store, { spoolDir: spoolDir(), retry: { initialMs: 20, maxMs: 100 }, compactEveryMs: 0, log: (l) => logs.push(l) });
    expect(await writer.submit(batch('DOWN', 'seedlink://a', 0, writer.nextBatchId()))).toBe('stored');
    setMode('down');
    const outcomes = [];
    for (let k = 1; k <= 20; k++) outcomes.push(await writer.submit(batch('DOWN', 'seedlink://a', k, writer.nextBatchId())));
    expect(outcomes.every((o) => o === 'spooled')).toBe(true);
    expect(writer.status().spoolFiles).toBeGreaterThan(0);
    setMode('up');
    await until('the spool to be replayed', () => writer.status().spoolFiles === 0);
    await writer.settle();
    // 21 batches of 10 contiguous samples: one run of 210 samples.
    expect(await storedRuns(writer, 'DOWN')).toEqual([[T0, 210]]);
    expect(logs.some((l) => /store unreachable, live data goes to the spool/.test(l))).toBe(true);
    expect(logs.some((l) => /spool replayed/.test(l))).toBe(true);
    await writer.close();
  });

  it('stores once what reached the store although its answer was lost', async () => {
    const { store, setMode } = switchableStore(real);
    const writer = await LiveWriter.open(store, { spoolDir: spoolDir(), retry: { initialMs: 20, maxMs: 100 }, compactEveryMs: 0, log: () => {} });
    setMode('lose-acks');
    expect(await writer.submit(batch('ACK', 'seedlink://b', 0, writer.nextBatchId()))).toBe('spooled');
    setMode('up');
    await until('the spool to be replayed', () => writer.status().spoolFiles === 0);
    await writer.settle();
    const raw = await real.segments({ patterns: parseChannelPatterns('XW.ACK'), window: ALL });
    expect(raw.map((s) => [s.start, s.samples])).toEqual([[T0, 10]]);
    await writer.close();
  });

  it('keeps a flood to a bounded queue in memory, spools the rest, and loses and doubles nothing', async () => {
    const { store, setMode } = switchableStore(real);
    const writer = await LiveWriter.open(store, { spoolDir: spoolDir(), maxQueuedBatches: 4, retry: { initialMs: 20, maxMs: 100 }, compactEveryMs: 0, log: () => {} });
    setMode('down');
    // The first write fails while more arrive: everything waiting goes to the spool.
    const submissions: Promise<unknown>[] = [];
    let mostQueued = 0;
    for (let k = 0; k < 200; k++) {
      submissions.push(writer.submit(batch('FLOOD', 'seedlink://c', k, writer.nextBatchId())));
      mostQueued = Math.max(mostQueued, writer.status().queued);
      if (k === 100) setMode('up');
    }
    await Promise.all(submissions);
    expect(mostQueued).toBeLessThanOrEqual(4);
    await until('the spool to be replayed', () => writer.status().spoolFiles === 0);
    await writer.settle();
    expect(await storedRuns(writer, 'FLOOD')).toEqual([[T0, 2000]]);
    await writer.close();
  });

  it('says when a store that is up falls behind and live data goes to the spool, once, and when it has caught up', async () => {
    const logs: string[] = [];
    const writer = await LiveWriter.open(real, { spoolDir: spoolDir(), maxQueuedBatches: 2, compactEveryMs: 0, log: (line) => logs.push(line) });
    const submissions = Array.from({ length: 40 }, (_, k) => writer.submit(batch('BEHIND', 'seedlink://e', k, writer.nextBatchId())));
    await Promise.all(submissions);
    await until('the spool to be replayed', () => writer.status().spoolFiles === 0);
    await writer.settle();
    expect(logs.filter((line) => /^live: the store is behind \(2 batches waiting to be written\): live data goes to the spool .* until it catches up$/.test(line))).toHaveLength(1);
    expect(logs).toContain('live: spool replayed: everything received while the store was away is stored');
    expect(await storedRuns(writer, 'BEHIND')).toEqual([[T0, 400]]);
    await writer.close();
  });

  it('replays at start what an earlier run left in its spool, and sets aside a line torn by a crash', async () => {
    const dir = spoolDir();
    const { store, setMode } = switchableStore(real);
    setMode('down');
    const first = await LiveWriter.open(store, { spoolDir: dir, retry: { initialMs: 60_000, maxMs: 60_000 }, compactEveryMs: 0, log: () => {} });
    for (let k = 0; k < 5; k++) await first.submit(batch('RESTART', 'seedlink://d', k, first.nextBatchId()));
    await first.close();
    const [file] = readdirSync(dir);
    appendFileSync(join(dir, file), '{"source":"seedlink://d","id":1,"pie');
    const logs: string[] = [];
    const second = await LiveWriter.open(real, { spoolDir: dir, compactEveryMs: 0, log: (l) => logs.push(l) });
    await until('the spool to be replayed', () => second.status().spoolFiles === 0);
    await second.settle();
    expect(await storedRuns(second, 'RESTART')).toEqual([[T0, 50]]);
    expect(logs.some((l) => /line 6 is not a batch and is kept aside/.test(l))).toBe(true);
    expect(readdirSync(dir).sort()).toEqual([`${file}.rejected`, 'spool.lock']);
    await second.close();
    expect(readdirSync(dir)).toEqual([`${file}.rejected`]);
  });

  it('gives new channels the thresholds of the expected-streams rules', async () => {
    const rules = parseExpectedStreamsCsv('stream,expected_rate,warn_interval,fail_interval\nXW.THRESH.*.LHZ,1,60,300\n', 'expected.csv');
    const writer = await LiveWriter.open(real, { spoolDir: spoolDir(), compactEveryMs: 0, rules, log: () => {} });
    await writer.submit(batch('THRESH', 'seedlink://e', 0, writer.nextBatchId()));
    const [epoch] = await real.epochs(parseChannelPatterns('XW.THRESH'));
    expect([epoch.sampleRate, epoch.warnS, epoch.failS]).toEqual([1, 60, 300]);
    await writer.close();
  });

  it('stores a batch of 101 items in 101 months at once, where it used to spool it and replay it forever (issue 11 case 4)', async () => {
    const writer = await LiveWriter.open(real, { spoolDir: spoolDir(), compactEveryMs: 0, log: () => {} });
    const id4 = { network: 'XW', station: 'MONTH', location: '', channel: 'LHZ' };
    const pieces = Array.from({ length: 101 }, (_, k) => {
      const start = parseTime(`${2010 + Math.floor(k / 12)}-${String((k % 12) + 1).padStart(2, '0')}-01T00:00:00Z`);
      return { ...id4, quality: 'D', sampleRate: 1, start, end: start + 9 * S, samples: 10, toleranceUs: 500_000, firstSeen: start + 10 * S };
    });
    const months: LiveBatch = { source: 'push', id: 101, createdAt: 101, contentAddressed: true, pieces, latest: [] };
    expect(await writer.submit(months)).toBe('stored');
    expect(writer.status()).toMatchObject({ storeUp: true, spoolFiles: 0, deadLetterBatches: 0 });
    expect(await real.segments({ patterns: parseChannelPatterns('XW.MONTH'), window: ALL })).toHaveLength(101);
    await writer.close();
  });

  it('sets a batch the store refuses for its content aside with the reason, and stores every batch behind it, also after a restart', async () => {
    const dir = spoolDir();
    const picky = refusingStore(real, (table, row) => table === 'segments' && row.station === 'POISN');
    const logs: string[] = [];
    const writer = await LiveWriter.open(picky, { spoolDir: dir, compactEveryMs: 0, log: (l) => logs.push(l) });
    expect(await writer.submit(batch('POISN', 'push', 0, writer.nextBatchId()))).toBe('spooled');
    const after = [];
    for (let k = 1; k <= 3; k++) after.push(await writer.submit(batch('AFTER', 'push', k, writer.nextBatchId())));
    await until('the spool to be replayed', () => writer.status().spoolFiles === 0);
    await writer.settle();
    expect(writer.status()).toMatchObject({ storeUp: true, deadLetterBatches: 1 });
    expect(await storedRuns(writer, 'AFTER')).toEqual([[T0 + 10 * S, 30]]);
    const [line] = readFileSync(join(dir, 'dead-letter.ndjson'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { reason: string; batch: LiveBatch });
    expect(line.reason).toMatch(/^Cannot parse input/);
    expect(line.batch.pieces[0].station).toBe('POISN');
    expect(logs.some((l) => /refused by the store for its content and set aside in .*dead-letter\.ndjson: Cannot parse input/.test(l))).toBe(true);
    await writer.close();

    // A spool left with a refused batch in it (by a run before the dead-letter file existed) is replayed past it at the next start.
    appendFileSync(join(dir, 'spool-000000000099.ndjson'), `${JSON.stringify(batch('POISN', 'push', 9, 9))}\n${JSON.stringify(batch('LATER', 'push', 9, 10))}\n`);
    const restarted = await LiveWriter.open(picky, { spoolDir: dir, compactEveryMs: 0, log: () => {} });
    await until('the spool to be replayed', () => restarted.status().spoolFiles === 0);
    await restarted.settle();
    expect(restarted.status()).toMatchObject({ storeUp: true, deadLetterBatches: 2 });
    expect(await real.segments({ patterns: parseChannelPatterns('XW.LATER'), window: ALL })).toHaveLength(1);
    await restarted.close();
  });
});

describe('expected-streams CSV', () => {
  it('reads the ooi-status columns: a stream name and method for every reference designator, 0,0,0 not tracked', () => {
    const rules = parseExpectedStreamsCsv(
      'name,method,expected_rate,warn_interval,fail_interval\nctdbp_cdef_dcl_instrument,telemetered,1,120,600\nadcp_config,streamed,0,0,0\n',
      'streamed_expected.csv',
    );
    expect(rules.map(({ expectedRate, warnS, failS }) => [expectedRate, warnS, failS])).toEqual([
      [1, 120, 600],
      [null, null, null],
    ]);
    expect(rules[0].patterns).toEqual(parseChannelPatterns('*.*.*.telemetered-ctdbp_cdef_dcl_instrument'));
  });

  it('reads quoted fields and counts comment and blank lines in its line numbers', () => {
    const header = '# thresholds of the observatory\n"stream",expected_rate,warn_interval,fail_interval\n';
    const rules = parseExpectedStreamsCsv(`${header}"XW.*.*.LH?", 1 ,60,300\n`, 'e.csv');
    expect(rules).toEqual([{ patterns: parseChannelPatterns('XW.*.*.LH?'), expectedRate: 1, warnS: 60, failS: 300 }]);
    expect(() => parseExpectedStreamsCsv(`${header}XW.A,1,60,300\n\nXW.B,ten,1,1\n`, 'e.csv')).toThrow('e.csv line 5: expected_rate "ten" is not a number ≥ 0');
    expect(() => parseExpectedStreamsCsv(`${header}"XW.A,1,60,300\n`, 'e.csv')).toThrow('e.csv line 3: unterminated quoted field');
  });

  it('names the file, line and fault of a bad row', () => {
    expect(() => parseExpectedStreamsCsv('stream,expected_rate,warn_interval,fail_interval\nA-B/x,1,ten,60\n', 'e.csv')).toThrow(
      'e.csv line 2: warn_interval "ten" is not a number ≥ 0',
    );
    expect(() => parseExpectedStreamsCsv('stream,rate\n', 'e.csv')).toThrow(/e.csv line 1: unknown column rate/);
    expect(() => parseExpectedStreamsCsv('stream,expected_rate,warn_interval,fail_interval,warn_interval\nA-B/x,1,60,300,99\n', 'e.csv')).toThrow(
      'e.csv line 1: column warn_interval appears twice',
    );
    expect(() => parseExpectedStreamsCsv('stream,expected_rate,warn_interval,fail_interval\nA--B,1,1,1\n', 'e.csv')).toThrow(/e.csv line 2: bad stream id "A--B"/);
  });
});
