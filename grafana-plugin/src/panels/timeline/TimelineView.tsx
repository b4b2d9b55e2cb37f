/**
 * The timeline panel's view: wires the pure pieces (model → layout → drawing) to a canvas, the
 * pointer and the scroll position. A sticky canvas the size of the viewport sits in a scroller
 * as tall as all rows; scrolling redraws the canvas on the next animation frame.
 */
import React, { useCallback, useLayoutEffect, useMemo, useRef, useState } from 'react';
import type { DataFrame, GrafanaTheme2 } from '@grafana/data';
import { panelPalette, formatPercent, prepareCanvas } from '../../shared/palette';
import { canvasPoint, useFrameScheduler } from '../../shared/canvas';
import { PanelTooltip } from '../../shared/PanelTooltip';
import { ColorKey, SPAN_STATE_LABELS, SPAN_STATE_NAMES } from '../../shared/states';
import { formatDuration, formatMicros, MICROS_PER_MS, MICROS_PER_SECOND } from '../../shared/time';
import { TimelineRenderer } from './draw';
import {
  buildDisplayRows,
  contentHeight,
  fillRowLink,
  hitTest,
  RunBuffer,
  spanAtX,
  zoomRange,
  type DisplayRow,
  type GapColoring,
  type TimelineGeometry,
} from './layout';
import { buildTimelineModel } from './model';
import type { SortOrder, TimelineOptions } from './options';

export interface TimelineViewProps {
  frames: readonly DataFrame[];
  width: number;
  height: number;
  options: TimelineOptions;
  theme: GrafanaTheme2;
  /** The dashboard's time range, ms. */
  timeRange: { fromMs: number; toMs: number };
  onZoom?: (range: { fromMs: number; toMs: number }) => void;
  /** Fills dashboard variables into a row link (the panel's replaceVariables). */
  interpolate?: (text: string) => string;
  openLink?: (url: string) => void;
}

const AXIS_HEIGHT = 24;
const SUMMARY_WIDTH = 76;
const LEGEND_HEIGHT = 24;
const SORT_LABELS: Record<SortOrder, string> = { name: 'name', availability: 'lowest availability', longestGap: 'longest gap' };
const NEXT_SORT: Record<SortOrder, SortOrder> = { name: 'availability', availability: 'longestGap', longestGap: 'name' };

interface Tooltip {
  x: number;
  y: number;
  lines: string[];
}

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
  }
  lines.push(`row: ${formatPercent(row.percent)} present · ${row.gaps} gap${row.gaps === 1 ? '' : 's'} · longest ${formatDuration(row.longestGapUs)}`);
  return lines;
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
  const { frames, width, height, options, theme, timeRange, onZoom, interpolate, openLink } = props;
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const scrollerRef = useRef<HTMLDivElement>(null);
  const renderer = useMemo(() => new TimelineRenderer(), []);
  const scratch = useMemo(() => new RunBuffer(), []);
  const [collapsed, setCollapsed] = useState<ReadonlySet<string>>(() => new Set());
  const [sortOverride, setSortOverride] = useState<SortOrder | null>(null);
  const [hoverRow, setHoverRow] = useState(-1);
  const [selection, setSelection] = useState<{ x0: number; x1: number } | null>(null);
  const [tooltip, setTooltip] = useState<Tooltip | null>(null);
  const dragStart = useRef<number | null>(null);

  const sortBy = sortOverride ?? options.sortBy;
  const palette = useMemo(() => panelPalette(theme), [theme]);
  const model = useMemo(() => buildTimelineModel(frames), [frames]);
  const rows = useMemo(
    () => buildDisplayRows(model, { sortBy, groupByStation: options.groupByStation, collapsed }),
    [model, sortBy, options.groupByStation, collapsed]
  );
  const gaps: GapColoring = useMemo(
    () => ({ enabled: options.colorGapsByLength, shortUs: options.shortGapSeconds * MICROS_PER_SECOND, longUs: options.longGapSeconds * MICROS_PER_SECOND }),
    [options.colorGapsByLength, options.shortGapSeconds, options.longGapSeconds]
  );
  const viewportHeight = Math.max(AXIS_HEIGHT + options.rowHeight, height - (options.showLegend ? LEGEND_HEIGHT : 0));
  const geometry: TimelineGeometry = useMemo(
    () => ({
      width,
      height: viewportHeight,
      rowHeight: options.rowHeight,
      axisHeight: AXIS_HEIGHT,
      labelWidth: labelWidthFor(width),
      summaryWidth: SUMMARY_WIDTH,
      fromUs: timeRange.fromMs * MICROS_PER_MS,
      toUs: timeRange.toMs * MICROS_PER_MS,
    }),
    [width, viewportHeight, options.rowHeight, timeRange.fromMs, timeRange.toMs]
  );

  const scene = useRef({ rows, geometry, palette, gaps, hoverRow, selection, sortBy });
  scene.current = { rows, geometry, palette, gaps, hoverRow, selection, sortBy };

  const draw = useCallback(() => {
    const canvas = canvasRef.current;
    if (!canvas) return;
    const s = scene.current;
    const ctx = prepareCanvas(canvas, s.geometry.width, s.geometry.height);
    if (!ctx) return;
    renderer.draw(ctx, {
      ...s,
      scrollTop: scrollerRef.current?.scrollTop ?? 0,
      labelHeader: `Channel · sort: ${SORT_LABELS[s.sortBy]}`,
      summaryHeader: '% present',
    });
  }, [renderer]);

  const requestDraw = useFrameScheduler(draw);

  useLayoutEffect(draw, [draw, rows, geometry, palette, gaps, hoverRow, selection, sortBy]);

  const pointer = (event: React.MouseEvent) => canvasPoint(canvasRef.current!, event);

  const onMouseMove = (event: React.MouseEvent) => {
    const { x, y } = pointer(event);
    if (dragStart.current !== null) {
      setSelection({ x0: dragStart.current, x1: x });
      setTooltip(null);
      return;
    }
    const hit = hitTest(x, y, scrollerRef.current?.scrollTop ?? 0, rows.length, geometry);
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
    const { x, y } = pointer(event);
    if (event.button === 0 && hitTest(x, y, scrollerRef.current?.scrollTop ?? 0, rows.length, geometry).area === 'plot') dragStart.current = x;
  };

  const onMouseUp = (event: React.MouseEvent) => {
    const { x, y } = pointer(event);
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
    const hit = hitTest(x, y, scrollerRef.current?.scrollTop ?? 0, rows.length, geometry);
    if (hit.area === 'axis') {
      if (x < geometry.labelWidth) setSortOverride(NEXT_SORT[sortBy]);
      else if (x >= width - SUMMARY_WIDTH) setSortOverride(sortBy === 'availability' ? 'name' : 'availability');
      return;
    }
    if (hit.rowIndex < 0 || hit.area !== 'label') return;
    const display = rows[hit.rowIndex];
    if (display.kind !== 'channel') {
      const next = new Set(collapsed);
      if (next.has(display.key)) next.delete(display.key);
      else next.add(display.key);
      setCollapsed(next);
    } else if (display.row && options.rowLink) {
      const filled = fillRowLink(options.rowLink, display.row);
      openLink?.(interpolate ? interpolate(filled) : filled);
    }
  };

  const onMouseLeave = () => {
    dragStart.current = null;
    setSelection(null);
    setHoverRow(-1);
    setTooltip(null);
  };

  if (model.rows.length === 0) {
    return (
      <div style={{ width, height, display: 'flex', alignItems: 'center', justifyContent: 'center', color: palette.textMuted }}>
        No channels in the data: run a Lacuna timeline query.
      </div>
    );
  }

  const totalHeight = contentHeight(rows.length, geometry);
  return (
    <div style={{ width, height, position: 'relative', display: 'flex', flexDirection: 'column' }} data-testid="lacuna-timeline">
      <div ref={scrollerRef} onScroll={requestDraw} style={{ height: viewportHeight, overflowY: 'auto', overflowX: 'hidden', position: 'relative' }} data-testid="lacuna-timeline-scroller">
        <div style={{ height: Math.max(totalHeight, viewportHeight), position: 'relative' }}>
          <canvas
            ref={canvasRef}
            style={{ position: 'sticky', top: 0, width, height: viewportHeight, display: 'block', cursor: selection ? 'col-resize' : 'default' }}
            onMouseMove={onMouseMove}
            onMouseDown={onMouseDown}
            onMouseUp={onMouseUp}
            onMouseLeave={onMouseLeave}
          />
        </div>
      </div>
      {options.showLegend && <TimelineLegend states={palette.states} gapsByLength={options.colorGapsByLength} shortGapSeconds={options.shortGapSeconds} longGapSeconds={options.longGapSeconds} textColor={palette.textMuted} />}
      {tooltip && <PanelTooltip x={tooltip.x} y={tooltip.y} width={width} height={height} theme={theme} lines={tooltip.lines} />}
    </div>
  );
}

interface LegendProps {
  states: readonly string[];
  gapsByLength: boolean;
  shortGapSeconds: number;
  longGapSeconds: number;
  textColor: string;
}

export function TimelineLegend({ states, gapsByLength, shortGapSeconds, longGapSeconds, textColor }: LegendProps) {
  const short = formatDuration(shortGapSeconds * MICROS_PER_SECOND);
  const long = formatDuration(longGapSeconds * MICROS_PER_SECOND);
  const entries: Array<[number, string]> = [
    [ColorKey.Present, 'Present'],
    [ColorKey.Sparse1, 'Sparse 1–1.5Δ'],
    [ColorKey.Sparse2, 'Sparse 1.5–2Δ'],
    [ColorKey.Sparse3, 'Sparse ≥ 2Δ'],
    ...(gapsByLength
      ? ([
          [ColorKey.ShortGap, `Gap < ${short}`],
          [ColorKey.Missing, `Gap ${short}–${long}`],
          [ColorKey.LongGap, `Gap ≥ ${long}`],
        ] as Array<[number, string]>)
      : ([[ColorKey.Missing, 'Missing']] as Array<[number, string]>)),
    [ColorKey.NotExpected, 'Not expected'],
    [ColorKey.Mixed, 'Mixed'],
  ];
  return (
    <div data-testid="lacuna-legend" style={{ height: LEGEND_HEIGHT, display: 'flex', gap: 12, alignItems: 'center', padding: '0 6px', fontSize: 12, color: textColor, overflow: 'hidden', whiteSpace: 'nowrap' }}>
      {entries.map(([key, label]) => (
        <span key={label} style={{ display: 'inline-flex', alignItems: 'center', gap: 4 }}>
          <span style={{ width: 12, height: 10, background: states[key], display: 'inline-block', borderRadius: 2 }} />
          {label}
        </span>
      ))}
    </div>
  );
}
