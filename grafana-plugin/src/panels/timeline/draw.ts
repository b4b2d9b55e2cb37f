/**
 * Draws the timeline's visible rows onto a canvas from the layout. Only what is in view is
 * touched: rows by arithmetic, spans by binary search, and all runs of one colour filled in one
 * path, so a frame costs about the same however many channels the panel holds.
 */
import { canvasFont, fitText, formatPercent, type PanelPalette } from '../../shared/palette';
import { zoneCaption } from '../../shared/axis';
import { AxisPainter } from '../../shared/AxisPainter';
import { drawPinnedHeaders } from '../../shared/drawPinned';
import { pinnedLayout, rowLabelSize, type RowNesting } from '../../shared/rows';
import { ColorKey } from '../../shared/states';
import { plotLeft, plotRight, rowRuns, timeTicks, visibleRows, xOfTime, RunBuffer, type DisplayRow, type GapColoring, type TimelineGeometry } from './layout';

export interface TimelineScene {
  rows: readonly DisplayRow[];
  /** The rows' groups, for the headers pinned under the axis. */
  nesting: RowNesting;
  /** IANA zone of the axis (the dashboard's). */
  zone: string;
  /** Another panel's pointer time (shared crosshair), µs, or null. */
  crosshairUs: number | null;
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
  readonly axis = new AxisPainter();
  /** x, top of each overlap drawn this frame: a marker goes above it, as an overlap is often narrower than a pixel. */
  private readonly overlaps: number[] = [];

  /** A small downward triangle in the overlap colour, outlined in the background colour, at the top of each overlap. */
  private drawOverlapMarkers(ctx: CanvasRenderingContext2D, palette: PanelPalette, barHeight: number): void {
    if (this.overlaps.length === 0) return;
    const half = Math.max(2, Math.min(5, barHeight / 2));
    ctx.beginPath();
    for (let i = 0; i < this.overlaps.length; i += 2) {
      const x = this.overlaps[i];
      const top = this.overlaps[i + 1];
      ctx.moveTo(x - half, top);
      ctx.lineTo(x + half, top);
      ctx.lineTo(x, top + half * 1.4);
      ctx.closePath();
    }
    ctx.fillStyle = palette.states[ColorKey.Overlap];
    ctx.fill();
    ctx.strokeStyle = palette.background;
    ctx.lineWidth = 1;
    ctx.stroke();
  }

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
    this.overlaps.length = 0;
    const barHeight = Math.max(1, g.rowHeight - 2 * ROW_GAP);
    for (let i = view.first; i < view.end; i++) {
      const channel = rows[i].row;
      if (!channel) continue;
      const top = view.firstTop + (i - view.first) * g.rowHeight + ROW_GAP;
      rowRuns(channel, g, scene.gaps, this.runs);
      for (let k = 0; k < this.runs.count; k++) {
        this.rects.add(this.runs.color[k], this.runs.x0[k], top, this.runs.x1[k] - this.runs.x0[k], barHeight);
        if (this.runs.color[k] === ColorKey.Overlap) this.overlaps.push((this.runs.x0[k] + this.runs.x1[k]) / 2, top);
      }
    }
    this.rects.fill(ctx, palette.states);
    this.drawOverlapMarkers(ctx, palette, barHeight);

    // Labels and summaries, at a size the row height allows.
    const labelSize = rowLabelSize(g.rowHeight, palette.fontSize);
    if (labelSize > 0) {
      for (let i = view.first; i < view.end; i++) this.drawRowText(ctx, scene, rows[i], view.firstTop + (i - view.first) * g.rowHeight + g.rowHeight / 2, labelSize);
    }

    // Headers of the group in view stay pinned under the axis.
    drawPinnedHeaders(ctx, pinnedLayout(view.first, view.firstTop, scene.nesting, g.axisHeight, g.rowHeight), { width: g.width, rowHeight: g.rowHeight, hoverRow: scene.hoverRow }, palette, (index, top) => {
      if (labelSize > 0) this.drawRowText(ctx, scene, rows[index], top + g.rowHeight / 2, labelSize);
    });

    if (scene.crosshairUs !== null && scene.crosshairUs >= g.fromUs && scene.crosshairUs <= g.toUs) {
      ctx.fillStyle = palette.text;
      ctx.fillRect(Math.round(xOfTime(scene.crosshairUs, g)), g.axisHeight, 1, g.height - g.axisHeight);
    }
    ctx.restore();

    this.axis.draw(ctx, palette, {
      width: g.width,
      height: g.axisHeight,
      left,
      right,
      leftHeader: scene.labelHeader,
      rightHeader: scene.summaryHeader,
      caption: zoneCaption(scene.zone, g.fromUs),
      ticksKey: `${g.fromUs}|${g.toUs}|${g.width}|${scene.zone}`,
      ticks: (measure, reserved) => timeTicks(g, scene.zone, measure, reserved),
    });
    if (scene.selection) {
      const x0 = Math.max(left, Math.min(scene.selection.x0, scene.selection.x1));
      const x1 = Math.min(right, Math.max(scene.selection.x0, scene.selection.x1));
      ctx.fillStyle = palette.selection;
      ctx.fillRect(x0, g.axisHeight, x1 - x0, g.height - g.axisHeight);
    }
  }

  private drawRowText(ctx: CanvasRenderingContext2D, scene: TimelineScene, row: DisplayRow, middle: number, size: number): void {
    const { geometry: g, palette } = scene;
    const isGroup = row.kind !== 'channel';
    const indent = 4 + row.depth * INDENT;
    ctx.textBaseline = 'middle';
    ctx.font = canvasFont(palette, isGroup ? 600 : 400, size);
    ctx.fillStyle = isGroup ? palette.text : palette.textMuted;
    ctx.textAlign = 'left';
    const marker = isGroup ? (row.collapsed ? '▸ ' : '▾ ') : '';
    const count = isGroup ? ` (${row.channelCount})` : '';
    ctx.fillText(fitText(ctx, `${marker}${row.label}${count}`, plotLeft(g) - 6 - indent), indent, middle);
    ctx.textAlign = 'right';
    ctx.fillStyle = palette.text;
    ctx.fillText(formatPercent(row.percent), g.width - 4, middle);
  }
}
