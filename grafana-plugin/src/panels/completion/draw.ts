/**
 * Draws the completion map's visible rows, the totals and the date axis; only rows in view are
 * touched.
 */
import { canvasFont, fitText, formatPercent, packedColor, type PanelPalette } from '../../shared/palette';
import { AxisPainter } from '../../shared/AxisPainter';
import { drawPinnedHeaders } from '../../shared/drawPinned';
import { pinnedLayout, rowLabelSize, type RowNesting } from '../../shared/rows';
import { ColorKey } from '../../shared/states';
import { columnEdge, gridLeft, gridRight, gridTicks, gridVisibleRows, type ColorScale, type GridGeometry, type GridRow } from './layout';

export interface GridScene {
  rows: readonly GridRow[];
  /** The rows' station groups, for the headers pinned under the axis. */
  nesting: RowNesting;
  columns: Float64Array;
  bucket: 'day' | 'hour';
  bucketUs: number;
  /** Axis labels as days of the year (`2024.061`) instead of dates. */
  dayOfYear: boolean;
  /** The column under another panel's pointer (shared crosshair), or -1. */
  crosshairColumn: number;
  columnTotals: Float32Array;
  overallTotal: number;
  scrollTop: number;
  geometry: GridGeometry;
  palette: PanelPalette;
  scale: ColorScale;
  hoverRow: number;
  hoverColumn: number;
  labelHeader: string;
}

const INDENT = 14;

export class GridRenderer {
  readonly axis = new AxisPainter();
  private image: ImageData | null = null;
  private line = new Uint32Array(0);

  /**
   * Writes the cells of the visible rows straight into pixels (one line per row, copied down the
   * row's height) and puts them on the canvas at once: hundreds of thousands of cells cost one
   * image copy instead of one rectangle each.
   */
  private drawCells(ctx: CanvasRenderingContext2D, scene: GridScene, colors: readonly string[], first: number, end: number, firstTop: number): void {
    const { geometry: g, palette, rows, scale } = scene;
    const ratio = ctx.getTransform().a || 1;
    const left = Math.round(gridLeft(g) * ratio);
    const top = Math.round(g.axisHeight * ratio);
    const width = Math.round(gridRight(g) * ratio) - left;
    const height = Math.round((g.height - g.footerHeight) * ratio) - top;
    if (width <= 0 || height <= 0) return;
    if (!this.image || this.image.width !== width || this.image.height !== height) {
      this.image = ctx.createImageData(width, height);
      this.line = new Uint32Array(width);
    }
    const pixels = new Uint32Array(this.image.data.buffer);
    const line = this.line;
    const background = packedColor(palette.background, palette.background);
    const packed = colors.map((color) => packedColor(color, palette.background));
    const edges = new Int32Array(g.columnCount + 1);
    for (let c = 0; c <= g.columnCount; c++) edges[c] = Math.round(columnEdge(c, g) * ratio) - left;
    const gap = columnEdge(1, g) - columnEdge(0, g) >= 4 ? Math.round(ratio) : 0;
    const rowGap = g.rowHeight >= 6 ? Math.round(ratio) : 0;
    const noValue = scale.colors.length;
    const notArrived = noValue + 1;

    pixels.fill(background);
    for (let i = first; i < end; i++) {
      const rowTop = Math.round((firstTop + (i - first) * g.rowHeight) * ratio) - top;
      const rowBottom = Math.round((firstTop + (i - first + 1) * g.rowHeight) * ratio) - top;
      const rowBackground = i === scene.hoverRow ? palette.hoverBackground : rows[i].kind === 'station' ? palette.groupBackground : null;
      const fill = rowBackground === null ? background : packedColor(rowBackground, palette.background);
      line.fill(fill);
      const { values, pending } = rows[i];
      for (let c = 0; c < g.columnCount; c++) {
        const index = scale.indexOf(values[c]);
        const x0 = edges[c];
        const x1 = Math.max(x0, edges[c + 1] - gap);
        // Time not yet arrived is neither present nor missing: its share of the cell, at the
        // cell's end, is drawn neutral; a cell wholly not yet arrived is neutral.
        const waiting = pending === undefined ? 0 : pending[c];
        const dueEnd = waiting <= 0 ? x1 : Number.isNaN(values[c]) ? x0 : Math.max(x0 + 1, Math.round(x1 - (x1 - x0) * waiting));
        line.fill(packed[index < 0 ? noValue : index], x0, dueEnd);
        if (dueEnd < x1) line.fill(packed[notArrived], dueEnd, x1);
      }
      const cellBottom = Math.min(height, rowBottom - rowGap);
      for (let y = Math.max(0, rowTop); y < cellBottom; y++) pixels.set(line, y * width);
      if (fill !== background) for (let y = Math.max(0, cellBottom); y < Math.min(height, rowBottom); y++) pixels.fill(fill, y * width, (y + 1) * width);
    }
    ctx.putImageData(this.image, left, top);
    this.drawOverlapMarkers(ctx, scene, first, end, firstTop);
  }

  /** A small triangle in the overlap colour in the top corner of each cell whose data overlaps. */
  private drawOverlapMarkers(ctx: CanvasRenderingContext2D, scene: GridScene, first: number, end: number, firstTop: number): void {
    const { geometry: g, palette, rows } = scene;
    const size = Math.max(3, Math.min(7, g.rowHeight / 2, columnEdge(1, g) - columnEdge(0, g)));
    ctx.save();
    ctx.beginPath();
    ctx.rect(gridLeft(g), g.axisHeight, gridRight(g) - gridLeft(g), g.height - g.axisHeight - g.footerHeight);
    ctx.clip();
    ctx.beginPath();
    let any = false;
    for (let i = first; i < end; i++) {
      const overlaps = rows[i].overlaps;
      if (overlaps === undefined) continue;
      const top = firstTop + (i - first) * g.rowHeight;
      for (let c = 0; c < g.columnCount; c++) {
        if (!overlaps[c]) continue;
        const x = columnEdge(c, g);
        ctx.moveTo(x, top);
        ctx.lineTo(x + size, top);
        ctx.lineTo(x, top + size);
        ctx.closePath();
        any = true;
      }
    }
    if (any) {
      ctx.fillStyle = palette.states[ColorKey.Overlap];
      ctx.fill();
      ctx.strokeStyle = palette.background;
      ctx.lineWidth = 1;
      ctx.stroke();
    }
    ctx.restore();
  }

  draw(ctx: CanvasRenderingContext2D, scene: GridScene): void {
    const { geometry: g, palette, rows, scale } = scene;
    // The scale's colours, then nothing expected, then not yet arrived.
    const colors = [...scale.colors, palette.states[ColorKey.NotExpected], palette.states[ColorKey.Pending]];
    ctx.fillStyle = palette.background;
    ctx.fillRect(0, 0, g.width, g.height);
    const view = gridVisibleRows(rows.length, scene.scrollTop, g);

    ctx.save();
    ctx.beginPath();
    ctx.rect(0, g.axisHeight, g.width, g.height - g.axisHeight - g.footerHeight);
    ctx.clip();
    for (let i = view.first; i < view.end; i++) {
      const top = view.firstTop + (i - view.first) * g.rowHeight;
      if (i === scene.hoverRow || rows[i].kind === 'station') {
        ctx.fillStyle = i === scene.hoverRow ? palette.hoverBackground : palette.groupBackground;
        ctx.fillRect(0, top, g.width, g.rowHeight);
      }
    }
    ctx.restore();
    this.drawCells(ctx, scene, colors, view.first, view.end, view.firstTop);

    ctx.save();
    ctx.beginPath();
    ctx.rect(0, g.axisHeight, g.width, g.height - g.axisHeight - g.footerHeight);
    ctx.clip();
    const labelSize = rowLabelSize(g.rowHeight, palette.fontSize);
    for (let i = view.first; i < view.end; i++) this.drawRowText(ctx, scene, rows[i], view.firstTop + (i - view.first) * g.rowHeight + g.rowHeight / 2, labelSize);

    // The station in view keeps its header pinned under the axis, with its cells.
    drawPinnedHeaders(ctx, pinnedLayout(view.first, view.firstTop, scene.nesting, g.axisHeight, g.rowHeight), { width: g.width, rowHeight: g.rowHeight, hoverRow: scene.hoverRow }, palette, (index, top) => {
      this.drawCellRow(ctx, scene, colors, rows[index].values, top, g.rowHeight - (g.rowHeight >= 6 ? 1 : 0));
      this.drawRowText(ctx, scene, rows[index], top + g.rowHeight / 2, labelSize);
    });
    ctx.restore();

    if (g.footerHeight > 0) {
      const top = g.height - g.footerHeight;
      ctx.fillStyle = palette.groupBackground;
      ctx.fillRect(0, top, g.width, g.footerHeight);
      this.drawCellRow(ctx, scene, colors, scene.columnTotals, top + 1, g.footerHeight - 2);
      ctx.font = canvasFont(palette, 600, Math.min(palette.fontSize, g.footerHeight - 2));
      ctx.fillStyle = palette.text;
      ctx.textAlign = 'left';
      ctx.fillText(fitText(ctx, 'All channels', gridLeft(g) - 10), 4, top + g.footerHeight / 2);
      this.drawSwatch(ctx, scene, scene.overallTotal, top + g.footerHeight / 2);
      this.drawTotalText(ctx, scene, scene.overallTotal, top + g.footerHeight / 2);
    }
    this.axis.draw(ctx, palette, {
      width: g.width,
      height: g.axisHeight,
      left: gridLeft(g),
      right: gridRight(g),
      leftHeader: scene.labelHeader,
      rightHeader: g.totalWidth > 0 ? 'Total' : '',
      // The buckets are UTC days or hours, whatever the dashboard's zone: the axis says so.
      caption: 'UTC',
      ticksKey: `${scene.columns[0]}|${scene.columns.length}|${scene.bucketUs}|${g.width}|${scene.dayOfYear}`,
      ticks: (measure, reserved) => gridTicks({ columns: scene.columns, bucketUs: scene.bucketUs }, g, measure, { dayOfYear: scene.dayOfYear, reserved }),
    });
    for (const column of [scene.hoverColumn, scene.crosshairColumn]) {
      if (column < 0) continue;
      const x0 = columnEdge(column, g);
      const x1 = columnEdge(column + 1, g);
      ctx.strokeStyle = palette.text;
      ctx.lineWidth = 1;
      ctx.strokeRect(x0 + 0.5, g.axisHeight + 0.5, Math.max(1, x1 - x0 - 1), g.height - g.axisHeight - 1);
    }
  }

  private drawRowText(ctx: CanvasRenderingContext2D, scene: GridScene, row: GridRow, middle: number, size: number): void {
    const { geometry: g, palette } = scene;
    if (g.totalWidth > 0) this.drawSwatch(ctx, scene, row.total, middle);
    if (size === 0) return;
    const isGroup = row.kind === 'station';
    const indent = 4 + row.depth * INDENT;
    ctx.textBaseline = 'middle';
    ctx.font = canvasFont(palette, isGroup ? 600 : 400, size);
    ctx.fillStyle = isGroup ? palette.text : palette.textMuted;
    ctx.textAlign = 'left';
    const label = isGroup ? `${row.collapsed ? '▸' : '▾'} ${row.label} (${row.channelCount})` : row.label;
    ctx.fillText(fitText(ctx, label, gridLeft(g) - indent - 6), indent, middle);
    if (g.totalWidth > 0) this.drawTotalText(ctx, scene, row.total, middle);
  }

  /** One row of cells as rectangles: the footer's totals and pinned headers, few enough for that. */
  private drawCellRow(ctx: CanvasRenderingContext2D, scene: GridScene, colors: readonly string[], values: ArrayLike<number>, top: number, height: number): void {
    const { geometry: g, scale } = scene;
    const gap = columnEdge(1, g) - columnEdge(0, g) >= 4 ? 1 : 0;
    for (let c = 0; c < g.columnCount; c++) {
      const x0 = columnEdge(c, g);
      const x1 = columnEdge(c + 1, g);
      const index = scale.indexOf(values[c]);
      ctx.fillStyle = colors[index < 0 ? scale.colors.length : index];
      ctx.fillRect(x0, top, Math.max(0, x1 - x0 - gap), height);
    }
  }

  private drawSwatch(ctx: CanvasRenderingContext2D, scene: GridScene, total: number, middle: number): void {
    const { geometry: g, palette, scale } = scene;
    const index = scale.indexOf(total);
    const swatch = Math.max(2, Math.min(10, g.rowHeight - 4));
    ctx.fillStyle = index < 0 ? palette.states[ColorKey.NotExpected] : scale.colors[index];
    ctx.fillRect(gridRight(g) + 6, middle - swatch / 2, swatch, swatch);
  }

  private drawTotalText(ctx: CanvasRenderingContext2D, scene: GridScene, total: number, middle: number): void {
    const { geometry: g, palette } = scene;
    ctx.fillStyle = palette.text;
    ctx.textAlign = 'right';
    ctx.fillText(formatPercent(Number.isNaN(total) ? null : total), g.width - 4, middle);
  }
}
