import type { ChannelPattern } from '../channel.ts';
import type { Micros } from '../model.ts';
import { availabilityRows, formatCount, gapRows, groupByChannel, ReportTooLargeError, segmentRows, type ReportOptions } from '../report.ts';
import { newestCoveredEnd, type Interval } from '../segments.ts';
import { floorToDay, floorToHour } from '../time.ts';
import type { ToleranceRule } from '../tolerance-rules.ts';
import type { Store } from './store.ts';

/*
 * The reports of `lacuna segments|gaps|availability|files`, read from a store. One function for
 * both ways of reading them: the CLI on a store it opens, and a running `lacuna start` or
 * `lacuna serve` on the store it holds (/api/v1/reports), so both print the same rows.
 */

export const REPORT_KINDS = ['segments', 'gaps', 'availability'] as const;
export type ReportKind = (typeof REPORT_KINDS)[number];

export interface ReportRequest {
  patterns: ChannelPattern[];
  /** Open ends fall back to the selected channels' data (see reportWindow). */
  start?: Micros;
  end?: Micros;
  by: 'day' | 'hour';
  overlaps: boolean;
  keepQuality: boolean;
  tolerance: readonly ToleranceRule[];
}

/**
 * Stored segments a report reads at most: more is refused before any is read (every segment of a
 * large store, tens of millions, would run the process out of memory; through /api/v1/reports
 * that is a running `lacuna start`, collector and exporter with it). The same number bounds an
 * FDSN extent request.
 */
export const MAX_REPORT_SEGMENTS = 2_000_000;

/** A report's rows: the field names of the CLI's JSON, times in µs. */
export type ReportRow = Record<string, unknown>;

/**
 * The window of a report: what was asked, with an open start at the selected channels' first
 * data (to the bucket for availability), and an open end for now just after their last sample
 * (reportRows moves it to where that sample's coverage ends); and how many stored segments meet
 * it, when that is known on the way (both ends open: all of them).
 */
async function reportWindow(store: Store, kind: ReportKind, request: ReportRequest, now: Micros): Promise<{ window: Interval; segments?: number } | null> {
  const { start, end, patterns } = request;
  if (start !== undefined && end !== undefined) return { window: { start, end } };
  const extent = await store.extent(patterns);
  if (extent === null) return start !== undefined ? { window: { start, end: Math.max(start, now) }, segments: 0 } : null;
  const align = kind !== 'availability' ? (t: Micros) => t : request.by === 'day' ? floorToDay : floorToHour;
  const window = { start: start ?? align(extent.start), end: end ?? extent.end + 1 };
  if (window.end < window.start) {
    // Nothing stored since the start asked for (a channel that went silent): the window runs from
    // it to now, as for a selection without data. Nothing stored before the end asked for: empty.
    if (end === undefined) window.end = Math.max(window.start, now);
    else window.start = window.end;
  }
  return { window, segments: start === undefined && end === undefined ? extent.segments : undefined };
}

/** The report's rows; throws ReportTooLargeError for more than MAX_REPORT_SEGMENTS to read or too many rows to make. */
export async function readReport(store: Store, kind: ReportKind, request: ReportRequest, now: Micros = Date.now() * 1000): Promise<ReportRow[]> {
  const found = await reportWindow(store, kind, request, now);
  if (found === null) return [];
  const { window } = found;
  const { patterns } = request;
  const stored = found.segments ?? (await store.extent(patterns, window))?.segments ?? 0;
  if (stored > MAX_REPORT_SEGMENTS) {
    throw new ReportTooLargeError(
      `${kind} would read ${formatCount(stored)} stored segments, more than the ${formatCount(MAX_REPORT_SEGMENTS)} read at once: ask for a shorter window or fewer channels`,
    );
  }
  const [channels, segments, epochs] = await Promise.all([store.channels(patterns), store.segments({ patterns, window, neighbors: true }), store.epochs(patterns)]);
  // An open end is where the newest sample's coverage ends (its time + Δ): expected time up to it
  // counts, and no sliver after it shows as missing.
  if (request.end === undefined) window.end = Math.max(window.end, newestCoveredEnd(segments.filter((segment) => segment.start < window.end)) ?? window.end);
  // Time to come is not expected yet: `--end +1d` made today 13 % (its hours after now missing), where /api/v1 counts up to now.
  if (kind === 'availability') window.end = Math.max(window.start, Math.min(window.end, now));
  const data = groupByChannel(channels, segments, epochs);
  const options: ReportOptions = { window, mergeQuality: !request.keepQuality, tolerance: request.tolerance };
  const rows = kind === 'segments' ? segmentRows(data, options) : kind === 'gaps' ? gapRows(data, { ...options, overlaps: request.overlaps }) : availabilityRows(data, { ...options, bucket: request.by });
  return rows as unknown as ReportRow[];
}

/** The `lacuna files` rows: every file scanned (or only those that failed), by path; `error` is null when there is none. */
export async function readFileReport(store: Store, errorsOnly: boolean): Promise<ReportRow[]> {
  const files = await store.files({ errorsOnly });
  return files.map((file) => ({
    path: file.path,
    size: file.size,
    mtime: file.mtime,
    status: file.status,
    records: file.records,
    error_offset: file.errorOffset,
    error: file.error === '' ? null : file.error,
    scanned_at: file.scannedAt,
  }));
}
