/**
 * Times as Lacuna has them: integer microseconds since the Unix epoch, UTC. Grafana speaks
 * milliseconds; the tooltips show microseconds, so conversions stay exact here.
 */

export const MICROS_PER_MS = 1000;
export const MICROS_PER_SECOND = 1_000_000;
export const MICROS_PER_MINUTE = 60 * MICROS_PER_SECOND;
export const MICROS_PER_HOUR = 60 * MICROS_PER_MINUTE;
export const MICROS_PER_DAY = 24 * MICROS_PER_HOUR;

const ISO_TIME = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?(Z|[+-]\d{2}:?\d{2})?$/;

/**
 * Microseconds from an API time: a number is already µs; a string is ISO 8601 (fractions down to
 * the microsecond are kept; without a zone it is UTC). Null when the value is neither.
 */
export function microsFromApiTime(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? Math.round(value) : null;
  if (typeof value !== 'string') return null;
  const text = value.trim();
  if (/^-?\d{1,17}$/.test(text)) return Number(text);
  const match = ISO_TIME.exec(text);
  if (!match) return null;
  const [, date, hour = '00', minute = '00', second = '00', fraction = '', zone = 'Z'] = match;
  const wholeSeconds = Date.parse(`${date}T${hour}:${minute}:${second}${zone === 'Z' ? 'Z' : normaliseZone(zone)}`);
  if (Number.isNaN(wholeSeconds)) return null;
  const micros = Number((fraction + '000000').slice(0, 6)) + (fraction.length > 6 && Number(fraction[6]) >= 5 ? 1 : 0);
  return wholeSeconds * MICROS_PER_MS + micros;
}

function normaliseZone(zone: string): string {
  return zone.length === 5 ? `${zone.slice(0, 3)}:${zone.slice(3)}` : zone;
}

/** `2024-01-31T12:00:00.500000Z`: ISO 8601 UTC with all six fraction digits. */
export function formatMicros(us: number): string {
  const ms = Math.floor(us / MICROS_PER_MS);
  const date = new Date(ms);
  const microsInSecond = us - Math.floor(us / MICROS_PER_SECOND) * MICROS_PER_SECOND;
  return (
    `${pad(date.getUTCFullYear(), 4)}-${pad(date.getUTCMonth() + 1, 2)}-${pad(date.getUTCDate(), 2)}` +
    `T${pad(date.getUTCHours(), 2)}:${pad(date.getUTCMinutes(), 2)}:${pad(date.getUTCSeconds(), 2)}` +
    `.${pad(microsInSecond, 6)}Z`
  );
}

/** `2d 3h 4m 5.25s`: a duration people read at a glance; whole units are left out when zero. */
export function formatDuration(us: number): string {
  if (!Number.isFinite(us)) return '';
  const sign = us < 0 ? '-' : '';
  let rest = Math.abs(us);
  const parts: string[] = [];
  for (const [unit, size] of [
    ['d', MICROS_PER_DAY],
    ['h', MICROS_PER_HOUR],
    ['m', MICROS_PER_MINUTE],
  ] as const) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
  }
  if (rest > 0 || parts.length === 0) {
    const seconds = rest / MICROS_PER_SECOND;
    parts.push(`${Number.isInteger(seconds) ? seconds : Number(seconds.toFixed(6))}s`);
  }
  return sign + parts.join(' ');
}

// ---------------------------------------------------------------------------------------------
// Time zones: the dashboard's, for axes. Tooltips keep exact UTC times (they end in Z).

/**
 * The IANA zone a dashboard time zone names: Grafana's `utc` (or empty) is UTC, `browser` the
 * browser's own zone; anything Intl does not know falls back to UTC rather than failing.
 */
export function resolveTimeZone(zone: string | undefined): string {
  if (!zone || zone.toLowerCase() === 'utc') return 'UTC';
  const name = zone === 'browser' ? Intl.DateTimeFormat().resolvedOptions().timeZone : zone;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return name;
  } catch {
    return 'UTC';
  }
}

/** Calendar fields of a time in a zone; month 1–12. */
export interface LocalFields {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const zoneFormats = new Map<string, Intl.DateTimeFormat>();

function zoneFormat(zone: string): Intl.DateTimeFormat {
  let format = zoneFormats.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    zoneFormats.set(zone, format);
  }
  return format;
}

export function localFields(us: number, zone: string): LocalFields {
  const ms = Math.floor(us / MICROS_PER_MS);
  if (zone === 'UTC') {
    const d = new Date(ms);
    return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), hour: d.getUTCHours(), minute: d.getUTCMinutes(), second: d.getUTCSeconds() };
  }
  const fields: Record<string, number> = {};
  for (const part of zoneFormat(zone).formatToParts(ms)) if (part.type !== 'literal') fields[part.type] = Number(part.value);
  return { year: fields.year, month: fields.month, day: fields.day, hour: fields.hour, minute: fields.minute, second: fields.second };
}

/** The zone's offset from UTC at a time, µs (Europe/Berlin in summer: +2 h). */
export function zoneOffsetUs(us: number, zone: string): number {
  if (zone === 'UTC') return 0;
  const f = localFields(us, zone);
  const wholeSecondUs = Math.floor(us / MICROS_PER_SECOND) * MICROS_PER_SECOND;
  return Date.UTC(f.year, f.month - 1, f.day, f.hour, f.minute, f.second) * MICROS_PER_MS - wholeSecondUs;
}

/**
 * The UTC time of a wall-clock time in a zone, given as µs of the same fields read as UTC. In a
 * DST gap the hour that does not exist maps to the instant after it; in an overlap to the first.
 */
export function utcOfLocal(localAsUtcUs: number, zone: string): number {
  if (zone === 'UTC') return localAsUtcUs;
  const first = localAsUtcUs - zoneOffsetUs(localAsUtcUs, zone);
  return localAsUtcUs - zoneOffsetUs(first, zone);
}

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}

/** `2024-01-31` in the zone. */
export function formatDate(us: number, zone = 'UTC'): string {
  const f = localFields(us, zone);
  return `${pad(f.year, 4)}-${pad(f.month, 2)}-${pad(f.day, 2)}`;
}

/** `2024-01-31` or `2024-01-31 12:00` in the zone, for grid columns. */
export function formatTick(us: number, withTime: boolean, zone = 'UTC'): string {
  if (!withTime) return formatDate(us, zone);
  const f = localFields(us, zone);
  return `${formatDate(us, zone)} ${pad(f.hour, 2)}:${pad(f.minute, 2)}`;
}
