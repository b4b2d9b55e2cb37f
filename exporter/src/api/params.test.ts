import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../app.ts';
import { HttpError } from '../http/errors.ts';
import { durationParam, integerParam, patternsParam, resolveRange, timeParam } from './params.ts';

const NOW = Date.UTC(2024, 4, 10, 12, 0, 0) * 1000;

describe('/api/v1 parameters', () => {
  it('reads times as core parseTime does, relative to the request time, or as epoch milliseconds', () => {
    const time = timeParam(NOW);
    expect(time.parse('2024-05-10T00:00:00Z')).toBe(Date.UTC(2024, 4, 10) * 1000);
    expect(time.parse('2024,131')).toBe(Date.UTC(2024, 4, 10) * 1000);
    expect(time.parse('-1d')).toBe(NOW - 86_400e6);
    expect(time.parse('1715342400000')).toBe(NOW);
    expect(time.safeParse('9999999999999999').success).toBe(false);
    expect(time.safeParse('2024-02-30').error?.issues[0].message).toContain('February 2024 has 29 days');
  });

  it('reads durations in seconds or with a unit', () => {
    expect(durationParam.parse('90')).toBe(90e6);
    expect(durationParam.parse('0.5')).toBe(0.5e6);
    expect(durationParam.parse('10m')).toBe(600e6);
    expect(durationParam.parse('250ms')).toBe(250e3);
    expect(durationParam.safeParse('-1').success).toBe(false);
    expect(durationParam.safeParse('1y').success).toBe(false);
  });

  it('reads whole numbers within bounds only', () => {
    const n = integerParam(1, 10);
    expect(n.parse('10')).toBe(10);
    for (const bad of ['0', '11', '1e1', '2.0', ' 3', '0x5']) expect(n.safeParse(bad).success).toBe(false);
  });

  it('reads channel patterns and names what is wrong', () => {
    expect(patternsParam.parse('IU.ANMO')).toEqual([{ network: 'IU', station: 'ANMO', location: '*', channel: '*' }]);
    expect(patternsParam.safeParse('IU.AN MO').error?.issues[0].message).toContain('"AN MO"');
  });

  it('defaults the range to the day before now and bounds it by the limits', () => {
    expect(resolveRange({}, DEFAULT_LIMITS, NOW)).toEqual({ start: NOW - 86_400e6, end: NOW });
    expect(resolveRange({ to: NOW - 10 }, DEFAULT_LIMITS, NOW)).toEqual({ start: NOW - 10 - 86_400e6, end: NOW - 10 });
    expect(() => resolveRange({ from: NOW, to: NOW }, DEFAULT_LIMITS, NOW)).toThrow(HttpError);
    // Answers look a day past the range: one ending after 2255-06-04 would reach past the last exact microsecond.
    const lastDay = Date.UTC(2255, 5, 4) * 1000;
    expect(resolveRange({ from: lastDay - 86_400e6, to: lastDay }, DEFAULT_LIMITS, NOW)).toEqual({ start: lastDay - 86_400e6, end: lastDay });
    expect(() => resolveRange({ from: lastDay, to: lastDay + 1 }, DEFAULT_LIMITS, NOW)).toThrow(/^parameter to: at most 2255-06-04T00:00:00\.000000Z$/);
    expect(() => resolveRange({ from: NOW - 3 * 86_400e6 }, { maxRangeDays: 2, maxRows: 1, maxSegmentsRead: 2_000_000 }, NOW)).toThrow(/^parameter from: .*3 days, at most 2/);
  });
});
