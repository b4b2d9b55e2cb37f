/**
 * The benchmark's browser side: times the panels' pipelines (frames → model → layout → drawing)
 * and scroll frames on the sizes the issue names, in the page, with performance.now(). Each
 * drawing is followed by a one-pixel read-back so the rasterisation is counted, not deferred.
 */
import type { GrafanaTheme2 } from '@grafana/data';
import { readCompletion, readTimeline } from '../src/datasource/api';
import { completionFrame, timelineFrames } from '../src/datasource/frames';
import { panelPalette, prepareCanvas } from '../src/shared/palette';
import { MICROS_PER_SECOND } from '../src/shared/time';
import { TimelineRenderer } from '../src/panels/timeline/draw';
import { buildDisplayRows, maxScrollTop, type DisplayRow, type TimelineGeometry } from '../src/panels/timeline/layout';
import { rowNesting } from '../src/shared/rows';
import { buildTimelineModel } from '../src/panels/timeline/model';
import { GridRenderer } from '../src/panels/completion/draw';
import { buildGridRows, columnTotals, gridMaxScroll, meanOf, thresholdScale, type GridGeometry } from '../src/panels/completion/layout';
import { buildCompletionModel } from '../src/panels/completion/model';
import { DEFAULT_THRESHOLD_STEPS } from '../src/panels/completion/options';
import { syntheticCompletion, syntheticTimeline } from './data';

export interface Timing {
  median: number;
  p95: number;
  max: number;
}

export interface BenchFigures {
  viewport: { width: number; height: number; devicePixelRatio: number };
  runs: { fullRenders: number; scrollFrames: number };
  timeline: { rows: number; spans: number; frames: Timing; model: Timing; layout: Timing; draw: Timing; fullRender: Timing; scrollFrame: Timing };
  grid: { rows: number; columns: number; frames: Timing; model: Timing; layout: Timing; draw: Timing; fullRender: Timing; scrollFrame: Timing };
}

const WIDTH = 1600;
const HEIGHT = 900;
const FULL_RENDER_RUNS = 15;
const BENCH_ZONE = 'Europe/Berlin';
const SCROLL_FRAMES = 240;

function timing(samples: number[]): Timing {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  const round = (v: number) => Math.round(v * 100) / 100;
  return { median: round(at(0.5)), p95: round(at(0.95)), max: round(sorted[sorted.length - 1]) };
}

function time<T>(samples: number[], work: () => T): T {
  const start = performance.now();
  const result = work();
  samples.push(performance.now() - start);
  return result;
}

/** A canvas on the page, prepared as the panels prepare theirs. */
function canvas(): CanvasRenderingContext2D {
  const element = document.createElement('canvas');
  element.style.width = `${WIDTH}px`;
  element.style.height = `${HEIGHT}px`;
  document.getElementById('root')!.replaceChildren(element);
  return prepareCanvas(element, WIDTH, HEIGHT)!;
}

/** Forces the drawing to be rasterised now. */
function flush(ctx: CanvasRenderingContext2D): void {
  ctx.getImageData(0, 0, 1, 1);
}

async function nextFrame(): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 0));
}

export async function runBench(theme: GrafanaTheme2): Promise<BenchFigures> {
  const palette = panelPalette(theme);

  // Timeline: 2,000 rows × 200 spans over four weeks.
  const timelineJson = syntheticTimeline({ channels: 2000, days: 28, spansPerRow: 200, seed: 1 });
  const spans = timelineJson.rows.reduce((n, r) => n + r.spans.length, 0);
  const window = { fromUs: timelineJson.from, toUs: timelineJson.to };
  const t = { frames: [] as number[], model: [] as number[], layout: [] as number[], draw: [] as number[], full: [] as number[], scroll: [] as number[] };
  const timelineCtx = canvas();
  const renderer = new TimelineRenderer();
  const geometry: TimelineGeometry = { width: WIDTH, height: HEIGHT, rowHeight: 20, axisHeight: 24, labelWidth: 260, summaryWidth: 76, ...window };
  const gaps = { enabled: true, shortUs: 60 * MICROS_PER_SECOND, longUs: 86_400 * MICROS_PER_SECOND };
  let rows = buildDisplayRows(buildTimelineModel([]), { sortBy: 'name', groupByStation: true, collapsed: new Set() });
  // The axis in a zone other than UTC, as most dashboards ("browser") have: the zone's calendar is part of each frame.
  const timelineScene = (rows: readonly DisplayRow[], nesting: ReturnType<typeof rowNesting>, scrollTop: number) => ({
    rows,
    nesting,
    zone: BENCH_ZONE,
    crosshairUs: null,
    scrollTop,
    geometry,
    palette,
    gaps,
    hoverRow: -1,
    selection: null,
    labelHeader: 'Channel',
    summaryHeader: '% present',
  });
  let nesting = rowNesting([]);
  for (let run = 0; run < FULL_RENDER_RUNS; run++) {
    const frames = time(t.frames, () => timelineFrames(readTimeline(timelineJson), 'A', window));
    const start = performance.now();
    const model = time(t.model, () => buildTimelineModel(frames));
    [rows, nesting] = time(t.layout, () => {
      const display = buildDisplayRows(model, { sortBy: 'availability', groupByStation: true, collapsed: new Set() });
      return [display, rowNesting(display.map((r) => ({ depth: r.depth, isGroup: r.kind !== 'channel' })))] as const;
    });
    time(t.draw, () => {
      renderer.draw(timelineCtx, timelineScene(rows, nesting, 0));
      flush(timelineCtx);
    });
    t.full.push(performance.now() - start);
    await nextFrame();
  }
  const timelineMax = maxScrollTop(rows.length, geometry);
  for (let frame = 0; frame < SCROLL_FRAMES; frame++) {
    const scrollTop = ((frame * 47) % timelineMax) + 0.5 * (frame % 2);
    time(t.scroll, () => {
      renderer.draw(timelineCtx, timelineScene(rows, nesting, scrollTop));
      flush(timelineCtx);
    });
  }

  // Completion map: 2,000 channels × 365 days.
  const gridJson = syntheticCompletion({ channels: 2000, days: 365, seed: 3 });
  const c = { frames: [] as number[], model: [] as number[], layout: [] as number[], draw: [] as number[], full: [] as number[], scroll: [] as number[] };
  const gridCtx = canvas();
  const gridRenderer = new GridRenderer();
  const scale = thresholdScale(DEFAULT_THRESHOLD_STEPS.map((s) => ({ value: s.value, color: theme.visualization.getColorByName(s.color) })));
  const gridGeometry: GridGeometry = { width: WIDTH, height: HEIGHT, rowHeight: 16, axisHeight: 24, labelWidth: 240, totalWidth: 76, footerHeight: 16, columnCount: 365 };
  let gridRows = buildGridRows(buildCompletionModel([]), { sortBy: 'name', groupByStation: true, collapsed: new Set() });
  let model = buildCompletionModel([]);
  let totals = columnTotals(model);
  let gridNesting = rowNesting([]);
  for (let run = 0; run < FULL_RENDER_RUNS; run++) {
    const frame = time(c.frames, () => completionFrame(readCompletion(gridJson, 'day'), 'A'));
    const start = performance.now();
    model = time(c.model, () => buildCompletionModel([frame]));
    [gridRows, gridNesting] = time(c.layout, () => {
      const display = buildGridRows(model, { sortBy: 'availability', groupByStation: true, collapsed: new Set() });
      return [display, rowNesting(display.map((r) => ({ depth: r.depth, isGroup: r.kind === 'station' })))] as const;
    });
    totals = columnTotals(model);
    time(c.draw, () => {
      gridRenderer.draw(gridCtx, gridScene(0));
      flush(gridCtx);
    });
    c.full.push(performance.now() - start);
    await nextFrame();
  }
  function gridScene(scrollTop: number) {
    return {
      rows: gridRows,
      nesting: gridNesting,
      columns: model.columns,
      bucket: model.bucket,
      bucketUs: model.bucketUs,
      dayOfYear: false,
      crosshairColumn: -1,
      columnTotals: totals,
      overallTotal: meanOf(model.percent),
      scrollTop,
      geometry: gridGeometry,
      palette,
      scale,
      hoverRow: -1,
      hoverColumn: -1,
      labelHeader: 'Channel',
    };
  }
  const gridMax = gridMaxScroll(gridRows.length, gridGeometry);
  for (let frame = 0; frame < SCROLL_FRAMES; frame++) {
    const scrollTop = (frame * 41) % gridMax;
    time(c.scroll, () => {
      gridRenderer.draw(gridCtx, gridScene(scrollTop));
      flush(gridCtx);
    });
  }

  return {
    viewport: { width: WIDTH, height: HEIGHT, devicePixelRatio },
    runs: { fullRenders: FULL_RENDER_RUNS, scrollFrames: SCROLL_FRAMES },
    timeline: {
      rows: timelineJson.rows.length,
      spans,
      frames: timing(t.frames),
      model: timing(t.model),
      layout: timing(t.layout),
      draw: timing(t.draw),
      fullRender: timing(t.full),
      scrollFrame: timing(t.scroll),
    },
    grid: {
      rows: model.rows.length,
      columns: model.columns.length,
      frames: timing(c.frames),
      model: timing(c.model),
      layout: timing(c.layout),
      draw: timing(c.draw),
      fullRender: timing(c.full),
      scrollFrame: timing(c.scroll),
    },
  };
}
