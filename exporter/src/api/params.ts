/**
 * Parameters of /api/v1: zod schemas (strict: unknown parameters are rejected) and the checks of
 * a time range against the exporter's limits. Every failure is a 400 naming the parameter.
 */
import { z } from 'zod';
import { parseChannelPatterns, MAX_CHANNEL_PATTERNS_LENGTH, type ChannelPattern } from '@lacuna/core';
import { MICROS_PER_DAY, type Micros } from '@lacuna/core';
import type { Interval } from '@lacuna/core';
import { floorToDay, formatTime, LATEST_STORABLE_TIME, parseTime } from '@lacuna/core';
import { badRequest } from '../http/errors.ts';
import { MAX_WINDOW_DAYS, parseWindow } from '../status.ts';
import type { ExporterLimits } from '../app.ts';

/** Most spans per timeline row a client may ask for. */
export const MAX_POINTS = 10_000;
export const DEFAULT_POINTS = 1000;
/** Most time buckets a latency series may have. */
export const MAX_STEPS = 10_000;
/** When `from` is absent: this long before `to`. */
export const DEFAULT_RANGE_MICROS = MICROS_PER_DAY;

const MAX_TIME_LENGTH = 64;

/** A channel pattern list (core parseChannelPatterns syntax); absent = every channel. */
export const patternsParam = z
  .string()
  .max(MAX_CHANNEL_PATTERNS_LENGTH, `at most ${MAX_CHANNEL_PATTERNS_LENGTH} characters`)
  .transform((text, ctx): ChannelPattern[] => {
    try {
      return parseChannelPatterns(text);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: (error as Error).message });
      return z.NEVER;
    }
  });

/**
 * A time: what core parseTime reads (ISO 8601, YYYY,DDD, now, -7d …; relative to the request's
 * now), or a whole number of milliseconds since the Unix epoch (Grafana's `${__from}`). `other`
 * reads one more form into ISO 8601 (null: not that form), and `otherExample` names it in errors.
 */
export function timeParam(now: Micros, other?: { read: (text: string) => string | null; example: string }) {
  return z
    .string()
    .max(MAX_TIME_LENGTH, `at most ${MAX_TIME_LENGTH} characters`)
    .transform((text, ctx): Micros => {
      if (/^\d{1,16}$/.test(text.trim())) {
        const micros = Number(text.trim()) * 1000;
        if (Number.isSafeInteger(micros)) return micros;
        ctx.addIssue({ code: 'custom', message: `${text} milliseconds is out of range: times are exact only until about 2255` });
        return z.NEVER;
      }
      try {
        return parseTime(other?.read(text) ?? text, now);
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: `${(error as Error).message}; or milliseconds since 1970 such as 1717171717000${other ? `; or ${other.example}` : ''}` });
        return z.NEVER;
      }
    });
}

/** A whole number from `min` to `max`. */
export function integerParam(min: number, max: number) {
  const message = `expected a whole number from ${min} to ${max}`;
  return z
    .string()
    .regex(/^\d{1,9}$/, message)
    .transform(Number)
    .refine((n) => n >= min && n <= max, message);
}

const DURATION = /^(\d{1,9}(?:\.\d{1,6})?)(us|ms|s|m|h|d)?$/;
const DURATION_UNIT: Record<string, number> = { us: 1, ms: 1e3, s: 1e6, m: 60e6, h: 3600e6, d: 86_400e6 };

/** A duration: seconds (`90`, `0.5`) or a number with a unit us, ms, s, m, h, d (`10m`), at most MAX_WINDOW_DAYS; in µs. */
export const durationParam = z
  .string()
  .regex(DURATION, 'expected seconds (90, 0.5) or a number with a unit us, ms, s, m, h or d (10m)')
  .transform((text) => {
    const [, number, unit] = DURATION.exec(text)!;
    return Math.round(Number(number) * DURATION_UNIT[unit ?? 's']);
  })
  .refine((us) => us <= MAX_WINDOW_DAYS * MICROS_PER_DAY, `at most ${MAX_WINDOW_DAYS} days`);

/** from/to of a request, both optional. */
export function rangeParams(now: Micros) {
  return { from: timeParam(now).optional(), to: timeParam(now).optional() };
}

/**
 * The latest `to`: the answers look at whole days up to a day past the range, and the day after
 * 2255-06-05 begins past the last exact microsecond (2255-06-05T23:47:34Z): such ranges failed
 * with a 500.
 */
const LATEST_RANGE_END = floorToDay(LATEST_STORABLE_TIME) - MICROS_PER_DAY;

/**
 * The half-open range [from, to): `to` defaults to now, `from` to one day before `to`. It must
 * be non-empty, end by LATEST_RANGE_END and be at most `limits.maxRangeDays` long.
 */
export function resolveRange(query: { from?: Micros; to?: Micros }, limits: ExporterLimits, now: Micros): Interval {
  const end = query.to ?? now;
  const start = query.from ?? end - DEFAULT_RANGE_MICROS;
  if (end > LATEST_RANGE_END) throw badRequest(`parameter to: at most ${formatTime(LATEST_RANGE_END)}`);
  if (end <= start) throw badRequest(`parameter to: must be after from`);
  const maxMicros = limits.maxRangeDays * MICROS_PER_DAY;
  if (end - start > maxMicros) {
    const days = (end - start) / MICROS_PER_DAY;
    throw badRequest(`parameter from: the range from..to spans ${formatNumber(days)} days, at most ${limits.maxRangeDays} are allowed`);
  }
  return { start, end };
}

/** A 400 when `count` exceeds the row limit; names the parameter to change. */
export function checkRows(parameter: string, count: number, limits: ExporterLimits, what: string): void {
  if (count > limits.maxRows) {
    throw badRequest(`parameter ${parameter}: the response would hold ${count} ${what}, at most ${limits.maxRows} are allowed; select fewer channels or a shorter range`);
  }
}

function formatNumber(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(3);
}

// ---------------------------------------------------------------------------------------------
// Per endpoint (strict: any other parameter is a 400)

export function channelsSchema() {
  return z.strictObject({
    pattern: patternsParam.optional(),
    level: z.enum(['network', 'station', 'channel']).optional(),
  });
}

export function timelineSchema(now: Micros) {
  return z.strictObject({ channel: patternsParam.optional(), ...rangeParams(now), maxPoints: integerParam(1, MAX_POINTS).optional() });
}

export function completionSchema(now: Micros) {
  return z.strictObject({ channel: patternsParam.optional(), ...rangeParams(now), bucket: z.enum(['day', 'hour']).optional() });
}

export function gapsSchema(now: Micros) {
  return z.strictObject({ channel: patternsParam.optional(), ...rangeParams(now), minGap: durationParam.optional() });
}

export function statsSchema(now: Micros) {
  return z.strictObject({ channel: patternsParam.optional(), ...rangeParams(now) });
}

export function latencySchema(now: Micros) {
  return z.strictObject({
    channel: patternsParam.optional(),
    ...rangeParams(now),
    step: durationParam.refine((us) => us >= 1_000_000, 'at least 1 s').optional(),
  });
}

/** A trailing window such as 1h, 1d, 7d (whole number and unit s, m, h, d or w), as /metrics' windows. */
export const windowParam = z
  .string()
  .max(8, 'at most 8 characters')
  .transform((text, ctx) => {
    try {
      return parseWindow(text);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: (error as Error).message });
      return z.NEVER;
    }
  });

export function stationsSchema() {
  return z.strictObject({ channel: patternsParam.optional(), window: windowParam.optional() });
}
