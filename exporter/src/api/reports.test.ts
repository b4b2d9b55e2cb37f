import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { floorToDay, floorToHour, formatTime, MAX_REPORT_SEGMENTS, MICROS_PER_DAY, MICROS_PER_HOUR, parseChannelPatterns, parseToleranceRule, readFileReport, readReport, ReportTooLargeError } from '@lacuna/core';
import { exporterFixture, type ExporterFixture } from '../testing/fixture.ts';

describe('/api/v1/reports: the rows of the CLI reports, from the store this process holds', () => {
  let fixture: ExporterFixture;
  let url: string;
  beforeAll(async () => {
    fixture = await exporterFixture({ end: Date.UTC(2024, 4, 10, 12, 0, 0) * 1000 });
    // Its own tolerance must not change the rows a request asks for.
    ({ url } = await fixture.serve({ tolerance: [parseToleranceRule('50')] }));
  });
  afterAll(async () => {
    await fixture.dispose();
  });
  const rows = async (path: string) => {
    const response = await fetch(`${url}/api/v1/reports/${path}`);
    return { status: response.status, body: (await response.json()) as { rows?: unknown[]; error?: string } };
  };

  it('answers what readReport and readFileReport give for the same options', async () => {
    const { channel } = fixture.manifest.gaps[0];
    const served = await rows(`gaps?channel=${channel}&overlaps=true`);
    expect(served.status).toBe(200);
    const direct = await readReport(fixture.store, 'gaps', { patterns: parseChannelPatterns(channel), by: 'day', overlaps: true, keepQuality: false, tolerance: [] });
    expect(direct.length).toBeGreaterThan(0);
    expect(served.body.rows).toEqual(direct);
    expect((await rows('files?errors=false')).body.rows).toEqual(await readFileReport(fixture.store, false));
    // Two whole hours that end an hour before the newest data.
    const hour = floorToHour(fixture.manifest.end) - MICROS_PER_HOUR;
    const twoHours = await rows(`availability?by=hour&channel=XA.ALPHA.00.LHZ&start=${formatTime(hour - 2 * MICROS_PER_HOUR)}&end=${formatTime(hour)}`);
    expect((twoHours.body.rows as { percent: number }[]).map((row) => row.percent)).toEqual([100, 100]);
  });

  it('names the parameter of a bad request, and knows no other report', async () => {
    expect(await rows('gaps?tolerance=wide')).toEqual({ status: 400, body: { error: expect.stringMatching(/^parameter tolerance: bad tolerance "wide"/) } });
    expect(await rows('segments?start=2024-02-01&end=2024-01-01')).toEqual({ status: 400, body: { error: 'parameter end: must be after start' } });
    expect(await rows('files?errors=maybe')).toMatchObject({ status: 400 });
    expect(await rows('availability?verbose=1')).toEqual({ status: 400, body: { error: expect.stringMatching(/^unknown parameter: verbose \(known: .*\bchannel\b.*\)$/) } });
    expect((await rows('stations')).status).toBe(404);
  });

  it('refuses an availability report too large to make, saying how large, and still answers afterwards', async () => {
    // Every channel over 150 years by the hour: millions of rows (350 years ran a server out of memory).
    const days = (Date.UTC(2000, 0, 1) - Date.UTC(1850, 0, 1)) / 86_400_000;
    const refused = await rows('availability?by=hour&start=1850-01-01&end=2000-01-01');
    expect(refused.status).toBe(400);
    const [, count, channels, hours] = /^availability by hour would be ([\d,]+) rows \(([\d,]+) channels × ([\d,]+) hours\), more than the 1,000,000 made at once: ask for a shorter window, by day, or fewer channels$/.exec(refused.body.error ?? '') ?? [];
    const number = (text: string) => Number(text.replaceAll(',', ''));
    expect(number(hours)).toBe(days * 24);
    expect(number(count)).toBe(number(channels) * days * 24);
    const byDay = await rows('availability?by=day&channel=XA.ALPHA.00.LHZ&start=1850-01-01&end=2000-01-01');
    expect(byDay.status).toBe(200);
    expect(byDay.body.rows).toHaveLength(days);
  });

  it('reports a channel silent since the start asked for up to now, and counts no time still to come', async () => {
    const request = { by: 'day' as const, overlaps: false, keepQuality: false, tolerance: [] };
    const newest = fixture.manifest.end;
    const now = floorToDay(newest) + 3 * MICROS_PER_DAY + 6 * MICROS_PER_HOUR;
    const patterns = parseChannelPatterns('XA.ALPHA.00.LHZ');
    // Without --end, a start after the newest data ran the window backwards (a RangeError, 500 from the API).
    const silent = (await readReport(fixture.store, 'availability', { ...request, patterns, start: floorToDay(newest) + MICROS_PER_DAY }, now)) as { bucket: number; percent: number; expected_s: number }[];
    expect(silent.map((row) => [row.bucket, row.percent])).toEqual([
      [floorToDay(newest) + MICROS_PER_DAY, 0],
      [floorToDay(newest) + 2 * MICROS_PER_DAY, 0],
      [floorToDay(newest) + 3 * MICROS_PER_DAY, 0],
    ]);
    // Today counts six hours, the time so far; tomorrow none.
    expect(silent[2].expected_s).toBe(6 * 3600);
    const ahead = (await readReport(fixture.store, 'availability', { ...request, patterns, start: floorToDay(now), end: floorToDay(now) + 2 * MICROS_PER_DAY }, now)) as { expected_s: number }[];
    expect(ahead.map((row) => row.expected_s)).toEqual([6 * 3600]);
    expect(await readReport(fixture.store, 'gaps', { ...request, patterns, start: now + MICROS_PER_DAY }, now)).toEqual([]);
    expect(await readReport(fixture.store, 'segments', { ...request, patterns, end: Date.UTC(1990, 0, 1) * 1000 }, now)).toEqual([]);
  });

  it('refuses a report that would read more stored segments than it may, before reading them', async () => {
    // A test double for a store of millions of segments: the fixture's store, saying it holds one more than a report may read.
    let read = false;
    const huge = Object.create(fixture.store, {
      extent: { value: async () => ({ start: 0, end: 1, segments: MAX_REPORT_SEGMENTS + 1 }) },
      segments: { value: async () => ((read = true), []) },
    }) as typeof fixture.store;
    const request = { patterns: [], by: 'day' as const, overlaps: false, keepQuality: false, tolerance: [] };
    await expect(readReport(huge, 'segments', request)).rejects.toThrow(new ReportTooLargeError('segments would read 2,000,001 stored segments, more than the 2,000,000 read at once: ask for a shorter window or fewer channels'));
    expect(read).toBe(false);
  });
});
