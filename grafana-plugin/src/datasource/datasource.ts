/**
 * The datasource: runs the requests query.ts builds through Grafana's datasource proxy (the
 * `lacuna` route of plugin.json adds the API URL and the bearer token), and turns the answers
 * into frames with frames.ts. Nothing here decides what to ask or how to shape the answer.
 */
import {
  DataSourceApi,
  type AnnotationQuery,
  type DataFrame,
  type DataQueryRequest,
  type DataQueryResponse,
  type DataSourceInstanceSettings,
  type MetricFindValue,
  type ScopedVars,
  type TestDataSourceResponse,
} from '@grafana/data';
import { getBackendSrv, getTemplateSrv } from '@grafana/runtime';
import { catchError, forkJoin, lastValueFrom, map, of, type Observable } from 'rxjs';
import { gapAnnotations } from './annotations';
import { readChannelNames } from './api';
import { answerFrames } from './frames';
import { buildApiRequest, buildVariableRequest, interpolatePattern, interpolateQuery, toUrl, type ApiRequest } from './query';
import { DEFAULT_QUERY, type LacunaOptions, type LacunaQuery, type LacunaVariableQuery } from './types';
import { MICROS_PER_MS } from '../shared/time';

/** Path of the proxy route in plugin.json. */
export const PROXY_ROUTE = 'lacuna';

/** GETs a URL and yields its parsed JSON body; failures carry the API's `error` message. */
export type FetchJson = (url: string) => Observable<unknown>;

function errorMessage(error: unknown): string {
  // The exporter's errors are {error}; Grafana's proxy adds {message}.
  const e = error as { data?: { error?: string; message?: string }; status?: number; statusText?: string; message?: string };
  const detail = e?.data?.error ?? e?.data?.message ?? e?.message ?? e?.statusText ?? String(error);
  return e?.status ? `${e.status}: ${detail}` : detail;
}

function backendFetch(url: string): Observable<unknown> {
  return getBackendSrv()
    .fetch<unknown>({ url, method: 'GET', showErrorAlert: false })
    .pipe(map((response) => response.data));
}

type Replace = (text: string, format: (value: string | string[]) => string) => string;

export class LacunaDataSource extends DataSourceApi<LacunaQuery, LacunaOptions> {
  private readonly baseUrl: string;

  constructor(
    instanceSettings: DataSourceInstanceSettings<LacunaOptions>,
    private readonly fetchJson: FetchJson = backendFetch
  ) {
    super(instanceSettings);
    this.baseUrl = `${instanceSettings.url ?? ''}/${PROXY_ROUTE}`;
    this.annotations = {
      prepareQuery: (annotation: AnnotationQuery<LacunaQuery>) => ({
        ...DEFAULT_QUERY,
        ...(annotation.target ?? {}),
        refId: annotation.target?.refId ?? 'Annotations',
        queryType: 'gaps',
      }),
      processEvents: (_annotation, frames) => of(gapAnnotations(frames)),
    };
  }

  getDefaultQuery(): Partial<LacunaQuery> {
    return DEFAULT_QUERY;
  }

  filterQuery(query: LacunaQuery): boolean {
    return !query.hide;
  }

  private replacer(scopedVars?: ScopedVars): Replace {
    return (text, format) => getTemplateSrv().replace(text, scopedVars, format);
  }

  applyTemplateVariables(query: LacunaQuery, scopedVars: ScopedVars): LacunaQuery {
    return interpolateQuery(query, this.replacer(scopedVars));
  }

  private get(request: ApiRequest): Observable<unknown> {
    return this.fetchJson(toUrl(this.baseUrl, request));
  }

  query(request: DataQueryRequest<LacunaQuery>): Observable<DataQueryResponse> {
    const targets = request.targets.filter((t) => this.filterQuery(t));
    if (targets.length === 0) return of({ data: [] });
    const range = { fromMs: request.range.from.valueOf(), toMs: request.range.to.valueOf() };
    const window = { fromUs: range.fromMs * MICROS_PER_MS, toUs: range.toMs * MICROS_PER_MS };
    const runs = targets.map((target) => {
      let query: LacunaQuery;
      let apiRequest: ApiRequest;
      try {
        query = interpolateQuery({ ...DEFAULT_QUERY, ...target }, this.replacer(request.scopedVars));
        apiRequest = buildApiRequest(query, { range, maxDataPoints: request.maxDataPoints, intervalMs: request.intervalMs, channel: query.channel ?? '' });
      } catch (error) {
        return of<QueryResult>({ frames: [], error: { refId: target.refId, message: errorMessage(error) } });
      }
      return this.get(apiRequest).pipe(
        map((json): QueryResult => ({ frames: answerFrames(query, json, window) })),
        catchError((error: unknown) => of<QueryResult>({ frames: [], error: { refId: target.refId, message: errorMessage(error) } }))
      );
    });
    return forkJoin(runs).pipe(
      map((results) => {
        const errors = results.flatMap((r) => (r.error ? [r.error] : []));
        return { data: results.flatMap((r) => r.frames), errors: errors.length > 0 ? errors : undefined };
      })
    );
  }

  async metricFindQuery(query: LacunaVariableQuery | string, options?: { scopedVars?: ScopedVars }): Promise<MetricFindValue[]> {
    const variableQuery: LacunaVariableQuery = typeof query === 'string' ? { level: 'channel', pattern: query } : query;
    const pattern = interpolatePattern(variableQuery.pattern, this.replacer(options?.scopedVars));
    const json = await lastValueFrom(this.get(buildVariableRequest(variableQuery, pattern)));
    return readChannelNames(json).map((name) => ({ text: name, value: name }));
  }

  /**
   * "Save & test" asks what every query needs: an /api/v1 answer through the proxy, token
   * included. (/readyz is outside the exporter's token guard: it passed with a wrong token.)
   */
  async testDatasource(): Promise<TestDataSourceResponse> {
    try {
      const json = await lastValueFrom(this.get(buildVariableRequest({ level: 'network' }, '')));
      const networks = readChannelNames(json);
      return { status: 'success', message: `Lacuna answers with the token: ${networks.length} network${networks.length === 1 ? '' : 's'} (${networks.slice(0, 5).join(', ') || 'none yet'}${networks.length > 5 ? ', …' : ''}).` };
    } catch (error) {
      const status = (error as { status?: number })?.status;
      const hint =
        status === 401 || status === 403
          ? 'The exporter refused the API token: set the token of its LACUNA_API_TOKEN in this datasource.'
          : 'Check the URL (Grafana must reach the exporter) and the token.';
      return { status: 'error', message: `Lacuna did not answer /api/v1: ${errorMessage(error)}. ${hint}` };
    }
  }
}

interface QueryResult {
  frames: DataFrame[];
  error?: { refId: string; message: string };
}
