import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { floorToHour, formatTime, MAX_REPORT_SEGMENTS, MICROS_PER_HOUR, parseChannelPatterns, parseToleranceRule, readFileReport, readReport, ReportTooLargeError } from '@lacuna/core';
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
    // Every channel over 350 years by the hour: tens of millions of rows, which ran a server out of memory.
    const refused = await rows('availability?by=hour&start=1900-01-01&end=2250-01-01');
    expect(refused.status).toBe(400);
    expect(refused.body.error).toMatch(/^availability by hour would be [\d,]+ rows \([\d,]+ channels × 3,068,040 hours\), more than the 1,000,000 made at once: ask for a shorter window, by day, or fewer channels$/);
    const byDay = await rows('availability?by=day&channel=XA.ALPHA.00.LHZ&start=1900-01-01&end=2250-01-01');
    expect(byDay.status).toBe(200);
    expect(byDay.body.rows).toHaveLength(127_835);
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
