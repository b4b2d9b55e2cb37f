import { describe, expect, it } from 'vitest';
import { buildApiRequest, buildVariableRequest, expandAlternatives, formatMultiValue, interpolatePattern, MAX_EXPANDED_PATTERNS, toUrl, type BuildContext } from './query';

const context: BuildContext = { range: { fromMs: 1_709_251_200_000, toMs: 1_711_065_600_000 }, maxDataPoints: 1234, intervalMs: 300_000, channel: 'IU.ANMO.*.BH?' };

describe('buildApiRequest', () => {
  it('asks the timeline for the panel range in ms and no more spans per row than the panel has pixels', () => {
    expect(buildApiRequest({ refId: 'A', queryType: 'timeline' }, context)).toEqual({
      path: '/api/v1/timeline',
      params: { channel: 'IU.ANMO.*.BH?', from: '1709251200000', to: '1711065600000', maxPoints: '1234' },
    });
  });

  it('caps maxPoints at what the API accepts', () => {
    expect(buildApiRequest({ refId: 'A', queryType: 'timeline' }, { ...context, maxDataPoints: 50_000 }).params.maxPoints).toBe('10000');
  });

  it('treats a query without a type as a timeline query', () => {
    expect(buildApiRequest({ refId: 'A' }, context).path).toBe('/api/v1/timeline');
  });

  it('leaves the channel parameter out when the pattern is empty (every channel)', () => {
    expect(buildApiRequest({ refId: 'A', queryType: 'stats' }, { ...context, channel: '' }).params).toEqual({ from: '1709251200000', to: '1711065600000' });
  });

  it('sends the completion bucket, day by default', () => {
    expect(buildApiRequest({ refId: 'A', queryType: 'completion' }, context).params.bucket).toBe('day');
    expect(buildApiRequest({ refId: 'A', queryType: 'completion', bucket: 'hour' }, context).params.bucket).toBe('hour');
  });

  it('sends the shortest gap only when one is set', () => {
    expect(buildApiRequest({ refId: 'A', queryType: 'gaps' }, context).params).not.toHaveProperty('minGap');
    expect(buildApiRequest({ refId: 'A', queryType: 'gaps', minGap: ' 10m ' }, context).params.minGap).toBe('10m');
  });

  it('derives the latency step from the panel interval, at least a second', () => {
    expect(buildApiRequest({ refId: 'A', queryType: 'latency' }, context).params.step).toBe('300');
    expect(buildApiRequest({ refId: 'A', queryType: 'latency' }, { ...context, intervalMs: 20 }).params.step).toBe('1');
    expect(buildApiRequest({ refId: 'A', queryType: 'latency', step: '1h' }, context).params.step).toBe('1h');
  });

  it('asks stations for their state without a time range', () => {
    expect(buildApiRequest({ refId: 'A', queryType: 'stations', window: '1d' }, context)).toEqual({ path: '/api/v1/stations', params: { channel: 'IU.ANMO.*.BH?', window: '1d' } });
  });

  it('lists channels with `pattern` and `level`, as /api/v1/channels names them', () => {
    expect(buildApiRequest({ refId: 'A', queryType: 'channels', level: 'station' }, context)).toEqual({ path: '/api/v1/channels', params: { pattern: 'IU.ANMO.*.BH?', level: 'station' } });
    expect(buildVariableRequest({ level: 'network' }, '')).toEqual({ path: '/api/v1/channels', params: { level: 'network' } });
  });
});

describe('template variables in channel patterns', () => {
  it('marks multi-value variables for expansion and leaves single values as they are', () => {
    expect(formatMultiValue(['IU', 'II'])).toBe('{IU|II}');
    expect(formatMultiValue(['IU'])).toBe('IU');
    expect(formatMultiValue('GE')).toBe('GE');
  });

  it('expands every combination of several multi-value variables into a pattern list', () => {
    expect(expandAlternatives('{IU|II}.{ANMO|COLA}.*.BH?')).toBe('IU.ANMO.*.BH?,IU.COLA.*.BH?,II.ANMO.*.BH?,II.COLA.*.BH?');
  });

  it('keeps comma-separated patterns and drops duplicates and empty parts', () => {
    expect(expandAlternatives('IU.ANMO, {IU|GE}.ANMO ,')).toBe('IU.ANMO,GE.ANMO');
  });

  it('refuses an expansion too large to send, with a hint', () => {
    const many = Array.from({ length: 40 }, (_, i) => `N${i}`).join('|');
    expect(() => expandAlternatives(`{${many}}.{${many}}`)).toThrow(`more than ${MAX_EXPANDED_PATTERNS} patterns`);
    // Also when the patterns only add up past the limit across a list.
    expect(() => expandAlternatives(`{${many}}.A,{${many}}.B,{${many}}.C`)).toThrow('use * or fewer variable values');
  });

  it('interpolates with the template service and expands the result', () => {
    const variables: Record<string, string | string[]> = { network: ['IU', 'II'], station: 'ANMO' };
    const replace = (text: string, format: (value: string | string[]) => string) => text.replace(/\$(\w+)/g, (_, name: string) => format(variables[name]));
    expect(interpolatePattern('$network.$station.*.LHZ', replace)).toBe('IU.ANMO.*.LHZ,II.ANMO.*.LHZ');
    expect(interpolatePattern(undefined, replace)).toBe('');
  });
});

describe('toUrl', () => {
  it('appends the path and sorted, encoded parameters to the proxy base', () => {
    expect(toUrl('/api/datasources/proxy/uid/abc/lacuna/', { path: '/api/v1/gaps', params: { to: '2', channel: 'IU.*,II', from: '1' } })).toBe(
      '/api/datasources/proxy/uid/abc/lacuna/api/v1/gaps?channel=IU.*%2CII&from=1&to=2'
    );
  });
});
