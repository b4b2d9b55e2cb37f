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
import { colorKeyOf } from '../src/panels/timeline/layout';
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
    // The neighbours: complete, and a mixed day 42.5 % present: time missing in it shows as missing.
    expect(await pixel(xOf(WINDOW_START_US + MICROS_PER_DAY), rowMiddle(2))).toBe(colors[ColorKey.Present]);
    expect(await pixel(xOf(PLANTED.mixed.start + MICROS_PER_DAY / 2), rowMiddle(4))).toBe(colors[ColorKey.Missing]);
  });

  it('marks an overlap narrower than a pixel above the bar, draws time not yet arrived neutral, and lists both in the legend', async () => {
    await render('light');
    await screenshot('timeline-overlap-pending-light');
    const colors = (await palette('light')).states;
    const barTop = rowMiddle(2) - rowHeight / 2 + 2;
    const x = Math.floor(xOf(PLANTED.overlap.start)) + 0.5;
    expect(await pixel(x, barTop + 2)).toBe(colors[ColorKey.Overlap]);
    expect(await pixel(x + 12, barTop + 2)).toBe(colors[ColorKey.Present]);
    expect(await pixel(xOf(data.to - (PLANTED.notYetArrivedDays * MICROS_PER_DAY) / 2), rowMiddle(2))).toBe(colors[ColorKey.Pending]);
    expect(colors[ColorKey.Pending]).not.toBe(colors[ColorKey.NotExpected]);
    const legend = await browser.page.getByTestId('lacuna-legend').textContent();
    expect(legend).toContain('Overlap');
    expect(legend).toContain('Not yet arrived');
    // Hovering the tail says what it is.
    await browser.page.mouse.move(xOf(data.to - (PLANTED.notYetArrivedDays * MICROS_PER_DAY) / 2), rowMiddle(2));
    expect(await tooltip()).toContain('Not yet arrived');
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
      const key = colorKeyOf(state, Number(span.end) - Number(span.start), { enabled: false, shortUs: 0, longUs: 0 }, span.percent ?? NaN);
      expect(await pixel((x0 + x1) / 2, y)).toBe(colors[key]);
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

describe.skipIf(!available)('the panels as Grafana hosts them', () => {
  const shape: TimelineShape = { channels: 600, days: 21, spansPerRow: 120, planted: true };
  const data = syntheticTimeline(shape);
  const plot = { left: 240, right: 1200 - 76 };
  const axis = 24;
  const xOf = (us: number) => plot.left + ((us - data.from) / (data.to - data.from)) * (plot.right - plot.left);
  const rowMiddle = (index: number) => axis + index * 20 + 10;

  async function render(options: Record<string, unknown> = {}, more: Record<string, unknown> = {}, width = 1200) {
    await browser.page.evaluate((request) => window.lacuna.renderTimeline(request), { shape, theme: 'dark' as const, width, height: 700, options, ...more });
  }

  it('shows a failed query’s error in the panel body, not “No channels”', async () => {
    await browser.page.evaluate((request) => window.lacuna.renderTimeline(request), {
      shape: { channels: 0, days: 1, spansPerRow: 1 },
      theme: 'dark' as const,
      width: 800,
      height: 400,
      error: 'A: 401: a valid bearer token is required',
    });
    const body = await browser.page.getByTestId('lacuna-timeline').textContent();
    expect(body).toContain('The query failed');
    expect(body).toContain('401: a valid bearer token is required');
    expect(body).not.toContain('No channels');
    await screenshot('timeline-error');
    // With rows, the error shows above them.
    await render({}, { error: 'B: 400: parameter minGap: expected seconds' });
    expect(await browser.page.getByRole('alert').textContent()).toBe('B: 400: parameter minGap: expected seconds');
  });

  it('names the canvas and summarises it in text', async () => {
    await render();
    const canvas = browser.page.getByRole('img', { name: 'Availability timeline of 603 channels' });
    expect(await canvas.count()).toBe(1);
    const summary = await browser.page.getByTestId('lacuna-timeline-summary').textContent();
    const lowest = data.rows.reduce((a, b) => ((a.percent ?? Infinity) <= (b.percent ?? Infinity) ? a : b));
    expect(summary).toContain('603 channels from 2024-03-01 00:00 to 2024-03-22 00:00 (UTC).');
    expect(summary).toContain(`Lowest availability: ${lowest.channel} ${formatPercent(lowest.percent)}`);
  });

  it('ticks at the dashboard zone’s midnights and names the zone on the axis', async () => {
    const colors = await palette('dark');
    await render({}, { timeZone: 'Europe/Berlin' });
    await screenshot('timeline-berlin');
    // Tick marks hang from the axis's bottom edge; Berlin's midnight in March is 23:00 UTC.
    const tickY = axis - 3;
    const berlinMidnight = WINDOW_START_US + 7 * MICROS_PER_DAY - 3_600_000_000;
    expect(await pixel(Math.round(xOf(berlinMidnight)) + 0.5, tickY)).not.toBe(colors.background.toLowerCase());
    expect(await pixel(Math.round(xOf(WINDOW_START_US + 7 * MICROS_PER_DAY)) + 0.5, tickY)).toBe(colors.background.toLowerCase());
    const labels = await browser.page.evaluate(() => window.lacuna.timelineAxisLabels(21, 1200, 'Europe/Berlin'));
    expect(labels.map((l) => l.text)).toContain('Europe/Berlin (UTC+1)');
  });

  it('never lets axis labels overlap, as Chromium measures them (12-hour labels on 7 days did)', async () => {
    for (const [days, width] of [
      [7, 1200],
      [7, 600],
      [7, 2400],
      [0.25, 500],
      [21, 900],
      [400, 700],
      [3650, 1600],
    ]) {
      const labels = await browser.page.evaluate(([d, w]) => window.lacuna.timelineAxisLabels(d, w, 'UTC'), [days, width]);
      const sorted = [...labels].sort((a, b) => a.x0 - b.x0);
      expect(sorted.length).toBeGreaterThan(1);
      for (let i = 1; i < sorted.length; i++) expect(sorted[i].x0, `${days} days at ${width} px: ${sorted[i - 1].text} / ${sorted[i].text}`).toBeGreaterThan(sorted[i - 1].x1);
    }
  });

  it('hides row labels at row height 8 instead of smearing them, and keeps them at 20', async () => {
    const colors = await palette('dark');
    await render({ rowHeight: 8, groupByStation: false });
    await screenshot('timeline-row-height-8');
    const background = colors.background.toLowerCase();
    for (let x = 4; x < 200; x += 3) expect(await pixel(x, axis + 2 * 8 + 4)).toBe(background);
    await render({ groupByStation: false });
    const label: string[] = [];
    for (let x = 4; x < 120; x += 1) label.push(await pixel(x, rowMiddle(2)));
    expect(label.some((c) => c !== background)).toBe(true);
  });

  it('keeps the network and station headers of the rows in view pinned under the axis', async () => {
    const colors = await palette('dark');
    await render();
    const scrollTop = await browser.page.evaluate(() => window.lacuna.scrollTo(20 * 40 + 7));
    expect(scrollTop).toBe(807);
    await screenshot('timeline-pinned-headers');
    // Both pinned rows are header rows (the group background), with header text in them.
    for (const slot of [0, 1]) expect(await pixel(plot.left + 50, axis + slot * 20 + 10)).toBe(colors.groupBackground.toLowerCase());
    const keys = await browser.page.evaluate(() => window.lacuna.timelineRowKeys());
    const firstInView = keys[Math.floor(scrollTop / 20)];
    await browser.page.mouse.move(60, axis + 10);
    expect((await tooltip()).split('\n')[0]).toBe(`${firstInView.split('.')[0]}: ${keys.filter((k) => k.startsWith(`${firstInView.split('.')[0]}.`) && k.split('.').length === 4).length} channels`);
    await browser.page.mouse.move(60, axis + 30);
    expect((await tooltip()).split('\n')[0]).toMatch(new RegExp(`^${firstInView.split('.').slice(0, 2).join('\\.')}: \\d+ channels?$`));
  });

  it('wraps the legend in a half-width panel instead of clipping it', async () => {
    await render({}, {}, 420);
    await screenshot('timeline-half-width');
    const legend = (await browser.page.getByTestId('lacuna-legend').boundingBox())!;
    const entries = await browser.page.getByTestId('lacuna-legend').locator(':scope > span').all();
    // One entry per state drawn (the legend lists only the states in view).
    const drawn = new Set(data.rows.flatMap((row) => row.spans.map((span) => colorKeyOf(SPAN_STATE_NAMES.indexOf(span.state as (typeof SPAN_STATE_NAMES)[number]), Number(span.end) - Number(span.start), { enabled: false, shortUs: 0, longUs: 0 }, span.percent ?? NaN))));
    expect(entries.length).toBe(drawn.size);
    expect(entries.length).toBeGreaterThan(4);
    for (const entry of entries) {
      const box = (await entry.boundingBox())!;
      expect(box.x + box.width).toBeLessThanOrEqual(420);
      expect(box.y + box.height).toBeLessThanOrEqual(legend.y + legend.height + 0.5);
    }
    expect(legend.height).toBeGreaterThan(30);
    // The canvas ends where the legend begins.
    const canvas = (await browser.page.getByRole('img').boundingBox())!;
    expect(canvas.y + canvas.height).toBeLessThanOrEqual(legend.y + 0.5);
    // A tooltip wider than the room beside the pointer stays inside the panel.
    for (const x of [150, 300, 400]) {
      await browser.page.mouse.move(x, rowMiddle(3));
      const tip = (await browser.page.getByTestId('lacuna-tooltip').boundingBox())!;
      expect(tip.x).toBeGreaterThanOrEqual(0);
      expect(tip.x + tip.width).toBeLessThanOrEqual(420);
    }
  });

  it('shares the crosshair: tells other panels the time under the pointer, and draws theirs', async () => {
    const colors = await palette('dark');
    await render();
    const at = WINDOW_START_US + 10 * MICROS_PER_DAY;
    await browser.page.mouse.move(xOf(at), rowMiddle(6));
    const events = await browser.page.evaluate(() => window.lacuna.hoverEvents);
    const pixelMs = (data.to - data.from) / MICROS_PER_MS / (plot.right - plot.left);
    expect(Math.abs(events[events.length - 1]! - at / MICROS_PER_MS)).toBeLessThan(pixelMs);
    await browser.page.mouse.move(5, 780);
    expect((await browser.page.evaluate(() => window.lacuna.hoverEvents)).at(-1)).toBeNull();

    // Another panel's pointer at day 3 (a present stretch of the planted row): a line in the text colour.
    const elsewhere = WINDOW_START_US + 3 * MICROS_PER_DAY;
    const x = Math.round(xOf(elsewhere)) + 0.5;
    expect(await pixel(x, rowMiddle(3))).toBe(colors.states[ColorKey.Present]);
    await browser.page.evaluate((t) => window.lacuna.hoverElsewhere(t), elsewhere / MICROS_PER_MS);
    const [r, g, b] = colors.text.match(/\d+/g)!.map(Number);
    expect(await pixel(x, rowMiddle(3))).toBe(`#${[r, g, b].map((v) => v.toString(16).padStart(2, '0')).join('')}`);
    await screenshot('timeline-crosshair');
    await browser.page.evaluate(() => window.lacuna.hoverElsewhere(null));
    expect(await pixel(x, rowMiddle(3))).toBe(colors.states[ColorKey.Present]);
  });
});

describe.skipIf(!available)('a panel beside a classic scrollbar', () => {
  let withScrollbars: HarnessBrowser;
  beforeAll(async () => {
    withScrollbars = await openHarness(await buildHarness(), { width: 1280, height: 800 }, { classicScrollbars: true });
  });
  afterAll(async () => {
    await withScrollbars?.close();
  });

  it('draws the % column inside the scroller, not under its scrollbar', async () => {
    const shape: TimelineShape = { channels: 600, days: 21, spansPerRow: 40 };
    await withScrollbars.page.evaluate((request) => window.lacuna.renderTimeline(request), { shape, theme: 'dark' as const, width: 1200, height: 700 });
    const scroller = await withScrollbars.page.getByTestId('lacuna-timeline-scroller').evaluate((el) => ({ client: el.clientWidth, offset: (el as HTMLElement).offsetWidth }));
    // A classic scrollbar takes room...
    expect(scroller.offset - scroller.client).toBeGreaterThan(0);
    // ...and the canvas, its % column right-aligned to its edge, takes the rest.
    const canvas = (await withScrollbars.page.getByRole('img').boundingBox())!;
    expect(canvas.width).toBe(scroller.client);
    await withScrollbars.page.screenshot({ path: path.join(OUTPUT_DIR, 'timeline-classic-scrollbar.png') });
    expect(withScrollbars.errors).toEqual([]);
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

  it('shares the crosshair: tells other panels the day under the pointer, and outlines the day of theirs', async () => {
    await render('dark');
    await browser.page.mouse.move(cellX(6), rowY(3));
    const events = await browser.page.evaluate(() => window.lacuna.hoverEvents);
    // The middle of day 6 of the window.
    expect(events.at(-1)).toBe((WINDOW_START_US + 6.5 * MICROS_PER_DAY) / MICROS_PER_MS);
    await browser.page.mouse.move(5, 790);

    const [r, g, b] = (await palette('dark')).text.match(/\d+/g)!.map(Number);
    const text = `#${[r, g, b].map((v) => v.toString(16).padStart(2, '0')).join('')}`;
    const outlineX = edge(9) + 0.5;
    expect(await pixel(outlineX, rowY(10))).not.toBe(text);
    await browser.page.evaluate((t) => window.lacuna.hoverElsewhere(t), (WINDOW_START_US + 9.25 * MICROS_PER_DAY) / MICROS_PER_MS);
    expect(await pixel(outlineX, rowY(10))).toBe(text);
    await screenshot('completion-crosshair');
    await browser.page.evaluate(() => window.lacuna.hoverElsewhere(null));
    expect(await pixel(outlineX, rowY(10))).not.toBe(text);
  });

  it('keeps the station of the channels in view pinned under the axis', async () => {
    await render('dark');
    const colors = await palette('dark');
    // Stations of 3 channels: 4 rows each after the planted station's 2; 5 px into a station's second channel.
    const scrollTop = await browser.page.evaluate(() => window.lacuna.scrollTo((2 + 4 * 10 + 2) * 16 + 5));
    const keys = await browser.page.evaluate(() => window.lacuna.completionRowKeys());
    const station = keys[2 + 4 * 10];
    expect(station.split('.')).toHaveLength(2);
    expect(await pixel(200, 24 + 8)).toBe(colors.groupBackground.toLowerCase());
    await browser.page.mouse.move(60, 24 + 8);
    expect((await tooltip()).split('\n')[0]).toBe(`${station}: 3 channels, click to collapse`);
    await screenshot('completion-pinned-header');
    expect(scrollTop).toBe((2 + 4 * 10 + 2) * 16 + 5);
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

  it('opens the tooltip of the last day (today) before the pointer at its full width, not squeezed into the room after it', async () => {
    await render('dark');
    await browser.page.mouse.move(cellX(0), rowY(1));
    const first = (await browser.page.getByTestId('lacuna-tooltip').boundingBox())!;
    const last = cellX(shape.days - 1);
    await browser.page.mouse.move(last, rowY(1));
    const tip = (await browser.page.getByTestId('lacuna-tooltip').boundingBox())!;
    await screenshot('completion-tooltip-last-day');
    // Its widest line is the day's times, as at the first day: as wide (it was a column a fifth as wide).
    expect(Math.abs(tip.width - first.width)).toBeLessThan(12);
    expect(tip.x + tip.width).toBeLessThanOrEqual(last);
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
