import { describe, expect, it } from 'vitest';
import type { ChannelEpoch } from '@lacuna/core';
import { parseTime } from '@lacuna/core';
import { alignedBuckets, appendCell, dailyRow, dayFigures, parseCompletionText } from './completion.ts';

const t = (text: string) => parseTime(text);
const DAY = 86_400e6;

function epoch(start: string, end: string | null, sampleRate: number | null): ChannelEpoch {
  return { network: 'X', station: 'S', location: '', channel: 'C', start: t(start), end: end === null ? null : t(end), sampleRate, latitude: null, longitude: null, elevation: null, warnS: null, failS: null };
}

describe('completion matrix', () => {
  it('starts at the bucket holding from and ends at to', () => {
    expect(alignedBuckets({ start: t('2024-05-01T10:00:00Z'), end: t('2024-05-03T06:00:00Z') }, 'day')).toEqual({
      window: { start: t('2024-05-01'), end: t('2024-05-03T06:00:00Z') },
      starts: [t('2024-05-01'), t('2024-05-02'), t('2024-05-03')],
    });
    expect(alignedBuckets({ start: t('2024-05-01T10:30:00Z'), end: t('2024-05-01T12:00:00Z') }, 'hour').starts).toEqual([t('2024-05-01T10:00:00Z'), t('2024-05-01T11:00:00Z')]);
  });

  it('places rollup days on the shared buckets and fills days without data from the epochs', () => {
    const starts = [t('2024-05-01'), t('2024-05-02'), t('2024-05-03'), t('2024-05-04')];
    const day = (text: string) => t(text) / DAY;
    const row = dailyRow('X.S..C', starts, { days: [day('2024-05-02')], percent: [50], completeness: [0.5] }, [epoch('2024-05-01T12:00:00Z', '2024-05-04', 1)]);
    expect(row).toEqual({ channel: 'X.S..C', percent: [0, 50, 0, null], completeness: [0, 0.5, 0, null] });
    // No metadata: expected everywhere, completeness unknown without data.
    expect(dailyRow('X.S..C', starts, undefined, [])).toEqual({ channel: 'X.S..C', percent: [0, 0, 0, 0], completeness: [null, null, null, null] });
  });

  it('derives percent and completeness from a rollup as core does', () => {
    expect(dayFigures({ day: 0, coveredUs: 43_200e6, expectedUs: 86_400e6, gaps: 1, maxGapUs: 1, overlaps: 0, samples: 43_200, sampleRate: 1 })).toEqual({ percent: 50, completeness: 0.5 });
    expect(dayFigures({ day: 0, coveredUs: 0, expectedUs: 0, gaps: 0, maxGapUs: 0, overlaps: 0, samples: 0, sampleRate: 0 })).toEqual({ percent: null, completeness: null });
  });

  it('reads ClickHouse\'s completion lines and extends their arrays', () => {
    const text = 'XA\tALPHA\t\tLHZ\t2\t\t[100,null]\t[1,null]\nXA\tA\\\\B\t00\tBHZ\t1\t[1]\t[50]\t[0.5]\n';
    const parsed = parseCompletionText(text);
    expect(parsed.get('XA.ALPHA..LHZ')).toEqual({ offsets: null, percent: '[100,null]', completeness: '[1,null]' });
    expect(parsed.get('XA.A\\B.00.BHZ')).toEqual({ offsets: [1], percent: '[50]', completeness: '[0.5]' });
    expect(appendCell('[100,null]', 12.5)).toBe('[100,null,12.5]');
    expect(appendCell('[]', null)).toBe('[null]');
  });
});
