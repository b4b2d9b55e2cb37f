import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseChannelPatterns } from '../channel.ts';
import { parseTime } from '../time.ts';
import { testBackends } from '../testing/store-backends.ts';
import { fileScanOf, segmentOf } from '../testing/scans.ts';
import type { Store } from './store.ts';
import { spanPiecesQuery, type SpanPieceOptions } from './span-pieces.ts';

const t = (text: string) => parseTime(text);
const SECOND = 1_000_000;
const DEFAULT: SpanPieceOptions = { tolerance: { fraction: 0.5 }, mergeQuality: false, mergeSampleRate: false, qualities: null };
const AROUND = { start: t('2024-01-01'), end: t('2024-01-03') };
const ALL_TIME = { start: null, end: null };

describe('spanPiecesQuery', () => {
  it('passes every selection, window and option as a parameter: the text is the same for one selection or many', () => {
    const one = spanPiecesQuery([{ patterns: parseChannelPatterns('IU.ANMO'), around: AROUND, window: ALL_TIME }], DEFAULT, { sql: '1', params: {} });
    const many = spanPiecesQuery(
      Array.from({ length: 300 }, (_, k) => ({ patterns: parseChannelPatterns(`IU.S${k}`), around: { start: k, end: k + 10 }, window: { start: k, end: null } })),
      { ...DEFAULT, tolerance: { seconds: 3 } },
      { sql: '1', params: {} },
    );
    expect(many.sql).toBe(one.sql);
    expect(many.params).toMatchObject({ tol_fraction: 0, tol_seconds: 3, margin: 2 });
    expect((many.params.window_start as number[]).slice(0, 2)).toEqual([0, 1]);
    expect((many.params.window_end as number[])[0]).toBe(Number.MAX_SAFE_INTEGER);
  });
});

describe.each(testBackends())('span pieces on $name', (backend) => {
  let store: Store;
  /** Ten files of 10 s of 1 Hz data each, back to back from 2024-01-01T00:00:00, each first seen a minute later than the one before. */
  const run = Array.from({ length: 10 }, (_, k) => ({ from: t('2024-01-01T00:00:00Z') + 10 * k * SECOND, seen: `2024-01-02T00:${String(k).padStart(2, '0')}:00Z` }));
  beforeAll(async () => {
    store = await backend.open();
    await store.storeFileScans(
      [
        ...run.map(({ from, seen }, k) => fileScanOf(`/run/${k}`, seen, [{ ...segmentOf('XX.RUN..LHZ', new Date(from / 1000).toISOString(), 10), start: from, end: from + 9 * SECOND }])),
        // A piece inside the first, then two that follow it exactly: the overlap leaves all of them to the join rule.
        fileScanOf('/over/1', '2024-01-02T00:00:00Z', [segmentOf('XX.OVER..LHZ', '2024-01-01T00:00:00Z', 10)]),
        fileScanOf('/over/2', '2024-01-02T00:00:00Z', [segmentOf('XX.OVER..LHZ', '2024-01-01T00:00:03Z', 2)]),
        fileScanOf('/over/3', '2024-01-02T00:00:00Z', [segmentOf('XX.OVER..LHZ', '2024-01-01T00:00:10Z', 10)]),
        fileScanOf('/over/4', '2024-01-02T00:00:00Z', [segmentOf('XX.OVER..LHZ', '2024-01-01T00:00:20Z', 10)]),
        // Next pieces exactly at the tolerance (0.5 s late), then 0.5 s early: the join rule decides.
        fileScanOf('/edge/1', '2024-01-02T00:00:00Z', [segmentOf('XX.EDGE..LHZ', '2024-01-01T00:00:00Z', 10)]),
        fileScanOf('/edge/2', '2024-01-02T00:00:00Z', [segmentOf('XX.EDGE..LHZ', '2024-01-01T00:00:10.5Z', 10)]),
        fileScanOf('/edge/3', '2024-01-02T00:00:00Z', [segmentOf('XX.EDGE..LHZ', '2024-01-01T00:00:20Z', 10)]),
      ],
      1,
    );
  });
  afterAll(async () => {
    await backend.dispose(store);
  });

  const selection = (channels: string, window: { start: number | null; end: number | null } = ALL_TIME) => ({ patterns: parseChannelPatterns(channels), around: AROUND, window });

  it('returns a run of segments that follow each other exactly as one piece: first start, last end, samples summed, the latest first-seen', async () => {
    const [pieces] = await store.spanPieces([selection('XX.RUN')], DEFAULT);
    expect(pieces).toEqual([
      { network: 'XX', station: 'RUN', location: '', channel: 'LHZ', quality: 'D', sampleRate: 1, start: run[0].from, end: run[9].from + 9 * SECOND, samples: 100, firstSeen: t(run[9].seen) },
    ]);
  });

  it('splits the run where the request window starts and ends; a piece within it is first seen when the newest of its data within the window was', async () => {
    const window = { start: run[3].from + 5 * SECOND, end: run[6].from };
    const [pieces] = await store.spanPieces([selection('XX.RUN', window)], DEFAULT);
    expect(pieces.map(({ start, end, samples, firstSeen }) => ({ start, end, samples, firstSeen })).sort((a, b) => a.start - b.start)).toEqual([
      { start: run[0].from, end: run[2].from + 9 * SECOND, samples: 30, firstSeen: t(run[2].seen) },
      { start: run[3].from, end: run[5].from + 9 * SECOND, samples: 30, firstSeen: t(run[5].seen) },
      { start: run[6].from, end: run[9].from + 9 * SECOND, samples: 40, firstSeen: t(run[9].seen) },
    ]);
  });

  it('returns overlapping segments, and segments that meet at the tolerance, as stored', async () => {
    const [over, edge] = await store.spanPieces([selection('XX.OVER'), selection('XX.EDGE')], DEFAULT);
    const starts = (pieces: typeof over) => pieces.map((piece) => piece.start).sort((a, b) => a - b);
    expect(starts(over)).toEqual(['00', '03', '10', '20'].map((s) => t(`2024-01-01T00:00:${s}Z`)));
    expect(starts(edge)).toEqual(['00', '10.5', '20'].map((s) => t(`2024-01-01T00:00:${s}Z`)));
  });

  it('answers each selection apart, and nothing for channels without data', async () => {
    const pieces = await store.spanPieces([selection('XX.RUN,XX.EDGE'), selection('XX.NONE'), selection('XX.RUN')], { ...DEFAULT, tolerance: { seconds: 1 } });
    expect(pieces.map((list) => list.length)).toEqual([2, 0, 1]);
    expect(await store.spanPieces([selection('XX.RUN')], { ...DEFAULT, qualities: ['Q'] })).toEqual([[]]);
  });
});
