import { describe, expect, it } from 'vitest';
import { HttpError } from '../http/errors.ts';
import { parseGetParameters, parsePostBody, type AvailabilityRequest, type Endpoint } from './params.ts';

const get = (query: string, endpoint: Endpoint = 'query'): AvailabilityRequest => parseGetParameters(endpoint, new URLSearchParams(query));

/** The 400 message a bad request gets (fails the test when there is none). */
function rejection(parse: () => unknown): string {
  try {
    parse();
  } catch (error) {
    expect(error).toBeInstanceOf(HttpError);
    expect((error as HttpError).status).toBe(400);
    return (error as HttpError).message;
  }
  throw new Error('expected a 400');
}

const micros = (iso: string): number => Date.parse(iso) * 1000;

describe('FDSN availability GET parameters', () => {
  it('gives the defaults of the spec when nothing is asked', () => {
    expect(get('')).toEqual({
      endpoint: 'query',
      selections: [{ patterns: [{ network: '*', station: '*', location: '*', channel: '*' }], start: null, end: null }],
      qualities: null,
      mergeQuality: false,
      mergeSampleRate: false,
      mergeOverlap: false,
      mergeGaps: null,
      showLatestUpdate: false,
      orderBy: 'nslc_time_quality_samplerate',
      limit: null,
      format: 'text',
      nodata: 204,
    });
  });

  it('reads short and long channel names alike, combines comma lists and maps -- to the empty location', () => {
    const short = get('net=IU,II&sta=ANMO&loc=--,00&cha=BH?');
    const long = get('network=IU,II&station=ANMO&location=--,00&channel=BH?');
    expect(short.selections).toEqual(long.selections);
    expect(short.selections[0].patterns).toEqual([
      { network: 'IU', station: 'ANMO', location: '', channel: 'BH?' },
      { network: 'IU', station: 'ANMO', location: '00', channel: 'BH?' },
      { network: 'II', station: 'ANMO', location: '', channel: 'BH?' },
      { network: 'II', station: 'ANMO', location: '00', channel: 'BH?' },
    ]);
  });

  it('adds the items of a repeated list parameter, also under both of its names', () => {
    expect(get('net=IU&network=II&cha=LHZ').selections[0].patterns.map((pattern) => pattern.network)).toEqual(['IU', 'II']);
  });

  it('refuses a single-valued parameter given twice, naming it', () => {
    expect(rejection(() => get('start=2024-01-01&starttime=2024-01-02'))).toMatch(/starttime.*more than once/);
    expect(rejection(() => get('format=json&format=text'))).toMatch(/format.*more than once/);
  });

  it('reads FDSN times as UTC, to the microsecond', () => {
    const request = get('starttime=2024-03-01&endtime=2024-03-01T06:00:00.123456');
    expect(request.selections[0].start).toBe(micros('2024-03-01T00:00:00Z'));
    expect(request.selections[0].end).toBe(micros('2024-03-01T06:00:00Z') + 123_456);
    expect(get('start=2024-03-01T00:00:00Z').selections[0].start).toBe(micros('2024-03-01T00:00:00Z'));
  });

  it.each([
    ['starttime=2024-13-01', 'starttime', /month 13/],
    ['endtime=2024-02-30', 'endtime', /February 2024 has 29 days/],
    ['start=yesterday', 'starttime', /expected YYYY-MM-DD/],
    ['start=2024-03-01%2006:00:00', 'starttime', /expected YYYY-MM-DD/],
    ['start=2024-03-01T06:00:00%2B02:00', 'starttime', /expected YYYY-MM-DD/],
    ['start=0001-01-01', 'starttime', /out of range/],
    ['end=2024-03-01T24:00:00', 'endtime', /hour 24/],
  ])('refuses the malformed time %s, naming %s', (query, name, reason) => {
    const message = rejection(() => get(query));
    expect(message).toContain(`parameter ${name}`);
    expect(message).toMatch(reason);
  });

  it('refuses a window that ends before it starts', () => {
    expect(rejection(() => get('start=2024-03-02&end=2024-03-01'))).toBe('parameter starttime: must be before endtime');
    expect(rejection(() => get('start=2024-03-01&end=2024-03-01'))).toBe('parameter starttime: must be before endtime');
  });

  it('reads quality lists and * for any quality', () => {
    expect(get('quality=D,M').qualities).toEqual(['D', 'M']);
    expect(get('quality=*').qualities).toBeNull();
    expect(rejection(() => get('quality=D,X'))).toMatch(/^parameter quality: "X" is not a quality/);
  });

  it('reads merge options; overlap only on query', () => {
    const request = get('merge=samplerate,quality,overlap');
    expect([request.mergeSampleRate, request.mergeQuality, request.mergeOverlap]).toEqual([true, true, true]);
    expect(get('merge=quality', 'extent').mergeQuality).toBe(true);
    expect(rejection(() => get('merge=overlap', 'extent'))).toMatch(/^parameter merge: overlap is accepted by query only/);
    expect(rejection(() => get('merge=gaps'))).toMatch(/^parameter merge: "gaps" is not a merge option/);
  });

  it('reads mergegaps as decimal seconds ≥ 0 on query only', () => {
    expect(get('mergegaps=1.5').mergeGaps).toBe(1.5);
    expect(get('mergegaps=0').mergeGaps).toBe(0);
    expect(rejection(() => get('mergegaps=1e3'))).toMatch(/^parameter mergegaps: "1e3" is not a number of seconds/);
    expect(rejection(() => get('mergegaps=-1'))).toMatch(/^parameter mergegaps:/);
    expect(rejection(() => get('mergegaps=1', 'extent'))).toBe('parameter mergegaps: accepted by query only, not by extent');
    expect(rejection(() => get('show=latestupdate', 'extent'))).toBe('parameter show: accepted by query only, not by extent');
  });

  it('accepts the orderings each endpoint lists', () => {
    expect(get('orderby=latestupdate_desc').orderBy).toBe('latestupdate_desc');
    expect(get('orderby=timespancount_desc', 'extent').orderBy).toBe('timespancount_desc');
    expect(rejection(() => get('orderby=timespancount'))).toMatch(/^parameter orderby: "timespancount" is not one of/);
  });

  it('reads limit, format, nodata, show and includerestricted', () => {
    const request = get('limit=10&format=geocsv&nodata=404&show=latestupdate&includerestricted=true');
    expect([request.limit, request.format, request.nodata, request.showLatestUpdate]).toEqual([10, 'geocsv', 404, true]);
    expect(() => get('includerestricted=FALSE')).not.toThrow();
    expect(rejection(() => get('limit=0'))).toMatch(/^parameter limit: "0" is not a whole number ≥ 1/);
    expect(rejection(() => get('limit=ten'))).toMatch(/^parameter limit:/);
    expect(rejection(() => get('format=xml'))).toMatch(/^parameter format: "xml" is not one of text, geocsv, json, request/);
    expect(rejection(() => get('nodata=500'))).toMatch(/^parameter nodata:/);
    expect(rejection(() => get('includerestricted=maybe'))).toMatch(/^parameter includerestricted:/);
  });

  it('refuses unknown parameters by name', () => {
    expect(rejection(() => get('net=IU&sort=asc'))).toMatch(/^unknown parameter: sort \(known: .*\bstarttime\b.*\)$/);
  });

  it('refuses codes that could smuggle SQL or LIKE syntax, naming the parameter', () => {
    expect(rejection(() => get("net=XA' OR '1'='1"))).toMatch(/^parameter network: code "XA' OR '1'='1" may hold only letters, digits, _/);
    expect(rejection(() => get('sta=A;DROP TABLE segments'))).toMatch(/^parameter station:/);
    expect(rejection(() => get('cha=BH%25'))).toMatch(/^parameter channel:/);
    expect(rejection(() => get('loc=0\\0'))).toMatch(/^parameter location:/);
  });

  it('refuses a 10 kB pattern without echoing it', () => {
    const message = rejection(() => get(`sta=${'A'.repeat(10_000)}`));
    expect(message).toMatch(/^parameter station: value of 10000 characters, at most 1000/);
    expect(message.length).toBeLessThan(200);
    expect(rejection(() => get(`sta=${'A'.repeat(17)}`))).toMatch(/^parameter station: code "A{17}" has 17 characters, at most 16/);
  });

  it('refuses lists that combine into more than 100 channel patterns', () => {
    const eleven = Array.from({ length: 11 }, (_, index) => `S${index}`).join(',');
    expect(rejection(() => get(`sta=${eleven}&cha=${eleven}`))).toMatch(/combine into 121 channel patterns, at most 100/);
  });

  it('refuses empty codes, except the empty location', () => {
    expect(rejection(() => get('net=IU,'))).toMatch(/^parameter network: empty code/);
    expect(get('loc=').selections[0].patterns[0].location).toBe('');
  });
});

describe('FDSN availability POST bodies', () => {
  it('reads option lines, then one selection per line with its own window', () => {
    const request = parsePostBody(
      'query',
      'format=json\nmerge=quality\n\nIU ANMO -- BHZ 2024-03-01 2024-03-02T12:00:00\r\nXA AL* 00 LH? 2024-03-03T00:00:00.5\n',
    );
    expect(request.format).toBe('json');
    expect(request.mergeQuality).toBe(true);
    expect(request.selections).toEqual([
      {
        patterns: [{ network: 'IU', station: 'ANMO', location: '', channel: 'BHZ' }],
        start: micros('2024-03-01T00:00:00Z'),
        end: micros('2024-03-02T12:00:00Z'),
      },
      { patterns: [{ network: 'XA', station: 'AL*', location: '00', channel: 'LH?' }], start: micros('2024-03-03T00:00:00.5Z'), end: null },
    ]);
  });

  it('names the line of a bad selection', () => {
    expect(rejection(() => parsePostBody('query', 'IU ANMO 00 BHZ 2024-03-01\nIU ANMO 00 BHZ\n'))).toBe(
      'line 2: 4 fields, expected NET STA LOC CHA START [END]',
    );
    expect(rejection(() => parsePostBody('query', 'IU AN;MO 00 BHZ 2024-03-01'))).toMatch(/^line 1: parameter station: code "AN;MO"/);
    expect(rejection(() => parsePostBody('query', 'IU ANMO 00 BHZ 2024-03-02 2024-03-01'))).toBe(
      'line 1: parameter starttime: must be before endtime',
    );
  });

  it('keeps channels and times off the key=value lines and the options before the selections', () => {
    expect(rejection(() => parsePostBody('query', 'net=IU\nIU ANMO 00 BHZ 2024-03-01'))).toMatch(/^parameter net \(line 1\): not allowed on a key=value line/);
    expect(rejection(() => parsePostBody('query', 'IU ANMO 00 BHZ 2024-03-01\nformat=json'))).toBe(
      'line 2: key=value lines must come before the selection lines',
    );
    expect(rejection(() => parsePostBody('extent', 'mergegaps=5\nIU ANMO 00 BHZ 2024-03-01'))).toBe(
      'parameter mergegaps: accepted by query only, not by extent',
    );
    expect(rejection(() => parsePostBody('query', 'format=json\n'))).toMatch(/^request body: no selection line/);
  });

  it('reads a selection line given again (in other spacing) once, and counts it once against the limit of lines', () => {
    const line = 'IU ANMO 00 BHZ 2024-03-01 2024-03-02';
    const body = [...Array.from({ length: 5000 }, () => line), 'IU  ANMO 00\tBHZ 2024-03-01 2024-03-02', 'IU ANMO 10 BHZ 2024-03-01 2024-03-02'].join('\n');
    expect(parsePostBody('query', body).selections.map((selection) => selection.patterns[0].location)).toEqual(['00', '10']);
  });
});
