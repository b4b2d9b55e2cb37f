import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MICROS_PER_HOUR } from '@lacuna/core';
import { channelStatuses, DEFAULT_WINDOWS, parseWindows, type ChannelStatus } from './status.ts';
import { exporterFixture, type ExporterFixture } from './testing/fixture.ts';

describe('channel status from a scanned demo archive', () => {
  let fixture: ExporterFixture;
  let statuses: Map<string, ChannelStatus>;
  beforeAll(async () => {
    fixture = await exporterFixture();
    const list = await channelStatuses(fixture.store, { patterns: [], windows: DEFAULT_WINDOWS, now: fixture.manifest.end });
    statuses = new Map(list.map((status) => [status.key, status]));
  });
  afterAll(async () => {
    await fixture.dispose();
  });

  it('gives the late channel its latency from its newest sample and when that arrived', () => {
    const { lateChannel, end, channelInfo } = fixture.manifest;
    const late = statuses.get(lateChannel.channel)!;
    const info = channelInfo.find((c) => c.channel === lateChannel.channel)!;
    expect(late.lastSample).toBe(lateChannel.lastSample);
    expect(late.latency?.total).toBeCloseTo((end - lateChannel.lastSample) / 1e6, 6);
    expect(late.latency?.data).toBeCloseTo((info.lastSampleFileMtime - lateChannel.lastSample) / 1e6, 6);
    expect(late.latency!.total).toBeGreaterThan(2 * 3600 - 1);
  });

  it('marks the dead channel FAILED with nothing available in the last hour and day', () => {
    const dead = statuses.get(fixture.manifest.deadChannel.channel)!;
    expect(dead.state).toBe('FAILED');
    expect(dead.windows['1h'].ratio).toBe(0);
    expect(dead.windows['1d'].ratio).toBe(0);
  });

  it('gives a dead channel without warn_s 0 % over the last hour, not "nothing expected" (the NoData alert watches that series)', async () => {
    // 1 Hz for a day, ending two days before now; no metadata, so the default expected latency.
    const end = fixture.manifest.end;
    const start = end - 3 * 86_400e6;
    await fixture.store.client.insert({
      table: 'segments',
      values: [{ network: 'QQ', station: 'GONE', location: '', channel: 'LHZ', quality: 'D', sample_rate: 1, start_time: start, end_time: start + 86_399e6, samples: 86_400, tolerance_us: 500_000, source: '/gone', scan_id: 1, first_seen: start + 86_400e6 }],
      format: 'JSONEachRow',
    });
    const [gone] = await channelStatuses(fixture.store, { patterns: [{ network: 'QQ', station: 'GONE', location: '*', channel: '*' }], windows: DEFAULT_WINDOWS, now: end });
    expect(gone.state).toBe('NOT_TRACKED');
    expect(gone.windows['1h'].ratio).toBe(0);
    expect(gone.windows['1h'].gaps).toBe(1);
  });

  it('gives the same statuses, in channel order, when it reads the segments and newest samples of a few stations at a time', async () => {
    // A channel written straight to the segments table, without rollups: found through its segments alone.
    const end = fixture.manifest.end;
    await fixture.store.client.insert({
      table: 'segments',
      values: [{ network: 'QQ', station: 'DIRECT', location: '00', channel: 'HHZ', quality: 'D', sample_rate: 100, start_time: end - 7200e6, end_time: end - 10_000, samples: 720_000, tolerance_us: 5_000, source: '/direct', scan_id: 1, first_seen: end }],
      format: 'JSONEachRow',
    });
    for (const store of [fixture.store, fixture.store.scopedTo({ index: 1, count: 2 })]) {
      const whole = await channelStatuses(store, { patterns: [], windows: DEFAULT_WINDOWS, now: end });
      const inParts = await channelStatuses(store, { patterns: [], windows: DEFAULT_WINDOWS, now: end, channelsPerRead: 2 });
      expect(whole.length).toBeGreaterThan(4);
      expect(inParts).toEqual(whole);
    }
    const all = await channelStatuses(fixture.store, { patterns: [], windows: DEFAULT_WINDOWS, now: end, channelsPerRead: 2 });
    expect(all.find((status) => status.key === 'QQ.DIRECT.00.HHZ')?.windows['1h'].ratio).toBe(1);
    expect(all.map((status) => status.key)).toEqual(all.map((status) => status.key).sort());
  });

  it('does not count time outside the metadata epoch as missing', () => {
    const { channel, epochEnd } = fixture.manifest.notExpectedAfter;
    const retired = statuses.get(channel)!;
    expect(fixture.manifest.end - epochEnd).toBeGreaterThan(MICROS_PER_HOUR);
    expect(retired.windows['1h'].ratio).toBeNull();
    // Retired, it is not expected any more: not tracked rather than failed.
    expect(retired.state).toBe('NOT_TRACKED');
    expect(retired.latitude).not.toBeNull();
  });

  it('reads windows like 1h,1d,7d and rejects nonsense naming the item', () => {
    expect(parseWindows('1h, 2d').map((w) => [w.name, w.micros])).toEqual([
      ['1h', 3600e6],
      ['2d', 172_800e6],
    ]);
    expect(() => parseWindows('1h,0d')).toThrow('"0d"');
    expect(() => parseWindows('yesterday')).toThrow('"yesterday"');
  });
});
