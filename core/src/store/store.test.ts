import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseChannelPatterns } from '../channel.ts';
import { parseTime } from '../time.ts';
import { testBackends } from '../testing/store-backends.ts';
import { migrate } from './migrations.ts';
import type { Store } from './store.ts';
import { fileScanOf, segmentOf } from '../testing/scans.ts';

const t = (text: string) => parseTime(text);
const ALL = { start: t('2000-01-01'), end: t('2100-01-01') };

const segment = segmentOf;
const fileScan = fileScanOf;

/** The states of the files known under `root`, by path. */
async function statesUnder(store: Store, root: string, options: { errorsOnly?: boolean } = {}) {
  return new Map((await store.files({ roots: [root], ...options })).map((file) => [file.path, file]));
}

describe.each(testBackends())('store on $name', (backend) => {
  let store: Store;
  beforeAll(async () => {
    store = await backend.open();
  });
  afterAll(async () => {
    await backend.dispose(store);
  });

  it('applies its migrations once and reports ready', async () => {
    expect(await store.ready()).toBe(true);
    expect(await migrate(store.client)).toEqual([]);
  });

  it('stores segments exactly to the microsecond and reads them back by channel pattern', async () => {
    await store.storeFileScans(
      [
        fileScan('/a/IU.ANMO.00.BHZ.2024.001', '2024-01-02T00:10:00Z', [segment('IU.ANMO.00.BHZ', '2024-01-01T00:00:00.123456Z', 1000, 20)]),
        fileScan('/a/IU.ANMO..LHZ.2024.001', '2024-01-02T00:10:00Z', [segment('IU.ANMO..LHZ', '2024-01-01T00:00:00.000001Z', 86400)]),
      ],
      1,
    );
    const bhz = await store.segments({ patterns: parseChannelPatterns('IU.ANMO.00.BH?'), window: ALL });
    expect(bhz).toHaveLength(1);
    expect(bhz[0]).toMatchObject({ channel: 'BHZ', location: '00', start: t('2024-01-01T00:00:00.123456Z'), samples: 1000, sampleRate: 20 });
    expect(bhz[0].end).toBe(t('2024-01-01T00:00:50.073456Z'));
    const emptyLocation = await store.segments({ patterns: parseChannelPatterns('IU.ANMO.--.*'), window: ALL });
    expect(emptyLocation.map((s) => s.channel)).toEqual(['LHZ']);
    expect(emptyLocation[0].firstSeen).toBe(t('2024-01-02T00:10:00Z'));
  });

  it('returns only segments covering part of the window, and neighbours across its edges on request', async () => {
    const path = '/b/GE.WLF..BHZ';
    await store.storeFileScans(
      [
        fileScan(path, '2024-02-10T00:00:00Z', [
          segment('GE.WLF..BHZ', '2024-02-01T00:00:00Z', 3600),
          segment('GE.WLF..BHZ', '2024-02-03T00:00:00Z', 3600),
          segment('GE.WLF..BHZ', '2024-02-05T00:00:00Z', 3600),
        ]),
      ],
      2,
    );
    const window = { start: t('2024-02-02T00:00:00Z'), end: t('2024-02-04T00:00:00Z') };
    const inside = await store.segments({ patterns: parseChannelPatterns('GE'), window });
    expect(inside.map((s) => s.start)).toEqual([t('2024-02-03T00:00:00Z')]);
    const withNeighbours = await store.segments({ patterns: parseChannelPatterns('GE'), window, neighbors: true });
    expect(withNeighbours.map((s) => s.start)).toEqual([t('2024-02-01T00:00:00Z'), t('2024-02-03T00:00:00Z'), t('2024-02-05T00:00:00Z')]);
    // The last sample is at 00:59:59; the record covers up to 01:00:00, so a window from there is empty.
    const edge = await store.segments({ patterns: parseChannelPatterns('GE'), window: { start: t('2024-02-01T01:00:00Z'), end: t('2024-02-01T02:00:00Z') } });
    expect(edge).toEqual([]);
  });

  it('finds each quality\'s neighbours by when they end and begin, and the newest sample of a channel whatever its quality', async () => {
    const day = 86_400;
    await store.storeFileScans(
      [
        fileScan('/n/long', '2024-03-11T00:00:00Z', [segment('XX.NEIGH..LHZ', '2024-03-01T00:00:00Z', 10 * day)]),
        fileScan('/n/short', '2024-03-06T00:00:00Z', [segment('XX.NEIGH..LHZ', '2024-03-05T00:00:00Z', 3600), segment('XX.NEIGH..LHZ', '2024-03-02T00:00:00Z', 3600, 1, 'Q')]),
        fileScan('/n/after', '2024-03-26T00:00:00Z', [
          segment('XX.NEIGH..LHZ', '2024-03-25T00:00:00Z', 3600),
          segment('XX.NEIGH..LHZ', '2024-03-20T00:00:00Z', 3600),
          segment('XX.NEIGH..LHZ', '2024-03-22T00:00:00Z', 3600, 1, 'Q'),
          segment('XX.NEIGH..LHZ', '2024-03-24T00:00:00Z', 3600, 1, 'Q'),
        ]),
        // The same last sample, seen earlier from another file: the earlier sighting counts.
        fileScan('/n/early', '2024-03-25T01:00:00Z', [segment('XX.NEIGH..LHZ', '2024-03-25T00:30:00Z', 1800, 1, 'R')]),
      ],
      3,
    );
    const window = { start: t('2024-03-12'), end: t('2024-03-15') };
    const neighbours = await store.segments({ patterns: parseChannelPatterns('XX.NEIGH'), window, neighbors: true });
    expect(neighbours.map((s) => [s.quality, s.start])).toEqual([
      ['D', t('2024-03-01')], // ends on 03-11, after the short one of 03-05 that starts later
      ['Q', t('2024-03-02')],
      ['D', t('2024-03-20')],
      ['Q', t('2024-03-22')],
      ['R', t('2024-03-25T00:30:00Z')],
    ]);
    const [latest] = await store.latestSegments(parseChannelPatterns('XX.NEIGH'));
    expect(latest).toMatchObject({ quality: 'R', start: t('2024-03-25T00:30:00Z'), end: t('2024-03-25T00:59:59Z'), firstSeen: t('2024-03-25T01:00:00Z') });
  });

  it('replaces a changed file\'s segments, keeping when old data was first seen', async () => {
    const path = '/c/XX.GROW..LHZ.2024.100';
    await store.storeFileScans([fileScan(path, '2024-04-09T12:00:00Z', [segment('XX.GROW..LHZ', '2024-04-09T00:00:00Z', 43200)])], 10);
    await store.storeFileScans([fileScan(path, '2024-04-10T00:05:00Z', [segment('XX.GROW..LHZ', '2024-04-09T00:00:00Z', 86400)], 8192)], 11);
    const stored = await store.segments({ patterns: parseChannelPatterns('XX.GROW'), window: ALL });
    expect(stored.reduce((sum, s) => sum + s.samples, 0)).toBe(86400);
    expect(stored.map((s) => [s.start, s.samples, s.firstSeen])).toEqual([
      [t('2024-04-09T00:00:00Z'), 43200, t('2024-04-09T12:00:00Z')],
      [t('2024-04-09T12:00:00Z'), 43200, t('2024-04-10T00:05:00Z')],
    ]);
    const state = (await statesUnder(store, '/c')).get(path);
    expect(state).toMatchObject({ size: 8192, mtime: t('2024-04-10T00:05:00Z'), status: 'ok' });
  });

  it('stores each segment once when a killed scan is run again', async () => {
    const path = '/d/XX.KILL..LHZ';
    const scan = fileScan(path, '2024-05-01T00:00:00Z', [segment('XX.KILL..LHZ', '2024-04-30T00:00:00Z', 86400)]);
    // A scan killed after writing segments but before its file row leaves them behind ...
    await store.client.insert({
      table: 'segments',
      values: [{ network: 'XX', station: 'KILL', location: '', channel: 'LHZ', quality: 'D', sample_rate: 1, start_time: t('2024-04-30T00:00:00Z'), end_time: t('2024-04-30T23:59:59Z'), samples: 86400, tolerance_us: 500000, source: path, scan_id: 20, first_seen: t('2024-05-01T00:00:00Z') }],
      format: 'JSONEachRow',
    });
    // ... and the next run stores the file again.
    await store.storeFileScans([scan], 21);
    const stored = await store.segments({ patterns: parseChannelPatterns('XX.KILL'), window: ALL });
    expect(stored).toHaveLength(1);
    expect(stored[0].samples).toBe(86400);
  });

  it('gives the state of every file under a root once, also of more files than one query reads, and the latest of each', async () => {
    const files = 20_001; // three queries' worth (fileStatePages reads 10,000 at a time)
    const state = (path: string, size: number) => ({ state: { path, size, mtime: t('2024-08-01T00:00:00Z'), status: 'ok' as const, error: '', errorOffset: null, records: 1, format: 2 } });
    const paths = Array.from({ length: files }, (_, i) => `/many/${String(i).padStart(6, '0')}`);
    await store.recordFileStates([...paths.map((path, i) => state(path, i)), state('/many-more/x', 1)], 40);
    // A later scan of every 1,000th file: each is given once, with its new size.
    await store.recordFileStates(paths.filter((_, i) => i % 1000 === 0).map((path, i) => state(path, 1e9 + i)), 41);
    const states = await statesUnder(store, '/many');
    expect(states.size).toBe(files);
    expect(paths.every((path, i) => states.get(path)?.size === (i % 1000 === 0 ? 1e9 + i / 1000 : i))).toBe(true);
    expect(states.has('/many-more/x')).toBe(false);
  });

  it('lists as failed only files whose last scan failed', async () => {
    const state = (path: string, status: 'ok' | 'error') => ({ state: { path, size: 900, mtime: t('2024-09-01T00:00:00Z'), status, error: status === 'error' ? 'truncated record' : '', errorOffset: status === 'error' ? 512 : null, records: 1, format: 2 } });
    await store.recordFileStates([state('/g/mended', 'error'), state('/g/broken', 'error'), state('/g/fine', 'ok')], 60);
    await store.recordFileStates([state('/g/mended', 'ok'), state('/g/broke-later', 'error')], 61);
    const failed = (await store.files({ errorsOnly: true })).map((file) => file.path).filter((path) => path.startsWith('/g/'));
    expect(failed).toEqual(['/g/broke-later', '/g/broken']);
    expect((await statesUnder(store, '/g', { errorsOnly: true })).get('/g/mended')).toBeUndefined();
  });

  it('forgets deleted files with their segments, and lists failed files with why', async () => {
    await store.storeFileScans(
      [
        fileScan('/e/gone', '2024-06-01T00:00:00Z', [segment('XX.GONE..LHZ', '2024-06-01T00:00:00Z', 10)]),
        { state: { path: '/e/bad', size: 900, mtime: t('2024-06-01T00:00:00Z'), status: 'error', error: 'truncated record: 388 of 512 bytes at end of file', errorOffset: 512, records: 1, format: 2 }, segments: [] },
      ],
      30,
    );
    await store.forgetFiles(['/e/gone'], 31);
    expect(await store.segments({ patterns: parseChannelPatterns('XX.GONE'), window: ALL })).toEqual([]);
    expect([...(await statesUnder(store, '/e')).keys()]).toEqual(['/e/bad']);
    const failed = (await store.files({ errorsOnly: true })).filter((f) => f.path.startsWith('/e/'));
    expect(failed.map((f) => [f.path, f.errorOffset, f.error])).toEqual([['/e/bad', 512, 'truncated record: 388 of 512 bytes at end of file']]);
  });

  it('replaces channel epochs per source and lists channels with data or metadata', async () => {
    const epoch = { network: 'ZZ', station: 'META', location: '', channel: 'LHZ', start: t('2024-01-01'), end: null, sampleRate: 1, latitude: 1.5, longitude: -2.25, elevation: 100, warnS: 600, failS: 3600 };
    await store.replaceEpochs('/meta.csv', [epoch, { ...epoch, channel: 'LHN', end: t('2024-06-01') }]);
    await store.replaceEpochs('/meta.csv', [epoch]);
    expect(await store.epochs(parseChannelPatterns('ZZ'))).toEqual([epoch]);
    const channels = await store.channels(parseChannelPatterns('ZZ,XX.GROW'));
    expect(channels).toEqual([
      { network: 'XX', station: 'GROW', location: '', channel: 'LHZ' },
      { network: 'ZZ', station: 'META', location: '', channel: 'LHZ' },
    ]);
  });

  it('stores valid data of any span in one batch: 101 files a month apart, files 8.4 years apart, one a year over 350 years', async () => {
    const monthly = Array.from({ length: 101 }, (_, k) => {
      const month = `${2000 + Math.floor(k / 12)}-${String((k % 12) + 1).padStart(2, '0')}-01T00:00:00Z`;
      return fileScan(`/span/monthly/${k}`, month, [segment('SP.MON..LHZ', month, 600)]);
    });
    await store.storeFileScans(monthly, 40);
    const apart = [
      fileScan('/span/apart/1', '2010-01-01T00:00:00Z', [segment('SP.APART..LHZ', '2010-01-01T00:00:00Z', 600)]),
      fileScan('/span/apart/2', '2018-06-01T00:00:00Z', [segment('SP.APART..LHZ', '2018-06-01T00:00:00Z', 600)]),
    ];
    await store.storeFileScans(apart, 41);
    const yearly = Array.from({ length: 350 }, (_, k) => {
      const day = `${1901 + k}-07-01T00:00:00Z`;
      return fileScan(`/span/yearly/${k}`, day, [segment('SP.YEAR..LHZ', day, 60)]);
    });
    await store.storeFileScans(yearly, 42);

    const everything = { start: t('1900-01-01'), end: t('2255-01-01') };
    expect(await store.segments({ patterns: parseChannelPatterns('SP.MON'), window: everything })).toHaveLength(101);
    expect(await store.segments({ patterns: parseChannelPatterns('SP.APART'), window: everything })).toHaveLength(2);
    expect(await store.segments({ patterns: parseChannelPatterns('SP.YEAR'), window: everything })).toHaveLength(350);
    expect([...(await statesUnder(store, '/span')).values()].filter((f) => f.status === 'ok')).toHaveLength(453);
    // The daily rollups span every day between a channel's first and last touched day.
    const rollups = await store.rows<{ station: string; days: number; covered: number }>(
      `SELECT station, count() AS days, countIf(covered_us > 0) AS covered FROM availability_daily FINAL WHERE network = 'SP' GROUP BY station ORDER BY station`,
    );
    expect(rollups.map((r) => [r.station, r.covered])).toEqual([['APART', 2], ['MON', 101], ['YEAR', 350]]);
    expect(rollups.find((r) => r.station === 'YEAR')!.days).toBe((t('2250-07-02') - t('1901-07-01')) / 86_400e6);
  });

  it('records a file as scanned only once its segments and rollups are stored', async () => {
    const path = '/f/XX.LATE..LHZ';
    const scan = fileScan(path, '2024-07-01T00:00:00Z', [segment('XX.LATE..LHZ', '2024-07-01T00:00:00Z', 600)]);
    // A rollup refresh that fails (an insert the store refuses) fails the batch, before any file state.
    const client = new Proxy(store.client, {
      get(target, name) {
        if (name === 'insert') {
          return (params: { table: string }) => (params.table === 'availability_daily' ? Promise.reject(new Error('refused')) : target.insert(params as never));
        }
        const value = Reflect.get(target, name) as unknown;
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const broken = Object.create(store, { client: { value: client } }) as Store;
    await expect(broken.storeFileScans([scan], 50)).rejects.toThrow('refused');
    expect((await statesUnder(store, '/f')).size).toBe(0);
    await store.storeFileScans([scan], 51);
    expect((await statesUnder(store, '/f')).get(path)?.status).toBe('ok');
    expect(await store.segments({ patterns: parseChannelPatterns('XX.LATE'), window: ALL })).toHaveLength(1);
  });

  it('takes hostile pattern text as data, never as SQL', async () => {
    const hostile = { network: "X' OR 1=1 --", station: '*', location: '*', channel: '*' };
    expect(await store.segments({ patterns: [hostile], window: ALL })).toEqual([]);
    expect(await store.channels([hostile])).toEqual([]);
  });
});
