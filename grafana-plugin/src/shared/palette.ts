/** Colours of the panels from the Grafana theme, resolved once per theme into plain CSS strings. */
import type { GrafanaTheme2, PanelOptionsEditorBuilder } from '@grafana/data';
import { COLOR_KEY_COUNT, COLOR_KEY_NAMES, COLOR_KEY_LABELS, type ColorKeyName } from './states';

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

/** Per-state colours chosen in the panel options (Grafana colour names or CSS colours); absent or empty: the default. */
export type StateColorOverrides = Partial<Record<ColorKeyName, string>>;

/**
 * The default state colours, by theme, as Grafana colour names where the theme has the colour.
 * Present and missing differ in lightness as well as hue, so they stay apart for every kind of
 * colour blindness (palette.test.ts checks ΔE76 ≥ 40 under simulated protanopia, deuteranopia
 * and tritanopia, and a luminance contrast ≥ 3:1): a pale green against a deep red. Green and
 * red of equal lightness (Grafana's `green` and `red`) are 8 ΔE apart for a deuteranope. Time
 * not yet arrived and time not expected are neutral greys, neither good nor bad.
 */
export const DEFAULT_STATE_COLORS: Record<'dark' | 'light', Record<ColorKeyName, string>> = {
  dark: {
    present: 'super-light-green',
    missing: 'semi-dark-red',
    sparse1: 'light-yellow',
    sparse2: 'orange',
    sparse3: 'dark-orange',
    not_expected: '#4a4e57',
    mixed: 'purple',
    overlap: 'blue',
    pending: '#7d828c',
    short_gap: 'light-red',
    long_gap: 'dark-red',
  },
  light: {
    present: 'super-light-green',
    missing: 'dark-red',
    sparse1: 'light-yellow',
    sparse2: 'orange',
    sparse3: 'dark-orange',
    not_expected: '#b9bdc6',
    mixed: 'purple',
    overlap: 'dark-blue',
    pending: '#dcdfe5',
    short_gap: 'semi-dark-red',
    long_gap: '#8c0e1b',
  },
};

export function panelPalette(theme: GrafanaTheme2, overrides: StateColorOverrides = {}): PanelPalette {
  const defaults = DEFAULT_STATE_COLORS[theme.isDark ? 'dark' : 'light'];
  const states = new Array<string>(COLOR_KEY_COUNT);
  COLOR_KEY_NAMES.forEach((name, key) => {
    states[key] = theme.visualization.getColorByName(overrides[name] || defaults[name]);
  });
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

/** Colour pickers for the given states in the panel editor ("State colours"), stored in `stateColors`; empty: the theme's default. */
export function addStateColorOptions<T extends { stateColors: StateColorOverrides }>(builder: PanelOptionsEditorBuilder<T>, keys: readonly ColorKeyName[]): PanelOptionsEditorBuilder<T> {
  for (const key of keys) {
    builder.addColorPicker({
      path: `stateColors.${key}`,
      name: COLOR_KEY_LABELS[key],
      category: ['State colours'],
      description: 'Empty: the default, chosen to stay distinguishable with colour blindness.',
      defaultValue: '',
    });
  }
  return builder;
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
