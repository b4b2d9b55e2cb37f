import type { DataQuery, DataSourceJsonData } from '@grafana/data';

/** The /api/v1 endpoints a query can read. */
export const QUERY_TYPES = ['timeline', 'completion', 'gaps', 'stats', 'latency', 'stations', 'channels'] as const;
export type QueryType = (typeof QUERY_TYPES)[number];

export type ChannelLevel = 'network' | 'station' | 'channel';
export type CompletionBucket = 'day' | 'hour';

export interface LacunaQuery extends DataQuery {
  queryType?: QueryType;
  /** Channel pattern list (`IU.ANMO.*.BH?,II`), template variables allowed; empty = every channel. */
  channel?: string;
  /** completion: bucket size. */
  bucket?: CompletionBucket;
  /** channels: which level to list. */
  level?: ChannelLevel;
  /** gaps: only gaps at least this long (`90`, `10m`, `1h`). */
  minGap?: string;
  /** latency: step between points (`5m`, `1h`); empty = from the panel's interval. */
  step?: string;
  /** stations: trailing window of the state (`1h`, `1d`). */
  window?: string;
}

export const DEFAULT_QUERY: Partial<LacunaQuery> = { queryType: 'timeline', channel: '' };

export interface LacunaOptions extends DataSourceJsonData {
  /** Base URL of the Lacuna exporter, e.g. http://lacuna:9470 (reached through Grafana's proxy). */
  url?: string;
}

export interface LacunaSecureOptions {
  /** LACUNA_API_TOKEN of the exporter, sent as `Authorization: Bearer …` by the proxy route. */
  token?: string;
}

/** Template variable query: names at one level, optionally narrowed by a pattern. */
export interface LacunaVariableQuery {
  level: ChannelLevel;
  pattern?: string;
}
