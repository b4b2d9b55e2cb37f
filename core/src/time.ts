import { MICROS_PER_DAY, MICROS_PER_HOUR, MICROS_PER_SECOND, type Micros } from './model.ts';

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

// ---------------------------------------------------------------------------------------------
// Calendar arithmetic (proleptic Gregorian, UTC, no leap seconds). Exact integer arithmetic:
// no Date objects, no floating-point division of large values.

const MONTH_NAMES = [
  'January', 'February', 'March', 'April', 'May', 'June',
  'July', 'August', 'September', 'October', 'November', 'December',
];

/** Whether `year` is a leap year (proleptic Gregorian). */
export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

function daysInYear(year: number): number {
  return isLeapYear(year) ? 366 : 365;
}

export function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** Day of the year (1-based) of a calendar date. */
export function dayOfYearFromDate(year: number, month: number, day: number): number {
  let doy = day;
  for (let m = 1; m < month; m++) doy += daysInMonth(year, m);
  return doy;
}

/** `a mod m` with the sign of `m` (m > 0): the remainder of floor division. Exact for integers. */
function floorMod(a: number, m: number): number {
  const r = a % m;
  return r < 0 ? r + m : r;
}

/** Start of the UTC day containing `us` (exact; correct before 1970). */
export function floorToDay(us: Micros): Micros {
  return us - floorMod(us, MICROS_PER_DAY);
}

/** Start of the UTC hour containing `us` (exact; correct before 1970). */
export function floorToHour(us: Micros): Micros {
  return us - floorMod(us, MICROS_PER_HOUR);
}

/** The UTC calendar fields of an epoch-microsecond time. */
export interface UtcFields {
  year: number;
  /** 1..12 */
  month: number;
  /** 1..31 */
  day: number;
  /** 1..366 */
  dayOfYear: number;
  hour: number;
  minute: number;
  second: number;
  /** 0..999999 */
  micros: number;
}

/** Splits an integer epoch-microsecond time into UTC calendar fields. */
export function utcFields(us: Micros): UtcFields {
  if (!Number.isSafeInteger(us)) throw new RangeError(`not an integer microsecond time: ${us}`);
  const micros = floorMod(us, MICROS_PER_SECOND);
  const totalSeconds = (us - micros) / MICROS_PER_SECOND; // exact: a multiple of 10^6
  const secondOfDay = floorMod(totalSeconds, 86_400);
  const days = (totalSeconds - secondOfDay) / 86_400; // exact: a multiple of 86400
  // Estimate the year, then correct it (the estimate is off by at most one).
  let year = 1970 + Math.floor(days / 365.2425);
  while (daysBeforeYear(year) > days) year--;
  while (daysBeforeYear(year + 1) <= days) year++;
  const dayOfYear = days - daysBeforeYear(year) + 1;
  let month = 1;
  let day = dayOfYear;
  while (day > daysInMonth(year, month)) {
    day -= daysInMonth(year, month);
    month++;
  }
  return {
    year,
    month,
    day,
    dayOfYear,
    hour: Math.floor(secondOfDay / 3_600),
    minute: Math.floor((secondOfDay % 3_600) / 60),
    second: secondOfDay % 60,
    micros,
  };
}

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}

/**
 * ISO 8601 UTC with exactly six fractional digits and `Z`, e.g. `2007-12-31T23:59:59.915000Z`.
 * Correct before 1970 (floor division). Throws RangeError for a non-integer time.
 */
export function formatTime(us: Micros): string {
  const f = utcFields(us);
  return (
    `${pad(f.year, 4)}-${pad(f.month, 2)}-${pad(f.day, 2)}` +
    `T${pad(f.hour, 2)}:${pad(f.minute, 2)}:${pad(f.second, 2)}.${pad(f.micros, 6)}Z`
  );
}

// ---------------------------------------------------------------------------------------------
// Parsing

const TIME_OF_DAY = String.raw`(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?`;
const ZONE = String.raw`(Z|[+-]\d{2}(?::?\d{2})?)?`;
/** 2024-01-31, 2024-01-31T12:00, 2024-01-31T12:00:00.123456789+02:00 (T or space). */
const ISO_CALENDAR = new RegExp(String.raw`^(\d{4})-(\d{2})-(\d{2})(?:[T ]${TIME_OF_DAY}${ZONE})?$`, 'i');
/** ISO ordinal date, as SEED tools write it: 2024-031, 2024-031T12:00:00Z. */
const ISO_ORDINAL = new RegExp(String.raw`^(\d{4})-(\d{3})(?:[T ]${TIME_OF_DAY}${ZONE})?$`, 'i');
/** SEED: 2024,031 / 2024,031,12 / 2024,031,12:00 / 2024,031,12:00:00.1234 */
const SEED_ORDINAL = /^(\d{4}),(\d{1,3})(?:,(\d{1,2})(?::(\d{1,2})(?::(\d{1,2})(?:\.(\d+))?)?)?)?$/;
/** -7d, -12h, -30m, -90s (also `now-7d`, and `+` for times after now). */
const RELATIVE = /^(?:now)?([+-])(\d{1,12})([dhms])$/i;

const UNIT_MICROS: Record<string, number> = {
  d: 86_400 * MICROS_PER_SECOND,
  h: 3_600 * MICROS_PER_SECOND,
  m: 60 * MICROS_PER_SECOND,
  s: MICROS_PER_SECOND,
};

const EXPECTED_FORMS =
  'expected ISO 8601 such as 2024-01-31T12:00:00Z or 2024-01-31, a SEED day such as 2024,031 or ' +
  '2024-031 (optionally with ,HH:MM:SS), now, or a time relative to now such as -7d, -12h, -30m, -90s';

class TimeSyntaxError extends Error {
  constructor(
    reason: string,
    /** The text has none of the accepted forms (the reason then lists them). */
    readonly unrecognized = false,
  ) {
    super(reason);
  }
}

/** What parseTime throws: the text, why it is not a time, and whether it has none of the accepted forms. */
export class InvalidTimeError extends Error {
  constructor(
    readonly text: string,
    readonly reason: string,
    readonly unrecognized: boolean,
  ) {
    super(`not a time: ${JSON.stringify(text)} (${reason})`);
    this.name = 'InvalidTimeError';
  }
}

/**
 * Parses a time given by a person or a query parameter into epoch microseconds (UTC).
 *
 * Accepted: ISO 8601 calendar dates with an optional time of day (`T` or a space), fractions of a
 * second up to 9 digits (rounded half up to the microsecond), and an optional `Z` or offset
 * (`+02:00`, `+0200`, `+02`; no zone means UTC); ISO ordinal dates `YYYY-DDD[THH:MM[:SS[.f]]]`;
 * SEED ordinal times `YYYY,DDD[,HH[:MM[:SS[.f]]]]`; `now`; and `-7d`, `-12h`, `-30m`, `-90s`
 * relative to `now` (default: the current time; `now-7d` and `+1h` are accepted too). Surrounding
 * white space is ignored. Leap seconds (second 60) are not representable and are rejected.
 *
 * Throws an InvalidTimeError quoting the text and saying what is wrong, e.g. `not a time: "2024-13-01" (month 13)`.
 */
export function parseTime(text: string, now?: Micros): Micros {
  try {
    return parseTimeOrThrow(text.trim(), now);
  } catch (error) {
    if (error instanceof TimeSyntaxError) throw new InvalidTimeError(text, error.message, error.unrecognized);
    throw error;
  }
}

function parseTimeOrThrow(text: string, now: Micros | undefined): Micros {
  if (text === '') throw new TimeSyntaxError('empty');
  const lower = text.toLowerCase();
  const nowMicros = (): Micros => now ?? Date.now() * 1000;
  if (lower === 'now') return nowMicros();

  let m = RELATIVE.exec(text);
  if (m) {
    const amount = Number(m[2]) * UNIT_MICROS[m[3]!.toLowerCase()]!;
    return checkRange(m[1] === '-' ? nowMicros() - amount : nowMicros() + amount);
  }

  m = ISO_CALENDAR.exec(text);
  if (m) {
    const year = Number(m[1]);
    const month = Number(m[2]);
    const day = Number(m[3]);
    if (month < 1 || month > 12) throw new TimeSyntaxError(`month ${month}`);
    if (day < 1 || day > daysInMonth(year, month)) {
      throw new TimeSyntaxError(
        `day ${day}: ${MONTH_NAMES[month - 1]} ${year} has ${daysInMonth(year, month)} days`,
      );
    }
    return fromFields(year, dayOfYearFromDate(year, month, day), m[4], m[5], m[6], m[7], m[8]);
  }

  m = ISO_ORDINAL.exec(text) ?? SEED_ORDINAL.exec(text);
  if (m) {
    const year = Number(m[1]);
    const dayOfYear = Number(m[2]);
    if (dayOfYear < 1 || dayOfYear > daysInYear(year)) {
      throw new TimeSyntaxError(`day of year ${dayOfYear}: ${year} has ${daysInYear(year)} days`);
    }
    // The ISO ordinal form has its zone in m[7]; the SEED form has no zone group (undefined).
    return fromFields(year, dayOfYear, m[3], m[4], m[5], m[6], m[7]);
  }

  if (/^\d{4}-\d{1,2}-\d{1,2}/.test(text) && !/^\d{4}-\d{2}-\d{2}/.test(text)) {
    throw new TimeSyntaxError('month and day need two digits each, e.g. 2024-01-05');
  }
  throw new TimeSyntaxError(EXPECTED_FORMS, true);
}

function fromFields(
  year: number,
  dayOfYear: number,
  hourText: string | undefined,
  minuteText: string | undefined,
  secondText: string | undefined,
  fractionText: string | undefined,
  zoneText: string | undefined,
): Micros {
  const hour = hourText === undefined ? 0 : Number(hourText);
  const minute = minuteText === undefined ? 0 : Number(minuteText);
  const second = secondText === undefined ? 0 : Number(secondText);
  if (hour > 23) throw new TimeSyntaxError(`hour ${hour}`);
  if (minute > 59) throw new TimeSyntaxError(`minute ${minute}`);
  if (second === 60) throw new TimeSyntaxError('second 60: leap seconds are not representable');
  if (second > 59) throw new TimeSyntaxError(`second ${second}`);
  let micros = 0;
  if (fractionText !== undefined) {
    if (fractionText.length > 9) {
      throw new TimeSyntaxError(`${fractionText.length} fractional digits, at most 9 are allowed`);
    }
    const nanos = Number(fractionText.padEnd(9, '0'));
    micros = Math.floor((nanos + 500) / 1000); // half up; may reach 10^6 (carries into the second)
  }
  let offsetMicros = 0;
  if (zoneText !== undefined && zoneText.toUpperCase() !== 'Z') {
    const z = /^([+-])(\d{2}):?(\d{2})?$/.exec(zoneText)!;
    const offsetHours = Number(z[2]);
    const offsetMinutes = z[3] === undefined ? 0 : Number(z[3]);
    if (offsetHours > 23 || offsetMinutes > 59) throw new TimeSyntaxError(`time zone offset ${zoneText}`);
    offsetMicros = (z[1] === '-' ? -1 : 1) * (offsetHours * 3_600 + offsetMinutes * 60) * MICROS_PER_SECOND;
  }
  return checkRange(epochMicrosFromYearDay(year, dayOfYear, hour, minute, second, micros) - offsetMicros);
}

function checkRange(us: number): Micros {
  if (!Number.isSafeInteger(us)) {
    throw new TimeSyntaxError('out of range: times are exact only from about 1685 to 2255');
  }
  return us;
}
