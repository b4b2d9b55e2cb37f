/**
 * The browser side of the harness: renders the panels' views with synthetic API answers turned
 * into frames by the datasource's own code, and exposes what the tests and the benchmark drive
 * (window.lacuna). Bundled by build.ts; never part of the plugin.
 */
import React from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { flushSync } from 'react-dom';
import { createTheme, DashboardCursorSync, DataHoverClearEvent, DataHoverEvent, EventBusSrv, ThemeContext, type DataFrame, type GrafanaTheme2 } from '@grafana/data';
import { PanelContextProvider } from '@grafana/ui';
import { readCompletion, readTimeline } from '../src/datasource/api';
import { completionFrame, timelineFrames } from '../src/datasource/frames';
import { panelPalette, type PanelPalette } from '../src/shared/palette';
import { MICROS_PER_MS } from '../src/shared/time';
import { CompletionView } from '../src/panels/completion/CompletionView';
import { DEFAULT_COMPLETION_OPTIONS, DEFAULT_THRESHOLD_STEPS, type CompletionOptions } from '../src/panels/completion/options';
import { TimelineView } from '../src/panels/timeline/TimelineView';
import { DEFAULT_TIMELINE_OPTIONS, type TimelineOptions } from '../src/panels/timeline/options';
import { buildDisplayRows, type TimelineGeometry } from '../src/panels/timeline/layout';
import { TimelineRenderer } from '../src/panels/timeline/draw';
import { rowNesting } from '../src/shared/rows';
import { buildTimelineModel } from '../src/panels/timeline/model';
import { buildGridRows } from '../src/panels/completion/layout';
import { buildCompletionModel } from '../src/panels/completion/model';
import { syntheticCompletion, syntheticTimeline, type TimelineShape } from './data';
import { runBench, type BenchFigures } from './bench-page';

type ThemeName = 'dark' | 'light';

export interface TimelineRequest {
  shape: TimelineShape;
  theme: ThemeName;
  width: number;
  height: number;
  options?: Partial<TimelineOptions>;
  /** The dashboard's time zone (default utc). */
  timeZone?: string;
  /** A query error to show. */
  error?: string;
}

export interface CompletionRequest {
  shape: { channels: number; days: number; planted?: boolean };
  theme: ThemeName;
  width: number;
  height: number;
  options?: Partial<CompletionOptions>;
  error?: string;
}

const themes: Record<ThemeName, GrafanaTheme2> = {
  dark: createTheme({ colors: { mode: 'dark' } }),
  light: createTheme({ colors: { mode: 'light' } }),
};

let root: Root | null = null;
const zoomCalls: Array<{ fromMs: number; toMs: number }> = [];
const openedLinks: string[] = [];
let timelineFramesShown: DataFrame[] = [];
let timelineOptionsShown: TimelineOptions = DEFAULT_TIMELINE_OPTIONS;
let completionFramesShown: DataFrame[] = [];
let completionOptionsShown: CompletionOptions = DEFAULT_COMPLETION_OPTIONS;

// The dashboard around the panel: its event bus (shared crosshair on) and theme.
const dashboardBus = new EventBusSrv();
const hoverEvents: Array<number | null> = [];
dashboardBus.getStream(DataHoverEvent).subscribe((event) => hoverEvents.push(event.payload.point.time ?? null));
dashboardBus.getStream(DataHoverClearEvent).subscribe(() => hoverEvents.push(null));
const panelContext = { eventsScope: 'global', eventBus: dashboardBus, sync: () => DashboardCursorSync.Crosshair };

function mount(element: React.ReactElement, theme: ThemeName): void {
  document.body.style.background = themes[theme].colors.background.primary;
  const container = document.getElementById('root')!;
  root?.unmount();
  root = createRoot(container);
  flushSync(() =>
    root!.render(
      <ThemeContext.Provider value={themes[theme]}>
        <PanelContextProvider value={panelContext}>{element}</PanelContextProvider>
      </ThemeContext.Provider>
    )
  );
}

/** Another panel's pointer at `timeMs` (null: it left), as the dashboard's event bus carries it. */
async function hoverElsewhere(timeMs: number | null): Promise<void> {
  const event = timeMs === null ? new DataHoverClearEvent() : new DataHoverEvent({ point: { time: timeMs } });
  dashboardBus.publish(event);
  await afterPaint();
}

function afterPaint(): Promise<void> {
  return new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => resolve())));
}

async function renderTimeline(request: TimelineRequest): Promise<void> {
  const json = syntheticTimeline(request.shape);
  const window = { fromUs: json.from, toUs: json.to };
  timelineFramesShown = timelineFrames(readTimeline(JSON.parse(JSON.stringify(json))), 'A', window);
  timelineOptionsShown = { ...DEFAULT_TIMELINE_OPTIONS, ...request.options };
  zoomCalls.length = 0;
  openedLinks.length = 0;
  hoverEvents.length = 0;
  mount(
    <TimelineView
      frames={timelineFramesShown}
      width={request.width}
      height={request.height}
      options={timelineOptionsShown}
      timeRange={{ fromMs: json.from / MICROS_PER_MS, toMs: json.to / MICROS_PER_MS }}
      timeZone={request.timeZone}
      error={request.error}
      eventBus={dashboardBus}
      onZoom={(range) => zoomCalls.push(range)}
      interpolate={(text) => text.replace('${__from}', String(json.from / MICROS_PER_MS))}
      openLink={(url) => openedLinks.push(url)}
    />,
    request.theme
  );
  await afterPaint();
}

async function renderCompletion(request: CompletionRequest): Promise<void> {
  const json = syntheticCompletion(request.shape);
  completionFramesShown = [completionFrame(readCompletion(JSON.parse(JSON.stringify(json)), 'day'), 'A')];
  completionOptionsShown = { ...DEFAULT_COMPLETION_OPTIONS, ...request.options };
  const theme = themes[request.theme];
  const thresholds = DEFAULT_THRESHOLD_STEPS.map((s) => ({ value: s.value, color: theme.visualization.getColorByName(s.color) }));
  mount(
    <CompletionView frames={completionFramesShown} width={request.width} height={request.height} options={completionOptionsShown} thresholds={thresholds} error={request.error} eventBus={dashboardBus} />,
    request.theme
  );
  await afterPaint();
}

/** The colour drawn at canvas CSS pixel (x, y), as `#rrggbb`. */
function pixel(x: number, y: number): string {
  const canvas = document.querySelector('canvas')!;
  const ratio = canvas.width / canvas.getBoundingClientRect().width;
  const [r, g, b] = canvas.getContext('2d')!.getImageData(Math.floor(x * ratio), Math.floor(y * ratio), 1, 1).data;
  return `#${[r, g, b].map((v) => v.toString(16).padStart(2, '0')).join('')}`;
}

/** Scrolls the panel's scroller and waits for the redraw. */
async function scrollTo(top: number): Promise<number> {
  const scroller = document.querySelector<HTMLElement>('[data-testid$="-scroller"]')!;
  scroller.scrollTop = top;
  scroller.dispatchEvent(new Event('scroll'));
  await afterPaint();
  return scroller.scrollTop;
}

/** The timeline's rows as the panel shows them now (keys), from the panel's own pure layout. */
function timelineRowKeys(sortBy: TimelineOptions['sortBy'] = timelineOptionsShown.sortBy): string[] {
  const model = buildTimelineModel(timelineFramesShown);
  return buildDisplayRows(model, { sortBy, groupByStation: timelineOptionsShown.groupByStation, collapsed: new Set() }).map((r) => r.key);
}

function completionRowKeys(sortBy: CompletionOptions['sortBy'] = completionOptionsShown.sortBy): string[] {
  const model = buildCompletionModel(completionFramesShown);
  return buildGridRows(model, { sortBy, groupByStation: completionOptionsShown.groupByStation, collapsed: new Set() }).map((r) => r.key);
}

function palette(theme: ThemeName): PanelPalette {
  return panelPalette(themes[theme]);
}

function themeColor(theme: ThemeName, name: string): string {
  return themes[theme].visualization.getColorByName(name).toLowerCase();
}

/**
 * The time axis labels the timeline's renderer draws over `days` days on a panel `width` wide, with
 * their extents as Chromium measures the text.
 */
function timelineAxisLabels(days: number, width: number, zone: string): Array<{ text: string; x0: number; x1: number }> {
  const canvas = document.createElement('canvas');
  const ctx = canvas.getContext('2d')!;
  const fromUs = Date.UTC(2024, 2, 1) * 1000;
  const geometry: TimelineGeometry = { width, height: 100, rowHeight: 20, axisHeight: 24, labelWidth: Math.round(Math.min(260, Math.max(110, width * 0.2))), summaryWidth: 76, fromUs, toUs: fromUs + days * 86_400_000_000 };
  const renderer = new TimelineRenderer();
  renderer.draw(ctx, {
    rows: [],
    nesting: rowNesting([]),
    zone,
    crosshairUs: null,
    scrollTop: 0,
    geometry,
    palette: panelPalette(themes.dark),
    gaps: { enabled: false, shortUs: 0, longUs: 0 },
    hoverRow: -1,
    selection: null,
    labelHeader: 'Channel',
    summaryHeader: '% present',
  });
  return renderer.axis.labels;
}

async function bench(): Promise<BenchFigures> {
  root?.unmount();
  root = null;
  return runBench(themes.dark);
}

declare global {
  interface Window {
    lacuna: typeof api;
  }
}

const api = { renderTimeline, renderCompletion, pixel, scrollTo, timelineRowKeys, completionRowKeys, palette, themeColor, zoomCalls, openedLinks, hoverEvents, hoverElsewhere, timelineAxisLabels, bench };
window.lacuna = api;
