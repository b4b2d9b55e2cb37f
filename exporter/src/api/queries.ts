/**
 * SQL of /api/v1 that ClickHouse aggregates itself (rollups, latency per arrival). Builders are
 * pure: the SQL holds only placeholders ({name:Type}), every value travels in `params`.
 */
import type { Micros } from '@lacuna/core';
import type { SqlFragment } from '@lacuna/core';
import { formatTime } from '@lacuna/core';

/** `YYYY-MM-DD` of a UTC day start. */
function dateText(day: Micros): string {
  return formatTime(day).slice(0, 10);
}

/** Decimals of percent and sample completeness in the completion matrix. */
export const PERCENT_DECIMALS = 4;
export const COMPLETENESS_DECIMALS = 6;

/**
 * Daily rollups of the matching channels over the days [fromDay, toDay): percent (100 × covered
 * / expected, null when nothing is expected) and sample completeness (samples / round(expected ×
 * rate), null without a rate), computed by ClickHouse with the same float operations as core
 * availabilityByBucket, rounded half up to PERCENT_DECIMALS / COMPLETENESS_DECIMALS decimals
 * (floor(x × 10^d + 0.5), as roundHalfUp does) and formatted by it for the response as
 * decimals (integer formatting: much cheaper than shortest float text). One TabSeparated line
 * per channel: network, station, location, channel, the number of days with a rollup row, the
 * day offsets from fromDay (`[0,1,…]`, only when some day has no row, else empty) and the
 * percent and completeness arrays as JSON text, in day order, and the day offsets of the days
 * with overlaps (`[3,17]`). The text goes into the response
 * as it is, so 2,000 × 365 cells need no parsing in JS.
 */
export function completionTextQuery(filter: SqlFragment, fromDay: Micros, toDay: Micros): SqlFragment {
  const days = Math.round((toDay - fromDay) / 86_400_000_000);
  const percent = '(100 * covered_us) / expected_us';
  const expectedSamples = 'floor(expected_us * sample_rate / 1e6 + 0.5)';
  const completeness = `samples / ${expectedSamples}`;
  const decimal = (x: string, d: number) => `toDecimal64(toInt64(floor(${x} * 1e${d} + 0.5)), 0) * toDecimal64('0.${'0'.repeat(d - 1)}1', ${d})`;
  return {
    sql: `SELECT network, station, location, channel, length(s) AS n,
            if(n = {days:UInt32}, '', toString(arrayMap(t -> t.1, s))),
            replaceAll(toString(arrayMap(t -> t.2, s)), 'NULL', 'null'),
            replaceAll(toString(arrayMap(t -> t.3, s)), 'NULL', 'null'),
            toString(arrayMap(t -> t.1, arrayFilter(t -> t.4 > 0, s)))
          FROM (
            SELECT network, station, location, channel,
              arraySort(groupArray((toInt32(day) - {fromDayNumber:Int32},
                if(expected_us > 0, ${decimal(percent, PERCENT_DECIMALS)}, NULL),
                if(sample_rate > 0 AND ${expectedSamples} > 0, ${decimal(completeness, COMPLETENESS_DECIMALS)}, NULL),
                overlaps))) AS s
            FROM availability_daily FINAL
            WHERE ${filter.sql} AND day >= {fromDay:Date32} AND day < {toDay:Date32}
            GROUP BY network, station, location, channel)`,
    params: { ...filter.params, fromDay: dateText(fromDay), toDay: dateText(toDay), days, fromDayNumber: Math.round(fromDay / 86_400_000_000) },
  };
}

/** The version of the rollup rows in a range: the newest computed_at and the row count (every refresh inserts newer rows). */
export function rollupVersionQuery(filter: SqlFragment, fromDay: Micros, toDay: Micros): SqlFragment {
  return {
    sql: `SELECT toString(max(computed_at)), count() FROM availability_daily
          WHERE ${filter.sql} AND day >= {fromDay:Date32} AND day < {toDay:Date32}`,
    params: { ...filter.params, fromDay: dateText(fromDay), toDay: dateText(toDay) },
  };
}

/** x rounded half up to `decimals` decimals: floor(x × 10^d + 0.5) / 10^d (as completionTextQuery rounds). */
export function roundHalfUp(x: number | null, decimals: number): number | null {
  if (x === null) return null;
  const scale = 10 ** decimals;
  return Math.floor(x * scale + 0.5) / scale;
}

/**
 * Data latency per arrival (a stored segment piece: data first seen together), first_seen − end
 * of that data, for arrivals with first_seen in [from, to), in buckets of `step` µs from `from`:
 * per channel one array of [bucket, max µs, mean µs, arrivals], sorted by bucket.
 */
export function latencyQuery(filter: SqlFragment, from: Micros, to: Micros, step: number): SqlFragment {
  return {
    sql: `SELECT network, station, location, channel, arraySort(groupArray((b, mx, av, n))) FROM (
            SELECT network, station, location, channel,
              intDiv(toUnixTimestamp64Micro(first_seen) - {from:Int64}, {step:Int64}) AS b,
              max(toUnixTimestamp64Micro(first_seen) - toUnixTimestamp64Micro(end_time)) AS mx,
              avg(toUnixTimestamp64Micro(first_seen) - toUnixTimestamp64Micro(end_time)) AS av,
              count() AS n
            FROM segments
            WHERE ${filter.sql}
              AND first_seen >= fromUnixTimestamp64Micro({from:Int64}, 'UTC')
              AND first_seen < fromUnixTimestamp64Micro({to:Int64}, 'UTC')
            GROUP BY network, station, location, channel, b)
          GROUP BY network, station, location, channel`,
    params: { ...filter.params, from, to, step },
  };
}

/** Per channel over arrivals with first_seen in [from, to): count, max and mean data latency (µs). */
export function latencySummaryQuery(filter: SqlFragment, from: Micros, to: Micros): SqlFragment {
  return {
    sql: `SELECT network, station, location, channel, count(),
            max(toUnixTimestamp64Micro(first_seen) - toUnixTimestamp64Micro(end_time)),
            avg(toUnixTimestamp64Micro(first_seen) - toUnixTimestamp64Micro(end_time))
          FROM segments
          WHERE ${filter.sql}
            AND first_seen >= fromUnixTimestamp64Micro({from:Int64}, 'UTC')
            AND first_seen < fromUnixTimestamp64Micro({to:Int64}, 'UTC')
          GROUP BY network, station, location, channel`,
    params: { ...filter.params, from, to },
  };
}
