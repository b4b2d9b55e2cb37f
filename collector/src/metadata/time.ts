import type { Micros } from '@lacuna/core';
import { InvalidTimeError, parseTime, timeProblem } from '@lacuna/core';

/*
 * Times in channel metadata: core's exact-microsecond parser (ISO 8601 calendar and ordinal
 * dates, optional time of day, fraction and zone; no zone = UTC), without the forms that depend on
 * when the file is read (`now`, `-7d`): metadata must mean the same thing every time.
 */

/** Thrown by {@link parseIsoMicros}; the metadata parsers add the file and the place. */
export class TimeSyntaxError extends Error {}

const RELATIVE = /^(now|[+-])/i;
const EXPECTED = 'expected ISO 8601 such as 2024-01-31T12:00:00Z or 2024-01-31, or an ordinal day such as 2024-031';

/**
 * Parses an absolute time (see core `parseTime`) into epoch microseconds. Throws
 * {@link TimeSyntaxError} with the reason, e.g. `month 13`.
 */
export function parseIsoMicros(text: string): Micros {
  const s = text.trim();
  if (RELATIVE.test(s)) throw new TimeSyntaxError('relative times (now, -7d) are not allowed in metadata');
  let time: Micros;
  try {
    time = parseTime(s);
  } catch (e) {
    if (!(e instanceof InvalidTimeError)) throw e;
    // core's list of accepted forms includes `now` and `-7d`, which metadata does not take.
    throw new TimeSyntaxError(e.unrecognized ? EXPECTED : e.reason);
  }
  // core's storable rule: the store cannot hold a time before 1900 (far-future ends are open epochs, see isFarFuture).
  const problem = timeProblem(time);
  if (problem !== null) throw new TimeSyntaxError(problem);
  return time;
}

/**
 * Whether an end date lies past the exactly representable times (year 2255 and later): such
 * "far future" ends (often 2599-12-31) mean an open epoch.
 */
export function isFarFuture(text: string): boolean {
  const m = /^\s*(\d{4})/.exec(text);
  return m !== null && Number(m[1]) >= 2255;
}
