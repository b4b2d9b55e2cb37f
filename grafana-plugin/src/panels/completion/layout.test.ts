import { describe, expect, it } from 'vitest';
import { completionFrame } from '../../datasource/frames';
import { buildGridRows, columnAtX, columnEdge, columnTotals, gradientScale, gridHitTest, gridVisibleRows, meanOf, thresholdScale, type GridGeometry } from './layout';
import { buildCompletionModel } from './model';

const DAY = 86_400_000_000;
const model = buildCompletionModel([
  completionFrame(
    {
      bucket: 'day',
      bucketStartsUs: [0, DAY],
      rows: [
        { channel: 'IU.ANMO.00.BHZ', percent: [100, 50], completeness: [null, null] },
        { channel: 'IU.ANMO.10.BHZ', percent: [100, null], completeness: [null, null] },
        { channel: 'GE.APE..HHZ', percent: [90, 80], completeness: [null, null] },
      ],
    },
    'A'
  ),
]);

describe('buildGridRows', () => {
  it('puts station rows, with the mean of their channels per bucket, above the channels', () => {
    const rows = buildGridRows(model, { sortBy: 'name', groupByStation: true, collapsed: new Set() });
    expect(rows.map((r) => `${r.kind}:${r.label}`)).toEqual(['station:GE.APE', 'channel:--.HHZ', 'station:IU.ANMO', 'channel:00.BHZ', 'channel:10.BHZ']);
    const anmo = rows[2];
    // Day 2: only one channel has a value, so the station's mean is that value.
    expect(Array.from(anmo.values)).toEqual([100, 50]);
    expect(anmo.total).toBe(75);
    expect(rows[4].total).toBe(100);
  });

  it('sorts by the lowest row total, stations and channels alike', () => {
    const rows = buildGridRows(model, { sortBy: 'availability', groupByStation: true, collapsed: new Set() });
    expect(rows.map((r) => r.key)).toEqual(['IU.ANMO', 'IU.ANMO.00.BHZ', 'IU.ANMO.10.BHZ', 'GE.APE', 'GE.APE..HHZ']);
    const flat = buildGridRows(model, { sortBy: 'availability', groupByStation: false, collapsed: new Set() });
    expect(flat.map((r) => [r.key, r.total])).toEqual([
      ['IU.ANMO.00.BHZ', 75],
      ['GE.APE..HHZ', 85],
      ['IU.ANMO.10.BHZ', 100],
    ]);
  });

  it('hides a collapsed station’s channels', () => {
    const rows = buildGridRows(model, { sortBy: 'name', groupByStation: true, collapsed: new Set(['IU.ANMO']) });
    expect(rows.map((r) => r.key)).toEqual(['GE.APE', 'GE.APE..HHZ', 'IU.ANMO']);
  });

  it('totals columns over every channel and leaves out cells with nothing expected', () => {
    expect(Array.from(columnTotals(model))).toEqual([(100 + 100 + 90) / 3, (50 + 80) / 2].map((v) => Math.fround(v)));
    expect(meanOf(Float32Array.from([NaN, NaN]))).toBeNaN();
  });
});

describe('colour scales', () => {
  it('thresholds: the colour of the highest step reached; no value: none', () => {
    const scale = thresholdScale([
      { value: 99, color: 'green' },
      { value: -Infinity, color: 'red' },
      { value: 90, color: 'orange' },
    ]);
    const colorOf = (v: number) => scale.colors[scale.indexOf(v)];
    expect([colorOf(0), colorOf(89.99), colorOf(90), colorOf(98.9), colorOf(99), colorOf(100)]).toEqual(['red', 'red', 'orange', 'orange', 'green', 'green']);
    expect(scale.indexOf(NaN)).toBe(-1);
  });

  it('gradient: from the first colour at min to the last at max, clamped outside', () => {
    const scale = gradientScale(80, 100, ['#ff0000', '#ffff00', '#00ff00'], 3);
    expect(scale.colors).toEqual(['#ff0000', '#ffff00', '#00ff00']);
    expect(scale.colors[scale.indexOf(0)]).toBe('#ff0000');
    expect(scale.colors[scale.indexOf(90)]).toBe('#ffff00');
    expect(scale.colors[scale.indexOf(100)]).toBe('#00ff00');
    expect(scale.indexOf(NaN)).toBe(-1);
  });
});

describe('grid geometry', () => {
  // Cells from x = 100 to 400, three columns of 100 px; rows area 24..84, footer 84..100.
  const g: GridGeometry = { width: 480, height: 100, rowHeight: 20, axisHeight: 24, labelWidth: 100, totalWidth: 80, footerHeight: 16, columnCount: 3 };

  it('tiles cells on whole pixels', () => {
    expect([0, 1, 2, 3].map((c) => columnEdge(c, g))).toEqual([100, 200, 300, 400]);
    expect(columnEdge(1, { ...g, columnCount: 7 })).toBe(143);
    expect([99, 100, 250, 399, 400].map((x) => columnAtX(x, g))).toEqual([-1, 0, 1, 2, -1]);
  });

  it('shows only rows in view, above the totals row', () => {
    expect(gridVisibleRows(100, 0, g)).toEqual({ first: 0, end: 3, firstTop: 24 });
    expect(gridVisibleRows(100, 10_000, g)).toEqual({ first: 97, end: 100, firstTop: 24 });
  });

  it('hit-tests cells, labels, row totals, column totals and the overall total', () => {
    expect(gridHitTest(250, 50, 0, 10, g)).toEqual({ area: 'cell', rowIndex: 1, column: 1 });
    expect(gridHitTest(50, 30, 20, 10, g)).toEqual({ area: 'label', rowIndex: 1, column: -1 });
    expect(gridHitTest(420, 30, 0, 10, g)).toEqual({ area: 'rowTotal', rowIndex: 0, column: -1 });
    expect(gridHitTest(150, 90, 0, 10, g)).toEqual({ area: 'columnTotal', rowIndex: -1, column: 0 });
    expect(gridHitTest(420, 90, 0, 10, g)).toEqual({ area: 'overallTotal', rowIndex: -1, column: -1 });
    expect(gridHitTest(150, 10, 0, 10, g).area).toBe('axis');
  });
});
