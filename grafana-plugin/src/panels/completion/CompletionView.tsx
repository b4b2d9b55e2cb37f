/**
 * The completion map's view: model → rows → drawing on the shared panel surface, with hover
 * details, sort from the header, station groups that collapse and the shared crosshair.
 */
import React, { useCallback, useMemo, useState } from 'react';
import type { DataFrame, EventBus } from '@grafana/data';
import { useTheme2 } from '@grafana/ui';
import { Legend } from '../../shared/Legend';
import { formatPercent, panelPalette, type PanelPalette } from '../../shared/palette';
import { PanelMessage, PanelSurface, useCollapsedGroups, usePanelSurface, useSharedCrosshair, useSortOverride, useSurfaceDrawing } from '../../shared/PanelSurface';
import type { TooltipContent } from '../../shared/PanelTooltip';
import { rowNesting, withPinnedHeader } from '../../shared/rows';
import { COLOR_KEY_LABELS, ColorKey } from '../../shared/states';
import { formatMicros, MICROS_PER_MS } from '../../shared/time';
import { GridRenderer } from './draw';
import { buildGridRows, columnTotals, completionSummary, gradientScale, gridHitTest, gridVisibleRows, meanOf, thresholdScale, type ColorScale, type GridGeometry } from './layout';
import { buildCompletionModel, type CompletionModel } from './model';
import type { CompletionOptions, CompletionSort } from './options';

export interface CompletionViewProps {
  frames: readonly DataFrame[];
  width: number;
  height: number;
  options: CompletionOptions;
  /** Threshold steps with CSS colours (the panel's field config thresholds). */
  thresholds: ReadonlyArray<{ value: number; color: string }>;
  /** The queries' error, shown in the panel body. */
  error?: string | null;
  /** The dashboard's event bus, for the shared crosshair. */
  eventBus?: EventBus;
}

const AXIS_HEIGHT = 24;
const TOTAL_WIDTH = 76;

function bucketText(startUs: number, bucketUs: number): string {
  return `${formatMicros(startUs)} – ${formatMicros(startUs + bucketUs)}`;
}

/** Which of the map's states other than the colour scale appear in the data. */
function completionStatesInView(model: CompletionModel): { notExpected: boolean; pending: boolean; overlap: boolean } {
  let notExpected = false;
  let pending = false;
  for (let i = 0; i < model.percent.length; i++) {
    if (model.pending[i] > 0) pending = true;
    else if (Number.isNaN(model.percent[i])) notExpected = true;
  }
  return { notExpected, pending, overlap: model.overlaps.includes(1) };
}

/** The legend: one entry per threshold step, or the gradient's ends; then the other states in view. */
function scaleLegend(options: CompletionOptions, thresholds: CompletionViewProps['thresholds'], scale: ColorScale, palette: PanelPalette, inView: ReturnType<typeof completionStatesInView>) {
  const entries =
    options.colorMode === 'gradient'
      ? [
          { color: scale.colors[0], label: `≤ ${options.gradientMin}%` },
          { color: scale.colors[scale.colors.length - 1], label: `≥ ${options.gradientMax}%` },
        ]
      : [...thresholds]
          .sort((a, b) => a.value - b.value)
          .map((step, i, steps) => {
            const next = steps[i + 1];
            const label = step.value === -Infinity ? (next ? `< ${next.value}%` : 'any') : next ? `${step.value}–${next.value}%` : `≥ ${step.value}%`;
            return { color: step.color, label };
          });
  return [
    ...entries,
    ...(inView.overlap ? [{ color: palette.states[ColorKey.Overlap], label: `${COLOR_KEY_LABELS.overlap} (corner mark)` }] : []),
    ...(inView.pending ? [{ color: palette.states[ColorKey.Pending], label: COLOR_KEY_LABELS.pending }] : []),
    ...(inView.notExpected ? [{ color: palette.states[ColorKey.NotExpected], label: 'Nothing expected' }] : []),
  ];
}

export function CompletionView({ frames, width, height, options, thresholds, error = null, eventBus }: CompletionViewProps) {
  const theme = useTheme2();
  const surface = usePanelSurface(width, height);
  const renderer = useMemo(() => new GridRenderer(), []);
  const [collapsed, toggleGroup] = useCollapsedGroups();
  const [sortBy, setSortBy] = useSortOverride<CompletionSort>(options.sortBy);
  const [hover, setHoverState] = useState({ row: -1, column: -1 });
  // Same cell, same object: React then skips the render and the canvas is not redrawn on every mouse move.
  const setHover = (row: number, column: number) => setHoverState((current) => (current.row === row && current.column === column ? current : { row, column }));
  const [tooltip, setTooltip] = useState<TooltipContent | null>(null);
  const crosshair = useSharedCrosshair(eventBus);

  const palette = useMemo(() => panelPalette(theme, options.stateColors), [theme, options.stateColors]);
  const model = useMemo(() => buildCompletionModel(frames), [frames]);
  const statesInView = useMemo(() => completionStatesInView(model), [model]);
  const rows = useMemo(() => buildGridRows(model, { sortBy, groupByStation: options.groupByStation, collapsed }), [model, sortBy, options.groupByStation, collapsed]);
  const nesting = useMemo(() => rowNesting(rows.map((r) => ({ depth: r.depth, isGroup: r.kind === 'station' }))), [rows]);
  const totals = useMemo(() => ({ perColumn: columnTotals(model), overall: meanOf(model.percent) }), [model]);
  const scale = useMemo(() => {
    if (options.colorMode === 'gradient') {
      const color = (name: string) => theme.visualization.getColorByName(name);
      return gradientScale(options.gradientMin, options.gradientMax, [color('red'), color('yellow'), color('green')]);
    }
    return thresholdScale(thresholds);
  }, [options.colorMode, options.gradientMin, options.gradientMax, thresholds, theme]);
  const { viewport } = surface;
  const geometry: GridGeometry = useMemo(
    () => ({
      width: viewport.width,
      height: viewport.height,
      rowHeight: options.rowHeight,
      axisHeight: AXIS_HEIGHT,
      labelWidth: Math.round(Math.min(240, Math.max(100, viewport.width * 0.18))),
      totalWidth: options.showTotals ? TOTAL_WIDTH : 0,
      footerHeight: options.showTotals ? Math.max(options.rowHeight, 14) : 0,
      columnCount: model.columns.length,
    }),
    [viewport, options.rowHeight, options.showTotals, model.columns.length]
  );
  const crosshairColumn = useMemo(() => {
    if (crosshair.time === null) return -1;
    const us = crosshair.time * MICROS_PER_MS;
    const column = model.columns.findIndex((start) => us >= start && us < start + model.bucketUs);
    return column;
  }, [crosshair.time, model]);

  const onScroll = useSurfaceDrawing(
    surface,
    (ctx, scrollTop) =>
      renderer.draw(ctx, {
        rows,
        nesting,
        columns: model.columns,
        bucket: model.bucket,
        bucketUs: model.bucketUs,
        dayOfYear: options.axisLabels === 'dayOfYear',
        crosshairColumn,
        columnTotals: totals.perColumn,
        overallTotal: totals.overall,
        scrollTop,
        geometry,
        palette,
        scale,
        hoverRow: hover.row,
        hoverColumn: hover.column,
        labelHeader: `Channel · sort: ${sortBy === 'name' ? 'name' : 'lowest total'}`,
      }),
    [rows, nesting, model, options.axisLabels, crosshairColumn, totals, geometry, palette, scale, hover, sortBy]
  );

  /** What is under the pointer: a pinned station header where one covers the rows. */
  const hitAt = useCallback(
    (x: number, y: number) => {
      const scrollTop = surface.scrollTop();
      return withPinnedHeader(gridHitTest(x, y, scrollTop, rows.length, geometry), y, gridVisibleRows(rows.length, scrollTop, geometry), nesting, geometry.axisHeight, geometry.rowHeight);
    },
    [surface, rows.length, geometry, nesting]
  );

  const onMouseMove = (event: React.MouseEvent) => {
    const { x, y } = surface.point(event);
    const hit = hitAt(x, y);
    setHover(hit.rowIndex, hit.area === 'cell' || hit.area === 'columnTotal' ? hit.column : -1);
    crosshair.publish(hit.column >= 0 ? Math.round((model.columns[hit.column] + model.bucketUs / 2) / MICROS_PER_MS) : null);
    const row = rows[hit.rowIndex];
    let lines: string[] | null = null;
    if (hit.area === 'cell' && row) {
      const completeness = row.completeness?.[hit.column];
      const waiting = row.pending?.[hit.column] ?? 0;
      const value = row.values[hit.column];
      lines = [
        row.kind === 'station' ? `${row.key} (mean of ${row.channelCount} channels)` : row.key,
        bucketText(model.columns[hit.column], model.bucketUs),
        `present: ${Number.isNaN(value) ? (waiting > 0 ? 'not yet arrived' : 'nothing expected') : formatPercent(value)}${waiting > 0 && !Number.isNaN(value) ? ' of the time due so far' : ''}`,
        ...(completeness !== undefined && !Number.isNaN(completeness) ? [`sample completeness: ${formatPercent(completeness)}`] : []),
        ...(waiting > 0 ? [`not yet arrived (on its way, or still to come): ${formatPercent(100 * waiting)} of the ${model.bucket}`] : []),
        ...(row.overlaps?.[hit.column] ? ['data overlaps in this ' + model.bucket] : []),
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
    const { x, y } = surface.point(event);
    const hit = hitAt(x, y);
    if (hit.area === 'axis' && x < geometry.labelWidth) setSortBy(sortBy === 'name' ? 'availability' : 'name');
    else if (hit.area === 'label' && rows[hit.rowIndex]?.kind === 'station') toggleGroup(rows[hit.rowIndex].key);
  };

  const onMouseLeave = () => {
    setHover(-1, -1);
    crosshair.publish(null);
    setTooltip(null);
  };

  if (model.rows.length === 0) {
    return <PanelMessage width={width} height={height} error={error} empty="No completion data: run a Lacuna completion query." testId="lacuna-completion" />;
  }

  // Header and footer stay on the canvas; the scroller's height accounts for them.
  const contentHeight = geometry.axisHeight + rows.length * geometry.rowHeight + geometry.footerHeight;
  return (
    <PanelSurface
      surface={surface}
      width={width}
      height={height}
      contentHeight={contentHeight}
      label={`Completion map of ${model.rows.length} channel${model.rows.length === 1 ? '' : 's'} by ${model.bucket}`}
      summary={completionSummary(model)}
      error={error}
      tooltip={tooltip}
      footer={<Legend entries={scaleLegend(options, thresholds, scale, palette, statesInView)} />}
      onScroll={onScroll}
      onMouseMove={onMouseMove}
      onClick={onClick}
      onMouseLeave={onMouseLeave}
      testId="lacuna-completion"
    />
  );
}
