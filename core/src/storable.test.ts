import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { dataProblem, EARLIEST_STORABLE_TIME, LATEST_STORABLE_TIME, sampleRateProblem, timeProblem } from './storable.ts';
import { coveredEnd, recordSegment } from './segments.ts';

const utc = (y: number, mo: number, d: number): number => Date.UTC(y, mo - 1, d) * 1000;

describe('the storable range', () => {
  it('runs from 1900-01-01 to the last exact microsecond in 2255', () => {
    expect(EARLIEST_STORABLE_TIME).toBe(utc(1900, 1, 1));
    expect(timeProblem(EARLIEST_STORABLE_TIME)).toBeNull();
    expect(timeProblem(EARLIEST_STORABLE_TIME - 1, 'start')).toMatch(/^start 1899-12-31T23:59:59.999999Z is outside the storable range 1900-01-01T00:00:00.000000Z \.\. 2255-06-05T23:47:34.740991Z/);
    expect(timeProblem(LATEST_STORABLE_TIME)).toBeNull();
    expect(timeProblem(LATEST_STORABLE_TIME + 1, 'end')).toMatch(/^end 9007199254740992 µs is outside/);
    expect(timeProblem(utc(1700, 1, 1), 'start')).toMatch(/start 1700-01-01T00:00:00.000000Z is outside/);
    expect(timeProblem(Infinity)).toMatch(/not a whole number/);
    expect(timeProblem(NaN)).toMatch(/not a whole number/);
    expect(timeProblem(1.5)).toMatch(/not a whole number/);
    expect(timeProblem(1e44)).toMatch(/outside the storable range/);
  });

  it('takes rates from one sample a year to one a microsecond', () => {
    expect(sampleRateProblem(100)).toBeNull();
    expect(sampleRateProblem(1 / 86_400)).toBeNull();
    expect(sampleRateProblem(1e6)).toBeNull();
    // SEED factor and multiplier both −32768, and the 1e-30 Hz blockette 100 of issue 11.
    expect(sampleRateProblem(1 / (32768 * 32768))).toMatch(/9\.31e-10 Hz is below one sample a year/);
    expect(sampleRateProblem(1e-30)).toMatch(/below one sample a year/);
    expect(sampleRateProblem(2e6)).toMatch(/above one sample a microsecond/);
    for (const rate of [0, -1, NaN, Infinity]) expect(sampleRateProblem(rate)).toMatch(/not a positive finite number/);
  });
});

describe('dataProblem', () => {
  it('names the time a record would reach past the range', () => {
    const start = utc(2008, 1, 1);
    expect(dataProblem({ start, samples: 100, sampleRate: 40 })).toBeNull();
    expect(dataProblem({ start, samples: 65535, sampleRate: 1e-7 })).toMatch(/last sample .* outside the storable range .*\(65535 samples at 1e-7 Hz\)/);
    expect(dataProblem({ start: utc(2255, 6, 1), samples: 2, sampleRate: 1 / 86_400 / 30 })).toMatch(/last sample/);
    expect(dataProblem({ start: utc(2255, 6, 5), samples: 1, sampleRate: 1 / 86_400 })).toMatch(/end of the last sample interval/);
    expect(dataProblem({ start, samples: 1.5, sampleRate: 1 })).toMatch(/sample count 1.5/);
    expect(dataProblem({ start, samples: 10, sampleRate: 1, end: start - 1 })).toMatch(/before the start/);
  });

  it('checks only the start of a record without timed samples', () => {
    expect(dataProblem({ start: utc(2008, 1, 1), samples: 0, sampleRate: 1e-30 })).toBeNull();
    expect(dataProblem({ start: utc(2008, 1, 1), samples: 7, sampleRate: 0 })).toBeNull();
    expect(dataProblem({ start: utc(1899, 12, 29), samples: 0, sampleRate: 0 })).toMatch(/^start 1899-12-29/);
  });

  it('lets through only data whose every derived time is a storable integer', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.integer({ min: EARLIEST_STORABLE_TIME - 1e12, max: LATEST_STORABLE_TIME }), fc.double({ min: -1e20, max: 1e20, noNaN: false })),
        fc.integer({ min: 0, max: 2 ** 32 }),
        fc.oneof(fc.double({ min: 0, max: 1e-4, noNaN: false }), fc.double({ min: 0, max: 1e9, noNaN: false })),
        (start, samples, sampleRate) => {
          const s = Math.round(start);
          if (dataProblem({ start: s, samples, sampleRate }) !== null || samples === 0 || sampleRate === 0) return;
          const segment = recordSegment(s, samples, sampleRate, 'D');
          for (const t of [segment.start, segment.end, coveredEnd(segment)]) expect(timeProblem(t)).toBeNull();
        },
      ),
      { numRuns: 2000 },
    );
  });
});
