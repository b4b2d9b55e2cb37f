import type { PanelPalette } from './palette';
import type { PinnedHeader } from './rows';

/**
 * Draws the pinned group headers over the rows: inner ones first, so outer ones lie over a header
 * being pushed up beneath them; each on an opaque background, with a line under the band.
 */
export function drawPinnedHeaders(
  ctx: CanvasRenderingContext2D,
  pinned: readonly PinnedHeader[],
  band: { width: number; rowHeight: number; hoverRow: number },
  palette: PanelPalette,
  drawRow: (index: number, top: number) => void
): void {
  for (let k = pinned.length - 1; k >= 0; k--) {
    const { index, top } = pinned[k];
    ctx.fillStyle = palette.background;
    ctx.fillRect(0, top, band.width, band.rowHeight);
    ctx.fillStyle = index === band.hoverRow ? palette.hoverBackground : palette.groupBackground;
    ctx.fillRect(0, top, band.width, band.rowHeight);
    drawRow(index, top);
  }
  if (pinned.length > 0) {
    ctx.fillStyle = palette.gridLine;
    ctx.fillRect(0, pinned[pinned.length - 1].top + band.rowHeight - 1, band.width, 1);
  }
}
