import { describe, expect, it } from 'vitest';
import { gapAnnotations } from './annotations';
import { gapsFrame, statsFrame } from './frames';

describe('gap annotations', () => {
  it('become regions titled with the channel, saying how long and how many samples', () => {
    const frames = [
      gapsFrame([{ channel: 'IU.ANMO.00.BHZ', startUs: 1_000_000, endUs: 3_661_000_000, seconds: 3660, missingSamples: 73_199, sampleRate: 20 }], 'A'),
      statsFrame([], 'B'),
    ];
    expect(gapAnnotations(frames)).toEqual([
      { time: 1000, timeEnd: 3_661_000, isRegion: true, title: 'Gap in IU.ANMO.00.BHZ', text: '1h 1m, 73199 samples missing', tags: ['gap', 'IU.ANMO.00.BHZ'] },
    ]);
  });

  it('come from gap frames only', () => {
    expect(gapAnnotations([statsFrame([{ channel: 'A', percent: 1, gaps: 1, longestGapSeconds: 1, overlaps: 0, lastSampleUs: null, totalLatencySeconds: null, dataLatencySeconds: null, feedLatencySeconds: null, state: '' }], 'A')])).toEqual([]);
  });
});
