import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseChannelPatterns } from '../channel.ts';
import type { LiveBatch, LivePiece } from '../live/batch.ts';
import { parseTime } from '../time.ts';
import { testBackends } from '../testing/store-backends.ts';
import { compactLiveSegments, compactPieces, LIVE_THRESHOLDS_SOURCE, liveChannelSources, storeLiveBatches, storeThresholds } from './live.ts';
import type { Store } from './store.ts';

const t = (text: string) => parseTime(text);
const S = 1_000_000;
const ALL = { start: t('2000-01-01'), end: t('2100-01-01') };

/** `samples` samples at 1 Hz from `start`, first seen at `firstSeen`. */
function piece(channel: string, start: string, samples: number, firstSeen: number): LivePiece {
  const [network, station, location, code] = channel.split('.');
  const startUs = t(start);
  return { network, station, location, channel: code, quality: 'D', sampleRate: 1, start: startUs, end: startUs + (samples - 1) * S, samples, toleranceUs: 500_000, firstSeen };
}

function batch(source: string, id: number, pieces: LivePiece[], extra: Partial<LiveBatch> = {}): LiveBatch {
  const latest = pieces.map((p) => ({ network: p.network, station: p.station, location: p.location, channel: p.channel, stream: '', lastSample: p.end, receivedAt: p.firstSeen }));
  return { source, id, createdAt: id, pieces, latest, ...extra };
}

describe.each(testBackends())('live sources in the store on $name', (backend) => {
  let store: Store;
  beforeAll(async () => {
    store = await backend.open();
  });
  afterAll(async () => {
    await backend.dispose(store);
  });

  const stored = async (channel: string) =>
    (await store.segments({ patterns: parseChannelPatterns(channel), window: ALL })).map((s) => [s.start, s.end, s.samples]);

  it('stores a flushed batch so that readers see the channel, and a replay of it stores it once', async () => {
    const flushed = batch('seedlink://127.0.0.1:1', 1001, [piece('XR.ONE..HHZ', '2024-05-01T00:00:00Z', 60, t('2024-05-01T00:01:02Z'))]);
    expect(await storeLiveBatches(store, [flushed], { rewrite: false })).toEqual(['stored']);
    expect(await storeLiveBatches(store, [flushed], { rewrite: true })).toEqual(['stored']);
    expect(await stored('XR.ONE')).toEqual([[t('2024-05-01T00:00:00Z'), t('2024-05-01T00:00:59Z'), 60]]);
    const [latest] = await store.latestSegments(parseChannelPatterns('XR.ONE'));
    expect([latest.end, latest.firstSeen, latest.source]).toEqual([t('2024-05-01T00:00:59Z'), t('2024-05-01T00:01:02Z'), 'seedlink://127.0.0.1:1']);
  });

  it('stores a pushed batch once however often it is posted, and says which were repeats', async () => {
    const pushed = batch('push', 77, [piece('XR.PUSH..LHZ', '2024-05-01T00:00:00Z', 10, t('2024-05-01T00:00:20Z'))], { contentAddressed: true });
    expect(await storeLiveBatches(store, [pushed, pushed], { rewrite: false })).toEqual(['stored', 'duplicate']);
    expect(await storeLiveBatches(store, [pushed], { rewrite: false })).toEqual(['duplicate']);
    expect(await stored('XR.PUSH')).toEqual([[t('2024-05-01T00:00:00Z'), t('2024-05-01T00:00:09Z'), 10]]);
  });

  it('keeps Ta exact per packet: the receipt of the newest sample, not of the row or of the flush', async () => {
    const source = 'seedlink://127.0.0.1:2';
    // Three flushes of one continuous stream; the newest sample arrived 1.5 s after its time.
    await storeLiveBatches(
      store,
      [
        batch(source, 2001, [piece('XR.TA..HHZ', '2024-05-02T00:00:00Z', 10, t('2024-05-02T00:00:10Z'))]),
        batch(source, 2002, [piece('XR.TA..HHZ', '2024-05-02T00:00:10Z', 10, t('2024-05-02T00:00:20Z'))]),
        batch(source, 2003, [piece('XR.TA..HHZ', '2024-05-02T00:00:20Z', 10, t('2024-05-02T00:00:30.5Z'))]),
      ],
      { rewrite: false },
    );
    await compactLiveSegments(store, source, 2004);
    expect(await stored('XR.TA')).toEqual([[t('2024-05-02T00:00:00Z'), t('2024-05-02T00:00:29Z'), 30]]);
    const [latest] = await store.latestSegments(parseChannelPatterns('XR.TA'));
    expect(latest.firstSeen - latest.end).toBe(1.5 * S);
  });

  it('compacts the rows of each day into one row per contiguous run, counting data written twice once', async () => {
    const source = 'seedlink://127.0.0.1:3';
    const pieces = [
      // 23:59:50 to 00:00:09 in 10-s flushes: two days.
      piece('XR.CMP..HHZ', '2024-05-03T23:59:50Z', 10, 1),
      piece('XR.CMP..HHZ', '2024-05-04T00:00:00Z', 10, 2),
      // a gap of 10 s, then 20 s
      piece('XR.CMP..HHZ', '2024-05-04T00:00:20Z', 10, 3),
      piece('XR.CMP..HHZ', '2024-05-04T00:00:30Z', 10, 4),
    ];
    await storeLiveBatches(store, pieces.map((p, i) => batch(source, 3001 + i, [p])), { rewrite: false });
    // A compaction cut short before its delete leaves its joined row beside the rows it joined.
    await storeLiveBatches(store, [batch(source, 3100, [piece('XR.CMP..HHZ', '2024-05-04T00:00:20Z', 20, 4)])], { rewrite: false });
    const result = await compactLiveSegments(store, source, 3200);
    expect(result).toEqual({ days: 1, before: 4, after: 2 });
    expect(await stored('XR.CMP')).toEqual([
      [t('2024-05-03T23:59:50Z'), t('2024-05-03T23:59:59Z'), 10],
      [t('2024-05-04T00:00:00Z'), t('2024-05-04T00:00:09Z'), 10],
      [t('2024-05-04T00:00:20Z'), t('2024-05-04T00:00:39Z'), 20],
    ]);
    // Nothing left to do: a second compaction changes nothing.
    expect(await compactLiveSegments(store, source, 3300)).toEqual({ days: 0, before: 0, after: 0 });
  });

  it('keeps of live rows only what an archive scan has not stored, so nothing counts twice', async () => {
    const source = 'seedlink://127.0.0.1:4';
    // Live: one hour at 1 Hz, compacted already (one write). The archive then stores its first half.
    await storeLiveBatches(store, [batch(source, 5001, [piece('XR.ARC..HHZ', '2024-05-06T00:00:00Z', 3600, t('2024-05-06T01:00:01Z'))])], { rewrite: false });
    const archived = piece('XR.ARC..HHZ', '2024-05-06T00:10:00Z', 1200, 0);
    await store.storeFileScans([{ state: { path: '/archive/XR.ARC..HHZ.D.2024.127', size: 1, mtime: t('2024-05-06T00:50:00Z'), status: 'ok', error: '', errorOffset: null, records: 1, format: 2 }, segments: [archived] }], 5002);
    expect(await compactLiveSegments(store, source, 5003, { now: t('2024-05-07') })).toEqual({ days: 1, before: 1, after: 2 });
    const rows = await store.segments({ patterns: parseChannelPatterns('XR.ARC'), window: ALL });
    expect(rows.map((s) => [s.source, s.start, s.end, s.samples])).toEqual([
      [source, t('2024-05-06T00:00:00Z'), t('2024-05-06T00:09:59Z'), 600],
      ['/archive/XR.ARC..HHZ.D.2024.127', t('2024-05-06T00:10:00Z'), t('2024-05-06T00:29:59Z'), 1200],
      [source, t('2024-05-06T00:30:00Z'), t('2024-05-06T00:59:59Z'), 1800],
    ]);
    // Nothing more to trim: left alone.
    expect(await compactLiveSegments(store, source, 5004, { now: t('2024-05-07') })).toEqual({ days: 0, before: 0, after: 0 });
  });

  it('shows a heartbeat newer than the data as the newest sample, and names the live source of each channel', async () => {
    await storeLiveBatches(
      store,
      [
        {
          source: 'push',
          id: 4001,
          contentAddressed: true,
          createdAt: 1,
          pieces: [piece('XR.HB..LHZ', '2024-05-05T00:00:00Z', 10, t('2024-05-05T00:00:30Z'))],
          latest: [{ network: 'XR', station: 'HB', location: '', channel: 'LHZ', stream: 'XR-HB/LHZ', lastSample: t('2024-05-05T00:10:00Z'), receivedAt: t('2024-05-05T00:10:02Z') }],
        },
      ],
      { rewrite: false },
    );
    const [latest] = await store.latestSegments(parseChannelPatterns('XR.HB'));
    expect([latest.end, latest.firstSeen, latest.samples]).toEqual([t('2024-05-05T00:10:00Z'), t('2024-05-05T00:10:02Z'), 0]);
    expect((await liveChannelSources(store)).get('XR.HB..LHZ')).toBe('push');
  });

  it('writes stream thresholds as channel epochs, leaves a channel with its own metadata alone, and rewrites only changes', async () => {
    await store.replaceEpochs('stations.xml', [
      { network: 'XR', station: 'META', location: '', channel: 'HHZ', start: t('2020-01-01'), end: null, sampleRate: 100, latitude: 1, longitude: 2, elevation: null, warnS: 60, failS: 600 },
    ]);
    const thresholds = [
      { network: 'XR', station: 'THR', location: '', channel: 'HHZ', expectedRate: 1, warnS: 120, failS: 600 },
      { network: 'XR', station: 'META', location: '', channel: 'HHZ', expectedRate: 1, warnS: 1, failS: 2 },
    ];
    const first = await storeThresholds(store, thresholds);
    expect(first.written.map((id) => id.station)).toEqual(['THR']);
    expect(first.skipped.map((id) => id.station)).toEqual(['META']);
    expect((await storeThresholds(store, thresholds)).written).toEqual([]);
    const epochs = await store.epochs(parseChannelPatterns('XR.THR,XR.META'));
    expect(epochs.map((e) => [e.station, e.start, e.end, e.sampleRate, e.warnS, e.failS])).toEqual([
      ['META', t('2020-01-01'), null, 100, 60, 600],
      ['THR', 0, null, 1, 120, 600],
    ]);
    const sources = await store.client
      .query({ query: 'SELECT DISTINCT source FROM channel_epochs WHERE station = {s:String}', query_params: { s: 'THR' }, format: 'JSONEachRow' })
      .then((r) => r.json<{ source: string }>());
    expect(sources).toEqual([{ source: LIVE_THRESHOLDS_SOURCE }]);
  });
});

describe('compactPieces', () => {
  it('keeps overlapping data that is not a repeat as an overlap', () => {
    const a = piece('XR.OV..HHZ', '2024-05-01T00:00:00Z', 10, 1);
    const b = piece('XR.OV..HHZ', '2024-05-01T00:00:05Z', 10, 2);
    expect(compactPieces([a, b]).map((p) => [p.start, p.samples])).toEqual([
      [a.start, 10],
      [b.start, 10],
    ]);
  });
});
