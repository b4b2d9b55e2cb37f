import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { floorToDay, floorToHour, formatTime, parseTime, utcFields } from './time.ts';

const S = 1_000_000;
const DAY = 86_400 * S;
const HOUR = 3_600 * S;
/** Independent reference: Date.UTC in milliseconds, turned into µs. */
const utc = (y: number, mo: number, d: number, h = 0, mi = 0, s = 0, ms = 0): number =>
  Date.UTC(y, mo - 1, d, h, mi, s, ms) * 1000;

describe('parseTime', () => {
  it('reads ISO 8601 with Z, offsets, no zone, and fractions', () => {
    expect(parseTime('2007-12-31T23:59:59.915Z')).toBe(utc(2007, 12, 31, 23, 59, 59, 915));
    expect(parseTime('2007-12-31T23:59:59.915')).toBe(utc(2007, 12, 31, 23, 59, 59, 915));
    expect(parseTime('2007-12-31 23:59:59.915z')).toBe(utc(2007, 12, 31, 23, 59, 59, 915));
    expect(parseTime('2024-01-01T02:00:00+02:00')).toBe(utc(2024, 1, 1));
    expect(parseTime('2024-01-01T02:00:00+0200')).toBe(utc(2024, 1, 1));
    expect(parseTime('2024-01-01T02:00+02')).toBe(utc(2024, 1, 1));
    expect(parseTime('2023-12-31T19:30:00-04:30')).toBe(utc(2024, 1, 1));
    expect(parseTime('2024-02-29')).toBe(utc(2024, 2, 29));
    expect(parseTime('2024-02-29T12:34')).toBe(utc(2024, 2, 29, 12, 34));
    expect(parseTime('  2024-02-29T12:34:56  ')).toBe(utc(2024, 2, 29, 12, 34, 56));
    expect(parseTime('2024-02-29T12:34:56.123456')).toBe(utc(2024, 2, 29, 12, 34, 56) + 123_456);
  });

  it('rounds fractions of up to 9 digits to the microsecond, half up, carrying into the second', () => {
    const base = utc(2020, 6, 1, 0, 0, 0);
    expect(parseTime('2020-06-01T00:00:00.1')).toBe(base + 100_000);
    expect(parseTime('2020-06-01T00:00:00.000000499')).toBe(base);
    expect(parseTime('2020-06-01T00:00:00.0000005')).toBe(base + 1);
    expect(parseTime('2020-06-01T00:00:00.123456789')).toBe(base + 123_457);
    expect(parseTime('2020-06-01T00:00:59.9999995Z')).toBe(base + 60 * S);
    expect(parseTime('1969-12-31T23:59:59.9999995Z')).toBe(0);
  });

  it('reads SEED ordinal times', () => {
    expect(parseTime('2008,001')).toBe(utc(2008, 1, 1));
    expect(parseTime('2008,1')).toBe(utc(2008, 1, 1));
    expect(parseTime('2008-001')).toBe(utc(2008, 1, 1));
    expect(parseTime('2008,001,00:00:04.035')).toBe(utc(2008, 1, 1, 0, 0, 4, 35));
    expect(parseTime('2008,060,12')).toBe(utc(2008, 2, 29, 12));
    expect(parseTime('2008,061,12:30')).toBe(utc(2008, 3, 1, 12, 30));
    expect(parseTime('2024-366')).toBe(utc(2024, 12, 31));
    expect(parseTime('2024-366T23:00:00Z')).toBe(utc(2024, 12, 31, 23));
    expect(parseTime('2024-032T00:00:00+01:00')).toBe(utc(2024, 1, 31, 23));
  });

  it('reads now and times relative to now', () => {
    const now = utc(2024, 3, 10, 12);
    expect(parseTime('now', now)).toBe(now);
    expect(parseTime('NOW', now)).toBe(now);
    expect(parseTime('-7d', now)).toBe(utc(2024, 3, 3, 12));
    expect(parseTime('-12h', now)).toBe(utc(2024, 3, 10, 0));
    expect(parseTime('-30m', now)).toBe(utc(2024, 3, 10, 11, 30));
    expect(parseTime('-90s', now)).toBe(utc(2024, 3, 10, 11, 58, 30));
    expect(parseTime('now-1d', now)).toBe(utc(2024, 3, 9, 12));
    expect(parseTime('+1h', now)).toBe(utc(2024, 3, 10, 13));
  });

  it('defaults now to the clock', () => {
    const before = Date.now() * 1000;
    const value = parseTime('now');
    const after = Date.now() * 1000;
    expect(value).toBeGreaterThanOrEqual(before);
    expect(value).toBeLessThanOrEqual(after);
  });

  it('rejects bad input with a message quoting the text and saying what is wrong', () => {
    expect(() => parseTime('2024-13-01')).toThrow('not a time: "2024-13-01" (month 13)');
    expect(() => parseTime('2024-00-01')).toThrow('not a time: "2024-00-01" (month 0)');
    expect(() => parseTime('2023-02-29')).toThrow('not a time: "2023-02-29" (day 29: February 2023 has 28 days)');
    expect(() => parseTime('2024-04-31')).toThrow('(day 31: April 2024 has 30 days)');
    expect(() => parseTime('2023-366')).toThrow('not a time: "2023-366" (day of year 366: 2023 has 365 days)');
    expect(() => parseTime('2023,000')).toThrow('(day of year 0: 2023 has 365 days)');
    expect(() => parseTime('2024-01-01T24:00:00')).toThrow('(hour 24)');
    expect(() => parseTime('2024-01-01T23:60:00')).toThrow('(minute 60)');
    expect(() => parseTime('2016-12-31T23:59:60Z')).toThrow('(second 60: leap seconds are not representable)');
    expect(() => parseTime('2024-01-01T00:00:00.1234567891')).toThrow('(10 fractional digits, at most 9 are allowed)');
    expect(() => parseTime('2024-01-01T00:00:00+24:00')).toThrow('(time zone offset +24:00)');
    expect(() => parseTime('2024-1-5')).toThrow('(month and day need two digits each');
    expect(() => parseTime('')).toThrow('not a time: "" (empty)');
    expect(() => parseTime('yesterday')).toThrow(/^not a time: "yesterday" \(expected ISO 8601/);
    expect(() => parseTime('2024-01-01Z')).toThrow(/^not a time: "2024-01-01Z" \(expected/);
    expect(() => parseTime('-7w')).toThrow(/^not a time: "-7w"/);
    expect(() => parseTime('1500-01-01')).toThrow('(out of range');
    expect(() => parseTime('9999-01-01')).toThrow('(out of range');
  });
});

describe('formatTime', () => {
  it('writes six fractional digits and Z', () => {
    expect(formatTime(utc(2007, 12, 31, 23, 59, 59, 915))).toBe('2007-12-31T23:59:59.915000Z');
    expect(formatTime(0)).toBe('1970-01-01T00:00:00.000000Z');
    expect(formatTime(utc(2024, 2, 29, 1, 2, 3) + 4)).toBe('2024-02-29T01:02:03.000004Z');
  });

  it('is correct before 1970', () => {
    expect(formatTime(-1)).toBe('1969-12-31T23:59:59.999999Z');
    expect(formatTime(-DAY)).toBe('1969-12-31T00:00:00.000000Z');
    expect(formatTime(utc(1900, 3, 1) + 500_000)).toBe('1900-03-01T00:00:00.500000Z');
  });

  it('rejects a non-integer time', () => {
    expect(() => formatTime(1.5)).toThrow(RangeError);
    expect(() => formatTime(Number.NaN)).toThrow(RangeError);
  });

  const anyTime = fc.integer({ min: utc(1700, 1, 1), max: utc(2250, 1, 1) });

  it('agrees with Date to the millisecond and keeps the microseconds (property)', () => {
    fc.assert(
      fc.property(anyTime, (us) => {
        const micros = ((us % S) + S) % S;
        const iso = new Date((us - micros) / 1000).toISOString(); // whole seconds: exact
        expect(formatTime(us)).toBe(`${iso.slice(0, 19)}.${String(micros).padStart(6, '0')}Z`);
      }),
    );
  });

  it('round-trips through parseTime (property)', () => {
    fc.assert(
      fc.property(anyTime, (us) => {
        expect(parseTime(formatTime(us))).toBe(us);
      }),
    );
  });

  it('utcFields gives the day of year', () => {
    expect(utcFields(utc(2024, 12, 31, 23, 59, 59) + 999_999)).toEqual({
      year: 2024, month: 12, day: 31, dayOfYear: 366, hour: 23, minute: 59, second: 59, micros: 999_999,
    });
    expect(utcFields(utc(2023, 3, 1)).dayOfYear).toBe(60);
  });
});

describe('floorToDay, floorToHour', () => {
  it('floor to UTC day and hour, before 1970 too', () => {
    expect(floorToDay(utc(2024, 3, 10, 12, 5))).toBe(utc(2024, 3, 10));
    expect(floorToDay(utc(2024, 3, 10))).toBe(utc(2024, 3, 10));
    expect(floorToDay(utc(2024, 3, 10) - 1)).toBe(utc(2024, 3, 9));
    expect(floorToDay(-1)).toBe(-DAY);
    expect(floorToDay(-DAY)).toBe(-DAY);
    expect(floorToHour(utc(2024, 3, 10, 12, 59, 59, 999) + 999)).toBe(utc(2024, 3, 10, 12));
    expect(floorToHour(-1)).toBe(-HOUR);
  });

  it('is exact next to day boundaries late in the range (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: -100_000, max: 104_000 }), fc.integer({ min: -3, max: 3 }), (day, offset) => {
        const us = day * DAY + offset;
        expect(floorToDay(us)).toBe(offset < 0 ? (day - 1) * DAY : day * DAY);
      }),
    );
  });
});
