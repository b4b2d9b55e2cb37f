/**
 * /api/v1 against a store filled by real scans of the demo archive. Expected values come from
 * the demo manifest (what was planted), computed here with plain arithmetic, or — where the
 * contract is "the same numbers as the CLI" — from core availabilityRows on the stored segments.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_EXPECTED_LATENCY_S, MICROS_PER_DAY, MICROS_PER_HOUR, notYetArrivedFrom } from '@lacuna/core';
import { availabilityRows, groupByChannel } from '@lacuna/core';
import type { DemoManifest } from '@lacuna/collector';
import type { FileScan } from '@lacuna/core';
import { exporterFixture, type ExporterFixture } from '../testing/fixture.ts';

const END = Date.UTC(2024, 4, 10, 12, 0, 0) * 1000; // 2024-05-10T12:00:00Z, the demo's "now"
const DAY = MICROS_PER_DAY;

interface Interval {
  start: number;
  end: number;
}

/** What the manifest says a channel covers: first sample to last sample + Δ, minus each planted gap (last sample before + Δ .. first sample after). */
function plantedCoverage(m: DemoManifest, key: string): Interval[] {
  const info = m.channelInfo.find((c) => c.channel === key)!;
  const delta = 1e6 / info.sampleRate;
  const result: Interval[] = [];
  let start = info.firstSample;
  for (const gap of m.gaps.filter((g) => g.channel === key).sort((a, b) => a.start - b.start)) {
    result.push({ start, end: gap.start + delta });
    start = gap.end;
  }
  result.push({ start, end: info.lastSample + delta });
  return result;
}

/** Where the channel's not-yet-arrived time begins at the demo's "now": its last sample + Δ, or warn_s (default 15 minutes) before now if that is later. */
function plantedDue(m: DemoManifest, key: string): number {
  const info = m.channelInfo.find((c) => c.channel === key)!;
  return notYetArrivedFrom(info.lastSample + 1e6 / info.sampleRate, m.end, info.warnS ?? DEFAULT_EXPECTED_LATENCY_S);
}

/** The expected time whose data is due by the demo's "now" (time not yet arrived is neither present nor missing). */
function plantedExpected(m: DemoManifest, key: string): Interval {
  const info = m.channelInfo.find((c) => c.channel === key)!;
  return { start: info.epochStart, end: Math.min(info.epochEnd ?? Number.MAX_SAFE_INTEGER, plantedDue(m, key)) };
}

function overlap(a: Interval, b: Interval): number {
  return Math.max(0, Math.min(a.end, b.end) - Math.max(a.start, b.start));
}

/** |coverage ∩ w ∩ expected| and |w ∩ expected| from the manifest. */
function plantedFigures(m: DemoManifest, key: string, w: Interval): { covered: number; expected: number } {
  const e = plantedExpected(m, key);
  const inside = { start: Math.max(w.start, e.start), end: Math.min(w.end, e.end) };
  if (inside.end <= inside.start) return { covered: 0, expected: 0 };
  const covered = plantedCoverage(m, key).reduce((sum, c) => sum + overlap(c, inside), 0);
  return { covered, expected: inside.end - inside.start };
}

function iso(us: number): string {
  return new Date(us / 1000).toISOString();
}

interface SpanJson {
  start: number;
  end: number;
  state: string;
  percent?: number | null;
  missingSamples?: number;
}

interface TimelineRow {
  channel: string;
  percent: number | null;
  gaps: number;
  maxGapSeconds: number;
  spans: SpanJson[];
}

const span = (start: number, end: number, state: string): SpanJson => ({ start, end, state });
/** A missing span at 1 Hz: its missing samples are its seconds. */
const missing1Hz = (start: number, end: number): SpanJson => ({ start, end, state: 'missing', missingSamples: (end - start) / 1e6 });

describe('/api/v1 on a scanned demo archive', () => {
  let fixture: ExporterFixture;
  let m: DemoManifest;
  let url: string;
  const get = async (path: string): Promise<{ status: number; body: any }> => {
    const response = await fetch(`${url}${path}`);
    return { status: response.status, body: await response.json() };
  };
  const window = () => `from=${iso(m.start)}&to=${iso(m.end)}`;
  const timeline = async (query: string): Promise<Map<string, TimelineRow>> => {
    const { status, body } = await get(`/api/v1/timeline?${query}`);
    expect(status).toBe(200);
    expect(body.apiVersion).toBe(1);
    return new Map((body.rows as TimelineRow[]).map((row) => [row.channel, row]));
  };

  beforeAll(async () => {
    fixture = await exporterFixture({ end: END });
    m = fixture.manifest;
    ({ url } = await fixture.serve({ now: () => m.end }));
  });
  afterAll(async () => {
    await fixture.dispose();
  });

  it('answers ranges up to the last whole day the times reach, and refuses later ones with a 400 (they failed with 500)', async () => {
    for (const endpoint of ['timeline', 'completion', 'gaps', 'stats', 'latency']) {
      expect([endpoint, (await get(`/api/v1/${endpoint}?from=2255-06-03&to=2255-06-04`)).status]).toEqual([endpoint, 200]);
      expect([endpoint, await get(`/api/v1/${endpoint}?from=2255-06-01&to=2255-06-04T00:00:01Z`)]).toEqual([endpoint, { status: 400, body: { error: 'parameter to: at most 2255-06-04T00:00:00.000000Z' } }]);
      expect([endpoint, (await get(`/api/v1/${endpoint}?from=2255-06-01&to=2255-06-05T23:47:34Z`)).status]).toEqual([endpoint, 400]);
    }
    expect((await get('/api/v1/completion?bucket=hour&from=2255-06-01&to=2255-06-04')).status).toBe(200);
  });

  describe('timeline', () => {
    it('shows the dead channel missing over its silent days, with % present from the manifest', async () => {
      const { channel, lastSample, silentDays } = m.deadChannel;
      const rows = await timeline(`channel=${channel}&${window()}&maxPoints=10000`);
      const row = rows.get(channel)!;
      const after = lastSample + 1e6; // 1 Hz: covered until the last sample + Δ
      const due = plantedDue(m, channel); // its warn_s before now: the time after is not yet due
      expect(due).toBe(m.end - m.channelInfo.find((c) => c.channel === channel)!.warnS! * 1e6);
      expect(row.spans).toEqual([span(m.start, after, 'present'), missing1Hz(after, due), span(due, m.end, 'pending')]);
      const silentFrom = Math.floor(m.end / DAY) * DAY - silentDays * DAY;
      expect(after).toBeLessThanOrEqual(silentFrom);
      const { covered, expected } = plantedFigures(m, channel, { start: m.start, end: m.end });
      expect(row.percent).toBeCloseTo((100 * covered) / expected, 9);
      // The outage running to the end of the window is a gap (as MUSTANG counts it), from the last sample.
      expect(row.gaps).toBe(1);
      expect(row.maxGapSeconds).toBe((m.end - lastSample) / 1e6);
      expect(row).toMatchObject({ lastSample, notYetArrivedFrom: due });
    });

    it('sorts the dead channel first by longest gap, and every live channel is one green bar at 1,000 points', async () => {
      // The whole demo archive (`lacuna start` asks for 21 days of a 21-day archive).
      const from = m.start;
      const rows = [...(await timeline(`from=${iso(from)}&to=${iso(m.end)}&maxPoints=1000`)).values()].filter((row) => m.channels.includes(row.channel));
      const byLongestGap = [...rows].sort((a, b) => b.maxGapSeconds - a.maxGapSeconds);
      expect(byLongestGap[0].channel).toBe(m.deadChannel.channel);
      const pixel = (m.end - from) / 1000;
      let bars = 0;
      for (const row of rows) {
        // No mixed span wider than a pixel (the whole-row purple spans of issue 10).
        for (const s of row.spans) if (s.state === 'mixed') expect(s.end - s.start, row.channel).toBeLessThanOrEqual(pixel);
        const planted = m.gaps.some((g) => g.channel === row.channel) || m.overlaps.some((o) => o.channel === row.channel);
        const special = [m.deadChannel.channel, m.lateChannel.channel, m.notExpectedAfter.channel, m.notExpectedBefore.channel].includes(row.channel);
        // A channel whose data starts after the window does (ZC.JULI.00.VHE, a quarter second) has missing time first.
        const startsLater = m.channelInfo.find((c) => c.channel === row.channel)!.firstSample > from;
        if (!planted && !special && !startsLater) {
          bars++;
          // Present up to its newest data, then the minutes not yet arrived: one green bar.
          const states = row.spans.map((s) => s.state).filter((state) => state !== 'not_expected');
          expect(states, row.channel).toEqual(states.length === 1 ? ['present'] : ['present', 'pending']);
          expect(row).toMatchObject({ percent: 100, gaps: 0 });
        }
      }
      expect(bars).toBeGreaterThanOrEqual(10);
    });

    it('draws every planted gap as a missing span at its exact times when maxPoints is wide enough', async () => {
      const rows = await timeline(`channel=ZC.JULI,XA.CHARL,YB.GOLF,XA.BRAVO.00.LHZ&${window()}&maxPoints=10000`);
      const pixel = (m.end - m.start) / 10000;
      const wide = m.gaps.filter((gap) => rows.has(gap.channel));
      expect(wide.length).toBeGreaterThanOrEqual(5);
      for (const gap of wide) {
        const delta = 1e6 / m.channelInfo.find((c) => c.channel === gap.channel)!.sampleRate;
        expect(gap.end - (gap.start + delta)).toBeGreaterThanOrEqual(pixel);
        expect(rows.get(gap.channel)!.spans).toContainEqual({ ...span(gap.start + delta, gap.end, 'missing'), missingSamples: gap.missingSamples });
      }
      const juli = rows.get('ZC.JULI.00.LHZ')!;
      const juliGaps = m.gaps.filter((g) => g.channel === 'ZC.JULI.00.LHZ');
      expect(juli.gaps).toBe(juliGaps.length);
      expect(juli.maxGapSeconds).toBe(Math.max(...juliGaps.map((g) => (g.end - g.start) / 1e6)));
    });

    it('with a small maxPoints gives at most 2 × maxPoints spans per row, mixed spans at most a pixel wide with the right percent', async () => {
      for (const maxPoints of [7, 50, 333]) {
        const rows = await timeline(`channel=XA,YB,ZC&${window()}&maxPoints=${maxPoints}`);
        const pixel = (m.end - m.start) / maxPoints;
        let narrow = 0;
        for (const key of m.channels) {
          const row = rows.get(key)!;
          expect(row.spans.length).toBeLessThanOrEqual(2 * maxPoints);
          expect(row.spans[0].start).toBe(m.start);
          expect(row.spans[row.spans.length - 1].end).toBe(m.end);
          for (const { start, end, state, percent } of row.spans) {
            const { covered, expected } = plantedFigures(m, key, { start, end });
            if (end - start < pixel) narrow++;
            if (state === 'mixed') {
              expect(end - start).toBeLessThanOrEqual(pixel);
              if (expected === 0) expect(percent).toBeNull();
              else expect(percent).toBeCloseTo((100 * covered) / expected, 6);
            } else if (state === 'present' || state === 'overlap') {
              expect([covered, expected]).toEqual([end - start, end - start]);
            } else if (state === 'missing') {
              expect([covered, expected]).toEqual([0, end - start]);
            } else {
              // Not expected, or not yet arrived: neither present nor missing.
              expect(['not_expected', 'pending']).toContain(state);
              expect([covered, expected]).toEqual([0, 0]);
            }
          }
        }
        expect(narrow).toBeGreaterThan(0);
      }
    });

    it('marks time after the epoch end (and before the epoch start) not_expected', async () => {
      const rows = await timeline(`channel=${m.notExpectedAfter.channel},${m.notExpectedBefore.channel}&${window()}&maxPoints=1000`);
      const retired = rows.get(m.notExpectedAfter.channel)!;
      expect(retired.spans[retired.spans.length - 1]).toEqual(span(m.notExpectedAfter.epochEnd, m.end, 'not_expected'));
      expect(retired.percent).toBe(100);
      const installed = rows.get(m.notExpectedBefore.channel)!;
      expect(installed.spans[0]).toEqual(span(m.start, m.notExpectedBefore.epochStart, 'not_expected'));
    });
  });

  describe('completion', () => {
    it('per day equals the CLI availability (core availabilityRows on the stored segments), buckets shared', async () => {
      const { status, body } = await get(`/api/v1/completion?${window()}&bucket=day`);
      expect(status).toBe(200);
      const w = { start: m.start, end: m.end };
      const [channels, segments, epochs] = await Promise.all([
        fixture.store.channels([]),
        fixture.store.segments({ patterns: [], window: w, neighbors: true }),
        fixture.store.epochs([]),
      ]);
      const cli = availabilityRows(groupByChannel(channels, segments, epochs), { window: w, mergeQuality: true, tolerance: [], bucket: 'day' });
      const days = [...new Set(cli.map((row) => row.bucket))].sort((a, b) => a - b);
      expect(body.buckets).toEqual(days);
      expect(body.buckets).toEqual(Array.from({ length: m.days + 1 }, (_, i) => m.start + i * DAY));
      const byChannel = new Map<string, { percent: (number | null)[]; completeness: (number | null)[] }>(body.rows.map((row: any) => [row.channel, row]));
      expect([...byChannel.keys()]).toEqual(channels.map((id) => `${id.network}.${id.station}.${id.location}.${id.channel}`));
      const today = Math.floor(m.end / DAY) * DAY;
      for (const row of cli) {
        // Today holds time not yet arrived, which the CLI counts as missing: the next test checks it against the manifest.
        if (row.bucket === today) continue;
        // Sent with 4 decimals, rounded half up.
        const percent = row.percent === null ? null : Math.floor(row.percent * 1e4 + 0.5) / 1e4;
        expect({ channel: row.channel, day: row.bucket, percent: byChannel.get(row.channel)!.percent[days.indexOf(row.bucket)] }).toEqual({ channel: row.channel, day: row.bucket, percent });
      }
    });

    it('per day matches the manifest, with completeness 0 on the dead channel\'s silent days and null where nothing is expected', async () => {
      const { body } = await get(`/api/v1/completion?channel=${m.deadChannel.channel},${m.notExpectedBefore.channel},ZC.JULI.00.LHZ&${window()}`);
      const rows = new Map<string, { percent: (number | null)[]; completeness: (number | null)[] }>(body.rows.map((row: any) => [row.channel, row]));
      body.buckets.forEach((day: number, i: number) => {
        const w = { start: day, end: Math.min(day + DAY, m.end) };
        for (const key of [m.deadChannel.channel, m.notExpectedBefore.channel, 'ZC.JULI.00.LHZ']) {
          const { covered, expected } = plantedFigures(m, key, w);
          const percent = rows.get(key)!.percent[i];
          if (expected === 0) expect(percent).toBeNull();
          else expect(percent).toBeCloseTo((100 * covered) / expected, 4);
        }
      });
      // Today is not orange for a channel within its latency: its not-yet-arrived time is left out.
      const today = body.buckets.length - 1;
      expect(rows.get('ZC.JULI.00.LHZ')!.percent[today]).toBe(100);
      expect((rows.get('ZC.JULI.00.LHZ') as any).notYetArrivedFrom).toBe(plantedDue(m, 'ZC.JULI.00.LHZ'));
      const dead = rows.get(m.deadChannel.channel)!;
      for (let i = body.buckets.length - m.deadChannel.silentDays - 1; i < body.buckets.length; i++) {
        expect([dead.percent[i], dead.completeness[i]]).toEqual([0, 0]);
      }
      expect(rows.get(m.notExpectedBefore.channel)!.completeness[0]).toBeNull();
      // Regular demo data: a fully covered day holds every expected sample.
      expect(rows.get('ZC.JULI.00.LHZ')!.completeness.filter((c, i) => rows.get('ZC.JULI.00.LHZ')!.percent[i] === 100).every((c) => c === 1)).toBe(true);
    });

    it('marks the days and hours where data overlaps, as planted', async () => {
      const channels = [...new Set(m.overlaps.map((o) => o.channel))];
      expect(channels.length).toBeGreaterThan(0);
      const { body } = await get(`/api/v1/completion?channel=${channels.join(',')}&${window()}`);
      for (const row of body.rows) {
        const planted = m.overlaps.filter((o) => o.channel === row.channel).map((o) => Math.floor((o.end - m.start) / DAY));
        expect(row.overlapBuckets, row.channel).toEqual([...new Set(planted)].sort((a, b) => a - b));
      }
      const [first] = m.overlaps;
      const hour = Math.floor(first.end / MICROS_PER_HOUR) * MICROS_PER_HOUR;
      const hourly = (await get(`/api/v1/completion?channel=${first.channel}&from=${iso(hour - 2 * MICROS_PER_HOUR)}&to=${iso(hour + 2 * MICROS_PER_HOUR)}&bucket=hour`)).body;
      expect(hourly.rows[0].overlapBuckets).toEqual([2]);
    });

    it('per hour equals the CLI availability by hour', async () => {
      const w = { start: m.end - 30 * MICROS_PER_HOUR, end: m.end - 2 * MICROS_PER_HOUR - 1_500_000 };
      const { body } = await get(`/api/v1/completion?channel=XA,YB&from=${iso(w.start)}&to=${iso(w.end)}&bucket=hour`);
      const patterns = [
        { network: 'XA', station: '*', location: '*', channel: '*' },
        { network: 'YB', station: '*', location: '*', channel: '*' },
      ];
      const [channels, segments, epochs] = await Promise.all([
        fixture.store.channels(patterns),
        fixture.store.segments({ patterns, window: w, neighbors: true }),
        fixture.store.epochs(patterns),
      ]);
      const cli = availabilityRows(groupByChannel(channels, segments, epochs), { window: w, mergeQuality: true, tolerance: [], bucket: 'hour' });
      expect(body.buckets).toEqual([...new Set(cli.map((row) => row.bucket))].sort((a, b) => a - b));
      expect(body.buckets.length).toBe(28); // 06:00 on the day before to 09:00
      const byChannel = new Map<string, { percent: (number | null)[] }>(body.rows.map((row: any) => [row.channel, row]));
      for (const row of cli) {
        expect(byChannel.get(row.channel)!.percent[body.buckets.indexOf(row.bucket)]).toBe(row.percent === null ? null : Math.floor(row.percent * 1e4 + 0.5) / 1e4);
      }
    });
  });

  describe('gaps', () => {
    it('lists exactly the planted gaps of the demo channels, with their length', async () => {
      const { status, body } = await get(`/api/v1/gaps?channel=XA,YB,ZC&${window()}`);
      expect(status).toBe(200);
      const planted = m.gaps.map((gap) => ({ channel: gap.channel, start: gap.start, end: gap.end, gapSeconds: (gap.end - gap.start) / 1e6, missingSamples: gap.missingSamples }));
      expect(body.gaps.map(({ channel, start, end, gapSeconds, missingSamples }: any) => ({ channel, start, end, gapSeconds, missingSamples }))).toEqual(planted);
      // The backfilled gap is filled.
      expect(body.gaps.some((gap: any) => gap.channel === m.backfill.channel)).toBe(false);
    });

    it('keeps only gaps at least minGap long', async () => {
      const { body } = await get(`/api/v1/gaps?channel=ZC.JULI.00.LHZ&${window()}&minGap=1h`);
      const planted = m.gaps.filter((gap) => gap.channel === 'ZC.JULI.00.LHZ' && gap.end - gap.start >= 3600e6);
      expect(planted.length).toBeGreaterThan(0);
      expect(body.gaps.map((gap: any) => [gap.start, gap.end])).toEqual(planted.map((gap) => [gap.start, gap.end]));
    });
  });

  describe('stats', () => {
    it('gives availability, gaps, overlaps, latency and state per channel', async () => {
      const { status, body } = await get(`/api/v1/stats?channel=XA.BRAVO.00.LHE,${m.lateChannel.channel},ZC.JULI.00.LHZ&${window()}`);
      expect(status).toBe(200);
      expect(body.now).toBe(m.end);
      const rows = new Map<string, any>(body.rows.map((row: any) => [row.channel, row]));
      for (const [key, row] of rows) {
        const { covered, expected } = plantedFigures(m, key, { start: m.start, end: m.end });
        expect(row.percent).toBeCloseTo((100 * covered) / expected, 9);
        expect(row.expectedSeconds).toBe(expected / 1e6);
      }
      expect(rows.get('XA.BRAVO.00.LHE').overlaps).toBe(m.overlaps.filter((o) => o.channel === 'XA.BRAVO.00.LHE').length);
      const late = rows.get(m.lateChannel.channel);
      const info = m.channelInfo.find((c) => c.channel === m.lateChannel.channel)!;
      expect(late.lastSample).toBe(m.lateChannel.lastSample);
      expect(late.latency.total).toBeCloseTo(m.lateChannel.latencyS, 6);
      expect(late.latency.data).toBeCloseTo((info.lastSampleFileMtime - m.lateChannel.lastSample) / 1e6, 6);
      expect(late.state).toBe('FAILED'); // about 2 h late, fail interval 1 h
      const juli = rows.get('ZC.JULI.00.LHZ');
      expect(juli.state).toBe('NOT_TRACKED');
      expect(juli.gaps).toBe(m.gaps.filter((g) => g.channel === 'ZC.JULI.00.LHZ').length);
      expect(juli.arrivals).toBeGreaterThan(0);
    });
  });

  describe('latency', () => {
    it('puts each arrival at its first-seen time with its data latency (first seen − last sample)', async () => {
      const info = m.channelInfo.find((c) => c.channel === m.lateChannel.channel)!;
      const from = info.lastSampleFileMtime - 3600e6;
      const { status, body } = await get(`/api/v1/latency?channel=${m.lateChannel.channel}&from=${iso(from)}&to=${iso(m.end)}&step=60`);
      expect(status).toBe(200);
      expect(body.step).toBe(60e6);
      const [series] = body.series;
      const i = series.t.indexOf(from + Math.floor((info.lastSampleFileMtime - from) / 60e6) * 60e6);
      expect(i).toBeGreaterThanOrEqual(0);
      expect(series.max[i]).toBe((info.lastSampleFileMtime - m.lateChannel.lastSample) / 1e6);
      expect(series.arrivals[i]).toBe(1);
    });

    it('shows the backfill arriving long after its data', async () => {
      const { backfill } = m;
      const { body } = await get(`/api/v1/latency?channel=${backfill.channel}&${window()}&step=1h`);
      const [series] = body.series;
      const i = series.t.indexOf(m.start + Math.floor((backfill.backfilledAt - m.start) / 3600e6) * 3600e6);
      // The rewritten day file arrived whole at backfilledAt; its last sample is near the following midnight.
      const midnight = Math.floor(backfill.end / DAY) * DAY + DAY;
      expect(series.max[i]).toBeGreaterThanOrEqual((backfill.backfilledAt - midnight - 1100e6) / 1e6);
      expect(series.max[i]).toBeLessThanOrEqual((backfill.backfilledAt - midnight + 1e6) / 1e6);
    });
  });

  describe('stations', () => {
    it('gives coordinates, the worst state and the availability of each station', async () => {
      const { status, body } = await get(`/api/v1/stations?channel=YB,ZC.JULI&window=1d`);
      expect(status).toBe(200);
      const stations = new Map<string, any>(body.stations.map((s: any) => [`${s.network}.${s.station}`, s]));
      expect([...stations.keys()]).toEqual(['YB.ECHO', 'YB.FOXT', 'YB.GOLF', 'ZC.JULI']);
      expect(stations.get('YB.FOXT')).toMatchObject({ latitude: 65.6835, longitude: -18.0878, state: 'FAILED', channels: 3 });
      expect(stations.get('ZC.JULI').state).toBe('NOT_TRACKED');
      const day = { start: m.end - DAY, end: m.end };
      for (const [name, station] of stations) {
        const keys = m.channels.filter((key) => key.startsWith(`${name}.`));
        const sums = keys.map((key) => plantedFigures(m, key, day)).reduce((a, b) => ({ covered: a.covered + b.covered, expected: a.expected + b.expected }));
        expect(station.percent).toBeCloseTo((100 * sums.covered) / sums.expected, 9);
      }
    });
  });

  describe('data written without refreshing the rollups (runs last: it adds a channel)', () => {
    it('still shows the channel on the timeline, with its neighbours found', async () => {
      // 1 Hz, two runs an hour apart inside the window and one run a week before it.
      const run = (start: number, samples: number) => ({
        network: 'QQ', station: 'LIVE', location: '', channel: 'HHZ', quality: 'D', sample_rate: 1,
        start_time: start, end_time: start + (samples - 1) * 1e6, samples, tolerance_us: 500_000, source: 'seedlink:test', scan_id: 1, first_seen: start + samples * 1e6,
      });
      const t0 = m.end - 6 * MICROS_PER_HOUR;
      await fixture.store.client.insert({ table: 'segments', values: [run(t0 - 7 * DAY, 3600), run(t0, 3600), run(t0 + 2 * MICROS_PER_HOUR, 3600)], format: 'JSONEachRow' });
      const rows = await timeline(`channel=QQ&from=${iso(t0 - MICROS_PER_HOUR)}&to=${iso(t0 + 4 * MICROS_PER_HOUR)}&maxPoints=100`);
      const row = rows.get('QQ.LIVE..HHZ')!;
      expect(row.spans).toEqual([
        missing1Hz(t0 - MICROS_PER_HOUR, t0),
        span(t0, t0 + MICROS_PER_HOUR, 'present'),
        missing1Hz(t0 + MICROS_PER_HOUR, t0 + 2 * MICROS_PER_HOUR),
        span(t0 + 2 * MICROS_PER_HOUR, t0 + 3 * MICROS_PER_HOUR, 'present'),
        missing1Hz(t0 + 3 * MICROS_PER_HOUR, t0 + 4 * MICROS_PER_HOUR),
      ]);
      // The gap from the run a week before reaches into the window: it counts (as the CLI counts
      // it), and so does the outage after the newest data, to the window's end (as MUSTANG counts it).
      expect(row.gaps).toBe(3);
      expect(row.percent).toBe(40);
    });

    it('answers completion again from its cache, and afresh once a scan changed the rollups', async () => {
      const key = 'QQ.ROLL..LHZ';
      const day = Math.floor(m.end / DAY) * DAY - 2 * DAY;
      const scan = (path: string, start: number, samples: number): FileScan => ({
        state: { path, size: 1, mtime: m.end, status: 'ok', error: '', errorOffset: null, records: 1, format: 2 },
        segments: [{ network: 'QQ', station: 'ROLL', location: '', channel: 'LHZ', quality: 'D', sampleRate: 1, start, end: start + (samples - 1) * 1e6, samples, toleranceUs: 500_000 }],
      });
      await fixture.store.storeFileScans([scan('/qq/1', day, 43_200)], 1);
      const path = `/api/v1/completion?channel=QQ.ROLL&from=${iso(day)}&to=${iso(day + DAY)}`;
      const first = (await get(path)).body;
      expect(first.rows).toEqual([{ channel: key, percent: [50], completeness: [0.5], overlapBuckets: [], notYetArrivedFrom: null }]);
      expect((await get(path)).body).toEqual(first);
      await fixture.store.storeFileScans([scan('/qq/2', day + DAY / 2, 21_600)], 2);
      expect((await get(path)).body.rows).toEqual([{ channel: key, percent: [75], completeness: [0.75], overlapBuckets: [], notYetArrivedFrom: null }]);
    });
  });

  describe('answers shared between requests (runs after the channels above were added)', () => {
    it('computes at most once for ten identical requests while nothing changed, reads only the segments for another window, and answers afresh after a write', async () => {
      // The store as the exporter sees it, counting the queries that read data.
      let reads = 0;
      const client = new Proxy(fixture.store.client, {
        get(target, property) {
          const member = Reflect.get(target, property, target);
          if (property !== 'query') return typeof member === 'function' ? member.bind(target) : member;
          return (params: { query: string }) => {
            if (!params.query.includes('system.parts')) reads += 1;
            return target.query(params as never);
          };
        },
      });
      const store = Object.create(fixture.store, { client: { value: client } }) as typeof fixture.store;
      const shared = await fixture.serve({ now: () => m.end, store });
      const afresh = await fixture.serve({ now: () => m.end, store, cache: false });
      const path = `/api/v1/timeline?channel=QQ&from=${iso(m.end - DAY)}&to=${iso(m.end)}&maxPoints=200`;
      const ask = (url: string, times: number) => Promise.all(Array.from({ length: times }, () => fetch(`${url}${path}`).then((response) => response.text())));
      // Background merges change the store's parts (and so its version) at any time: none meanwhile.
      await fixture.store.client.command({ query: 'SYSTEM STOP MERGES' });
      try {
        await ask(shared.url, 1); // an exporter's first request builds missing rollups: a write
        let before = reads;
        const [computed] = await ask(afresh.url, 1);
        const readsOfOne = reads - before;
        expect(readsOfOne).toBeGreaterThan(0);
        before = reads;
        const answers = [...(await ask(shared.url, 5)), ...(await ask(shared.url, 5))];
        expect(new Set(answers)).toEqual(new Set([computed]));
        expect(reads - before).toBeLessThanOrEqual(readsOfOne);
        // Another window of the same channels: only its segments are read again, and the answer is the one computed afresh.
        const other = `/api/v1/timeline?channel=QQ&from=${iso(m.end - 2 * DAY)}&to=${iso(m.end - DAY)}&maxPoints=200`;
        before = reads;
        const [otherShared] = await Promise.all([fetch(`${shared.url}${other}`).then((response) => response.text())]);
        expect(reads - before).toBeLessThan(readsOfOne);
        expect(otherShared).toBe(await fetch(`${afresh.url}${other}`).then((response) => response.text()));
      } finally {
        await fixture.store.client.command({ query: 'SYSTEM START MERGES' });
      }

      await fixture.store.client.insert({
        table: 'segments',
        values: [{ network: 'QQ', station: 'NEW', location: '', channel: 'HHZ', quality: 'D', sample_rate: 1, start_time: m.end - 3600e6, end_time: m.end - 1e6, samples: 3600, tolerance_us: 500_000, source: 'push:test', scan_id: 3, first_seen: m.end }],
        format: 'JSONEachRow',
      });
      const [after] = await ask(shared.url, 1);
      expect((JSON.parse(after) as { rows: TimelineRow[] }).rows.map((row) => row.channel)).toContain('QQ.NEW..HHZ');
    });
  });

  describe('channels', () => {
    it('lists distinct networks, stations or channels matching a pattern, for template variables', async () => {
      const networks = (await get('/api/v1/channels?level=network')).body.values;
      expect(networks).toEqual(expect.arrayContaining(['XA', 'YB', 'ZC']));
      expect((await get('/api/v1/channels?pattern=XA&level=station')).body.values).toEqual(['XA.ALPHA', 'XA.BRAVO', 'XA.CHARL', 'XA.DELTA']);
      expect((await get('/api/v1/channels?pattern=XA.ALPHA')).body).toEqual({
        apiVersion: 1,
        level: 'channel',
        values: m.channels.filter((key) => key.startsWith('XA.ALPHA.')),
      });
    });
  });
});
