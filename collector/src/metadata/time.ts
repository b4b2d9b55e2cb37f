import { MICROS_PER_SECOND, type Micros } from '../../../core/src/model.ts';
import { daysBeforeYear } from '../../../core/src/time.ts';

/*
 * Exact-microsecond parsing and formatting of the ISO 8601 times found in channel metadata.
 * Private to the metadata parsers: plain integer arithmetic, no Date parsing (Date.parse keeps
 * only milliseconds and accepts many non-ISO forms).
 */

const CALENDAR =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/i;
const ORDINAL =
  /^(\d{4})-(\d{3})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function isLeap(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/** Thrown by {@link parseIsoMicros}; the metadata parsers add the file and place. */
export class TimeSyntaxError extends Error {}

/**
 * Parses `YYYY-MM-DD`, `YYYY-MM-DDTHH:MM[:SS[.ffffff…]]` with an optional `Z` or `±HH[:MM]`
 * offset (none means UTC), and the SEED-style ordinal form `YYYY-DDD[THH:MM:SS…]`. A space may
 * stand for the `T`. Fractions are exact to the microsecond; further digits round half up.
 * Throws {@link TimeSyntaxError} with the reason.
 */
export function parseIsoMicros(text: string): Micros {
  const s = text.trim();
  let year: number;
  let dayOfYear: number;
  let rest: (string | undefined)[];
  let m = CALENDAR.exec(s);
  if (m) {
    year = Number(m[1]);
    const month = Number(m[2]);
    const day = Number(m[3]);
    if (month < 1 || month > 12) throw new TimeSyntaxError(`month ${m[2]} out of range`);
    const monthDays = month === 2 && isLeap(year) ? 29 : DAYS_IN_MONTH[month - 1];
    if (day < 1 || day > monthDays) throw new TimeSyntaxError(`day ${m[3]} out of range for ${m[1]}-${m[2]}`);
    dayOfYear = day;
    for (let i = 0; i < month - 1; i++) dayOfYear += i === 1 && isLeap(year) ? 29 : DAYS_IN_MONTH[i];
    rest = m.slice(4);
  } else {
    m = ORDINAL.exec(s);
    if (!m) throw new TimeSyntaxError('not an ISO 8601 time (expected YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS[.ffffff][Z])');
    year = Number(m[1]);
    dayOfYear = Number(m[2]);
    if (dayOfYear < 1 || dayOfYear > (isLeap(year) ? 366 : 365)) {
      throw new TimeSyntaxError(`day of year ${m[2]} out of range`);
    }
    rest = m.slice(3);
  }
  const [hh, mm, ss, frac, zone] = rest;
  const hour = hh === undefined ? 0 : Number(hh);
  const minute = mm === undefined ? 0 : Number(mm);
  const second = ss === undefined ? 0 : Number(ss);
  if (hour > 23) throw new TimeSyntaxError(`hour ${hh} out of range`);
  if (minute > 59) throw new TimeSyntaxError(`minute ${mm} out of range`);
  if (second > 59) throw new TimeSyntaxError(`second ${ss} out of range`);
  let micros = 0;
  if (frac !== undefined) {
    micros = Number(frac.slice(0, 6).padEnd(6, '0'));
    if (frac.length > 6 && frac.charCodeAt(6) >= 53 /* '5' */) micros += 1;
  }
  let offsetMinutes = 0;
  if (zone !== undefined && zone.toUpperCase() !== 'Z') {
    const sign = zone[0] === '-' ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    const oh = Number(digits.slice(0, 2));
    const om = digits.length > 2 ? Number(digits.slice(2, 4)) : 0;
    if (oh > 23 || om > 59) throw new TimeSyntaxError(`offset ${zone} out of range`);
    offsetMinutes = sign * (oh * 60 + om);
  }
  const days = daysBeforeYear(year) + dayOfYear - 1;
  const seconds = days * 86_400 + hour * 3_600 + (minute - offsetMinutes) * 60 + second;
  return seconds * MICROS_PER_SECOND + micros;
}

/**
 * Formats epoch microseconds as ISO 8601 UTC: `2024-01-01T00:00:00Z`, with a six-digit fraction
 * when the time is not on a whole second (`2024-01-01T00:00:00.000250Z`). Inverse of
 * {@link parseIsoMicros}.
 */
export function formatIsoMicros(t: Micros): string {
  const seconds = Math.floor(t / MICROS_PER_SECOND);
  const micros = t - seconds * MICROS_PER_SECOND;
  const base = new Date(seconds * 1000).toISOString().slice(0, 19);
  return micros === 0 ? `${base}Z` : `${base}.${String(micros).padStart(6, '0')}Z`;
}

/** Greatest time exact in a JS number as integer microseconds (2255-06-05). */
export const MAX_EXACT_MICROS: Micros = Number.MAX_SAFE_INTEGER;
