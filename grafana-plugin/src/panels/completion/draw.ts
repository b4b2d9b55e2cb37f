/**
 * Draws the completion map's visible rows, the totals and the date axis. Cells of one colour are
 * filled in one path; only rows in view are touched.
 */
import { canvasFont, fitText, formatPercent, type PanelPalette } from '../../shared/palette';
import { ColorKey } from '../../shared/states';
import { formatTick } from '../../shared/time';
import {
  columnEdge,
  gridLeft,
  gridRight,
  gridVisibleRows,
  labelEvery,
  type ColorScale,
  type GridGeometry,
  type GridRow,
} from './layout';

export interface GridScene {
  rows: readonly GridRow[];
  columns: Float64Array;
  bucket: 'day' | 'hour';
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
  /** Per colour index: flat x, y, w, h lists; index `colors.length` holds cells with no value. */
  private lists: number[][] = [];

  private add(color: number, x: number, y: number, w: number, h: number): void {
    (this.lists[color] ??= []).push(x, y, w, h);
  }

  private fill(ctx: CanvasRenderingContext2D, colors: readonly string[]): void {
    this.lists.forEach((list, color) => {
      if (!list || list.length === 0) return;
      ctx.fillStyle = colors[color];
      ctx.beginPath();
      for (let i = 0; i < list.length; i += 4) ctx.rect(list[i], list[i + 1], list[i + 2], list[i + 3]);
      ctx.fill();
      list.length = 0;
    });
  }

  /** Adds one row of cells at `top`, skipping columns outside the canvas. */
  private addCells(values: Float32Array, scene: GridScene, top: number, height: number): void {
    const { geometry: g, scale } = scene;
    const noValue = scale.colors.length;
    const gap = columnEdge(1, g) - columnEdge(0, g) >= 4 ? 1 : 0;
    let x0 = columnEdge(0, g);
    for (let c = 0; c < g.columnCount; c++) {
      const x1 = columnEdge(c + 1, g);
      if (x1 > x0) {
        const index = scale.indexOf(values[c]);
        this.add(index < 0 ? noValue : index, x0, top, x1 - x0 - gap, height);
      }
      x0 = x1;
    }
  }

  draw(ctx: CanvasRenderingContext2D, scene: GridScene): void {
    const { geometry: g, palette, rows, scale } = scene;
    const colors = [...scale.colors, palette.states[ColorKey.NotExpected]];
    ctx.fillStyle = palette.background;
    ctx.fillRect(0, 0, g.width, g.height);
    const view = gridVisibleRows(rows.length, scene.scrollTop, g);
    const rowGap = g.rowHeight >= 6 ? 1 : 0;

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
      this.addCells(rows[i].values, scene, top, g.rowHeight - rowGap);
    }
    this.fill(ctx, colors);

    ctx.textBaseline = 'middle';
    for (let i = view.first; i < view.end; i++) {
      const row = rows[i];
      const middle = view.firstTop + (i - view.first) * g.rowHeight + g.rowHeight / 2;
      const isGroup = row.kind === 'station';
      const indent = 4 + row.depth * INDENT;
      ctx.font = canvasFont(palette, isGroup ? 600 : 400, Math.min(palette.fontSize, g.rowHeight - 2));
      ctx.fillStyle = isGroup ? palette.text : palette.textMuted;
      ctx.textAlign = 'left';
      const label = isGroup ? `${row.collapsed ? '▸' : '▾'} ${row.label} (${row.channelCount})` : row.label;
      ctx.fillText(fitText(ctx, label, gridLeft(g) - indent - 6), indent, middle);
      if (g.totalWidth > 0) this.drawTotal(ctx, scene, row.total, middle);
    }
    ctx.restore();

    if (g.footerHeight > 0) {
      const top = g.height - g.footerHeight;
      ctx.fillStyle = palette.groupBackground;
      ctx.fillRect(0, top, g.width, g.footerHeight);
      this.addCells(scene.columnTotals, scene, top + 1, g.footerHeight - 2);
      this.fill(ctx, colors);
      ctx.font = canvasFont(palette, 600, Math.min(palette.fontSize, g.footerHeight - 2));
      ctx.fillStyle = palette.text;
      ctx.textAlign = 'left';
      ctx.fillText(fitText(ctx, 'All channels', gridLeft(g) - 10), 4, top + g.footerHeight / 2);
      this.drawTotal(ctx, scene, scene.overallTotal, top + g.footerHeight / 2);
    }
    this.drawAxis(ctx, scene);
    if (scene.hoverColumn >= 0) {
      const x0 = columnEdge(scene.hoverColumn, g);
      const x1 = columnEdge(scene.hoverColumn + 1, g);
      ctx.strokeStyle = palette.text;
      ctx.lineWidth = 1;
      ctx.strokeRect(x0 + 0.5, g.axisHeight + 0.5, Math.max(1, x1 - x0 - 1), g.height - g.axisHeight - 1);
    }
  }

  private drawTotal(ctx: CanvasRenderingContext2D, scene: GridScene, total: number, middle: number): void {
    const { geometry: g, palette, scale } = scene;
    const index = scale.indexOf(total);
    const swatch = Math.min(10, g.rowHeight - 4);
    ctx.fillStyle = index < 0 ? palette.states[ColorKey.NotExpected] : scale.colors[index];
    ctx.fillRect(gridRight(g) + 6, middle - swatch / 2, swatch, swatch);
    ctx.fillStyle = palette.text;
    ctx.textAlign = 'right';
    ctx.fillText(formatPercent(Number.isNaN(total) ? null : total), g.width - 4, middle);
  }

  private drawAxis(ctx: CanvasRenderingContext2D, scene: GridScene): void {
    const { geometry: g, palette } = scene;
    ctx.fillStyle = palette.background;
    ctx.fillRect(0, 0, g.width, g.axisHeight);
    ctx.strokeStyle = palette.gridLine;
    ctx.beginPath();
    ctx.moveTo(0, g.axisHeight - 0.5);
    ctx.lineTo(g.width, g.axisHeight - 0.5);
    ctx.stroke();
    ctx.textBaseline = 'middle';
    ctx.font = canvasFont(palette, 600);
    ctx.fillStyle = palette.textMuted;
    ctx.textAlign = 'left';
    ctx.fillText(fitText(ctx, scene.labelHeader, gridLeft(g) - 8), 4, g.axisHeight / 2);
    if (g.totalWidth > 0) {
      ctx.textAlign = 'right';
      ctx.fillText('Total', g.width - 4, g.axisHeight / 2);
    }
    ctx.font = canvasFont(palette, 400, 11);
    ctx.textAlign = 'left';
    const withTime = scene.bucket === 'hour';
    const every = labelEvery(g, withTime ? 110 : 80);
    for (let c = 0; c < g.columnCount; c += every) {
      const x = columnEdge(c, g);
      ctx.fillRect(x, g.axisHeight - 5, 1, 5);
      const label = formatTick(scene.columns[c], withTime);
      if (x + ctx.measureText(label).width <= gridRight(g)) ctx.fillText(label, x + 2, g.axisHeight / 2);
    }
  }
}
