import { describe, expect, it } from 'vitest';
import { formatPercent } from './palette';
import { formatDuration, formatMicros, formatTick, microsFromApiTime } from './time';

describe('API times', () => {
  it('read µs integers and ISO strings to the exact microsecond', () => {
    expect(microsFromApiTime(1_709_251_200_123_456)).toBe(1_709_251_200_123_456);
    expect(microsFromApiTime('2024-03-01T00:00:00.123456Z')).toBe(1_709_251_200_123_456);
    expect(microsFromApiTime('2024-03-01T01:00:00.5+01:00')).toBe(1_709_251_200_500_000);
    expect(microsFromApiTime('2024-03-01')).toBe(1_709_251_200_000_000);
    expect(microsFromApiTime('1709251200123456')).toBe(1_709_251_200_123_456);
  });

  it('are null when unreadable', () => {
    for (const value of ['yesterday', '', null, undefined, NaN, {}]) expect(microsFromApiTime(value)).toBeNull();
  });

  it('print with all six fraction digits, before 1970 too', () => {
    expect(formatMicros(1_709_251_200_000_001)).toBe('2024-03-01T00:00:00.000001Z');
    expect(formatMicros(-1)).toBe('1969-12-31T23:59:59.999999Z');
    expect(formatTick(1_709_294_400_000_000, true)).toBe('2024-03-01 12:00');
  });
});

describe('formatDuration', () => {
  it('says days, hours, minutes and seconds, leaving out zero parts', () => {
    expect(formatDuration(86_400_000_000 + 3_600_000_000 + 1_500_000)).toBe('1d 1h 1.5s');
    expect(formatDuration(30_000_000)).toBe('30s');
    expect(formatDuration(1)).toBe('0.000001s');
    expect(formatDuration(0)).toBe('0s');
  });
});

describe('formatPercent', () => {
  it('never rounds an incomplete channel up to 100%', () => {
    expect(formatPercent(99.999)).toBe('99.99%');
    expect(formatPercent(100)).toBe('100%');
    expect(formatPercent(null)).toBe('–');
    expect(formatPercent(12.3456)).toBe('12.34%');
    expect(formatPercent(57.3)).toBe('57.30%');
    expect(formatPercent(99.99)).toBe('99.99%');
  });
});
