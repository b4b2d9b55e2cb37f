/**
 * The default palette stays readable for colour-blind users: present and missing time are
 * computed here from the palette as the panels resolve it, in both themes, through simulations
 * of the three dichromacies. Facts used: the sRGB transfer curve and the sRGB → XYZ (D65)
 * matrix (IEC 61966-2-1), CIELAB and ΔE76 (CIE 1976), WCAG 2 relative luminance and contrast
 * ratio, and the full-severity dichromacy matrices of Machado, Oliveira & Fernandes (2009),
 * "A physiologically-based model for simulation of color vision deficiency", applied to linear RGB.
 */
import { createTheme } from '@grafana/data';
import { describe, expect, it } from 'vitest';
import { panelPalette } from './palette';
import { ColorKey } from './states';

type Rgb = [number, number, number];
type Matrix = [Rgb, Rgb, Rgb];

const SIMULATIONS: Record<string, Matrix> = {
  protanopia: [
    [0.152286, 1.052583, -0.204868],
    [0.114503, 0.786281, 0.099216],
    [-0.003882, -0.048116, 1.051998],
  ],
  deuteranopia: [
    [0.367322, 0.860646, -0.227968],
    [0.280085, 0.672501, 0.047413],
    [-0.01182, 0.04294, 0.968881],
  ],
  tritanopia: [
    [1.255528, -0.076749, -0.178779],
    [-0.078411, 0.930809, 0.147602],
    [0.004733, 0.691367, 0.3039],
  ],
};

/** `#rrggbb` (what the theme resolves its colour names to) → linear RGB 0..1. */
function linearRgb(color: string): Rgb {
  const match = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(color);
  if (!match) throw new Error(`not a #rrggbb colour: ${color}`);
  return [1, 2, 3].map((i) => {
    const c = parseInt(match[i], 16) / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  }) as Rgb;
}

function simulate(rgb: Rgb, m: Matrix): Rgb {
  return m.map((row) => Math.min(1, Math.max(0, row[0] * rgb[0] + row[1] * rgb[1] + row[2] * rgb[2]))) as Rgb;
}

function lab([r, g, b]: Rgb): Rgb {
  const x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047;
  const y = 0.2126 * r + 0.7152 * g + 0.0722 * b;
  const z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883;
  const f = (t: number) => (t > 216 / 24389 ? Math.cbrt(t) : ((24389 / 27) * t + 16) / 116);
  return [116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))];
}

function deltaE76(a: Rgb, b: Rgb): number {
  const [p, q] = [lab(a), lab(b)];
  return Math.hypot(p[0] - q[0], p[1] - q[1], p[2] - q[2]);
}

function contrast(a: Rgb, b: Rgb): number {
  const luminance = ([r, g, bl]: Rgb) => 0.2126 * r + 0.7152 * g + 0.0722 * bl;
  const [high, low] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (high + 0.05) / (low + 0.05);
}

describe('default palette', () => {
  for (const mode of ['dark', 'light'] as const) {
    const palette = panelPalette(createTheme({ colors: { mode } }));
    const present = linearRgb(palette.states[ColorKey.Present]);
    const missing = linearRgb(palette.states[ColorKey.Missing]);

    it(`${mode}: present and missing stay ΔE76 ≥ 40 apart under protanopia, deuteranopia and tritanopia`, () => {
      for (const [name, matrix] of Object.entries(SIMULATIONS)) {
        expect(deltaE76(simulate(present, matrix), simulate(missing, matrix)), name).toBeGreaterThanOrEqual(40);
      }
    });

    it(`${mode}: present and missing differ in luminance by at least 3:1`, () => {
      expect(contrast(present, missing)).toBeGreaterThanOrEqual(3);
    });

    it(`${mode}: present is green and missing is red, as operators read them`, () => {
      const [pl, pa] = lab(present);
      const [, ma] = lab(missing);
      expect(pa).toBeLessThan(-10); // green side of a*
      expect(ma).toBeGreaterThan(40); // red side of a*
      expect(pl).toBeGreaterThan(50);
    });
  }

  it('the checks can fail: Grafana\'s green and red of equal lightness are 8 ΔE apart for a deuteranope', () => {
    const theme = createTheme({ colors: { mode: 'dark' } });
    const green = linearRgb(theme.visualization.getColorByName('green'));
    const red = linearRgb(theme.visualization.getColorByName('red'));
    expect(deltaE76(simulate(green, SIMULATIONS.deuteranopia), simulate(red, SIMULATIONS.deuteranopia))).toBeLessThan(10);
    expect(contrast(green, red)).toBeLessThan(2);
  });

  it('takes a state colour from the panel options, by Grafana colour name or CSS colour', () => {
    const theme = createTheme({ colors: { mode: 'dark' } });
    const palette = panelPalette(theme, { present: 'blue', missing: '#ff00ff', overlap: '' });
    expect(palette.states[ColorKey.Present]).toBe(theme.visualization.getColorByName('blue'));
    expect(palette.states[ColorKey.Missing]).toBe('#ff00ff');
    expect(palette.states[ColorKey.Overlap]).toBe(panelPalette(theme).states[ColorKey.Overlap]);
  });
});
