/** Colours of the panels from the Grafana theme, resolved once per theme into plain CSS strings. */
import type { GrafanaTheme2 } from '@grafana/data';
import { COLOR_KEY_COUNT, ColorKey } from './states';

export interface PanelPalette {
  /** Indexed by ColorKey. */
  states: string[];
  background: string;
  text: string;
  textMuted: string;
  gridLine: string;
  groupBackground: string;
  hoverBackground: string;
  selection: string;
  fontFamily: string;
  fontSize: number;
}

export function panelPalette(theme: GrafanaTheme2): PanelPalette {
  const color = (name: string) => theme.visualization.getColorByName(name);
  const states = new Array<string>(COLOR_KEY_COUNT);
  states[ColorKey.Present] = color('green');
  states[ColorKey.Missing] = color('red');
  states[ColorKey.Sparse1] = color('yellow');
  states[ColorKey.Sparse2] = color('orange');
  states[ColorKey.Sparse3] = color('dark-orange');
  // Not-expected time is neither good nor bad: a quiet grey that still differs from the background.
  states[ColorKey.NotExpected] = theme.isDark ? '#4a4e57' : '#c7cad1';
  states[ColorKey.Mixed] = color('purple');
  states[ColorKey.ShortGap] = color('light-red');
  states[ColorKey.LongGap] = color('dark-red');
  return {
    states,
    background: theme.colors.background.primary,
    text: theme.colors.text.primary,
    textMuted: theme.colors.text.secondary,
    gridLine: theme.colors.border.weak,
    groupBackground: theme.colors.background.secondary,
    hoverBackground: theme.colors.action.hover,
    selection: theme.isDark ? 'rgba(120, 160, 255, 0.25)' : 'rgba(50, 100, 220, 0.2)',
    fontFamily: theme.typography.fontFamily,
    fontSize: 12,
  };
}

/** Canvas font of the given size in the theme's family. */
export function canvasFont(palette: PanelPalette, weight = 400, size = palette.fontSize): string {
  return `${weight} ${size}px ${palette.fontFamily}`;
}

/** Sizes a canvas's backing store to its CSS size × the device pixel ratio; returns the context. */
export function prepareCanvas(canvas: HTMLCanvasElement, width: number, height: number): CanvasRenderingContext2D | null {
  const ratio = typeof window !== 'undefined' ? window.devicePixelRatio || 1 : 1;
  const w = Math.max(1, Math.round(width * ratio));
  const h = Math.max(1, Math.round(height * ratio));
  if (canvas.width !== w) canvas.width = w;
  if (canvas.height !== h) canvas.height = h;
  const ctx = canvas.getContext('2d');
  ctx?.setTransform(ratio, 0, 0, ratio, 0, 0);
  return ctx;
}

/** Text cut to fit `maxWidth`, with an ellipsis. */
export function fitText(ctx: CanvasRenderingContext2D, text: string, maxWidth: number): string {
  if (maxWidth <= 0) return '';
  if (ctx.measureText(text).width <= maxWidth) return text;
  let lo = 0;
  let hi = text.length;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if (ctx.measureText(`${text.slice(0, mid)}…`).width <= maxWidth) lo = mid;
    else hi = mid - 1;
  }
  return lo > 0 ? `${text.slice(0, lo)}…` : '';
}

export function formatPercent(percent: number | null): string {
  if (percent === null || Number.isNaN(percent)) return '–';
  if (percent >= 100) return '100%';
  // Never round 99.996 up to 100%: a channel with any gap must not read as complete. The small
  // epsilon keeps 57.3 (57.29999… in binary) from printing as 57.29.
  const floored = Math.floor(percent * 100 + 1e-7) / 100;
  return `${floored.toFixed(2)}%`;
}

const packedColors = new Map<string, number>();
let colorProbe: CanvasRenderingContext2D | null = null;

/**
 * A CSS colour laid over `background`, packed as ImageData's 32-bit little-endian RGBA, for
 * code that writes pixels directly. Resolved once by the browser itself, then cached.
 */
export function packedColor(color: string, background: string): number {
  const key = `${color}|${background}`;
  let packed = packedColors.get(key);
  if (packed === undefined) {
    colorProbe ??= document.createElement('canvas').getContext('2d', { willReadFrequently: true });
    if (!colorProbe) return 0;
    colorProbe.fillStyle = background;
    colorProbe.fillRect(0, 0, 1, 1);
    colorProbe.fillStyle = color;
    colorProbe.fillRect(0, 0, 1, 1);
    const [r, g, b] = colorProbe.getImageData(0, 0, 1, 1).data;
    packed = ((255 << 24) | (b << 16) | (g << 8) | r) >>> 0;
    packedColors.set(key, packed);
  }
  return packed;
}
