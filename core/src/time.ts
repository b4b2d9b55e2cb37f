import { MICROS_PER_SECOND, type Micros } from './model.ts';

/** Days from 1970-01-01 to January 1st of `year` (proleptic Gregorian). */
export function daysBeforeYear(year: number): number {
  const y = year - 1;
  return 365 * (year - 1970) + (Math.floor(y / 4) - Math.floor(y / 100) + Math.floor(y / 400)) - 477;
}

/**
 * Epoch microseconds of a SEED-style time: year, day of year (1-based), hour, minute, second, and
 * microseconds within the second. Plain arithmetic, no Date objects: the header reader calls this
 * once per record.
 */
export function epochMicrosFromYearDay(
  year: number,
  dayOfYear: number,
  hour: number,
  minute: number,
  second: number,
  micros: number,
): Micros {
  const days = daysBeforeYear(year) + dayOfYear - 1;
  return (days * 86_400 + hour * 3_600 + minute * 60 + second) * MICROS_PER_SECOND + micros;
}
