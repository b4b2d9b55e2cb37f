/**
 * Draws the timeline's visible rows onto a canvas from the layout. Only what is in view is
 * touched: rows by arithmetic, spans by binary search, and all runs of one colour filled in one
 * path, so a frame costs about the same however many channels the panel holds.
 */
import { canvasFont, fitText, formatPercent, type PanelPalette } from '../../shared/palette';
import { formatTick } from '../../shared/time';
import {
  plotLeft,
  plotRight,
  rowRuns,
  timeTicks,
  visibleRows,
  RunBuffer,
  type DisplayRow,
  type GapColoring,
  type TimelineGeometry,
} from './layout';

export interface TimelineScene {
  rows: readonly DisplayRow[];
  scrollTop: number;
  geometry: TimelineGeometry;
  palette: PanelPalette;
  gaps: GapColoring;
  /** Row index under the pointer (highlighted), or -1. */
  hoverRow: number;
  /** A zoom drag in progress: canvas x of both ends. */
  selection: { x0: number; x1: number } | null;
  /** Header texts of the label and summary columns (they show the sort order). */
  labelHeader: string;
  summaryHeader: string;
}

/** Space between neighbouring rows' bars, so rows stay apart at any height. */
const ROW_GAP = 2;
const INDENT = 14;

/** Per colour key, a list of rects (x, y, w, h) of the frame being drawn. */
class RectsByColor {
  private readonly lists: number[][] = [];

  clear(): void {
    for (const list of this.lists) if (list) list.length = 0;
  }

  add(color: number, x: number, y: number, w: number, h: number): void {
    (this.lists[color] ??= []).push(x, y, w, h);
  }

  fill(ctx: CanvasRenderingContext2D, colors: readonly string[]): void {
    this.lists.forEach((list, color) => {
      if (!list || list.length === 0) return;
      ctx.fillStyle = colors[color];
      ctx.beginPath();
      for (let i = 0; i < list.length; i += 4) ctx.rect(list[i], list[i + 1], list[i + 2], list[i + 3]);
      ctx.fill();
    });
  }
}

export class TimelineRenderer {
  private readonly runs = new RunBuffer();
  private readonly rects = new RectsByColor();

  draw(ctx: CanvasRenderingContext2D, scene: TimelineScene): void {
    const { geometry: g, palette, rows } = scene;
    const left = plotLeft(g);
    const right = plotRight(g);
    ctx.fillStyle = palette.background;
    ctx.fillRect(0, 0, g.width, g.height);

    const view = visibleRows(rows.length, scene.scrollTop, g);
    ctx.save();
    ctx.beginPath();
    ctx.rect(0, g.axisHeight, g.width, g.height - g.axisHeight);
    ctx.clip();

    // Backgrounds of group headers and of the hovered row.
    for (let i = view.first; i < view.end; i++) {
      const top = view.firstTop + (i - view.first) * g.rowHeight;
      const row = rows[i];
      if (i === scene.hoverRow) {
        ctx.fillStyle = palette.hoverBackground;
        ctx.fillRect(0, top, g.width, g.rowHeight);
      } else if (row.kind !== 'channel') {
        ctx.fillStyle = palette.groupBackground;
        ctx.fillRect(0, top, g.width, g.rowHeight);
      }
    }

    // Spans, batched by colour.
    this.rects.clear();
    const barHeight = Math.max(1, g.rowHeight - 2 * ROW_GAP);
    for (let i = view.first; i < view.end; i++) {
      const channel = rows[i].row;
      if (!channel) continue;
      const top = view.firstTop + (i - view.first) * g.rowHeight + ROW_GAP;
      rowRuns(channel, g, scene.gaps, this.runs);
      for (let k = 0; k < this.runs.count; k++) {
        this.rects.add(this.runs.color[k], this.runs.x0[k], top, this.runs.x1[k] - this.runs.x0[k], barHeight);
      }
    }
    this.rects.fill(ctx, palette.states);

    // Labels and summaries.
    ctx.textBaseline = 'middle';
    const labelRight = left - 6;
    for (let i = view.first; i < view.end; i++) {
      const row = rows[i];
      const middle = view.firstTop + (i - view.first) * g.rowHeight + g.rowHeight / 2;
      const isGroup = row.kind !== 'channel';
      const indent = 4 + row.depth * INDENT;
      ctx.font = canvasFont(palette, isGroup ? 600 : 400);
      ctx.fillStyle = isGroup ? palette.text : palette.textMuted;
      ctx.textAlign = 'left';
      const marker = isGroup ? (row.collapsed ? '▸ ' : '▾ ') : '';
      const count = isGroup ? ` (${row.channelCount})` : '';
      ctx.fillText(fitText(ctx, `${marker}${row.label}${count}`, labelRight - indent), indent, middle);
      ctx.textAlign = 'right';
      ctx.fillStyle = palette.text;
      ctx.fillText(formatPercent(row.percent), g.width - 6, middle);
    }
    ctx.restore();

    this.drawAxis(ctx, scene, left, right);
    if (scene.selection) {
      const x0 = Math.max(left, Math.min(scene.selection.x0, scene.selection.x1));
      const x1 = Math.min(right, Math.max(scene.selection.x0, scene.selection.x1));
      ctx.fillStyle = palette.selection;
      ctx.fillRect(x0, g.axisHeight, x1 - x0, g.height - g.axisHeight);
    }
  }

  private drawAxis(ctx: CanvasRenderingContext2D, scene: TimelineScene, left: number, right: number): void {
    const { geometry: g, palette } = scene;
    ctx.fillStyle = palette.background;
    ctx.fillRect(0, 0, g.width, g.axisHeight);
    ctx.strokeStyle = palette.gridLine;
    ctx.lineWidth = 1;
    ctx.beginPath();
    ctx.moveTo(0, g.axisHeight - 0.5);
    ctx.lineTo(g.width, g.axisHeight - 0.5);
    ctx.stroke();

    ctx.font = canvasFont(palette, 600);
    ctx.fillStyle = palette.textMuted;
    ctx.textBaseline = 'middle';
    ctx.textAlign = 'left';
    ctx.fillText(fitText(ctx, scene.labelHeader, left - 8), 4, g.axisHeight / 2);
    ctx.textAlign = 'right';
    ctx.fillText(scene.summaryHeader, g.width - 6, g.axisHeight / 2);

    ctx.font = canvasFont(palette, 400, 11);
    ctx.textAlign = 'center';
    for (const tick of timeTicks(g)) {
      const x = Math.round(tick.x) + 0.5;
      ctx.beginPath();
      ctx.moveTo(x, g.axisHeight - 5);
      ctx.lineTo(x, g.axisHeight);
      ctx.stroke();
      const label = formatTick(tick.us, tick.withTime);
      const half = ctx.measureText(label).width / 2;
      if (tick.x - half >= left + 2 && tick.x + half <= right - 2) ctx.fillText(label, tick.x, g.axisHeight / 2);
    }
  }
}
