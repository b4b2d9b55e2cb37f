import { dateTime, type DataQueryRequest, type DataSourceInstanceSettings } from '@grafana/data';
import { lastValueFrom, of, throwError } from 'rxjs';
import { describe, expect, it, vi } from 'vitest';
import { LacunaDataSource } from './datasource';
import type { LacunaOptions, LacunaQuery } from './types';

// The dashboard has $network = IU + II and a few single-value variables; the template service
// is Grafana's, stood in for here (it calls the format function only for variables it finds).
const variables: Record<string, string | string[]> = { network: ['IU', 'II'], shortest: '10m', step: '1h', window: '1d' };
vi.mock('@grafana/runtime', () => ({
  getTemplateSrv: () => ({
    replace: (text: string, _scoped: unknown, format: (value: string | string[]) => string) =>
      text.replace(/\$(\w+)/g, (whole, name: string) => (name in variables ? format(variables[name]) : whole)),
  }),
  getBackendSrv: () => {
    throw new Error('tests inject fetchJson');
  },
}));

const settings = { id: 1, uid: 'lacuna', type: 'lacuna-availability-datasource', name: 'Lacuna', url: '/api/datasources/proxy/uid/lacuna', jsonData: {}, meta: {} } as unknown as DataSourceInstanceSettings<LacunaOptions>;

function request(targets: LacunaQuery[]): DataQueryRequest<LacunaQuery> {
  const from = dateTime(1_709_251_200_000);
  const to = dateTime(1_709_337_600_000);
  return { targets, range: { from, to, raw: { from, to } }, maxDataPoints: 800, intervalMs: 60_000, scopedVars: {}, requestId: 'r', interval: '1m', timezone: 'utc', app: 'dashboard', startTime: 0 } as DataQueryRequest<LacunaQuery>;
}

describe('LacunaDataSource', () => {
  it('asks the API through the proxy route with variables expanded, and returns timeline frames', async () => {
    const urls: string[] = [];
    const fetchJson = (url: string) => {
      urls.push(url);
      return of({ rows: [{ channel: 'IU.ANMO.00.BHZ', percent: 100, gaps: 0, maxGapSeconds: 0, spans: [{ start: 1_709_251_200_000_000, end: 1_709_337_600_000_000, state: 'present' }] }] });
    };
    const ds = new LacunaDataSource(settings, fetchJson);
    const response = await lastValueFrom(ds.query(request([{ refId: 'A', queryType: 'timeline', channel: '$network.ANMO' }])));
    expect(urls).toEqual(['/api/datasources/proxy/uid/lacuna/lacuna/api/v1/timeline?channel=IU.ANMO%2CII.ANMO&from=1709251200000&maxPoints=800&to=1709337600000']);
    expect(response.data.map((f) => f.name)).toEqual(['spans', 'channels']);
    expect(response.errors).toBeUndefined();
  });

  it('reports a failing query by its refId with the API message, and still returns the others', async () => {
    const fetchJson = (url: string) => (url.includes('/gaps') ? throwError(() => ({ status: 400, data: { error: 'parameter minGap: expected seconds' } })) : of([]));
    const ds = new LacunaDataSource(settings, fetchJson);
    const response = await lastValueFrom(
      ds.query(
        request([
          { refId: 'A', queryType: 'gaps', minGap: 'soon' },
          { refId: 'B', queryType: 'stats' },
        ])
      )
    );
    expect(response.errors).toEqual([{ refId: 'A', message: '400: parameter minGap: expected seconds' }]);
    expect(response.data.map((f) => f.refId)).toEqual(['B']);
  });

  it('skips hidden queries', async () => {
    const fetchJson = vi.fn(() => of([]));
    const ds = new LacunaDataSource(settings, fetchJson);
    const response = await lastValueFrom(ds.query(request([{ refId: 'A', hide: true }])));
    expect(fetchJson).not.toHaveBeenCalled();
    expect(response.data).toEqual([]);
  });

  it('fills template variables into the durations of gaps, latency and stations queries', async () => {
    const urls: string[] = [];
    const ds = new LacunaDataSource(settings, (url) => {
      urls.push(url);
      return of([]);
    });
    await lastValueFrom(
      ds.query(
        request([
          { refId: 'A', queryType: 'gaps', minGap: '$shortest' },
          { refId: 'B', queryType: 'latency', step: '$step' },
          { refId: 'C', queryType: 'stations', window: '$window' },
        ])
      )
    );
    expect(urls).toEqual([
      expect.stringContaining('/api/v1/gaps?from=1709251200000&minGap=10m&to='),
      expect.stringContaining('/api/v1/latency?from=1709251200000&step=1h&to='),
      '/api/datasources/proxy/uid/lacuna/lacuna/api/v1/stations?window=1d',
    ]);
    expect(ds.applyTemplateVariables({ refId: 'A', queryType: 'gaps', minGap: '$shortest', channel: '$network' }, {})).toMatchObject({ minGap: '10m', channel: 'IU,II' });
  });

  it('refuses a multi-value variable in a duration, naming the field', async () => {
    const ds = new LacunaDataSource(settings, () => of([]));
    const response = await lastValueFrom(ds.query(request([{ refId: 'A', queryType: 'gaps', minGap: '$network' }])));
    expect(response.errors).toEqual([{ refId: 'A', message: 'minGap: the variable in "$network" has 2 values selected; a minGap takes one' }]);
  });

  it('tests the datasource through the token-guarded API, so a wrong token fails "Save & test"', async () => {
    const urls: string[] = [];
    const good = new LacunaDataSource(settings, (url) => {
      urls.push(url);
      return of({ apiVersion: 1, level: 'network', values: ['XA', 'YB'] });
    });
    expect(await good.testDatasource()).toEqual({ status: 'success', message: 'Lacuna answers with the token: 2 networks (XA, YB).' });
    expect(urls).toEqual(['/api/datasources/proxy/uid/lacuna/lacuna/api/v1/channels?level=network']);

    // What the exporter answers a wrong or missing token (exporter/src/app.ts).
    const wrongToken = new LacunaDataSource(settings, () => throwError(() => ({ status: 401, data: { error: 'a valid bearer token is required' } })));
    const refused = await wrongToken.testDatasource();
    expect(refused.status).toBe('error');
    expect(refused.message).toBe(
      'Lacuna did not answer /api/v1: 401: a valid bearer token is required. The exporter refused the API token: set the token of its LACUNA_API_TOKEN in this datasource.'
    );
    const down = new LacunaDataSource(settings, () => throwError(() => ({ status: 502, data: { message: 'Bad Gateway' } })));
    expect((await down.testDatasource()).message).toBe('Lacuna did not answer /api/v1: 502: Bad Gateway. Check the URL (Grafana must reach the exporter) and the token.');
  });

  it('fills template variables with networks, stations or channels', async () => {
    const urls: string[] = [];
    const ds = new LacunaDataSource(settings, (url) => {
      urls.push(url);
      return of({ apiVersion: 1, level: 'station', values: ['IU.ANMO', 'IU.COLA'] });
    });
    expect(await ds.metricFindQuery({ level: 'station', pattern: '$network' })).toEqual([
      { text: 'IU.ANMO', value: 'IU.ANMO' },
      { text: 'IU.COLA', value: 'IU.COLA' },
    ]);
    expect(urls[0]).toContain('/api/v1/channels?level=station&pattern=IU%2CII');
  });

  it('turns gap answers into annotation regions, always asking for gaps', async () => {
    const ds = new LacunaDataSource(settings, () => of([]));
    const query = ds.annotations!.prepareQuery!({ name: 'Gaps', enable: true, iconColor: 'red', target: { refId: 'X', queryType: 'stats', channel: 'IU' } });
    expect(query).toMatchObject({ queryType: 'gaps', channel: 'IU', refId: 'X' });
  });
});
