/**
 * The header row both panels draw above their rows: the label column's header (which names the
 * sort), the right column's header, the zone the times are in, and the time ticks with their
 * labels. Ticks are worked out again only when what they depend on changes, not on every scroll frame.
 */
import type { AxisTick } from './axis';
import { canvasFont, fitText, type PanelPalette } from './palette';

/** Size of the tick labels and the zone's name, CSS pixels. */
const TICK_FONT_SIZE = 11;

export interface AxisRow {
  width: number;
  height: number;
  /** The plot's stretch, where ticks go. */
  left: number;
  right: number;
  leftHeader: string;
  rightHeader: string;
  /** The zone the ticks are in (`UTC`, `Europe/Berlin (UTC+1)`). */
  caption: string;
  /** Everything the ticks depend on besides the font: when it is unchanged the last ticks are reused. */
  ticksKey: string;
  ticks: (measure: (text: string) => number, reserved: ReadonlyArray<readonly [number, number]>) => AxisTick[];
}

export class AxisPainter {
  /** The labels of the last frame with their extents (the zone's name last), for the browser tests. */
  readonly labels: Array<{ text: string; x0: number; x1: number }> = [];
  private key = '';
  private ticks: AxisTick[] = [];

  draw(ctx: CanvasRenderingContext2D, palette: PanelPalette, row: AxisRow): void {
    const middle = row.height / 2;
    ctx.fillStyle = palette.background;
    ctx.fillRect(0, 0, row.width, row.height);
    ctx.fillStyle = palette.gridLine;
    ctx.fillRect(0, row.height - 1, row.width, 1);

    ctx.font = canvasFont(palette, 600);
    ctx.fillStyle = palette.textMuted;
    ctx.textBaseline = 'middle';
    ctx.textAlign = 'left';
    ctx.fillText(fitText(ctx, row.leftHeader, row.left - 8), 4, middle);
    ctx.textAlign = 'right';
    ctx.fillText(row.rightHeader, row.width - 4, middle);

    // The zone's name opens the plot's stretch of the axis; tick labels keep clear of it.
    ctx.font = canvasFont(palette, 400, TICK_FONT_SIZE);
    const caption = fitText(ctx, row.caption, (row.right - row.left) / 3);
    const captionEnd = row.left + 4 + ctx.measureText(caption).width;
    ctx.textAlign = 'left';
    ctx.fillText(caption, row.left + 4, middle);

    const key = `${row.ticksKey}|${row.left}|${row.right}|${caption}|${ctx.font}`;
    const measure = (text: string) => ctx.measureText(text).width;
    if (key !== this.key) {
      this.ticks = row.ticks(measure, [[row.left, captionEnd]]);
      this.key = key;
    }
    this.labels.length = 0;
    ctx.textAlign = 'center';
    for (const tick of this.ticks) {
      ctx.fillRect(Math.round(tick.x), row.height - 5, 1, 5);
      if (tick.label === null) continue;
      ctx.fillText(tick.label, tick.x, middle);
      const half = measure(tick.label) / 2;
      this.labels.push({ text: tick.label, x0: tick.x - half, x1: tick.x + half });
    }
    this.labels.push({ text: caption, x0: row.left + 4, x1: captionEnd });
  }
}
