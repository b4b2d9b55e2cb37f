/**
 * Query building, pure: what the datasource sends to /api/v1 for a query, a time range and the
 * dashboard's template variables. The datasource class only runs what these functions return.
 */
import type { LacunaQuery, LacunaVariableQuery, QueryType } from './types';

export interface ApiRequest {
  /** Path below the exporter's base URL, e.g. `/api/v1/timeline`. */
  path: string;
  params: Record<string, string>;
}

/** The range of a request in milliseconds since the epoch (what /api/v1 takes for from/to). */
export interface RangeMs {
  fromMs: number;
  toMs: number;
}

/** The exporter answers at most this many spans per timeline row. */
export const MAX_TIMELINE_POINTS = 10_000;

const MIN_LATENCY_STEP_SECONDS = 1;

/**
 * Marks a multi-value variable's values inside an interpolated pattern so they can be expanded
 * afterwards: `{IU|II}`. Channel codes never contain braces or bars.
 */
export function formatMultiValue(value: string | string[]): string {
  if (!Array.isArray(value)) return value;
  if (value.length === 1) return value[0];
  return `{${value.join('|')}}`;
}

/** Most patterns /api/v1 takes in one `channel` parameter; beyond that `*` is the better tool. */
export const MAX_EXPANDED_PATTERNS = 100;

/**
 * Expands `{a|b}` alternatives into comma-separated patterns: `{IU|II}.ANMO` → `IU.ANMO,II.ANMO`,
 * so `$network.$station` with several values of each selects exactly their combinations.
 */
export function expandAlternatives(pattern: string): string {
  const results: string[] = [];
  for (const part of pattern.split(',')) {
    let expanded = [''];
    const pieces = part.split(/(\{[^{}]*\})/);
    for (const piece of pieces) {
      const options = piece.startsWith('{') && piece.endsWith('}') ? piece.slice(1, -1).split('|') : [piece];
      const next: string[] = [];
      for (const prefix of expanded) for (const option of options) next.push(prefix + option);
      expanded = next;
      if (expanded.length > MAX_EXPANDED_PATTERNS) throw tooMany();
    }
    results.push(...expanded);
  }
  const unique = [...new Set(results.map((p) => p.trim()).filter((p) => p !== ''))];
  if (unique.length > MAX_EXPANDED_PATTERNS) throw tooMany();
  return unique.join(',');
}

function tooMany(): Error {
  return new Error(`the channel pattern expands to more than ${MAX_EXPANDED_PATTERNS} patterns; use * or fewer variable values`);
}

/** Replaces template variables in a pattern and expands multi-value alternatives. */
export function interpolatePattern(pattern: string | undefined, replace: (text: string, format: (value: string | string[]) => string) => string): string {
  if (!pattern) return '';
  return expandAlternatives(replace(pattern, formatMultiValue));
}

/** Query fields that take a single value (a duration): a multi-value variable there is a mistake. */
const SCALAR_FIELDS = ['minGap', 'step', 'window'] as const;

/**
 * The query with template variables filled into every text field: the channel pattern (with
 * multi-value expansion) and the durations. A multi-value variable in a duration is refused with
 * the field's name, since the API takes one duration there.
 */
export function interpolateQuery(query: LacunaQuery, replace: (text: string, format: (value: string | string[]) => string) => string): LacunaQuery {
  const filled: LacunaQuery = { ...query, channel: interpolatePattern(query.channel, replace) };
  for (const field of SCALAR_FIELDS) {
    const text = query[field];
    if (!text) continue;
    filled[field] = replace(text, (value) => {
      if (!Array.isArray(value)) return value;
      if (value.length === 1) return value[0];
      throw new Error(`${field}: the variable in "${text}" has ${value.length} values selected; a ${field} takes one`);
    });
  }
  return filled;
}

/** Seconds between latency points for a panel whose interval is `intervalMs`. */
export function latencyStep(step: string | undefined, intervalMs: number): string {
  if (step && step.trim() !== '') return step.trim();
  return `${Math.max(MIN_LATENCY_STEP_SECONDS, Math.round(intervalMs / 1000))}`;
}

export interface BuildContext {
  range: RangeMs;
  /** Pixels the panel has (Grafana's maxDataPoints): the timeline needs no more spans per row. */
  maxDataPoints?: number;
  intervalMs: number;
  /** The query's channel pattern with variables already replaced. */
  channel: string;
}

function withChannel(params: Record<string, string>, channel: string): Record<string, string> {
  return channel === '' ? params : { channel, ...params };
}

/** The API request of one query. */
export function buildApiRequest(query: LacunaQuery, context: BuildContext): ApiRequest {
  const type: QueryType = query.queryType ?? 'timeline';
  const from = String(Math.floor(context.range.fromMs));
  const to = String(Math.ceil(context.range.toMs));
  switch (type) {
    case 'timeline': {
      const points = Math.min(MAX_TIMELINE_POINTS, Math.max(1, Math.round(context.maxDataPoints ?? 1000)));
      return { path: '/api/v1/timeline', params: withChannel({ from, to, maxPoints: String(points) }, context.channel) };
    }
    case 'completion':
      return { path: '/api/v1/completion', params: withChannel({ from, to, bucket: query.bucket ?? 'day' }, context.channel) };
    case 'gaps': {
      const params: Record<string, string> = { from, to };
      if (query.minGap && query.minGap.trim() !== '') params.minGap = query.minGap.trim();
      return { path: '/api/v1/gaps', params: withChannel(params, context.channel) };
    }
    case 'stats':
      return { path: '/api/v1/stats', params: withChannel({ from, to }, context.channel) };
    case 'latency':
      return { path: '/api/v1/latency', params: withChannel({ from, to, step: latencyStep(query.step, context.intervalMs) }, context.channel) };
    case 'stations': {
      const params: Record<string, string> = {};
      if (query.window && query.window.trim() !== '') params.window = query.window.trim();
      return { path: '/api/v1/stations', params: withChannel(params, context.channel) };
    }
    case 'channels':
      return { path: '/api/v1/channels', params: channelsParams(query.level ?? 'channel', context.channel) };
  }
}

function channelsParams(level: string, pattern: string): Record<string, string> {
  return pattern === '' ? { level } : { pattern, level };
}

/** The API request of a template variable query. */
export function buildVariableRequest(query: LacunaVariableQuery, pattern: string): ApiRequest {
  return { path: '/api/v1/channels', params: channelsParams(query.level, pattern) };
}

/** A URL path with its query string, parameters in a stable order. */
export function toUrl(base: string, request: ApiRequest): string {
  const search = new URLSearchParams(Object.entries(request.params).sort(([a], [b]) => a.localeCompare(b)));
  const text = search.toString();
  return `${base.replace(/\/+$/, '')}${request.path}${text ? `?${text}` : ''}`;
}
