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

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
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

/** `2024-01-31` or `2024-01-31 12:00` (UTC) for axis ticks and grid columns. */
export function formatTick(us: number, withTime: boolean): string {
  const iso = formatMicros(us);
  return withTime ? `${iso.slice(0, 10)} ${iso.slice(11, 16)}` : iso.slice(0, 10);
}
