/**
 * The completion map's view: model → rows → drawing on a sticky canvas in a scroller as tall as
 * all rows, with hover details, sort from the header and station groups that collapse.
 */
import React, { useCallback, useLayoutEffect, useMemo, useRef, useState } from 'react';
import type { DataFrame, GrafanaTheme2 } from '@grafana/data';
import { formatPercent, panelPalette, prepareCanvas } from '../../shared/palette';
import { canvasPoint, useFrameScheduler } from '../../shared/canvas';
import { PanelTooltip } from '../../shared/PanelTooltip';
import { formatMicros } from '../../shared/time';
import { GridRenderer } from './draw';
import { buildGridRows, columnTotals, gradientScale, gridHitTest, meanOf, thresholdScale, type GridGeometry } from './layout';
import { buildCompletionModel } from './model';
import type { CompletionOptions, CompletionSort } from './options';

export interface CompletionViewProps {
  frames: readonly DataFrame[];
  width: number;
  height: number;
  options: CompletionOptions;
  theme: GrafanaTheme2;
  /** Threshold steps with CSS colours (the panel's field config thresholds). */
  thresholds: ReadonlyArray<{ value: number; color: string }>;
}

const AXIS_HEIGHT = 24;
const TOTAL_WIDTH = 76;

interface Tooltip {
  x: number;
  y: number;
  lines: string[];
}

function bucketText(startUs: number, bucketUs: number): string {
  return `${formatMicros(startUs)} – ${formatMicros(startUs + bucketUs)}`;
}

export function CompletionView({ frames, width, height, options, theme, thresholds }: CompletionViewProps) {
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const scrollerRef = useRef<HTMLDivElement>(null);
  const renderer = useMemo(() => new GridRenderer(), []);
  const [collapsed, setCollapsed] = useState<ReadonlySet<string>>(() => new Set());
  const [sortOverride, setSortOverride] = useState<CompletionSort | null>(null);
  const [hover, setHoverState] = useState({ row: -1, column: -1 });
  // Same cell, same object: React then skips the render and the canvas is not redrawn on every mouse move.
  const setHover = (row: number, column: number) => setHoverState((current) => (current.row === row && current.column === column ? current : { row, column }));
  const [tooltip, setTooltip] = useState<Tooltip | null>(null);

  const sortBy = sortOverride ?? options.sortBy;
  const palette = useMemo(() => panelPalette(theme), [theme]);
  const model = useMemo(() => buildCompletionModel(frames), [frames]);
  const rows = useMemo(() => buildGridRows(model, { sortBy, groupByStation: options.groupByStation, collapsed }), [model, sortBy, options.groupByStation, collapsed]);
  const totals = useMemo(() => {
    const perColumn = columnTotals(model);
    return { perColumn, overall: meanOf(model.percent) };
  }, [model]);
  const scale = useMemo(() => {
    if (options.colorMode === 'gradient') {
      const color = (name: string) => theme.visualization.getColorByName(name);
      return gradientScale(options.gradientMin, options.gradientMax, [color('red'), color('yellow'), color('green')]);
    }
    return thresholdScale(thresholds);
  }, [options.colorMode, options.gradientMin, options.gradientMax, thresholds, theme]);
  const geometry: GridGeometry = useMemo(
    () => ({
      width,
      height,
      rowHeight: options.rowHeight,
      axisHeight: AXIS_HEIGHT,
      labelWidth: Math.round(Math.min(240, Math.max(100, width * 0.18))),
      totalWidth: options.showTotals ? TOTAL_WIDTH : 0,
      footerHeight: options.showTotals ? Math.max(options.rowHeight, 14) : 0,
      columnCount: model.columns.length,
    }),
    [width, height, options.rowHeight, options.showTotals, model.columns.length]
  );

  const scene = useRef({ rows, geometry, palette, scale, hover, sortBy, totals });
  scene.current = { rows, geometry, palette, scale, hover, sortBy, totals };

  const draw = useCallback(() => {
    const canvas = canvasRef.current;
    if (!canvas) return;
    const s = scene.current;
    const ctx = prepareCanvas(canvas, s.geometry.width, s.geometry.height);
    if (!ctx) return;
    renderer.draw(ctx, {
      rows: s.rows,
      columns: model.columns,
      bucket: model.bucket,
      columnTotals: s.totals.perColumn,
      overallTotal: s.totals.overall,
      scrollTop: scrollerRef.current?.scrollTop ?? 0,
      geometry: s.geometry,
      palette: s.palette,
      scale: s.scale,
      hoverRow: s.hover.row,
      hoverColumn: s.hover.column,
      labelHeader: `Channel · sort: ${s.sortBy === 'name' ? 'name' : 'lowest total'}`,
    });
  }, [renderer, model]);
  const requestDraw = useFrameScheduler(draw);
  useLayoutEffect(draw, [draw, rows, geometry, palette, scale, hover, sortBy, totals]);

  const pointer = (event: React.MouseEvent) => canvasPoint(canvasRef.current!, event);

  const onMouseMove = (event: React.MouseEvent) => {
    const { x, y } = pointer(event);
    const hit = gridHitTest(x, y, scrollerRef.current?.scrollTop ?? 0, rows.length, geometry);
    setHover(hit.rowIndex, hit.area === 'cell' || hit.area === 'columnTotal' ? hit.column : -1);
    const row = rows[hit.rowIndex];
    let lines: string[] | null = null;
    if (hit.area === 'cell' && row) {
      const completeness = row.completeness?.[hit.column];
      lines = [
        row.kind === 'station' ? `${row.key} (mean of ${row.channelCount} channels)` : row.key,
        bucketText(model.columns[hit.column], model.bucketUs),
        `present: ${Number.isNaN(row.values[hit.column]) ? 'nothing expected' : formatPercent(row.values[hit.column])}`,
        ...(completeness !== undefined && !Number.isNaN(completeness) ? [`sample completeness: ${formatPercent(completeness)}`] : []),
      ];
    } else if (hit.area === 'rowTotal' && row) {
      lines = [row.key, `total: ${formatPercent(Number.isNaN(row.total) ? null : row.total)} (mean of ${model.columns.length} ${model.bucket}s)`];
    } else if (hit.area === 'label' && row) {
      lines = [row.kind === 'station' ? `${row.key}: ${row.channelCount} channels, click to ${row.collapsed ? 'expand' : 'collapse'}` : row.key];
    } else if (hit.area === 'columnTotal') {
      lines = ['All channels', bucketText(model.columns[hit.column], model.bucketUs), `present: ${formatPercent(Number.isNaN(totals.perColumn[hit.column]) ? null : totals.perColumn[hit.column])} (mean)`];
    } else if (hit.area === 'overallTotal') {
      lines = ['All channels, all buckets', `present: ${formatPercent(Number.isNaN(totals.overall) ? null : totals.overall)} (mean)`];
    }
    setTooltip(lines ? { x, y, lines } : null);
  };

  const onClick = (event: React.MouseEvent) => {
    const { x, y } = pointer(event);
    const hit = gridHitTest(x, y, scrollerRef.current?.scrollTop ?? 0, rows.length, geometry);
    if (hit.area === 'axis' && x < geometry.labelWidth) {
      setSortOverride(sortBy === 'name' ? 'availability' : 'name');
    } else if (hit.area === 'label' && rows[hit.rowIndex]?.kind === 'station') {
      const key = rows[hit.rowIndex].key;
      const next = new Set(collapsed);
      if (next.has(key)) next.delete(key);
      else next.add(key);
      setCollapsed(next);
    }
  };

  const onMouseLeave = () => {
    setHover(-1, -1);
    setTooltip(null);
  };

  if (model.rows.length === 0) {
    return (
      <div style={{ width, height, display: 'flex', alignItems: 'center', justifyContent: 'center', color: palette.textMuted }}>
        No completion data: run a Lacuna completion query.
      </div>
    );
  }

  // Header and footer stay on the canvas; the scroller's height accounts for them.
  const totalHeight = geometry.axisHeight + rows.length * geometry.rowHeight + geometry.footerHeight;
  return (
    <div style={{ width, height, position: 'relative' }} data-testid="lacuna-completion">
      <div ref={scrollerRef} onScroll={requestDraw} style={{ width, height, overflowY: 'auto', overflowX: 'hidden' }} data-testid="lacuna-completion-scroller">
        <div style={{ height: Math.max(totalHeight, height) }}>
          <canvas
            ref={canvasRef}
            style={{ position: 'sticky', top: 0, width, height, display: 'block' }}
            onMouseMove={onMouseMove}
            onClick={onClick}
            onMouseLeave={onMouseLeave}
          />
        </div>
      </div>
      {tooltip && <PanelTooltip x={tooltip.x} y={tooltip.y} width={width} height={height} theme={theme} lines={tooltip.lines} />}
    </div>
  );
}
