import { describe, expect, it } from 'vitest';
import { completionFrame } from '../../datasource/frames';
import { buildCompletionModel } from './model';

const DAY = 86_400_000_000;

describe('buildCompletionModel', () => {
  it('keeps the share of each day not yet arrived and the days with overlapping data', () => {
    const frame = completionFrame(
      {
        bucket: 'day',
        bucketStartsUs: [0, DAY, 2 * DAY],
        // Data due until 18:00 on the last day; an overlap on the first.
        rows: [{ channel: 'IU.ANMO.00.BHZ', percent: [100, 100, 100], completeness: [1, 1, 1], notYetArrivedFromUs: 2 * DAY + 0.75 * DAY, overlapBuckets: [0] }],
      },
      'A'
    );
    const model = buildCompletionModel([frame]);
    expect(Array.from(model.pending)).toEqual([0, 0, 0.25]);
    expect(Array.from(model.overlaps)).toEqual([1, 0, 0]);
  });

  it('lays channels × buckets out in flat arrays, NaN where nothing was expected', () => {
    const frame = completionFrame(
      {
        bucket: 'day',
        bucketStartsUs: [0, DAY, 2 * DAY],
        rows: [
          { channel: 'IU.ANMO.00.BHZ', percent: [100, 50, null], completeness: [1, 0.5, null] },
          { channel: 'GE.APE..HHZ', percent: [null, 0, 99.5], completeness: [null, null, 0.9] },
        ],
      },
      'A'
    );
    const model = buildCompletionModel([frame]);
    expect(Array.from(model.columns)).toEqual([0, DAY, 2 * DAY]);
    expect(model.rows.map((r) => [r.id, r.station, r.index])).toEqual([
      ['IU.ANMO.00.BHZ', 'ANMO', 0],
      ['GE.APE..HHZ', 'APE', 1],
    ]);
    expect(Array.from(model.percent)).toEqual([100, 50, NaN, NaN, 0, 99.5]);
    expect(Array.from(model.completeness).map((v) => (Number.isNaN(v) ? v : Math.round(v)))).toEqual([100, 50, NaN, NaN, NaN, 90]);
    expect(model.bucketUs).toBe(DAY);
  });

  it('knows hour buckets from the frame', () => {
    const model = buildCompletionModel([completionFrame({ bucket: 'hour', bucketStartsUs: [0], rows: [{ channel: 'A.B..C', percent: [1], completeness: [null] }] }, 'A')]);
    expect(model.bucket).toBe('hour');
    expect(model.bucketUs).toBe(3_600_000_000);
  });

  it('is empty for no frames or an empty answer', () => {
    expect(buildCompletionModel([]).rows).toEqual([]);
    expect(buildCompletionModel([completionFrame({ bucket: 'day', bucketStartsUs: [], rows: [] }, 'A')]).columns.length).toBe(0);
  });
});

describe('buildCompletionModel with uneven buckets', () => {
  it('places values by bucket time when channels have different bucket lists', () => {
    const frame = completionFrame({ bucket: 'day', bucketStartsUs: [DAY, 2 * DAY], rows: [{ channel: 'A.B..C', percent: [10, 20], completeness: [null, null] }] }, 'A');
    const other = completionFrame({ bucket: 'day', bucketStartsUs: [0, 2 * DAY], rows: [{ channel: 'A.B..D', percent: [30, 40], completeness: [null, null] }] }, 'A');
    const model = buildCompletionModel([frame, other]);
    expect(Array.from(model.columns)).toEqual([0, DAY, 2 * DAY]);
    expect(Array.from(model.percent)).toEqual([NaN, 10, 20, 30, NaN, 40]);
  });
});
