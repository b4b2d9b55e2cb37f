import type { ChannelEpoch, ChannelId, Micros, Segment } from './model.ts';
import { channelKey } from './channel.ts';
import { findGaps, joinSegments, type Interval } from './segments.ts';
import { availabilityByBucket, bucketGrid, expectedIntervals } from './availability.ts';
import { toleranceFor, type ToleranceRule } from './tolerance-rules.ts';

/**
 * What the `segments`, `gaps` and `availability` reports (CLI now, API later) compute from stored
 * per-file segments: join them across files with the channel's tolerance, then apply the definitions of docs/definitions.md
 * definitions. Rows use the field names of the CLI's JSON; times stay in µs until printed.
 */
export interface ChannelData {
  id: ChannelId;
  /** Stored segments of the channel (per file, qualities apart), including neighbours of the window. */
  segments: Segment[];
  epochs: ChannelEpoch[];
}

export interface ReportOptions {
  window: Interval;
  /** Join qualities (default, as EarthScope msi) or report each quality apart. */
  mergeQuality: boolean;
  tolerance: readonly ToleranceRule[];
}

export interface SegmentRow {
  channel: string;
  quality: string;
  sample_rate: number;
  start: Micros;
  end: Micros;
  samples: number;
}

export interface GapRow {
  channel: string;
  quality: string;
  sample_rate: number;
  start: Micros;
  end: Micros;
  gap_s: number;
  missing_samples: number;
}

export interface AvailabilityRow {
  channel: string;
  /** Only when qualities are kept apart. */
  quality?: string;
  /** Bucket start: a UTC day or hour. */
  bucket: Micros;
  percent: number | null;
  covered_s: number;
  expected_s: number;
  gaps: number;
  max_gap_s: number;
  overlaps: number;
}

/** Groups stored segments and epochs by channel, in the order of `channels`. */
export function groupByChannel(
  channels: readonly ChannelId[],
  segments: readonly (ChannelId & Segment)[],
  epochs: readonly ChannelEpoch[],
): ChannelData[] {
  const byKey = new Map<string, ChannelData>();
  for (const id of channels) byKey.set(channelKey(id), { id, segments: [], epochs: [] });
  for (const segment of segments) byKey.get(channelKey(segment))?.segments.push(segment);
  for (const epoch of epochs) byKey.get(channelKey(epoch))?.epochs.push(epoch);
  return [...byKey.values()];
}

/** The channel's stored segments as one group (qualities merged) or one group per quality. */
function qualityGroups(data: ChannelData, mergeQuality: boolean): [quality: string | undefined, segments: Segment[]][] {
  if (mergeQuality) return [[undefined, data.segments]];
  const qualities = [...new Set(data.segments.map((segment) => segment.quality))].sort();
  return qualities.map((quality) => [quality, data.segments.filter((segment) => segment.quality === quality)]);
}

/** The channel's segments joined across files, per quality group. */
function joinedByQuality(data: ChannelData, options: ReportOptions): Segment[][] {
  const tolerance = toleranceFor(options.tolerance, data.id);
  return qualityGroups(data, options.mergeQuality).map(([, segments]) => joinSegments(segments, { tolerance, mergeQuality: options.mergeQuality }));
}

function touchesWindow(start: Micros, end: Micros, window: Interval): boolean {
  return start < window.end && end >= window.start;
}

export function segmentRows(channels: readonly ChannelData[], options: ReportOptions): SegmentRow[] {
  return channels.flatMap((data) =>
    joinedByQuality(data, options).flatMap((segments) =>
      segments
        .filter((segment) => touchesWindow(segment.start, segment.end + 1e6 / segment.sampleRate, options.window))
        .map((segment) => ({
          channel: channelKey(data.id),
          quality: segment.quality,
          sample_rate: segment.sampleRate,
          start: segment.start,
          end: segment.end,
          samples: segment.samples,
        })),
    ),
  );
}

/** Gaps (and, when asked, overlaps) whose span reaches into the window. */
export function gapRows(channels: readonly ChannelData[], options: ReportOptions & { overlaps: boolean }): GapRow[] {
  return channels.flatMap((data) => {
    const tolerance = toleranceFor(options.tolerance, data.id);
    return joinedByQuality(data, options).flatMap((segments) =>
      findGaps(segments, { tolerance })
        .filter((gap) => (gap.kind === 'gap' || options.overlaps) && touchesWindow(Math.min(gap.start, gap.end), Math.max(gap.start, gap.end), options.window))
        .map((gap) => ({
          channel: channelKey(data.id),
          quality: gap.quality,
          sample_rate: gap.sampleRate,
          start: gap.start,
          end: gap.end,
          gap_s: gap.gapSeconds,
          missing_samples: gap.missingSamples,
        })),
    );
  });
}

/**
 * The rows an availability report makes at most (a row per channel, or channel and quality, and
 * bucket): a larger one is refused before any row is made. The demo's 32 channels over 350 years
 * by the hour, 98 million rows, ran `lacuna start` out of memory when asked through
 * /api/v1/reports, taking its collector and exporter down.
 */
export const MAX_AVAILABILITY_ROWS = 1_000_000;

/** A report refused for its size, saying how large it would be and what to ask instead. */
export class ReportTooLargeError extends Error {}

/** A count as a refusal says it, with thousands separated: 98,177,280. */
export function formatCount(count: number): string {
  return count.toLocaleString('en-US');
}

/**
 * Availability per UTC day or hour; only expected time counts. With qualities kept apart, each
 * quality's coverage is reported on its own rows (with a `quality` field). Throws
 * ReportTooLargeError for more than MAX_AVAILABILITY_ROWS rows.
 */
export function availabilityRows(channels: readonly ChannelData[], options: ReportOptions & { bucket: 'day' | 'hour' }): AvailabilityRow[] {
  const groups = channels.reduce((sum, data) => sum + qualityGroups(data, options.mergeQuality).length, 0);
  const buckets = bucketGrid(options.window, options.bucket).count;
  if (groups * buckets > MAX_AVAILABILITY_ROWS) {
    throw new ReportTooLargeError(
      `availability by ${options.bucket} would be ${formatCount(groups * buckets)} rows (${formatCount(groups)} ${options.mergeQuality ? 'channels' : 'channel qualities'} × ${formatCount(buckets)} ${options.bucket}s), ` +
        `more than the ${formatCount(MAX_AVAILABILITY_ROWS)} made at once: ask for a shorter window${options.bucket === 'hour' ? ', by day,' : ''} or fewer channels`,
    );
  }
  return channels.flatMap((data) => {
    const tolerance = toleranceFor(options.tolerance, data.id);
    const expected = expectedIntervals(data.epochs, options.window);
    return qualityGroups(data, options.mergeQuality).flatMap(([quality, segments]) =>
      availabilityByBucket(segments, { window: options.window, bucket: options.bucket, expected, tolerance }).map((bucket) => ({
        channel: channelKey(data.id),
        ...(quality === undefined ? {} : { quality }),
        bucket: bucket.start,
        percent: bucket.percent,
        covered_s: bucket.coveredSeconds,
        expected_s: bucket.expectedSeconds,
        gaps: bucket.gaps,
        max_gap_s: bucket.maxGapSeconds,
        overlaps: bucket.overlaps,
      })),
    );
  });
}
