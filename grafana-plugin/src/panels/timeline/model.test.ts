import { createDataFrame, FieldType } from '@grafana/data';
import { describe, expect, it } from 'vitest';
import { readTimeline } from '../../datasource/api';
import { timelineFrames } from '../../datasource/frames';
import { FrameKind } from '../../shared/frames';
import { SpanState } from '../../shared/states';
import { buildTimelineModel, figuresFromSpans } from './model';

const DAY = 86_400_000_000;
const window = { fromUs: 0, toUs: 10 * DAY };

describe('buildTimelineModel', () => {
  it('keeps what the API says of missing time: samples, the missing time inside a mixed span, the newest sample, the new states', () => {
    const json = {
      from: 0,
      to: 1000e6,
      rows: [
        {
          channel: 'IU.ANMO.00.LHZ', percent: 99, gaps: 2, maxGapSeconds: 500, lastSample: 400e6,
          spans: [
            { start: 0, end: 100e6, state: 'present' },
            { start: 100e6, end: 100.5e6, state: 'mixed', percent: 50, parts: { present: 0.25e6, missing: 0.25e6 }, missingSamples: 25 },
            { start: 100.5e6, end: 200e6, state: 'overlap' },
            { start: 200e6, end: 401e6, state: 'present' },
            { start: 401e6, end: 990e6, state: 'missing', missingSamples: 589 },
            { start: 990e6, end: 1000e6, state: 'pending' },
          ],
        },
      ],
    };
    const [row] = buildTimelineModel(timelineFrames(readTimeline(json), 'A', { fromUs: 0, toUs: 1000e6 })).rows;
    expect(Array.from(row.states)).toEqual([SpanState.Present, SpanState.Mixed, SpanState.Overlap, SpanState.Present, SpanState.Missing, SpanState.Pending]);
    expect(Array.from(row.missingSamples)).toEqual([NaN, 25, NaN, NaN, 589, NaN]);
    expect(Array.from(row.missingUs)).toEqual([NaN, 0.25e6, NaN, NaN, NaN, NaN]);
    expect(row).toMatchObject({ lastSampleUs: 400e6, gaps: 2, longestGapUs: 500e6 });
  });

  it('groups the long span frame into one row per channel with its figures', () => {
    const frames = timelineFrames(
      {
        fromUs: null,
        toUs: null,
        rows: [
          {
            channel: 'IU.ANMO.00.BHZ',
            percent: 90,
            gaps: 1,
            longestGapSeconds: 86_400,
            spans: [
              { startUs: 0, endUs: 9 * DAY, state: 'present', percent: null },
              { startUs: 9 * DAY, endUs: 10 * DAY, state: 'missing', percent: null },
            ],
          },
          { channel: 'II.PFO..LHZ', percent: null, gaps: 0, longestGapSeconds: 0, spans: [{ startUs: 0, endUs: 10 * DAY, state: 'not_expected', percent: null }] },
        ],
      },
      'A',
      window
    );
    const model = buildTimelineModel(frames);
    expect(model.fromUs).toBe(0);
    expect(model.toUs).toBe(10 * DAY);
    expect(model.rows.map((r) => [r.id, r.network, r.station, r.location, r.channel, r.percent, r.gaps, r.longestGapUs])).toEqual([
      ['IU.ANMO.00.BHZ', 'IU', 'ANMO', '00', 'BHZ', 90, 1, DAY],
      ['II.PFO..LHZ', 'II', 'PFO', '', 'LHZ', null, 0, 0],
    ]);
    expect(Array.from(model.rows[0].states)).toEqual([SpanState.Present, SpanState.Missing]);
    expect(Array.from(model.rows[0].ends)).toEqual([9 * DAY, 10 * DAY]);
  });

  it('is empty, not broken, for no frames, other frames or frames without rows', () => {
    expect(buildTimelineModel([]).rows).toEqual([]);
    expect(buildTimelineModel([createDataFrame({ fields: [{ name: 'x', type: FieldType.number, values: [1] }] })]).rows).toEqual([]);
    expect(buildTimelineModel(timelineFrames({ fromUs: null, toUs: null, rows: [] }, 'A', window)).rows).toEqual([]);
  });

  it('puts spans in time order and works out figures when only the span frame is there', () => {
    const spans = createDataFrame({
      meta: { custom: { lacunaKind: FrameKind.TimelineSpans } },
      fields: [
        { name: 'channel', type: FieldType.string, values: ['A.B..C', 'A.B..C', 'A.B..C', 'A.B..C'] },
        { name: 'start', type: FieldType.time, values: [3000, 0, 1000, 2000] },
        { name: 'end', type: FieldType.time, values: [4000, 1000, 2000, 3000] },
        { name: 'state', type: FieldType.string, values: ['mixed', 'present', 'missing', 'unknown-state'] },
        { name: 'percent', type: FieldType.number, values: [50, 100, 0, null] },
      ],
    });
    const [row] = buildTimelineModel([spans]).rows;
    // Start/end came in ms: µs here. The span of a state this panel does not know is left out.
    expect(Array.from(row.starts)).toEqual([0, 1_000_000, 3_000_000]);
    expect(row.gaps).toBe(1);
    expect(row.longestGapUs).toBe(1_000_000);
    // present 1 s + mixed 50% of 1 s, over 3 s expected.
    expect(row.percent).toBeCloseTo(50, 10);
  });

  it('adds spans of one channel that come in several frames', () => {
    const part = (start: number) =>
      timelineFrames({ fromUs: null, toUs: null, rows: [{ channel: 'A.B..C', percent: null, gaps: 0, longestGapSeconds: 0, spans: [{ startUs: start, endUs: start + DAY, state: 'present', percent: null }] }] }, 'A', window)[0];
    const model = buildTimelineModel([part(DAY), part(0)]);
    expect(model.rows).toHaveLength(1);
    expect(Array.from(model.rows[0].starts)).toEqual([0, DAY]);
  });
});

describe('figuresFromSpans', () => {
  it('does not count not-expected time, and is null when nothing was expected', () => {
    const row = {
      starts: Float64Array.from([0, 10]),
      ends: Float64Array.from([10, 20]),
      states: Uint8Array.from([SpanState.NotExpected, SpanState.Sparse2]),
      spanPercent: Float32Array.from([NaN, NaN]),
    };
    expect(figuresFromSpans(row)).toEqual({ percent: 100, gaps: 0, longestGapUs: 0, lastSampleUs: 20 });
    expect(figuresFromSpans({ ...row, states: Uint8Array.from([SpanState.NotExpected, SpanState.NotExpected]) }).percent).toBeNull();
  });

  it('leaves time not yet arrived out of the percent, neither present nor missing', () => {
    const row = {
      starts: Float64Array.from([0, 10, 15]),
      ends: Float64Array.from([10, 15, 20]),
      states: Uint8Array.from([SpanState.Present, SpanState.Missing, SpanState.Pending]),
      spanPercent: Float32Array.from([NaN, NaN, NaN]),
    };
    expect(figuresFromSpans(row)).toEqual({ percent: (100 * 10) / 15, gaps: 1, longestGapUs: 5, lastSampleUs: 10 });
  });
});
