import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { availabilityRows, groupByChannel, type AvailabilityRow } from '../report.ts';
import { channelKey } from '../channel.ts';
import { MICROS_PER_DAY, type ChannelEpoch } from '../model.ts';
import { parseTime } from '../time.ts';
import { parseToleranceRule, type ToleranceRule } from '../tolerance-rules.ts';
import { testBackends } from '../testing/store-backends.ts';
import {
  channelExtents,
  changedEpochChannels,
  channelKeysFilter,
  completenessRate,
  ensureRollups,
  neighboursQuery,
  refreshChunks,
  segmentsWithinQuery,
  touchDays,
  type TouchedDays,
} from './rollups.ts';
import type { Store } from './store.ts';
import { fileScanOf, segmentOf } from '../testing/scans.ts';

const t = (text: string) => parseTime(text);
const DAY = MICROS_PER_DAY;

const segment = segmentOf;
const fileScan = fileScanOf;

function epoch(channel: string, start: string, end: string | null, sampleRate: number | null = 1): ChannelEpoch {
  const [network, station, location, code] = channel.split('.');
  return { network, station, location, channel: code, start: t(start), end: end === null ? null : t(end), sampleRate, latitude: 1, longitude: 2, elevation: null, warnS: null, failS: null };
}

const A = 'XX.AAA.00.LHZ';
const B = 'XX.BBB..VHZ';
const WINDOW = { start: t('2024-03-01'), end: t('2024-03-15') };

interface StoredRollup {
  channel: string;
  bucket: number;
  percent: number | null;
  covered_s: number;
  expected_s: number;
  gaps: number;
  max_gap_s: number;
  overlaps: number;
  samples: number;
  sample_rate: number;
}

async function storedRollups(store: Store): Promise<StoredRollup[]> {
  const result = await store.client.query({
    query: `SELECT network, station, location, channel, toInt32(day) AS d, covered_us, expected_us, gaps, max_gap_us, overlaps, samples, sample_rate
            FROM availability_daily FINAL ORDER BY network, station, location, channel, day`,
    format: 'JSONEachRow',
  });
  const list = await result.json<{ network: string; station: string; location: string; channel: string; d: number; covered_us: number; expected_us: number; gaps: number; max_gap_us: number; overlaps: number; samples: number; sample_rate: number }>();
  return list.map((row) => ({
    channel: channelKey(row),
    bucket: row.d * DAY,
    // As core availabilityByBucket computes them from the same integers.
    percent: row.expected_us > 0 ? (100 * row.covered_us) / row.expected_us : null,
    covered_s: row.covered_us / 1e6,
    expected_s: row.expected_us / 1e6,
    gaps: row.gaps,
    max_gap_s: row.max_gap_us / 1e6,
    overlaps: row.overlaps,
    samples: row.samples,
    sample_rate: row.sample_rate,
  }));
}

/** What `lacuna availability --by day` prints for the window, from the stored segments. */
async function cliRows(store: Store, tolerance: readonly ToleranceRule[]): Promise<AvailabilityRow[]> {
  const [channels, segments, epochs] = await Promise.all([
    store.channels([]),
    store.segments({ patterns: [], window: WINDOW, neighbors: true }),
    store.epochs([]),
  ]);
  return availabilityRows(groupByChannel(channels, segments, epochs), { window: WINDOW, mergeQuality: true, tolerance, bucket: 'day' });
}

/**
 * The rollups equal the CLI's rows exactly on the days they hold, and the days they do not hold
 * are days without data or overlaps, whose expected time (if any) is one open gap (the
 * documented meaning of a missing row).
 */
async function expectRollupsEqualCli(store: Store, tolerance: readonly ToleranceRule[] = []): Promise<StoredRollup[]> {
  const stored = await storedRollups(store);
  const byKey = new Map(stored.map((row) => [`${row.channel}/${row.bucket}`, row]));
  for (const row of await cliRows(store, tolerance)) {
    const rollup = byKey.get(`${row.channel}/${row.bucket}`);
    if (rollup === undefined) {
      expect({ channel: row.channel, day: row.bucket, covered: row.covered_s, gaps: row.gaps, overlaps: row.overlaps }).toEqual({
        channel: row.channel,
        day: row.bucket,
        covered: 0,
        gaps: row.expected_s > 0 ? 1 : 0,
        overlaps: 0,
      });
      continue;
    }
    const { samples: _samples, sample_rate: _rate, ...figures } = rollup;
    expect(figures).toEqual({ ...row });
  }
  return stored;
}

describe('rollup pieces', () => {
  it('sees which channels\' epochs changed in what the rollups depend on', () => {
    const a = epoch(A, '2024-01-01', null, 1);
    const b = epoch(B, '2024-01-01', '2024-02-01', 0.1);
    expect(changedEpochChannels([a, b], [{ ...b, latitude: 5, warnS: 60 }, a])).toEqual([]);
    expect(changedEpochChannels([a, b], [a, { ...b, end: null }]).map(channelKey)).toEqual([B]);
    expect(changedEpochChannels([a, b], [{ ...a, sampleRate: 2 }]).map(channelKey)).toEqual([A, B]);
  });

  it('touchDays widens to whole UTC days and merges spans per channel', () => {
    const touched: TouchedDays = new Map();
    const id = { network: 'XX', station: 'AAA', location: '00', channel: 'LHZ' };
    touchDays(touched, id, t('2024-03-02T10:00:00Z'), t('2024-03-02T11:00:00Z'));
    touchDays(touched, id, t('2024-03-05T23:59:59Z'), t('2024-03-06T00:00:00Z'));
    expect(touched.get(A)).toEqual({ id, from: t('2024-03-02'), to: t('2024-03-07') });
  });

  it('refreshes many channels of a few days each in few chunks, and long histories in chunks of 200 channels', () => {
    const channels = (count: number, days: number) => Array.from({ length: count }, (_, i) => ({ i, from: 0, to: days * MICROS_PER_DAY }));
    // A daily scan of 10,000 channels (two days touched each): 5 chunks of 2,000, not 50 of 200.
    expect(refreshChunks(channels(10_000, 2)).map((chunk) => chunk.length)).toEqual([2000, 2000, 2000, 2000, 2000]);
    // 300 channels × 10 days (a first scan of ten day files each): one chunk.
    expect(refreshChunks(channels(300, 10)).map((chunk) => chunk.length)).toEqual([300]);
    // Ten years each: 200 channels a chunk, as a year's worth would be.
    expect(refreshChunks(channels(450, 3653)).map((chunk) => chunk.length)).toEqual([200, 200, 50]);
    expect(refreshChunks(channels(450, 366)).map((chunk) => chunk.length)).toEqual([200, 200, 50]);
    // Every channel is refreshed once, in order.
    expect(refreshChunks(channels(4321, 1)).flat().map((c) => c.i)).toEqual(Array.from({ length: 4321 }, (_, i) => i));
    // A chunk is read over the union of its windows: one channel backfilled years ago among
    // channels of today does not make 2,000 channels read ten years of segments.
    const today = 3652 * MICROS_PER_DAY;
    const mixed = [
      ...Array.from({ length: 300 }, (_, i) => ({ i, from: today, to: today + MICROS_PER_DAY })),
      { i: 300, from: 0, to: today + MICROS_PER_DAY },
      ...Array.from({ length: 300 }, (_, i) => ({ i: 301 + i, from: today, to: today + MICROS_PER_DAY })),
    ];
    expect(refreshChunks(mixed).map((chunk) => chunk.length)).toEqual([300, 200, 101]);
  });

  it('picks the metadata rate for completeness, else the rate the day\'s segments share', () => {
    const day = { start: t('2024-03-02'), end: t('2024-03-03') };
    const seg = { start: day.start, end: day.start + 99e6, samples: 100, sampleRate: 1, quality: 'D' };
    expect(completenessRate([epoch(A, '2024-01-01', null, 20)], [seg], day)).toBe(20);
    expect(completenessRate([epoch(A, '2024-01-01', '2024-03-02', 20)], [seg], day)).toBe(1);
    expect(completenessRate([epoch(A, '2024-01-01', null, null)], [seg, { ...seg, sampleRate: 2 }], day)).toBe(0);
    expect(completenessRate([], [], day)).toBe(0);
  });

  it('builds SQL with placeholders only; channel codes travel as parameters', () => {
    const hostile = { network: "X'); DROP TABLE segments; --", station: 'S', location: '', channel: 'C' };
    const filter = channelKeysFilter([hostile]);
    expect(filter.sql).not.toContain('DROP');
    expect(filter.params.keys_n).toEqual([hostile.network]);
    const within = segmentsWithinQuery(filter, 1, 2);
    expect(within.sql).not.toContain('DROP');
    expect(within.params).toMatchObject({ aroundFrom: 1, aroundTo: 2 });
    const neighbours = neighboursQuery([hostile], [], 5, 6);
    expect(neighbours.sql).not.toContain('DROP');
    expect(neighbours.params).toMatchObject({ before_n: [hostile.network], after_n: [], neighboursFrom: 5, neighboursTo: 6 });
  });
});

describe.each(testBackends())('rollups on $name', (backend) => {
  let store: Store;
  beforeAll(async () => {
    store = await backend.open();
  });
  afterAll(async () => {
    await backend.dispose(store);
  });

  it('equal the CLI per day after scans with gaps across midnight, a silent day and an overlap', async () => {
    const scans = [
      // Day files of A: 03-02 full; 03-03 stops at 22:00; 03-04 silent; 03-05 from 03:00, with an overlap.
      fileScan('/a/2024.062', '2024-03-03T00:00:05Z', [segment(A, '2024-03-02T00:00:00Z', 86_400)]),
      fileScan('/a/2024.063', '2024-03-04T00:00:05Z', [segment(A, '2024-03-03T00:00:00Z', 79_200)]),
      fileScan('/a/2024.065', '2024-03-06T00:00:05Z', [
        segment(A, '2024-03-05T03:00:00Z', 3600),
        segment(A, '2024-03-05T03:59:30Z', 72_030),
      ]),
      // B at 0.1 Hz, no metadata: expected everywhere.
      fileScan('/b/2024.062', '2024-03-03T00:00:05Z', [segment(B, '2024-03-02T06:00:00Z', 1000, 0.1)]),
    ];
    await store.storeFileScans(scans, 1);
    const stored = await expectRollupsEqualCli(store);
    const silent = stored.find((row) => row.channel === A && row.bucket === t('2024-03-04'))!;
    expect(silent).toMatchObject({ covered_s: 0, gaps: 1, max_gap_s: 86_400 });
    const overlapDay = stored.find((row) => row.channel === A && row.bucket === t('2024-03-05'))!;
    expect(overlapDay.overlaps).toBe(1);
    // Regular 1 Hz data without metadata: the segments' rate.
    expect(stored.find((row) => row.channel === A && row.bucket === t('2024-03-02'))).toMatchObject({ samples: 86_400, sample_rate: 1, percent: 100 });
    const extents = await channelExtents(store, { sql: '1', params: {} });
    expect(extents.get(A)).toMatchObject({ first: t('2024-03-02'), last: t('2024-03-05T23:59:59Z'), segments: 4 });
  });

  it('follow metadata epochs when they change (expected time, completeness rate)', async () => {
    await store.replaceEpochs('/meta.csv', [epoch(A, '2024-03-01', '2024-03-05T12:00:00Z', 2), epoch(B, '2024-03-02T12:00:00Z', null, null)]);
    const stored = await expectRollupsEqualCli(store);
    const lastDay = stored.find((row) => row.channel === A && row.bucket === t('2024-03-05'))!;
    expect(lastDay.expected_s).toBe(12 * 3600);
    expect(lastDay.sample_rate).toBe(2);
    // Loading the same metadata again recomputes nothing.
    const versions = async () => (await (await store.client.query({ query: 'SELECT max(computed_at) AS v FROM availability_daily', format: 'JSONEachRow' })).json<{ v: string }>())[0].v;
    const version = await versions();
    await store.replaceEpochs('/meta.csv', [epoch(B, '2024-03-02T12:00:00Z', null, null), epoch(A, '2024-03-01', '2024-03-05T12:00:00Z', 2)]);
    expect(await versions()).toBe(version);
    await store.replaceEpochs('/meta.csv', []);
    const after = await expectRollupsEqualCli(store);
    expect(after.find((row) => row.channel === A && row.bucket === t('2024-03-05'))!.expected_s).toBe(86_400);
  });

  it('follow a rescan that fills the silent day and a deletion that empties a day again', async () => {
    await store.storeFileScans([fileScan('/a/2024.064', '2024-03-08T00:00:00Z', [segment(A, '2024-03-03T22:00:00Z', 29 * 3600)])], 2);
    let stored = await expectRollupsEqualCli(store);
    expect(stored.find((row) => row.channel === A && row.bucket === t('2024-03-04'))).toMatchObject({ percent: 100, gaps: 0 });
    expect(stored.find((row) => row.channel === A && row.bucket === t('2024-03-03'))).toMatchObject({ percent: 100, gaps: 0 });

    await store.forgetFiles(['/a/2024.063'], 3);
    stored = await expectRollupsEqualCli(store);
    expect(stored.find((row) => row.channel === A && row.bucket === t('2024-03-03'))).toMatchObject({ covered_s: 2 * 3600, gaps: 1 });

    // The last file of B goes: B has no data left, its extent is marked deleted, its days are empty.
    await store.forgetFiles(['/b/2024.062'], 4);
    await expectRollupsEqualCli(store);
    const extents = await channelExtents(store, { sql: '1', params: {} });
    expect(extents.has(B)).toBe(false);
  });

  it('build the rollups of channels inserted without them', async () => {
    const C = 'XX.CCC.00.LHZ';
    const pieces = [segment(C, '2024-03-07T00:00:00Z', 40_000), segment(C, '2024-03-08T12:00:00Z', 100_000)];
    await store.client.insert({
      table: 'segments',
      values: pieces.map((p) => ({ ...p, sample_rate: p.sampleRate, start_time: p.start, end_time: p.end, tolerance_us: p.toleranceUs, source: '/direct', scan_id: 9, first_seen: p.end })),
      format: 'JSONEachRow',
    });
    expect(await ensureRollups(store)).toBe(1);
    expect(await ensureRollups(store)).toBe(0);
    const stored = await expectRollupsEqualCli(store);
    expect(stored.filter((row) => row.channel === C).map((row) => row.bucket)).toEqual([t('2024-03-07'), t('2024-03-08'), t('2024-03-09')]);
  });

  it('follow new metadata with the join tolerance they are given, as the scans that stored the data', async () => {
    const D = 'XX.DDD.00.LHZ';
    // Two hours of 1 Hz data with 3 s missing in between: a gap at 0.5Δ, none at 5 s.
    await store.storeFileScans([fileScan('/d/2024.070', '2024-03-11T00:00:05Z', [segment(D, '2024-03-10T10:00:00Z', 3600), segment(D, '2024-03-10T11:00:03Z', 3600)])], 5);
    const day = async () => (await storedRollups(store)).find((row) => row.channel === D && row.bucket === t('2024-03-10'))!;
    // The 3 s gap, and the day's open gaps before 10:00 and after 12:00:02.
    expect((await day()).gaps).toBe(3);
    const tolerance = [parseToleranceRule(`${D}=5s`)];
    await store.replaceEpochs('/meta-d.csv', [epoch(D, '2024-03-10T09:00:00Z', null)], { tolerance });
    await expectRollupsEqualCli(store, tolerance);
    // Expected from 09:00: the open gaps before 10:00 and after the last sample at 12:00:02 remain; the 3 s are no gap at 5 s.
    expect(await day()).toMatchObject({ gaps: 2, max_gap_s: 12 * 3600 - 2 });
  });
});
