/**
 * The completion map's layout, pure: row order (station groups, sort), totals, the colour scale,
 * where each cell lands and what is under the pointer.
 */
import { calendarTicks, type AxisTick } from '../../shared/axis';
import { formatPercent } from '../../shared/palette';
import { formatTick } from '../../shared/time';
import type { CompletionModel, CompletionRow } from './model';
import type { CompletionSort } from './options';

export interface GridRow {
  kind: 'station' | 'channel';
  key: string;
  label: string;
  depth: number;
  /** Percent per column (NaN: no value). Stations: the mean of their channels. */
  values: Float32Array;
  /** Channels: sample completeness per column, percent. */
  completeness?: Float32Array;
  /** Channels: share of each column not yet arrived (0..1), drawn neutral. */
  pending?: Float32Array;
  /** Channels: 1 where data overlaps in the column, marked. */
  overlaps?: Uint8Array;
  /** Mean of the row's values, NaN when it has none. */
  total: number;
  channelCount: number;
  collapsed: boolean;
  row?: CompletionRow;
}

export interface GridOptions {
  sortBy: CompletionSort;
  groupByStation: boolean;
  collapsed: ReadonlySet<string>;
}

/** Mean of the non-NaN values, NaN when there are none. */
export function meanOf(values: ArrayLike<number>): number {
  let sum = 0;
  let count = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isNaN(v)) {
      sum += v;
      count++;
    }
  }
  return count > 0 ? sum / count : NaN;
}

/** Per column, the mean over the given rows (NaN values left out). */
export function columnMeans(rows: readonly Float32Array[], columns: number): Float32Array {
  const sums = new Float64Array(columns);
  const counts = new Uint32Array(columns);
  for (const values of rows) {
    for (let c = 0; c < columns; c++) {
      const v = values[c];
      if (!Number.isNaN(v)) {
        sums[c] += v;
        counts[c]++;
      }
    }
  }
  const out = new Float32Array(columns);
  for (let c = 0; c < columns; c++) out[c] = counts[c] > 0 ? sums[c] / counts[c] : NaN;
  return out;
}

function compare(sortBy: CompletionSort) {
  return (a: { key: string; total: number }, b: { key: string; total: number }) => {
    if (sortBy === 'availability') {
      const ta = Number.isNaN(a.total) ? Infinity : a.total;
      const tb = Number.isNaN(b.total) ? Infinity : b.total;
      if (ta !== tb) return ta - tb;
    }
    return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
  };
}

function channelRows(model: CompletionModel, depth: number, labelOf: (row: CompletionRow) => string): Map<string, GridRow> {
  const n = model.columns.length;
  const out = new Map<string, GridRow>();
  for (const row of model.rows) {
    const values = model.percent.subarray(row.index * n, (row.index + 1) * n);
    out.set(row.id, {
      kind: 'channel',
      key: row.id,
      label: labelOf(row),
      depth,
      values,
      completeness: model.completeness.subarray(row.index * n, (row.index + 1) * n),
      pending: model.pending.subarray(row.index * n, (row.index + 1) * n),
      overlaps: model.overlaps.subarray(row.index * n, (row.index + 1) * n),
      total: meanOf(values),
      channelCount: 1,
      collapsed: false,
      row,
    });
  }
  return out;
}

export function buildGridRows(model: CompletionModel, options: GridOptions): GridRow[] {
  const order = compare(options.sortBy);
  if (!options.groupByStation) {
    return [...channelRows(model, 0, (r) => r.id).values()].sort(order);
  }
  const channels = channelRows(model, 1, (r) => `${r.location === '' ? '--' : r.location}.${r.channel}`);
  const stations = new Map<string, GridRow[]>();
  for (const row of channels.values()) {
    const key = `${row.row!.network}.${row.row!.station}`;
    const list = stations.get(key) ?? [];
    list.push(row);
    stations.set(key, list);
  }
  const headers: Array<{ header: GridRow; children: GridRow[] }> = [];
  for (const [key, children] of stations) {
    const values = columnMeans(
      children.map((c) => c.values),
      model.columns.length
    );
    headers.push({
      header: { kind: 'station', key, label: key, depth: 0, values, total: meanOf(values), channelCount: children.length, collapsed: options.collapsed.has(key) },
      children,
    });
  }
  const out: GridRow[] = [];
  for (const { header, children } of headers.sort((a, b) => order(a.header, b.header))) {
    out.push(header);
    if (!header.collapsed) out.push(...children.sort(order));
  }
  return out;
}

/** Column totals over every channel (not over the station means, which would weigh stations equally). */
export function columnTotals(model: CompletionModel): Float32Array {
  const n = model.columns.length;
  return columnMeans(
    model.rows.map((r) => model.percent.subarray(r.index * n, (r.index + 1) * n)),
    n
  );
}

// ---------------------------------------------------------------------------------------------
// Colour scale

export interface ColorScale {
  colors: string[];
  /** Index into colors for a percent, or -1 for NaN (no value). */
  indexOf(value: number): number;
}

/** Threshold steps (ascending, the first from -Infinity): the colour of the highest step reached. */
export function thresholdScale(steps: ReadonlyArray<{ value: number; color: string }>): ColorScale {
  const sorted = [...steps].sort((a, b) => a.value - b.value);
  const limits = sorted.map((s) => s.value);
  return {
    colors: sorted.map((s) => s.color),
    indexOf(value) {
      if (Number.isNaN(value)) return -1;
      let index = 0;
      for (let i = 1; i < limits.length; i++) if (value >= limits[i]) index = i;
      return index;
    },
  };
}

function parseHex(color: string): [number, number, number] | null {
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})/i.exec(color);
  return m ? [parseInt(m[1], 16), parseInt(m[2], 16), parseInt(m[3], 16)] : null;
}

function hex(rgb: number[]): string {
  return `#${rgb.map((v) => Math.round(v).toString(16).padStart(2, '0')).join('')}`;
}

/** Gradient levels between the stops (hex colours), from `min` (first stop) to `max` (last). */
export function gradientScale(min: number, max: number, stops: readonly string[], levels = 48): ColorScale {
  const parsed = stops.map(parseHex);
  const colors: string[] = [];
  for (let i = 0; i < levels; i++) {
    const t = (i / (levels - 1)) * (stops.length - 1);
    const k = Math.min(stops.length - 2, Math.floor(t));
    const a = parsed[k];
    const b = parsed[k + 1];
    colors.push(a && b ? hex(a.map((v, j) => v + (b[j] - v) * (t - k))) : stops[Math.round(t)]);
  }
  const range = max > min ? max - min : 1;
  return {
    colors,
    indexOf(value) {
      if (Number.isNaN(value)) return -1;
      const t = Math.min(1, Math.max(0, (value - min) / range));
      return Math.round(t * (levels - 1));
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Geometry

export interface GridGeometry {
  width: number;
  height: number;
  rowHeight: number;
  axisHeight: number;
  labelWidth: number;
  /** Width of the row totals column (0: none). */
  totalWidth: number;
  /** Height of the column totals row at the bottom (0: none). */
  footerHeight: number;
  columnCount: number;
}

export function gridLeft(g: GridGeometry): number {
  return g.labelWidth;
}

export function gridRight(g: GridGeometry): number {
  return Math.max(g.labelWidth + 1, g.width - g.totalWidth);
}

/** Whole-pixel left edges of the cells: cells tile the grid without seams or blending. */
export function columnEdge(column: number, g: GridGeometry): number {
  return Math.round(gridLeft(g) + ((gridRight(g) - gridLeft(g)) * column) / Math.max(1, g.columnCount));
}

export function columnAtX(x: number, g: GridGeometry): number {
  if (x < gridLeft(g) || x >= gridRight(g)) return -1;
  const column = Math.floor(((x - gridLeft(g)) / (gridRight(g) - gridLeft(g))) * g.columnCount);
  return Math.min(g.columnCount - 1, column);
}

export function rowsAreaHeight(g: GridGeometry): number {
  return g.height - g.axisHeight - g.footerHeight;
}

export function gridMaxScroll(rowCount: number, g: GridGeometry): number {
  return Math.max(0, rowCount * g.rowHeight - rowsAreaHeight(g));
}

export function gridVisibleRows(rowCount: number, scrollTop: number, g: GridGeometry): { first: number; end: number; firstTop: number } {
  const top = Math.min(Math.max(0, scrollTop), gridMaxScroll(rowCount, g));
  const first = Math.min(rowCount, Math.floor(top / g.rowHeight));
  const end = Math.min(rowCount, Math.ceil((top + rowsAreaHeight(g)) / g.rowHeight));
  return { first, end, firstTop: g.axisHeight + first * g.rowHeight - top };
}

export type GridArea = 'cell' | 'label' | 'rowTotal' | 'columnTotal' | 'overallTotal' | 'axis' | 'none';

export interface GridHit {
  area: GridArea;
  rowIndex: number;
  column: number;
}

export function gridHitTest(x: number, y: number, scrollTop: number, rowCount: number, g: GridGeometry): GridHit {
  const column = columnAtX(x, g);
  const inTotals = x >= gridRight(g);
  if (y < g.axisHeight) return { area: 'axis', rowIndex: -1, column };
  if (y >= g.height - g.footerHeight) {
    if (inTotals) return { area: 'overallTotal', rowIndex: -1, column: -1 };
    return { area: column >= 0 ? 'columnTotal' : 'none', rowIndex: -1, column };
  }
  const top = Math.min(Math.max(0, scrollTop), gridMaxScroll(rowCount, g));
  const index = Math.floor((y - g.axisHeight + top) / g.rowHeight);
  if (index < 0 || index >= rowCount) return { area: 'none', rowIndex: -1, column };
  if (x < gridLeft(g)) return { area: 'label', rowIndex: index, column: -1 };
  if (inTotals) return { area: 'rowTotal', rowIndex: index, column: -1 };
  return { area: 'cell', rowIndex: index, column };
}

/** x of a time on the grid: columns are buckets starting at `columns`, each `bucketUs` long. */
export function xOfGridTime(us: number, columns: Float64Array, bucketUs: number, g: GridGeometry): number {
  let lo = 0;
  let hi = columns.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (columns[mid] <= us) lo = mid + 1;
    else hi = mid;
  }
  const column = Math.max(0, lo - 1);
  const fraction = Math.min(1, Math.max(0, (us - columns[column]) / bucketUs));
  const x0 = columnEdge(column, g);
  return x0 + fraction * (columnEdge(column + 1, g) - x0);
}

/**
 * The date axis: calendar ticks (month starts, Mondays, days; or days of the year) on the
 * buckets' edges, in UTC, where the API's buckets are; labels spaced by their measured width.
 */
export function gridTicks(model: Pick<CompletionModel, 'columns' | 'bucketUs'>, g: GridGeometry, measure: (text: string) => number, options: { dayOfYear: boolean; reserved?: ReadonlyArray<readonly [number, number]> }): AxisTick[] {
  const { columns, bucketUs } = model;
  if (columns.length === 0) return [];
  return calendarTicks({
    fromUs: columns[0],
    toUs: columns[columns.length - 1] + bucketUs,
    left: gridLeft(g),
    right: gridRight(g),
    xOf: (us) => xOfGridTime(us, columns, bucketUs, g),
    zone: 'UTC',
    measure,
    minStepUs: bucketUs,
    dayOfYear: options.dayOfYear,
    reserved: options.reserved,
  });
}

/** The map in a few sentences: channels, buckets, the overall share present, the worst channels. */
export function completionSummary(model: CompletionModel): string {
  const n = model.columns.length;
  if (model.rows.length === 0 || n === 0) return 'No channels.';
  const first = formatTick(model.columns[0], model.bucket === 'hour');
  const last = formatTick(model.columns[n - 1], model.bucket === 'hour');
  const parts = [`${model.rows.length} channel${model.rows.length === 1 ? '' : 's'} × ${n} ${model.bucket}${n === 1 ? '' : 's'} (UTC), ${first} to ${last}.`];
  parts.push(`Overall ${formatPercent(Number.isNaN(meanOf(model.percent)) ? null : meanOf(model.percent))} present.`);
  const totals = model.rows
    .map((row) => ({ id: row.id, total: meanOf(model.percent.subarray(row.index * n, (row.index + 1) * n)) }))
    .filter((r) => !Number.isNaN(r.total))
    .sort((a, b) => a.total - b.total || (a.id < b.id ? -1 : 1));
  if (totals.length > 0) parts.push(`Lowest: ${totals.slice(0, 3).map((r) => `${r.id} ${formatPercent(r.total)}`).join(', ')}.`);
  return parts.join(' ');
}
