import { FieldType } from '@grafana/data';
import { describe, expect, it } from 'vitest';
import { FrameKind, lacunaMeta } from '../shared/frames';
import { answerFrames, completionFrame, gapsFrame, latencyFrames, stationsFrame, timelineFrames } from './frames';

const window = { fromUs: 1_709_251_200_000_000, toUs: 1_709_337_600_000_000 };

describe('timeline frames', () => {
  const [spans, rows] = timelineFrames(
    {
      fromUs: null,
      toUs: null,
      rows: [
        {
          channel: 'IU.ANMO.00.BHZ',
          percent: 75,
          gaps: 1,
          longestGapSeconds: 3600,
          spans: [
            { startUs: 1_709_251_200_000_001, endUs: 1_709_254_800_000_000, state: 'missing', percent: null },
            { startUs: 1_709_254_800_000_000, endUs: 1_709_337_600_000_000, state: 'present', percent: null },
          ],
        },
      ],
    },
    'A',
    window
  );

  it('hold one row per span with time fields in ms and the exact µs beside them', () => {
    expect(spans.length).toBe(2);
    const field = (name: string) => spans.fields.find((f) => f.name === name)!;
    expect(field('start').type).toBe(FieldType.time);
    expect(field('start').values[0]).toBeCloseTo(1_709_251_200_000.001, 3);
    expect(field('start_us').values[0]).toBe(1_709_251_200_000_001);
    expect(field('state').values).toEqual(['missing', 'present']);
    expect(field('percent').values).toEqual([0, 100]);
    expect(field('percent').config.unit).toBe('percent');
  });

  it('carry a per-channel frame with units and display names for tables', () => {
    const field = (name: string) => rows.fields.find((f) => f.name === name)!;
    expect(field('network').values).toEqual(['IU']);
    expect(field('code').values).toEqual(['BHZ']);
    expect(field('longest_gap').config).toMatchObject({ unit: 's', displayName: 'Longest gap' });
    expect(field('percent').config.displayName).toBe('Present');
  });

  it('name their kind and the requested window in meta for the panels', () => {
    expect(lacunaMeta(spans)).toEqual({ lacunaKind: FrameKind.TimelineSpans, ...window });
    expect(lacunaMeta(rows)?.lacunaKind).toBe(FrameKind.TimelineRows);
  });
});

describe('other frames', () => {
  it('completion: long format, completeness as a percent', () => {
    const frame = completionFrame({ bucket: 'day', bucketStartsUs: [0, 86_400_000_000], rows: [{ channel: 'A.B..C', percent: [100, null], completeness: [0.5, null] }] }, 'B');
    expect(frame.length).toBe(2);
    expect(frame.fields.find((f) => f.name === 'bucket')!.values).toEqual([0, 86_400_000]);
    expect(frame.fields.find((f) => f.name === 'completeness')!.values).toEqual([50, null]);
    expect(lacunaMeta(frame)?.bucket).toBe('day');
  });

  it('gaps: time and timeEnd, the names Grafana maps to annotation regions', () => {
    const frame = gapsFrame([{ channel: 'A.B..C', startUs: 1_000_000, endUs: 5_000_000, seconds: 4, missingSamples: 399, sampleRate: 100 }], 'A');
    expect(frame.fields.map((f) => f.name).slice(0, 2)).toEqual(['time', 'timeEnd']);
    expect(frame.fields[1].values).toEqual([5000]);
  });

  it('stations: latitude and longitude fields that geomap finds by name', () => {
    const frame = stationsFrame([{ network: 'IU', station: 'ANMO', latitude: 34.95, longitude: -106.46, state: 'OPERATIONAL', percent: 100, channels: 3 }], 'A');
    expect(frame.fields.find((f) => f.name === 'latitude')!.values).toEqual([34.95]);
    expect(frame.fields.find((f) => f.name === 'station')!.values).toEqual(['IU.ANMO']);
  });

  it('latency: one time series per channel, labelled with the channel', () => {
    const [frame] = latencyFrames([{ channel: 'IU.ANMO..LHZ', timesUs: [60_000_000], max: [12], mean: [3] }], 'A');
    expect(frame.fields[0]).toMatchObject({ name: 'time', type: FieldType.time, values: [60_000] });
    expect(frame.fields[1].labels).toEqual({ channel: 'IU.ANMO..LHZ' });
    expect(frame.fields[1].config.unit).toBe('s');
  });

  it('an empty answer gives frames without rows, never an error', () => {
    for (const queryType of ['timeline', 'completion', 'gaps', 'stats', 'latency', 'stations', 'channels'] as const) {
      const frames = answerFrames({ refId: 'A', queryType }, {}, window);
      expect(frames.every((f) => f.length === 0)).toBe(true);
    }
  });
});
