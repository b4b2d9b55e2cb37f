/**
 * The timeline panel's view: wires the pure pieces (model → layout → drawing) to a canvas, the
 * pointer and the scroll position. A sticky canvas the size of the viewport sits in a scroller
 * as tall as all rows; scrolling redraws the canvas on the next animation frame.
 */
import React, { useCallback, useMemo, useRef, useState } from 'react';
import type { DataFrame, EventBus } from '@grafana/data';
import { useTheme2 } from '@grafana/ui';
import { Legend } from '../../shared/Legend';
import { panelPalette, formatPercent } from '../../shared/palette';
import { PanelMessage, PanelSurface, useCollapsedGroups, usePanelSurface, useSharedCrosshair, useSortOverride, useSurfaceDrawing } from '../../shared/PanelSurface';
import type { TooltipContent } from '../../shared/PanelTooltip';
import { rowNesting, withPinnedHeader } from '../../shared/rows';
import { COLOR_KEY_LABELS, ColorKey, SPAN_STATE_LABELS, SPAN_STATE_NAMES, SpanState } from '../../shared/states';
import { formatDuration, formatMicros, MICROS_PER_MS, MICROS_PER_SECOND, resolveTimeZone } from '../../shared/time';
import { TimelineRenderer } from './draw';
import {
  buildDisplayRows,
  colorKeysIn,
  contentHeight,
  fillRowLink,
  hitTest,
  RunBuffer,
  spanAtX,
  timelineSummary,
  visibleRows,
  zoomRange,
  type DisplayRow,
  type GapColoring,
  type TimelineGeometry,
} from './layout';
import { buildTimelineModel, type TimelineRow } from './model';
import type { SortOrder, TimelineOptions } from './options';

export interface TimelineViewProps {
  frames: readonly DataFrame[];
  width: number;
  height: number;
  options: TimelineOptions;
  /** The dashboard's time range, ms. */
  timeRange: { fromMs: number; toMs: number };
  /** The dashboard's time zone (`utc`, `browser` or an IANA name): the axis's ticks. */
  timeZone?: string;
  /** The queries' error, shown in the panel body. */
  error?: string | null;
  /** The dashboard's event bus, for the shared crosshair. */
  eventBus?: EventBus;
  onZoom?: (range: { fromMs: number; toMs: number }) => void;
  /** Fills dashboard variables into a row link (the panel's replaceVariables). */
  interpolate?: (text: string) => string;
  openLink?: (url: string) => void;
}

const AXIS_HEIGHT = 24;
const SUMMARY_WIDTH = 76;
const SORT_LABELS: Record<SortOrder, string> = { name: 'name', availability: 'lowest availability', longestGap: 'longest gap' };
const NEXT_SORT: Record<SortOrder, SortOrder> = { name: 'availability', availability: 'longestGap', longestGap: 'name' };

function labelWidthFor(width: number): number {
  return Math.round(Math.min(260, Math.max(110, width * 0.2)));
}

function spanTooltip(display: DisplayRow, spanIndex: number): string[] {
  const row = display.row!;
  const lines = [row.id];
  if (spanIndex >= 0) {
    const start = row.starts[spanIndex];
    const end = row.ends[spanIndex];
    const stateName = SPAN_STATE_NAMES[row.states[spanIndex]];
    lines.push(`${SPAN_STATE_LABELS[stateName]}: ${formatDuration(end - start)}`);
    lines.push(`from ${formatMicros(start)}`);
    lines.push(`to ${formatMicros(end)}`);
    const percent = row.spanPercent[spanIndex];
    if (stateName === 'mixed' && !Number.isNaN(percent)) lines.push(`present in span: ${formatPercent(percent)}`);
    const missingUs = row.missingUs[spanIndex];
    if (stateName === 'mixed' && missingUs > 0) lines.push(`missing inside: ${formatDuration(missingUs)}`);
    const missing = row.missingSamples[spanIndex];
    if (!Number.isNaN(missing)) lines.push(`missing samples: ${missing.toLocaleString('en-US')}`);
  }
  lines.push(`row: ${formatPercent(row.percent)} present · ${row.gaps} gap${row.gaps === 1 ? '' : 's'} · longest ${formatDuration(row.longestGapUs)}`);
  const since = noDataSince(row);
  if (since !== null) lines.push(since);
  return lines;
}

/** "no data since …" for a channel whose data stopped before the window's end and is now missing (not merely on its way). */
export function noDataSince(row: TimelineRow): string | null {
  let last = row.states.length - 1;
  while (last >= 0 && (row.states[last] === SpanState.Pending || row.states[last] === SpanState.NotExpected)) last--;
  if (last < 0 || row.states[last] !== SpanState.Missing) return null;
  return row.lastSampleUs === null ? 'no data in the window' : `no data since ${formatMicros(row.lastSampleUs)}`;
}

function groupTooltip(display: DisplayRow): string[] {
  return [
    `${display.key}: ${display.channelCount} channel${display.channelCount === 1 ? '' : 's'}`,
    `${formatPercent(display.percent)} present (mean of channels)`,
    `${display.gaps} gap${display.gaps === 1 ? '' : 's'} · longest ${formatDuration(display.longestGapUs)}`,
    display.collapsed ? 'click to expand' : 'click to collapse',
  ];
}

export function TimelineView(props: TimelineViewProps) {
  const { frames, width, height, options, timeRange, onZoom, interpolate, openLink } = props;
  const theme = useTheme2();
  const surface = usePanelSurface(width, height);
  const renderer = useMemo(() => new TimelineRenderer(), []);
  const scratch = useMemo(() => new RunBuffer(), []);
  const [collapsed, toggleGroup] = useCollapsedGroups();
  const [sortBy, setSortBy] = useSortOverride<SortOrder>(options.sortBy);
  const [hoverRow, setHoverRow] = useState(-1);
  const [selection, setSelection] = useState<{ x0: number; x1: number } | null>(null);
  const [tooltip, setTooltip] = useState<TooltipContent | null>(null);
  const dragStart = useRef<number | null>(null);
  const crosshair = useSharedCrosshair(props.eventBus);

  const zone = useMemo(() => resolveTimeZone(props.timeZone), [props.timeZone]);
  const palette = useMemo(() => panelPalette(theme, options.stateColors), [theme, options.stateColors]);
  const model = useMemo(() => buildTimelineModel(frames), [frames]);
  const rows = useMemo(
    () => buildDisplayRows(model, { sortBy, groupByStation: options.groupByStation, collapsed }),
    [model, sortBy, options.groupByStation, collapsed]
  );
  const nesting = useMemo(() => rowNesting(rows.map((r) => ({ depth: r.depth, isGroup: r.kind !== 'channel' }))), [rows]);
  const gaps: GapColoring = useMemo(
    () => ({ enabled: options.colorGapsByLength, shortUs: options.shortGapSeconds * MICROS_PER_SECOND, longUs: options.longGapSeconds * MICROS_PER_SECOND }),
    [options.colorGapsByLength, options.shortGapSeconds, options.longGapSeconds]
  );
  const shownColors = useMemo(() => colorKeysIn(model.rows, gaps), [model, gaps]);
  const { viewport } = surface;
  const geometry: TimelineGeometry = useMemo(
    () => ({
      width: viewport.width,
      height: Math.max(AXIS_HEIGHT + options.rowHeight, viewport.height),
      rowHeight: options.rowHeight,
      axisHeight: AXIS_HEIGHT,
      labelWidth: labelWidthFor(viewport.width),
      summaryWidth: SUMMARY_WIDTH,
      fromUs: timeRange.fromMs * MICROS_PER_MS,
      toUs: timeRange.toMs * MICROS_PER_MS,
    }),
    [viewport, options.rowHeight, timeRange.fromMs, timeRange.toMs]
  );
  const crosshairUs = crosshair.time === null ? null : crosshair.time * MICROS_PER_MS;

  const onScroll = useSurfaceDrawing(
    surface,
    (ctx, scrollTop) =>
      renderer.draw(ctx, {
        rows,
        nesting,
        zone,
        crosshairUs,
        geometry,
        palette,
        gaps,
        hoverRow,
        selection,
        scrollTop,
        labelHeader: `Channel · sort: ${SORT_LABELS[sortBy]}`,
        summaryHeader: '% present',
      }),
    [rows, nesting, zone, crosshairUs, geometry, palette, gaps, hoverRow, selection, sortBy]
  );

  /** The row under the pointer: a pinned group header where one covers the rows. */
  const hitAt = useCallback(
    (x: number, y: number) => {
      const scrollTop = surface.scrollTop();
      return withPinnedHeader(hitTest(x, y, scrollTop, rows.length, geometry), y, visibleRows(rows.length, scrollTop, geometry), nesting, geometry.axisHeight, geometry.rowHeight);
    },
    [surface, rows.length, geometry, nesting]
  );

  const onMouseMove = (event: React.MouseEvent) => {
    const { x, y } = surface.point(event);
    if (dragStart.current !== null) {
      setSelection({ x0: dragStart.current, x1: x });
      setTooltip(null);
      return;
    }
    const hit = hitAt(x, y);
    crosshair.publish(hit.area === 'plot' || hit.area === 'axis' ? Math.round(hit.timeUs / MICROS_PER_MS) : null);
    setHoverRow(hit.rowIndex);
    if (hit.rowIndex < 0) {
      setTooltip(null);
      return;
    }
    const display = rows[hit.rowIndex];
    const lines = display.row ? spanTooltip(display, hit.area === 'plot' ? spanAtX(display.row, x, geometry, gaps, scratch) : -1) : groupTooltip(display);
    if (display.row && options.rowLink && hit.area === 'label') lines.push('click to open the row link');
    setTooltip({ x, y, lines });
  };

  const onMouseDown = (event: React.MouseEvent) => {
    const { x, y } = surface.point(event);
    if (event.button === 0 && hitAt(x, y).area === 'plot') dragStart.current = x;
  };

  const onMouseUp = (event: React.MouseEvent) => {
    const { x, y } = surface.point(event);
    const start = dragStart.current;
    dragStart.current = null;
    setSelection(null);
    if (start !== null) {
      const range = zoomRange(start, x, geometry);
      if (range) {
        onZoom?.(range);
        return;
      }
    }
    const hit = hitAt(x, y);
    if (hit.area === 'axis') {
      if (x < geometry.labelWidth) setSortBy(NEXT_SORT[sortBy]);
      else if (x >= geometry.width - SUMMARY_WIDTH) setSortBy(sortBy === 'availability' ? 'name' : 'availability');
      return;
    }
    if (hit.rowIndex < 0 || hit.area !== 'label') return;
    const display = rows[hit.rowIndex];
    if (display.kind !== 'channel') toggleGroup(display.key);
    else if (display.row && options.rowLink) {
      const filled = fillRowLink(options.rowLink, display.row);
      openLink?.(interpolate ? interpolate(filled) : filled);
    }
  };

  const onMouseLeave = () => {
    dragStart.current = null;
    crosshair.publish(null);
    setSelection(null);
    setHoverRow(-1);
    setTooltip(null);
  };

  const error = props.error ?? null;
  if (model.rows.length === 0) {
    return <PanelMessage width={width} height={height} error={error} empty="No channels in the data: run a Lacuna timeline query." testId="lacuna-timeline" />;
  }

  return (
    <PanelSurface
      surface={surface}
      width={width}
      height={height}
      contentHeight={contentHeight(rows.length, geometry)}
      label={`Availability timeline of ${model.rows.length} channel${model.rows.length === 1 ? '' : 's'}`}
      summary={timelineSummary(model, geometry, zone)}
      error={error}
      tooltip={tooltip}
      cursor={selection ? 'col-resize' : 'default'}
      footer={
        options.showLegend ? (
          <TimelineLegend states={palette.states} shown={shownColors} gapsByLength={options.colorGapsByLength} shortGapSeconds={options.shortGapSeconds} longGapSeconds={options.longGapSeconds} />
        ) : undefined
      }
      onScroll={onScroll}
      onMouseMove={onMouseMove}
      onMouseDown={onMouseDown}
      onMouseUp={onMouseUp}
      onMouseLeave={onMouseLeave}
      testId="lacuna-timeline"
    />
  );
}

interface LegendProps {
  states: readonly string[];
  /** The colour keys in view: only these are listed. */
  shown: ReadonlySet<number>;
  gapsByLength: boolean;
  shortGapSeconds: number;
  longGapSeconds: number;
}

/** The legend of the states in view, in a fixed order (covered, then missing, then neutral time). */
export function TimelineLegend({ states, shown, gapsByLength, shortGapSeconds, longGapSeconds }: LegendProps) {
  const short = formatDuration(shortGapSeconds * MICROS_PER_SECOND);
  const long = formatDuration(longGapSeconds * MICROS_PER_SECOND);
  const entries: Array<[number, string]> = [
    [ColorKey.Present, COLOR_KEY_LABELS.present],
    [ColorKey.Sparse1, COLOR_KEY_LABELS.sparse1],
    [ColorKey.Sparse2, COLOR_KEY_LABELS.sparse2],
    [ColorKey.Sparse3, COLOR_KEY_LABELS.sparse3],
    [ColorKey.Overlap, COLOR_KEY_LABELS.overlap],
    [ColorKey.ShortGap, `Gap < ${short}`],
    [ColorKey.Missing, gapsByLength ? `Gap ${short}–${long}` : COLOR_KEY_LABELS.missing],
    [ColorKey.LongGap, `Gap ≥ ${long}`],
    [ColorKey.Mixed, COLOR_KEY_LABELS.mixed],
    [ColorKey.Pending, COLOR_KEY_LABELS.pending],
    [ColorKey.NotExpected, COLOR_KEY_LABELS.not_expected],
  ];
  return <Legend entries={entries.filter(([key]) => shown.has(key)).map(([key, label]) => ({ color: states[key], label }))} />;
}
