/**
 * Stored segments → FDSN availability time spans and extents. Pure.
 *
 * The store keeps segments per source file with qualities apart. A channel's spans are those
 * segments joined across files by the join rule of docs/definitions.md (core joinSegments) with tolerance 0.5Δ,
 * or exactly `mergegaps` seconds when given (SeisComP's rule). Spans are kept apart per quality
 * and per sample rate unless those are merged; spans that overlap stay separate unless
 * merge=overlap, which returns the union of the data (split only at gaps beyond the tolerance,
 * core findGaps). A span's start and end are the times of its first and last sample, as a
 * segment's are in docs/definitions.md; spans are selected when they reach the request window
 * (end ≥ starttime and start < endtime) and then clipped to it, as the digest calls conforming.
 */
import { channelKey, compareChannelIds, compareText } from '@lacuna/core';
import { MICROS_PER_SECOND, type ChannelId, type Micros, type Segment } from '@lacuna/core';
import { compareSegments, findGaps, isUsableSegment, joinSegments, toleranceMicros, type Tolerance } from '@lacuna/core';
import type { SpanPiece } from '@lacuna/core';
import type { OrderBy } from './params.ts';

export interface SpanOptions {
  /** Quality codes to keep; null: any. */
  qualities: string[] | null;
  mergeQuality: boolean;
  mergeSampleRate: boolean;
  mergeOverlap: boolean;
  /** Join tolerance in seconds; null: 0.5Δ. */
  mergeGaps: number | null;
  /** The request window; null sides are unbounded. */
  window: { start: Micros | null; end: Micros | null };
}

/** One contiguous time span of a channel. */
export interface AvailabilitySpan extends ChannelId {
  /** null when qualities are merged. */
  quality: string | null;
  /** null when sample rates are merged. */
  sampleRate: number | null;
  /** First and last sample time, clipped to the request window. */
  start: Micros;
  end: Micros;
  /** When the newest of the span's data was first seen here (stored first_seen). */
  updated: Micros;
}

/** One row of /extent: a channel (and quality and rate unless merged) over the request window. */
export interface AvailabilityExtent extends ChannelId {
  quality: string | null;
  sampleRate: number | null;
  earliest: Micros;
  latest: Micros;
  timespans: number;
  updated: Micros;
  /** Lacuna serves only open data. */
  restriction: 'OPEN';
}

/** The join tolerance of a request: exactly `mergegaps` seconds when given, else 0.5Δ. */
export function spanTolerance(mergeGaps: number | null): Tolerance {
  return mergeGaps === null ? { fraction: 0.5 } : { seconds: mergeGaps };
}

/**
 * Spans of stored segments (any channels, any order) under the request's options. The pieces may
 * be the store's segments as they are, or with surely joined runs put together (core
 * span-pieces.ts): the spans are the same.
 */
export function buildSpans(stored: readonly SpanPiece[], options: SpanOptions): AvailabilitySpan[] {
  const tolerance = spanTolerance(options.mergeGaps);
  const groups = new Map<string, SpanPiece[]>();
  for (const segment of stored) {
    if (!isUsableSegment(segment)) continue;
    if (options.qualities !== null && !options.qualities.includes(segment.quality)) continue;
    const key = groupKey(segment, options.mergeQuality ? null : segment.quality, options.mergeSampleRate ? null : segment.sampleRate);
    const group = groups.get(key);
    if (group) group.push(segment);
    else groups.set(key, [segment]);
  }
  const spans: AvailabilitySpan[] = [];
  for (const pieces of groups.values()) {
    pieces.sort((a, b) => a.start - b.start); // for latestFirstSeen
    const first = pieces[0];
    const id: ChannelId = { network: first.network, station: first.station, location: first.location, channel: first.channel };
    const quality = options.mergeQuality ? null : first.quality;
    const sampleRate = options.mergeSampleRate ? null : first.sampleRate;
    for (const joined of joinGroup(pieces, tolerance, options)) {
      if (!reachesWindow(joined, options.window)) continue;
      spans.push({
        ...id,
        quality,
        sampleRate,
        start: options.window.start === null ? joined.start : Math.max(joined.start, options.window.start),
        end: options.window.end === null ? joined.end : Math.min(joined.end, options.window.end),
        updated: latestFirstSeen(pieces, joined, options.window),
      });
    }
  }
  return spans;
}

function groupKey(id: ChannelId, quality: string | null, sampleRate: number | null): string {
  return `${channelKey(id)}/${quality ?? '*'}/${sampleRate ?? '*'}`;
}

/** A span's first and last sample time. */
interface Run {
  start: Micros;
  end: Micros;
}

function reachesWindow(span: Run, window: SpanOptions['window']): boolean {
  return (window.start === null || span.end >= window.start) && (window.end === null || span.start < window.end);
}

/** The spans of one group (a channel, and a quality and rate unless merged), without duplicates. */
function joinGroup(pieces: readonly Segment[], tolerance: Tolerance, options: SpanOptions): Run[] {
  if (options.mergeOverlap) return unionSpans(pieces, tolerance);
  // Qualities in a group are all one unless merged; then they join freely.
  const joined = joinSegments(pieces, { tolerance, mergeQuality: true });
  return withoutDuplicates(options.mergeSampleRate ? joinAcrossRates(joined, tolerance) : joined);
}

/**
 * merge=overlap: the union of the pieces' data, split only where a gap exceeds the tolerance.
 * core findGaps measures exactly those gaps over the union (reach = latest last sample so far).
 */
function unionSpans(pieces: readonly Segment[], tolerance: Tolerance): Run[] {
  const spans: Run[] = [];
  let start = Infinity;
  let end = -Infinity;
  for (const piece of pieces) {
    start = Math.min(start, piece.start);
    end = Math.max(end, piece.end);
  }
  for (const gap of findGaps(pieces, { tolerance })) {
    if (gap.kind !== 'gap') continue;
    spans.push({ start, end: gap.start });
    start = gap.end;
  }
  spans.push({ start, end });
  return spans;
}

/**
 * merge=samplerate: also join spans whose rates differ when one follows the other within the
 * tolerance (of the earlier span's rate). The join rule of docs/definitions.md (joinSegments) never joins
 * different rates; FDSN's merge=samplerate makes the rate no part of a span's identity.
 */
function joinAcrossRates(spans: readonly Segment[], tolerance: Tolerance): Segment[] {
  const joined: Segment[] = [];
  for (const span of [...spans].sort(compareSegments)) {
    const previous = joined.findLast((candidate) => {
      const difference = span.start - (candidate.end + MICROS_PER_SECOND / candidate.sampleRate);
      return Math.abs(difference) <= toleranceMicros(tolerance, candidate.sampleRate);
    });
    if (previous === undefined) {
      joined.push({ ...span });
    } else {
      previous.end = Math.max(previous.end, span.end);
      previous.samples += span.samples;
    }
  }
  return joined;
}

/** The same data stored twice (a file copied, records repeated) is one span, not two. */
function withoutDuplicates(spans: readonly Run[]): Run[] {
  const seen = new Set<string>();
  return spans.filter((span) => {
    const key = `${span.start}/${span.end}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * When the newest of the data reported in a span was first seen: the latest first-seen time of the
 * group's stored pieces that lie within the joined span and reach the request window. So a window
 * over a backfilled day reports when the backfill arrived, not when the channel last had data.
 * A window inside a gap that mergegaps bridged reaches no piece: then all of the span's pieces count.
 * The pieces are in order of start, and those within the span start in it: a binary search finds
 * the first, so a channel of thousands of segments and spans does not cost their product.
 */
function latestFirstSeen(pieces: readonly SpanPiece[], span: Run, window: SpanOptions['window']): Micros {
  let low = 0;
  let high = pieces.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (pieces[middle].start < span.start) low = middle + 1;
    else high = middle;
  }
  let inWindow = -Infinity;
  let inSpan = -Infinity;
  for (let i = low; i < pieces.length && pieces[i].start <= span.end; i++) {
    const piece = pieces[i];
    if (piece.end > span.end) continue;
    inSpan = Math.max(inSpan, piece.firstSeen);
    if (reachesWindow(piece, window)) inWindow = Math.max(inWindow, piece.firstSeen);
  }
  return inWindow === -Infinity ? inSpan : inWindow;
}

/**
 * Spans of several selections (POST lines) together: a span found twice is listed once. Found by
 * sorting: a key text per span (its times as decimal text) took most of the time at 100,000 spans.
 */
export function distinctSpans(spans: readonly AvailabilitySpan[]): AvailabilitySpan[] {
  const sameGroup = (a: AvailabilitySpan, b: AvailabilitySpan) => compareChannelIds(a, b) || compareQualityAndRate(a, b);
  const distinct: AvailabilitySpan[] = [];
  for (const span of [...spans].sort((a, b) => sameGroup(a, b) || a.start - b.start || a.end - b.end)) {
    const known = distinct.at(-1);
    if (known === undefined || sameGroup(known, span) !== 0 || known.start !== span.start || known.end !== span.end) distinct.push(span);
    else if (span.updated > known.updated) distinct[distinct.length - 1] = { ...known, updated: span.updated };
  }
  return distinct;
}

/** One extent per channel (and quality and rate unless merged) over the spans. */
export function buildExtents(spans: readonly AvailabilitySpan[]): AvailabilityExtent[] {
  const byKey = new Map<string, AvailabilityExtent>();
  for (const span of spans) {
    const key = groupKey(span, span.quality, span.sampleRate);
    const extent = byKey.get(key);
    if (extent === undefined) {
      byKey.set(key, {
        network: span.network,
        station: span.station,
        location: span.location,
        channel: span.channel,
        quality: span.quality,
        sampleRate: span.sampleRate,
        earliest: span.start,
        latest: span.end,
        timespans: 1,
        updated: span.updated,
        restriction: 'OPEN',
      });
    } else {
      extent.earliest = Math.min(extent.earliest, span.start);
      extent.latest = Math.max(extent.latest, span.end);
      extent.timespans++;
      extent.updated = Math.max(extent.updated, span.updated);
    }
  }
  return [...byKey.values()];
}

type Row = ChannelId & { quality: string | null; sampleRate: number | null; updated: Micros };

function compareQualityAndRate(a: Row, b: Row): number {
  return compareText(a.quality ?? '', b.quality ?? '') || (a.sampleRate ?? 0) - (b.sampleRate ?? 0);
}

/** The digest's default order: network, station, location, channel, start, end, quality, sample rate. */
function compareSpans(a: AvailabilitySpan, b: AvailabilitySpan): number {
  return compareChannelIds(a, b) || a.start - b.start || a.end - b.end || compareQualityAndRate(a, b);
}

function compareExtents(a: AvailabilityExtent, b: AvailabilityExtent): number {
  return compareChannelIds(a, b) || a.earliest - b.earliest || a.latest - b.latest || compareQualityAndRate(a, b);
}

/** Spans in the requested order (ties in the default order). */
export function orderSpans(spans: readonly AvailabilitySpan[], orderBy: OrderBy): AvailabilitySpan[] {
  return [...spans].sort((a, b) => byUpdate(a, b, orderBy) || compareSpans(a, b));
}

/** Extents in the requested order (ties in the default order). */
export function orderExtents(extents: readonly AvailabilityExtent[], orderBy: OrderBy): AvailabilityExtent[] {
  const byCount = (a: AvailabilityExtent, b: AvailabilityExtent): number =>
    orderBy === 'timespancount' ? a.timespans - b.timespans : orderBy === 'timespancount_desc' ? b.timespans - a.timespans : 0;
  return [...extents].sort((a, b) => byUpdate(a, b, orderBy) || byCount(a, b) || compareExtents(a, b));
}

function byUpdate(a: Row, b: Row, orderBy: OrderBy): number {
  if (orderBy === 'latestupdate') return a.updated - b.updated;
  if (orderBy === 'latestupdate_desc') return b.updated - a.updated;
  return 0;
}
