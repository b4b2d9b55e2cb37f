/**
 * The stored segments an availability answer is built from (FDSN query and extent), with the runs
 * of segments that surely join into one span already put together by the engine: at 10 years a
 * network of 500 channels holds 1.9 million segments but about 100,000 spans, and reading every
 * segment into JavaScript took 10 s of the 13 s an extent took.
 *
 * The join rule stays where it is (segments.ts joinSegments and findGaps, applied by the
 * exporter's spans.ts to what this returns): the engine only recognises two cases beyond doubt,
 * with a margin (SURE_MARGIN_US) far above the rounding of either side's arithmetic; whatever is
 * near a threshold, overlapping, of several rates or qualities in turn, is returned as stored.
 * In a group (a channel, and its quality and rate unless merged), pieces in the order of
 * compareSegments, reach = the latest last sample of the pieces before, Δ and tol of a rate:
 *
 * - a HEAD starts past every earlier piece's reach: start − reach > max(Δ + tol) over the earlier
 *   pieces' rates. joinSegments closes every open segment there and starts one; findGaps reports a
 *   gap; nothing before reaches a span that starts here.
 * - a LINK continues the piece before it: the same rate, start > reach (no sample overlaps) and
 *   |start − (reach + Δ)| ≤ tol. After a head and links only, joinSegments has one open segment
 *   (the head's: later ones were never opened, earlier ones were closed at the head), whose end
 *   is the reach: a link joins it; findGaps sees neither gap nor overlap.
 *
 * So a head and the links after it are one piece for the join: start of the head, end the
 * reach, samples summed. Such a piece ends, besides at the next head, where the pieces' relation
 * to the request window changes (before, within, after), so that its segments all reach the
 * window or none does, and its first-seen time, the latest of theirs, counts in spans.ts
 * latestFirstSeen as theirs did; and before the last link ahead of a piece that is neither head
 * nor link (that piece may overlap the link, and a span of that piece could hold the link).
 *
 * One query for all selections (a POST's lines, selections.ts): each segment is taken once per
 * selection it belongs to.
 */
import type { ChannelPattern } from '../channel.ts';
import type { ChannelSegment, Micros } from '../model.ts';
import type { Interval, Tolerance } from '../segments.ts';
import { selectionsMatch } from './selections.ts';
import type { SqlFragment } from './sql.ts';

/** A stored segment, or surely joined segments as one, with when its data was first seen. */
export type SpanPiece = ChannelSegment & { firstSeen: Micros };

export interface SpanPieceSelection {
  patterns: readonly ChannelPattern[];
  /** The segments covering part of it (start < end, coveredEnd > start) are read. */
  around: Interval;
  /** The request window: spans are taken when they reach it; null sides are unbounded. */
  window: { start: Micros | null; end: Micros | null };
}

export interface SpanPieceOptions {
  tolerance: Tolerance;
  /** Pieces of one channel form one group whatever their quality. */
  mergeQuality: boolean;
  /** … whatever their sample rate. */
  mergeSampleRate: boolean;
  /** Quality codes to keep; null: any. */
  qualities: readonly string[] | null;
}

/**
 * Far above the error of either side's double arithmetic on µs times below 2^53 (half a µs),
 * far below any tolerance worth the name (0.5Δ is 5,000 µs at 100 Hz).
 */
export const SURE_MARGIN_US = 2;

/** Unbounded window sides, as array values (safe integers beyond any storable time). */
const NO_START = -Number.MAX_SAFE_INTEGER;
const NO_END = Number.MAX_SAFE_INTEGER;

/** Rows of spanPiecesQuery, in column order. */
export type SpanPieceRow = [selection: number, network: string, station: string, location: string, channel: string, quality: string, sampleRate: number, start: number, end: number, samples: number, firstSeen: number];

/**
 * The query of spanPieces (rows: SpanPieceRow, `selection` the index into `selections`), with the
 * row filter a caller adds (a shard's stations).
 */
export function spanPiecesQuery(selections: readonly SpanPieceSelection[], options: SpanPieceOptions, rowFilter: SqlFragment): SqlFragment {
  const { matched, prefilter, params, patternSelection } = selectionsMatch(
    selections.map(({ patterns, around }) => ({ patterns, start: around.start, end: around.end })),
  );
  const fraction = 'fraction' in options.tolerance ? options.tolerance.fraction : 0;
  const seconds = 'seconds' in options.tolerance ? options.tolerance.seconds : 0;
  // Δ and tol of a rate, as segments.ts computes them.
  const delta = (rate: string) => `(1e6 / ${rate})`;
  const tol = (rate: string) => `({tol_fraction:Float64} * 1e6 / ${rate} + {tol_seconds:Float64} * 1e6)`;
  const head = (start: string, reach: string, span: string) => `(${start} - ${reach} - ${span} > {margin:Float64})`;
  const link = (start: string, rate: string, reach: string, previousRate: string) =>
    `(${previousRate} = ${rate} AND ${start} > ${reach} AND abs(${start} - (${reach} + ${delta(rate)})) <= ${tol(rate)} - {margin:Float64})`;
  const group = `sel, network, station, location, channel, group_quality, group_rate`;
  const order = 's, e, sample_rate, quality, samples';
  const qualityFilter = options.qualities === null ? '' : 'AND quality IN {qualities:Array(String)}';
  const sql = `
SELECT sel - 1 AS selection, network, station, location, channel, any(quality) AS quality, any(sample_rate) AS sample_rate,
  min(s) AS start_us, max(e) AS end_us, sum(samples) AS samples,
  max(fs) AS first_seen_us
FROM (
  SELECT *,
    max(if(head, rn, 0)) OVER upto AS last_head,
    max(if(head OR link, 0, rn)) OVER upto AS last_unsure,
    max(if(head OR position != previous_position, rn, 0)) OVER upto AS last_start,
    last_head > last_unsure AND (NOT has_next OR next_head OR next_link) AS joined
  FROM (
    SELECT *,
      rn = 1 OR ${head('s', 'reach', 'reach_span')} AS head,
      rn > 1 AND ${link('s', 'sample_rate', 'reach', 'previous_rate')} AS link,
      if(rn = 1, e, greatest(reach, e)) AS reach_after,
      if(rn = 1, own_span, greatest(reach_span, own_span)) AS reach_span_after,
      has_next AND ${head('next_s', 'reach_after', 'reach_span_after')} AS next_head,
      has_next AND ${link('next_s', 'next_rate', 'reach_after', 'sample_rate')} AS next_link
    FROM (
      SELECT *,
        row_number() OVER ordered AS rn,
        max(e) OVER (ordered ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS reach,
        max(own_span) OVER (ordered ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS reach_span,
        lagInFrame(sample_rate) OVER neighbours AS previous_rate,
        lagInFrame(position) OVER neighbours AS previous_position,
        leadInFrame(toUInt8(1)) OVER neighbours AS has_next,
        leadInFrame(s) OVER neighbours AS next_s,
        leadInFrame(sample_rate) OVER neighbours AS next_rate
      FROM (
        SELECT sel, network, station, location, channel, quality, sample_rate,
          if({merge_quality:Bool}, '', quality) AS group_quality, if({merge_rate:Bool}, 0, sample_rate) AS group_rate,
          toUnixTimestamp64Micro(start_time) AS s, toUnixTimestamp64Micro(end_time) AS e, samples, toUnixTimestamp64Micro(first_seen) AS fs,
          ${delta('sample_rate')} + ${tol('sample_rate')} AS own_span,
          -- Before, within or after the request window (spans.ts reachesWindow).
          multiIf(e < {window_start:Array(Int64)}[sel], -1, s >= {window_end:Array(Int64)}[sel], 1, 0) AS position
        FROM segments
        ARRAY JOIN arrayDistinct(arrayFilter((owner, hit) -> hit = 1, {pattern_selection:Array(UInt32)}, ${matched})) AS sel
        WHERE ${prefilter} AND ${rowFilter.sql}
          AND samples >= 1 AND sample_rate > 0 AND isFinite(sample_rate) ${qualityFilter}
          -- The exporter's own test of a segment against the window around (coveredEnd rounds as Math.round).
          AND s < {around_end:Array(Int64)}[sel] AND floor(e + 1e6 / sample_rate + 0.5) > {around_start:Array(Int64)}[sel]
      )
      WINDOW ordered AS (PARTITION BY ${group} ORDER BY ${order}),
        neighbours AS (PARTITION BY ${group} ORDER BY ${order} ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING)
    )
  )
  WINDOW upto AS (PARTITION BY ${group} ORDER BY ${order} ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
)
GROUP BY ${group}, if(joined, last_start, rn)`;
  return {
    sql,
    params: {
      ...params,
      ...rowFilter.params,
      pattern_selection: patternSelection.map((index) => index + 1),
      around_start: selections.map(({ around }) => around.start),
      around_end: selections.map(({ around }) => around.end),
      window_start: selections.map(({ window }) => window.start ?? NO_START),
      window_end: selections.map(({ window }) => window.end ?? NO_END),
      tol_fraction: fraction,
      tol_seconds: seconds,
      margin: SURE_MARGIN_US,
      merge_quality: options.mergeQuality,
      merge_rate: options.mergeSampleRate,
      ...(options.qualities === null ? {} : { qualities: options.qualities }),
    },
  };
}
