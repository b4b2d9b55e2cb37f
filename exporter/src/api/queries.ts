/**
 * SQL of /api/v1 that ClickHouse aggregates itself (rollups, latency per arrival). Builders are
 * pure: the SQL holds only placeholders ({name:Type}), every value travels in `params`.
 */
import type { Micros } from '../../../core/src/model.ts';
import type { QueryFragment } from '../../../core/src/store/rollups.ts';
import { formatTime } from '../../../core/src/time.ts';

/** `YYYY-MM-DD` of a UTC day start. */
function dateText(day: Micros): string {
  return formatTime(day).slice(0, 10);
}

/**
 * Daily rollups of the matching channels over the days [fromDay, toDay), one row per channel:
 * day numbers (days since 1970-01-01), percent (100 × covered / expected, null when nothing is
 * expected) and sample completeness (samples / round(expected × rate), null without a rate),
 * computed by ClickHouse with the same float operations as core availabilityByBucket.
 */
export function completionQuery(filter: QueryFragment, fromDay: Micros, toDay: Micros): QueryFragment {
  return {
    sql: `SELECT network, station, location, channel,
            groupArray(toInt32(day)),
            groupArray(if(expected_us > 0, (100 * covered_us) / expected_us, NULL)),
            groupArray(if(sample_rate > 0 AND floor(expected_us * sample_rate / 1e6 + 0.5) > 0,
                          samples / floor(expected_us * sample_rate / 1e6 + 0.5), NULL))
          FROM availability_daily FINAL
          WHERE ${filter.sql} AND day >= {fromDay:Date32} AND day < {toDay:Date32}
          GROUP BY network, station, location, channel`,
    params: { ...filter.params, fromDay: dateText(fromDay), toDay: dateText(toDay) },
  };
}

/**
 * Data latency per arrival (a stored segment piece: data first seen together), first_seen − end
 * of that data, for arrivals with first_seen in [from, to), in buckets of `step` µs from `from`:
 * per channel one array of [bucket, max µs, mean µs, arrivals], sorted by bucket.
 */
export function latencyQuery(filter: QueryFragment, from: Micros, to: Micros, step: number): QueryFragment {
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
export function latencySummaryQuery(filter: QueryFragment, from: Micros, to: Micros): QueryFragment {
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
