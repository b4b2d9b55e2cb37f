// @vitest-environment node
/**
 * Both panels rendered in headless Chromium with hundreds of channels over weeks: the pixels at
 * known rows and times have the colours the data says, tooltips say the exact times, drags zoom,
 * headers collapse, and the page logs no errors. Screenshots land in test-output/.
 */
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { PanelPalette } from '../src/shared/palette';
import { formatPercent } from '../src/shared/palette';
import { ColorKey, SPAN_STATE_NAMES } from '../src/shared/states';
import { MICROS_PER_DAY, MICROS_PER_MS } from '../src/shared/time';
import { chromiumAvailable, openHarness, type HarnessBrowser } from './browser';
import { buildHarness, OUTPUT_DIR } from './build';
import { PLANTED, PLANTED_DAYS, syntheticCompletion, syntheticTimeline, WINDOW_START_US, type TimelineShape } from './data';

const available = chromiumAvailable();
if (!available) console.warn('/usr/bin/chromium is absent: the panels’ browser tests are skipped (CI installs it: apt-get install -y chromium).');

let browser: HarnessBrowser;

beforeAll(async () => {
  if (!available) return;
  browser = await openHarness(await buildHarness(), { width: 1280, height: 800 });
});

afterAll(async () => {
  await browser?.close();
});

afterEach(() => {
  if (!available) return;
  // Every test leaves the console clean.
  expect(browser.errors).toEqual([]);
});

async function screenshot(name: string): Promise<void> {
  await browser.page.screenshot({ path: path.join(OUTPUT_DIR, `${name}.png`) });
}

async function pixel(x: number, y: number): Promise<string> {
  return browser.page.evaluate(([px, py]) => window.lacuna.pixel(px, py), [x, y]);
}

async function palette(theme: 'dark' | 'light'): Promise<PanelPalette> {
  const result = await browser.page.evaluate((t) => window.lacuna.palette(t), theme);
  return { ...result, states: result.states.map((c) => c.toLowerCase()) };
}

async function tooltip(): Promise<string> {
  return (await browser.page.getByTestId('lacuna-tooltip').textContent()) ?? '';
}

// ---------------------------------------------------------------------------------------------

describe.skipIf(!available)('timeline panel in Chromium', () => {
  const shape: TimelineShape = { channels: 600, days: 21, spansPerRow: 120, planted: true };
  const data = syntheticTimeline(shape);
  // What the view computes for a 1200 × 700 panel: labels 240 px, % column 76 px, axis 24 px.
  const width = 1200;
  const plot = { left: 240, right: 1200 - 76 };
  const axis = 24;
  const rowHeight = 20;
  const xOf = (us: number) => plot.left + ((us - data.from) / (data.to - data.from)) * (plot.right - plot.left);
  const rowMiddle = (index: number, scrollTop = 0) => axis + index * rowHeight - scrollTop + rowHeight / 2;

  async function render(theme: 'dark' | 'light', options: Record<string, unknown> = {}) {
    await browser.page.evaluate((request) => window.lacuna.renderTimeline(request), { shape, theme, width, height: 700, options });
  }

  it('draws the planted channel: not expected, present, a long gap, sparse time and a 30 s gap one pixel wide', async () => {
    await render('dark');
    await screenshot('timeline-dark');
    const keys = await browser.page.evaluate(() => window.lacuna.timelineRowKeys());
    expect(keys.slice(0, 5)).toEqual(['AA', 'AA.PLANT', PLANTED.fullChannel, PLANTED.channel, PLANTED.mixedChannel]);
    const colors = (await palette('dark')).states;
    const y = rowMiddle(3);
    expect(await pixel(xOf(WINDOW_START_US + MICROS_PER_DAY), y)).toBe(colors[ColorKey.NotExpected]);
    expect(await pixel(xOf(WINDOW_START_US + 3 * MICROS_PER_DAY), y)).toBe(colors[ColorKey.Present]);
    expect(await pixel(xOf((PLANTED.longGap.start + PLANTED.longGap.end) / 2), y)).toBe(colors[ColorKey.Missing]);
    expect(await pixel(xOf(WINDOW_START_US + 11 * MICROS_PER_DAY), y)).toBe(colors[ColorKey.Sparse3]);
    // 30 s in three weeks is a fiftieth of a pixel: it still shows, one pixel wide.
    const shortGapX = xOf(PLANTED.shortGap.start);
    expect(await pixel(shortGapX, y)).toBe(colors[ColorKey.Missing]);
    expect(await pixel(shortGapX - 2, y)).toBe(colors[ColorKey.Present]);
    expect(await pixel(shortGapX + 2, y)).toBe(colors[ColorKey.Present]);
    // The neighbours: complete, and a mixed day.
    expect(await pixel(xOf(WINDOW_START_US + MICROS_PER_DAY), rowMiddle(2))).toBe(colors[ColorKey.Present]);
    expect(await pixel(xOf(PLANTED.mixed.start + MICROS_PER_DAY / 2), rowMiddle(4))).toBe(colors[ColorKey.Mixed]);
  });

  it('tells the exact times, the length and the row’s figures on hover', async () => {
    await render('dark');
    await browser.page.mouse.move(xOf((PLANTED.longGap.start + PLANTED.longGap.end) / 2), rowMiddle(3));
    const text = await tooltip();
    expect(text).toContain(PLANTED.channel);
    expect(text).toContain('Missing: 23h 59m 59.876544s');
    expect(text).toContain('from 2024-03-06T03:00:00.123456Z');
    expect(text).toContain('to 2024-03-07T03:00:00.000000Z');
    const row = data.rows.find((r) => r.channel === PLANTED.channel)!;
    expect(text).toContain(`row: ${formatPercent(row.percent)} present · 2 gaps · longest 23h 59m 59.876544s`);
    await screenshot('timeline-tooltip');

    await browser.page.mouse.move(xOf(PLANTED.mixed.start + MICROS_PER_DAY / 2), rowMiddle(4));
    expect(await tooltip()).toContain('present in span: 42.50%');
  });

  it('zooms the dashboard to the dragged time range', async () => {
    await render('dark');
    const from = WINDOW_START_US + 3 * MICROS_PER_DAY;
    const to = WINDOW_START_US + 5 * MICROS_PER_DAY;
    await browser.page.mouse.move(xOf(from), rowMiddle(6));
    await browser.page.mouse.down();
    await browser.page.mouse.move(xOf(to), rowMiddle(8), { steps: 5 });
    await screenshot('timeline-zoom-drag');
    await browser.page.mouse.up();
    const calls = await browser.page.evaluate(() => window.lacuna.zoomCalls);
    expect(calls).toHaveLength(1);
    const pixelMs = (data.to - data.from) / MICROS_PER_MS / (plot.right - plot.left);
    expect(Math.abs(calls[0].fromMs - from / MICROS_PER_MS)).toBeLessThan(pixelMs);
    expect(Math.abs(calls[0].toMs - to / MICROS_PER_MS)).toBeLessThan(pixelMs);
  });

  it('collapses and expands a network when its header is clicked', async () => {
    await render('dark');
    const colors = await palette('dark');
    const x = xOf(WINDOW_START_US + MICROS_PER_DAY);
    expect(await pixel(x, rowMiddle(2))).toBe(colors.states[ColorKey.Present]);
    await browser.page.mouse.click(20, rowMiddle(0));
    // AA folds into its header: the next network's header rows (no spans) move up.
    expect(await pixel(x, rowMiddle(2))).toBe(colors.groupBackground.toLowerCase());
    await screenshot('timeline-collapsed');
    await browser.page.mouse.click(20, rowMiddle(0));
    expect(await pixel(x, rowMiddle(2))).toBe(colors.states[ColorKey.Present]);
  });

  it('scrolls to the last of hundreds of rows and draws it from its own spans', async () => {
    await render('dark', { groupByStation: false });
    const colors = (await palette('dark')).states;
    const scrollTop = await browser.page.evaluate(() => window.lacuna.scrollTo(1e9));
    const keys = await browser.page.evaluate(() => window.lacuna.timelineRowKeys());
    expect(keys).toHaveLength(603);
    expect(scrollTop).toBeGreaterThan(10_000);
    await screenshot('timeline-scrolled-to-end');
    const last = data.rows.find((r) => r.channel === keys[keys.length - 1])!;
    const y = rowMiddle(keys.length - 1, scrollTop);
    let checked = 0;
    for (const span of last.spans) {
      const x0 = xOf(Number(span.start));
      const x1 = xOf(Number(span.end));
      if (x1 - x0 < 6) continue;
      const state = SPAN_STATE_NAMES.indexOf(span.state as (typeof SPAN_STATE_NAMES)[number]);
      expect(await pixel((x0 + x1) / 2, y)).toBe(colors[state]);
      checked++;
    }
    expect(checked).toBeGreaterThan(3);
  });

  it('colours gaps by length when asked, and shows the classes in the legend', async () => {
    await render('dark', { colorGapsByLength: true, shortGapSeconds: 60, longGapSeconds: 3600 });
    const colors = (await palette('dark')).states;
    expect(await pixel(xOf((PLANTED.longGap.start + PLANTED.longGap.end) / 2), rowMiddle(3))).toBe(colors[ColorKey.LongGap]);
    expect(await pixel(xOf(PLANTED.shortGap.start), rowMiddle(3))).toBe(colors[ColorKey.ShortGap]);
    const legend = await browser.page.getByTestId('lacuna-legend').textContent();
    expect(legend).toContain('Gap < 1m');
    expect(legend).toContain('Gap ≥ 1h');
    expect(legend).toContain('Not expected');
    await screenshot('timeline-gaps-by-length');
  });

  it('sorts by lowest availability, then longest gap, when the header above the labels is clicked', async () => {
    await render('dark', { groupByStation: false });
    const byAvailability = await browser.page.evaluate(() => window.lacuna.timelineRowKeys('availability'));
    const byLongestGap = await browser.page.evaluate(() => window.lacuna.timelineRowKeys('longestGap'));
    const rowUnderPointer = async (index: number) => {
      await browser.page.mouse.move(60, rowMiddle(index));
      return (await tooltip()).split('\n')[0];
    };
    expect(await rowUnderPointer(0)).toBe('AA.PLANT.00.HHN');
    await browser.page.mouse.click(60, axis / 2);
    expect([await rowUnderPointer(0), await rowUnderPointer(1)]).toEqual(byAvailability.slice(0, 2));
    const lowest = data.rows.reduce((a, b) => ((a.percent ?? Infinity) <= (b.percent ?? Infinity) ? a : b));
    expect(byAvailability[0]).toBe(lowest.channel);
    await browser.page.mouse.click(60, axis / 2);
    expect(await rowUnderPointer(0)).toBe(byLongestGap[0]);
    await screenshot('timeline-sorted-by-longest-gap');
  });

  it('opens the row link of a clicked channel label, filled in', async () => {
    await render('dark', { rowLink: '/d/channel?var-channel=${__row.channel}&from=${__from}' });
    await browser.page.mouse.click(60, rowMiddle(3));
    expect(await browser.page.evaluate(() => window.lacuna.openedLinks)).toEqual([`/d/channel?var-channel=${PLANTED.channel}&from=${data.from / MICROS_PER_MS}`]);
  });

  it('follows the light theme', async () => {
    await render('light');
    const light = await palette('light');
    const dark = await palette('dark');
    expect(light.states[ColorKey.NotExpected]).not.toBe(dark.states[ColorKey.NotExpected]);
    expect(await pixel(xOf(WINDOW_START_US + MICROS_PER_DAY), rowMiddle(3))).toBe(light.states[ColorKey.NotExpected]);
    expect(await pixel(xOf(WINDOW_START_US + 3 * MICROS_PER_DAY), rowMiddle(3))).toBe(light.states[ColorKey.Present]);
    // Label area of a channel row: the theme's background.
    expect(await pixel(230, rowMiddle(3))).toBe(light.background.toLowerCase());
    await screenshot('timeline-light');
  });
});

// ---------------------------------------------------------------------------------------------

describe.skipIf(!available)('completion map in Chromium', () => {
  const shape = { channels: 600, days: 21, planted: true };
  const data = syntheticCompletion(shape);
  // A 1200 × 700 panel: labels 216 px, totals 76 px, axis 24 px, rows and totals row 16 px.
  const grid = { left: 216, right: 1200 - 76 };
  const edge = (column: number) => Math.round(grid.left + ((grid.right - grid.left) * column) / shape.days);
  const cellX = (column: number) => (edge(column) + edge(column + 1)) / 2;
  const rowY = (index: number) => 24 + index * 16 + 7;

  async function render(theme: 'dark' | 'light', options: Record<string, unknown> = {}) {
    await browser.page.evaluate((request) => window.lacuna.renderCompletion(request), { shape, theme, width: 1200, height: 700, options });
  }

  it('colours each day by percent present with the default thresholds', async () => {
    await render('light');
    await screenshot('completion-light');
    const keys = await browser.page.evaluate(() => window.lacuna.completionRowKeys());
    expect(keys.slice(0, 2)).toEqual(['AA.PLANT', PLANTED_DAYS.channel]);
    const [red, orange, green] = await Promise.all(['red', 'orange', 'green'].map((name) => browser.page.evaluate(([t, n]) => window.lacuna.themeColor(t as 'light', n), ['light', name])));
    const notExpected = (await palette('light')).states[ColorKey.NotExpected];
    expect(await pixel(cellX(PLANTED_DAYS.nothingExpected), rowY(1))).toBe(notExpected);
    expect(await pixel(cellX(PLANTED_DAYS.low.day), rowY(1))).toBe(red);
    expect(await pixel(cellX(PLANTED_DAYS.middle.day), rowY(1))).toBe(orange);
    expect(await pixel(cellX(3), rowY(1))).toBe(green);
  });

  it('shows a cell’s day, percent and sample completeness on hover', async () => {
    await render('light');
    await browser.page.mouse.move(cellX(PLANTED_DAYS.low.day), rowY(1));
    const text = await tooltip();
    expect(text).toContain(PLANTED_DAYS.channel);
    expect(text).toContain('2024-03-06T00:00:00.000000Z – 2024-03-07T00:00:00.000000Z');
    expect(text).toContain('present: 87.50%');
    expect(text).toContain('sample completeness: 87.50%');
    await screenshot('completion-tooltip');
  });

  it('totals rows and columns', async () => {
    await render('light');
    await browser.page.mouse.move(1200 - 30, rowY(1));
    // 18 complete days, 87.5 and 95; the day with nothing expected does not count.
    expect(await tooltip()).toContain('total: 99.12% (mean of 21 days)');

    // The footer is the canvas's bottom row, above the legend.
    const footerY = (await browser.page.getByRole('img').boundingBox())!.height - 8;
    const dayZero = data.rows.map((r) => r.percent[0]).filter((p): p is number => p !== null);
    const mean = dayZero.reduce((a, b) => a + b, 0) / dayZero.length;
    await browser.page.mouse.move(cellX(0), footerY);
    const text = await tooltip();
    expect(text).toContain('All channels');
    expect(text).toContain(`present: ${formatPercent(mean)} (mean)`);
    const expected = await browser.page.evaluate(([t, n]) => window.lacuna.themeColor(t as 'light', n), ['light', mean >= 99 ? 'green' : mean >= 90 ? 'orange' : 'red']);
    await browser.page.mouse.move(5, 5);
    expect(await pixel(cellX(0), footerY)).toBe(expected);
  });

  it('sorts by lowest total when the header above the labels is clicked', async () => {
    await render('light', { groupByStation: false });
    const byTotal = await browser.page.evaluate(() => window.lacuna.completionRowKeys('availability'));
    await browser.page.mouse.click(60, 12);
    await browser.page.mouse.move(60, rowY(0));
    expect((await tooltip()).split('\n')[0]).toBe(byTotal[0]);
    const lowest = data.rows
      .map((r) => {
        const values = r.percent.filter((p): p is number => p !== null);
        return { channel: r.channel, total: values.reduce((a, b) => a + b, 0) / values.length };
      })
      .reduce((a, b) => (a.total <= b.total ? a : b));
    expect(byTotal[0]).toBe(lowest.channel);
  });

  it('colours on a gradient between the chosen percents', async () => {
    await render('dark', { colorMode: 'gradient', gradientMin: 80, gradientMax: 100 });
    await screenshot('completion-dark-gradient');
    const [red, green] = await Promise.all(['red', 'green'].map((name) => browser.page.evaluate(([t, n]) => window.lacuna.themeColor(t as 'dark', n), ['dark', name])));
    expect(await pixel(cellX(3), rowY(1))).toBe(green);
    const low = await pixel(cellX(PLANTED_DAYS.low.day), rowY(1));
    expect([red, green]).not.toContain(low);
  });

  it('collapses a station and scrolls to the last channel', async () => {
    await render('dark');
    await browser.page.mouse.click(20, rowY(0));
    const keysAfter = await browser.page.evaluate(() => window.lacuna.completionRowKeys());
    expect(keysAfter[0]).toBe('AA.PLANT');
    // The planted channel's day with nothing expected no longer shows in row 1.
    const notExpected = (await palette('dark')).states[ColorKey.NotExpected];
    const rowOneDayZero = await pixel(cellX(0), rowY(1));
    expect(rowOneDayZero).not.toBe(notExpected);

    await render('dark', { groupByStation: false });
    const scrollTop = await browser.page.evaluate(() => window.lacuna.scrollTo(1e9));
    const keys = await browser.page.evaluate(() => window.lacuna.completionRowKeys());
    const last = data.rows.find((r) => r.channel === keys[keys.length - 1])!;
    const y = 24 + (keys.length - 1) * 16 - scrollTop + 7;
    const colorOf = async (p: number | null) => (p === null ? notExpected : browser.page.evaluate(([t, n]) => window.lacuna.themeColor(t as 'dark', n), ['dark', p >= 99 ? 'green' : p >= 90 ? 'orange' : 'red']));
    for (const day of [0, 7, 14, 20]) expect(await pixel(cellX(day), y)).toBe(await colorOf(last.percent[day]));
    await screenshot('completion-scrolled-to-end');
  });
});
