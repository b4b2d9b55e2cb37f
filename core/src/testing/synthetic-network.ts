import { MICROS_PER_DAY } from '../model.ts';
import type { SqlFragment } from '../store/sql.ts';

/**
 * A synthetic network written straight into a store by ClickHouse (INSERT … SELECT FROM numbers),
 * for the scale benchmark: tens of millions of rows in minutes, none built in JavaScript.
 *
 * Channel i is `NET.STA.00.CHA`: network `N00`, `N01`… of `perNetwork` channels each, three
 * components (Z, N, E) per station, stations alternating between HH (100 Hz), BH (40 Hz) and
 * LH (1 Hz). Every channel has one open metadata epoch. Each channel-day is one day file holding
 * one segment from midnight to the last sample before the next midnight, so consecutive days join;
 * one day in `gapEvery` has a gap of 1 s to 1 h inside (two segments), one in `missingEvery` has no
 * file (the first and last day always have one). The daily rollups and channel extents are
 * written by formulas from the same choices: `syntheticNetwork.test.ts` checks they equal what
 * the store's own rollup refresh computes from those segments.
 */
export interface SyntheticNetworkShape {
  channels: number;
  days: number;
  /** First day, µs (a UTC midnight). */
  start: number;
  perNetwork: number;
  gapEvery: number;
  missingEvery: number;
}

/** One batch of inserts: what it fills, for progress. */
export interface SyntheticInsert extends SqlFragment {
  table: string;
  /** Channel-days this statement covers. */
  channelDays: number;
}

const DAY_SQL = String(MICROS_PER_DAY);

/** The channel's name parts and rate from its index `ch` (SQL expressions over `ch`). */
function channelColumns(): string {
  return `concat('N', leftPad(toString(intDiv(ch, {perNetwork:UInt32})), 2, '0')) AS network,
          concat('S', leftPad(toString(intDiv(ch % {perNetwork:UInt32}, 3)), 4, '0')) AS station,
          '00' AS location,
          concat(['HH', 'BH', 'LH'][intDiv(ch % {perNetwork:UInt32}, 3) % 3 + 1], ['Z', 'N', 'E'][ch % {perNetwork:UInt32} % 3 + 1]) AS channel,
          [100.0, 40.0, 1.0][intDiv(ch % {perNetwork:UInt32}, 3) % 3 + 1] AS rate,
          toInt64(round(1e6 / rate)) AS delta_us`;
}

/**
 * The channel-days of `rows` / channels days from `fromDay`, day-major (each block of rows spans few partitions),
 * with what happens on each: `missing` (no file), `gap` (a gap of `gap_len` µs starting at
 * `gap_at` µs after midnight).
 */
const CHANNEL_DAYS = `SELECT ch, d, h, ${channelColumns()},
            {start:Int64} + d * ${DAY_SQL} AS day_start,
            d > 0 AND d < {days:UInt32} - 1 AND h % {missingEvery:UInt32} = 1 AS missing,
            NOT missing AND h % {gapEvery:UInt32} = 0 AS gap,
            toInt64(1 + intDiv(h, 7) % 22) * 3600000000 AS gap_at,
            toInt64(1 + intDiv(h, 191) % 3600) * 1000000 AS gap_len
          FROM (SELECT number % {channels:UInt32} AS ch, {fromDay:UInt32} + intDiv(number, {channels:UInt32}) AS d,
                       cityHash64(ch, d, 'lacuna-scale') AS h
                FROM numbers({rows:UInt64}))`;

/**
 * The INSERT statements that fill an empty store with the network: epochs, then per year of days
 * the segments and their daily rollups, then the channel extents. Run them in order.
 */
export function syntheticNetworkInserts(shape: SyntheticNetworkShape): SyntheticInsert[] {
  const base = {
    channels: shape.channels,
    days: shape.days,
    start: shape.start,
    perNetwork: shape.perNetwork,
    gapEvery: shape.gapEvery,
    missingEvery: shape.missingEvery,
  };
  const inserts: SyntheticInsert[] = [
    {
      table: 'channel_epochs',
      channelDays: 0,
      sql: `INSERT INTO channel_epochs
            SELECT network, station, location, channel, fromUnixTimestamp64Micro({start:Int64} - 365 * ${DAY_SQL}, 'UTC'), NULL, rate,
                   -60 + (ch * 7919 % 12000) / 100, -180 + (ch * 104729 % 36000) / 100, NULL, 600, 3600, 'synthetic:metadata', now64(6)
            FROM (SELECT number AS ch, ${channelColumns()} FROM numbers({channels:UInt32}))`,
      params: base,
    },
  ];
  for (let fromDay = 0; fromDay < shape.days; fromDay += 365) {
    const toDay = Math.min(shape.days, fromDay + 365);
    const channelDayCount = (toDay - fromDay) * shape.channels;
    const params = { ...base, fromDay, rows: channelDayCount };
    inserts.push({
      table: 'segments',
      channelDays: channelDayCount,
      // A day file's pieces [from, to) in µs after midnight: the whole day, or the two sides of the gap.
      sql: `INSERT INTO segments
            SELECT network, station, location, channel, 'D', rate,
                   fromUnixTimestamp64Micro(day_start + piece.1, 'UTC'), fromUnixTimestamp64Micro(day_start + piece.2 - delta_us, 'UTC'),
                   toUInt64(round((piece.2 - piece.1) * rate / 1e6)), intDiv(delta_us, 2),
                   concat('/synthetic/', network, '/', station, '.', location, '.', channel, '/', toString(d)), 1,
                   fromUnixTimestamp64Micro(day_start + ${DAY_SQL} + toInt64(5 + h % 300) * 1000000, 'UTC')
            FROM (SELECT *, arrayJoin(if(gap, [(toInt64(0), gap_at), (gap_at + gap_len, toInt64(${DAY_SQL}))], [(toInt64(0), toInt64(${DAY_SQL}))])) AS piece
                  FROM (${CHANNEL_DAYS}) WHERE NOT missing)`,
      params,
    });
    inserts.push({
      table: 'availability_daily',
      channelDays: channelDayCount,
      // The figures core availabilityByBucket gives each day: a gap inside a day counts there, with
      // its length gap_len + Δ (from the last sample before it); a missing day is one gap over the whole day.
      sql: `INSERT INTO availability_daily
            SELECT network, station, location, channel, toDate32(fromUnixTimestamp64Micro(day_start, 'UTC')),
                   multiIf(missing, 0, gap, ${DAY_SQL} - gap_len, ${DAY_SQL}), ${DAY_SQL},
                   missing OR gap, multiIf(missing, ${DAY_SQL}, gap, gap_len + delta_us, 0), 0,
                   toUInt64(round(multiIf(missing, 0, gap, ${DAY_SQL} - gap_len, ${DAY_SQL}) * rate / 1e6)), rate, now64(6)
            FROM (${CHANNEL_DAYS})`,
      params,
    });
  }
  inserts.push({
    table: 'channel_extents',
    channelDays: 0,
    sql: `INSERT INTO channel_extents
          SELECT network, station, location, channel, min(start_time), max(end_time), count(), now64(6), 0
          FROM segments WHERE source LIKE '/synthetic/%'
          GROUP BY network, station, location, channel`,
    params: {},
  });
  return inserts;
}
