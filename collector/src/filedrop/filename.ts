import type { Micros } from '@lacuna/core';
import { dayOfYearFromDate, daysInMonth, epochMicrosFromYearDay, isLeapYear, parseTime } from '@lacuna/core';

/** Named groups a file-name pattern may have. */
export const NAME_GROUPS = ['stream', 'time', 'year', 'month', 'day', 'doy', 'hour', 'minute', 'second'] as const;

/**
 * A file-name pattern: a regular expression with named groups. `stream` gives the stream id;
 * the data time comes from `time` (ISO 8601, extended or basic: 2024-05-01T12:00:00Z, 20240501T1200) or from `year`
 * with `month` and `day`, or with `doy` (day of year), and optionally `hour`, `minute`, `second`.
 * Throws naming the pattern when it does not compile or has other groups, or a time without a year.
 */
export function parseNamePattern(text: string): RegExp {
  let pattern: RegExp;
  try {
    pattern = new RegExp(text);
  } catch (error) {
    throw new Error(`bad file-name pattern ${JSON.stringify(text)}: ${(error as Error).message}`);
  }
  const groups = [...text.matchAll(/\(\?<([A-Za-z_$][\w$]*)>/g)].map((match) => match[1]);
  const unknown = groups.filter((group) => !(NAME_GROUPS as readonly string[]).includes(group));
  if (unknown.length > 0) {
    throw new Error(`bad file-name pattern ${JSON.stringify(text)}: unknown group${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')} (use ${NAME_GROUPS.join(', ')})`);
  }
  const has = (group: string) => groups.includes(group);
  if (!has('time') && (has('month') || has('day') || has('doy') || has('hour') || has('minute') || has('second')) && !has('year')) {
    throw new Error(`bad file-name pattern ${JSON.stringify(text)}: a date needs a year group`);
  }
  return pattern;
}

/** ISO 8601 basic form (20240501T120000Z, as file names often have it) in the extended form parseTime reads. */
function extendedIso(text: string): string {
  const basic = /^(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})?(\.\d+)?)?(Z)?$/.exec(text);
  if (!basic) return text;
  const [, y, mo, d, h, mi, sec, fraction = '', zone = ''] = basic;
  return h === undefined ? `${y}-${mo}-${d}` : `${y}-${mo}-${d}T${h}:${mi}:${sec ?? '00'}${fraction}${zone}`;
}

/**
 * The stream id and data time a file name gives (each null when the pattern has no group for
 * it); null when the name does not match. Throws naming the file when its time fields are wrong.
 */
export function readFileName(name: string, pattern: RegExp): { stream: string | null; time: Micros | null } | null {
  const match = pattern.exec(name);
  if (!match) return null;
  const groups = match.groups ?? {};
  const stream = groups.stream ?? null;
  if (groups.time !== undefined) {
    try {
      return { stream, time: parseTime(extendedIso(groups.time)) };
    } catch (error) {
      throw new Error(`file ${name}: ${(error as Error).message}`);
    }
  }
  if (groups.year === undefined) return { stream, time: null };
  const number = (group: string, low: number, high: number, fallback: number) => {
    const text = groups[group];
    if (text === undefined) return fallback;
    const value = Number(text);
    if (!Number.isInteger(value) || value < low || value > high) throw new Error(`file ${name}: ${group} ${JSON.stringify(text)} is not in ${low}..${high}`);
    return value;
  };
  const year = number('year', 1, 9999, 0);
  let doy: number;
  if (groups.doy !== undefined) {
    doy = number('doy', 1, isLeapYear(year) ? 366 : 365, 1);
  } else {
    const month = number('month', 1, 12, 1);
    doy = dayOfYearFromDate(year, month, number('day', 1, daysInMonth(year, month), 1));
  }
  return { stream, time: epochMicrosFromYearDay(year, doy, number('hour', 0, 23, 0), number('minute', 0, 59, 0), number('second', 0, 59, 0), 0) };
}
