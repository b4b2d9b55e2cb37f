import { describe, expect, it } from 'vitest';
import { calendarTicks, zoneCaption, type AxisRequest } from './axis';
import { MICROS_PER_DAY, MICROS_PER_HOUR } from './time';

const MARCH_1 = Date.UTC(2024, 2, 1) * 1000;
// About the width of 11 px Inter digits: 6.5 px a character.
const measure = (text: string) => text.length * 6.5;

function request(fromUs: number, toUs: number, width: number, more: Partial<AxisRequest> = {}): AxisRequest {
  return { fromUs, toUs, left: 0, right: width, xOf: (us) => ((us - fromUs) / (toUs - fromUs)) * width, zone: 'UTC', measure, ...more };
}

function labelled(ticks: ReturnType<typeof calendarTicks>) {
  return ticks.filter((t) => t.label !== null);
}

function expectNoOverlap(ticks: ReturnType<typeof calendarTicks>) {
  const boxes = labelled(ticks).map((t) => [t.x - measure(t.label!) / 2, t.x + measure(t.label!) / 2]);
  for (let i = 1; i < boxes.length; i++) expect(boxes[i][0]).toBeGreaterThan(boxes[i - 1][1]);
}

describe('calendarTicks', () => {
  it('never overlaps labels: 7 days in 700 px take days, not the 12-hour labels that collided', () => {
    const ticks = calendarTicks(request(MARCH_1, MARCH_1 + 7 * MICROS_PER_DAY, 700));
    // The first and last midnights sit on the plot's edges, where their labels would stick out.
    expect(labelled(ticks).map((t) => t.label)).toEqual(['2024-03-02', '2024-03-03', '2024-03-04', '2024-03-05', '2024-03-06', '2024-03-07']);
    expect(ticks.every((t) => (t.us - MARCH_1) % MICROS_PER_DAY === 0)).toBe(true);
    expectNoOverlap(ticks);
    // Wide enough, the same week gets 12-hour ticks, still apart.
    const wide = calendarTicks(request(MARCH_1, MARCH_1 + 7 * MICROS_PER_DAY, 2000));
    expect(wide.some((t) => t.label === '12:00')).toBe(true);
    expectNoOverlap(wide);
  });

  it('keeps labels apart at any width and range', () => {
    for (const days of [0.01, 0.5, 3, 7, 21, 90, 400, 3650, 36500]) {
      for (const width of [120, 333, 700, 1600]) expectNoOverlap(calendarTicks(request(MARCH_1, MARCH_1 + days * MICROS_PER_DAY, width)));
    }
  });

  it('puts ticks on month and year starts for long ranges', () => {
    const year = calendarTicks(request(MARCH_1, MARCH_1 + 365 * MICROS_PER_DAY, 800));
    expect(labelled(year)[0].label).toBe('2024-04');
    for (const tick of year) expect(new Date(tick.us / 1000).getUTCDate()).toBe(1);
    const decades = calendarTicks(request(MARCH_1, MARCH_1 + 40 * 365 * MICROS_PER_DAY, 800));
    for (const tick of labelled(decades)) expect(tick.label).toMatch(/^\d{4}$/);
  });

  it('labels days of the year on request', () => {
    const ticks = labelled(calendarTicks(request(MARCH_1, MARCH_1 + 60 * MICROS_PER_DAY, 800, { dayOfYear: true, minStepUs: MICROS_PER_DAY })));
    // 2024-03-01 is day 61 of a leap year.
    expect(ticks[0].label).toMatch(/^2024\.0[6-9]\d$/);
    // 13 px a day: every fifth day fits its label.
    expect(ticks.map((t) => Number(t.label!.slice(5)))).toEqual([65, 70, 75, 80, 85, 90, 95, 100, 105, 110, 115]);
  });

  it('never ticks finer than the grid bucket', () => {
    const ticks = calendarTicks(request(MARCH_1, MARCH_1 + 3 * MICROS_PER_DAY, 3000, { minStepUs: MICROS_PER_DAY }));
    expect(ticks.map((t) => t.label)).toEqual([null, '2024-03-02', '2024-03-03', null]);
    expect(ticks.every((t) => (t.us - MARCH_1) % MICROS_PER_DAY === 0)).toBe(true);
  });

  it('ticks at the dashboard zone’s midnights and says so', () => {
    const ticks = calendarTicks(request(MARCH_1, MARCH_1 + 5 * MICROS_PER_DAY, 700, { zone: 'Europe/Berlin' }));
    // Midnight in Berlin in March (UTC+1) is 23:00 UTC.
    for (const tick of ticks) expect(new Date(tick.us / 1000).getUTCHours()).toBe(23);
    expect(zoneCaption('Europe/Berlin', MARCH_1)).toBe('Europe/Berlin (UTC+1)');
    expect(zoneCaption('America/St_Johns', MARCH_1)).toBe('America/St_Johns (UTC−3:30)');
    expect(zoneCaption('UTC', MARCH_1)).toBe('UTC');
  });

  it('follows daylight saving time: local hours stay round across the switch', () => {
    // Europe/Berlin springs forward on 2024-03-31 at 02:00.
    const from = Date.UTC(2024, 2, 30, 12) * 1000;
    const ticks = calendarTicks(request(from, from + 2 * MICROS_PER_DAY, 2400, { zone: 'Europe/Berlin' }));
    const labels = labelled(ticks).map((t) => t.label);
    expect(labels).toContain('2024-03-31');
    expect(labels).toContain('03:00');
    expect(labels).not.toContain('02:00');
    for (const tick of ticks) expect((tick.us % MICROS_PER_HOUR) / 1000).toBe(0);
  });

  it('leaves labels out of a reserved stretch and off the plot edges', () => {
    const ticks = calendarTicks(request(MARCH_1, MARCH_1 + 10 * MICROS_PER_DAY, 1000, { reserved: [[0, 150]] }));
    for (const tick of labelled(ticks)) expect(tick.x - measure(tick.label!) / 2).toBeGreaterThanOrEqual(150);
    expect(ticks.some((t) => t.x < 150 && t.label === null)).toBe(true);
  });
});
