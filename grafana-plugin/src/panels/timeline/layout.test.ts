import { describe, expect, it } from 'vitest';
import { COLOR_PRIORITY, ColorKey, SpanState } from '../../shared/states';
import {
  buildDisplayRows,
  colorKeyOf,
  fillRowLink,
  hitTest,
  maxScrollTop,
  rowRuns,
  RunBuffer,
  spanAtX,
  timeTicks,
  visibleRows,
  xOfTime,
  zoomRange,
  type TimelineGeometry,
} from './layout';
import type { TimelineModel, TimelineRow } from './model';

const DAY = 86_400_000_000;

function row(id: string, percent: number | null, longestGapUs: number, spans: Array<[number, number, number]> = []): TimelineRow {
  const [network, station, location, channel] = id.split('.');
  return {
    id,
    network,
    station,
    location,
    channel,
    percent,
    gaps: spans.filter((s) => s[2] === SpanState.Missing).length,
    longestGapUs,
    lastSampleUs: null,
    starts: Float64Array.from(spans.map((s) => s[0])),
    ends: Float64Array.from(spans.map((s) => s[1])),
    states: Uint8Array.from(spans.map((s) => s[2])),
    spanPercent: new Float32Array(spans.length).fill(NaN),
    missingSamples: new Float64Array(spans.length).fill(NaN),
    missingUs: new Float64Array(spans.length).fill(NaN),
  };
}

const model: TimelineModel = {
  fromUs: 0,
  toUs: DAY,
  rows: [
    row('IU.COLA.00.BHZ', 99, 10),
    row('IU.ANMO.00.BHZ', 50, 3000),
    row('IU.ANMO.10.BHZ', 80, 5000),
    row('GE.APE..HHZ', null, 0),
    row('GE.APE..HHN', 100, 0),
  ],
};

const noGapColours = { enabled: false, shortUs: 0, longUs: 0 };

/** 100 px of plot for 100 µs: one µs per pixel, the plot from x = 100 to 200. */
const g: TimelineGeometry = { width: 260, height: 124, rowHeight: 20, axisHeight: 24, labelWidth: 100, summaryWidth: 60, fromUs: 0, toUs: 100 };

describe('buildDisplayRows', () => {
  it('groups channels under network and station headers, by name', () => {
    const rows = buildDisplayRows(model, { sortBy: 'name', groupByStation: true, collapsed: new Set() });
    expect(rows.map((r) => `${'  '.repeat(r.depth)}${r.label}`)).toEqual([
      'GE',
      '  APE',
      '    --.HHN',
      '    --.HHZ',
      'IU',
      '  ANMO',
      '    00.BHZ',
      '    10.BHZ',
      '  COLA',
      '    00.BHZ',
    ]);
  });

  it('gives groups the mean % present of their channels, their gap count and longest gap', () => {
    const rows = buildDisplayRows(model, { sortBy: 'name', groupByStation: true, collapsed: new Set() });
    const iu = rows.find((r) => r.key === 'IU')!;
    expect(iu).toMatchObject({ kind: 'network', channelCount: 3, longestGapUs: 5000 });
    expect(iu.percent).toBeCloseTo((99 + 50 + 80) / 3, 10);
    // A channel with nothing expected does not pull its station's mean down.
    expect(rows.find((r) => r.key === 'GE.APE')!.percent).toBe(100);
  });

  it('sorts by lowest availability at every level, channels with nothing expected last', () => {
    const rows = buildDisplayRows(model, { sortBy: 'availability', groupByStation: true, collapsed: new Set() });
    expect(rows.map((r) => r.key)).toEqual(['IU', 'IU.ANMO', 'IU.ANMO.00.BHZ', 'IU.ANMO.10.BHZ', 'IU.COLA', 'IU.COLA.00.BHZ', 'GE', 'GE.APE', 'GE.APE..HHN', 'GE.APE..HHZ']);
  });

  it('sorts by longest gap without grouping', () => {
    const rows = buildDisplayRows(model, { sortBy: 'longestGap', groupByStation: false, collapsed: new Set() });
    expect(rows.map((r) => r.label)).toEqual(['IU.ANMO.10.BHZ', 'IU.ANMO.00.BHZ', 'IU.COLA.00.BHZ', 'GE.APE..HHN', 'GE.APE..HHZ']);
  });

  it('hides the children of collapsed groups, keeping the header with its figures', () => {
    const rows = buildDisplayRows(model, { sortBy: 'name', groupByStation: true, collapsed: new Set(['GE', 'IU.ANMO']) });
    expect(rows.map((r) => r.key)).toEqual(['GE', 'IU', 'IU.ANMO', 'IU.COLA', 'IU.COLA.00.BHZ']);
    expect(rows[0]).toMatchObject({ collapsed: true, channelCount: 2 });
  });
});

describe('virtual rows', () => {
  it('shows only the rows in the viewport, whatever the scroll offset', () => {
    // Rows area: 100 px = 5 rows of 20 px.
    expect(visibleRows(10_000, 0, g)).toEqual({ first: 0, end: 5, firstTop: 24 });
    // Past the end: held at the last full page.
    expect(visibleRows(10_000, 1_000_010, g)).toEqual({ first: 9995, end: 10_000, firstTop: 24 });
    expect(visibleRows(10_000, 30, g)).toEqual({ first: 1, end: 7, firstTop: 14 });
  });

  it('stops scrolling at the last row', () => {
    expect(maxScrollTop(10, g)).toBe(100);
    expect(maxScrollTop(2, g)).toBe(0);
  });

  it('hit-tests areas and rows under the pointer', () => {
    expect(hitTest(150, 10, 0, 10, g)).toMatchObject({ area: 'axis', rowIndex: -1 });
    expect(hitTest(50, 24, 0, 10, g)).toMatchObject({ area: 'label', rowIndex: 0 });
    expect(hitTest(150, 50, 30, 10, g)).toMatchObject({ area: 'plot', rowIndex: 2, timeUs: 50 });
    expect(hitTest(230, 50, 0, 10, g)).toMatchObject({ area: 'summary', rowIndex: 1 });
    expect(hitTest(150, 120, 0, 2, g).rowIndex).toBe(-1);
  });
});

describe('rowRuns', () => {
  it('maps spans to whole pixels of the plot', () => {
    const runs = new RunBuffer();
    rowRuns(row('A.B..C', 0, 0, [[0, 40, SpanState.Present], [40, 60, SpanState.Missing], [60, 100, SpanState.NotExpected]]), g, noGapColours, runs);
    expect(Array.from({ length: runs.count }, (_, k) => [runs.x0[k], runs.x1[k], runs.color[k]])).toEqual([
      [100, 140, ColorKey.Present],
      [140, 160, ColorKey.Missing],
      [160, 200, ColorKey.NotExpected],
    ]);
  });

  it('keeps a gap narrower than a pixel visible as one pixel, over the present time around it', () => {
    const wide = { ...g, toUs: 100_000 };
    const runs = new RunBuffer();
    rowRuns(row('A.B..C', 0, 0, [[0, 50_000, SpanState.Present], [50_000, 50_010, SpanState.Missing], [50_010, 100_000, SpanState.Present]]), wide, noGapColours, runs);
    expect(Array.from({ length: runs.count }, (_, k) => [runs.x0[k], runs.x1[k], runs.color[k]])).toEqual([
      [100, 150, ColorKey.Present],
      [150, 151, ColorKey.Missing],
      [151, 200, ColorKey.Present],
    ]);
  });

  it('draws only what is in the window, clipped to the plot', () => {
    const runs = new RunBuffer();
    rowRuns(row('A.B..C', 0, 0, [[-500, -100, SpanState.Missing], [-100, 50, SpanState.Present], [50, 500, SpanState.Sparse1], [500, 900, SpanState.Missing]]), g, noGapColours, runs);
    expect(Array.from({ length: runs.count }, (_, k) => [runs.x0[k], runs.x1[k], runs.color[k]])).toEqual([
      [100, 150, ColorKey.Present],
      [150, 200, ColorKey.Sparse1],
    ]);
  });

  it('grows its buffer for rows with more runs than it had room for', () => {
    const spans: Array<[number, number, number]> = [];
    for (let i = 0; i < 1000; i++) spans.push([i, i + 1, i % 2 === 0 ? SpanState.Present : SpanState.Missing]);
    const runs = new RunBuffer();
    rowRuns(row('A.B..C', 0, 0, spans), { ...g, labelWidth: 0, width: 1060, toUs: 1000 }, noGapColours, runs);
    expect(runs.count).toBe(1000);
  });

  it('colours gaps by length when asked', () => {
    const gaps = { enabled: true, shortUs: 60, longUs: 3600 };
    expect(colorKeyOf(SpanState.Missing, 59, gaps)).toBe(ColorKey.ShortGap);
    expect(colorKeyOf(SpanState.Missing, 60, gaps)).toBe(ColorKey.Missing);
    expect(colorKeyOf(SpanState.Missing, 3600, gaps)).toBe(ColorKey.LongGap);
    expect(colorKeyOf(SpanState.Present, 10, gaps)).toBe(ColorKey.Present);
    expect(colorKeyOf(SpanState.Missing, 10, noGapColours)).toBe(ColorKey.Missing);
    // A pixel of several states with any missing time is drawn as missing; without, as mixed.
    expect(colorKeyOf(SpanState.Mixed, 10, noGapColours, 99.99)).toBe(ColorKey.Missing);
    expect(colorKeyOf(SpanState.Mixed, 10, noGapColours, 100)).toBe(ColorKey.Mixed);
    expect(colorKeyOf(SpanState.Mixed, 10, noGapColours)).toBe(ColorKey.Mixed);
  });

  it('ranks every gap colour above present, sparse and not-expected time', () => {
    for (const gap of [ColorKey.ShortGap, ColorKey.Missing, ColorKey.LongGap]) {
      for (const other of [ColorKey.Present, ColorKey.Sparse3, ColorKey.NotExpected, ColorKey.Mixed]) expect(COLOR_PRIORITY[gap]).toBeGreaterThan(COLOR_PRIORITY[other]);
    }
  });
});

describe('spanAtX', () => {
  it('finds the span drawn at a pixel, also a one-pixel gap among present time', () => {
    const wide = { ...g, toUs: 100_000 };
    const r = row('A.B..C', 0, 0, [[0, 50_000, SpanState.Present], [50_000, 50_010, SpanState.Missing], [50_010, 100_000, SpanState.Present]]);
    const scratch = new RunBuffer();
    expect(spanAtX(r, 120, wide, noGapColours, scratch)).toBe(0);
    expect(spanAtX(r, 150.5, wide, noGapColours, scratch)).toBe(1);
    expect(spanAtX(r, 170, wide, noGapColours, scratch)).toBe(2);
    expect(spanAtX(r, 50, wide, noGapColours, scratch)).toBe(-1);
  });
});

describe('time axis, zoom and links', () => {
  it('puts ticks at the zone’s midnights inside the plot, clear of the zone’s name', () => {
    const week: TimelineGeometry = { ...g, width: 860, labelWidth: 100, summaryWidth: 60, fromUs: 0, toUs: 7 * DAY };
    const measure = (text: string) => text.length * 6.5;
    const ticks = timeTicks(week, 'UTC', measure, [[100, 130]]);
    expect(ticks.map((t) => t.us / DAY)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(ticks[1].x).toBeCloseTo(xOfTime(DAY, week), 10);
    expect(ticks.map((t) => t.label)).toEqual([null, '1970-01-02', '1970-01-03', '1970-01-04', '1970-01-05', '1970-01-06', '1970-01-07', null]);
    const berlin = timeTicks(week, 'Europe/Berlin', measure);
    expect(berlin.map((t) => (t.us + 3_600_000_000) / DAY)).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it('turns a drag into the time range under it, in ms', () => {
    const window: TimelineGeometry = { ...g, fromUs: 1_000_000_000, toUs: 1_100_000_000 };
    expect(zoomRange(150, 120, window)).toEqual({ fromMs: 1_020_000, toMs: 1_050_000 });
    expect(zoomRange(150, 152, window)).toBeNull();
    // Dragged past the plot's edge: clipped to the window.
    expect(zoomRange(50, 300, window)).toEqual({ fromMs: 1_000_000, toMs: 1_100_000 });
  });

  it('fills a row link with the row, URL-encoded, leaving other placeholders to Grafana', () => {
    const link = fillRowLink('/d/x?var-channel=${__row.channel}&var-net=${__row.network}&loc=${__row.location}&from=${__from}', row('IU.ANMO..BHZ', 1, 0));
    expect(link).toBe('/d/x?var-channel=IU.ANMO..BHZ&var-net=IU&loc=&from=${__from}');
    expect(fillRowLink('${__row.channel}', { id: 'A B', network: '', station: '', location: '', channel: '' })).toBe('A%20B');
  });
});
