/**
 * The ooi-status availability JSON (oceanobservatories/ooi-status, its /available/<refdes>): categories and
 * colours, `YYYY-MM-DD HH:MM:SS` datetimes, [start, category, stop] triples, the Deployments
 * measure from metadata epochs. Pure.
 */
import type { ChannelEpoch, ChannelId, Micros } from '@lacuna/core';
import type { Interval } from '@lacuna/core';
import { formatTime } from '@lacuna/core';
import { dominantState, type Span, type SpanState } from '../api/spans.ts';

export type OoiCategory = 'Present' | 'Missing' | 'Not Expected' | 'Sparse 1' | 'Sparse 2' | 'Sparse 3';

/** The fixed category table of every stream measure (ooi-status default_settings.py), in this order. */
export const OOI_CATEGORIES: Record<OoiCategory, { color: string }> = {
  Present: { color: '#5cb87b' },
  Missing: { color: '#d9534d' },
  'Not Expected': { color: '#ffffff' },
  'Sparse 1': { color: '#7bcb7b' },
  'Sparse 2': { color: '#90d890' },
  'Sparse 3': { color: '#ace9ac' },
};

const CATEGORY: Record<SpanState, OoiCategory> = {
  present: 'Present',
  missing: 'Missing',
  not_expected: 'Not Expected',
  sparse1: 'Sparse 1',
  sparse2: 'Sparse 2',
  sparse3: 'Sparse 3',
  overlap: 'Present',
  // ooi-status has no such category: time not arrived by now is missing to it.
  pending: 'Missing',
};

/** Deployment colours alternate by position: even #0073cf, odd #cf5c00. */
const DEPLOYMENT_COLORS = ['#0073cf', '#cf5c00'];

export type Triple = [string, string, string];

export interface OoiMeasure {
  measure: string;
  categories: Record<string, { color: string }>;
  data: Triple[];
}

/** `YYYY-MM-DD HH:MM:SS`, UTC, microseconds dropped (as ooi-status's JSON encoder writes datetimes). */
export function ooiTime(us: Micros): string {
  return formatTime(us).slice(0, 19).replace('T', ' ');
}

/** The category of a span: its state's, and a mixed span's dominant state's (the one holding the most time). */
export function categoryOf(span: Span): OoiCategory {
  return CATEGORY[span.state === 'mixed' ? dominantState(span.parts ?? {}) : span.state];
}

/**
 * A stream's triples from its reduced spans: a span narrower than `threshold` µs takes the
 * category of the one it follows (ooi-status shows no gap under its threshold), except a Missing
 * stretch at the end, which ooi-status always closes with `[last, "Missing", upper]`; adjacent
 * spans of one category merge; time not expected shows as nothing (ooi-status clips its streams
 * to the deployments); triples empty once written to the second are dropped. No triple at all
 * gives the single zero-length `[lower, "Not Expected", lower]`, as ooi-status answers for a
 * stream without data in range or outside every deployment.
 */
export function streamTriples(spans: readonly Span[], lower: Micros, threshold = 0): Triple[] {
  const expected = spans.filter((span) => categoryOf(span) !== 'Not Expected');
  const merged: { start: Micros; end: Micros; category: OoiCategory }[] = [];
  expected.forEach((span, i) => {
    const own = categoryOf(span);
    const last = merged[merged.length - 1];
    const follows = last !== undefined && last.end === span.start;
    const trailingGap = i === expected.length - 1 && own === 'Missing';
    const category = follows && span.end - span.start < threshold && !trailingGap ? last.category : own;
    if (follows && last.category === category) last.end = span.end;
    else merged.push({ start: span.start, end: span.end, category });
  });
  const triples: Triple[] = [];
  for (const piece of merged) {
    const start = ooiTime(piece.start);
    const stop = ooiTime(piece.end);
    if (stop > start) triples.push([start, piece.category, stop]);
  }
  return triples.length > 0 ? triples : [[ooiTime(lower), 'Not Expected', ooiTime(lower)]];
}

/**
 * An instrument's deployments in [lower, upper): its channels' epochs overlapping the window,
 * clamped to it (an open epoch ends at upper), the overlapping or touching ones merged (its
 * streams share a deployment), by start.
 */
export function deploymentsIn(epochs: readonly ChannelEpoch[], lower: Micros, upper: Micros): Interval[] {
  const merged: Interval[] = [];
  const clamped = epochs
    .filter((epoch) => epoch.start < upper && (epoch.end === null || epoch.end > lower))
    .map((epoch) => ({ start: Math.max(epoch.start, lower), end: Math.min(epoch.end ?? upper, upper) }))
    .filter((deployment) => deployment.end > deployment.start)
    .sort((a, b) => a.start - b.start);
  for (const deployment of clamped) {
    const last = merged[merged.length - 1];
    if (last !== undefined && deployment.start <= last.end) last.end = Math.max(last.end, deployment.end);
    else merged.push({ ...deployment });
  }
  return merged;
}

/**
 * A channel as an ooi-status stream: the channel field of a stream id `REFDES/method/stream` is
 * `method-stream`, so the method is what comes before its first "-", the stream what follows;
 * the measure is "<method> <stream>" (the method alone when there is no stream, as for a seismic
 * channel code).
 */
export function streamOf(id: ChannelId): { method: string; stream: string; measure: string } {
  const at = id.channel.indexOf('-');
  const method = at < 0 ? id.channel : id.channel.slice(0, at);
  const stream = at < 0 ? '' : id.channel.slice(at + 1);
  return { method, stream, measure: stream === '' ? method : `${method} ${stream}` };
}

/** The "Deployments" measure: one `Deployment: N` per epoch, colours alternating by position. */
export function deploymentsMeasure(deployments: readonly Interval[]): OoiMeasure {
  const categories: Record<string, { color: string }> = {};
  const data: Triple[] = [];
  deployments.forEach((deployment, i) => {
    const name = `Deployment: ${i + 1}`;
    categories[name] = { color: DEPLOYMENT_COLORS[i % 2] };
    data.push([ooiTime(deployment.start), name, ooiTime(deployment.end)]);
  });
  return { measure: 'Deployments', categories, data };
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const RFC_1123 = /^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), (\d{2}) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) (\d{4}) (\d{2}):(\d{2}):(\d{2}) GMT$/;

/**
 * An RFC 1123 time as the ooi-status README writes them (`Fri, 25 Jul 2014 21:05:00 GMT`) as
 * ISO 8601 text for core parseTime, or null when the text is not one.
 */
export function rfc1123ToIso(text: string): string | null {
  const m = RFC_1123.exec(text.trim());
  if (!m) return null;
  const month = String(MONTHS.indexOf(m[2]) + 1).padStart(2, '0');
  return `${m[3]}-${month}-${m[1]}T${m[4]}:${m[5]}:${m[6]}Z`;
}
