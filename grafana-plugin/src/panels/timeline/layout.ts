/**
 * The timeline's layout, pure: which rows show in what order (grouping, collapse, sort), where
 * each row and each span lands on the canvas, and what is under the pointer. Rows all have one
 * height, so the rows in view come from the scroll offset by arithmetic: scrolling costs the
 * same with ten rows or ten thousand.
 */
import { COLOR_PRIORITY, ColorKey, SpanState } from '../../shared/states';
import { calendarTicks, type AxisTick } from '../../shared/axis';
import { formatPercent } from '../../shared/palette';
import { formatDuration, formatTick, MICROS_PER_MS } from '../../shared/time';
import type { TimelineModel, TimelineRow } from './model';
import type { SortOrder } from './options';

export type DisplayRowKind = 'network' | 'station' | 'channel';

export interface DisplayRow {
  kind: DisplayRowKind;
  /** Group key (`IU`, `IU.ANMO`) or channel id; collapse state is kept by this key. */
  key: string;
  label: string;
  depth: number;
  /** Channel: its % present. Group: the mean of its channels' (null when none has one). */
  percent: number | null;
  gaps: number;
  longestGapUs: number;
  channelCount: number;
  collapsed: boolean;
  /** Channel rows only. */
  row?: TimelineRow;
}

export interface DisplayOptions {
  sortBy: SortOrder;
  groupByStation: boolean;
  collapsed: ReadonlySet<string>;
}

interface Group {
  key: string;
  label: string;
  children: Array<Group | TimelineRow>;
  percent: number | null;
  gaps: number;
  longestGapUs: number;
  channelCount: number;
}

function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

interface Sortable {
  name: string;
  percent: number | null;
  longestGapUs: number;
}

/** Lowest availability first (nothing expected goes last); longest gap first; then by name. */
export function compareBy(sortBy: SortOrder): (a: Sortable, b: Sortable) => number {
  switch (sortBy) {
    case 'availability':
      return (a, b) => (a.percent ?? Infinity) - (b.percent ?? Infinity) || compareNames(a.name, b.name);
    case 'longestGap':
      return (a, b) => b.longestGapUs - a.longestGapUs || compareNames(a.name, b.name);
    case 'name':
      return (a, b) => compareNames(a.name, b.name);
  }
}

function summarise(group: Group): void {
  let sum = 0;
  let counted = 0;
  for (const child of group.children) {
    const isGroup = 'children' in child;
    const weight = isGroup ? child.channelCount : 1;
    group.channelCount += weight;
    group.gaps += child.gaps;
    group.longestGapUs = Math.max(group.longestGapUs, child.longestGapUs);
    if (child.percent !== null) {
      // Mean over channels: a group's children carry their own means, weighted by size.
      sum += child.percent * weight;
      counted += weight;
    }
  }
  group.percent = counted > 0 ? sum / counted : null;
}

function newGroup(key: string, label: string): Group {
  return { key, label, children: [], percent: null, gaps: 0, longestGapUs: 0, channelCount: 0 };
}

function channelName(row: TimelineRow): string {
  return row.id;
}

/** The rows to show, in order: headers of expanded groups followed by their children. */
export function buildDisplayRows(model: TimelineModel, options: DisplayOptions): DisplayRow[] {
  const compare = compareBy(options.sortBy);
  const sortRows = (rows: TimelineRow[]) =>
    rows.sort((a, b) => compare({ name: channelName(a), percent: a.percent, longestGapUs: a.longestGapUs }, { name: channelName(b), percent: b.percent, longestGapUs: b.longestGapUs }));
  const channelRow = (row: TimelineRow, label: string, depth: number): DisplayRow => ({
    kind: 'channel',
    key: row.id,
    label,
    depth,
    percent: row.percent,
    gaps: row.gaps,
    longestGapUs: row.longestGapUs,
    channelCount: 1,
    collapsed: false,
    row,
  });

  if (!options.groupByStation) {
    return sortRows([...model.rows]).map((row) => channelRow(row, row.id, 0));
  }

  const networks = new Map<string, Group>();
  const stations = new Map<string, Group>();
  for (const row of model.rows) {
    let network = networks.get(row.network);
    if (!network) {
      network = newGroup(row.network, row.network || '(no network)');
      networks.set(row.network, network);
    }
    const stationKey = `${row.network}.${row.station}`;
    let station = stations.get(stationKey);
    if (!station) {
      station = newGroup(stationKey, row.station || '(no station)');
      stations.set(stationKey, station);
      network.children.push(station);
    }
    station.children.push(row);
  }
  for (const station of stations.values()) summarise(station);
  for (const network of networks.values()) summarise(network);

  const sortGroups = (groups: Group[]) => groups.sort((a, b) => compare({ name: a.key, ...a }, { name: b.key, ...b }));
  const out: DisplayRow[] = [];
  const header = (group: Group, kind: DisplayRowKind, depth: number): boolean => {
    const collapsed = options.collapsed.has(group.key);
    out.push({
      kind,
      key: group.key,
      label: group.label,
      depth,
      percent: group.percent,
      gaps: group.gaps,
      longestGapUs: group.longestGapUs,
      channelCount: group.channelCount,
      collapsed,
    });
    return !collapsed;
  };
  for (const network of sortGroups([...networks.values()])) {
    if (!header(network, 'network', 0)) continue;
    for (const station of sortGroups(network.children as Group[])) {
      if (!header(station, 'station', 1)) continue;
      for (const row of sortRows(station.children as TimelineRow[])) {
        out.push(channelRow(row, row.location === '' ? `--.${row.channel}` : `${row.location}.${row.channel}`, 2));
      }
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Geometry

export interface TimelineGeometry {
  width: number;
  height: number;
  rowHeight: number;
  /** Height of the time axis at the top. */
  axisHeight: number;
  /** Width of the row labels on the left. */
  labelWidth: number;
  /** Width of the % present column on the right. */
  summaryWidth: number;
  fromUs: number;
  toUs: number;
}

export function plotLeft(g: TimelineGeometry): number {
  return g.labelWidth;
}

export function plotRight(g: TimelineGeometry): number {
  return Math.max(g.labelWidth + 1, g.width - g.summaryWidth);
}

export function xOfTime(us: number, g: TimelineGeometry): number {
  return plotLeft(g) + ((us - g.fromUs) / (g.toUs - g.fromUs)) * (plotRight(g) - plotLeft(g));
}

export function timeAtX(x: number, g: TimelineGeometry): number {
  return g.fromUs + ((x - plotLeft(g)) / (plotRight(g) - plotLeft(g))) * (g.toUs - g.fromUs);
}

export function contentHeight(rowCount: number, g: TimelineGeometry): number {
  return g.axisHeight + rowCount * g.rowHeight;
}

export function maxScrollTop(rowCount: number, g: TimelineGeometry): number {
  return Math.max(0, contentHeight(rowCount, g) - g.height);
}

export interface VisibleRows {
  /** Index of the first row in view, and one past the last. */
  first: number;
  end: number;
  /** Canvas y of the first row's top (at or above the axis's bottom edge). */
  firstTop: number;
}

export function visibleRows(rowCount: number, scrollTop: number, g: TimelineGeometry): VisibleRows {
  const top = Math.min(Math.max(0, scrollTop), maxScrollTop(rowCount, g));
  const first = Math.min(rowCount, Math.floor(top / g.rowHeight));
  const rowsArea = g.height - g.axisHeight;
  const end = Math.min(rowCount, Math.ceil((top + rowsArea) / g.rowHeight));
  return { first, end, firstTop: g.axisHeight + first * g.rowHeight - top };
}

export type Area = 'label' | 'plot' | 'summary' | 'axis';

export interface Hit {
  area: Area;
  /** Index into the display rows; -1 over the axis or below the last row. */
  rowIndex: number;
  timeUs: number;
}

export function hitTest(x: number, y: number, scrollTop: number, rowCount: number, g: TimelineGeometry): Hit {
  const timeUs = timeAtX(x, g);
  if (y < g.axisHeight) return { area: 'axis', rowIndex: -1, timeUs };
  const top = Math.min(Math.max(0, scrollTop), maxScrollTop(rowCount, g));
  const index = Math.floor((y - g.axisHeight + top) / g.rowHeight);
  const rowIndex = index >= 0 && index < rowCount ? index : -1;
  const area: Area = x < plotLeft(g) ? 'label' : x >= plotRight(g) ? 'summary' : 'plot';
  return { area, rowIndex, timeUs };
}

// ---------------------------------------------------------------------------------------------
// Spans → pixel runs

export interface GapColoring {
  enabled: boolean;
  shortUs: number;
  longUs: number;
}

/**
 * The colour of a span. A mixed span (several states inside one pixel) with missing time in it
 * (percent present below 100) is drawn as missing: however short, a gap must show.
 */
export function colorKeyOf(state: number, lengthUs: number, gaps: GapColoring, spanPercent = NaN): number {
  if (state === SpanState.Mixed && spanPercent < 100) return gaps.enabled ? ColorKey.ShortGap : ColorKey.Missing;
  if (state !== SpanState.Missing || !gaps.enabled) return state;
  if (lengthUs < gaps.shortUs) return ColorKey.ShortGap;
  if (lengthUs >= gaps.longUs) return ColorKey.LongGap;
  return ColorKey.Missing;
}

/** The colour keys the rows' spans are drawn in: what a legend of the states in view lists. */
export function colorKeysIn(rows: readonly TimelineRow[], gaps: GapColoring): Set<number> {
  const keys = new Set<number>();
  for (const row of rows) {
    for (let i = 0; i < row.states.length; i++) keys.add(colorKeyOf(row.states[i], row.ends[i] - row.starts[i], gaps, row.spanPercent[i]));
  }
  return keys;
}

/** Pixel runs [x0, x1) with a colour key, reused from frame to frame so drawing allocates nothing. */
export class RunBuffer {
  x0 = new Int32Array(256);
  x1 = new Int32Array(256);
  color = new Uint8Array(256);
  span = new Int32Array(256);
  count = 0;

  push(x0: number, x1: number, color: number, span: number): void {
    if (this.count === this.x0.length) this.growTo(this.count * 2);
    this.x0[this.count] = x0;
    this.x1[this.count] = x1;
    this.color[this.count] = color;
    this.span[this.count] = span;
    this.count++;
  }

  private growTo(size: number): void {
    const x0 = new Int32Array(size);
    const x1 = new Int32Array(size);
    const color = new Uint8Array(size);
    const span = new Int32Array(size);
    x0.set(this.x0);
    x1.set(this.x1);
    color.set(this.color);
    span.set(this.span);
    Object.assign(this, { x0, x1, color, span });
  }
}

/** Index of the first span ending after `us` (spans are in time order and do not overlap). */
export function firstSpanEndingAfter(row: TimelineRow, us: number): number {
  let lo = 0;
  let hi = row.ends.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (row.ends[mid] <= us) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The row's spans in view as whole-pixel runs. A span narrower than a pixel still gets one
 * pixel, and where spans share a pixel the more telling colour wins (COLOR_PRIORITY): a short
 * gap in a long window never vanishes. Neighbouring runs of one colour merge.
 */
export function rowRuns(row: TimelineRow, g: TimelineGeometry, gaps: GapColoring, out: RunBuffer): void {
  out.count = 0;
  const left = plotLeft(g);
  const right = plotRight(g);
  const scale = (right - left) / (g.toUs - g.fromUs);
  for (let i = firstSpanEndingAfter(row, g.fromUs); i < row.starts.length; i++) {
    const start = row.starts[i];
    if (start >= g.toUs) break;
    const end = row.ends[i];
    const color = colorKeyOf(row.states[i], end - start, gaps, row.spanPercent[i]);
    let x0 = Math.max(left, Math.floor(left + (start - g.fromUs) * scale));
    const x1 = Math.min(right, Math.max(x0 + 1, Math.ceil(left + (end - g.fromUs) * scale)));
    if (x0 >= right) break;
    const last = out.count - 1;
    if (last >= 0 && x0 < out.x1[last]) {
      const lastColor = out.color[last];
      if (lastColor === color) {
        out.x1[last] = Math.max(out.x1[last], x1);
        continue;
      }
      if (COLOR_PRIORITY[color] > COLOR_PRIORITY[lastColor]) {
        out.x1[last] = x0;
        if (out.x1[last] <= out.x0[last]) out.count--;
      } else {
        x0 = out.x1[last];
        if (x0 >= x1) continue;
      }
    }
    const previous = out.count - 1;
    if (previous >= 0 && out.color[previous] === color && out.x1[previous] >= x0) {
      out.x1[previous] = Math.max(out.x1[previous], x1);
    } else {
      out.push(x0, x1, color, i);
    }
  }
}

/** The span drawn at pixel column `x` of a row (as rowRuns draws it), or -1. */
export function spanAtX(row: TimelineRow, x: number, g: TimelineGeometry, gaps: GapColoring, scratch: RunBuffer): number {
  rowRuns(row, g, gaps, scratch);
  const column = Math.floor(x);
  for (let k = 0; k < scratch.count; k++) {
    if (column < scratch.x0[k] || column >= scratch.x1[k]) continue;
    // A run may merge several spans of its colour: take the one inside this pixel column.
    const columnStart = timeAtX(column, g);
    const columnEnd = timeAtX(column + 1, g);
    for (let i = firstSpanEndingAfter(row, columnStart); i < row.starts.length && row.starts[i] < columnEnd; i++) {
      if (colorKeyOf(row.states[i], row.ends[i] - row.starts[i], gaps, row.spanPercent[i]) === scratch.color[k]) return i;
    }
    return scratch.span[k];
  }
  return -1;
}

// ---------------------------------------------------------------------------------------------
// Time axis, zoom, links

/**
 * The time axis's ticks in the dashboard's zone, on calendar boundaries, spaced by the measured
 * width of their labels; none may cover a `reserved` stretch (the zone's name).
 */
export function timeTicks(g: TimelineGeometry, zone: string, measure: (text: string) => number, reserved: ReadonlyArray<readonly [number, number]> = []): AxisTick[] {
  return calendarTicks({ fromUs: g.fromUs, toUs: g.toUs, left: plotLeft(g), right: plotRight(g), xOf: (us) => xOfTime(us, g), zone, measure, reserved });
}

/** Dragging less than this many pixels is a click, not a zoom. */
export const MIN_ZOOM_PIXELS = 4;

/** The time range (ms, what Grafana's time picker takes) a drag from x0 to x1 selects, or null. */
export function zoomRange(x0: number, x1: number, g: TimelineGeometry): { fromMs: number; toMs: number } | null {
  const a = Math.max(plotLeft(g), Math.min(x0, x1));
  const b = Math.min(plotRight(g), Math.max(x0, x1));
  if (b - a < MIN_ZOOM_PIXELS) return null;
  return { fromMs: Math.floor(timeAtX(a, g) / MICROS_PER_MS), toMs: Math.ceil(timeAtX(b, g) / MICROS_PER_MS) };
}

/** The row's drilldown link: the `${__row.*}` placeholders filled in, URL-encoded. */
export function fillRowLink(template: string, row: Pick<TimelineRow, 'id' | 'network' | 'station' | 'location' | 'channel'>): string {
  const values: Record<string, string> = {
    channel: row.id,
    network: row.network,
    station: row.station,
    location: row.location,
    code: row.channel,
  };
  return template.replace(/\$\{__row\.(\w+)\}/g, (whole, name: string) => (name in values ? encodeURIComponent(values[name]) : whole));
}

// ---------------------------------------------------------------------------------------------
// Text summary (what a screen reader says for the canvas)

/** The timeline in a few sentences: channels, window, how many have gaps, the worst ones. */
export function timelineSummary(model: TimelineModel, window: { fromUs: number; toUs: number }, zone: string): string {
  const rows = model.rows;
  const count = `${rows.length} channel${rows.length === 1 ? '' : 's'}`;
  const parts = [`${count} from ${formatTick(window.fromUs, true, zone)} to ${formatTick(window.toUs, true, zone)} (${zone}).`];
  const withGaps = rows.filter((r) => r.gaps > 0);
  parts.push(withGaps.length === 0 ? 'No gaps.' : `${withGaps.length} with gaps.`);
  const measured = rows.filter((r) => r.percent !== null).sort((a, b) => a.percent! - b.percent! || compareNames(a.id, b.id));
  if (measured.length > 0) parts.push(`Lowest availability: ${measured.slice(0, 3).map((r) => `${r.id} ${formatPercent(r.percent)}`).join(', ')}.`);
  const longest = [...withGaps].sort((a, b) => b.longestGapUs - a.longestGapUs || compareNames(a.id, b.id))[0];
  if (longest) parts.push(`Longest gap: ${longest.id}, ${formatDuration(longest.longestGapUs)}.`);
  return parts.join(' ');
}
